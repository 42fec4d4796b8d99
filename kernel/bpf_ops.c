// SPDX-License-Identifier: GPL-2.0
/*
 * The iofault_ops BPF struct_ops type and the kfuncs policies may call:
 * what the verifier allows, which data fields a map carries, and the
 * BPF core's register, unregister and update of a policy's link.
 */
#include <linux/bpf.h>
#include <linux/bpf_verifier.h>
#include <linux/btf.h>
#include <linux/btf_ids.h>
#include <linux/module.h>

#include "iofault_core.h"

/*
 * Policies read the module's types and constants from its BTF, dumped into
 * one generated header. An enum is in BTF only if something has its type:
 * this keeps the ones a policy author needs.
 */
struct iofault_btf_enums {
	enum iofault_verdict verdict;
	enum iofault_resp_code code;
	enum iofault_pr_flags pr_flags;
	enum iofault_perm perm;
	enum iofault_exit_kind exit_kind;
	enum iofault_stat stat;
	enum iofault_caps caps;
} iofault_btf_enums __used;

/* The module's BTF, which the programs of an iofault policy attach to. */
static const struct btf *iofault_btf;

static int iofault_ops_init(struct btf *btf)
{
	iofault_btf = btf;
	return 0;
}

static bool iofault_ops_is_valid_access(int off, int size,
					enum bpf_access_type type,
					const struct bpf_prog *prog,
					struct bpf_insn_access_aux *info)
{
	return bpf_tracing_btf_ctx_access(off, size, type, prog, info);
}

/*
 * No btf_struct_access: the verifier then allows policies only to read
 * what their arguments point to, and only within the type.
 */
static const struct bpf_verifier_ops iofault_verifier_ops = {
	.get_func_proto = bpf_base_func_proto,
	.is_valid_access = iofault_ops_is_valid_access,
};

/* Data fields are copied here; the BPF core rejects non-zero others. */
static int iofault_ops_init_member(const struct btf_type *t,
				   const struct btf_member *member,
				   void *kdata, const void *udata)
{
	const struct iofault_ops *uops = udata;
	struct iofault_ops *ops = kdata;

	switch (__btf_member_bit_offset(t, member) / 8) {
	case offsetof(struct iofault_ops, target):
		if (!iofault_name_valid(uops->target, sizeof(uops->target), true))
			return -EINVAL;
		strscpy(ops->target, uops->target, sizeof(ops->target));
		return 1;
	case offsetof(struct iofault_ops, name):
		if (!iofault_name_valid(uops->name, sizeof(uops->name), true))
			return -EINVAL;
		strscpy(ops->name, uops->name[0] ? uops->name : "unnamed",
			sizeof(ops->name));
		return 1;
	case offsetof(struct iofault_ops, timeout_ms):
		if (uops->timeout_ms > IOFAULT_TIMEOUT_MAX_MS)
			return -EINVAL;
		ops->timeout_ms = uops->timeout_ms;
		return 1;
	}
	return 0;
}

static int iofault_ops_validate(void *kdata)
{
	struct iofault_ops *ops = kdata;

	return ops->fault ? 0 : -EINVAL;
}

/*
 * @link is NULL for a policy registered without a link (a SEC(".struct_ops")
 * map): deleting its map unregisters it, and iofault stops it without a
 * link when it is ejected or its device goes (policy.c).
 */
static int iofault_ops_reg(void *kdata, struct bpf_link *link)
{
	struct iofault_policy *pol = iofault_policy_alloc(kdata, link);
	int err;

	if (!pol)
		return -ENOMEM;
	err = iofault_policy_attach(pol);
	if (err)
		iofault_policy_free(pol);
	return err;
}

static void iofault_ops_unreg(void *kdata, struct bpf_link *link)
{
	iofault_policy_detach(kdata);
}

static int iofault_ops_update(void *kdata, void *old_kdata,
			      struct bpf_link *link)
{
	struct iofault_policy *pol = iofault_policy_alloc(kdata, link);
	int err;

	if (!pol)
		return -ENOMEM;
	err = iofault_policy_replace(pol, old_kdata);
	if (err)
		iofault_policy_free(pol);
	return err;
}

/*
 * The BPF core builds trampolines from an implementation of every
 * callback; these are never called.
 */
static s32 iofault_ops_fault_stub(struct iofault_ctx *ctx)
{
	return IOFAULT_VERDICT_DEFAULT;
}

static void iofault_ops_response_stub(struct iofault_ctx *ctx, u32 code,
				      u64 latency_ns)
{
}

static u32 iofault_ops_timeout_stub(struct iofault_ctx *ctx)
{
	return IOFAULT_RESP_INVALID;
}

static s32 iofault_ops_init_stub(void)
{
	return 0;
}

static void iofault_ops_exit_stub(struct iofault_exit_info *info)
{
}

static struct iofault_ops iofault_ops_cfi_stubs = {
	.fault = iofault_ops_fault_stub,
	.response = iofault_ops_response_stub,
	.timeout = iofault_ops_timeout_stub,
	.init = iofault_ops_init_stub,
	.exit = iofault_ops_exit_stub,
};

static struct bpf_struct_ops iofault_bpf_ops = {
	.verifier_ops = &iofault_verifier_ops,
	.init = iofault_ops_init,
	.init_member = iofault_ops_init_member,
	.validate = iofault_ops_validate,
	.reg = iofault_ops_reg,
	.unreg = iofault_ops_unreg,
	.update = iofault_ops_update,
	.cfi_stubs = &iofault_ops_cfi_stubs,
	.owner = THIS_MODULE,
	.name = "iofault_ops",
};

/* kfuncs ----------------------------------------------------------------- */

__bpf_kfunc_start_defs();

/**
 * iofault_set_fail_code() - the code a FAIL verdict answers with
 * @ctx: the group being decided (the fault callback's argument)
 * @code: IOFAULT_RESP_INVALID (the default) or IOFAULT_RESP_FAILURE, which
 *        tells a PCIe function to stop issuing page requests
 *
 * Only the fault callback may call it: the verifier refuses a program of
 * another callback that does (iofault_kfunc_filter()).
 *
 * Return: 0, or -EINVAL for another code (or, which the verifier already
 * rules out, outside a fault callback).
 */
__bpf_kfunc int iofault_set_fail_code(struct iofault_ctx *ctx, u32 code)
{
	struct iofault_call *call = container_of(ctx, struct iofault_call, ctx);

	if (!call->deciding ||
	    (code != IOFAULT_RESP_INVALID && code != IOFAULT_RESP_FAILURE))
		return -EINVAL;
	call->fail_code = code;
	return 0;
}

/**
 * iofault_dev_stat() - a counter of the device of @ctx
 * @ctx: the group being decided or reported
 * @stat: an enum iofault_stat
 *
 * Return: the counter, or 0 for an unknown @stat.
 */
__bpf_kfunc u64 iofault_dev_stat(struct iofault_ctx *ctx, u32 stat)
{
	struct iofault_call *call = container_of(ctx, struct iofault_call, ctx);

	return iofault_stat_read(call->idev, stat);
}

__bpf_kfunc_end_defs();

BTF_KFUNCS_START(iofault_kfunc_ids)
BTF_ID_FLAGS(func, iofault_set_fail_code, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, iofault_dev_stat, KF_TRUSTED_ARGS)
BTF_KFUNCS_END(iofault_kfunc_ids)

/* The kfuncs only the fault callback may call. */
BTF_ID_LIST_SINGLE(iofault_fault_only_ids, func, iofault_set_fail_code)

/*
 * The BPF core gives a struct_ops program the index of the member it
 * implements as its expected_attach_type. @fault is the first member of
 * struct iofault_ops (a build-time check below), so its index is 0.
 */
#define IOFAULT_OPS_FAULT_IDX	0

/*
 * Called by the verifier for each call of one of the module's kfuncs by a
 * struct_ops program: non-zero refuses the call ("calling kernel function
 * ... is not allowed"). iofault_set_fail_code() is for the fault callback
 * of an iofault policy only.
 */
static int iofault_kfunc_filter(const struct bpf_prog *prog, u32 kfunc_id)
{
	if (kfunc_id != iofault_fault_only_ids[0])
		return 0;
	if (prog->aux->attach_btf == iofault_btf &&
	    prog->expected_attach_type == IOFAULT_OPS_FAULT_IDX)
		return 0;
	return -EACCES;
}

static const struct btf_kfunc_id_set iofault_kfunc_set = {
	.owner = THIS_MODULE,
	.set = &iofault_kfunc_ids,
	.filter = iofault_kfunc_filter,
};

int iofault_bpf_register(void)
{
	int err;

	BUILD_BUG_ON(offsetof(struct iofault_ops, fault) != 0);

	err = register_btf_kfunc_id_set(BPF_PROG_TYPE_STRUCT_OPS,
					&iofault_kfunc_set);
	if (err)
		return err;
	return register_bpf_struct_ops(&iofault_bpf_ops, iofault_ops);
}
