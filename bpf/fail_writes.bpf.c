// SPDX-License-Identifier: GPL-2.0
/*
 * Fail the device's write faults inside an address range, and leave every
 * other fault to the next policy in line (the global one, else the
 * built-in default).
 */
#include "iofault.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Set before loading (skeleton rodata); the default covers everything. */
const volatile u64 range_start = 0;
const volatile u64 range_end = ~0ULL;

s32 IOFAULT_PROG(fail_writes_fault, struct iofault_ctx *fault)
{
	if ((fault->perm & IOFAULT_PERM_WRITE) &&
	    fault->addr >= range_start && fault->addr < range_end)
		return IOFAULT_VERDICT_FAIL;
	return IOFAULT_VERDICT_DEFAULT;
}

IOFAULT_POLICY(fail_writes) = {
	.fault = (void *)fail_writes_fault,
	.name = "fail_writes",
};
