#!/bin/sh
# Runs the guest test scripts (NN-name.sh next to this file) in name order
# and prints one numbered TAP stream, the plan last:
#   # kernel: 6.12...
#   ok 1 - 10-load: module loads
#   not ok 2 - 20-policy: exited with 1
#   1..2
# Each script runs in its own sh and session, with a time limit, from this
# directory (as in the kernel's kselftests: ./helper works; scratch files
# belong in /tmp); what it leaves running is killed when it ends. A script
# that times out, exits with non-zero without a failed test, or prints no
# test result counts as one more failed test. Other output than TAP lines
# becomes "# " diagnostics.
# Exits with 1 if any failed.
#
# Environment (from the kernel command line: iofault.test_timeout=SECONDS,
# iofault.tests=GLOB[,GLOB...], see tools/vm/init):
#   IOFAULT_TEST_TIMEOUT  seconds per script (default 600)
#   IOFAULT_TESTS         run only the scripts whose name (no .sh) matches
dir=$(cd "$(dirname "$0")" && pwd)
limit=${IOFAULT_TEST_TIMEOUT:-600}
# Prefix of the lines through which run_all tells the numbering awk where a
# script begins and ends, interleaved with the scripts' own output.
ctl='@@run-tests@@'

# selected NAME: whether IOFAULT_TESTS lets NAME run (subshell: IFS, set -f).
selected() (
	[ -n "${IOFAULT_TESTS-}" ] || exit 0
	set -f
	IFS=,
	for glob in $IOFAULT_TESTS; do
		case $1 in $glob) exit 0 ;; esac
	done
	exit 1
)

run_all() {
	for t in "$dir"/[0-9][0-9]-*.sh; do
		[ -f "$t" ] || continue
		name=$(basename "$t" .sh)
		selected "$name" || continue
		# Marks the kernel log, to tell which script a kernel warning
		# came from.
		echo "iofault-tests: running $name" >/dev/kmsg 2>/dev/null
		echo "$ctl begin $name"
		start=$(date +%s)
		# setsid: the script leads a process group of its own, so all
		# it started can be killed (its pid is the group's id).
		timeout "$limit" setsid sh "$t" </dev/null 2>&1 &
		pid=$!
		wait $pid
		rc=$?
		kill -s KILL -- -$pid 2>/dev/null
		echo "$ctl end $name $rc $(($(date +%s) - start))"
	done
}

cd "$dir" || exit 1
echo "# kernel: $(uname -r)"
run_all 2>&1 | awk -v ctl="$ctl" -v limit="$limit" -v dir="$dir" '
	function out(s) { print s; fflush() }
	function result(res, desc) {
		out(res " " ++n " - " desc)
		if (res != "ok") { failed++; bad++ }
		results++
	}
	$1 == ctl && $2 == "begin" { name = $3; scripts++; results = bad = 0; next }
	# A script whose last check failed exits with 1: that failure is
	# counted already, so its exit status only counts when nothing did.
	$1 == ctl && $2 == "end" {
		rc = $4
		if (rc != 0 && $5 >= limit)
			result("not ok", name ": timed out after " limit " s")
		else if (rc != 0 && !bad)
			result("not ok", name ": exited with " rc)
		else if (!results)
			result("not ok", name ": printed no test result")
		out("# " name ": " (rc ? "exit status " rc ", " : "") $5 " s")
		next
	}
	/^(not )?ok([ \t]|$)/ {
		res = /^not/ ? "not ok" : "ok"
		sub(/^(not )?ok[ \t]*[0-9]*[ \t]*(-[ \t]*)?/, "")
		result(res, name ": " $0)
		next
	}
	/^#/ { out($0); next }
	{ out("# " $0) }
	END {
		if (scripts == 0)
			result("not ok", "no test script in " dir)
		out("1.." n)
		exit failed > 0
	}'
