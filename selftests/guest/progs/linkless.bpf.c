// SPDX-License-Identifier: GPL-2.0
/*
 * A policy for vtd0 in a SEC(".struct_ops") map: no link, registered with
 * `bpftool struct_ops register`, detached with `unregister`. It fails every
 * group but those of PASID 7, for which it returns the invalid verdict 7,
 * which ejects it. Its init, faults and exits are counted in a map pinned
 * by name (bpftool leaves nothing else to read once it exits).
 */
#include "iofault.bpf.h"

char LICENSE[] SEC("license") = "GPL";

enum { LL_INIT, LL_EXIT, LL_EXIT_KIND, LL_EXIT_CODE, LL_FAULTS, LL_NR };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LL_NR);
	__type(key, u32);
	__type(value, u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} linkless_events SEC(".maps");

static void note(u32 ev, u64 val, bool add)
{
	u64 *v = bpf_map_lookup_elem(&linkless_events, &ev);

	if (!v)
		return;
	if (add)
		__sync_fetch_and_add(v, val);
	else
		*v = val;
}

s32 IOFAULT_PROG(linkless_init)
{
	note(LL_INIT, 1, true);
	return 0;
}

void IOFAULT_PROG(linkless_exit, struct iofault_exit_info *info)
{
	note(LL_EXIT, 1, true);
	note(LL_EXIT_KIND, info->kind, false);
	note(LL_EXIT_CODE, info->code, false);
}

s32 IOFAULT_PROG(linkless_fault, struct iofault_ctx *fault)
{
	note(LL_FAULTS, 1, true);
	return fault->pasid == 7 ? 7 : IOFAULT_VERDICT_FAIL;
}

SEC(".struct_ops") struct iofault_ops linkless = {
	.fault = (void *)linkless_fault,
	.init = (void *)linkless_init,
	.exit = (void *)linkless_exit,
	.target = "vtd0",
	.name = "linkless",
};
