// SPDX-License-Identifier: GPL-2.0
/* Fail every fault group of the device: nothing it asks for is mapped. */
#include "iofault.bpf.h"

char LICENSE[] SEC("license") = "GPL";

s32 IOFAULT_PROG(fail_all_fault, struct iofault_ctx *fault)
{
	return IOFAULT_VERDICT_FAIL;
}

IOFAULT_POLICY(fail_all) = {
	.fault = (void *)fail_all_fault,
	.name = "fail_all",
};
