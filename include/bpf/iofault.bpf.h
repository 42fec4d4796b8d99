/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iofault.bpf.h: everything an iofault policy includes.
 *
 * A policy is a struct iofault_ops whose fault() callback returns a verdict
 * for each fault group of the device it is attached to:
 *
 *	IOFAULT_VERDICT_RESOLVE  run the device's resolver (map the page)
 *	IOFAULT_VERDICT_FORWARD  hand the group to user space
 *	IOFAULT_VERDICT_FAIL     answer at once with a failure code
 *	IOFAULT_VERDICT_DEFAULT  let the next policy decide: the global one,
 *	                         then the built-in default (resolve if the
 *	                         device can, else fail)
 *
 * The context (struct iofault_ctx) is read only: dev_id, flags
 * (IOFAULT_PR_*), pasid, grpid, perm (IOFAULT_PERM_*) and addr of the
 * group's last page request. The driver's private data is not in it.
 *
 * Types and constants come from vmlinux.h, generated from the module's BTF.
 */
#ifndef __IOFAULT_BPF_H
#define __IOFAULT_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

/* Define a policy callback: IOFAULT_PROG(name, struct iofault_ctx *fault) */
#define IOFAULT_PROG(name, args...)	\
	SEC("struct_ops/" #name) BPF_PROG(name, ##args)

/* Define the policy itself, attachable with iofaultctl or bpftool. */
#define IOFAULT_POLICY(name)		\
	SEC(".struct_ops.link") struct iofault_ops name

#endif /* __IOFAULT_BPF_H */
