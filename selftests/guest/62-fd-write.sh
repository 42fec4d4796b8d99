#!/bin/sh
# A fault descriptor's write() applies responses in order up to the first
# refused one and says which (the count) and why (that one alone: its
# errno); late responses, even after their slot went to a newer group,
# are skipped and counted, never a stop.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mock.sh"
cd "$(dirname "$0")"

S=/sys/class/iofault/vtd0
# A device that may have 1024 groups outstanding (PCIe PRI's allocation):
# the mock makes that its quota, and iofault's pool of groups is 1024.
load_iofault prq_size=1024 || { not_ok "modules load"; exit 1; }
rm -f /sys/fs/bpf/lifecycle_events
check "attach a policy that forwards everything to vtd0" \
	iofaultctl attach $PROGS/lifecycle.bpf.o --dev vtd0

rm -f /tmp/go
./fdraw vtd0 batch /tmp/go >/tmp/batch &
RAW=$!
wait_for grep -qs '^open' /tmp/batch || diag "fdraw did not start"
inject vtd0 "count=3 pasid=5 grpid=1"
touch /tmp/go
wait $RAW
check "a batch stops at its first refused response: the bytes before it" \
	grep -q "^second of three refused: 24 of 72 bytes" /tmp/batch
check "that response alone: its reason's errno (EPROTO)" \
	grep -q "^that one alone: Protocol error" /tmp/batch
check "the rest is then accepted" grep -q "^the rest: ok" /tmp/batch
settle vtd0
check_eq "each group answered once, a success" "3 3" \
	"$(hw vtd0 responses) $(hw vtd0 success)" || diag "$(cat /tmp/batch)"
check_eq "both refusals counted" 2 "$(stat vtd0 rejected_wrong_pasid)"

# A group times out while its handler holds it; 1,024 newer groups (the
# whole pool) take every slot again, its own too; then its response comes.
hw_clear vtd0
echo 300 > $S/timeout_ms
rm -f /tmp/go
./fdraw vtd0 stale /tmp/go >/tmp/stale &
RAW=$!
wait_for grep -qs '^open' /tmp/stale || diag "fdraw did not start"
inject vtd0 "pasid=7 grpid=1 last"
timed_out() {
	[ "$(stat vtd0 ended_timeout)" = 1 ]
}
check "the held group times out" wait_for timed_out
# Injecting them takes seconds on a slow guest: none may time out meanwhile.
echo 60000 > $S/timeout_ms
inject vtd0 "count=512 pasid=10 grpid=0" "count=512 pasid=11 grpid=0"
check_eq "1024 newer groups outstanding" 1024 "$(stat vtd0 outstanding)" ||
	{ kill $RAW; diag "$(cat /tmp/stale)"; }
touch /tmp/go
wait $RAW
check "a stale response then a fresh one: the stale one skipped, the batch taken" \
	grep -q "^stale then fresh: ok" /tmp/stale
check "a stale response alone: skipped" grep -q "^stale alone: ok" /tmp/stale
check_eq "counted as stale, not unknown" "2 0" \
	"$(stat vtd0 rejected_stale) $(stat vtd0 rejected_unknown)" || diag "$(cat /tmp/stale)"
settle vtd0
check_eq "the fresh group got its success, closing answered the rest" "1 1023" \
	"$(hw vtd0 success) $(stat vtd0 ended_close)"

check "iofault unloads" unload_iofault
rm -f /sys/fs/bpf/lifecycle_events
