#!/bin/sh
# Adopt and release racing binds, unbinds and killed processes behind the
# kernel's IOMMU core (issue 12, item 3): no kernel report (on the debug
# kernel: KASAN, lockdep), every group the device issued answered exactly
# once, nothing left behind.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/core.sh"

check "iommu_mock loads" insmod $MODDIR/iommu_mock.ko || exit 1
check "iofault loads" insmod $MODDIR/iofault.ko || exit 1
check_eq "nothing counted yet" "unplaced 0 detached 0 orphans 0" \
	"$(tr '\n' ' ' < $IOPF | sed 's/ $//')"

# --- adopt racing unbinds and killed processes ------------------------------
if [ -e /sys/kernel/debug/kmemleak ]; then ROUNDS=30; else ROUNDS=150; fi
echo > $M/sva1/hwlog
(
	i=0
	while [ $i -lt $ROUNDS ]; do
		i=$((i + 1))
		if [ $((i % 2)) = 0 ]; then
			svatouch sva1 --pasid 40 --always --pages 16 >/dev/null 2>&1
		else
			svatouch sva1 --pasid 40 --always --pages 64 --rounds 1000 \
				>/dev/null 2>&1 &
			sleep 0.0$((i % 7 + 1))
			kill -9 $! 2>/dev/null
			wait $! 2>/dev/null
			echo "pasid=40" > $M/sva1/unbind 2>/dev/null
		fi
	done
	touch /tmp/race.done
) &
RACE=$!
rm -f /tmp/race.done
n=0
until [ -e /tmp/race.done ]; do
	iofaultctl adopt --dev sva1 --pasid 40 >/dev/null 2>&1
	[ $((n % 3)) = 0 ] && sleep 0.01
	iofaultctl release --dev sva1 --pasid 40 >/dev/null 2>&1
	n=$((n + 1))
done
wait $RACE
echo "pasid=40" > $M/sva1/unbind 2>/dev/null
iofaultctl release --dev sva1 --pasid 40 >/dev/null 2>&1
diag "race: $n adopt/release rounds; $(record sva1)"
check_eq "it settles" "unanswered 0" "$(cat $M/sva1/settle)"
check_eq "every group answered exactly once" \
	"$(hw sva1 issued) 0 0 0" \
	"$(hw sva1 answered) $(hw sva1 duplicate) $(hw sva1 mismatch) $(hw sva1 failure)"
check_eq "no orphan left" 0 "$(iopf orphans)"
check_eq "none unplaced" 0 "$(iopf unplaced)"

check "iofault unloads" unload_iofault
check "unplug sva0" sh -c "echo sva0 > $M/unplug"
check "unplug sva1" sh -c "echo sva1 > $M/unplug"
check "iommu_mock unloads" rmmod iommu_mock

