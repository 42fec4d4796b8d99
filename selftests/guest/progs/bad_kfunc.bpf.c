// SPDX-License-Identifier: GPL-2.0
/* Must not load: a kfunc of another program type, not in iofault's set. */
#include "iofault.bpf.h"

char LICENSE[] SEC("license") = "GPL";

extern int bpf_dynptr_from_skb(struct __sk_buff *skb, u64 flags,
			       struct bpf_dynptr *ptr__uninit) __ksym;

s32 IOFAULT_PROG(bad_kfunc_fault, struct iofault_ctx *fault)
{
	struct bpf_dynptr ptr;

	bpf_dynptr_from_skb(NULL, 0, &ptr);
	return IOFAULT_VERDICT_DEFAULT;
}

IOFAULT_POLICY(bad_kfunc) = {
	.fault = (void *)bad_kfunc_fault,
};
