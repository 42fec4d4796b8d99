#!/bin/sh
# An adopted domain shared beyond the attachment adopted, or outliving it,
# behind the kernel's IOMMU core (issue 12, item 2): one domain attached
# to two PASIDs (share=, as an SVA domain is shared by the devices bound
# to one mm). Adopt one, its owner unbinds it: the other PASID's groups
# still reach the domain's own handler (never FAILURE), iofault stays
# loaded (an orphan) until the other PASID is adopted and released, or the
# gone attachment is released; re-adopt works, and rmmod works whenever
# every adoption is live.
# Faults at an address the binder does not map: the own handler answers
# them INVALID, the core FAILURE if no handler takes them.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/core.sh"

check "iommu_mock loads" insmod $MODDIR/iommu_mock.ko || exit 1
check "iofault loads" insmod $MODDIR/iofault.ko || exit 1
check_eq "nothing counted yet" "unplaced 0 detached 0 orphans 0" \
	"$(tr '\n' ' ' < $IOPF | sed 's/ $//')"

# --- one domain, two PASIDs ----------------------------------------------
echo > $M/sva0/hwlog
echo "pasid=12" > $M/sva0/bind
# This shell binds (a bound PASID is the address space of its binder).
echo "pasid=13 share=12" > $M/sva0/bind
check "PASID 13 shares PASID 12's domain" \
	grep -q "^pasid=13 via=own handler=mm share=12 pid=$$\$" $M/sva0/bind
check_fail "share= takes no handler=" "Invalid argument" \
	sh -c "echo 'pasid=14 share=12 handler=now' > $M/sva0/bind"
check_fail "share= of nothing bound" "No such file" \
	sh -c "echo 'pasid=14 share=42' > $M/sva0/bind"

check "adopt PASID 12" iofaultctl adopt --dev sva0 --pasid 12
echo > $M/sva0/hwlog
access sva0 12 3
access sva0 13 2
check_eq "PASID 12 through iofault, 13 to the own handler" \
	"groups 3" "groups $(stat sva0.pasid12 groups)"
check_eq "all answered INVALID by the own handler" \
	"success 0 invalid 5 failure 0 unanswered 0" "$(codes sva0)"

echo "pasid=12" > $M/sva0/unbind
check_fail "an adopt elsewhere notices the owner went" "no domain is attached" \
	iofaultctl adopt --dev sva0 --pasid 42
check "PASID 12's iofault device is gone" gone sva0.pasid12
check_eq "its domain is an orphan" 1 "$(iopf orphans)"
echo > $M/sva0/hwlog
access sva0 13 4
check_eq "PASID 13's groups still reach the own handler, none FAILURE" \
	"success 0 invalid 4 failure 0 unanswered 0" "$(codes sva0)"
check_eq "none unplaced" 0 "$(iopf unplaced)"
check_fail "rmmod iofault: in use, the domain may carry its handler" \
	"in use|temporarily unavailable" rmmod iofault
echo > $M/sva0/hwlog
access sva0 13 2
check_eq "after the refused rmmod, still the own handler" \
	"success 0 invalid 2 failure 0 unanswered 0" "$(codes sva0)"

check "re-adopt: PASID 13 of the same domain" \
	iofaultctl adopt --dev sva0 --pasid 13
check_eq "it took the orphan over" 0 "$(iopf orphans)"
echo > $M/sva0/hwlog
access sva0 13 3
check_eq "PASID 13 through iofault, handed off" "groups 3 ended_handoff 3" \
	"groups $(stat sva0.pasid13 groups) ended_handoff $(stat sva0.pasid13 ended_handoff)"
check_eq "answered by the own handler" \
	"success 0 invalid 3 failure 0 unanswered 0" "$(codes sva0)"
check "release it: the original is back" iofaultctl release --dev sva0 --pasid 13
check "re-adopt once more" iofaultctl adopt --dev sva0 --pasid 13
check "rmmod iofault while every adoption is live: works" rmmod iofault
echo > $M/sva0/hwlog
access sva0 13 3
check_eq "the own handler answers without iofault" \
	"success 0 invalid 3 failure 0 unanswered 0" "$(codes sva0)"
check "iofault loads again" insmod $MODDIR/iofault.ko
echo "pasid=13" > $M/sva0/unbind

# --- the owner went, the domain with it ------------------------------------
echo "pasid=14" > $M/sva0/bind
check "adopt PASID 14" iofaultctl adopt --dev sva0 --pasid 14
echo "pasid=14" > $M/sva0/unbind
check_fail "rmmod after an adopt noticed the owner went: in use" "in use|temporarily unavailable" \
	sh -c "iofaultctl adopt --dev sva0 --pasid 42; rmmod iofault"
check "release the gone attachment: the operator's word" \
	iofaultctl release --dev sva0 --pasid 14
check_eq "no orphan left" 0 "$(iopf orphans)"
check_fail "release it twice" "is not adopted" \
	iofaultctl release --dev sva0 --pasid 14

check "iofault unloads" unload_iofault
check "unplug sva0" sh -c "echo sva0 > $M/unplug"
check "unplug sva1" sh -c "echo sva1 > $M/unplug"
check "iommu_mock unloads" rmmod iommu_mock

