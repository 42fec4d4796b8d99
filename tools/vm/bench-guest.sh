#!/bin/sh
# The benchmarks, run inside the guest by `make bench` (tools/bench/run.sh
# boots the guest with tools/vm/run.sh bench, then turns what this prints
# into BENCHMARKS.md). Everything is measured in this one guest run:
#
#  1. policies: the per-fault cost of a storm of GROUPS single-page groups
#     over 4 PASIDs on a mock VT-d device (a 1024-entry PRQ; the device
#     keeps up to 1024 groups outstanding), one device per variant, all set
#     up first: vtd0 under the built-in C policy (no policy attached), vtd1
#     a trivial BPF policy, vtd2 a BPF policy doing a hash-map lookup (all
#     three: the mock's resolver maps the page); vtd3 to vtd6 a BPF policy
#     returning FORWARD, each with `iofaultctl listen --batch N --quiet
#     --respond success` (N = 1, 16, 64, 256); vtd7 the built-in policy
#     with a 1 ms timeout while the resolver defers every group, so that
#     nobody answers and the timeout does. Each of ROUNDS rounds storms
#     vtd0, then each other device followed by vtd0 again: every variant's
#     storm is framed by two storms of the built-in policy, taken seconds
#     apart at most, which its cost is compared with.
#  2. scale: a storm on PASID 1 under the built-in policy while HELD groups
#     stay outstanding (forwarded to a handler that never answers them),
#     for HELD = 1, 16, 256, 4096 and 65472, with at most 64 groups of the
#     storm in flight (the mock is loaded with a PRQ of HELD + 64 entries,
#     which is also the device's outstanding limit and iofault's quota:
#     65536, the largest quota, at the top step). Each round reloads the
#     mock for each step in turn: SCALE_ROUNDS rounds. The mock also has
#     smmu0, a reference the same in every step (an SMMU-like device with
#     a 64-entry event queue and nothing held), stormed just before and
#     just after the timed storm, to take the host's varying load out of
#     the comparison between steps.
#  3. allocations: kmalloc and kmem_cache_alloc events (and their _node
#     variants where the kernel has them) and mm_page_alloc during one
#     storm of each path, attributed by the call site or else the innermost
#     frame of iofault.ko or iofault_mock.ko on the allocation's stack.
#  4. where the time goes: one more storm of each path (and of the first
#     and last scale steps) under the function_graph tracer, limited to
#     iofault's entry points on the fault path, the mock driver's callbacks
#     they call and the mock's hardware and device functions, sleep time
#     excluded; and the BPF policies' own run time
#     (kernel.bpf_stats_enabled). These storms are not timed.
#  5. behind the IOMMU core: see tools/vm/bench-core-guest.sh.
# Sections 3 and 4 run on the devices of section 1, before section 2.
#
# A time is taken with two writes to tracefs' trace_marker (clock "global")
# around a storm: from before the write to the mock's storm file until
# every group of it has been answered to the mock's hardware. No process
# is forked between the two marks.
#
# Output for tools/bench/run.sh, one line each (the rest is for people):
#   BENCH info KEY VALUE...
#   BENCH policy ROUND SEQ VARIANT GROUPS NS
#   BENCH scale ROUND HELD GROUPS NS OUTSTANDING_BEFORE REF_NS_BEFORE REF_NS_AFTER
#   BENCH alloc CASE GROUPS CATEGORY COUNT
#   BENCH alloctop CASE COUNT CALL_SITE   (the other_kernel call sites)
#   BENCH allocsite CASE COUNT CATEGORY FUNCTION (the others, by function)
#   BENCH prof CASE GROUPS FUNCTION CALLS TOTAL_NS MEDIAN_NS
#   BENCH bpfprog PROGRAM RUN_CNT RUN_TIME_NS
#   BENCH error MESSAGE
#   BENCH core ... and BENCH corealloc ... (section 5)
# Parameters (kernel command line): iofault.rounds=N, iofault.scale_rounds=N,
# iofault.groups=N, iofault.core_rounds=N, iofault.core_groups=N.
MOD=/lib/iofault
MOCK=/sys/kernel/debug/iofault_mock
T=/sys/kernel/tracing
BPFDIR=/usr/share/iofault/bench
ROUNDS=${IOFAULT_ROUNDS:-25}
SCALE_ROUNDS=${IOFAULT_SCALE_ROUNDS:-25}
NGROUPS=${IOFAULT_GROUPS:-4000}
ALLOC_GROUPS=2000
QSIZE=1024		# the policies' PRQ size and device's outstanding limit
PASIDS=4		# 4 x 512 PRG indexes: room for QSIZE groups
WINDOW=64		# scale: groups of the storm in flight at most
HELD_STEPS="1 16 256 4096 65472"
FORWARD_BATCHES="1 16 64 256"
# The devices of section 1: VARIANT:DEVICE
VARIANTS="builtin:vtd0 bpf_trivial:vtd1 bpf_hashmap:vtd2 forward_b1:vtd3
forward_b16:vtd4 forward_b64:vtd5 forward_b256:vtd6 timeout_1ms:vtd7"
HELD_PASID=1000		# held groups' PASIDs: 1000, 1001... (storms use 1..)
status=0

say() {
	read -r _up _ </proc/uptime
	echo "bench: [$_up s] $*"
}
out() { echo "BENCH $*"; }
error() {
	out "error $*"
	status=1
}

# use DEV: the device the functions below work on
use() {
	DEV=$1
	CLASS=/sys/class/iofault/$1
}

# --- timing -----------------------------------------------------------------
mark() { echo "$1" >$T/trace_marker; }

# The nanoseconds between the marks bench-start and bench-end (seconds with
# 6 decimals; never split them: busybox awk reads "012345" as octal).
elapsed() {
	awk '/tracing_mark_write: bench-(start|end)$/ {
		for (i = 1; i <= NF; i++)
			if ($i ~ /^[0-9]+\.[0-9]+:$/) { ts = $i; sub(":", "", ts) }
		if ($NF == "bench-start") s = ts; else e = ts
	} END { if (s && e) printf "%d\n", (e - s) * 1000000000 + 0.5; else print "0" }' $T/trace
}

# stat KEY: a counter of the device's iofault statistics
stat() {
	while read -r _sk _sv; do
		[ "$_sk" = "$1" ] && { echo "$_sv"; return; }
	done <$CLASS/stats
}

# hw KEY: a counter of the device's mock hardware
hw() {
	while read -r _hk _hv; do
		[ "$_hk" = "$1" ] && { echo "$_hv"; return; }
	done <$MOCK/$DEV/hwstats
}

# wait_outstanding N: spin until the device has at most N groups outstanding
# (reading sysfs with the shell's read: no fork)
wait_outstanding() {
	while :; do
		while read -r _wk _wv; do
			[ "$_wk" = outstanding ] && break
		done <$CLASS/stats
		[ "$_wv" -le "$1" ] && return
	done
}

# storm GROUPS PASIDS HOW: time a storm on the device, its nanoseconds in
# NS. HOW says how to know that every group is answered: settle (the mock's
# settle file blocks until then), or outstanding=N (iofault has N left:
# groups held elsewhere, or the resolver deferred them). It runs in this
# shell, not in a subshell: nothing is forked between the two marks.
storm() {
	_answered=$(hw answered)
	_auto=$(hw auto)
	echo >$T/trace
	mark bench-start
	echo "groups=$1 pasids=$2" >$MOCK/$DEV/storm || error "$DEV: storm write failed"
	case $3 in
	settle) read -r _ _ <$MOCK/$DEV/settle ;;
	outstanding=*) wait_outstanding "${3#outstanding=}" ;;
	esac
	mark bench-end
	NS=$(elapsed)
	[ "$NS" -gt 0 ] || error "$DEV: no time for a storm of $1 ($NS)"
	[ "$(($(hw answered) - _answered))" = "$1" ] ||
		error "$DEV: storm of $1: $(($(hw answered) - _answered)) answered"
	[ "$(hw auto)" = "$_auto" ] ||
		error "$DEV: storm of $1: the PRQ overflowed ($(($(hw auto) - _auto)) auto responses)"
}

# --- policies and listeners --------------------------------------------------
attach() {
	iofaultctl attach "$BPFDIR/$1.bpf.o" --dev $DEV >/dev/null ||
		error "$DEV: cannot attach $1"
}

detach() {
	iofaultctl detach --dev $DEV >/dev/null || error "$DEV: cannot detach"
}

# listen_start OUT ARGS...: a handler on the device's fault descriptor, its
# stdout in OUT, its pid added to LISTENERS; returns once the descriptor
# is open
LISTENERS=
listen_start() {
	_out=$1
	shift
	rm -f /tmp/listen-$DEV.err
	iofaultctl listen --dev $DEV "$@" >"$_out" 2>/tmp/listen-$DEV.err &
	LISTENERS="$LISTENERS $!"
	_n=0
	until grep -q '^listening on' /tmp/listen-$DEV.err 2>/dev/null; do
		_n=$((_n + 1))
		[ $_n -ge 200 ] && { error "$DEV: listener did not start"; return 1; }
		sleep 0.05
	done
}

listen_stop_all() {
	for _p in $LISTENERS; do
		kill "$_p" 2>/dev/null
		wait "$_p"
	done
	LISTENERS=
	cat /tmp/listen-*.err 2>/dev/null | grep -v '^listening on' | sed 's/^/bench:   /'
	rm -f /tmp/listen-*.err
}

# load_mock VTDS PRQ_SIZE
load_mock() {
	[ -d /sys/module/iofault_mock ] && rmmod iofault_mock
	insmod $MOD/iofault_mock.ko vtd="$1" smmu=0 prq_size="$2" ||
		error "cannot load iofault_mock vtd=$1 prq_size=$2"
}

# --- 1. policies ---------------------------------------------------------------
# The device of VARIANT, in DEV.
variant_dev() {
	for _vd in $VARIANTS; do
		[ "${_vd%%:*}" = "$1" ] && { use "${_vd#*:}"; return; }
	done
}

# Each device gets its policy (and handler, and settings).
policies_setup() {
	load_mock 8 $QSIZE
	variant_dev bpf_trivial
	attach trivial
	variant_dev bpf_hashmap
	attach hashmap
	for b in $FORWARD_BATCHES; do
		variant_dev "forward_b$b"
		attach forward
		listen_start /dev/null --batch "$b" --quiet --respond success
	done
	# Nobody answers: the resolver defers each group, the timeout answers.
	variant_dev timeout_1ms
	echo defer >$MOCK/$DEV/resolve
	echo 1 >$CLASS/timeout_ms
}

# How each variant knows its storm is over.
how() {
	case $1 in
	timeout_*) echo outstanding=0 ;;
	*) echo settle ;;
	esac
}

# A round: the built-in device, then each other variant followed by the
# built-in device again, so that every variant's storm is framed by two
# built-in storms.
policy_round() {
	_seq=0
	for _pv in $VARIANTS; do
		_pn=${_pv%%:*}
		[ "$_pn" = builtin ] && continue
		if [ $_seq = 0 ]; then
			variant_dev builtin
			storm "$NGROUPS" $PASIDS settle
			out "policy $1 $_seq builtin $NGROUPS $NS"
		fi
		use "${_pv#*:}"
		storm "$NGROUPS" $PASIDS "$(how "$_pn")"
		out "policy $1 $((_seq + 1)) $_pn $NGROUPS $NS"
		variant_dev builtin
		storm "$NGROUPS" $PASIDS settle
		out "policy $1 $((_seq + 2)) builtin $NGROUPS $NS"
		_seq=$((_seq + 2))
	done
}

# --- 2. scale ------------------------------------------------------------------
# hold N: N groups forwarded to a handler that never answers them (its
# output, a line per record read, tells when it has read them all)
hold() {
	_left=$1
	_pasid=$HELD_PASID
	while [ "$_left" -gt 0 ]; do
		_c=$((_left < 512 ? _left : 512))
		echo "pasid=$_pasid grpid=0 count=$_c last" >$MOCK/$DEV/inject ||
			error "$DEV: inject of held groups failed"
		_left=$((_left - _c))
		_pasid=$((_pasid + 1))
	done
	_n=0
	until [ "$(wc -l </tmp/held.out)" -ge "$1" ]; do
		_n=$((_n + 1))
		[ $_n -ge 600 ] && { error "the handler did not read $1 groups"; return 1; }
		sleep 0.1
	done
}

# scale_step ROUND HELD [profile]: one step. The mock is loaded with vtd0,
# whose queue and outstanding limit are HELD + WINDOW, and smmu0, a
# reference whose event queue and limit are WINDOW in every step: the
# timed storm on vtd0 is framed by two on smmu0. With profile, the storm
# after the warm-up is profiled (section 4) instead.
scale_step() {
	_round=$1
	_held=$2
	[ -d /sys/module/iofault_mock ] && rmmod iofault_mock
	insmod $MOD/iofault_mock.ko vtd=1 smmu=1 prq_size=$((_held + WINDOW)) \
		evtq_size=$WINDOW || error "cannot load iofault_mock for $_held held"
	use vtd0
	echo 3600000 >$CLASS/timeout_ms
	attach forward
	listen_start /tmp/held.out --respond none --batch 256 || return
	hold "$_held"
	# From here on the built-in policy decides: the resolver resolves.
	detach
	[ "$(stat outstanding)" = "$_held" ] ||
		error "held $_held: $(stat outstanding) outstanding"
	storm "$NGROUPS" 1 outstanding="$_held"	# warm-up: maps the pages
	use smmu0
	storm "$NGROUPS" 1 settle		# warm-up
	if [ "${3-}" = profile ]; then
		use vtd0
		profile "held_$_held" outstanding="$_held" 1
	else
		storm "$NGROUPS" 1 settle
		_ref1=$NS
		use vtd0
		_before=$(stat outstanding)
		storm "$NGROUPS" 1 outstanding="$_held"
		_ns=$NS
		use smmu0
		storm "$NGROUPS" 1 settle
		out "scale $_round $_held $NGROUPS $_ns $_before $_ref1 $NS"
	fi
	listen_stop_all
	rm -f /tmp/held.out
}

# --- 3. allocations --------------------------------------------------------------
ALLOC_EVENTS=
for e in kmalloc kmem_cache_alloc kmalloc_node kmem_cache_alloc_node mm_page_alloc; do
	[ -d $T/events/kmem/$e ] && ALLOC_EVENTS="$ALLOC_EVENTS $e"
done

# alloc_count VARIANT: one storm of ALLOC_GROUPS on the variant's device
# with the allocation events on, each with its stack, from just before the
# write to the storm file until every group is answered (nothing forked
# meanwhile); prints a BENCH alloc line per category
alloc_count() {
	variant_dev "$1"
	_how=$(how "$1")
	_answered=$(hw answered)
	echo 0 >$T/tracing_on
	echo >$T/trace
	echo 1 >$T/options/stacktrace
	for e in $ALLOC_EVENTS; do
		echo 1 >$T/events/kmem/$e/enable
	done
	echo 1 >$T/tracing_on
	echo "groups=$ALLOC_GROUPS pasids=$PASIDS" >$MOCK/$DEV/storm ||
		error "$DEV: storm write failed"
	case $_how in
	settle) read -r _ _ <$MOCK/$DEV/settle ;;
	outstanding=*) wait_outstanding "${_how#outstanding=}" ;;
	esac
	echo 0 >$T/tracing_on
	for e in $ALLOC_EVENTS; do
		echo 0 >$T/events/kmem/$e/enable
	done
	echo 0 >$T/options/stacktrace
	[ "$(($(hw answered) - _answered))" = $ALLOC_GROUPS ] ||
		error "$DEV: alloc storm: $(($(hw answered) - _answered)) answered"
	_lost=0
	for f in $T/per_cpu/cpu*/stats; do
		_lost=$((_lost + $(awk '$1 == "overrun:" { print $2 }' "$f")))
	done
	[ "$_lost" = 0 ] || error "alloc $1: $_lost trace events lost"
	# The module functions, by module; then each event by its call site,
	# or else by the innermost module function on its stack.
	awk '$NF == "[iofault]" || $NF == "[iofault_mock]" { print $3, $NF }' \
		/proc/kallsyms >/tmp/modsyms
	awk -v case="$1" -v groups=$ALLOC_GROUPS -v events="$ALLOC_EVENTS" '
	function category(fn, mod) {
		if (mod == "[iofault]")
			return "iofault"
		if (fn ~ /^mock_(resolve|defer|map_fault|pt_map|pt_allows|respond|undefer)$/)
			return "mock_resolver"
		if (fn ~ /^mock_(storm|storm_write|storm_line|write_lines|inject|inject_write|inject_line|send_group|wait_drained|count_hit|mapped)$/ ||
		    fn ~ /_pick_(grpid|stag)$/)
			return "mock_storm_generator"
		return "mock_hardware_and_driver"
	}
	function flush() {
		if (pending) {
			n[cat ? cat : "other_kernel"]++
			if (cat)
				where[cat " " fn]++
			else
				other[site]++
		}
		pending = 0
		cat = ""
	}
	FILENAME == "/tmp/modsyms" { mod[$1] = $2; next }
	/^#/ { next }
	/: (kmalloc|kmem_cache_alloc|kmalloc_node|kmem_cache_alloc_node): call_site=/ {
		flush()
		pending = 1
		site = $0
		sub(/.*call_site=/, "", site)
		sub(/[+ ].*/, "", site)
		fn = site
		if (site in mod)
			cat = category(site, mod[site])
		next
	}
	# A page: no call site, only the stack (a slab refill is counted again).
	/: mm_page_alloc: / {
		flush()
		pending = 1
		site = "page"
		next
	}
	/^ => / && pending && !cat {
		fn = $2
		sub(/\+.*/, "", fn)
		if (fn in mod)
			cat = category(fn, mod[fn])
		next
	}
	END {
		flush()
		printf "BENCH alloc %s %d events%s\n", case, groups, events
		split("iofault mock_resolver mock_hardware_and_driver mock_storm_generator other_kernel", c, " ")
		for (i = 1; i <= 5; i++)
			printf "BENCH alloc %s %d %s %d\n", case, groups, c[i], n[c[i]] + 0
		for (s in other)
			printf "BENCH alloctop %s %d %s\n", case, other[s], s
		for (w in where)
			printf "BENCH allocsite %s %d %s\n", case, where[w], w
	}' /tmp/modsyms $T/trace
	echo >$T/trace
	echo 1 >$T/tracing_on
}

# --- 4. where the time goes ----------------------------------------------------------
# iofault's entry points on the fault path, the mock driver's callbacks
# that they call (to take out of iofault's time), and the mock's own
# hardware and device functions.
PROF_FUNCS="iofault_report iofault_tracker_report iofault_resolve_work
iofault_tracker_respond iofault_queue_read iofault_queue_write
iofault_timeout_work mock_resolve vtd_page_response mock_hw_answer vtd_send
mock_hw_issue vtd_pick_grpid"

# profile CASE HOW: one storm of ALLOC_GROUPS on the device (DEV) under the
# function_graph tracer; a BENCH prof line per function
profile() {
	echo 0 >$T/tracing_on
	echo $PROF_FUNCS >$T/set_ftrace_filter || error "cannot set the ftrace filter"
	echo function_graph >$T/current_tracer
	echo 0 >$T/options/sleep-time
	echo 1 >$T/options/funcgraph-tail
	echo >$T/trace
	echo 1 >$T/tracing_on
	echo "groups=$ALLOC_GROUPS pasids=$3" >$MOCK/$DEV/storm ||
		error "$DEV: storm write failed"
	case $2 in
	settle) read -r _ _ <$MOCK/$DEV/settle ;;
	outstanding=*) wait_outstanding "${2#outstanding=}" ;;
	esac
	echo 0 >$T/tracing_on
	_lost=0
	for f in $T/per_cpu/cpu*/stats; do
		_lost=$((_lost + $(awk '$1 == "overrun:" { print $2 }' "$f")))
	done
	[ "$_lost" = 0 ] || error "profile $1: $_lost trace events lost"
	# " 0) + 14.953 us   |  name [mod]();" or "... |  } /* name [mod] */":
	# "name ns" lines, sorted (by sort: awk is slow under TCG), then the
	# count, total and median of each function.
	awk '/ us +\|/ {
		d = $0
		sub(/ us +\|.*/, "", d)
		sub(/.*[ !+#*@$]/, "", d)
		f = $0
		if (f ~ /\} \/\* /)
			sub(/.*\} \/\* /, "", f)
		else
			sub(/.*\|[ ]+/, "", f)
		sub(/[ (].*/, "", f)
		printf "%s %d\n", f, d * 1000
	}' $T/trace | sort -k1,1 -k2,2n >/tmp/prof.txt
	for f in $PROF_FUNCS; do
		awk -v f="$f" '$1 == f { v[++n] = $2; t += $2 }
		END {
			m = n ? (n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2) : 0
			printf "%d %d %d\n", n, t, m
		}' /tmp/prof.txt | {
			read -r _n _t _m
			out "prof $1 $ALLOC_GROUPS $f $_n $_t $_m"
		}
	done
	rm -f /tmp/prof.txt
	echo nop >$T/current_tracer
	echo >$T/set_ftrace_filter
	echo >$T/trace
	echo 1 >$T/tracing_on
}

# bpf_runtime: the run time of the benchmark's policy programs that ran
# while kernel.bpf_stats_enabled was on
bpf_runtime() {
	bpftool prog show | awk '
	/ struct_ops / && / name / {
		name = ""; t = 0; c = 0
		for (i = 1; i <= NF; i++) {
			if ($i == "name") name = $(i + 1)
			if ($i == "run_time_ns") t = $(i + 1)
			if ($i == "run_cnt") c = $(i + 1)
		}
		if (name ~ /^bench_.*_fault$/ && c > 0)
			printf "BENCH bpfprog %s %d %d\n", name, c, t
	}'
}

# --- 5. behind the IOMMU core: tools/vm/bench-core-guest.sh ------------------------
. /usr/lib/iofault/bench-core.sh

# --- the run --------------------------------------------------------------------------
mount | grep -q " $T " || mount -t tracefs tracefs $T
echo global >$T/trace_clock
echo 16384 >$T/buffer_size_kb
echo 1 >$T/tracing_on

out "info kernel $(uname -r)"
out "info cpus $(nproc)"
out "info cpu_model $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)"
out "info memory_kb $(awk '$1 == "MemTotal:" { print $2 }' /proc/meminfo)"
out "info rounds $ROUNDS"
out "info scale_rounds $SCALE_ROUNDS"
out "info groups $NGROUPS"
out "info alloc_groups $ALLOC_GROUPS"
out "info qsize $QSIZE"
out "info pasids $PASIDS"
out "info window $WINDOW"
out "info alloc_events$ALLOC_EVENTS"

insmod $MOD/iofault.ko || { error "cannot load iofault"; exit 1; }

say "1. policies: $ROUNDS rounds of $NGROUPS groups per variant"
policies_setup
for _vd in $VARIANTS; do	# warm-up: maps each device's pages
	use "${_vd#*:}"
	storm "$NGROUPS" $PASIDS "$(how "${_vd%%:*}")"
done
r=1
while [ $r -le "$ROUNDS" ]; do
	policy_round $r
	say "  round $r done"
	r=$((r + 1))
done

say "3. allocations: one storm of $ALLOC_GROUPS groups per variant"
for v in builtin bpf_trivial bpf_hashmap forward_b64 timeout_1ms; do
	alloc_count $v
done
say "4. where the time goes: one storm of $ALLOC_GROUPS groups per variant"
for v in builtin bpf_trivial bpf_hashmap forward_b1 forward_b64 forward_b256 timeout_1ms; do
	variant_dev $v
	profile $v "$(how $v)" $PASIDS
done
sysctl -qw kernel.bpf_stats_enabled=1
for v in bpf_trivial bpf_hashmap forward_b64; do
	variant_dev $v
	storm $ALLOC_GROUPS $PASIDS settle
done
sysctl -qw kernel.bpf_stats_enabled=0
bpf_runtime	# each device has its own program: one storm each
say "iofault's statistics of the devices:"
for _vd in $VARIANTS; do
	use "${_vd#*:}"
	say "  ${_vd%%:*} ($DEV): $(tr '\n' ' ' <$CLASS/stats)"
done
listen_stop_all
iofaultctl detach --all >/dev/null || error "cannot detach the policies"

say "2. scale: $SCALE_ROUNDS rounds, held groups $HELD_STEPS"
r=1
while [ $r -le "$SCALE_ROUNDS" ]; do
	for k in $HELD_STEPS; do
		scale_step $r "$k"
	done
	say "  round $r done"
	r=$((r + 1))
done

say "4. where the time goes, first and last scale steps"
scale_step 0 "${HELD_STEPS%% *}" profile
scale_step 0 "${HELD_STEPS##* }" profile

iofaultctl detach --all >/dev/null 2>&1
say "5. behind the IOMMU core: $CORE_ROUNDS rounds"
core_section
n=0
until rmmod iofault 2>/dev/null; do
	n=$((n + 1))
	[ $n -ge 100 ] && { error "cannot unload iofault"; break; }
	sleep 0.1
done
say "done (status $status)"
exit $status
