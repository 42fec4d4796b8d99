// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark policy: forward every fault group to the device's user-space
 * handler (the fault descriptor), whatever the device could do itself.
 */
#include "iofault.bpf.h"

char LICENSE[] SEC("license") = "GPL";

s32 IOFAULT_PROG(bench_forward_fault, struct iofault_ctx *fault)
{
	return IOFAULT_VERDICT_FORWARD;
}

IOFAULT_POLICY(bench_forward) = {
	.fault = (void *)bench_forward_fault,
	.name = "bench_forward",
};
