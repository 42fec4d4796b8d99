#!/bin/sh
# The bpftrace one-liner the README shows, over iofault's tracepoints, run
# while faults are injected: its counts by response code must be what was
# injected. bpftrace (Debian's, dynamically linked) is in the initramfs
# only when the build host has it installed (tools/vm/mkinitramfs.sh
# then leaves bpftrace.version in /usr/lib/iofault).
#
# bpftrace runs the injection itself (-c): it starts the command once its
# probe is attached, and prints its maps and exits when the command does.
# No signal is needed, nor any wait for "Attaching": a SIGINT sent from
# here can be lost, since sh starts background commands with SIGINT
# ignored and bpftrace only catches it once its program is compiled.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mock.sh"

# Run by bpftrace -c: 50 read faults, which the built-in default resolves
# (SUCCESS, code 0), and 20 write faults, which fail_writes fails (INVALID,
# code 1); returns once all are answered (settle: the response tracepoint
# fires before the device's outstanding count can read 0).
if [ "${1-}" = inject ]; then
	inject vtd0 "count=50 perm=r pasid=3" "count=20 perm=w pasid=4 grpid=100"
	settle vtd0
	exit
fi

desc="bpftrace counts iofault_response events by code"
if [ ! -f /usr/lib/iofault/bpftrace.version ]; then
	skip "$desc" "bpftrace was not installed on the build host"
	exit 0
fi
check_eq "bpftrace runs in the guest" "$(cat /usr/lib/iofault/bpftrace.version)" \
	"$(bpftrace --version 2>&1)" || exit 1
load_iofault || { not_ok "modules load"; exit 1; }
check "fail_writes attaches to vtd0" \
	iofaultctl attach $BPF/fail_writes.bpf.o --dev vtd0 || exit 1

# A bounded run: a hang fails here rather than at the script's time limit.
timeout 300 bpftrace -c "/bin/sh $0 inject" \
	-e 'tracepoint:iofault:iofault_response { @[args->code] = count(); }' \
	>/tmp/bpftrace.out 2>&1
rc=$?
got=$(grep '^@' /tmp/bpftrace.out | sort | tr '\n' ' ' | sed 's/ $//')
if [ $rc -eq 0 ] && [ "$got" = "@[0]: 50 @[1]: 20" ]; then
	ok "$desc"
else
	not_ok "$desc" "expected: @[0]: 50 @[1]: 20, exit status 0
got: $got, exit status $rc"
	diag "$(cat /tmp/bpftrace.out)"
fi
check_eq "vtd0's hardware got the 70 answers" "issued 70 answered 70" \
	"issued $(hw vtd0 issued) answered $(hw vtd0 answered)"
check "unload" unload_iofault
