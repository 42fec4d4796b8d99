// SPDX-License-Identifier: GPL-2.0
/*
 * The built-in default, written as a policy: resolve what the device can
 * resolve, forward to user space when a handler listens, fail the rest.
 */
#include "iofault.bpf.h"

char LICENSE[] SEC("license") = "GPL";

s32 IOFAULT_PROG(default_fault, struct iofault_ctx *fault)
{
	if (fault->caps & IOFAULT_CAP_RESOLVE)
		return IOFAULT_VERDICT_RESOLVE;
	if (fault->caps & IOFAULT_CAP_FORWARD)
		return IOFAULT_VERDICT_FORWARD;
	return IOFAULT_VERDICT_FAIL;
}

IOFAULT_POLICY(default_policy) = {
	.fault = (void *)default_fault,
	.name = "default",
};
