// SPDX-License-Identifier: GPL-2.0
/*
 * iofault policies: the iofault_ops BPF struct_ops type, attaching a policy
 * to its device (or as the global policy) and asking it for verdicts.
 *
 * The fault path reads a device's policy, else the global one, under RCU.
 * Attach, detach, replacement and device removal publish and unpublish
 * policies under iofault_lock; a policy object is freed after a grace
 * period, and the BPF core frees the programs behind it only after one too.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bpf.h>
#include <linux/bpf_verifier.h>
#include <linux/btf.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "iofault_core.h"

struct iofault_policy __rcu *iofault_global_policy;
atomic_t iofault_nr_policies = ATOMIC_INIT(0);

/* Every attached policy, for finding one from the BPF core's kdata. */
static LIST_HEAD(iofault_policies);

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
} iofault_btf_enums __used;

static struct iofault_policy *iofault_policy_alloc(struct iofault_ops *ops,
						  struct bpf_link *link)
{
	struct iofault_policy *pol = kzalloc(sizeof(*pol), GFP_KERNEL);

	if (!pol)
		return NULL;
	pol->ops = ops;
	pol->link = link;
	atomic_inc(&iofault_nr_policies);
	return pol;
}

static void iofault_policy_free_rcu(struct rcu_head *rcu)
{
	kfree(container_of(rcu, struct iofault_policy, rcu));
	atomic_dec(&iofault_nr_policies);
}

/* Free @pol after a grace period: the fault path may still be reading it. */
static void iofault_policy_free(struct iofault_policy *pol)
{
	call_rcu(&pol->rcu, iofault_policy_free_rcu);
}

static struct iofault_policy *iofault_policy_find(const struct iofault_ops *ops)
{
	struct iofault_policy *pol;

	lockdep_assert_held(&iofault_lock);
	list_for_each_entry(pol, &iofault_policies, node)
		if (pol->ops == ops)
			return pol;
	return NULL;
}

enum iofault_verdict iofault_policy_decide(struct iofault_device *idev,
					   struct iofault_ctx *ctx)
{
	struct iofault_policy *pol;
	s32 verdict = IOFAULT_VERDICT_DEFAULT;

	rcu_read_lock();
	/* The device's own policy, then the global one, may pass. */
	pol = rcu_dereference(idev->policy);
	if (pol)
		verdict = pol->ops->fault(ctx);
	if (verdict == IOFAULT_VERDICT_DEFAULT) {
		pol = rcu_dereference(iofault_global_policy);
		if (pol)
			verdict = pol->ops->fault(ctx);
	}
	rcu_read_unlock();

	/* An invalid verdict falls back to the built-in default. */
	if (verdict < IOFAULT_VERDICT_DEFAULT || verdict >= IOFAULT_VERDICT_NR)
		return IOFAULT_VERDICT_DEFAULT;
	return verdict;
}

/*
 * Caller holds iofault_lock; @idev is leaving the registry. Unpublishes its
 * policy and returns a reference on the policy's link, which the caller
 * detaches with iofault_policy_detach_link() once it dropped the lock
 * (detaching calls back into unreg, which takes the lock).
 */
struct bpf_link *iofault_policy_device_gone(struct iofault_device *idev)
{
	struct iofault_policy *pol;
	struct bpf_link *link;

	pol = rcu_dereference_protected(idev->policy,
					lockdep_is_held(&iofault_lock));
	if (!pol)
		return NULL;
	RCU_INIT_POINTER(idev->policy, NULL);
	pol->slot = NULL;
	dev_info(&idev->dev, "policy %s detached: device removed\n",
		 pol->ops->name);
	/* A link already on its way out needs no help. */
	link = bpf_link_inc_not_zero(pol->link);
	return IS_ERR(link) ? NULL : link;
}

/*
 * Detach a policy's BPF link as user space would: its owner then sees it
 * dead (bpftool, poll() gets EPOLLHUP) and can pin a new one.
 */
void iofault_policy_detach_link(struct bpf_link *link)
{
	if (!link)
		return;
	link->ops->detach(link);
	bpf_link_put(link);
}

ssize_t iofault_policy_show(struct iofault_device *idev, char *buf)
{
	struct iofault_policy *pol = NULL;
	ssize_t len;

	rcu_read_lock();
	if (idev)
		pol = rcu_dereference(idev->policy);
	if (pol) {
		len = sysfs_emit(buf, "device %s\n", pol->ops->name);
	} else {
		pol = rcu_dereference(iofault_global_policy);
		if (!idev)
			len = sysfs_emit(buf, "%s\n", pol ? pol->ops->name : "");
		else if (pol)
			len = sysfs_emit(buf, "global %s\n", pol->ops->name);
		else
			len = sysfs_emit(buf, "builtin default\n");
	}
	rcu_read_unlock();
	return len;
}

/* struct_ops plumbing ---------------------------------------------------- */

static int iofault_ops_init(struct btf *btf)
{
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
 * what their arguments point to.
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
	}
	return 0;
}

static int iofault_ops_validate(void *kdata)
{
	struct iofault_ops *ops = kdata;

	return ops->fault ? 0 : -EINVAL;
}

/* Caller holds iofault_lock. */
static int iofault_policy_slot(const struct iofault_ops *ops,
			       struct iofault_policy __rcu ***slot)
{
	struct iofault_device *idev;

	if (!ops->target[0]) {
		*slot = &iofault_global_policy;
	} else {
		idev = iofault_find_device(ops->target);
		if (!idev)
			return -ENODEV;
		*slot = &idev->policy;
	}
	return rcu_access_pointer(**slot) ? -EBUSY : 0;
}

static int iofault_ops_reg(void *kdata, struct bpf_link *link)
{
	struct iofault_ops *ops = kdata;
	struct iofault_policy *pol;
	int err;

	pol = iofault_policy_alloc(ops, link);
	if (!pol)
		return -ENOMEM;

	mutex_lock(&iofault_lock);
	/* The same map attached through a second link. */
	err = iofault_policy_find(ops) ? -EBUSY :
					 iofault_policy_slot(ops, &pol->slot);
	if (!err) {
		list_add(&pol->node, &iofault_policies);
		rcu_assign_pointer(*pol->slot, pol);
	}
	mutex_unlock(&iofault_lock);

	if (err)
		iofault_policy_free(pol);
	else
		pr_info("policy %s attached to %s\n", ops->name,
			ops->target[0] ? ops->target : "all devices (global)");
	return err;
}

static void iofault_ops_unreg(void *kdata, struct bpf_link *link)
{
	struct iofault_policy *pol;

	mutex_lock(&iofault_lock);
	pol = iofault_policy_find(kdata);
	if (pol) {
		if (pol->slot)
			RCU_INIT_POINTER(*pol->slot, NULL);
		list_del(&pol->node);
	}
	mutex_unlock(&iofault_lock);

	if (pol) {
		pr_info("policy %s detached\n", pol->ops->name);
		iofault_policy_free(pol);
	}
}

/* Replace a policy through its link: each fault sees the old or the new. */
static int iofault_ops_update(void *kdata, void *old_kdata,
			      struct bpf_link *link)
{
	struct iofault_ops *ops = kdata, *old_ops = old_kdata;
	struct iofault_policy *pol, *old;
	int err = 0;

	if (strcmp(ops->target, old_ops->target))
		return -EINVAL;
	pol = iofault_policy_alloc(ops, link);
	if (!pol)
		return -ENOMEM;

	mutex_lock(&iofault_lock);
	old = iofault_policy_find(old_ops);
	if (iofault_policy_find(ops))
		err = -EBUSY;
	else if (!old || !old->slot)
		err = -ENODEV;
	if (!err) {
		pol->slot = old->slot;
		list_replace(&old->node, &pol->node);
		rcu_assign_pointer(*pol->slot, pol);
	}
	mutex_unlock(&iofault_lock);

	if (err) {
		iofault_policy_free(pol);
		return err;
	}
	pr_info("policy %s replaced by %s\n", old_ops->name, ops->name);
	iofault_policy_free(old);
	return 0;
}

/* The BPF core needs an implementation of every callback to build trampolines. */
static s32 iofault_ops_fault_stub(struct iofault_ctx *ctx)
{
	return IOFAULT_VERDICT_DEFAULT;
}

static struct iofault_ops iofault_ops_cfi_stubs = {
	.fault = iofault_ops_fault_stub,
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

int iofault_policy_register(void)
{
	return register_bpf_struct_ops(&iofault_bpf_ops, iofault_ops);
}
