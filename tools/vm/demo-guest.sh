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
iofaultctl list
echo
echo "== storm: on each device, 3000 read and 1000 write page-request groups"
for dev in vtd0 vtd1; do
	printf '%s\n' "count=3000 pasid=1 addr=0x10000000 perm=r" \
		"count=1000 pasid=2 grpid=3000 addr=0x20000000 perm=rw" > $MOCK/$dev/inject
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
iofaultctl detach --all
