#!/bin/sh
# The driver of `make fuzz-planted`: shows that the guest fuzzer catches
# real defects. For each patch in selftests/guest/fuzz/planted/ (one
# planted bug each, its header says which), it builds the modules with the
# bug for Debian's kernel, runs the fuzzer on them in the guest
# (FUZZ_SECONDS, default 120; seed FUZZ_SEED, default 1; only the
# patches whose name matches FUZZ_PLANTED, a glob, if set), and prints
#   ok - NAME caught: FIRST FAILURE        the fuzzer failed, and why
#   not ok - NAME missed                   it ran clean over the bug
# and last "N caught, N missed". Exits with 1 if one was missed. Each run's
# console is kept in $BUILD/planted/NAME/run.log.
set -u

: "${BUILD:?BUILD is not set (make exports it)}"
: "${KDIR:?KDIR is not set (make exports it from build/deps/env.mk)}"
: "${VMLINUZ:?VMLINUZ is not set (make exports it from build/deps/env.mk)}"

top=$(cd "$(dirname "$0")/../.." && pwd)
secs=${FUZZ_SECONDS:-120}
seed=${FUZZ_SEED:-1}
caught=0
missed=0

for patch in "$top"/selftests/guest/fuzz/planted/*.patch; do
	name=$(basename "$patch" .patch)
	# shellcheck disable=SC2254
	case $name in ${FUZZ_PLANTED:-*}) ;; *) continue ;; esac
	dir=$BUILD/planted/$name
	rm -rf "$dir"
	mkdir -p "$dir"
	cp -R "$top/kernel" "$dir/"
	if ! (cd "$dir" && patch -s -p1 <"$patch") >"$dir/build.log" 2>&1 ||
	   ! make -C "$KDIR" M="$dir/kernel" IOFAULT_INC="$top/include" \
		modules >>"$dir/build.log" 2>&1; then
		echo "not ok - $name: does not build with the bug (see $dir/build.log)"
		missed=$((missed + 1))
		continue
	fi
	VMLINUZ=$VMLINUZ KMOD=$dir/kernel IOFAULT_RUN=planted-$name \
		sh "$top/tools/vm/run.sh" check iofault.tests=98-fuzz \
		iofault.fuzz_seconds="$secs" iofault.fuzz_seed="$seed" \
		</dev/null >"$dir/run.log" 2>&1
	why=$(grep -m 1 'iofuzz: FAIL' "$dir/run.log" | sed 's/^# iofuzz: //')
	if grep -q '^not ok .*98-fuzz' "$dir/run.log"; then
		echo "ok - $name caught: ${why:-$(grep -m 1 '^not ok' "$dir/run.log")}"
		caught=$((caught + 1))
	else
		echo "not ok - $name missed (fuzzed $secs s, seed $seed)"
		missed=$((missed + 1))
	fi
done
echo "$caught caught, $missed missed"
[ "$missed" -eq 0 ]
