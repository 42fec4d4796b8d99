#!/bin/sh
# A policy's callbacks, kfuncs, replacement, ejection and the programs the
# verifier must refuse.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mock.sh"
cd "$(dirname "$0")"

EV=/sys/fs/bpf/lifecycle_events
# ev N: what the lifecycle policy recorded at index N (see lifecycle.bpf.c)
ev() {
	./mapread $EV | awk -v k="$1" '$1 == k { print $2 }'
}
policy_is() {
	[ "$(cat /sys/class/iofault/$1/policy)" = "$2" ]
}

load_iofault || { not_ok "modules load"; exit 1; }
rm -f $EV
T=/sys/kernel/tracing
ID0=$(cat /sys/class/iofault/vtd0/id)
echo > $T/trace
echo 1 > $T/events/iofault/iofault_eject/enable

check "attach a policy that fails with FAILURE (kfunc)" \
	iofaultctl attach $PROGS/lifecycle.bpf.o --dev vtd0 --set verdict=3 --set fail_code=2
check_eq "its init ran once" 1 "$(ev 0)"
inject vtd0 "count=5 pasid=1"
settle vtd0
check_eq "the hardware got FAILURE, as the policy chose" 5 "$(hw vtd0 failure)"
check_eq "its fault callback saw each group" 5 "$(ev 4)"
check_eq "its response callback heard each answer" 5 "$(ev 5)"
check_eq "with the code" 2 "$(ev 7)"
check "detach it" iofaultctl detach --dev vtd0
check_eq "its exit ran once: detached" "1 1" "$(ev 1) $(ev 2)"
check "sysfs says why it stopped" grep -q "^detached 0 lifecycle: detached" \
	/sys/class/iofault/vtd0/last_exit

rm -f $EV
check_fail "a policy whose init refuses is not attached" "Operation not permitted" \
	iofaultctl attach $PROGS/lifecycle.bpf.o --dev vtd0 --set refuse=1
# The code, -1, reads back as a u64 word.
check_eq "its exit ran all the same, saying init failed" "1 6 18446744073709551615" \
	"$(ev 1) $(ev 2) $(ev 3)"
check "the device keeps the built-in default" policy_is vtd0 "builtin default"
check "its last_exit shows the refusal, not the previous stop" \
	grep -q "^init_failed -1 lifecycle: init returned -1" /sys/class/iofault/vtd0/last_exit
check_fail "a global policy whose init refuses is not attached" "Operation not permitted" \
	iofaultctl attach $PROGS/lifecycle.bpf.o --global --set refuse=1
check "the global last_exit shows the refusal" \
	grep -q "^init_failed -1 lifecycle: init returned -1" /sys/kernel/iofault/global_last_exit

check "attach a policy that returns an invalid verdict" \
	iofaultctl attach $PROGS/bad_verdict.bpf.o --dev vtd0
hw_clear vtd0
inject vtd0 "count=4 pasid=2"
settle vtd0
check_eq "its device's groups are still answered, by the default" 4 "$(hw vtd0 success)"
check "it is ejected and the device falls back" wait_for policy_is vtd0 "builtin default"
check "sysfs says why" grep -q "^ejected_invalid_verdict 7 bad_verdict: returned verdict 7" \
	/sys/class/iofault/vtd0/last_exit
check "iofaultctl list says why" sh -c 'iofaultctl list | grep -q ejected_invalid_verdict'
check "the kernel log says why, and which device's fault" \
	sh -c "dmesg | grep -q 'policy bad_verdict ejected by a fault of vtd0 (id $ID0): returned verdict 7'"
check "so does the iofault_eject tracepoint" grep -q \
	"iofault_eject: policy=bad_verdict kind=3 code=7 dev=vtd0 dev_id=$ID0 msg=returned verdict 7" \
	$T/trace
check "its link is dead: a new policy attaches in its place" \
	iofaultctl attach $BPF/fail_all.bpf.o --dev vtd0
check_fail "a replacement whose init refuses is refused" "init callback refused" \
	iofaultctl replace $PROGS/lifecycle.bpf.o --dev vtd0 --set refuse=1
check "the device keeps its policy" policy_is vtd0 "device fail_all"
check "its last_exit shows the refusal" \
	grep -q "^init_failed -1 lifecycle: init returned -1" /sys/class/iofault/vtd0/last_exit
check "a replacement replaces" iofaultctl replace $BPF/default.bpf.o --dev vtd0
check "sysfs says why the old one stopped" grep -q "^replaced 0 fail_all: replaced by default" \
	/sys/class/iofault/vtd0/last_exit
check "detach it" iofaultctl detach --dev vtd0

rm -f $EV
check "attach a forwarding policy with a 100 ms timeout" \
	iofaultctl attach $PROGS/lifecycle.bpf.o --dev vtd0 --set verdict=2
echo 100 > /sys/class/iofault/vtd0/timeout_ms
listen vtd0 --respond none
inject vtd0 "count=20 pasid=3"
settle vtd0
check "a policy whose forwarded groups keep timing out is ejected" \
	wait_for policy_is vtd0 "builtin default"
check_eq "its exit heard why, after 16 in a row" "4 16" "$(ev 2) $(ev 3)"
check "the iofault_eject tracepoint names the device" grep -q \
	"iofault_eject: policy=lifecycle kind=4 code=16 dev=vtd0 dev_id=$ID0 msg=16 forwarded" \
	$T/trace
echo 0 > $T/events/iofault/iofault_eject/enable
kill $LISTENER
wait $LISTENER

for bad in bad_write_ctx bad_read_beyond bad_kfunc; do
	check_fail "the verifier refuses $bad" "rejected" \
		iofaultctl attach $PROGS/$bad.bpf.o --dev vtd1
done
check_fail "the verifier refuses iofault_set_fail_code outside fault()" \
	"calling kernel function iofault_set_fail_code is not allowed" \
	iofaultctl attach $PROGS/bad_fail_code_response.bpf.o --dev vtd1
check "vtd1 still has the built-in default" policy_is vtd1 "builtin default"

# Replace vtd1's policy in a loop while a storm runs: every group is
# answered exactly once, by one policy or the other.
echo 65536 > /sys/class/iofault/vtd1/quota
check "attach fail_all to vtd1" iofaultctl attach $BPF/fail_all.bpf.o --dev vtd1
hw_clear vtd1
ctl vtd1 storm "groups=30000 pasids=4" &
STORM=$!
n=0
while kill -0 $STORM 2>/dev/null && [ $n -lt 40 ]; do
	iofaultctl replace $BPF/default.bpf.o --dev vtd1 >/dev/null &&
		iofaultctl replace $BPF/fail_all.bpf.o --dev vtd1 >/dev/null &&
		n=$((n + 2))
done
wait $STORM
diag "$n replacements during the storm"
check "policies were replaced during the storm" test $n -gt 0
check_eq "vtd1 settles" "unanswered 0" "$(settled vtd1)"
check "every group answered exactly once" exactly_once vtd1 30000
check "both policies answered some" test "$(hw vtd1 success)" -gt 0 -a "$(hw vtd1 invalid)" -gt 0
check "the device is left with one policy" policy_is vtd1 "device fail_all"

iofaultctl detach --all >/dev/null
check "the mock driver unloads" rmmod iofault_mock
check "no device or policy object is left" no_objects_left
check "iofault unloads" unload_iofault
rm -f $EV
