// SPDX-License-Identifier: GPL-2.0
/*
 * Observe only: count each PASID's fault groups and requests, and leave
 * every decision to the next policy in line.
 */
#include "iofault.bpf.h"

char LICENSE[] SEC("license") = "GPL";

struct pasid_counts {
	u64 groups;
	u64 requests;
	u64 writes;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, u32);
	__type(value, struct pasid_counts);
} counts SEC(".maps");

s32 IOFAULT_PROG(observe_fault, struct iofault_ctx *fault)
{
	struct pasid_counts *c, zero = {};
	u32 pasid = fault->pasid;

	c = bpf_map_lookup_elem(&counts, &pasid);
	if (!c) {
		bpf_map_update_elem(&counts, &pasid, &zero, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&counts, &pasid);
		if (!c)
			return IOFAULT_VERDICT_DEFAULT;
	}
	__sync_fetch_and_add(&c->groups, 1);
	__sync_fetch_and_add(&c->requests, fault->npages);
	if (fault->perm & IOFAULT_PERM_WRITE)
		__sync_fetch_and_add(&c->writes, 1);
	return IOFAULT_VERDICT_DEFAULT;
}

IOFAULT_POLICY(observe) = {
	.fault = (void *)observe_fault,
	.name = "observe",
};
