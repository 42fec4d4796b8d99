# Helpers of the tests behind the kernel's IOMMU core, fed by iommu_mock
# (65-core-mock.sh to 68-core-*.sh); after lib.sh.
. "$(dirname "$0")/iofault.sh"

M=/sys/kernel/debug/iommu_mock

# hw DEV KEY: a counter of DEV's hardware
hw() {
	awk -v k="$2" '$1 == k { print $2 }' $M/$1/hwstats
}

# record DEV: DEV's answers, as the unplugged file gives them
record() {
	echo "issued $(hw $1 issued) answered $(hw $1 answered)" \
		"success $(hw $1 success) invalid $(hw $1 invalid)" \
		"failure $(hw $1 failure) unanswered $(hw $1 unanswered)" \
		"duplicate $(hw $1 duplicate) mismatch $(hw $1 mismatch)"
}

# answered N CODE: N groups issued, each answered once with CODE
answered() {
	_s=0 _i=0
	[ "$2" = success ] && _s=$1
	[ "$2" = invalid ] && _i=$1
	echo "issued $1 answered $1 success $_s invalid $_i failure 0" \
		"unanswered 0 duplicate 0 mismatch 0"
}

# touch_ok DESC WANT SVATOUCH-ARGS...: svatouch's summary line is WANT
touch_ok() {
	_desc=$1 _want=$2
	shift 2
	_out=$(svatouch "$@" 2>&1)
	check_eq "$_desc" "$_want" "$(printf '%s\n' "$_out" | tail -n 1)" ||
		diag "$_out"
}

C=/sys/class/iofault
IOPF=/sys/kernel/iofault/iopf

# iopf KEY: one of the module-wide counts of the IOMMU core's side
iopf() {
	awk -v k="$1" '$1 == k { print $2 }' $IOPF
}

# access DEV PASID PAGES: the device touches PAGES unmapped pages
access() {
	echo "pasid=$2 addr=0x10000 pages=$3 always" > $M/$1/access
}

# codes DEV: what the hardware got, by code
codes() {
	echo "success $(hw $1 success) invalid $(hw $1 invalid)" \
		"failure $(hw $1 failure) unanswered $(hw $1 unanswered)"
}

# gone NAME: the iofault device NAME no longer exists
gone() {
	! test -e $C/$1
}
