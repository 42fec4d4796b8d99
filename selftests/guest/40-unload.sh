#!/bin/sh
# Policies attached when their device or the module goes away.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mock.sh"

load_iofault || { not_ok "modules load"; exit 1; }

check "attach to vtd0" iofaultctl attach $BPF/fail_all.bpf.o --dev vtd0
check "attach a global policy" iofaultctl attach $BPF/fail_writes.bpf.o --global
check "the mock driver unloads with a policy on its device" rmmod iofault_mock
check "the kernel says why the policy stopped" \
	sh -c 'dmesg | grep -q "policy fail_all stopped: device_removed: device vtd0 removed"'
check "iofault refuses to unload while policies are loaded" \
	sh -c '! rmmod iofault 2>/dev/null'
check "the mock driver loads again" insmod $MODDIR/iofault_mock.ko
check_eq "the new vtd0 does not inherit the dead policy" "global fail_writes" \
	"$(cat /sys/class/iofault/vtd0/policy)"
check "a new policy replaces the dead pin" iofaultctl attach $BPF/fail_all.bpf.o --dev vtd0
check "detach --all" iofaultctl detach --all
check_eq "no pins are left" "" "$(find /sys/fs/bpf/iofault -type f 2>/dev/null)"
check "both modules unload" unload_iofault
check "no module reference is left behind" test ! -e /sys/module/iofault
