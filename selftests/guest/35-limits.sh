#!/bin/sh
# The writable limits (quota, partial_max, timeout_ms): their bounds and
# errnos, who may write them, what a new timeout does to outstanding
# groups, and writes racing the device's removal.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mock.sh"

load_iofault vtd=2 smmu=0 || { not_ok "modules load"; exit 1; }
D=/sys/class/iofault/vtd0

# put LIMIT VALUE: write VALUE to vtd0's LIMIT; the shell says why it failed
put() {
	echo "$2" > $D/$1
}

# --- bounds and errnos -----------------------------------------------------
for l in quota partial_max timeout_ms; do
	before=$(cat $D/$l)
	check_fail "$l 0 is out of range" "out of range" put $l 0
	check_fail "$l -1 is out of range" "out of range" put $l -1
	check_fail "$l 4294967295 is out of range" "out of range" put $l 4294967295
	check_fail "$l 4294967296 is out of range" "out of range" put $l 4294967296
	check_fail "$l 2^64 is out of range" "out of range" \
		put $l 18446744073709551616
	check_fail "$l 'abc' is not a number" "Invalid argument" put $l abc
	check_fail "$l '' is not a number" "Invalid argument" put $l ""
	check_fail "$l '12x' is not a number" "Invalid argument" put $l 12x
	check_eq "$l is unchanged by all that" "$before" "$(cat $D/$l)"
	check "$l 1 is taken" put $l 1
	check_eq "$l reads back 1" 1 "$(cat $D/$l)"
done
check_fail "quota 65537 is out of range" "out of range" put quota 65537
check "quota 65536 is taken" put quota 65536
check_fail "partial_max 65537 is out of range" "out of range" put partial_max 65537
check "partial_max 65536 is taken" put partial_max 0x10000
check_fail "timeout_ms 3600001 is out of range" "out of range" put timeout_ms 3600001
check "timeout_ms 3600000 is taken" put timeout_ms 3600000
put quota 16
put partial_max 256

# --- privileges ------------------------------------------------------------
for l in quota partial_max timeout_ms; do
	before=$(cat $D/$l)
	check_fail "root without capabilities cannot write $l: EPERM" \
		"Operation not permitted" ./runas nocaps sh -c "echo 7 > $D/$l"
	check_fail "nor can another user" "Permission denied" \
		./runas 65534 sh -c "echo 7 > $D/$l"
	check_eq "$l is unchanged" "$before" "$(cat $D/$l)"
	check "root without capabilities still reads $l" \
		./runas nocaps cat $D/$l
done

# --- a new timeout applies to outstanding groups --------------------------
ctl vtd0 resolve defer
inject vtd0 "pasid=3 grpid=1 last"
check_eq "a deferred group is outstanding" 1 "$(stat vtd0 outstanding)"
timeouts=$(stat vtd0 ended_timeout)
check "lowering timeout_ms to 1" put timeout_ms 1
check "times the outstanding group out at once" wait_for settle vtd0
check_eq "by its timeout" $((timeouts + 1)) "$(stat vtd0 ended_timeout)"
put timeout_ms 5000
ctl vtd0 resolve map
check "unload" unload_iofault

# --- writes racing the device's removal ------------------------------------
# Writers hammer every limit of every device while the devices are unplugged
# one by one, then while the mock unloads with the rest: a write must never
# reach a tracker that is being freed (KASAN) nor re-arm its timeout.
NDEV=8
# On the code before the fix, a round caught the race (KASAN, list
# corruption, a freed timeout work) 6 times in 10 on the debug kernel.
ROUNDS=6
start=$(dmesg | wc -l)
round=0
clean=true
while [ $round -lt $ROUNDS ]; do
	round=$((round + 1))
	load_iofault vtd=$NDEV smmu=0 || { not_ok "modules load (round $round)"; exit 1; }
	pids=
	i=0
	while [ $i -lt $NDEV ]; do
		d=/sys/class/iofault/vtd$i
		# One writer a file: the more there are, the more often one
		# runs while the removal waits for a lock.
		./limitwrite $d/quota=16,17,4096 >/tmp/limitwrite.$i &
		pids="$pids $!"
		./limitwrite $d/partial_max=300,2048 >/dev/null &
		pids="$pids $!"
		./limitwrite $d/timeout_ms=100,5000 >/dev/null &
		pids="$pids $!"
		i=$((i + 1))
	done
	# Let every writer get going, then remove half the devices, then the rest.
	sleep 0.2
	i=0
	while [ $i -lt $((NDEV / 2)) ]; do
		echo vtd$i > $MOCK/unplug || clean=false
		i=$((i + 1))
	done
	rmmod iofault_mock || clean=false
	for p in $pids; do
		wait $p || clean=false
	done
	# The timeout work a late write re-armed would run now: give it time.
	sleep 0.3
	no_objects_left || clean=false
	unload_iofault || clean=false
	if dmesg | tail -n +$((start + 1)) | grep -qE 'BUG:|WARNING:|KASAN|Oops'; then
		clean=false
		break
	fi
done
check "$round rounds of limit writes during removal: devices and modules go" $clean
check "no KASAN report, warning or oops" sh -c \
	"! dmesg | tail -n +$((start + 1)) | grep -E 'BUG:|WARNING:|KASAN|Oops'"
diag "$(cat /tmp/limitwrite.0)"
