#!/bin/sh
# Each example policy in bpf/ does what its comment says.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mock.sh"
cd "$(dirname "$0")"

load_iofault || { not_ok "modules load"; exit 1; }
echo 65536 > /sys/class/iofault/vtd0/quota
echo 65536 > /sys/class/iofault/vtd1/quota

# default: the built-in default as a program
check "attach default" iofaultctl attach $BPF/default.bpf.o --dev vtd0
inject vtd0 "count=6 pasid=1"
settle vtd0
check_eq "default resolves what the device can resolve" 6 "$(hw vtd0 success)"
check_eq "as the resolver's verdict" 6 "$(stat vtd0 resolved)"
iofaultctl detach --dev vtd0 >/dev/null

# forward_pasids: a guest's PASIDs to its VMM, the rest resolved
hw_clear vtd0
check "attach forward_pasids for PASIDs 100-199" \
	iofaultctl attach $BPF/forward_pasids.bpf.o --dev vtd0 --set pasid_min=100 --set pasid_max=199
forwarded=$(stat vtd0 forwarded)
resolved=$(stat vtd0 resolved)
listen vtd0 --respond invalid --count 5
inject vtd0 "count=5 pasid=150" "count=5 pasid=7 grpid=50" "count=2 pasid=200 grpid=90"
wait $LISTENER
settle vtd0
check_eq "the guest's groups went to the VMM" 5 "$(grep -c 'pasid=150' /tmp/listen.out)"
check_eq "and were answered as it said" 5 "$(hw vtd0 invalid)"
check_eq "the others were resolved" 7 "$(hw vtd0 success)"
check_eq "iofault counts 5 more forwarded and 7 more resolved" "5 7" \
	"$(($(stat vtd0 forwarded) - forwarded)) $(($(stat vtd0 resolved) - resolved))"
iofaultctl detach --dev vtd0 >/dev/null

# fail_writes: writes in a range fail, the rest passes
hw_clear vtd0
check "attach fail_writes for [1 MiB, 2 MiB)" \
	iofaultctl attach $BPF/fail_writes.bpf.o --dev vtd0 --set range_start=0x100000 --set range_end=0x200000
inject vtd0 "count=4 perm=w addr=0x100000" "count=4 perm=w addr=0x300000 grpid=10" \
	"count=4 perm=r addr=0x100000 grpid=20"
settle vtd0
check_eq "writes in the range fail" 4 "$(hw vtd0 invalid)"
check_eq "writes outside it and reads resolve" 8 "$(hw vtd0 success)"
iofaultctl detach --dev vtd0 >/dev/null

# rate_limit: a storm from one PASID is cut, another PASID proceeds
hw_clear vtd1
check "attach rate_limit (1 group/s, bursts of 10)" \
	iofaultctl attach $BPF/rate_limit.bpf.o --dev vtd1 --set rate=1 --set burst=10
inject vtd1 "count=50 pasid=1" "count=5 pasid=2 grpid=100"
settle vtd1
limited1=$(./mapread limited | awk '$1 == 1 { print $2 }')
limited2=$(./mapread limited | awk '$1 == 2 { print $2 }')
diag "PASID 1: ${limited1:-0} of 50 groups failed; PASID 2: ${limited2:-0} of 5"
check "the storming PASID is cut down to its budget" test "${limited1:-0}" -ge 30
check_eq "the other PASID is not limited" "" "$limited2"
check_eq "every group is answered" 55 "$(hw vtd1 responses)"
iofaultctl detach --dev vtd1 >/dev/null

# observe: counts per PASID, decides nothing
hw_clear vtd0
hw_clear vtd1
check "attach observe as the global policy" iofaultctl attach $BPF/observe.bpf.o --global
inject vtd0 "count=3 pasid=5 pages=2"
inject vtd1 "count=2 pasid=6 perm=w"
settle vtd0 vtd1
check_eq "PASID 5: 3 groups, 6 requests, no write" "5 3 6 0" "$(./mapread counts | grep '^5 ')"
check_eq "PASID 6: 2 groups, 2 requests, 2 writes" "6 2 2 2" "$(./mapread counts | grep '^6 ')"
check_eq "and every group is resolved as without it" "3 2" \
	"$(hw vtd0 success) $(hw vtd1 success)"

check "unload" unload_iofault
