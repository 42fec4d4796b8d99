// SPDX-License-Identifier: GPL-2.0
/*
 * Must not load: iofault_set_fail_code() is for fault() only, and the
 * verifier refuses it in response().
 */
#include "iofault.bpf.h"

char LICENSE[] SEC("license") = "GPL";

s32 IOFAULT_PROG(bad_fail_code_fault, struct iofault_ctx *fault)
{
	return IOFAULT_VERDICT_FAIL;
}

void IOFAULT_PROG(bad_fail_code_response, struct iofault_ctx *fault, u32 code,
		  u64 latency_ns)
{
	iofault_set_fail_code(fault, IOFAULT_RESP_FAILURE);
}

IOFAULT_POLICY(bad_fail_code) = {
	.fault = (void *)bad_fail_code_fault,
	.response = (void *)bad_fail_code_response,
};
