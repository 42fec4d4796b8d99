#!/bin/sh
# A policy decides for its own device only; detach restores the default;
# a global policy decides for devices without their own.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mock.sh"

load_iofault || { not_ok "modules load"; exit 1; }

check "attach fail_all to mock0" iofaultctl attach $BPF/fail_all.bpf.o --dev mock0
check_eq "mock0 shows its policy" "device fail_all" "$(cat /sys/class/iofault/mock0/policy)"
check_eq "mock1 keeps the built-in default" "builtin default" \
	"$(cat /sys/class/iofault/mock1/policy)"
check "iofaultctl list shows the policy" sh -c 'iofaultctl list | grep mock0 | grep -q fail_all'
check "the attachment outlives iofaultctl (pinned link)" test -e /sys/fs/bpf/iofault/dev/mock0

inject mock0 "pasid=7 grpid=1 addr=0x4000 perm=rw last priv=0x11,0x22" "count=99 pasid=7 grpid=2"
settle mock0
inject mock1 "pasid=7 grpid=1 addr=0x4000 perm=rw last" "count=99 pasid=7 grpid=2"
settle mock1
check_eq "mock0: every group answered once" 100 "$(hw mock0 responses)"
check_eq "mock0: FAIL verdict gives INVALID to the hardware" 100 "$(hw mock0 invalid)"
check "mock0: the response carries the request's private data" \
	grep -q "pasid=7 grpid=1 code=invalid priv=0x11,0x22" $MOCK/mock0/hwlog
check_eq "mock0: iofault counted the failures" 100 "$(stat mock0 failed)"
check_eq "mock1: every group answered once" 100 "$(hw mock1 responses)"
check_eq "mock1: resolved by the built-in default" 100 "$(hw mock1 success)"
check_eq "mock1: iofault counted the resolutions" 100 "$(stat mock1 resolved)"

check "detach mock0's policy" iofaultctl detach --dev mock0
check_eq "mock0 is back to the built-in default" "builtin default" \
	"$(cat /sys/class/iofault/mock0/policy)"
check "the pin is gone" test ! -e /sys/fs/bpf/iofault/dev/mock0
hw_clear mock0
inject mock0 "count=10 pasid=7"
settle mock0
check_eq "mock0: faults resolve again after detach" 10 "$(hw mock0 success)"

check "attach fail_all as the global policy" iofaultctl attach $BPF/fail_all.bpf.o --global
check_eq "the global policy is named in sysfs" fail_all "$(cat /sys/kernel/iofault/global_policy)"
check_eq "mock1 follows the global policy" "global fail_all" "$(cat /sys/class/iofault/mock1/policy)"
check "attach fail_writes to mock1" iofaultctl attach $BPF/fail_writes.bpf.o --dev mock1
hw_clear mock1
inject mock1 "count=5 perm=w" "count=5 perm=r grpid=100"
settle mock1
check_eq "mock1: every group answered once" 10 "$(hw mock1 responses)"
check_eq "mock1: writes fail by its own policy, reads by the global one" 10 \
	"$(hw mock1 invalid)"
check "detach the global policy" iofaultctl detach --global
hw_clear mock1
inject mock1 "count=5 perm=w" "count=5 perm=r grpid=100"
settle mock1
check_eq "mock1: reads now resolve by the built-in default" 5 "$(hw mock1 success)"
check_eq "mock1: writes still fail by its own policy" 5 "$(hw mock1 invalid)"

check "unload with no policy left" unload_iofault
