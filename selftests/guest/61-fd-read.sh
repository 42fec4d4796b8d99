#!/bin/sh
# A read() of a fault descriptor into a bad buffer loses no record: what
# was not copied goes back to the queue, in order.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mock.sh"
cd "$(dirname "$0")"

OUT=/tmp/badread
load_iofault || { not_ok "modules load"; exit 1; }
rm -f /sys/fs/bpf/lifecycle_events
check "attach a policy that forwards everything to vtd0" \
	iofaultctl attach $PROGS/lifecycle.bpf.o --dev vtd0

rm -f /tmp/go
./fdraw vtd0 badread /tmp/go >$OUT &
RAW=$!
wait_for grep -qs '^open' $OUT || diag "fdraw did not start"
inject vtd0 "count=6 pasid=5 grpid=1"
check_eq "6 records wait" 6 "$(stat vtd0 forwarded)"
touch /tmp/go
wait $RAW
check "a read into NULL: EFAULT" grep -q "^null: Bad address" $OUT
check "a read into an unmapped page: EFAULT" grep -q "^unmapped: Bad address" $OUT
check "a read into a read-only page: EFAULT" grep -q "^read-only: Bad address" $OUT
check "two records whose second crosses into an unmapped page: the first is read" \
	grep -q "^crossing: 1 records" $OUT
check "every record is read after all, once, in order" grep -qx "order: 1 2 3 4 5 6" $OUT
check "and answered" grep -q "^answer: ok" $OUT
settle vtd0
check_eq "the hardware got 6 successes; none waited for the close" "6 6 0" \
	"$(hw vtd0 responses) $(hw vtd0 success) $(stat vtd0 ended_close)" ||
	diag "$(cat $OUT)"

check "iofault unloads" unload_iofault
rm -f /sys/fs/bpf/lifecycle_events
