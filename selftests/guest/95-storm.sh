#!/bin/sh
# A storm of over 100,000 fault groups over three devices, both mock IOMMU
# kinds, resolved and forwarded, with one device hot-removed in the middle:
# every group its hardware issued is answered exactly once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mock.sh"

load_iofault vtd=2 smmu=1 || { not_ok "modules load"; exit 1; }
for dev in vtd0 vtd1 smmu0; do
	echo 65536 > /sys/class/iofault/$dev/quota
	hw_clear $dev
done
check "vtd1 forwards PASIDs 1 and 2 to a handler" \
	iofaultctl attach $BPF/forward_pasids.bpf.o --dev vtd1 --set pasid_min=1 --set pasid_max=2
listen vtd1 --quiet

ctl vtd0 storm "groups=50000 pasids=4 pages=2" &
S0=$!
ctl vtd1 storm "groups=40000 pasids=4" 2>/dev/null &
S1=$!
ctl smmu0 storm "groups=50000 pasids=3" &
S2=$!
# Hot-remove vtd1 once it is well into its storm.
into_storm() {
	[ "$(hw vtd1 issued)" -gt 5000 ]
}
wait_for into_storm
check "vtd1 is hot-removed during the storm" sh -c "echo vtd1 > $MOCK/unplug"
wait $S1
check "its storm stops, short of its end" test "$(cat /sys/kernel/debug/iofault_mock/unplugged | awk '/^vtd1 / { print $3 }')" -lt 40000
wait $LISTENER
check "its handler saw it go" grep -q "device vtd1 is gone" /tmp/listen.out
wait $S0
wait $S2
check_eq "vtd0 settles" "unanswered 0" "$(settled vtd0)"
check_eq "smmu0 settles" "unanswered 0" "$(settled smmu0)"
check "vtd0: 50,000 groups of 2 pages, each answered exactly once" exactly_once vtd0 50000
check "smmu0: 50,000 stalls, each answered exactly once" exactly_once smmu0 50000
line=$(grep '^vtd1 ' $MOCK/unplugged)
diag "$line"
set -- $line
check_eq "vtd1: every group it issued before removal answered exactly once" \
	"answered $3 auto 0 unanswered 0 duplicate 0" "$4 $5 $6 $7 $8 $9 ${10} ${11}"
check "vtd1: the handler answered some of its groups" \
	grep -qE "^listened on vtd1: [1-9][0-9]* records, [1-9][0-9]* answered" /tmp/listen.err
check_eq "iofault has nothing outstanding" "0 0" \
	"$(stat vtd0 outstanding) $(stat smmu0 outstanding)"
check "the mock driver unloads" rmmod iofault_mock
iofaultctl detach --all >/dev/null 2>&1
check "no device or policy object is left" no_objects_left
check "iofault unloads" unload_iofault
