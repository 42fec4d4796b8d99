#!/bin/sh
# iofault's tracepoints, read through tracefs and by a BPF program.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mock.sh"
cd "$(dirname "$0")"

T=/sys/kernel/tracing
load_iofault || { not_ok "modules load"; exit 1; }
for ev in report verdict forward response reject timeout eject; do
	check "tracepoint iofault_$ev exists" test -d $T/events/iofault/iofault_$ev
done

echo > $T/trace
echo 1 > $T/events/iofault/enable
iofaultctl attach $BPF/fail_writes.bpf.o --dev vtd0 >/dev/null
inject vtd0 "count=3 perm=w pasid=5" "count=2 perm=r pasid=5 grpid=10"
settle vtd0
echo 0 > $T/events/iofault/enable
check_eq "5 reports traced" 5 "$(grep -c 'iofault_report: dev=1 type=1' $T/trace)"
check_eq "3 verdicts by the policy: fail" 3 \
	"$(grep -c 'iofault_verdict: .*policy=fail_writes verdict=fail' $T/trace)"
check_eq "2 verdicts by the built-in default: resolve" 2 \
	"$(grep -c 'iofault_verdict: .*policy=builtin verdict=resolve' $T/trace)"
check_eq "3 responses: invalid" 3 "$(grep -c 'iofault_response: .*code=invalid by=response' $T/trace)"
check_eq "2 responses: success" 2 "$(grep -c 'iofault_response: .*code=success by=response' $T/trace)"
iofaultctl detach --dev vtd0 >/dev/null

# Forward, time out, reject and eject, each traced.
echo > $T/trace
echo 1 > $T/events/iofault/enable
iofaultctl attach $PROGS/lifecycle.bpf.o --dev vtd1 --set verdict=2 >/dev/null
echo 100 > /sys/class/iofault/vtd1/timeout_ms
listen vtd1 --respond none
inject vtd1 "count=2 pasid=8"
settle vtd1
kill $LISTENER
wait $LISTENER
ctl vtd0 respond "cookie=0x100000100fff pasid=1 grpid=1 code=success" 2>/dev/null
iofaultctl attach $PROGS/bad_verdict.bpf.o --dev vtd0 >/dev/null
inject vtd0 "pasid=1 last"
settle vtd0
wait_for grep -q iofault_eject $T/trace
echo 0 > $T/events/iofault/enable
check_eq "2 forwards traced" 2 "$(grep -c 'iofault_forward: dev=2 ' $T/trace)"
check_eq "2 timeouts traced" 2 "$(grep -c 'iofault_timeout: dev=2 ' $T/trace)"
check_eq "2 responses by the timeout, with their latency" 2 \
	"$(grep -c 'iofault_response: dev=2 .*code=invalid by=timeout latency_ns=[1-9]' $T/trace)"
check "a refused response is traced with its reason" \
	grep -q 'iofault_reject: dev=1 cookie=0x100000100fff reason=unknown err=-2' $T/trace
check "an ejection is traced" grep -q 'iofault_eject: policy=bad_verdict kind=3 code=7' $T/trace
iofaultctl detach --all >/dev/null

# A BPF program on the tracepoints.
PIN=/sys/fs/bpf/trace-test
rm -rf $PIN
check "a BPF program attaches to iofault's tracepoints" \
	bpftool prog loadall $PROGS/trace_responses.bpf.o $PIN autoattach
hw_clear vtd0
inject vtd0 "count=7 pasid=2"
settle vtd0
check_eq "it counted 7 successes and 7 verdicts" "0 7 1 0 2 0 3 7" \
	"$(./mapread trace_counts | tr '\n' ' ' | sed 's/ $//')"
rm -rf $PIN
check "unload" unload_iofault
