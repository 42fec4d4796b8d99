// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark policy: the cheapest possible BPF decision. It returns the
 * verdict the built-in default gives a device with a resolver (RESOLVE) at
 * once, so that the benchmark compares the cost of asking a BPF program
 * with the cost of the built-in C decision, and nothing else.
 */
#include "iofault.bpf.h"

char LICENSE[] SEC("license") = "GPL";

s32 IOFAULT_PROG(bench_trivial_fault, struct iofault_ctx *fault)
{
	return IOFAULT_VERDICT_RESOLVE;
}

IOFAULT_POLICY(bench_trivial) = {
	.fault = (void *)bench_trivial_fault,
	.name = "bench_trivial",
};
