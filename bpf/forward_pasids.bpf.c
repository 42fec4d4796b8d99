// SPDX-License-Identifier: GPL-2.0
/*
 * Forward the faults of a guest's PASIDs to its VMM, and resolve the rest
 * in the kernel: the guest's PASIDs are [pasid_min, pasid_max].
 */
#include "iofault.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Set at load time (iofaultctl attach --set pasid_min=N ...). */
const volatile u32 pasid_min = 1;
const volatile u32 pasid_max = 0;

s32 IOFAULT_PROG(forward_pasids_fault, struct iofault_ctx *fault)
{
	bool guest = (fault->flags & IOFAULT_PR_PASID_VALID) &&
		     fault->pasid >= pasid_min && fault->pasid <= pasid_max;

	if (guest)
		return IOFAULT_VERDICT_FORWARD;
	return IOFAULT_VERDICT_RESOLVE;
}

IOFAULT_POLICY(forward_pasids) = {
	.fault = (void *)forward_pasids_fault,
	.name = "forward_pasids",
};
