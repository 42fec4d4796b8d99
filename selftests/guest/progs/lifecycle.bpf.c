// SPDX-License-Identifier: GPL-2.0
/*
 * Every callback, recording what it saw in a map pinned by name (so the
 * test can read it after the policy stopped). Verdicts come from `verdict`,
 * fail codes from `fail_code`, timeout codes from `timeout_code`; `refuse`
 * makes init fail with -EPERM.
 */
#include "iofault.bpf.h"

char LICENSE[] SEC("license") = "GPL";

const volatile u32 verdict = IOFAULT_VERDICT_FORWARD;
const volatile u32 fail_code = IOFAULT_RESP_INVALID;
const volatile u32 timeout_code = IOFAULT_RESP_INVALID;
const volatile u32 refuse;

enum { EV_INIT, EV_EXIT, EV_EXIT_KIND, EV_EXIT_CODE, EV_FAULTS,
       EV_RESPONSES, EV_TIMEOUTS, EV_LAST_CODE, EV_OUTSTANDING, EV_NR };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, EV_NR);
	__type(key, u32);
	__type(value, u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lifecycle_events SEC(".maps");

static void note(u32 ev, u64 val, bool add)
{
	u64 *v = bpf_map_lookup_elem(&lifecycle_events, &ev);

	if (!v)
		return;
	if (add)
		__sync_fetch_and_add(v, val);
	else
		*v = val;
}

s32 IOFAULT_PROG(lifecycle_init)
{
	note(EV_INIT, 1, true);
	return refuse ? -1 : 0;
}

void IOFAULT_PROG(lifecycle_exit, struct iofault_exit_info *info)
{
	note(EV_EXIT, 1, true);
	note(EV_EXIT_KIND, info->kind, false);
	note(EV_EXIT_CODE, info->code, false);
}

s32 IOFAULT_PROG(lifecycle_fault, struct iofault_ctx *fault)
{
	note(EV_FAULTS, 1, true);
	note(EV_OUTSTANDING, iofault_dev_stat(fault, IOFAULT_STAT_OUTSTANDING), false);
	if (verdict == IOFAULT_VERDICT_FAIL)
		iofault_set_fail_code(fault, fail_code);
	return verdict;
}

void IOFAULT_PROG(lifecycle_response, struct iofault_ctx *fault, u32 code,
		  u64 latency_ns)
{
	note(EV_RESPONSES, 1, true);
	note(EV_LAST_CODE, code, false);
}

u32 IOFAULT_PROG(lifecycle_timeout, struct iofault_ctx *fault)
{
	note(EV_TIMEOUTS, 1, true);
	return timeout_code;
}

IOFAULT_POLICY(lifecycle) = {
	.fault = (void *)lifecycle_fault,
	.response = (void *)lifecycle_response,
	.timeout = (void *)lifecycle_timeout,
	.init = (void *)lifecycle_init,
	.exit = (void *)lifecycle_exit,
	.name = "lifecycle",
};
