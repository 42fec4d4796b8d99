// SPDX-License-Identifier: GPL-2.0
/*
 * Counts the callbacks it gets, in row `row` of a map pinned by name, so
 * that several instances (global, device, replacement) can be told apart.
 * Its verdict is `verdict` (default FORWARD).
 */
#include "iofault.bpf.h"

char LICENSE[] SEC("license") = "GPL";

const volatile u32 verdict = IOFAULT_VERDICT_FORWARD;
const volatile u32 row;

enum { RC_FAULTS, RC_RESPONSES, RC_TIMEOUTS, RC_EXITS, RC_EXIT_KIND, RC_NR };
#define RC_ROWS	4

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RC_ROWS * RC_NR);
	__type(key, u32);
	__type(value, u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} respcount_events SEC(".maps");

static void note(u32 ev, u64 val, bool add)
{
	u32 key = (row % RC_ROWS) * RC_NR + ev;
	u64 *v = bpf_map_lookup_elem(&respcount_events, &key);

	if (!v)
		return;
	if (add)
		__sync_fetch_and_add(v, val);
	else
		*v = val;
}

s32 IOFAULT_PROG(respcount_fault, struct iofault_ctx *fault)
{
	note(RC_FAULTS, 1, true);
	return verdict;
}

void IOFAULT_PROG(respcount_response, struct iofault_ctx *fault, u32 code,
		  u64 latency_ns)
{
	note(RC_RESPONSES, 1, true);
}

u32 IOFAULT_PROG(respcount_timeout, struct iofault_ctx *fault)
{
	note(RC_TIMEOUTS, 1, true);
	return IOFAULT_RESP_INVALID;
}

void IOFAULT_PROG(respcount_exit, struct iofault_exit_info *info)
{
	note(RC_EXITS, 1, true);
	note(RC_EXIT_KIND, info->kind, false);
}

IOFAULT_POLICY(respcount) = {
	.fault = (void *)respcount_fault,
	.response = (void *)respcount_response,
	.timeout = (void *)respcount_timeout,
	.exit = (void *)respcount_exit,
	.name = "respcount",
};
