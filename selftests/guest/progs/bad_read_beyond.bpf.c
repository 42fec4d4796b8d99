// SPDX-License-Identifier: GPL-2.0
/* Must not load: a policy may not read past the fault it is given. */
#include "iofault.bpf.h"

char LICENSE[] SEC("license") = "GPL";

s32 IOFAULT_PROG(bad_read_beyond_fault, struct iofault_ctx *fault)
{
	/* Where the driver's private data would be, if it were there. */
	return *(u64 *)((char *)fault + sizeof(*fault) + 8) ?
	       IOFAULT_VERDICT_FAIL : IOFAULT_VERDICT_DEFAULT;
}

IOFAULT_POLICY(bad_read_beyond) = {
	.fault = (void *)bad_read_beyond_fault,
};
