#!/bin/sh
# iofault adopted in front of the iopf handler of a domain someone else
# attached behind the kernel's IOMMU core (iofaultctl adopt/release), with
# real page faults from iommu_mock's own binds: the own handler becomes
# the resolver (the handoff), policies decide, the tracker's rules (quota,
# timeout, refused responses, ejection) apply to core groups, and release,
# rmmod and unplug give the domain back with every group answered once,
# also in the middle of storms.
#
# svatouch binds, runs --then (the adoption and its policies: the bind
# exists only while svatouch runs), accesses, then unbinds: iofault drops
# its side at the next release, which then forgets the domain the owner
# left (README: "If the owner went first"). Tests that hold forwarded groups bind this shell instead, which
# stays bound, and access an address it does not map (forwarded groups do
# not touch memory).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/core.sh"

T=/sys/kernel/tracing

# once DEV: every group DEV issued was answered exactly once
once() {
	set -- "$1" $(record $1)
	[ "$3" = "$5" ] && [ "$3" -eq $(($7 + $9 + ${11})) ] &&
		[ "${13}" = 0 ] && [ "${15}" = 0 ] && [ "${17}" = 0 ] ||
		{ echo "$1: $(record $1)"; return 1; }
}

# stats_of DEV KEY...: iofault's statistics of DEV, "KEY VALUE ...", read at once
stats_of() {
	_d=$1
	shift
	awk -v keys="$*" 'BEGIN { n = split(keys, k) }
		{ v[$1] = $2 }
		END { for (i = 1; i <= n; i++) printf "%s %s ", k[i], v[k[i]]; print "" }' \
		$C/$_d/stats
}

# stats_are DEV "KEY VALUE ...": those statistics of DEV are so
stats_are() {
	[ "$(stats_of $1 $(printf '%s\n' $2 | awk 'NR % 2'))" = "$2 " ]
}

# dropped NAME RELEASE-ARGS...: the owner unbound first: iofault's device
# NAME is gone, and the release of the gone attachment lets iofault forget
# the domain it left (README: "If the owner went first"), no orphan left
dropped() {
	_name=$1
	shift
	_out=$(iofaultctl release "$@" 2>&1) && gone $_name &&
		grep -q "^orphans 0\$" /sys/kernel/iofault/iopf ||
		{ echo "$_out"; ls $C; cat /sys/kernel/iofault/iopf; return 1; }
}

stop_listener() {
	kill $LISTENER 2>/dev/null
	wait $LISTENER 2>/dev/null
}

# What --then runs: it cannot call this script's functions.
cat >/tmp/then-listen.sh <<'EOF'
# then-listen.sh DEV ARGS...: start a listener that outlives the caller
dev=$1
shift
rm -f /tmp/then-listen.err
iofaultctl listen --dev "$dev" "$@" >/tmp/then-listen.out 2>/tmp/then-listen.err </dev/null &
echo $! >/tmp/then-listen.pid
n=0
until grep -qs '^listening on' /tmp/then-listen.err; do
	n=$((n + 1))
	[ $n -ge 200 ] && exit 1
	sleep 0.05
done
EOF

# Fewer faults on the debug kernel (KASAN, lockdep, kmemleak: about 100
# times slower); every check stays the same.
if [ -e /sys/kernel/debug/kmemleak ]; then
	STORM_PAGES=256 STORM=10240 AFTER=1024
	diag "debug kernel: storms of $STORM groups ($STORM_PAGES-page rounds), not 102400"
else
	STORM_PAGES=1024 STORM=102400 AFTER=10240
fi

check "iommu_mock loads" insmod $MODDIR/iommu_mock.ko || exit 1
check "iofault loads" insmod $MODDIR/iofault.ko || exit 1

# --- handler=now ------------------------------------------------------------
echo "pasid=30 handler=now" > $M/sva0/bind
check_eq "a handler=now bind shows in the bind file" \
	"pasid=30 via=own handler=now pid=$$" "$(cat $M/sva0/bind)"
echo "pasid=30" > $M/sva0/unbind
check_fail "handler= is for own binds only" "Invalid argument" \
	sh -c "echo 'pasid=30 via=iofault handler=now' > $M/sva0/bind"
echo > $M/sva0/hwlog
touch_ok "handler=now answers SUCCESS and populates nothing" \
	"resident 0 absent 3 unmapped 0" sva0 --pasid 30 --handler now --pages 3
check_eq "3 groups answered SUCCESS once each" "$(answered 3 success)" \
	"$(record sva0)"

check "--time counts the groups and requests of the rounds" sh -c \
	"svatouch sva0 --pasid 30 --handler now --always --pages 8 --rounds 2 --time |
	grep -qE '^time_ns [0-9]+ groups 16 requests 16\$'"
check_fail "a failing --then fails svatouch" "--then 'exit 3' exited with 3" \
	svatouch sva0 --pasid 30 --then "exit 3"
check_eq "and leaves nothing bound" "" "$(cat $M/sva0/bind)"

# --- adopt, no policy: the own handler resolves through the handoff -------
echo > $M/sva0/hwlog
_out=$(svatouch sva0 --pasid 1 --pages 4 \
	--then "iofaultctl adopt --dev sva0 --pasid 1 >/tmp/adopt.out &&
		test -d $C/sva0.pasid1" 2>&1)
check_eq "PASID 1 adopted: untouched pages become resident" \
	"resident 4 absent 0 unmapped 0" "$(printf '%s\n' "$_out" | tail -n 1)" ||
	diag "$_out"
check_eq "adopt says which iofault device" \
	"adopted sva0 PASID 1: iofault device sva0.pasid1" "$(cat /tmp/adopt.out)"
check_eq "each group answered SUCCESS once, by the own handler" \
	"$(answered 4 success)" "$(record sva0)"
check_eq "iofault saw each group and handed it off" \
	"groups 4 resolved 4 ended_handoff 4 outstanding 0 " \
	"$(stats_of sva0.pasid1 groups resolved ended_handoff outstanding)"
check_eq "its device has no policy of its own" "builtin default" \
	"$(cat $C/sva0.pasid1/policy)"
check "the owner unbound: release drops iofault's side" \
	dropped sva0.pasid1 --dev sva0 --pasid 1

echo > $M/sva0/hwlog
touch_ok "no PASID, handler=now: the handoff answers in the handler" \
	"resident 0 absent 3 unmapped 0" sva0 --handler now --pages 3 \
	--then "iofaultctl adopt --dev sva0 && test -d $C/sva0"
check_eq "3 groups answered SUCCESS once each" "$(answered 3 success)" \
	"$(record sva0)"
check_eq "iofault handed each off" "groups 3 resolved 3 ended_handoff 3 " \
	"$(stats_of sva0 groups resolved ended_handoff)"
check "the owner unbound: release drops iofault's side" dropped sva0 --dev sva0

echo > $M/sva0/hwlog
touch_ok "a group of 8 pages through the handoff: all resident" \
	"resident 8 absent 0 unmapped 0" sva0 --pasid 6 --pages 8 --group --write \
	--then "iofaultctl adopt --dev sva0 --pasid 6"
check_eq "one group of 8 requests, answered once" \
	"$(answered 1 success) requests 8" \
	"$(record sva0) requests $(hw sva0 requests)"
check_eq "iofault: one group of 8 requests, handed off" \
	"groups 1 requests 8 ended_handoff 1 " \
	"$(stats_of sva0.pasid6 groups requests ended_handoff)"
check "the owner unbound: release drops iofault's side" \
	dropped sva0.pasid6 --dev sva0 --pasid 6

# --- policies ------------------------------------------------------------------
echo > $M/sva0/hwlog
touch_ok "a device policy that fails: nothing populated" \
	"resident 0 absent 3 unmapped 0" sva0 --pasid 2 --pages 3 \
	--then "iofaultctl adopt --dev sva0 --pasid 2 &&
		iofaultctl attach $BPFDIR/fail_all.bpf.o --dev sva0.pasid2"
check_eq "3 groups answered INVALID once each" "$(answered 3 invalid)" \
	"$(record sva0)"
check_eq "iofault failed them, handed none off" \
	"groups 3 failed 3 ended_handoff 0 " \
	"$(stats_of sva0.pasid2 groups failed ended_handoff)"
check "detach the policy" iofaultctl detach --dev sva0.pasid2
check "the owner unbound: release drops iofault's side" \
	dropped sva0.pasid2 --dev sva0 --pasid 2

echo > $M/sva0/hwlog
touch_ok "a fail_all group of 4 pages: nothing populated" \
	"resident 0 absent 4 unmapped 0" sva0 --pasid 2 --pages 4 --group \
	--then "iofaultctl adopt --dev sva0 --pasid 2 &&
		iofaultctl attach $BPFDIR/fail_all.bpf.o --dev sva0.pasid2"
check_eq "one group answered INVALID once" "$(answered 1 invalid)" \
	"$(record sva0)"
check "detach the policy" iofaultctl detach --dev sva0.pasid2
check "the owner unbound: release drops iofault's side" \
	dropped sva0.pasid2 --dev sva0 --pasid 2

check "attach fail_all globally" iofaultctl attach $BPFDIR/fail_all.bpf.o --global
echo > $M/sva0/hwlog
touch_ok "a device policy that resolves beats the global one" \
	"resident 4 absent 0 unmapped 0" sva0 --pasid 3 --pages 4 \
	--then "iofaultctl adopt --dev sva0 --pasid 3 &&
		iofaultctl attach $BPFDIR/default.bpf.o --dev sva0.pasid3"
check_eq "4 groups answered SUCCESS" "$(answered 4 success)" "$(record sva0)"
check_eq "by the device's policy" "device default" "$(cat $C/sva0.pasid3/policy)"
check "detach it" iofaultctl detach --dev sva0.pasid3
check "the owner unbound: release drops iofault's side" \
	dropped sva0.pasid3 --dev sva0 --pasid 3
echo > $M/sva0/hwlog
touch_ok "without one, the global policy fails them" \
	"resident 0 absent 2 unmapped 0" sva0 --pasid 4 --pages 2 \
	--then "iofaultctl adopt --dev sva0 --pasid 4"
check_eq "2 groups answered INVALID" "$(answered 2 invalid)" "$(record sva0)"
check "the owner unbound: release drops iofault's side" \
	dropped sva0.pasid4 --dev sva0 --pasid 4
check "detach the global policy" iofaultctl detach --global

echo > $M/sva0/hwlog
touch_ok "FORWARD, answered SUCCESS by a listener: nothing populated" \
	"resident 0 absent 4 unmapped 0" sva0 --pasid 5 --pages 4 \
	--then "iofaultctl adopt --dev sva0 --pasid 5 &&
		iofaultctl attach $BPFDIR/forward_pasids.bpf.o --dev sva0.pasid5 \
			--set pasid_min=5 --set pasid_max=5 &&
		sh /tmp/then-listen.sh sva0.pasid5 --respond success"
kill "$(cat /tmp/then-listen.pid)" 2>/dev/null
check_eq "4 groups answered SUCCESS once each" "$(answered 4 success)" \
	"$(record sva0)"
check_eq "iofault forwarded them and took the listener's answers" \
	"forwarded 4 ended_response 4 ended_handoff 0 " \
	"$(stats_of sva0.pasid5 forwarded ended_response ended_handoff)"
check "the listener saw PASID 5" grep -q "pasid=5 " /tmp/then-listen.out
check "detach the policy" iofaultctl detach --dev sva0.pasid5
check "the owner unbound: release drops iofault's side" \
	dropped sva0.pasid5 --dev sva0 --pasid 5

echo > $M/sva0/hwlog
touch_ok "a policy with an invalid verdict: the pages are resolved anyway" \
	"resident 4 absent 0 unmapped 0" sva0 --pasid 7 --pages 4 \
	--then "iofaultctl adopt --dev sva0 --pasid 7 &&
		iofaultctl attach $PROGDIR/bad_verdict.bpf.o --dev sva0.pasid7"
check_eq "4 groups answered SUCCESS once each" "$(answered 4 success)" \
	"$(record sva0)"
check "the policy is ejected, last_exit says why" \
	wait_for grep -q "^ejected_invalid_verdict 7 bad_verdict: returned verdict 7" \
	$C/sva0.pasid7/last_exit
iofaultctl detach --dev sva0.pasid7 >/dev/null 2>&1
check "the owner unbound: release drops iofault's side" \
	dropped sva0.pasid7 --dev sva0 --pasid 7

# --- release: the own handler is back ---------------------------------------
echo > $T/trace
echo 1 > $T/events/iofault/iofault_report/enable
echo > $M/sva0/hwlog
touch_ok "adopted then released: the own handler resolves" \
	"resident 4 absent 0 unmapped 0" sva0 --pasid 8 --pages 4 \
	--then "iofaultctl adopt --dev sva0 --pasid 8 &&
		iofaultctl release --dev sva0 --pasid 8 &&
		! test -e $C/sva0.pasid8"
echo 0 > $T/events/iofault/iofault_report/enable
check_eq "4 groups answered SUCCESS once each" "$(answered 4 success)" \
	"$(record sva0)"
check_eq "iofault reported none of them" 0 "$(grep -c iofault_report $T/trace)"

# --- errors --------------------------------------------------------------------
check_fail "adopt a device that does not exist" \
	"no PCI or platform device is named nosuch" \
	iofaultctl adopt --dev nosuch
nogroup=
for d in /sys/bus/platform/devices/*; do
	[ -e "$d/iommu_group" ] || { nogroup=${d##*/}; break; }
done
if [ -n "$nogroup" ]; then
	check_fail "adopt a device behind no IOMMU" "is not behind an IOMMU" \
		iofaultctl adopt --dev "$nogroup"
else
	skip "adopt a device behind no IOMMU" "every platform device has one"
fi
check_fail "adopt a PASID nothing is bound to" \
	"no domain is attached to sva0 PASID 42" \
	iofaultctl adopt --dev sva0 --pasid 42
check_fail "adopt the device itself with nothing bound" \
	"no domain is attached to sva0\$" iofaultctl adopt --dev sva0
echo "pasid=10" > $M/sva0/bind
check "adopt a PASID this shell bound" iofaultctl adopt --dev sva0 --pasid 10
check_fail "adopt it twice" "iofault already handles the faults of sva0 PASID 10" \
	iofaultctl adopt --dev sva0 --pasid 10
check_fail "unprivileged: EPERM" "needs root" \
	./runas 65534 iofaultctl adopt --dev sva0 --pasid 11
check_fail "unprivileged release: EPERM" "needs root" \
	./runas 65534 iofaultctl release --dev sva0 --pasid 10
check "release it" iofaultctl release --dev sva0 --pasid 10
check_fail "release it twice" "release: sva0 PASID 10 is not adopted" \
	iofaultctl release --dev sva0 --pasid 10
echo "pasid=10" > $M/sva0/unbind
echo "pasid=11 via=iofault" > $M/sva0/bind
check_fail "adopt a domain attached through iofault" \
	"iofault already handles the faults of sva0 PASID 11" \
	iofaultctl adopt --dev sva0 --pasid 11
check_fail "release it: it is not adopted" "is not adopted" \
	iofaultctl release --dev sva0 --pasid 11
echo "pasid=11" > $M/sva0/unbind
for bad in 0 x 1048576 -1; do
	check_fail "a bad PASID: $bad" "bad PASID '$bad'" \
		iofaultctl adopt --dev sva0 --pasid $bad
done
check_fail "release a device that does not exist" \
	"no PCI or platform device is named nosuch" \
	iofaultctl release --dev nosuch

# --- the tracker's rules, on groups held by iofault ---------------------------
# This shell binds PASID 7 of sva1; its faults are forwarded.
hw_access() {
	echo "pasid=7 addr=0x10000 pages=$1 always" > $M/sva1/access
}
echo > $M/sva1/hwlog
echo "pasid=7" > $M/sva1/bind
check "adopt sva1 PASID 7" iofaultctl adopt --dev sva1 --pasid 7
check "forward it" iofaultctl attach $BPFDIR/forward_pasids.bpf.o \
	--dev sva1.pasid7 --set pasid_min=7 --set pasid_max=7
listen sva1.pasid7 --respond none
hw_access 2
check_eq "2 groups wait in a listener that never answers" \
	"forwarded 2 outstanding 2 " "$(stats_of sva1.pasid7 forwarded outstanding)"
echo 1 > $C/sva1.pasid7/quota
hw_access 3
check_eq "quota 1: the next 3 are answered INVALID at once" \
	"ended_quota 3 outstanding 2 " "$(stats_of sva1.pasid7 ended_quota outstanding)"
check_eq "the hardware got 3 INVALID, 2 unanswered" "invalid 3 unanswered 2" \
	"invalid $(hw sva1 invalid) unanswered $(hw sva1 unanswered)"
echo 200 > $C/sva1.pasid7/timeout_ms
check "timeout 200 ms: the held 2 time out" \
	wait_for stats_are sva1.pasid7 "ended_timeout 2 outstanding 0"
check_eq "the hardware: 5 groups, each answered INVALID once" \
	"$(answered 5 invalid)" "$(record sva1)"
stop_listener
echo 1000 > $C/sva1.pasid7/quota
echo 10000 > $C/sva1.pasid7/timeout_ms

echo > $M/sva1/hwlog
./fdraw sva1.pasid7 bad >/tmp/bad &
RAW=$!
fd_open() {
	ls -l /proc/$RAW/fd 2>/dev/null | grep -q anon_inode
}
wait_for fd_open
hw_access 1
wait $RAW
for what in "short" "one and a half" "reserved set" "bad code"; do
	check "a response with $what: EINVAL" grep -q "^$what: Invalid argument" /tmp/bad
done
for what in "unknown cookie:No such file or directory" "wrong pasid:Protocol error" \
	"wrong device:Invalid cross-device link"; do
	check "a response with ${what%%:*}: its own errno" grep -q "^${what%%:*}: ${what#*:}" /tmp/bad
done
check "the right one twice in a batch: the first is taken" \
	grep -q "^twice in a batch: 24 of 48 bytes" /tmp/bad
check "a second answer: EALREADY" grep -q "^again: Operation already in progress" /tmp/bad
check_eq "the hardware got exactly one answer" "$(answered 1 success)" \
	"$(record sva1)"
check_eq "iofault rejected the rest" "ended_response 1 " \
	"$(stats_of sva1.pasid7 ended_response)"

echo > $M/sva1/hwlog
listen sva1.pasid7 --respond none
hw_access 3
check_eq "3 forwarded groups held" "outstanding 3 " \
	"$(stats_of sva1.pasid7 outstanding)"
check "release while they are held" iofaultctl release --dev sva1 --pasid 7
check_eq "each answered INVALID once" "$(answered 3 invalid)" "$(record sva1)"
check "its iofault device is gone" gone sva1.pasid7
wait $LISTENER
check "the listener saw it go" grep -q "device sva1.pasid7 is gone" /tmp/listen.out
iofaultctl detach --all >/dev/null 2>&1
echo > $M/sva1/hwlog
hw_access 2
check_eq "then the own handler answers (INVALID: nothing mapped there)" \
	"$(answered 2 invalid)" "$(record sva1)"
echo "pasid=7" > $M/sva1/unbind

# --- storms ---------------------------------------------------------------------
# The storm's handler is the mock's mm one: each group is resolved in the
# process's memory from a workqueue, so groups are still with the own
# handler while iofault comes and goes. svatouch runs until it is killed,
# once the steps are done and STORM groups were issued.
storm_issued() {
	[ "$(hw sva1 issued)" -ge "$1" ]
}

echo > $M/sva1/hwlog
rm -f /tmp/storm.out
svatouch sva1 --pasid 20 --always --pages $STORM_PAGES --rounds 1000000 \
	--then "iofaultctl adopt --dev sva1 --pasid 20" >/dev/null 2>/tmp/storm.out &
STORM_PID=$!
check "the storm starts, adopted" wait_for storm_issued 1
check "attach a policy during the storm" \
	iofaultctl attach $BPFDIR/observe.bpf.o --dev sva1.pasid20
check "replace it" iofaultctl replace $BPFDIR/default.bpf.o --dev sva1.pasid20
check "detach it" iofaultctl detach --dev sva1.pasid20
diag "before release: $(stats_of sva1.pasid20 groups ended_handoff outstanding)"
check "release" iofaultctl release --dev sva1 --pasid 20
check "adopt again" iofaultctl adopt --dev sva1 --pasid 20
check "release again" iofaultctl release --dev sva1 --pasid 20
n=0
until storm_issued $STORM || [ $n -ge 6000 ]; do
	n=$((n + 1))
	sleep 0.1
done
check "the storm was not cut short" kill $STORM_PID
wait $STORM_PID
echo "pasid=20" > $M/sva1/unbind
check_eq "it settles" "unanswered 0" "$(cat $M/sva1/settle)"
check "at least $STORM groups, each answered exactly once" \
	sh -c "[ $(hw sva1 issued) -ge $STORM ]"
check "issued == answered == responses, no duplicate or mismatch" once sva1
check_eq "none failed" 0 "$(hw sva1 failure)"
diag "storm: $(record sva1) requests $(hw sva1 requests)"
[ -s /tmp/storm.out ] && diag "$(cat /tmp/storm.out)"

# Unload iofault with faults in flight: the handler=now handoff answers
# inside iofault's handler, so tasks are in iofault's code when it goes.
echo > $M/sva1/hwlog
svatouch sva1 --pasid 21 --handler now --always --pages $STORM_PAGES \
	--rounds 1000000 --then "iofaultctl adopt --dev sva1 --pasid 21" \
	>/dev/null 2>/tmp/storm.out &
STORM_PID=$!
check "a handler=now storm, adopted" wait_for storm_issued $AFTER
check "iofault unloads in the middle" unload_iofault
at=$(hw sva1 issued)
n=0
until storm_issued $((at + AFTER)) || [ $n -ge 6000 ]; do
	n=$((n + 1))
	sleep 0.1
done
check "the storm goes on without it" kill $STORM_PID
wait $STORM_PID
echo "pasid=21" > $M/sva1/unbind
check_eq "it settles" "unanswered 0" "$(cat $M/sva1/settle)"
check "each group answered exactly once" once sva1
check_eq "all SUCCESS" "$(hw sva1 issued)" "$(hw sva1 success)"
diag "unload storm: $(record sva1), iofault left at $at"
check "iofault loads again" insmod $MODDIR/iofault.ko

# --- rmmod and unplug while adopted ------------------------------------------
echo > $M/sva0/hwlog
touch_ok "rmmod iofault while adopted: the own handler resolves" \
	"resident 4 absent 0 unmapped 0" sva0 --pasid 9 --pages 4 \
	--then "iofaultctl adopt --dev sva0 --pasid 9 && rmmod iofault"
check_eq "4 groups answered SUCCESS once each" "$(answered 4 success)" \
	"$(record sva0)"
check "iofault loads again" insmod $MODDIR/iofault.ko

echo > $M/sva1/hwlog
echo "pasid=7" > $M/sva1/bind
check "adopt sva1 PASID 7" iofaultctl adopt --dev sva1 --pasid 7
check "forward it" iofaultctl attach $BPFDIR/forward_pasids.bpf.o \
	--dev sva1.pasid7 --set pasid_min=7 --set pasid_max=7
listen sva1.pasid7 --respond none
hw_access 4
check_eq "4 groups held" "outstanding 4 " "$(stats_of sva1.pasid7 outstanding)"
check "unplug sva1" sh -c "echo sva1 > $M/unplug"
# The mock unbinds (the owner detaches) before the device goes: iofault
# answers none of the 4 from then on (they may be another PASID's).
check "none of them answered after the owner detached" awk '
	$1 == "sva1" && $3 == 4 && $5 == 0 && $13 == 4 && $15 == 0 &&
	$17 == 0 { ok = 1 }
	END { if (!ok) { print; exit 1 } }' $M/unplugged
diag "$(grep '^sva1 ' $M/unplugged)"
check "its iofault device is gone" gone sva1.pasid7
stop_listener
iofaultctl detach --all >/dev/null 2>&1
check "release the gone attachment of the gone device" \
	iofaultctl release --dev sva1 --pasid 7
check "iofault unloads" unload_iofault
check "unplug sva0" sh -c "echo sva0 > $M/unplug"
check "iommu_mock unloads" rmmod iommu_mock
