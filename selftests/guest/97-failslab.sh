#!/bin/sh
# Allocation failures (failslab, confined to the test's own task and to
# allocations with module code on the stack) while iofault loads, the mock
# registers its devices, a policy attaches and a fault descriptor opens:
# each fails cleanly or succeeds, nothing leaks (the harness has kmemleak
# scan after the suite on the debug kernel), and the module stays usable.
# Only kernels with CONFIG_FAILSLAB (the debug one).
#
# Loads are swept with the failload helper, which calls finit_module(2)
# itself: busybox's insmod retries a failed finit_module with
# init_module, and that second load, the task's fail-nth spent, hides the
# injected failure.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mock.sh"

F=/sys/kernel/debug/failslab
if [ ! -d $F ]; then
	skip "allocation failure injection" "this kernel has no failslab"
	exit 0
fi
# Fail only allocations made with module code on the stack: iofault's
# own call sites (and the mock's, and BPF programs'), never the module
# loader's or the BPF core's on their own.
echo 0x$(awk '$3 == "_etext" { print $1 }' /proc/kallsyms) > $F/require-start
echo 0xffffffffff000000 > $F/require-end
echo 32 > $F/stacktrace-depth
echo 0 > $F/verbose
echo N > $F/ignore-gfp-wait
# kmemleak records each allocation in an object of its own, allocated
# from its hook (__create_object) with the caller still on the stack: an
# eligible allocation too, one after each of the module's. Its failure
# changes nothing (kmemleak falls back to its reserve pool), so it would
# only double every sweep: reject those. Kept when the symbol is not there
# (another kernel): the sweeps are then longer, not wrong.
kmemleak=$(awk '$2 ~ /^[tT]$/ { print $1, $3 }' /proc/kallsyms | sort |
	awk '$2 == "__create_object" { found = 1; start = $1; next }
		found { print start, $1; exit }')
if [ -n "$kmemleak" ]; then
	echo 0x${kmemleak% *} > $F/reject-start
	echo 0x${kmemleak#* } > $F/reject-end
	diag "kmemleak's own allocations rejected (0x${kmemleak% *}-0x${kmemleak#* })"
fi

# failing N CMD...: run CMD in a task whose Nth allocation from such a
# call site fails; prints CMD's exit status
failing() {
	_n=$1
	shift
	sh -c 'echo $0 > /proc/self/fail-nth; exec "$@"' "$_n" "$@" >/dev/null 2>&1
	echo $?
}

# Each operation, with its 1st, 2nd, ... 12th allocation failing.
NTHS="1 2 3 4 5 6 7 8 9 10 11 12"

# usable: load what is missing, then a fault is resolved end to end
usable() {
	[ -d /sys/module/iofault ] || insmod $MODDIR/iofault.ko || return 1
	[ -d /sys/module/iofault_mock ] || insmod $MODDIR/iofault_mock.ko || return 1
	hw_clear vtd0
	inject vtd0 "pasid=1 last" && settle vtd0 && [ "$(hw vtd0 success)" = 1 ]
}

# sweep_load MODULE.ko CLEAN [PARAM...]: load the module with its 1st,
# 2nd, ... eligible allocation failing, until a load that makes fewer
# eligible allocations than that: every allocation site the load reaches
# (in this task) has failed once. A load fails with ENOMEM, or EINVAL
# (platform_device_add() ignores a failed dev_set_name(), and device_add()
# then refuses the nameless device with EINVAL); after each failed load
# CLEAN must hold (nothing of it left); a successful one is unloaded
# again. Sets sites (how many there were), failed (how many loads failed)
# and bad (what went wrong, empty when all went well).
sweep_load() {
	_ko=$1
	_clean=$2
	_mod=$(basename "$_ko" .ko)
	shift 2
	sites=0 failed=0 bad=
	while :; do
		_n=$((sites + 1))
		_r=$(failload $_n "$_ko" "$@") || { bad="$bad failload: $_r"; return; }
		_errno=${_r% *}
		_left=${_r#* }
		if [ "$_errno" = 0 ]; then
			rmmod "$_mod" || bad="$bad $_n: no rmmod after the load;"
		elif [ "$_errno" = 12 ] || [ "$_errno" = 22 ]; then
			failed=$((failed + 1))
			$_clean || bad="$bad $_n: left something behind;"
		else
			bad="$bad $_n: errno $_errno;"
		fi
		# The load made fewer than _n eligible allocations: done.
		[ "$_left" = 0 ] || return 0
		sites=$_n
		if [ $sites -ge 3000 ]; then
			bad="$bad no end after $sites allocations;"
			return
		fi
	done
}

# Nothing of iofault is left: its module, class, control device, sysfs
# directory and BTF.
iofault_gone() {
	for _p in /sys/module/iofault /sys/class/iofault /dev/iofault \
		/sys/kernel/iofault /sys/kernel/btf/iofault; do
		[ ! -e $_p ] || { echo "$_p is there"; return 1; }
	done
}

# Nothing of the mock is left: no iofault device, debugfs directory or
# platform device; and iofault itself counts no device.
mock_gone() {
	for _p in /sys/module/iofault_mock $MOCK \
		/sys/bus/platform/devices/iofault_mock; do
		[ ! -e $_p ] || { echo "$_p is there"; return 1; }
	done
	[ -z "$(ls /sys/class/iofault)" ] || { ls /sys/class/iofault; return 1; }
	no_objects_left
}

check "iofault is not loaded yet" iofault_gone || exit 1
sweep_load $MODDIR/iofault.ko iofault_gone
diag "module load: $sites allocation sites, $failed loads failed"
check_eq "failed loads failed cleanly" "" "$bad"
check "failures were injected into loads" test $failed -gt 0
check "after failed loads the modules load and work" usable

rmmod iofault_mock
sweep_load $MODDIR/iofault_mock.ko mock_gone
diag "device registration: $sites allocation sites, $failed loads failed"
check_eq "failed registrations failed cleanly" "" "$bad"
check "failures were injected into registrations" test $failed -gt 0
check "after failed registrations devices register and work" usable

# Unplug, then plug again, with an allocation failing in each: the unplug
# succeeds, the plug fails cleanly (nothing of the device left) or works.
plugged_or_gone() {
	if [ "$1" = 0 ]; then
		[ -d $MOCK/vtd1 ] && [ -d /sys/class/iofault/vtd1 ]
	else
		[ ! -e $MOCK/vtd1 ] && [ ! -e /sys/class/iofault/vtd1 ]
	fi
}
failed=0 bad=
for nth in $NTHS; do
	[ "$(failing $nth sh -c "echo vtd1 > $MOCK/unplug")" = 0 ] ||
		bad="$bad $nth: unplug failed;"
	_rc=$(failing $nth sh -c "echo vtd1 > $MOCK/plug")
	[ "$_rc" = 0 ] || failed=$((failed + 1))
	plugged_or_gone "$_rc" || bad="$bad $nth: plug left a half device;"
	[ -d $MOCK/vtd1 ] || echo vtd1 > $MOCK/plug || bad="$bad $nth: no plug after;"
done
diag "unplug and plug: $failed plugs failed"
check_eq "unplugs succeed, plugs fail cleanly" "" "$bad"
check "failures were injected into plugs" test $failed -gt 0
plugged_works() {
	hw_clear vtd1
	inject vtd1 "pasid=1 last" && settle vtd1 && [ "$(hw vtd1 success)" = 1 ]
}
check "after failed plugs the device plugs and works" plugged_works

failed=0
for nth in $NTHS; do
	if [ "$(failing $nth iofaultctl attach $BPF/fail_all.bpf.o --dev vtd0)" = 0 ]; then
		iofaultctl detach --dev vtd0 >/dev/null
	else
		failed=$((failed + 1))
	fi
	iofaultctl detach --dev vtd0 >/dev/null 2>&1
done
diag "policy attach: $failed failed"
check "failures were injected into attaches" test $failed -gt 0
check "after failed attaches a policy attaches" iofaultctl attach $BPF/fail_all.bpf.o --dev vtd0
decides() {
	hw_clear vtd0
	inject vtd0 "pasid=1 last" && settle vtd0 && [ "$(hw vtd0 invalid)" = 1 ]
}
check "and decides" decides
iofaultctl detach --dev vtd0 >/dev/null

failed=0
for nth in $NTHS; do
	[ "$(failing $nth iofaultctl listen --dev vtd1 --respond none --timeout-ms 1)" = 0 ] ||
		failed=$((failed + 1))
done
diag "fault descriptor open: $failed failed"
check "failures were injected into opens" test $failed -gt 0
handler_answers() {
	iofaultctl attach $BPF/forward_pasids.bpf.o --dev vtd1 \
		--set pasid_min=1 --set pasid_max=1 >/dev/null &&
		listen vtd1 --count 1 && inject vtd1 "pasid=1 last" && wait $LISTENER
}
check "after failed opens a handler opens and answers" handler_answers
iofaultctl detach --all >/dev/null
check "the mock driver unloads" rmmod iofault_mock
check "no device or policy object is left" no_objects_left
check "iofault unloads" unload_iofault
