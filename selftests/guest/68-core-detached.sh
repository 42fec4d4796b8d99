#!/bin/sh
# Groups iofault holds for an adopted attachment whose owner unbinds
# behind the kernel's IOMMU core (issue 12, item 4): from then on none is
# answered to the device (its PASID may be someone else's), whether by
# the timeout or by the fault descriptor; each is counted. A live
# adoption's held groups are still answered at release.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/core.sh"

check "iommu_mock loads" insmod $MODDIR/iommu_mock.ko || exit 1
check "iofault loads" insmod $MODDIR/iofault.ko || exit 1
check_eq "nothing counted yet" "unplaced 0 detached 0 orphans 0" \
	"$(tr '\n' ' ' < $IOPF | sed 's/ $//')"

# --- held groups when the owner unbinds: no answer from then on ------------
# The mock's unbind stops the PASID: the device forgets what is outstanding
# (hwstats: stopped); an answer after that is a duplicate, or worse, goes
# to the PASID's next owner.

# late DEV: the hardware's answers, and what it forgot when PASIDs stopped
late() {
	echo "responses $(hw $1 responses) duplicate $(hw $1 duplicate)" \
		"mismatch $(hw $1 mismatch) stopped $(hw $1 stopped)" \
		"unanswered $(hw $1 unanswered)"
}

# held DEV N: N groups of iofault's device DEV are outstanding
held() {
	[ "$(stat $1 outstanding)" = "$2" ]
}

stop_listener() {
	kill $LISTENER 2>/dev/null
	wait $LISTENER 2>/dev/null
}

echo > $M/sva1/hwlog
echo "pasid=7" > $M/sva1/bind
check "adopt sva1 PASID 7" iofaultctl adopt --dev sva1 --pasid 7
check "forward it" iofaultctl attach $BPFDIR/forward_pasids.bpf.o \
	--dev sva1.pasid7 --set pasid_min=7 --set pasid_max=7
listen sva1.pasid7 --respond none
access sva1 7 3
check "3 groups held by a listener that does not answer" held sva1.pasid7 3
echo "pasid=7" > $M/sva1/unbind
echo "pasid=7" > $M/sva1/bind
echo 200 > $C/sva1.pasid7/timeout_ms
check "the owner unbound, another bound PASID 7: the 3 time out" \
	wait_for held sva1.pasid7 0
check_eq "the hardware got no answer for them" \
	"responses 0 duplicate 0 mismatch 0 stopped 3 unanswered 0" "$(late sva1)"
check_eq "counted" 3 "$(iopf detached)"
stop_listener
iofaultctl detach --all >/dev/null 2>&1
check "the next adopt drops sva1.pasid7" sh -c \
	"iofaultctl adopt --dev sva1 --pasid 42; ! test -e $C/sva1.pasid7"
check "release its orphan" iofaultctl release --dev sva1 --pasid 7
echo "pasid=7" > $M/sva1/unbind

# The same, answered through the fault descriptor: closing it answers them.
echo > $M/sva1/hwlog
echo "pasid=8" > $M/sva1/bind
check "adopt sva1 PASID 8" iofaultctl adopt --dev sva1 --pasid 8
check "forward it" iofaultctl attach $BPFDIR/forward_pasids.bpf.o \
	--dev sva1.pasid8 --set pasid_min=8 --set pasid_max=8
listen sva1.pasid8 --respond none
access sva1 8 2
check "2 groups held" held sva1.pasid8 2
echo "pasid=8" > $M/sva1/unbind
stop_listener
check "the listener closed: none outstanding" wait_for held sva1.pasid8 0
check_eq "the hardware got no answer for them" \
	"responses 0 duplicate 0 mismatch 0 stopped 2 unanswered 0" "$(late sva1)"
check_eq "counted" 5 "$(iopf detached)"
iofaultctl detach --all >/dev/null 2>&1
check "release the gone attachment" iofaultctl release --dev sva1 --pasid 8

# Held groups of a live adoption are still answered at release.
echo > $M/sva1/hwlog
echo "pasid=9" > $M/sva1/bind
iofaultctl adopt --dev sva1 --pasid 9 >/dev/null
iofaultctl attach $BPFDIR/forward_pasids.bpf.o --dev sva1.pasid9 \
	--set pasid_min=9 --set pasid_max=9 >/dev/null
listen sva1.pasid9 --respond none
access sva1 9 2
check "release while held" iofaultctl release --dev sva1 --pasid 9
check_eq "each answered INVALID once" "$(answered 2 invalid)" "$(record sva1)"
stop_listener
iofaultctl detach --all >/dev/null 2>&1
echo "pasid=9" > $M/sva1/unbind
check_eq "detached unchanged" 5 "$(iopf detached)"

check "iofault unloads" unload_iofault
check "unplug sva0" sh -c "echo sva0 > $M/unplug"
check "unplug sva1" sh -c "echo sva1 > $M/unplug"
check "iommu_mock unloads" rmmod iommu_mock

