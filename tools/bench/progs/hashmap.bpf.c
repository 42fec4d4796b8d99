// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark policy: one hash-map lookup per fault group. The map holds a
 * verdict per PASID (RESOLVE for PASIDs 0 to NR_PASIDS - 1, filled by
 * init() before the policy decides anything), so every lookup of the
 * benchmark's storm PASIDs hits; a miss would also resolve.
 */
#include "iofault.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define NR_PASIDS	64

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, u32);
	__type(value, u32);
} verdicts SEC(".maps");

s32 IOFAULT_PROG(bench_hashmap_init)
{
	u32 verdict = IOFAULT_VERDICT_RESOLVE;
	int i;

	for (i = 0; i < NR_PASIDS; i++) {
		u32 pasid = i;

		if (bpf_map_update_elem(&verdicts, &pasid, &verdict, BPF_ANY))
			return -12;	/* -ENOMEM: refuse to start */
	}
	return 0;
}

s32 IOFAULT_PROG(bench_hashmap_fault, struct iofault_ctx *fault)
{
	u32 pasid = fault->pasid;
	u32 *verdict;

	verdict = bpf_map_lookup_elem(&verdicts, &pasid);
	return verdict ? *verdict : IOFAULT_VERDICT_RESOLVE;
}

IOFAULT_POLICY(bench_hashmap) = {
	.fault = (void *)bench_hashmap_fault,
	.init = (void *)bench_hashmap_init,
	.name = "bench_hashmap",
};
