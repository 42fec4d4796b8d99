#!/bin/sh
# A group belongs to the policy that decided it: only that policy, while
# still attached, hears how it ended and is charged with its timeout; the
# groups the built-in default decided charge nobody.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mock.sh"
cd "$(dirname "$0")"

RC=/sys/fs/bpf/respcount_events
# rc ROW EV: what the respcount instance of row ROW counted (respcount.bpf.c)
rc() {
	case $2 in
	faults) _e=0 ;; responses) _e=1 ;; timeouts) _e=2 ;; exits) _e=3 ;;
	esac
	./mapread $RC | awk -v k="$(($1 * 5 + _e))" '$1 == k { print $2 }'
}
policy_is() {
	[ "$(cat /sys/class/iofault/$1/policy)" = "$2" ]
}
stop_listener() {
	kill $LISTENER
	wait $LISTENER
}

# Devices without a resolver: the built-in default forwards their groups.
load_iofault resolver=0 || { not_ok "modules load"; exit 1; }
rm -f $RC

check "attach a global policy that passes every group (DEFAULT)" \
	iofaultctl attach $PROGS/respcount.bpf.o --global --set verdict=0 --set row=0
echo 100 > /sys/class/iofault/vtd0/timeout_ms
listen vtd0 --respond none
inject vtd0 "count=20 pasid=3"
settle vtd0
check_eq "the built-in default forwarded vtd0's groups" 20 "$(stat vtd0 forwarded)"
check_eq "and they all timed out" 20 "$(stat vtd0 ended_timeout)"
sleep 0.5
check_eq "the global policy is not ejected for them" respcount \
	"$(cat /sys/kernel/iofault/global_policy)"
check_eq "nor stopped" "" "$(cat /sys/kernel/iofault/global_last_exit)"
check_eq "it saw the groups" 20 "$(rc 0 faults)"
check_eq "but decided none: no response or timeout callback" "0 0" \
	"$(rc 0 responses) $(rc 0 timeouts)"
stop_listener
check "detach it" iofaultctl detach --global

# The global policy decides (forwards) vtd1's groups; then vtd1 gets a
# policy of its own: the global policy's groups still report to it.
check "attach a forwarding global policy" \
	iofaultctl attach $PROGS/respcount.bpf.o --global --set verdict=2 --set row=1
echo 60000 > /sys/class/iofault/vtd1/timeout_ms
listen vtd1 --respond none
inject vtd1 "count=5 pasid=4"
check "vtd1 gets a policy of its own" \
	iofaultctl attach $PROGS/respcount.bpf.o --dev vtd1 --set verdict=3 --set row=2
check_eq "meanwhile the 5 groups are outstanding" 5 "$(stat vtd1 outstanding)"
stop_listener
settle vtd1
check_eq "closing the descriptor answered the 5 groups" 5 "$(stat vtd1 ended_close)"
check_eq "their decider, the global policy, heard of them" 5 "$(rc 1 responses)"
check_eq "vtd1's new policy did not" 0 "$(rc 2 responses)"
check "detach both" iofaultctl detach --all
rm -f $RC

# A policy replaced while the groups it forwarded are outstanding: they
# time out, and neither their timeout nor their response goes to the
# replacement. The timeout leaves time for the replacement (a slow
# kernel takes seconds to load a policy).
check "attach a forwarding policy to vtd1" \
	iofaultctl attach $PROGS/respcount.bpf.o --dev vtd1 --set verdict=2 --set row=2
echo 8000 > /sys/class/iofault/vtd1/timeout_ms
listen vtd1 --respond none
inject vtd1 "count=5 pasid=5"
check "replace it" \
	iofaultctl replace $PROGS/respcount.bpf.o --dev vtd1 --set verdict=2 --set row=3
check_eq "meanwhile the 5 groups are outstanding" 5 "$(stat vtd1 outstanding)"
settle vtd1
check_eq "the 5 groups timed out" 5 "$(stat vtd1 ended_timeout)"
check_eq "the replaced policy, gone, heard nothing more" "0 0" \
	"$(rc 2 responses) $(rc 2 timeouts)"
check_eq "the replacement was not asked for their timeout code" 0 "$(rc 3 timeouts)"
check_eq "nor told of their end" 0 "$(rc 3 responses)"
stop_listener

check "iofault unloads" unload_iofault
rm -f $RC
