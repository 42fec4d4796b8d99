#!/bin/sh
# bpftool (Debian's 6.12 source with the project's patch) works with
# iofault policies, whose struct_ops type a module defines.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mock.sh"

load_iofault || { not_ok "modules load"; exit 1; }
PIN=/sys/fs/bpf/bpftool-test
rm -rf $PIN

check "it is the patched bpftool" sh -c 'bpftool version | grep -q "^bpftool v.*+iofault"'
check "bpftool struct_ops register attaches a policy" \
	sh -c "bpftool struct_ops register $BPF/fail_all.bpf.o $PIN 2>&1 | grep -qE '^Registered iofault_ops fail_all map id [0-9]+ link id [0-9]+$'"
check_eq "as the global policy (its target is empty)" fail_all \
	"$(cat /sys/kernel/iofault/global_policy)"
check "bpftool struct_ops show names the type" \
	sh -c 'bpftool struct_ops show | grep -qE "^[0-9]+: fail_all +iofault_ops"'
check "and in JSON" \
	sh -c 'bpftool -j struct_ops show name fail_all | grep -q "\"kernel_struct_ops\":\"iofault_ops\""'
check "bpftool struct_ops dump shows its fields" \
	sh -c 'bpftool struct_ops dump name fail_all | grep -q "\"name\": \"fail_all\""'
check "bpftool map dump works on it" \
	sh -c 'bpftool map dump name fail_all | grep -q "\"name\": \"fail_all\""'
inject vtd0 "count=3"
settle vtd0
check_eq "the policy decides" 3 "$(hw vtd0 invalid)"

# unregister: an iofault policy is a .struct_ops.link map, which only its
# link can detach.
no_global() {
	test -z "$(cat /sys/kernel/iofault/global_policy)"
}
check "bpftool struct_ops unregister detaches it" \
	sh -c 'bpftool struct_ops unregister name fail_all 2>&1 | grep -q "^Unregistered iofault_ops fail_all id [0-9]*: detached link id [0-9]*"'
check "the global policy is gone at once" no_global
check "its pin is left, empty" test -e $PIN/fail_all
check "it shows no more" sh -c '! bpftool struct_ops show | grep -q fail_all'
check_fail "unregister of what is gone fails" "no struct_ops|not attached|can't" \
	bpftool struct_ops unregister name fail_all
rm -rf $PIN

check "register again" bpftool struct_ops register $BPF/fail_all.bpf.o $PIN
check "removing the pinned link detaches it" rm $PIN/fail_all
check "the global policy is gone" wait_for no_global
rm -rf $PIN

bpftool struct_ops register $BPF/fail_all.bpf.o >/tmp/reg.out 2>/tmp/reg.err
check_eq "register without a pin directory succeeds" 0 $?
check "and says on stderr that the policy detaches when bpftool exits" \
	grep -q "fail_all is not pinned: it detaches when bpftool exits" /tmp/reg.err
check "which it did" wait_for no_global
check "unload" unload_iofault
