#!/bin/sh
# Boot the test guest under QEMU and run one job in it:
#   sh tools/vm/run.sh check|demo|bench [KERNEL_ARG...]
# Needs BUILD and VMLINUZ (make exports both); KMOD names the modules built
# for that kernel (see mkinitramfs.sh). IOFAULT_VM_TIMEOUT overrides the
# time limit in seconds (check: 1500, demo and bench: 1200).
#
# The console streams to stdout as it comes (without the kernel log the
# guest dumps at the end, and what follows the final marker, i.e. the
# power-off) and is saved whole in $BUILD/guest/console-NAME.log;
# the dumped kernel log goes to $BUILD/guest/kernel-NAME.log. NAME is the
# mode, or IOFAULT_RUN when set (check.sh keeps each kernel's logs apart).
# Then two unnumbered TAP lines give the verdict of the run:
#   ok - guest run finished     the guest reached its final marker
#   ok - kernel log clean       no warning, oops, lockup, sanitizer report...
# each followed by `# ` lines saying what went wrong when it is `not ok`.
# Exit status: 0 when both are ok and the job itself exited with 0.
set -eu

die() { echo "run.sh: error: $*" >&2; exit 1; }

: "${BUILD:?BUILD is not set (make exports it)}"
: "${VMLINUZ:?VMLINUZ is not set (make exports it from build/deps/env.mk)}"
mode=${1-}
case $mode in
check) timeout=${IOFAULT_VM_TIMEOUT:-1500} ;;
demo | bench) timeout=${IOFAULT_VM_TIMEOUT:-1200} ;;
*) die "usage: $0 check|demo|bench [KERNEL_ARG...]" ;;
esac
shift
[ -f "$VMLINUZ" ] || die "no kernel image at $VMLINUZ (run: make deps)"

top=$(cd "$(dirname "$0")/../.." && pwd)
guest=$BUILD/guest
name=${IOFAULT_RUN:-$mode}
console=$guest/console-$name.log
klog=$guest/kernel-$name.log
problems=$guest/problems-$name.log
mon=$guest/monitor-$mode
pidfile=$guest/qemu-$mode.pid
rcfile=$guest/qemu-$mode.rc
timedout=$guest/timedout-$mode

# Lines printed by tools/vm/init: keep in sync.
KLOG_BEGIN='==== iofault-guest: kernel log begin ===='
KLOG_END='==== iofault-guest: kernel log end ===='
FINISHED='==== iofault-guest: finished, exit status'

# What must never appear in the kernel log. Leaks are matched by kmemleak's
# report ("N new suspected memory leaks", "unreferenced object ...") rather
# than by the word kmemleak, which its boot banner holds too.
PROBLEMS='WARNING:|BUG:|Oops|Call Trace|soft lockup|hard LOCKUP|rcu.*stall'
PROBLEMS="$PROBLEMS|general protection|KASAN|UBSAN|circular locking"
PROBLEMS="$PROBLEMS|inconsistent lock state|sleeping function called from invalid context"
PROBLEMS="$PROBLEMS|suspected memory leak|unreferenced object|list_add corruption"
PROBLEMS="$PROBLEMS|list_del corruption|refcount_t:|Kernel panic|blocked for more than"

# The kernel command line, beyond the console and the job:
#   quiet, and /init lowers the level further: only the job's output and
#     emergencies reach the console; the whole log is dumped at the end.
#   log_buf_len: the log must hold the whole run until that dump.
#   oops=panic, softlockup_panic, hung_task_panic: a broken kernel ends the
#     run at once instead of leaving the next tests to hang on it.
#   unknown_nmi_panic: the watchdog below sends an NMI when the time is up,
#     so even a wedged guest ends in a panic that shows the log.
#   panic_print=0x60: on panic, print the whole log again (0x20: the console
#     showed only emergencies) and every CPU's backtrace (0x40).
#   panic=-1 with QEMU's -no-reboot: a panic ends QEMU at once.
#   no_timer_check: the boot-time check of the IO-APIC timer trusts wall
#     time, which an emulated CPU on a busy host does not keep; it then
#     complains ("MP-BIOS bug") or, at worst, panics.
cmdline="console=ttyS0 quiet panic=-1 iofault.mode=$mode log_buf_len=8M"
cmdline="$cmdline oops=panic softlockup_panic=1 hung_task_panic=1"
cmdline="$cmdline unknown_nmi_panic panic_print=0x60 no_timer_check $*"

# One run per mode at a time in a build tree (they share the files below):
# a second one waits.
mkdir -p "$guest"
exec 8>"$guest/$mode.lock"
if ! flock -n 8; then
	echo "run.sh: waiting for the other $mode run in $BUILD to end" >&2
	flock 8
fi

sh "$top/tools/vm/mkinitramfs.sh" "$mode"

rm -f "$console" "$klog" "$pidfile" "$rcfile" "$timedout" "$mon.in" "$mon.out"
mkfifo "$mon.in"
: >"$mon.out"

# Past the time limit: NMI (the guest panics and prints its log), and if
# QEMU is still there a minute later, stop it. Ends when QEMU does.
watchdog() {
	s=0 pid=
	while [ $s -le $((timeout + 60)) ] && sleep 1; do
		s=$((s + 1))
		[ -n "$pid" ] || pid=$(cat "$pidfile" 2>/dev/null) || continue
		kill -0 "$pid" 2>/dev/null || return 0
		if [ $s -eq "$timeout" ]; then
			: >"$timedout"
			echo nmi >"$mon.in"
		fi
		[ $s -lt $((timeout + 60)) ] || kill "$pid"
	done
}
watchdog >/dev/null 2>&1 &
watchdog_pid=$!

echo "run.sh: booting $VMLINUZ (iofault.mode=$mode, time limit $timeout s)"
# thread=single: with thread=multi, QEMU 7.2 can let one vCPU run stale
# code while the other patches kernel text (static keys, tracepoints); the
# guest then dies in "Oops: int3" (measured: 2 boots in 80, and 6 runs in 7
# that toggle tracepoints in a loop; with thread=single, none in 40 boots
# and 5 such runs). Both vCPUs still exist, interleaved on one host thread.
# No stdin (CI has none, and QEMU must leave a terminal alone); -nodefaults:
# no network, VGA or disks, only the serial console and the monitor, which
# takes commands from the fifo $mon.in.
{
	qemu-system-x86_64 -accel tcg,thread=single -cpu max -m 1G -smp 2 \
		-no-reboot -nodefaults -no-user-config -display none \
		-serial stdio -monitor pipe:"$mon" -pidfile "$pidfile" \
		-kernel "$VMLINUZ" -initrd "$guest/initrd-$mode.img" \
		-append "$cmdline" </dev/null
	echo $? >"$rcfile"
} | awk -v console="$console" -v klog="$klog" -v begin="$KLOG_BEGIN" \
	-v end="$KLOG_END" -v fin="$FINISHED" '
	{ gsub(/\r/, ""); print >console; fflush(console) }
	$0 == begin { dumping = 1; next }
	$0 == end { dumping = 0; next }
	dumping { print >klog; next }
	index($0, fin) == 1 { finished = 1 }
	!finished { print; fflush() }'
kill "$watchdog_pid" 2>/dev/null || :

# --- verdict ----------------------------------------------------------------
# show FILE: the lines of FILE as TAP diagnostics, at most 40 of them.
show() {
	awk -v file="$1" 'NR <= 40 { print "# " $0 }
		END { if (NR > 40) print "# ... " NR - 40 " more lines in " file }' "$1"
}

failed=0
status=$(sed -n "s/^$FINISHED \([0-9]*\) ====\$/\1/p" "$console")
if [ -n "$status" ]; then
	echo "ok - guest run finished"
else
	failed=1
	echo "not ok - guest run finished"
	if [ -e "$timedout" ]; then
		echo "# no result after $timeout s: sent the guest an NMI to get its log"
	else
		echo "# QEMU exited with status $(cat "$rcfile") before the guest finished"
	fi
	echo "# console: $console"
	# No dump: the kernel log is what a panic printed again from its
	# start (panic_print), or else whatever reached the console.
	awk '/\] Linux version / { n = 0 } { line[++n] = $0 }
		END { for (i = 1; i <= n; i++) print line[i] }' "$console" >"$klog"
fi

# Each offending line says which test script was running: run-tests.sh
# writes "iofault-tests: running NAME" to the kernel log before each.
# What the guest kernel reports about its own boot, before /init runs and
# before any of iofault exists, is shown but is not iofault's to fail
# (the debug kernel under TCG rarely trips KASAN on an early interrupt).
# A log that does not start with the boot (a flood of reports wrapped the
# ring buffer) has lost that line: everything in it counts.
touch "$klog"
awk -v re="$PROBLEMS" -v boot="$problems.boot" '
	/\] Linux version / { booting = 1 }
	/ Run \/init as init process/ { started = 1 }
	/ iofault-tests: running / { during = "(in " $NF ") " }
	$0 ~ re { if (started || !booting) print during $0; else print $0 >boot }' \
	"$klog" >"$problems"
if [ -s "$problems.boot" ]; then
	echo "# the guest kernel reported problems while booting, before /init:"
	show "$problems.boot"
fi
rm -f "$problems.boot"
if [ -s "$problems" ]; then
	failed=1
	echo "not ok - kernel log clean"
	show "$problems"
	echo "# kernel log: $klog"
else
	echo "ok - kernel log clean"
fi

if [ -n "$status" ] && [ "$status" != 0 ]; then
	failed=1
	echo "# the guest's $mode job exited with status $status"
fi
exit $failed
