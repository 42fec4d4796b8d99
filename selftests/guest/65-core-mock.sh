#!/bin/sh
# The mock IOMMU behind the kernel's own IOMMU core (iommu_mock.ko), alone:
# its devices sit in IOMMU groups, a process's memory bound to a PASID or
# to the device gets its pages faulted in by the core's page request path
# and the mock's handler, each group is answered exactly once (by the
# handler, or by the core when nothing handles it or the device goes),
# and the module unloads and loads again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/core.sh"

IOMMU=/sys/class/iommu/iommu_mock

hw_clear() {
	echo > $M/$1/hwlog
}

# group_of DEV: the IOMMU group number of DEV
group_of() {
	basename "$(readlink /sys/bus/platform/devices/$1/iommu_group)"
}

check "iommu_mock loads" insmod $MODDIR/iommu_mock.ko || exit 1
check "it does not need iofault" sh -c '! grep -q "^iofault " /proc/modules'
check "the mock IOMMU is registered with the core" test -d $IOMMU
for dev in sva0 sva1; do
	check "$dev is linked to the mock IOMMU" test -e $IOMMU/devices/$dev
	g=$(group_of $dev)
	check "$dev is in IOMMU group $g" \
		test -e /sys/kernel/iommu_groups/$g/devices/$dev
	check_eq "$dev's default domain is identity" identity \
		"$(cat /sys/kernel/iommu_groups/$g/type)"
done
check "each device has its own group" \
	test "$(group_of sva0)" != "$(group_of sva1)"

# --- own handler: the bound process's pages are faulted in --------------
hw_clear sva0
touch_ok "PASID 1: 4 untouched pages read by the device become resident" \
	"resident 4 absent 0 unmapped 0" sva0 --pasid 1 --pages 4
check_eq "each page's group answered SUCCESS exactly once" \
	"$(answered 4 success)" "$(record sva0)"
check_eq "the hardware log has one SUCCESS line per group, PASID 1" 4 \
	"$(grep -cE '^pasid=1 grpid=[0-9]+ code=success priv=0x[0-9a-f]+,0x[0-9a-f]+$' $M/sva0/hwlog)"
check_eq "four distinct group indexes" 4 \
	"$(sed 's/.*grpid=\([0-9]*\).*/\1/' $M/sva0/hwlog | sort -u | wc -l)"

hw_clear sva0
touch_ok "no PASID: 3 pages written by the device become resident" \
	"resident 3 absent 0 unmapped 0" sva0 --pages 3 --write
check_eq "3 groups answered SUCCESS" "$(answered 3 success)" "$(record sva0)"
check_eq "the answers carry no PASID" 3 \
	"$(grep -c '^pasid=none grpid=[0-9]* code=success ' $M/sva0/hwlog)"

hw_clear sva0
touch_ok "a group of 8 pages: all become resident" \
	"resident 8 absent 0 unmapped 0" sva0 --pasid 2 --pages 8 --group
check_eq "one group of 8 requests, answered once" \
	"$(answered 1 success) requests 8" "$(record sva0) requests $(hw sva0 requests)"

hw_clear sva0
touch_ok "resident pages: no request" "resident 4 absent 0 unmapped 0" \
	sva0 --pasid 1 --pages 4 --touch
check_eq "4 hits, nothing issued" "hits 4 issued 0" \
	"hits $(hw sva0 hits) issued $(hw sva0 issued)"
hw_clear sva0
touch_ok "always: resident pages fault anyway" "resident 4 absent 0 unmapped 0" \
	sva0 --pasid 1 --pages 4 --touch --always
check_eq "4 groups answered SUCCESS" "$(answered 4 success)" "$(record sva0)"

# --- what cannot be resolved is INVALID and maps nothing -----------------
hw_clear sva0
touch_ok "outside any VMA: nothing is mapped" "resident 0 absent 0 unmapped 2" \
	sva0 --pasid 1 --pages 2 --unmap
check_eq "both groups answered INVALID" "$(answered 2 invalid)" "$(record sva0)"
hw_clear sva0
touch_ok "a write to a read-only mapping: nothing populated" \
	"resident 0 absent 2 unmapped 0" sva0 --pasid 1 --pages 2 --prot r --write
check_eq "both groups answered INVALID" "$(answered 2 invalid)" "$(record sva0)"
hw_clear sva0
touch_ok "a group over a PROT_NONE mapping: nothing populated" \
	"resident 0 absent 3 unmapped 0" sva0 --pages 3 --prot none --group
check_eq "the group answered INVALID once" "$(answered 1 invalid)" "$(record sva0)"
hw_clear sva0
touch_ok "no bind: nothing populated" "resident 0 absent 1 unmapped 0" \
	sva0 --pasid 9 --nobind
check_eq "the core answers INVALID itself" "$(answered 1 invalid)" "$(record sva0)"

# --- binds ---------------------------------------------------------------
echo "pasid=255" > $M/sva0/bind
check_eq "the bind file lists this shell's bind" "pasid=255 via=own handler=mm pid=$$" \
	"$(cat $M/sva0/bind)"
check_fail "a PASID binds once" "File exists" sh -c "echo pasid=255 > $M/sva0/bind"
check_fail "another process cannot make the device access a bound PASID" \
	"Permission denied" svatouch sva0 --pasid 255 --nobind
check_fail "PASIDs have 8 bits" "Invalid argument" \
	sh -c "echo pasid=256 > $M/sva0/bind"
check_fail "PASID 0 is no PASID" "Invalid argument" \
	sh -c "echo pasid=0 > $M/sva0/bind"
check "unbind" sh -c "echo pasid=255 > $M/sva0/unbind"
check_eq "no bind left" "" "$(cat $M/sva0/bind)"
check_fail "unbinding twice" "No such file" \
	sh -c "echo pasid=255 > $M/sva0/unbind"
if grep -q "^iofault " /proc/modules; then
	skip "via=iofault needs iofault loaded" "iofault is loaded"
else
	check_fail "via=iofault needs iofault loaded" "No such file" \
		svatouch sva0 --pasid 4 --via iofault
fi

# --- storms: exactly one answer per group ---------------------------------
hw_clear sva1
touch_ok "10 rounds of 16 pages" "resident 16 absent 0 unmapped 0" \
	sva1 --pasid 7 --pages 16 --rounds 10
check_eq "160 groups answered SUCCESS once each" "$(answered 160 success)" \
	"$(record sva1)"
hw_clear sva1
touch_ok "10 rounds of a 16-page group" "resident 16 absent 0 unmapped 0" \
	sva1 --pages 16 --rounds 10 --group --write
check_eq "10 groups answered SUCCESS once each" "$(answered 10 success)" \
	"$(record sva1)"

# --- unplug ----------------------------------------------------------------
check_fail "the module stays while its devices exist" "iommu_mock" \
	rmmod iommu_mock
hw_clear sva1
echo 1 > $M/sva1/hold
touch_ok "held groups, then unplug: nothing populated" \
	"resident 0 absent 4 unmapped 0" sva1 --pasid 7 --pages 4 --unplug
check_eq "the core answers the held groups INVALID, once each" \
	"sva1 $(answered 4 invalid)" "$(grep '^sva1 ' $M/unplugged)"
check "sva1 left the bus" sh -c '! test -e /sys/bus/platform/devices/sva1'
check "sva1 left the mock IOMMU" sh -c "! test -e $IOMMU/devices/sva1"

hw_clear sva0
svatouch sva0 --pasid 1 --pages 64 --unplug >/dev/null
check "unplug with groups in flight: each answered once" awk '
	$1 == "sva0" && $3 == $5 && $3 == $7 + $9 && $11 == 0 && $13 == 0 &&
	$15 == 0 && $17 == 0 { ok = 1 }
	END { if (!ok) { print; exit 1 } }' $M/unplugged
diag "$(cat $M/unplugged)"
check "no device left on the mock IOMMU" \
	sh -c "! ls $IOMMU/devices | grep -q ."

check "iommu_mock unloads" rmmod iommu_mock
check "the mock IOMMU left the core" sh -c "! test -e $IOMMU"
check "iommu_mock loads again" insmod $MODDIR/iommu_mock.ko ndev=1
touch_ok "and works" "resident 2 absent 0 unmapped 0" sva0 --pasid 3 --pages 2
check "unplug" sh -c "echo sva0 > $M/unplug"
check "unload" rmmod iommu_mock
