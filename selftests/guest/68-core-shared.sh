#!/bin/sh
# Adopted domains behind the kernel's IOMMU core that outlive, or are
# shared beyond, the attachment adopted (issue 12: 2, 4, 3 and 9):
# - one domain attached to two PASIDs (share=, as an SVA domain is shared
#   by the devices bound to one mm): adopt one, its owner unbinds it; the
#   other PASID's groups still reach the domain's own handler, iofault
#   stays loaded (an orphan) until the other PASID is adopted and released
#   or the gone attachment is released, and re-adopt works;
# - groups iofault holds when the owner unbinds get no answer from then
#   on (their PASID may be someone else's), counted;
# - iofault_attach() refuses a domain with another handler;
# - adopt and release racing binds, unbinds and killed processes.
# Faults at an address the binder does not map: the own handler answers
# them INVALID, the core FAILURE if no handler takes them.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/core.sh"

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

gone() {
	! test -e $C/$1
}

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

check_fail "iofault_attach() refuses a domain with another handler" \
	"Device or resource busy" \
	sh -c "echo 'pasid=14 via=iofault share=12' > $M/sva0/bind"
check "and leaves nothing bound" sh -c "! grep -q '^pasid=14' $M/sva0/bind"
access sva0 12 2
check_eq "the domain's own handler still answers" \
	"success 0 invalid 2 failure 0 unanswered 0" "$(codes sva0)"

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

# --- adopt racing unbinds and killed processes ------------------------------
if [ -e /sys/kernel/debug/kmemleak ]; then ROUNDS=30; else ROUNDS=150; fi
echo > $M/sva1/hwlog
(
	i=0
	while [ $i -lt $ROUNDS ]; do
		i=$((i + 1))
		if [ $((i % 2)) = 0 ]; then
			svatouch sva1 --pasid 40 --always --pages 16 >/dev/null 2>&1
		else
			svatouch sva1 --pasid 40 --always --pages 64 --rounds 1000 \
				>/dev/null 2>&1 &
			sleep 0.0$((i % 7 + 1))
			kill -9 $! 2>/dev/null
			wait $! 2>/dev/null
			echo "pasid=40" > $M/sva1/unbind 2>/dev/null
		fi
	done
	touch /tmp/race.done
) &
RACE=$!
rm -f /tmp/race.done
n=0
until [ -e /tmp/race.done ]; do
	iofaultctl adopt --dev sva1 --pasid 40 >/dev/null 2>&1
	[ $((n % 3)) = 0 ] && sleep 0.01
	iofaultctl release --dev sva1 --pasid 40 >/dev/null 2>&1
	n=$((n + 1))
done
wait $RACE
echo "pasid=40" > $M/sva1/unbind 2>/dev/null
iofaultctl release --dev sva1 --pasid 40 >/dev/null 2>&1
diag "race: $n adopt/release rounds; $(record sva1)"
check_eq "it settles" "unanswered 0" "$(cat $M/sva1/settle)"
check_eq "every group answered exactly once" \
	"$(hw sva1 issued) 0 0 0" \
	"$(hw sva1 answered) $(hw sva1 duplicate) $(hw sva1 mismatch) $(hw sva1 failure)"
check_eq "no orphan left" 0 "$(iopf orphans)"
check_eq "none unplaced" 0 "$(iopf unplaced)"

check "iofault unloads" unload_iofault
check "unplug sva0" sh -c "echo sva0 > $M/unplug"
check "unplug sva1" sh -c "echo sva1 > $M/unplug"
check "iommu_mock unloads" rmmod iommu_mock
