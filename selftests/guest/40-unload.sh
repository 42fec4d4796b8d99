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

# The README's promise: `iofaultctl detach --all` then `rmmod iofault` works
# at once, although the BPF core frees the policies (and their references
# on the module) after the detach: the programs of a policy that calls
# iofault's kfuncs (lifecycle) hold references until an RCU tasks grace
# period has passed.
i=0
fails=
while [ $i -lt 5 ]; do
	i=$((i + 1))
	insmod $MODDIR/iofault.ko || { not_ok "iofault loads"; exit 1; }
	iofaultctl attach $PROGS/lifecycle.bpf.o --global >/dev/null ||
		{ not_ok "attach a global policy"; exit 1; }
	iofaultctl detach --all >/dev/null || fails="$fails detach$i"
	rmmod iofault || { fails="$fails rmmod$i"; unload_iofault; }
	rm -f /sys/fs/bpf/lifecycle_events
done
check_eq "detach --all, then rmmod iofault at once, 5 times" "" "$fails"

# The same with device policies, one of them already detached by the kernel
# (its device went away: its pin is dead).
load_iofault || { not_ok "modules load"; exit 1; }
check "attach to vtd0, vtd1 and globally" sh -c \
	"iofaultctl attach $BPF/fail_all.bpf.o --dev vtd0 &&
	 iofaultctl attach $BPF/fail_writes.bpf.o --dev vtd1 &&
	 iofaultctl attach $PROGS/lifecycle.bpf.o --global"
check "unplug vtd0" sh -c "echo vtd0 > $MOCK/unplug"
check "detach --all" iofaultctl detach --all
check "rmmod iofault_mock" rmmod iofault_mock
check "rmmod iofault at once" rmmod iofault
rm -f /sys/fs/bpf/lifecycle_events
