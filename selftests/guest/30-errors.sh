#!/bin/sh
# Every mistake a user can make gets a clear error and changes nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mock.sh"

load_iofault || { not_ok "modules load"; exit 1; }

check_fail "attach to a missing device: ENODEV" "No such device" \
	iofaultctl attach $BPF/fail_all.bpf.o --dev nosuchdev
check "nothing is pinned for it" test ! -e /sys/fs/bpf/iofault/dev/nosuchdev

check "attach to vtd0" iofaultctl attach $BPF/fail_all.bpf.o --dev vtd0
check_fail "a second attach to vtd0: EBUSY" "Device or resource busy" \
	iofaultctl attach $BPF/fail_writes.bpf.o --dev vtd0
check_eq "vtd0 keeps its first policy" "device fail_all" "$(cat /sys/class/iofault/vtd0/policy)"

check_fail "an unprivileged caller: EPERM" "Operation not permitted" \
	./runas 65534 iofaultctl attach $BPF/fail_all.bpf.o --dev vtd1
check_fail "an unprivileged detach: EPERM" "Operation not permitted|Permission denied" \
	./runas 65534 iofaultctl detach --dev vtd0
check_eq "vtd0 keeps its policy" "device fail_all" "$(cat /sys/class/iofault/vtd0/policy)"
check_eq "vtd1 got none" "builtin default" "$(cat /sys/class/iofault/vtd1/policy)"

check_fail "an object without an iofault_ops map is refused" "no iofault_ops" \
	iofaultctl attach $PROGS/not_a_policy.bpf.o --dev vtd1
check_fail "the verifier rejects a policy that writes the fault" \
	"only read is supported|rejected|Permission denied" \
	iofaultctl attach $PROGS/bad_write_ctx.bpf.o --dev vtd1
check_eq "vtd1 still has no policy" "builtin default" "$(cat /sys/class/iofault/vtd1/policy)"
check_fail "detach where nothing is attached" "no policy attached" \
	iofaultctl detach --dev vtd1
check_fail "a bad inject line is refused" "Invalid argument" \
	sh -c "echo 'pasid=x last' > $MOCK/vtd1/inject"

inject vtd0 "count=3"
settle vtd0
inject vtd1 "count=3"
settle vtd1
check_eq "after all that, vtd0's policy still decides" 3 "$(hw vtd0 invalid)"
check_eq "and vtd1 still resolves" 3 "$(hw vtd1 success)"

check "unload" unload_iofault
