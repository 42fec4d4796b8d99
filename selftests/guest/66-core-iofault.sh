#!/bin/sh
# iofault behind the kernel's IOMMU core, fed by the mock IOMMU: a domain
# attached through iofault_attach() (iommu_mock's via=iofault) gets its
# groups decided by iofault's policies, resolved by the mock's resolver in
# the bound process's memory and answered exactly once through the core;
# iofault loads and unloads while iommu_mock stays, and cannot unload
# while a domain is attached through it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/core.sh"

check "iommu_mock loads" insmod $MODDIR/iommu_mock.ko || exit 1
check "iofault loads after it" insmod $MODDIR/iofault.ko || exit 1

echo > $M/sva0/hwlog
echo "pasid=3 via=iofault" > $M/sva0/bind
check "the attached PASID is an iofault device" \
	test -d /sys/class/iofault/sva0.pasid3
check_fail "iofault cannot unload while it handles a domain" "iofault" \
	rmmod iofault
check "unbind" sh -c "echo pasid=3 > $M/sva0/unbind"
check "its iofault device goes with it" \
	sh -c '! test -e /sys/class/iofault/sva0.pasid3'

# Each run binds, accesses and unbinds: iofault's device lives as long.
touch_ok "PASID 1 via iofault: untouched pages become resident" \
	"resident 4 absent 0 unmapped 0" sva0 --pasid 1 --via iofault --pages 4
check_eq "each group answered SUCCESS exactly once" "$(answered 4 success)" \
	"$(record sva0)"
check_eq "the answers carry the device's private data back" 4 \
	"$(grep -cE '^pasid=1 grpid=[0-9]+ code=success priv=0x[0-9a-f]+,0x[0-9a-f]+$' $M/sva0/hwlog)"
echo > $M/sva0/hwlog
touch_ok "no PASID, a group of 8 written pages" \
	"resident 8 absent 0 unmapped 0" sva0 --via iofault --pages 8 --group --write
check_eq "one group answered SUCCESS once" "$(answered 1 success)" "$(record sva0)"
echo > $M/sva0/hwlog
touch_ok "outside any VMA: nothing mapped" "resident 0 absent 0 unmapped 2" \
	sva0 --pasid 1 --via iofault --pages 2 --unmap
check_eq "both groups answered INVALID" "$(answered 2 invalid)" "$(record sva0)"
echo > $M/sva1/hwlog
touch_ok "a storm through iofault" "resident 16 absent 0 unmapped 0" \
	sva1 --pasid 5 --via iofault --pages 16 --rounds 10
check_eq "160 groups answered SUCCESS once each" "$(answered 160 success)" \
	"$(record sva1)"

# Policies decide. They are attached globally: a device's own policy is
# pinned under its name in bpffs, which refuses names with a '.', as
# "sva1.pasid6" has.
echo > $M/sva1/hwlog
check "attach fail_all globally" \
	iofaultctl attach $BPFDIR/fail_all.bpf.o --global
touch_ok "the policy fails the groups: nothing populated" \
	"resident 0 absent 3 unmapped 0" sva1 --pasid 6 --via iofault --pages 3
check_eq "3 groups answered INVALID, once each" "$(answered 3 invalid)" \
	"$(record sva1)"
check "detach it" iofaultctl detach --global

# Unplugged while iofault holds groups: iofault answers them, once each.
echo > $M/sva1/hwlog
check "forward PASID 2 to user space" \
	iofaultctl attach $BPFDIR/forward_pasids.bpf.o --global \
	--set pasid_min=2 --set pasid_max=2
echo "pasid=2 via=iofault" > $M/sva1/bind
listen_out=/tmp/iofault-listen.out
iofaultctl listen --dev sva1.pasid2 --respond none >$listen_out 2>&1 &
lpid=$!
n=0
until grep -qs '^listening on' $listen_out || [ $n -ge 100 ]; do
	n=$((n + 1))
	sleep 0.1
done
echo "pasid=2 addr=0x10000 pages=4 always" > $M/sva1/access
n=0
until [ "$(stat sva1.pasid2 forwarded)" = 4 ] || [ $n -ge 100 ]; do
	n=$((n + 1))
	sleep 0.1
done
check_eq "4 groups wait in a listener that never answers" \
	"forwarded 4 unanswered 4" \
	"forwarded $(stat sva1.pasid2 forwarded) unanswered $(hw sva1 unanswered)"
check "unplug sva1" sh -c "echo sva1 > $M/unplug"
kill $lpid 2>/dev/null
wait $lpid 2>/dev/null
check "each group answered once" awk '
	$1 == "sva1" && $3 == 4 && $5 == 4 && $13 == 0 && $15 == 0 &&
	$17 == 0 { ok = 1 }
	END { if (!ok) { print; exit 1 } }' $M/unplugged
check "its iofault device is gone" \
	sh -c '! test -e /sys/class/iofault/sva1.pasid2'
check "detach the policy" iofaultctl detach --global

check "iofault unloads while iommu_mock stays" unload_iofault
check_fail "via=iofault then fails cleanly" "No such file" \
	svatouch sva0 --pasid 1 --via iofault
check "iofault loads again" insmod $MODDIR/iofault.ko
touch_ok "and serves the mock again" "resident 1 absent 0 unmapped 0" \
	sva0 --pasid 1 --via iofault

# A domain with another iopf handler (an own bind's, shared with share=)
# is not iofault's to take: EBUSY, and the handler stays.
echo "pasid=12" > $M/sva0/bind
check_fail "iofault_attach() refuses a domain with another handler: EBUSY" \
	"Device or resource busy" \
	sh -c "echo 'pasid=13 via=iofault share=12' > $M/sva0/bind"
check "and nothing is bound" sh -c "! grep -q '^pasid=13' $M/sva0/bind"
check "no iofault device for it" sh -c '! test -e /sys/class/iofault/sva0.pasid13'
echo > $M/sva0/hwlog
echo "pasid=12 addr=0x10000 pages=2 always" > $M/sva0/access
check_eq "the domain's own handler still answers its groups" \
	"$(answered 2 invalid)" "$(record sva0)"
echo "pasid=12" > $M/sva0/unbind
check "iofault unloads" unload_iofault
check "unplug sva0" sh -c "echo sva0 > $M/unplug"
check "iommu_mock unloads" rmmod iommu_mock
