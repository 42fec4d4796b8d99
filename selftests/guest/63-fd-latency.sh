#!/bin/sh
# Report-to-answer latency is measured for every ending: groups failed by
# a verdict, answered at once (duplicate, quota), by a handler or by the
# close of its descriptor; in the tracepoint and in the histogram.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mock.sh"
cd "$(dirname "$0")"

T=/sys/kernel/tracing
load_iofault || { not_ok "modules load"; exit 1; }
rm -f /sys/fs/bpf/lifecycle_events
echo > $T/trace
echo 1 > $T/events/iofault/iofault_response/enable

check "attach a policy that fails everything to vtd0" \
	iofaultctl attach $BPF/fail_all.bpf.o --dev vtd0
inject vtd0 "count=5 pasid=1"
settle vtd0

check "attach a policy that forwards everything to vtd1" \
	iofaultctl attach $PROGS/lifecycle.bpf.o --dev vtd1
echo 1 > /sys/class/iofault/vtd1/quota
rm -f /tmp/go
./fdraw vtd1 hold /tmp/go >/tmp/hold &
RAW=$!
wait_for grep -qs '^open' /tmp/hold || diag "fdraw did not start"
inject vtd1 "pasid=2 grpid=1 last"
wait_for grep -qs '^holding' /tmp/hold || diag "fdraw got no record"
inject vtd1 "pasid=2 grpid=1 last" "pasid=2 grpid=2 last"
touch /tmp/go
wait $RAW
./fdraw vtd1 read 1 >/dev/null &
RAW=$!
sleep 0.3
inject vtd1 "pasid=2 grpid=3 last"
wait $RAW
settle vtd1
echo 0 > $T/events/iofault/iofault_response/enable

check_eq "the verdict's 5 failures: traced with their latency" 5 \
	"$(grep -c 'iofault_response: dev=1 .*by=response latency_ns=[1-9]' $T/trace)"
for by in duplicate quota response close; do
	check_eq "an answer by $by: traced with its latency" 1 \
		"$(grep -c "iofault_response: dev=2 .*by=$by latency_ns=[1-9]" $T/trace)"
done
check_eq "no answer is traced with 0 ns" 0 "$(grep -c 'latency_ns=0$' $T/trace)" ||
	diag "$(grep iofault_response $T/trace)"
for dev in vtd0:5 vtd1:4; do
	check_eq "${dev%:*}'s histogram: all ${dev#*:} answers, none at 0 ns" "${dev#*:} 0" \
		"$(awk 'NR == 1 { z = $2 } { n += $2 } END { print n, z }' \
			/sys/class/iofault/${dev%:*}/latency)"
done
echo > $T/trace

check "iofault unloads" unload_iofault
rm -f /sys/fs/bpf/lifecycle_events
