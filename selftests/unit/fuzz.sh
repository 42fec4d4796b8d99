#!/bin/sh
# Run the tracker fuzzer for a bounded time from the committed seeds (plus
# what earlier runs found, kept under $BUILD), and report one TAP line.
set -u
FUZZER=$BUILD/selftests/fuzz/tracker_fuzz
WORK=$BUILD/fuzz
SECONDS_MAX=${FUZZ_SECONDS:-30}

mkdir -p "$WORK/corpus"
cp selftests/unit/corpus/* "$WORK/corpus/"
if "$FUZZER" -max_total_time="$SECONDS_MAX" -timeout=10 \
	-artifact_prefix="$WORK/" "$WORK/corpus" > "$WORK/log" 2>&1; then
	runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$WORK/log")
	echo "ok - tracker fuzzer: ${runs:-?} runs in ${SECONDS_MAX} s, every invariant held"
else
	echo "not ok - tracker fuzzer broke an invariant"
	grep -E 'invariant broken|ERROR|SUMMARY|Test unit written' "$WORK/log" |
		sed 's/^/# /'
fi
