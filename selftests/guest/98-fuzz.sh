#!/bin/sh
# The guest fuzzer (selftests/guest/fuzz/, iofuzz): random sequences of
# every user action, from several processes and threads, with its
# invariants checked as it goes and after each epoch. It prints its seed
# first, and on a failure the last actions of every thread.
#
# How long: IOFAULT_FUZZ_SECONDS (kernel command line iofault.fuzz_seconds,
# as `make fuzz SECONDS=N` sets it), else 60 s, 150 s on the debug kernel.
# IOFAULT_FUZZ_SEED (iofault.fuzz_seed, `make fuzz SEED=S`) replays a seed.
. "${0%/*}/lib.sh"

if [ -e /sys/kernel/debug/kmemleak ]; then
	secs=${IOFAULT_FUZZ_SECONDS:-150}
else
	secs=${IOFAULT_FUZZ_SECONDS:-60}
fi
for m in iommu_mock iofault_mock iofault; do
	[ -d /sys/module/$m ] && rmmod $m
done
iofuzz --seconds "$secs" ${IOFAULT_FUZZ_SEED:+--seed "$IOFAULT_FUZZ_SEED"} \
	${IOFAULT_FUZZ_ARGS-}
