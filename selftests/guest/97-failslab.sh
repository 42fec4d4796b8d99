#!/bin/sh
# Allocation failures (failslab, confined to the test's own tasks and to
# allocations with module code on the stack) while a policy attaches and
# a fault descriptor opens: each fails cleanly or succeeds, nothing leaks
# (the harness has kmemleak scan after the suite on the debug kernel), and
# the module stays usable. Only kernels with CONFIG_FAILSLAB (the debug
# one). Module loads are not swept: on this kernel the loader's own
# allocations get failed through the filter too, and they warn.
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

check "the modules load" usable

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
