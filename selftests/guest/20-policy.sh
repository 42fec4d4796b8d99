#!/bin/sh
# A policy decides for its own device only; detach restores the default;
# a global policy decides for devices without their own.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mock.sh"

load_iofault || { not_ok "modules load"; exit 1; }

check "attach fail_all to vtd0" iofaultctl attach $BPF/fail_all.bpf.o --dev vtd0
check_eq "vtd0 shows its policy" "device fail_all" "$(cat /sys/class/iofault/vtd0/policy)"
check_eq "vtd1 keeps the built-in default" "builtin default" \
	"$(cat /sys/class/iofault/vtd1/policy)"
check "iofaultctl list shows the policy" sh -c 'iofaultctl list | grep vtd0 | grep -q fail_all'
check "the attachment outlives iofaultctl (pinned link)" test -e /sys/fs/bpf/iofault/dev/vtd0

inject vtd0 "pasid=7 grpid=1 addr=0x4000 perm=rw last priv=0x11,0x22" "count=99 pasid=7 grpid=2"
settle vtd0
inject vtd1 "pasid=7 grpid=1 addr=0x4000 perm=rw last" "count=99 pasid=7 grpid=2"
settle vtd1
check_eq "vtd0: every group answered once" 100 "$(hw vtd0 responses)"
check_eq "vtd0: FAIL verdict gives INVALID to the hardware" 100 "$(hw vtd0 invalid)"
check "vtd0: the response carries the request's private data" \
	grep -q "pasid=7 grpid=1 code=invalid priv=0x11,0x22" $MOCK/vtd0/hwlog
check_eq "vtd0: iofault counted the failures" 100 "$(stat vtd0 failed)"
check_eq "vtd1: every group answered once" 100 "$(hw vtd1 responses)"
check_eq "vtd1: resolved by the built-in default" 100 "$(hw vtd1 success)"
check_eq "vtd1: iofault counted the resolutions" 100 "$(stat vtd1 resolved)"

check "detach vtd0's policy" iofaultctl detach --dev vtd0
check_eq "vtd0 is back to the built-in default" "builtin default" \
	"$(cat /sys/class/iofault/vtd0/policy)"
check "the pin is gone" test ! -e /sys/fs/bpf/iofault/dev/vtd0
hw_clear vtd0
inject vtd0 "count=10 pasid=7"
settle vtd0
check_eq "vtd0: faults resolve again after detach" 10 "$(hw vtd0 success)"

check "attach fail_all as the global policy" iofaultctl attach $BPF/fail_all.bpf.o --global
check_eq "the global policy is named in sysfs" fail_all "$(cat /sys/kernel/iofault/global_policy)"
check_eq "vtd1 follows the global policy" "global fail_all" "$(cat /sys/class/iofault/vtd1/policy)"
check "attach fail_writes to vtd1" iofaultctl attach $BPF/fail_writes.bpf.o --dev vtd1
hw_clear vtd1
inject vtd1 "count=5 perm=w" "count=5 perm=r grpid=100"
settle vtd1
check_eq "vtd1: every group answered once" 10 "$(hw vtd1 responses)"
check_eq "vtd1: writes fail by its own policy, reads by the global one" 10 \
	"$(hw vtd1 invalid)"
check "detach the global policy" iofaultctl detach --global
hw_clear vtd1
inject vtd1 "count=5 perm=w" "count=5 perm=r grpid=100"
settle vtd1
check_eq "vtd1: reads now resolve by the built-in default" 5 "$(hw vtd1 success)"
check_eq "vtd1: writes still fail by its own policy" 5 "$(hw vtd1 invalid)"

check "unload with no policy left" unload_iofault
