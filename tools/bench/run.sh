#!/bin/sh
# make bench: run the benchmarks and publish them as BENCHMARKS.md and
# docs/bench.png (sh tools/bench/run.sh, from the Makefile, which builds
# everything first and exports BUILD, VMLINUZ and KREL).
#
#  1. the guest: tools/vm/run.sh bench boots the QEMU guest, which runs
#     tools/vm/bench-guest.sh; its console ($BUILD/guest/console-bench.log)
#     carries one "BENCH ..." line per measurement;
#  2. the host: callgrind counts the tracker's instructions per
#     report+response pair ($BUILD/bench/tracker_cost, tools/bench/
#     tracker_cost.c), at each number of outstanding groups;
#  3. tools/bench/report.awk turns both into the report and the plot's data
#     (tools/bench/core.awk the part behind the IOMMU core),
#     tools/bench/plot.gp draws the plot.
#
# Knobs (environment): IOFAULT_BENCH_ROUNDS (policy rounds, default 25),
# IOFAULT_BENCH_SCALE_ROUNDS (default 25), IOFAULT_BENCH_GROUPS (groups a
# storm, default 4000), IOFAULT_BENCH_REPS (callgrind repetitions, 5),
# IOFAULT_BENCH_CORE_ROUNDS (rounds behind the IOMMU core, default 11),
# IOFAULT_BENCH_OUT (where BENCHMARKS.md goes, default the top of the tree;
# the plot goes to docs/bench.png next to it).
# Nothing here is a test: no figure fails the run. It fails only when a
# measurement could not be taken (the guest run failed, an error line).
#
# `sh tools/bench/run.sh --report` writes the report again from the last
# run's measurements (the console log, $BUILD/bench/tracker.txt and
# $BUILD/bench/facts.env) without measuring anything.
set -eu

die() { echo "bench: error: $*" >&2; exit 1; }
say() { echo "bench: $*"; }
# quote STRING: STRING in single quotes, for the shell to read back
quote() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }

: "${BUILD:?BUILD is not set (make exports it)}"
: "${VMLINUZ:?VMLINUZ is not set (make exports it)}"
top=$(cd "$(dirname "$0")/../.." && pwd)
bench=$BUILD/bench
rounds=${IOFAULT_BENCH_ROUNDS:-25}
scale_rounds=${IOFAULT_BENCH_SCALE_ROUNDS:-25}
groups=${IOFAULT_BENCH_GROUPS:-4000}
reps=${IOFAULT_BENCH_REPS:-5}
core_rounds=${IOFAULT_BENCH_CORE_ROUNDS:-11}
outdir=${IOFAULT_BENCH_OUT:-$top}
console=$BUILD/guest/console-bench.log
# The tracker's instruction count, at these numbers of outstanding groups.
TRACKER_STEPS="1 16 256 4096 65536"
# And with this many incomplete groups held (one outstanding group).
TRACKER_PARTIALS=65536
PAIRS_LO=1000
PAIRS_HI=11000

command -v valgrind >/dev/null ||
	die "valgrind is not installed (apt-get install valgrind): it counts the tracker's instructions"
command -v gnuplot >/dev/null ||
	die "gnuplot is not installed (make deps installs gnuplot-nox)"
[ -x "$bench/tracker_cost" ] || die "$bench/tracker_cost is not built (make bench builds it)"

report_only=
[ "${1-}" = --report ] && report_only=1

start=$(date +%s)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
if [ -n "$report_only" ]; then
	[ -f "$bench/facts.env" ] || die "no measurements in $bench (run make bench)"
else

# --- 1. the guest ------------------------------------------------------------
say "guest: $rounds policy rounds, $scale_rounds scale rounds, $groups groups a storm"
guest_start=$(date +%s)
IOFAULT_VM_TIMEOUT=${IOFAULT_VM_TIMEOUT:-1500} sh "$top/tools/vm/run.sh" bench \
	iofault.rounds="$rounds" iofault.scale_rounds="$scale_rounds" \
	iofault.groups="$groups" iofault.core_rounds="$core_rounds" ||
	die "the guest run failed: see $console and $BUILD/guest/kernel-bench.log"
guest_secs=$(($(date +%s) - guest_start))
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
if grep -q '^BENCH error' "$console"; then
	grep '^BENCH error' "$console" >&2
	die "the guest could not take every measurement"
fi

# --- 2. the tracker's instructions on the host -----------------------------------
# count OUTSTANDING PAIRS [PARTIALS]: "Ir D1 LL", the instructions and the simulated
# first-level and last-level data cache misses (reads and writes) that
# callgrind collected inside the tracker's report, cookie and respond
# functions (less the answer callback)
count() {
	valgrind --tool=callgrind --cache-sim=yes \
		--callgrind-out-file="$bench/callgrind.out" --collect-atstart=no \
		--toggle-collect=iofault_tracker_report \
		--toggle-collect=iofault_group_cookie \
		--toggle-collect=iofault_tracker_respond \
		--toggle-collect=bench_answer \
		"$bench/tracker_cost" "$@" >"$bench/callgrind.log" 2>&1 ||
		die "tracker_cost $* failed under valgrind: see $bench/callgrind.log"
	awk '$1 == "events:" { for (i = 2; i <= NF; i++) ev[$i] = i }
	$1 == "totals:" {
		for (e in ev) v[e] = $(ev[e]) + 0
		print v["Ir"], v["D1mr"] + v["D1mw"], v["DLmr"] + v["DLmw"]
	}' "$bench/callgrind.out"
}
say "host: callgrind, the tracker at $TRACKER_STEPS outstanding groups, $reps times"
host_start=$(date +%s)
: >"$bench/tracker.txt"
for k in $TRACKER_STEPS; do
	rep=1
	while [ $rep -le "$reps" ]; do
		set -- $(count "$k" $PAIRS_LO) $(count "$k" $PAIRS_HI)
		[ $# = 6 ] || die "no callgrind totals for $k outstanding"
		# TRACKER OUTSTANDING REP IR_LO IR_HI PAIRS D1_LO D1_HI LL_LO LL_HI
		echo "TRACKER $k $rep $1 $4 $((PAIRS_HI - PAIRS_LO)) $2 $5 $3 $6" \
			>>"$bench/tracker.txt"
		rep=$((rep + 1))
	done
done
say "host: callgrind, the tracker with $TRACKER_PARTIALS partial requests held, $reps times"
rep=1
while [ $rep -le "$reps" ]; do
	set -- $(count 1 $PAIRS_LO $TRACKER_PARTIALS) \
		$(count 1 $PAIRS_HI $TRACKER_PARTIALS)
	[ $# = 6 ] || die "no callgrind totals for $TRACKER_PARTIALS partial requests"
	# TRACKER_PARTIAL PARTIALS REP IR_LO IR_HI PAIRS D1_LO D1_HI LL_LO LL_HI
	echo "TRACKER_PARTIAL $TRACKER_PARTIALS $rep $1 $4 $((PAIRS_HI - PAIRS_LO)) $2 $5 $3 $6" \
		>>"$bench/tracker.txt"
	rep=$((rep + 1))
done
rm -f "$bench/callgrind.out" "$bench/callgrind.log"
host_secs=$(($(date +%s) - host_start))

# --- the facts of the run, kept for --report ----------------------------------------
qemu_version=$(qemu-system-x86_64 --version | head -n1)
qemu_args=$(sed -n 's/^[[:space:]]*qemu-system-x86_64 \(-accel [^ ]*\) \(-cpu [^ ]*\) \(-m [^ ]*\) \(-smp [^ ]*\).*/\1 \2 \3 \4/p' \
	"$top/tools/vm/run.sh" | head -n1)
cpu_model=$(lscpu | sed -n 's/^Model name: *//p' | head -n1)
commit=$(cd "$top" && git rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(cd "$top" && git status --porcelain --untracked-files=no 2>/dev/null |
	awk '{ printf "%s%s", n++ ? ", " : "", $2 }')
total_secs=$(($(date +%s) - start))
{
	for v in guest_secs host_secs total_secs; do
		eval "echo $v=\$$v"
	done
	for v in load_before load_after qemu_version qemu_args cpu_model commit dirty; do
		eval "printf '%s=%s\\n' $v \"\$(quote \"\$$v\")\""
	done
	echo "date=$(quote "$(date -u '+%Y-%m-%d %H:%M UTC')")"
} >"$bench/facts.env"
fi

# --- 3. the report ---------------------------------------------------------------
. "$bench/facts.env"
mkdir -p "$outdir/docs"
awk -f "$top/tools/bench/stats.awk" -f "$top/tools/bench/report.awk" \
	-v datadir="$bench" \
	-v date="$date" \
	-v commit="$commit" -v dirty="$dirty" \
	-v host_nproc="$(nproc)" -v host_cpu="$cpu_model" \
	-v host_kernel="$(uname -r)" -v qemu="$qemu_version" -v qemu_args="$qemu_args" \
	-v valgrind="$(valgrind --version)" -v gcc="$(${CC:-cc} --version | head -n1)" \
	-v gnuplot="$(gnuplot --version)" \
	-v load_before="$load_before" -v load_after="$load_after" \
	-v guest_secs="$guest_secs" -v host_secs="$host_secs" \
	-v total_secs="$total_secs" \
	"$console" "$bench/tracker.txt" >"$bench/BENCHMARKS.md.tmp"
awk -f "$top/tools/bench/stats.awk" -f "$top/tools/bench/core.awk" "$console" >>"$bench/BENCHMARKS.md.tmp"
gnuplot -e "datadir='$bench'; out='$outdir/docs/bench.png'" \
	"$top/tools/bench/plot.gp" || die "gnuplot failed"
mv "$bench/BENCHMARKS.md.tmp" "$outdir/BENCHMARKS.md"
say "wrote $outdir/BENCHMARKS.md and $outdir/docs/bench.png in ${total_secs} s"
sed -n '/^## Summary/,/^## /p' "$outdir/BENCHMARKS.md" | sed '$d'
