#!/bin/sh
# A policy registered without a link (a SEC(".struct_ops") map, with
# bpftool struct_ops register): unregister detaches it; ejection and the
# removal of its device stop it without a link and run its exit once; it
# stays registered, stopped, until unregistered, and then nothing is left.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mock.sh"
cd "$(dirname "$0")"

EV=/sys/fs/bpf/linkless_events
# ev N: what the linkless policy recorded at index N (see linkless.bpf.c):
# 0 init, 1 exit, 2 exit kind, 3 exit code, 4 faults
ev() {
	./mapread $EV | awk -v k="$1" '$1 == k { print $2 }'
}
policy_is() {
	[ "$(cat /sys/class/iofault/$1/policy)" = "$2" ]
}
objects() {
	tr '\n' ' ' < /sys/kernel/iofault/objects
}
# objects_are OBJECTS: iofault's live objects become OBJECTS (a policy is
# freed after a grace period)
objects_are() {
	wait_for test "$(objects)" = "$1" || { echo "objects: $(objects)"; return 1; }
}
register() {
	bpftool struct_ops register $PROGS/linkless.bpf.o 2>&1
}
unregister() {
	bpftool struct_ops unregister name linkless
}

load_iofault || { not_ok "modules load"; exit 1; }
rm -f $EV
BASE=$(objects)
ID=$(cat /sys/class/iofault/vtd0/id)

# Register and unregister.
check "bpftool registers a link-less policy" \
	sh -c "bpftool struct_ops register $PROGS/linkless.bpf.o 2>&1 | grep -qE '^Registered iofault_ops linkless (map )?id [0-9]+$'"
check "it decides for vtd0" policy_is vtd0 "device linkless"
check_eq "its init ran once" 1 "$(ev 0)"
inject vtd0 "count=3 pasid=1"
settle vtd0
check_eq "it failed vtd0's groups" 3 "$(hw vtd0 invalid)"
check "bpftool unregisters it" unregister
check "vtd0 is back to the built-in default" policy_is vtd0 "builtin default"
check_eq "its exit ran once: detached" "1 1" "$(ev 1) $(ev 2)"
check "sysfs says why it stopped" grep -q "^detached 0 linkless: detached" \
	/sys/class/iofault/vtd0/last_exit
check "nothing is left of it" objects_are "$BASE"

# Ejection: no link to detach; it stays registered, stopped.
rm -f $EV
check "register it again" register
hw_clear vtd0
inject vtd0 "pasid=7 last"
settle vtd0
check "an invalid verdict ejects it" wait_for policy_is vtd0 "builtin default"
check_eq "its group was still answered" 1 "$(hw vtd0 success)"
check "its exit ran, saying why" wait_for test "$(ev 1) $(ev 2) $(ev 3)" = "1 3 7"
check "sysfs says why it stopped" grep -q "^ejected_invalid_verdict 7 linkless: returned verdict 7" \
	/sys/class/iofault/vtd0/last_exit
check "the kernel log names the device" \
	sh -c "dmesg | grep -q 'policy linkless ejected by a fault of vtd0 (id $ID): returned verdict 7'"
check "it is still registered" sh -c 'bpftool struct_ops show name linkless | grep -q linkless'
check "and still counted" test "$(objects)" != "$BASE"
check "another policy can take vtd0 meanwhile" iofaultctl attach $BPF/fail_all.bpf.o --dev vtd0
check "and leave" iofaultctl detach --dev vtd0
check "bpftool unregisters the ejected policy" unregister
check_eq "its exit did not run again" 1 "$(ev 1)"
check "nothing is left of it" objects_are "$BASE"

# Unregistering at once after the ejection: exit still runs exactly once.
rm -f $EV
check "register it again" register
inject vtd0 "pasid=7 last"
check "unregister it right after its ejection" unregister
check_eq "its exit ran once" 1 "$(ev 1)"
check "nothing is left of it" objects_are "$BASE"

# Removal of its device.
rm -f $EV
check "register it again" register
echo vtd0 > $MOCK/unplug
check "vtd0 is gone" test ! -e /sys/class/iofault/vtd0
check "its exit ran, saying why" wait_for test "$(ev 1) $(ev 2)" = "1 5"
check "it is still registered" sh -c 'bpftool struct_ops show name linkless | grep -q linkless'
check "bpftool unregisters it" unregister
check_eq "its exit did not run again" 1 "$(ev 1)"
check "only vtd0 went" objects_are "$(echo "$BASE" | awk '{ print $1, $2 - 1, $3, $4 }') "
check_fail "registering it for a device that is gone fails" "No such device|ENODEV" register
check "and leaves nothing" objects_are "$(echo "$BASE" | awk '{ print $1, $2 - 1, $3, $4 }') "

rm -f $EV
check "iofault unloads" unload_iofault
