# Helpers for guest tests of iofault itself, whichever driver feeds it
# (mock.sh: iofault_mock; core.sh: iommu_mock behind the IOMMU core).
# Sourced after lib.sh.

# Detach every policy and unload both modules. The BPF core frees a
# detached policy's map, and with it its module reference, after an RCU
# grace period: retry rmmod for a while.
unload_iofault() {
	iofaultctl detach --all >/dev/null 2>&1
	[ -d /sys/module/iofault_mock ] && rmmod iofault_mock
	n=0
	while ! rmmod iofault 2>/dev/null; do
		n=$((n + 1))
		[ $n -ge 100 ] && { rmmod iofault; return 1; }
		sleep 0.1
	done
}

# stat DEV KEY: one of iofault's statistics for DEV
stat() {
	awk -v k="$2" '$1 == k { print $2 }' /sys/class/iofault/$1/stats
}

# wait_for CMD...: retry CMD for up to 10 s
wait_for() {
	_n=0
	until "$@"; do
		_n=$((_n + 1))
		[ $_n -ge 100 ] && return 1
		sleep 0.1
	done
}

# listen DEV ARGS...: start `iofaultctl listen` in the background ($LISTENER),
# its output in /tmp/listen.out, and wait until its descriptor is open
listen() {
	_dev=$1
	shift
	rm -f /tmp/listen.err
	iofaultctl listen --dev "$_dev" "$@" >/tmp/listen.out 2>/tmp/listen.err &
	LISTENER=$!
	wait_for grep -qs '^listening on' /tmp/listen.err ||
		{ diag "listener did not start: $(cat /tmp/listen.err)"; return 1; }
}
