#!/bin/sh
# Forwarding to a user-space handler through a device's fault descriptor.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mock.sh"
cd "$(dirname "$0")"

OUT=/tmp/listen.out

load_iofault || { not_ok "modules load"; exit 1; }
rm -f /sys/fs/bpf/lifecycle_events

check "attach a policy that forwards everything to vtd0" \
	iofaultctl attach $PROGS/lifecycle.bpf.o --dev vtd0
inject vtd0 "count=3 pasid=4"
settle vtd0
check_eq "no handler listens: forwarded groups fail" 3 "$(hw vtd0 invalid)"

listen vtd0 --count 10
inject vtd0 "count=10 pasid=4 grpid=100"
wait $LISTENER
check_eq "the handler answered 10 records and exited cleanly" 0 $?
settle vtd0
check_eq "the hardware got 10 successes" 10 "$(hw vtd0 success)"
check_eq "iofault counted 10 forwarded groups" 10 "$(stat vtd0 forwarded)"
check "records carry the group's PASID and index" grep -q "pasid=4 grpid=109 " $OUT

hw_clear vtd0
listen vtd0 --count 1 --respond failure
inject vtd0 "pages=3 pasid=2 grpid=7 addr=0x7000 perm=w"
wait $LISTENER
settle vtd0
check "a 3-page group is one record of 3 pages" grep -q "pasid=2 grpid=7 perm=w addr=0x9000 npages=3" $OUT
check_eq "and one FAILURE response" 1 "$(hw vtd0 failure)"

./fdraw vtd0 read 1 >/tmp/raw &
RAW=$!
sleep 0.3
inject vtd0 "pasid=9 grpid=5 addr=0x5000 perm=r priv=0x1122334455667788,0x99aabbccddeeff00 last"
wait $RAW
check "records are version 1, 48 bytes" grep -q "size=48 version=1 " /tmp/raw
check "the driver's private data is not in the record" \
	sh -c '! grep -qiE "8877665544332211|00ffeeddccbbaa99" /tmp/raw'
settle vtd0
check_eq "closing the descriptor answered its group" 1 "$(stat vtd0 ended_close)"

hw_clear vtd0
./fdraw vtd0 bad >/tmp/bad &
RAW=$!
sleep 0.3
inject vtd0 "pasid=6 grpid=1 last"
wait $RAW
for what in "short" "one and a half" "reserved set" "bad code"; do
	check "a write with $what: EINVAL" grep -q "^$what: Invalid argument" /tmp/bad
done
check "a response with an unknown cookie: ENOENT" \
	grep -q "^unknown cookie: No such file or directory" /tmp/bad
check "a response with a wrong PASID: EPROTO" grep -q "^wrong pasid: Protocol error" /tmp/bad
check "a response with another device's cookie: EXDEV" \
	grep -q "^wrong device: Invalid cross-device link" /tmp/bad
check "a group twice in a batch: the first applied, the write stops at the second" \
	grep -q "^twice in a batch: 24 of 48 bytes" /tmp/bad
check "a second answer: EALREADY" grep -q "^again: Operation already in progress" /tmp/bad
check_eq "refused writes changed nothing: one response, a success" "1 1" \
	"$(hw vtd0 responses) $(hw vtd0 success)"

listen vtd0 --respond none
check_fail "a second handler on the same device: EBUSY" "Device or resource busy" \
	iofaultctl listen --dev vtd0
check_fail "an unprivileged handler: EPERM" "Operation not permitted|Permission denied" \
	./runas 65534 iofaultctl listen --dev vtd1
echo 300 > /sys/class/iofault/vtd0/timeout_ms
hw_clear vtd0
inject vtd0 "count=4 pasid=3 grpid=200"
settle vtd0
check_eq "unanswered forwarded groups time out" 4 "$(stat vtd0 ended_timeout)"
check_eq "the hardware got INVALID from the timeout" 4 "$(hw vtd0 invalid)"
kill $LISTENER
wait $LISTENER
check_eq "the policy's timeout callback ran for each" 4 \
	"$(./mapread /sys/fs/bpf/lifecycle_events | awk '$1 == 6 { print $2 }')"

check "attach the forwarding policy to vtd1 too" \
	iofaultctl attach $PROGS/lifecycle.bpf.o --dev vtd1
rm -f /tmp/go
./fdraw vtd1 hold /tmp/go >/tmp/hold &
RAW=$!
sleep 0.3
inject vtd1 "pasid=1 grpid=1 last"
n=0
until grep -q holding /tmp/hold || [ $n -ge 100 ]; do n=$((n + 1)); sleep 0.05; done
# fdinfo DEV: "DEVICE QUEUED HELD" of the fault descriptor fdraw holds
fdinfo() {
	awk '$1 == "iofault-device:" { d = $2 } $1 == "queued:" { q = $2 }
	     $1 == "held:" { h = $2 } END { print d, q, h }' \
		"$(grep -l '^iofault-device:' /proc/$RAW/fdinfo/* | head -n 1)"
}
check_eq "fdinfo: the descriptor's device, and the group it read and holds" \
	"vtd1 0 1" "$(fdinfo)"
inject vtd1 "pasid=1 grpid=2 last"
queued_one() { [ "$(fdinfo)" = "vtd1 1 1" ]; }
wait_for queued_one
check_eq "fdinfo: a forwarded group not read yet is queued" "vtd1 1 1" "$(fdinfo)"
listen vtd0
check "the mock driver unloads while handlers hold groups" rmmod iofault_mock
touch /tmp/go
wait $RAW
check "a response after the device went away: ENODEV" grep -q "^late: No such device" /tmp/hold
wait $LISTENER
check "the listener saw its device go" grep -q "device vtd0 is gone" $OUT
iofaultctl detach --all >/dev/null
check "no device or policy object is left" no_objects_left
check "iofault unloads" unload_iofault
rm -f /sys/fs/bpf/lifecycle_events
