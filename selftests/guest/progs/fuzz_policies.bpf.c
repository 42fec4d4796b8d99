// SPDX-License-Identifier: GPL-2.0
/*
 * Several policies in one object, for the guest fuzzer (selftests/guest/
 * fuzz/act_policy.c): loading an object costs a parse of the kernel's BTF,
 * a second or more under an emulated CPU, and each policy in it little
 * more. The fuzzer gives each policy its target, name and timeout, and
 * chooses the globals. They decide differently:
 *
 *   fuzz_fail     FAIL, INVALID or FAILURE as fail_code says
 *   fuzz_pass     DEFAULT: the next in line decides
 *   fuzz_resolve  RESOLVE when the device can, else DEFAULT
 *   fuzz_forward  FORWARD when a handler listens, else DEFAULT: ejected if
 *                 what it forwards keeps timing out
 *   fuzz_verdict  `verdict`, which may be no verdict (ejected)
 *   fuzz_refuse   FAIL, but its init returns `refuse` (0 starts it)
 *
 * The other callbacks are shared by all: they count what they hear, and
 * timeout() answers with `timeout_code`, which may be no code.
 */
#include "iofault.bpf.h"

char LICENSE[] SEC("license") = "GPL";

const volatile u32 verdict = IOFAULT_VERDICT_DEFAULT;
const volatile u32 fail_code = IOFAULT_RESP_INVALID;
const volatile u32 timeout_code = IOFAULT_RESP_INVALID;
const volatile s32 refuse;

u64 responses, timeouts, exits, inits;

s32 IOFAULT_PROG(fuzz_fail_fault, struct iofault_ctx *fault)
{
	iofault_set_fail_code(fault, fail_code);
	return IOFAULT_VERDICT_FAIL;
}

s32 IOFAULT_PROG(fuzz_pass_fault, struct iofault_ctx *fault)
{
	return IOFAULT_VERDICT_DEFAULT;
}

s32 IOFAULT_PROG(fuzz_resolve_fault, struct iofault_ctx *fault)
{
	return fault->caps & IOFAULT_CAP_RESOLVE ? IOFAULT_VERDICT_RESOLVE :
						   IOFAULT_VERDICT_DEFAULT;
}

s32 IOFAULT_PROG(fuzz_forward_fault, struct iofault_ctx *fault)
{
	return fault->caps & IOFAULT_CAP_FORWARD ? IOFAULT_VERDICT_FORWARD :
						   IOFAULT_VERDICT_DEFAULT;
}

s32 IOFAULT_PROG(fuzz_verdict_fault, struct iofault_ctx *fault)
{
	return verdict;
}

s32 IOFAULT_PROG(fuzz_refuse_init)
{
	__sync_fetch_and_add(&inits, 1);
	return refuse;
}

void IOFAULT_PROG(fuzz_response, struct iofault_ctx *fault, u32 code,
		  u64 latency_ns)
{
	__sync_fetch_and_add(&responses, 1);
}

u32 IOFAULT_PROG(fuzz_timeout, struct iofault_ctx *fault)
{
	__sync_fetch_and_add(&timeouts, 1);
	return timeout_code;
}

void IOFAULT_PROG(fuzz_exit, struct iofault_exit_info *info)
{
	__sync_fetch_and_add(&exits, 1);
}

IOFAULT_POLICY(fuzz_fail) = {
	.fault = (void *)fuzz_fail_fault,
	.response = (void *)fuzz_response,
	.exit = (void *)fuzz_exit,
};

IOFAULT_POLICY(fuzz_pass) = {
	.fault = (void *)fuzz_pass_fault,
};

IOFAULT_POLICY(fuzz_resolve) = {
	.fault = (void *)fuzz_resolve_fault,
	.response = (void *)fuzz_response,
	.timeout = (void *)fuzz_timeout,
};

IOFAULT_POLICY(fuzz_forward) = {
	.fault = (void *)fuzz_forward_fault,
	.response = (void *)fuzz_response,
	.timeout = (void *)fuzz_timeout,
	.exit = (void *)fuzz_exit,
};

IOFAULT_POLICY(fuzz_verdict) = {
	.fault = (void *)fuzz_verdict_fault,
	.timeout = (void *)fuzz_timeout,
	.exit = (void *)fuzz_exit,
};

IOFAULT_POLICY(fuzz_refuse) = {
	.fault = (void *)fuzz_fail_fault,
	.init = (void *)fuzz_refuse_init,
	.exit = (void *)fuzz_exit,
};
