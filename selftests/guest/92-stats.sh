#!/bin/sh
# Per-device statistics and the latency histogram, in sysfs and through
# iofaultctl stats and top.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mock.sh"

load_iofault || { not_ok "modules load"; exit 1; }
S=/sys/class/iofault/vtd0
iofaultctl attach $BPF/fail_writes.bpf.o --dev vtd0 >/dev/null
inject vtd0 "count=300 pasid=1" "count=100 pasid=2 perm=w"
settle vtd0
check_eq "stats: groups, resolved, failed" "400 300 100" \
	"$(stat vtd0 groups) $(stat vtd0 resolved) $(stat vtd0 failed)"
check_eq "stats: answers by code" "300 100 0" \
	"$(stat vtd0 code_success) $(stat vtd0 code_invalid) $(stat vtd0 code_failure)"
check_eq "stats: nothing outstanding or in use" "0 0 0" \
	"$(stat vtd0 outstanding) $(stat vtd0 groups_in_use) $(stat vtd0 pages_in_use)"
check_eq "the latency histogram has 40 log2 buckets" 40 "$(wc -l < $S/latency)"
check_eq "and counts every answered group" 400 "$(awk '{ n += $2 } END { print n }' $S/latency)"
ctl vtd0 respond "cookie=0x100000100fff pasid=1 grpid=1 code=success" 2>/dev/null
check_eq "a refused response is counted by its reason" 1 "$(stat vtd0 rejected_unknown)"

check "iofaultctl stats shows the counters" \
	sh -c 'iofaultctl stats --dev vtd0 | grep -qE "^ +groups +400$"'
check "and the latency percentiles" \
	sh -c 'iofaultctl stats --dev vtd0 | grep -qE "p50 <=[0-9]+[mun]?s p90"'
check "iofaultctl stats --json has them too" \
	sh -c 'iofaultctl stats --dev vtd0 --json | grep -q "\"groups\": 400"'
# A storm longer than the frame; stopped (a fatal signal) once seen.
ctl vtd0 storm "groups=1000000 pasids=2" &
STORM=$!
storming() {
	[ "$(stat vtd0 groups)" -gt 1000 ]
}
wait_for storming
iofaultctl top --once > /tmp/top.out
kill -9 $STORM
wait $STORM
settle vtd0
check "iofaultctl top --once prints one frame with each device" \
	sh -c 'grep -q "^DEVICE .*REPORT/s" /tmp/top.out && grep -q "^vtd0 " /tmp/top.out && grep -q "^smmu0 " /tmp/top.out'
check "with vtd0's rate during the storm" \
	sh -c 'awk "\$1 == \"vtd0\" { exit !(\$2 > 0) }" /tmp/top.out'
check "unload" unload_iofault
