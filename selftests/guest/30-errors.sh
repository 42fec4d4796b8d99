#!/bin/sh
# Every mistake a user can make gets a clear error and changes nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mock.sh"

load_iofault || { not_ok "modules load"; exit 1; }

check_fail "attach to a missing device: ENODEV" "No such device" \
	iofaultctl attach $BPF/fail_all.bpf.o --dev nosuchdev
check "nothing is pinned for it" test ! -e /sys/fs/bpf/iofault/dev/nosuchdev

check "attach to vtd0" iofaultctl attach $BPF/fail_all.bpf.o --dev vtd0
check_fail "a second attach to vtd0: EBUSY" "Device or resource busy" \
	iofaultctl attach $BPF/fail_writes.bpf.o --dev vtd0
check_eq "vtd0 keeps its first policy" "device fail_all" "$(cat /sys/class/iofault/vtd0/policy)"

check_fail "an unprivileged caller: EPERM" "Operation not permitted" \
	./runas 65534 iofaultctl attach $BPF/fail_all.bpf.o --dev vtd1
check_fail "an unprivileged detach: EPERM" "Operation not permitted|Permission denied" \
	./runas 65534 iofaultctl detach --dev vtd0
# one_line DESC PATTERN CMD...: CMD fails with exactly one line of output,
# which matches PATTERN
one_line() {
	_d=$1
	_p=$2
	shift 2
	"$@" >/tmp/one_line.out 2>&1
	if [ $? -ne 0 ] && [ "$(wc -l < /tmp/one_line.out)" -eq 1 ] &&
	   grep -qE -- "$_p" /tmp/one_line.out; then
		ok "$_d"
	else
		not_ok "$_d" "\$ $*
$(cat /tmp/one_line.out)"
	fi
}
one_line "an unprivileged attach says why in one line, without libbpf's hints" \
	"needs root.*Operation not permitted" \
	./runas 65534 iofaultctl attach $BPF/fail_all.bpf.o --dev vtd1
one_line "so does root without capabilities" "needs root.*Operation not permitted" \
	./runas nocaps iofaultctl attach $BPF/fail_all.bpf.o --dev vtd1
one_line "and an unprivileged replace" "needs root.*Operation not permitted" \
	./runas 65534 iofaultctl replace $BPF/fail_all.bpf.o --dev vtd0
check_eq "vtd0 keeps its policy" "device fail_all" "$(cat /sys/class/iofault/vtd0/policy)"
check_eq "vtd1 got none" "builtin default" "$(cat /sys/class/iofault/vtd1/policy)"

check_fail "an object without an iofault_ops map is refused" "no iofault_ops" \
	iofaultctl attach $PROGS/not_a_policy.bpf.o --dev vtd1
check_fail "the verifier rejects a policy that writes the fault" \
	"only read is supported|rejected|Permission denied" \
	iofaultctl attach $PROGS/bad_write_ctx.bpf.o --dev vtd1
check_eq "vtd1 still has no policy" "builtin default" "$(cat /sys/class/iofault/vtd1/policy)"
check_fail "detach where nothing is attached" "no policy attached" \
	iofaultctl detach --dev vtd1
check_fail "a bad inject line is refused" "Invalid argument" \
	sh -c "echo 'pasid=x last' > $MOCK/vtd1/inject"

# Usage errors: what is wrong and where the help is, two lines.
usage_error() {
	_d=$1
	_p=$2
	shift 2
	iofaultctl "$@" >/tmp/usage.out 2>&1
	_rc=$?
	if [ $_rc -eq 2 ] && [ "$(wc -l < /tmp/usage.out)" -eq 2 ] &&
	   head -n 1 /tmp/usage.out | grep -qE -- "^iofaultctl: .*$_p" &&
	   tail -n 1 /tmp/usage.out | grep -q "^Try 'iofaultctl --help'"; then
		ok "$_d"
	else
		not_ok "$_d" "\$ iofaultctl $*
exit status $_rc
$(cat /tmp/usage.out)"
	fi
}
usage_error "an unknown command: one line and a pointer to --help" \
	"unknown command 'frob'" frob
usage_error "attach without an object" "give one BPF object file" attach --dev vtd1
usage_error "an unknown option" "unknown option '--bogus'" detach --bogus
usage_error "an option without its argument" "needs an argument" detach --dev
usage_error "detach with nothing to detach" "give one of" detach
usage_error "stats with an extra argument" "" stats extra
check "--help still prints the whole help" \
	sh -c 'iofaultctl --help | grep -q "^  release --dev NAME" && [ $(iofaultctl --help | wc -l) -gt 40 ]'
check "and so does a command's --help" \
	sh -c 'iofaultctl attach --help | grep -q "^  detach "'

inject vtd0 "count=3"
settle vtd0
inject vtd1 "count=3"
settle vtd1
check_eq "after all that, vtd0's policy still decides" 3 "$(hw vtd0 invalid)"
check_eq "and vtd1 still resolves" 3 "$(hw vtd1 success)"

check "unload" unload_iofault
