#!/bin/sh
# The demo, run inside the guest by `make demo`: a fault storm on two mock
# devices, one of them under a BPF policy.
set -e
MOCK=/sys/kernel/debug/iofault_mock

insmod /lib/iofault/iofault.ko
insmod /lib/iofault/iofault_mock.ko vtd=2 smmu=0

echo "== devices"
iofaultctl list
echo
echo "== attach bpf/fail_writes.bpf.o to vtd0 (fails every write fault)"
iofaultctl attach /usr/share/iofault/bpf/fail_writes.bpf.o --dev vtd0
echo
echo "== attach bpf/forward_pasids.bpf.o to vtd1 (PASIDs 7-8 go to user space)"
iofaultctl attach /usr/share/iofault/bpf/forward_pasids.bpf.o --dev vtd1 \
	--set pasid_min=7 --set pasid_max=8
echo "   and a user-space handler (a VMM's stand-in) answers them"
iofaultctl listen --dev vtd1 --quiet --respond success 2>/tmp/listen.err &
LISTENER=$!
until grep -qs '^listening on' /tmp/listen.err; do sleep 0.1; done
iofaultctl list
echo
echo "== storm: on each device, 3000 read and 1000 write page-request groups"
# A VT-d group index has 9 bits: 500 groups a PASID.
for dev in vtd0 vtd1; do
	for pasid in 1 2 3 4 5 6; do
		echo "count=500 pasid=$pasid addr=0x10000000 perm=r"
	done > $MOCK/$dev/inject
	for pasid in 7 8; do
		echo "count=500 pasid=$pasid addr=0x20000000 perm=rw"
	done > $MOCK/$dev/inject
done
# Resolvers answer from a worker: wait until nothing is outstanding.
for dev in vtd0 vtd1; do
	while [ "$(awk '$1 == "outstanding" { print $2 }' /sys/class/iofault/$dev/stats)" != 0 ]; do
		sleep 0.1
	done
done
echo
echo "== what iofault decided, per device"
printf '%-8s %-16s %9s %9s %9s %9s\n' DEVICE POLICY REPORTED RESOLVED FORWARDED FAILED
for dev in vtd0 vtd1; do
	s=/sys/class/iofault/$dev/stats
	v() { awk -v k="$1" '$1 == k { print $2 }' $s; }
	printf '%-8s %-16s %9s %9s %9s %9s\n' $dev \
		"$(sed 's/^device //; s/ /:/' /sys/class/iofault/$dev/policy)" \
		"$(v reported)" "$(v resolved)" "$(v forwarded)" "$(v failed)"
done
echo
echo "== what each device's hardware received"
for dev in vtd0 vtd1; do
	echo "$dev: $(tr '\n' ' ' < $MOCK/$dev/hwstats)"
done
kill $LISTENER
wait $LISTENER
cat /tmp/listen.err
echo
echo "== iofaultctl stats --dev vtd1"
iofaultctl stats --dev vtd1
echo
# A storm long enough (a few seconds under TCG) that the frame's half
# second falls inside it.
echo "== iofaultctl top --once --interval 500, during a storm of 400000 groups on vtd0"
echo "groups=400000 pasids=4" > $MOCK/vtd0/storm &
sleep 0.3
iofaultctl top --once --interval 500
wait
iofaultctl detach --all
