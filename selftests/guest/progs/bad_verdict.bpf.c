// SPDX-License-Identifier: GPL-2.0
/* Loads, but returns a verdict that does not exist: it must be ejected. */
#include "iofault.bpf.h"

char LICENSE[] SEC("license") = "GPL";

s32 IOFAULT_PROG(bad_verdict_fault, struct iofault_ctx *fault)
{
	return 7;
}

IOFAULT_POLICY(bad_verdict) = {
	.fault = (void *)bad_verdict_fault,
	.name = "bad_verdict",
};
