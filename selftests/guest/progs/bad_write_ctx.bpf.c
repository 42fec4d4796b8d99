// SPDX-License-Identifier: GPL-2.0
/* Must not load: a policy may not change the fault it is asked about. */
#include "iofault.bpf.h"

char LICENSE[] SEC("license") = "GPL";

s32 IOFAULT_PROG(bad_write_ctx_fault, struct iofault_ctx *fault)
{
	fault->addr = 0;
	return IOFAULT_VERDICT_RESOLVE;
}

IOFAULT_POLICY(bad_write_ctx) = {
	.fault = (void *)bad_write_ctx_fault,
};
