// SPDX-License-Identifier: GPL-2.0
/* A valid BPF object without an iofault_ops map: attach must refuse it. */
#include "iofault.bpf.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} counter SEC(".maps");
