// SPDX-License-Identifier: GPL-2.0
/*
 * A token bucket per PASID: each PASID may fault `rate` groups a second,
 * in bursts of up to `burst`. Past that its groups fail at once, so a
 * fault storm from one PASID does not starve the others; within budget
 * the next policy in line decides.
 */
#include "iofault.bpf.h"

char LICENSE[] SEC("license") = "GPL";

const volatile u64 rate = 1000;		/* groups a second */
const volatile u64 burst = 100;		/* groups at once */

struct pasid_budget {
	u64 tokens;	/* in 1/1e9 of a group: whole groups * 1e9 */
	u64 last_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, u32);
	__type(value, struct pasid_budget);
} buckets SEC(".maps");

/* Groups each PASID got failed for, for whoever watches. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, u32);
	__type(value, u64);
} limited SEC(".maps");

#define NSEC 1000000000ULL

static bool take_token(u32 pasid)
{
	u64 now = bpf_ktime_get_ns(), cap = burst * NSEC;
	struct pasid_budget *b, fresh = { .tokens = cap, .last_ns = now };

	b = bpf_map_lookup_elem(&buckets, &pasid);
	if (!b) {
		bpf_map_update_elem(&buckets, &pasid, &fresh, BPF_NOEXIST);
		b = bpf_map_lookup_elem(&buckets, &pasid);
		if (!b)
			return true;
	}
	b->tokens += (now - b->last_ns) * rate;
	if (b->tokens > cap)
		b->tokens = cap;
	b->last_ns = now;
	if (b->tokens < NSEC)
		return false;
	b->tokens -= NSEC;
	return true;
}

s32 IOFAULT_PROG(rate_limit_fault, struct iofault_ctx *fault)
{
	u64 one = 1, *n;
	u32 pasid = fault->pasid;

	if (take_token(pasid))
		return IOFAULT_VERDICT_DEFAULT;
	n = bpf_map_lookup_elem(&limited, &pasid);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&limited, &pasid, &one, BPF_NOEXIST);
	return IOFAULT_VERDICT_FAIL;
}

IOFAULT_POLICY(rate_limit) = {
	.fault = (void *)rate_limit_fault,
	.name = "rate_limit",
};
