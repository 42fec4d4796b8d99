# Helpers for guest tests that drive iofault through the mock driver.
# Sourced after lib.sh.

MODDIR=/lib/iofault
MOCK=/sys/kernel/debug/iofault_mock
BPF=/usr/share/iofault/bpf
PROGS=/usr/share/iofault/progs
. "$(dirname "$0")/iofault.sh"

load_iofault() {
	insmod $MODDIR/iofault.ko && insmod $MODDIR/iofault_mock.ko "$@"
}

# inject DEV LINE...: report faults through the mock's "hardware"
inject() {
	dev=$1
	shift
	printf '%s\n' "$@" > $MOCK/$dev/inject
}

# settle DEV...: wait until iofault has nothing outstanding on each DEV
# (resolvers run from a worker, so answers can come after inject returns)
settle() {
	for dev; do
		n=0
		while [ "$(stat $dev outstanding)" != 0 ]; do
			n=$((n + 1))
			[ $n -ge 400 ] && { diag "$dev never settled"; return 1; }
			sleep 0.05
		done
	done
}

# hw DEV KEY: a counter of the responses DEV's hardware received
hw() {
	awk -v k="$2" '$1 == k { print $2 }' $MOCK/$1/hwstats
}

hw_clear() {
	echo > $MOCK/$1/hwlog
}

# no_objects_left: iofault's live devices and policies drop to zero (a
# policy is freed after an RCU grace period: wait a little)
no_objects_left() {
	n=0
	until [ "$(tr '\n' ' ' < /sys/kernel/iofault/objects)" = "devices 0 policies 0 " ]; do
		n=$((n + 1))
		[ $n -ge 100 ] && { cat /sys/kernel/iofault/objects; return 1; }
		sleep 0.05
	done
}

# ctl DEV FILE LINE: write LINE to a control file of DEV; fails with the
# file's errno (the shell prints its text).
ctl() {
	echo "$3" > $MOCK/$1/$2
}

# settled DEV: what is unanswered once DEV's queue is drained and every
# group is answered but the deferred ones ("unanswered N")
settled() {
	cat $MOCK/$1/settle
}

# exactly_once DEV ISSUED: DEV's hardware issued ISSUED groups, got one
# answer for each and nothing else
exactly_once() {
	_got="issued $(hw $1 issued) answered $(hw $1 answered)"
	_got="$_got auto $(hw $1 auto) unanswered $(hw $1 unanswered)"
	_got="$_got duplicate $(hw $1 duplicate)"
	[ "$_got" = "issued $2 answered $(($2 - $(hw $1 auto))) auto $(hw $1 auto) unanswered 0 duplicate 0" ] ||
		{ echo "$1: $_got"; return 1; }
}

