#!/bin/sh
# The driver of `make check` (which builds everything first):
#   1. every executable in $BUILD/selftests/host/ (host tests printing TAP:
#      the tracker's unit tests; kernel-style, checkpatch and sparse on
#      kernel/; doc-links, the documentation's links) and the tracker
#      fuzzer (selftests/unit/fuzz.sh); they run from the top of the
#      source tree,
#   2. the guest suite (tools/vm/run.sh check) on each kernel of KERNELS,
# shown as one numbered TAP stream while it runs, then the plan and one last
# line "N passed, N failed". Each description starts with where it ran:
#   ok 12 - [debian-6.12.117+deb12-cloud-amd64] 10-load: module loads
#   ok 13 - [debian-6.12.117+deb12-cloud-amd64] kernel log clean
# A host test that exits with non-zero, or a run that prints no test result,
# counts as one more failed test. Exits with 1 if a test failed or none ran.
# The stream is kept in $BUILD/check.tap, each kernel's console and kernel
# log in $BUILD/guest/{console,kernel}-check-LABEL.log.
set -u

: "${BUILD:?BUILD is not set (make exports it)}"
: "${KREL:?KREL is not set (make exports it from build/deps/env.mk)}"
: "${VMLINUZ:?VMLINUZ is not set (make exports it from build/deps/env.mk)}"

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
tap=$BUILD/check.tap

# The kernels the guest suite runs on, one "LABEL IMAGE KMOD" per line:
# KMOD is where kbuild put the modules built against that kernel. The
# debug kernel (KASAN, lockdep, kmemleak, failslab) is for correctness.
KERNELS="debian-$KREL $VMLINUZ $BUILD/kmod"
if [ -n "${DEBUG_VMLINUZ-}" ]; then
	KERNELS="$KERNELS
debug-${KREL%%+*} $DEBUG_VMLINUZ $KMOD_DEBUG"
fi

# number PREFIX: read TAP, print its test lines renumbered to follow those
# already in $tap, with PREFIX before each description, and its "#" lines;
# drop the rest (the plan, console noise). Prints as it reads, and appends
# to $tap.
number() {
	awk -v prefix="$1" -v tap="$tap" -v n="$(grep -cE '^(not )?ok ' "$tap")" '
	function out(s) { print s; fflush(); print s >>tap; fflush(tap) }
	/^(not )?ok([ \t]|$)/ {
		res = /^not/ ? "not ok" : "ok"
		sub(/^(not )?ok[ \t]*[0-9]*[ \t]*(-[ \t]*)?/, "")
		out(res " " ++n " - " prefix $0)
		seen = 1
		next
	}
	/^#/ { out($0) }
	END { if (!seen) out("not ok " ++n " - " prefix "printed no test result") }'
}

# One check at a time in a build tree: a second one waits.
mkdir -p "$BUILD"
exec 9>"$BUILD/check.lock"
if ! flock -n 9; then
	echo "check.sh: waiting for the other make check in $BUILD to end" >&2
	flock 9
fi
: >"$tap"

for t in "$BUILD"/selftests/host/*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	{ timeout 600 "$t" </dev/null 2>&1 || echo "not ok - exited with $?"; } |
		number "[host] ${t##*/}: "
done
# The tracker fuzzer, for a bounded time (FUZZ_SECONDS, default 30).
sh selftests/unit/fuzz.sh </dev/null | number "[host] "

echo "$KERNELS" | while read -r label image kmod; do
	VMLINUZ=$image KMOD=$kmod IOFAULT_RUN=check-$label \
		sh tools/vm/run.sh check </dev/null |
		number "[$label] "
done

passed=$(grep -c '^ok ' "$tap")
failed=$(grep -c '^not ok ' "$tap")
skipped=$(grep -c '^ok .*# SKIP' "$tap")
{
	echo "1..$((passed + failed))"
	[ "$skipped" -eq 0 ] || echo "# $skipped of the passed tests were skipped"
	echo "$passed passed, $failed failed"
} | tee -a "$tap"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
