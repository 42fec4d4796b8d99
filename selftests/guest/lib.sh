# Shared by the guest test scripts; each begins with:
#   . "${0%/*}/lib.sh"
# The functions print TAP lines without numbers ("ok - DESC"); run-tests.sh
# numbers them and puts the script's name in front of DESC. Any other output
# of a script becomes a "# " diagnostic line. A DESC must not contain '#'.
# check, check_fail and check_eq return 0 when the test passed, so that a
# script can stop where going on makes no sense:  check "loads" insmod X || exit
#
# POSIX sh has no local variables: the functions' own start with "_".

# Where the initramfs (tools/vm/mkinitramfs.sh) puts things.
MODDIR=/lib/iofault              # iofault.ko and the mock drivers' modules
BPFDIR=/usr/share/iofault/bpf    # the example policies, *.bpf.o
PROGDIR=/usr/share/iofault/progs # BPF programs written for the tests, *.bpf.o
TESTDIR=/usr/lib/iofault/tests   # the scripts, this file, the test helpers
PATH=$TESTDIR:$PATH              # so that helpers run by name

# diag MSG...: MSG as diagnostic lines, one "# " per line.
diag() {
	printf '%s\n' "$*" | sed 's/^/# /'
}

# ok DESC
ok() {
	echo "ok - $1"
}

# not_ok DESC [DETAIL]: a failed test; DETAIL (may be several lines) as
# diagnostics.
not_ok() {
	echo "not ok - $1"
	[ $# -lt 2 ] || diag "$2"
}

# skip DESC REASON: a test that cannot run here (counts as passed).
skip() {
	echo "ok - $1 # SKIP $2"
}

# check DESC CMD [ARG...]: passes if CMD exits with 0; otherwise shows the
# command, its exit status and its output (stdout and stderr).
check() {
	_desc=$1
	shift
	_out=$("$@" 2>&1)
	_rc=$?
	if [ $_rc -eq 0 ]; then
		ok "$_desc"
		return 0
	fi
	not_ok "$_desc" "\$ $*
exit status $_rc"
	[ -z "$_out" ] || diag "$_out"
	return 1
}

# check_fail DESC PATTERN CMD [ARG...]: passes if CMD exits with non-zero
# AND its output (stdout and stderr) matches the extended regex PATTERN,
# e.g. check_fail "rejects a duplicate" "File exists|EEXIST" iofaultctl ...
check_fail() {
	_desc=$1
	_pat=$2
	shift 2
	_out=$("$@" 2>&1)
	_rc=$?
	if [ $_rc -ne 0 ] && printf '%s\n' "$_out" | grep -qE -- "$_pat"; then
		ok "$_desc"
		return 0
	fi
	not_ok "$_desc" "\$ $*
expected: a failure with output matching /$_pat/
got: exit status $_rc"
	[ -z "$_out" ] || diag "$_out"
	return 1
}

# check_eq DESC EXPECTED ACTUAL: passes if the two strings are equal.
check_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
		return 0
	fi
	not_ok "$1" "expected: $2
actual:   $3"
	return 1
}
