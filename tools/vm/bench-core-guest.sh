# Section 5 of the benchmarks, sourced by bench-guest.sh (its say, out,
# error, use, storm and attach): faults through the kernel's own IOMMU
# core (drivers/iommu/io-pgfault.c), fed by iommu_mock, with and without
# iofault in front of the domain's handler; and iofault's native path
# (iofault_mock, the driver API) beside them.
#
# A variant is one svatouch run on sva0, PASID 1 (the process binds its
# own memory, the device accesses it): CORE_GROUPS single-page groups in
# one access of CORE_GROUPS resident pages ("always": each access faults,
# the pages are present, so the mm handler finds them mapped), or, for the
# _g64 variants, CORE_G64 groups of 64 fresh pages each (the mm handler
# populates them). svatouch times each access from the write to the
# device until the device got every answer (--time), nothing forked in
# between. The variants:
#   up_now        the upstream path, the domain's handler answering each
#                 group at once (SUCCESS), inside the core's call
#   up_mm         the upstream path, the mock's SVA-like handler: a work
#                 item per group, handle_mm_fault on the bound mm
#   core_now      up_now with iofault adopted in front (iofaultctl adopt),
#                 no policy: the built-in policy hands each group back
#   core_now_bpf  core_now with a trivial BPF policy (RESOLVE)
#   core_mm       up_mm with iofault adopted in front, no policy
#   attach_mm     iofault_attach(): iofault is the domain's handler and
#                 its worker runs the mock's mm resolver
#   native        iofault_mock's vtd0 (no core): the built-in policy, the
#                 mock's resolver on iofault's worker
#   native_fail   iofault_mock's vtd1: a BPF policy failing each group at
#                 once (answered inside iofault_report)
# Each round times up_now, then each other variant followed by up_now
# again: a variant is compared with the two up_now runs around it.
# Allocations: one more run of each core variant with the kmem events on
# from just before its access (svatouch --then) to its end, counted by the
# call site's owner.
#
# The drivers also time their report calls: iommu_report_device_fault()
# (iommu_mock) and iofault_report() (iofault_mock), the framework's own
# path with the device's emulation left out.
#
# Output:
#   BENCH core ROUND SEQ VARIANT GROUPS REQUESTS NS
#   BENCH corereport ROUND VARIANT REQUESTS REPORT_NS
#   BENCH corealloc VARIANT REQUESTS CATEGORY COUNT
CORE_ROUNDS=${IOFAULT_CORE_ROUNDS:-11}
CORE_GROUPS=${IOFAULT_CORE_GROUPS:-2048}
CORE_G64=64
CORE_VARIANTS="up_mm core_now core_now_bpf core_mm attach_mm native native_fail
up_now_g64 core_now_g64 core_now_bpf_g64 up_mm_g64 core_mm_g64"
IMOCK=/sys/kernel/debug/iommu_mock
SVATOUCH=/usr/lib/iofault/tests/svatouch

# core_opts VARIANT: svatouch's options for a core variant
core_opts() {
	case $1 in
	*_g64) _shape="--pages 64 --group --rounds $CORE_G64" ;;
	*) _shape="--pages $CORE_GROUPS --touch" ;;
	esac
	case ${1%_g64} in
	up_now | core_now | core_now_bpf) echo "--handler now $_shape" ;;
	up_mm | core_mm) echo "--handler mm $_shape" ;;
	attach_mm) echo "--via iofault $_shape" ;;
	esac
}

# core_then VARIANT: what runs once the memory is bound, before the access
core_then() {
	case ${1%_g64} in
	core_now | core_mm) echo "iofaultctl adopt --dev sva0 --pasid 1" ;;
	core_now_bpf)
		echo "iofaultctl adopt --dev sva0 --pasid 1 &&" \
			"iofaultctl attach $BPFDIR/trivial.bpf.o --dev sva0.pasid1" ;;
	esac
}

# core_run VARIANT [THEN]: one svatouch run (THEN also runs just before
# the access); GROUPS, REQUESTS and NS set
core_run() {
	_then=$(core_then "$1")
	[ -n "${2-}" ] && _then="${_then:+$_then && }$2"
	# shellcheck disable=SC2046 # core_opts is a list of words
	_out=$($SVATOUCH sva0 --pasid 1 --always --time $(core_opts "$1") \
		${_then:+--then "{ $_then; } >/dev/null"} 2>&1)
	_time=$(echo "$_out" | grep '^time_ns') || {
		error "svatouch for $1 failed: $(echo "$_out" | grep -v '^page ' | tr '\n' ' ')"
		NS=0
		return
	}
	set -- $_time
	NS=$2 GROUPS=$4 REQUESTS=$6
	# The policy attached for the run goes with it. svatouch unbound
	# while adopted: iofault keeps the domain's record (an orphan, which
	# pins the module) until it is released by name.
	iofaultctl detach --dev sva0.pasid1 >/dev/null 2>&1
	iofaultctl release --dev sva0 --pasid 1 >/dev/null 2>&1
}

# imock_stat KEY: a counter of sva0's hardware record
imock_stat() {
	while read -r _ik _iv; do
		[ "$_ik" = "$1" ] && { echo "$_iv"; return; }
	done <$IMOCK/sva0/hwstats
}

# report_ns VARIANT: the time the variant's driver has spent in its report
# calls, iommu_report_device_fault() or iofault_report() (which, for the
# at-once variants, answer each group before they return)
report_ns() {
	case $1 in
	native*) hw report_ns ;;
	*) imock_stat report_ns ;;
	esac
}

# core_variant VARIANT ROUND SEQ: one timed run; native variants storm
# iofault_mock's vtd0 (built-in policy) or vtd1 (failing policy)
core_variant() {
	case $1 in
	native) use vtd0 ;;
	native_fail) use vtd1 ;;
	esac
	_rep=$(report_ns "$1")
	case $1 in
	native*)
		storm "$CORE_GROUPS" 4 settle
		GROUPS=$CORE_GROUPS REQUESTS=$CORE_GROUPS
		;;
	*) core_run "$1" ;;
	esac
	out "core $2 $3 $1 $GROUPS $REQUESTS $NS"
	out "corereport $2 $1 $REQUESTS $(($(report_ns "$1") - _rep))"
}

# core_alloc VARIANT: the allocations of one run, by their call site's owner
core_alloc() {
	echo 0 >$T/tracing_on
	echo >$T/trace
	for e in $ALLOC_EVENTS; do
		echo 1 >$T/events/kmem/$e/enable
	done
	core_run "$1" "echo 1 >$T/tracing_on"
	echo 0 >$T/tracing_on
	for e in $ALLOC_EVENTS; do
		echo 0 >$T/events/kmem/$e/enable
	done
	awk '$NF == "[iofault]" || $NF == "[iommu_mock]" { print $3, $NF }' \
		/proc/kallsyms >/tmp/modsyms
	awk -v case="$1" -v requests="$REQUESTS" '
	FILENAME == "/tmp/modsyms" { mod[$1] = $2; next }
	/: (kmalloc|kmem_cache_alloc|kmalloc_node|kmem_cache_alloc_node): call_site=/ {
		site = $0
		sub(/.*call_site=/, "", site)
		sub(/[+ ].*/, "", site)
		if (site in mod)
			n[mod[site] == "[iofault]" ? "iofault" : "mock"]++
		else if (site ~ /^(iommu_report_device_fault|report_partial_fault|iopf_)/)
			n["iommu_core"]++
		else
			n["other_kernel"]++
	}
	END {
		split("iommu_core iofault mock other_kernel", c, " ")
		for (i = 1; i <= 4; i++)
			printf "BENCH corealloc %s %d %s %d\n", case, requests, c[i], n[c[i]] + 0
	}' /tmp/modsyms $T/trace
	echo >$T/trace
	echo 1 >$T/tracing_on
}

core_section() {
	out "info core_rounds $CORE_ROUNDS"
	out "info core_groups $CORE_GROUPS"
	out "info core_g64 $CORE_G64"
	insmod $MOD/iommu_mock.ko || { error "cannot load iommu_mock"; return; }
	load_mock 2 $QSIZE
	use vtd1
	iofaultctl attach /usr/share/iofault/bpf/fail_all.bpf.o --dev vtd1 >/dev/null ||
		error "vtd1: cannot attach fail_all"
	# Warm-up: each variant once.
	for v in up_now $CORE_VARIANTS; do
		core_variant "$v" 0 0 >/dev/null
	done
	r=1
	while [ $r -le "$CORE_ROUNDS" ]; do
		core_variant up_now $r 0
		_seq=0
		for v in $CORE_VARIANTS; do
			core_variant "$v" $r $((_seq + 1))
			core_variant up_now $r $((_seq + 2))
			_seq=$((_seq + 2))
		done
		say "  round $r done"
		r=$((r + 1))
	done
	for v in up_now up_mm core_now core_now_bpf core_mm attach_mm; do
		core_alloc "$v"
	done
	iofaultctl detach --all >/dev/null 2>&1
	rmmod iofault_mock || error "cannot unload iofault_mock"
	echo sva0 >$IMOCK/unplug && echo sva1 >$IMOCK/unplug &&
		rmmod iommu_mock || error "cannot unload iommu_mock"
}
