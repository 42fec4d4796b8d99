#!/bin/sh
# The module and the mock driver load, show their devices, and unload.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mock.sh"

check "iofault.ko loads" insmod $MODDIR/iofault.ko
check "iofault has module BTF (struct_ops needs it)" test -e /sys/kernel/btf/iofault
check "no global policy at first" test -z "$(cat /sys/kernel/iofault/global_policy)"
check "mock driver loads" insmod $MODDIR/iofault_mock.ko vtd=3 smmu=0
check_eq "mock devices are listed in sysfs" "vtd0 vtd1 vtd2" \
	"$(ls /sys/class/iofault | tr '\n' ' ' | sed 's/ $//')"
check_eq "devices get distinct stable ids" "1 2 3" \
	"$(cat /sys/class/iofault/vtd0/id /sys/class/iofault/vtd1/id \
		/sys/class/iofault/vtd2/id | tr '\n' ' ' | sed 's/ $//')"
check_eq "a device names its driver" iofault_mock "$(cat /sys/class/iofault/vtd0/driver)"
check_eq "a device starts with the built-in policy" "builtin default" \
	"$(cat /sys/class/iofault/vtd1/policy)"
check "iofaultctl list shows the devices" sh -c 'iofaultctl list | grep -q "vtd2"'
check "iofault cannot unload under its driver" sh -c '! rmmod iofault 2>/dev/null'
check "mock driver unloads" rmmod iofault_mock
check "its devices are gone" test -z "$(ls /sys/class/iofault)"
check "iofault unloads" rmmod iofault
check "iofault reloads" load_iofault
check "and unloads again" unload_iofault
