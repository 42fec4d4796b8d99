// SPDX-License-Identifier: GPL-2.0
/*
 * Count iofault_response tracepoint events by response code, and
 * iofault_verdict events, from a BPF program: iofault's tracepoints are
 * usable by any tracing tool.
 */
#include "iofault.bpf.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, IOFAULT_RESP_NR + 1);
	__type(key, u32);
	__type(value, u64);
} trace_counts SEC(".maps");

static void count(u32 key)
{
	u64 *n = bpf_map_lookup_elem(&trace_counts, &key);

	if (n)
		__sync_fetch_and_add(n, 1);
}

SEC("tracepoint/iofault/iofault_response")
int on_response(struct trace_event_raw_iofault_response *ev)
{
	count(ev->code);
	return 0;
}

/* Verdicts land after the response codes. */
SEC("tracepoint/iofault/iofault_verdict")
int on_verdict(struct trace_event_raw_iofault_verdict *ev)
{
	count(IOFAULT_RESP_NR);
	return 0;
}
