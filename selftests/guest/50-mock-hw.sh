#!/bin/sh
# The mock IOMMUs behave as the hardware they stand for: VT-d private data,
# PRQ overflow, SMMU CMD_RESUME and event queue overflow, the resolver's
# mock page tables, deferred answers and iofault_respond()'s errnos, and
# exactly one response per group through storms.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mock.sh"

# Small queues, so that tests fill them quickly: a 16-entry PRQ holds 15
# requests, a 16-entry event queue 16 records; each device's quota is 16.
load_iofault vtd=2 smmu=1 prq_size=16 evtq_size=16 ||
	{ not_ok "modules load"; exit 1; }

# logged DEV REGEX: the hardware log of DEV has a line matching REGEX
logged() {
	grep -qE -- "$2" $MOCK/$1/hwlog
}

# cookie DEV [N]: the cookie of the Nth (first) group DEV's resolver deferred
cookie() {
	sed -n "${2:-1}s/^cookie=\(0x[0-9a-f]*\) .*/\1/p" $MOCK/$1/deferred
}

for dev in vtd0 vtd1 smmu0; do
	check "$dev is registered with iofault" test -d /sys/class/iofault/$dev
done
check_eq "the quota is the hardware queue's size" 16 \
	"$(cat /sys/class/iofault/vtd0/quota)"
check_eq "map is the default resolution" map "$(cat $MOCK/vtd0/resolve)"

# --- VT-d page group responses --------------------------------------------
inject vtd0 "pasid=7 grpid=1 addr=0x4000 perm=rw last priv=0x11,0x22" \
	"pasid=7 grpid=2 addr=0x5000 last" "grpid=3 addr=0x6000 last" \
	"pasid=7 grpid=4 addr=0x7000 priv=0x33,0x44"
check_eq "vtd0 settles" "unanswered 0" "$(settled vtd0)"
check "private data is echoed in qw2/qw3, PDP set (VT-d 3.0 7.7)" logged vtd0 \
	"^pasid=7 grpid=1 code=success priv=0x11,0x22 lpig=1 rid=0x0008 qw0=0x0000000700080039 qw1=0x000000000000000c qw2=0x0000000000000011 qw3=0x0000000000000022$"
check "no private data, no PDP, qw2/qw3 zero" logged vtd0 \
	"^pasid=7 grpid=2 code=success lpig=1 rid=0x0008 qw0=0x0000000700080019 qw1=0x0000000000000014 qw2=0x0000000000000000 qw3=0x0000000000000000$"
check "a request without PASID gets a response without PASID" logged vtd0 \
	"^pasid=none grpid=3 code=success lpig=1 rid=0x0008 qw0=0x0000000000080009 "
check "private data without LPIG still gets its response" logged vtd0 \
	"^pasid=7 grpid=4 code=success priv=0x33,0x44 "
check "every group answered exactly once" exactly_once vtd0 4
check_fail "a PRG index has 9 bits" "Invalid argument" ctl vtd0 inject "grpid=512 last"
check_fail "a request reads or writes (no stop marker)" "Invalid argument" \
	ctl vtd0 inject "perm=x last"

# --- VT-d page request queue overflow --------------------------------------
hw_clear vtd1
groups=$(stat vtd1 groups)
requests=$(stat vtd1 requests)
ctl vtd1 pause 1
check_eq "pause reads back" 1 "$(cat $MOCK/vtd1/pause)"
inject vtd1 "count=15 pasid=1"
check_eq "a 16-entry PRQ holds 15 requests" "queued 15 overflow 0 pro 0" \
	"queued $(hw vtd1 queued) overflow $(hw vtd1 overflow) pro $(hw vtd1 pro)"
inject vtd1 "pasid=1 grpid=20 addr=0x9000 last" "pasid=2 grpid=21 addr=0xa000"
check_eq "PRQ full: both requests overflow and PRO is set" "overflow 2 pro 1" \
	"overflow $(hw vtd1 overflow) pro $(hw vtd1 pro)"
check_eq "the LPIG request is answered by the hardware itself" 1 "$(hw vtd1 auto)"
check "its automatic response is Success" logged vtd1 \
	"^pasid=1 grpid=20 code=success lpig=1 .* auto$"
check_eq "the request without LPIG is dropped" 1 "$(hw vtd1 dropped)"
inject vtd1 "pasid=1 grpid=22 addr=0xb000 last"
check_eq "while PRO is set, requests keep overflowing" "overflow 3 auto 2" \
	"overflow $(hw vtd1 overflow) auto $(hw vtd1 auto)"
ctl vtd1 pause 0
check_eq "vtd1 settles once draining resumes" "unanswered 0" "$(settled vtd1)"
check_eq "the driver clears PRO once the queue is empty" 0 "$(hw vtd1 pro)"
check_eq "the 15 queued groups are answered by software" 15 "$(hw vtd1 responses)"
check "every group answered exactly once" exactly_once vtd1 17
check_eq "iofault saw only the queued groups" "groups 15 requests 15" \
	"groups $(($(stat vtd1 groups) - groups)) requests $(($(stat vtd1 requests) - requests))"
check "the overflow is logged" sh -c 'dmesg | grep -q "vtd1: PRQ overflow detected, cleared"'

# --- SMMU stalls and CMD_RESUME -------------------------------------------
hw_clear smmu0
inject smmu0 "pasid=5 grpid=0x1234 addr=0x7000 perm=w"
check_eq "smmu0 settles" "unanswered 0" "$(settled smmu0)"
check "SUCCESS resumes the stall tag with RETRY" logged smmu0 \
	"^stag=4660 sid=0x10 resp=retry code=success cmd0=0x0000001000001044 cmd1=0x0000000000001234$"
ctl smmu0 resolve fail
inject smmu0 "pasid=5 grpid=7 addr=0x9000"
check_eq "smmu0 settles" "unanswered 0" "$(settled smmu0)"
check "INVALID resumes the stall tag with ABORT" logged smmu0 \
	"^stag=7 sid=0x10 resp=abort code=invalid cmd0=0x0000001000002044 cmd1=0x0000000000000007$"
ctl smmu0 resolve map
inject smmu0 "pasid=5 addr=0xa000" "addr=0xb000"
check_eq "the SMMU picks free stall tags" 4 \
	"$(sed -n 's/^stag=\([0-9]*\) .*/\1/p' $MOCK/smmu0/hwlog | sort -u | wc -l)"
check "every stall answered exactly once" exactly_once smmu0 4
check_fail "SMMU records carry no private data" "Invalid argument" \
	ctl smmu0 inject "priv=1,2"
ctl smmu0 pause 1
inject smmu0 "pasid=5 grpid=9 addr=0xc000"
check_fail "a stall tag in use is not given out again" "busy" \
	ctl smmu0 inject "pasid=5 grpid=9 addr=0xd000"
ctl smmu0 pause 0
check_eq "smmu0 settles" "unanswered 0" "$(settled smmu0)"

# --- SMMU event queue overflow ---------------------------------------------
hw_clear smmu0
unrecov=$(stat smmu0 unrecoverable)
ctl smmu0 pause 1
inject smmu0 "count=20 pasid=3 addr=0x100000"
check_eq "stalls past the queue's 16 records wait, none is lost" \
	"queued 16 held 4 overflow 0" \
	"queued $(hw smmu0 queued) held $(hw smmu0 held) overflow $(hw smmu0 overflow)"
inject smmu0 "dma count=3 addr=0x200000"
check_eq "terminated-transaction records are lost and set OVFLG" \
	"overflow 3 ovflg 1" "overflow $(hw smmu0 overflow) ovflg $(hw smmu0 ovflg)"
ctl smmu0 pause 0
check_eq "smmu0 settles once draining resumes" "unanswered 0" "$(settled smmu0)"
check_eq "the held stalls were recorded when there was room" 0 "$(hw smmu0 held)"
check "every stall answered exactly once" exactly_once smmu0 20
check_eq "the driver acknowledged the overflow" 0 "$(hw smmu0 ovflg)"
check_eq "the lost records never reached iofault" 0 \
	"$(($(stat smmu0 unrecoverable) - unrecov))"
check "the overflow is logged" sh -c 'dmesg | grep -q "smmu0: EVTQ overflow detected -- events lost"'
hw_clear smmu0
ctl smmu0 pause 1
inject smmu0 "pasid=5 grpid=9 addr=0xc000" "count=15 pasid=5 addr=0xd000"
inject smmu0 "pasid=5 grpid=9 addr=0xe000"
check_eq "a stall that asks for a tag waits for room like any" 1 "$(hw smmu0 held)"
ctl smmu0 pause 0
check_eq "recorded when its tag is still in use, it gets another: smmu0 settles" \
	"unanswered 0" "$(settled smmu0)"
check_eq "nothing is left held" 0 "$(hw smmu0 held)"
check "every stall answered exactly once" exactly_once smmu0 17

# --- the resolver's mock page tables ----------------------------------------
for dev in vtd0 smmu0; do
	hw_clear $dev
	inject $dev "access pasid=11 addr=0x20000 perm=w"
	settled $dev >/dev/null
	inject $dev "access pasid=11 addr=0x20000 perm=w"
	check_eq "$dev: the resolver mapped the page: a second access hits" \
		"requests 1 hits 1" "requests $(hw $dev requests) hits $(hw $dev hits)"
	inject $dev "access pasid=12 addr=0x20000 perm=w"
	check_eq "$dev: another PASID's table does not have it" 2 "$(hw $dev requests)"
	ctl $dev unmap "pasid=11 addr=0x20000"
	inject $dev "access pasid=11 addr=0x20000 perm=w"
	check_eq "$dev: unmapped, the access faults again" 3 "$(hw $dev requests)"
	settled $dev >/dev/null
done
hw_clear vtd0
inject vtd0 "access pasid=11 addr=0x1f000 pages=3 perm=w"
check_eq "vtd0: a group is made of the pages that fault" "requests 2 hits 1" \
	"requests $(hw vtd0 requests) hits $(hw vtd0 hits)"
settled vtd0 >/dev/null
inject vtd0 "access pasid=11 addr=0x1f000 pages=3 perm=w"
check_eq "vtd0: all three mapped now" 4 "$(hw vtd0 hits)"

# --- deferred resolution and iofault_respond()'s errnos ---------------------
hw_clear vtd0
ctl vtd0 resolve defer
ctl vtd1 resolve defer
inject vtd0 "pasid=21 grpid=5 addr=0x30000 pages=2 perm=w"
inject vtd1 "pasid=21 grpid=5 addr=0x30000 last"
check_eq "the deferred group stays unanswered" "unanswered 1" "$(settled vtd0)"
check "the deferred file shows it" grep -q "pasid=21 grpid=5 addr=0x31000" \
	$MOCK/vtd0/deferred
c0=$(cookie vtd0)
c1=$(settled vtd1 >/dev/null; cookie vtd1)
check_fail "wrong group index: EPROTO" "Protocol error" \
	ctl vtd0 respond "cookie=$c0 pasid=21 grpid=6 code=success"
check_fail "wrong PASID: EPROTO" "Protocol error" \
	ctl vtd0 respond "cookie=$c0 pasid=22 grpid=5 code=success"
check_fail "bad code: EINVAL" "Invalid argument" \
	ctl vtd0 respond "cookie=$c0 pasid=21 grpid=5 code=7"
check_fail "unknown cookie: ENOENT" "No such file" \
	ctl vtd0 respond "cookie=$(printf '0x%x' $((c0 ^ 0x100000))) pasid=21 grpid=5 code=success"
check_fail "another device's cookie: EXDEV" "cross-device" \
	ctl vtd0 respond "cookie=$c1 pasid=21 grpid=5 code=success"
check_eq "refused answers reach no hardware" 0 "$(hw vtd0 responses)"
check "the right answer is taken" \
	ctl vtd0 respond "cookie=$c0 pasid=21 grpid=5 code=failure"
check "FAILURE goes out as Response Failure (1111b)" logged vtd0 \
	"^pasid=21 grpid=5 code=failure lpig=1 rid=0x0008 qw0=0x000000150008f019 "
check_fail "a second answer: EALREADY" "already in progress" \
	ctl vtd0 respond "cookie=$c0 pasid=21 grpid=5 code=success"
check_eq "the deferred list is empty" "" "$(cat $MOCK/vtd0/deferred)"
check "every group answered exactly once" exactly_once vtd0 1

inject vtd0 "access pasid=23 addr=0x40000 perm=w last"
settled vtd0 >/dev/null
ctl vtd0 respond "cookie=$(cookie vtd0) pasid=23 grpid=0 code=success"
inject vtd0 "access pasid=23 addr=0x40000 perm=w"
check_eq "answering SUCCESS maps the deferred page" 1 "$(hw vtd0 hits)"

echo 300 > /sys/class/iofault/vtd1/timeout_ms
none_deferred() {
	[ -z "$(cat $MOCK/$1/deferred)" ]
}
check "the timeout answers the deferred group" wait_for none_deferred vtd1
check_fail "an answer after the timeout: ETIMEDOUT" "timed out" \
	ctl vtd1 respond "cookie=$c1 pasid=21 grpid=5 code=success"
check "the hardware got INVALID from the timeout" logged vtd1 \
	"^pasid=21 grpid=5 code=invalid "
echo 5000 > /sys/class/iofault/vtd1/timeout_ms

# A group forwarded to a user-space handler is that handler's to answer.
if [ -f $BPF/forward_pasids.bpf.o ] && iofaultctl help 2>&1 | grep -q listen; then
	iofaultctl attach $BPF/forward_pasids.bpf.o --dev vtd1 \
		--set pasid_min=9 --set pasid_max=9 >/dev/null
	iofaultctl listen --dev vtd1 --respond none >/tmp/listen.out 2>/tmp/listen.err &
	listener=$!
	wait_for grep -q "listening on vtd1" /tmp/listen.err
	inject vtd1 "pasid=9 grpid=3 addr=0x50000 last"
	wait_for grep -q cookie= /tmp/listen.out
	fwd=$(sed -n 's/.* cookie=\(0x[0-9a-f]*\) .*/\1/p' /tmp/listen.out)
	check_fail "a forwarded group's cookie: EACCES" "Permission denied" \
		ctl vtd1 respond "cookie=$fwd pasid=9 grpid=3 code=success"
	kill $listener
	wait $listener
	iofaultctl detach --dev vtd1 >/dev/null
	check_eq "closing the handler answers the group" "unanswered 0" \
		"$(settled vtd1)"
else
	skip "a forwarded group's cookie: EACCES" "no forward policy or listen"
fi
skip "a removed device: ENODEV" "the respond file goes before the device"
ctl vtd0 resolve map
ctl vtd1 resolve map

# --- storms: exactly once at hardware level ---------------------------------
hw_clear vtd0
check "vtd0: a storm of 100000 groups of 2 pages over 4 PASIDs" \
	ctl vtd0 storm "groups=100000 pasids=4 pages=2"
check_eq "vtd0 settles" "unanswered 0" "$(settled vtd0)"
check "vtd0: every group answered exactly once" exactly_once vtd0 100000
check_eq "vtd0: all resolved" 100000 "$(hw vtd0 success)"

hw_clear smmu0
check "smmu0: a storm of 100000 stalls over 3 PASIDs" \
	ctl smmu0 storm "groups=100000 pasids=3"
check_eq "smmu0 settles" "unanswered 0" "$(settled smmu0)"
check "smmu0: every stall answered exactly once" exactly_once smmu0 100000

# iofault's quota below the device's allocation: iofault answers the excess
# at once, still exactly once.
hw_clear vtd1
echo 2 > /sys/class/iofault/vtd1/quota
check "vtd1: a storm past iofault's quota" ctl vtd1 storm "groups=20000 pasids=2"
check_eq "vtd1 settles" "unanswered 0" "$(settled vtd1)"
check "vtd1: every group answered exactly once" exactly_once vtd1 20000
echo 16 > /sys/class/iofault/vtd1/quota

# --- unplug and plug again ---------------------------------------------------
# root FILE NAME: write a device's name to a root control file
root() {
	echo "$2" > $MOCK/$1
}

# record DEV: DEV's line in the unplugged file, of its latest unplug
record() {
	grep "^$1 " $MOCK/unplugged | tail -n 1
}

check "vtd1 is unplugged" root unplug vtd1
check_eq "its record: every group of its last storm answered exactly once" \
	"vtd1 issued 20000 answered 20000 auto 0 unanswered 0 duplicate 0" \
	"$(record vtd1)"
check "its files are gone" test ! -e $MOCK/vtd1
check "so is its iofault device" test ! -e /sys/class/iofault/vtd1
check_fail "unplugging it again: ENODEV" "No such device" root unplug vtd1
check "vtd1 is plugged in again" root plug vtd1
check "it has its files again" test -e $MOCK/vtd1/inject
check_eq "and the module's queue size as iofault's quota" 16 \
	"$(cat /sys/class/iofault/vtd1/quota)"
check_eq "and a hardware record of its own" "issued 0 responses 0" \
	"issued $(hw vtd1 issued) responses $(hw vtd1 responses)"
inject vtd1 "pasid=3 grpid=1 addr=0x1000 last priv=0x5,0x6" "count=4 pasid=4 addr=0x2000"
check_eq "the device added again settles" "unanswered 0" "$(settled vtd1)"
check "every group answered exactly once" exactly_once vtd1 5
check "its storms too" ctl vtd1 storm "groups=2000 pasids=2"
check_eq "vtd1 settles" "unanswered 0" "$(settled vtd1)"
check "every group answered exactly once" exactly_once vtd1 2005
check_fail "plugging a device that is there: EEXIST" "File exists" root plug vtd1
check_fail "plugging smmu0 while it is there: EEXIST" "File exists" root plug smmu0
for name in vtd smmu vtd01 vtd+1 vtd-1 vtd1x vtd64 smmu64 vtd4294967296 \
	sva0 VTD1 " "; do
	check_fail "plug '$name': EINVAL" "Invalid argument" root plug "$name"
done

# A device the load did not make, any index below 64; unplugged while its
# driver is paused, it leaves out of its record what the queue still held.
check "vtd63 is plugged in" root plug vtd63
check_eq "with VT-d's queue size" 16 "$(cat /sys/class/iofault/vtd63/quota)"
inject vtd63 "count=2 pasid=5"
check_eq "vtd63 settles" "unanswered 0" "$(settled vtd63)"
ctl vtd63 pause 1
inject vtd63 "count=3 pasid=6"
check_eq "three groups wait in its paused queue" "issued 5 queued 3" \
	"issued $(hw vtd63 issued) queued $(hw vtd63 queued)"
check "vtd63 is unplugged" root unplug vtd63
check_eq "its record has the groups reported, not those the queue held" \
	"vtd63 issued 2 answered 2 auto 0 unanswered 0 duplicate 0" "$(record vtd63)"
check "smmu63 is plugged in" root plug smmu63
check_eq "with the SMMU's queue size" 16 "$(cat /sys/class/iofault/smmu63/quota)"
ctl smmu63 pause 1
inject smmu63 "count=2 pasid=5"
check "smmu63 is unplugged" root unplug smmu63
check_eq "its record leaves out the stalls its paused queue held" \
	"smmu63 issued 0 answered 0 auto 0 unanswered 0 duplicate 0" "$(record smmu63)"
check "a device unplugged while a settle read waits on it ends the wait" sh -c "
	echo 1 > $MOCK/vtd1/pause
	echo pasid=9 last > $MOCK/vtd1/inject
	(sleep 0.3; echo vtd1 > $MOCK/unplug) &
	! cat $MOCK/vtd1/settle 2>/dev/null"
check_eq "vtd1's record: its groups before the second unplug" \
	"vtd1 issued 2005 answered 2005 auto 0 unanswered 0 duplicate 0" \
	"$(record vtd1)"
check "vtd1 comes back" root plug vtd1

# --- removal with groups outstanding ----------------------------------------
# unloaded: the records the last unload put in the kernel log
unloaded() {
	dmesg | tail -n +$((start + 1)) | sed -n 's/.*iofault_mock: unloaded //p'
}

hw_clear smmu0
ctl vtd0 resolve defer
inject vtd0 "count=3 pasid=30"
inject smmu0 "count=2 pasid=31"
ctl smmu0 pause 1
inject smmu0 "count=3 pasid=30"
check_eq "groups are outstanding" "unanswered 3" "$(settled vtd0)"
start=$(dmesg | wc -l)
check "the mock unloads with groups outstanding" rmmod iofault_mock
check_eq "each device left its record in the kernel log; iofault answered \
every group it got, the stalls the paused queue held are left out" \
	"smmu0 issued 2 answered 2 auto 0 unanswered 0 duplicate 0
vtd0 issued 100003 answered 100003 auto 0 unanswered 0 duplicate 0
vtd1 issued 0 answered 0 auto 0 unanswered 0 duplicate 0" "$(unloaded | sort)"
check "both modules unload" unload_iofault
