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
 * (IOFAULT_PR_*), pasid, grpid, perm (IOFAULT_PERM_*), npages and addr of
 * the group's last page request. The driver's private data is not in it.
 *
 * Optional callbacks: response(ctx, code, latency_ns) hears how each group
 * the policy decided ended; timeout(ctx) picks the code for a group it
 * decided whose deadline passed (default IOFAULT_RESP_INVALID); init() may
 * refuse to start (return a negative errno; last_exit then says
 * init_failed); exit(info) hears why the policy stopped (info->kind:
 * IOFAULT_EXIT_*, info->code, info->msg), init failure included, exactly
 * once. Data fields: .target (set by iofaultctl attach --dev), .name,
 * .timeout_ms (the device's group timeout while attached).
 *
 * A group belongs to the policy that decided it (returned a verdict other
 * than DEFAULT): only that policy, and only while it is still attached,
 * hears of it in response() and timeout(), and only it is charged when a
 * group it forwarded times out. A policy that passes every group (DEFAULT)
 * hears of none; a replacement never hears of its predecessor's groups,
 * nor a device policy of the global policy's.
 *
 * The policy is ejected, and its device falls back to the next policy in
 * line, when it returns an invalid verdict (IOFAULT_EJECT_INVALID_VERDICTS,
 * 1) or when 16 of the groups it forwarded time out in a row
 * (IOFAULT_EJECT_TIMEOUTS): /sys/class/iofault/<dev>/last_exit says so, and
 * the kernel log and the iofault_eject tracepoint name the device.
 *
 * IOFAULT_POLICY() puts the policy in a SEC(".struct_ops.link") map, which
 * iofaultctl (or bpftool struct_ops register with a pin directory) attaches
 * through a link. A SEC(".struct_ops") map works too, with bpftool: register
 * attaches it without a link, unregister (or deleting the map) detaches it;
 * it cannot be replaced, and once ejected or its device removed it stays
 * registered, stopped, until unregistered.
 *
 * Types and constants come from vmlinux.h, generated from the module's BTF.
 */
#ifndef __IOFAULT_BPF_H
#define __IOFAULT_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

/*
 * kfuncs. iofault_set_fail_code(): in fault() only (the verifier refuses it
 * in another callback: "calling kernel function iofault_set_fail_code is
 * not allowed"), the code a FAIL verdict answers with:
 * IOFAULT_RESP_INVALID (default) or IOFAULT_RESP_FAILURE.
 * iofault_dev_stat(): a counter (enum iofault_stat) of the ctx's device.
 */
extern int iofault_set_fail_code(struct iofault_ctx *ctx, u32 code) __ksym;
extern u64 iofault_dev_stat(struct iofault_ctx *ctx, u32 stat) __ksym;

/* Define a policy callback: IOFAULT_PROG(name, struct iofault_ctx *fault) */
#define IOFAULT_PROG(name, args...)	\
	SEC("struct_ops/" #name) BPF_PROG(name, ##args)

/* Define the policy itself, attachable with iofaultctl or bpftool. */
#define IOFAULT_POLICY(name)		\
	SEC(".struct_ops.link") struct iofault_ops name

#endif /* __IOFAULT_BPF_H */
