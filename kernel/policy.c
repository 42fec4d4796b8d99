// SPDX-License-Identifier: GPL-2.0
/*
 * iofault policies: attaching a policy to its device (or as the global
 * policy), asking it for verdicts, and stopping it: detached, replaced,
 * ejected for misbehaving, or because its device went away. Each stop is
 * recorded (kind, code, message), handed to the policy's exit callback and
 * shown in sysfs, in the spirit of sched_ext's exit info.
 *
 * The fault path reads a device's policy, else the global one, under RCU.
 * Publishing and unpublishing happen under iofault_lock; a policy object
 * is freed after a grace period, and the BPF core frees the programs
 * behind it only after one too. Ejection can be decided on the fault path,
 * which cannot take iofault_lock: it marks the policy stopping (the fault
 * path skips it from then on) and a work item detaches it.
 *
 * Each group remembers the policy that decided it (by id): only that
 * policy, while it is still attached, hears how the group ended, picks its
 * timeout code and is charged with its timeout.
 *
 * A policy registered without a link (a SEC(".struct_ops") map, with
 * `bpftool struct_ops register`) is detached only by deleting its map
 * (`bpftool struct_ops unregister`). Ejection and device removal stop it
 * without a link: they unpublish it and the work item runs its exit; it
 * stays on the policy list, stopped, until its map's deletion frees it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/lockdep.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "iofault_core.h"
#include "trace.h"

struct iofault_policy __rcu *iofault_global_policy;
atomic_t iofault_nr_policies = ATOMIC_INIT(0);
static struct iofault_exit_info iofault_global_last_exit;	/* under iofault_lock */
static char iofault_global_last_exit_policy[IOFAULT_NAME_LEN];

/* Every attached policy, for finding one from the BPF core's kdata. */
static LIST_HEAD(iofault_policies);
/* Stopped link-less policies whose exit the work item runs next. */
static LIST_HEAD(iofault_exits_pending);
/* Policy ids; 0 names no policy (the built-in default) in a group. */
static atomic64_t iofault_policy_ids = ATOMIC64_INIT(0);

static void iofault_eject_work(struct work_struct *work);
static DECLARE_WORK(iofault_eject, iofault_eject_work);

static const char * const iofault_exit_names[IOFAULT_EXIT_NR] = {
	[IOFAULT_EXIT_NONE] = "none",
	[IOFAULT_EXIT_DETACHED] = "detached",
	[IOFAULT_EXIT_REPLACED] = "replaced",
	[IOFAULT_EXIT_INVALID_VERDICT] = "ejected_invalid_verdict",
	[IOFAULT_EXIT_TIMEOUTS] = "ejected_timeouts",
	[IOFAULT_EXIT_DEVICE_REMOVED] = "device_removed",
	[IOFAULT_EXIT_INIT_FAILED] = "init_failed",
};

struct iofault_policy *iofault_policy_alloc(struct iofault_ops *ops,
					    struct bpf_link *link)
{
	struct iofault_policy *pol = kzalloc(sizeof(*pol), GFP_KERNEL);

	if (!pol)
		return NULL;
	pol->ops = ops;
	pol->link = link;
	pol->id = atomic64_inc_return(&iofault_policy_ids);
	INIT_LIST_HEAD(&pol->exit_node);
	init_completion(&pol->exited);
	atomic_inc(&iofault_nr_policies);
	return pol;
}

static void iofault_policy_free_rcu(struct rcu_head *rcu)
{
	kfree(container_of(rcu, struct iofault_policy, rcu));
	atomic_dec(&iofault_nr_policies);
}

/* Free @pol after a grace period: the fault path may still be reading it. */
void iofault_policy_free(struct iofault_policy *pol)
{
	call_rcu(&pol->rcu, iofault_policy_free_rcu);
}

/* Record why @pol stops, unless an earlier reason was recorded. */
static void iofault_policy_set_exit(struct iofault_policy *pol, u32 kind,
				    s32 code, const char *fmt, ...)
{
	va_list args;

	if (pol->exit.kind != IOFAULT_EXIT_NONE)
		return;
	pol->exit.kind = kind;
	pol->exit.code = code;
	va_start(args, fmt);
	vsnprintf(pol->exit.msg, sizeof(pol->exit.msg), fmt, args);
	va_end(args);
}

/*
 * The policy that decided @g, if it is still attached (to @g's device or
 * as the global policy) and not ejected; NULL for a group the built-in
 * default decided. Under RCU.
 */
static struct iofault_policy *
iofault_policy_decider(struct iofault_device *idev,
		       const struct iofault_group *g)
{
	struct iofault_policy *pol;

	if (!g->decider)
		return NULL;
	pol = rcu_dereference(idev->policy);
	if (!pol || pol->id != g->decider)
		pol = rcu_dereference(iofault_global_policy);
	if (!pol || pol->id != g->decider || atomic_read(&pol->stopping))
		return NULL;
	return pol;
}

/*
 * Eject @pol from the fault path: it decides nothing more. @idev is the
 * device whose group it misbehaved on.
 */
static void iofault_policy_eject(struct iofault_policy *pol,
				 struct iofault_device *idev, u32 kind,
				 s32 code, const char *why)
{
	if (atomic_xchg(&pol->stopping, 1))
		return;
	iofault_policy_set_exit(pol, kind, code, "%s", why);
	trace_iofault_eject(pol->ops->name, dev_name(&idev->dev), idev->id,
			    kind, code, why);
	pr_warn("policy %s ejected by a fault of %s (id %u): %s\n",
		pol->ops->name, dev_name(&idev->dev), idev->id, why);
	queue_work(system_unbound_wq, &iofault_eject);
}

static s32 iofault_policy_ask(struct iofault_policy *pol,
			      struct iofault_device *idev,
			      struct iofault_ctx *ctx)
{
	s32 verdict = pol->ops->fault(ctx);

	if (verdict >= IOFAULT_VERDICT_DEFAULT && verdict < IOFAULT_VERDICT_NR)
		return verdict;
	if (!atomic_read(&pol->stopping)) {
		char why[64];

		snprintf(why, sizeof(why), "returned verdict %d (valid: 0..%d)",
			 verdict, IOFAULT_VERDICT_NR - 1);
		iofault_policy_eject(pol, idev, IOFAULT_EXIT_INVALID_VERDICT,
				     verdict, why);
	}
	return IOFAULT_VERDICT_DEFAULT;
}

/**
 * iofault_policy_decide() - ask the policies for a group's verdict
 * @idev: the group's device
 * @ctx: what the policies see of the group
 * @decider: set to the policy whose verdict it is, NULL for none
 *
 * The device's own policy, then the global one, may pass (DEFAULT) to the
 * next; DEFAULT from both leaves the built-in default to the caller
 * (*@decider NULL). Caller holds idev->lock and the RCU read lock, which
 * keeps *@decider alive.
 *
 * Return: the verdict, IOFAULT_VERDICT_DEFAULT for the built-in default.
 */
enum iofault_verdict iofault_policy_decide(struct iofault_device *idev,
					   struct iofault_ctx *ctx,
					   struct iofault_policy **decider)
{
	struct iofault_policy *pol;
	s32 verdict = IOFAULT_VERDICT_DEFAULT;

	lockdep_assert_held(&idev->lock);
	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "decide outside RCU");
	*decider = NULL;
	pol = rcu_dereference(idev->policy);
	if (pol && !atomic_read(&pol->stopping)) {
		verdict = iofault_policy_ask(pol, idev, ctx);
		*decider = pol;
	}
	if (verdict == IOFAULT_VERDICT_DEFAULT) {
		pol = rcu_dereference(iofault_global_policy);
		if (pol && !atomic_read(&pol->stopping)) {
			verdict = iofault_policy_ask(pol, idev, ctx);
			*decider = pol;
		}
	}
	if (verdict == IOFAULT_VERDICT_DEFAULT)
		*decider = NULL;
	return verdict;
}

/**
 * iofault_policy_response() - tell the deciding policy how a group ended
 * @idev: the group's device
 * @g: the group, whose decider names the policy
 * @code: the code the hardware got
 * @latency_ns: report to answer
 *
 * Only the policy that decided @g hears of it, if it is still attached;
 * its context is built only for a policy that listens.
 */
void iofault_policy_response(struct iofault_device *idev,
			     const struct iofault_group *g, u32 code,
			     u64 latency_ns)
{
	struct iofault_policy *pol;
	struct iofault_call call;

	lockdep_assert_held(&idev->lock);
	rcu_read_lock();
	pol = iofault_policy_decider(idev, g);
	if (pol && pol->ops->response) {
		iofault_call_init(&call, idev, g);
		pol->ops->response(&call.ctx, code, latency_ns);
	}
	rcu_read_unlock();
}

/**
 * iofault_policy_timeout() - the code for a group whose deadline passed
 * @idev: the group's device
 * @g: the group, whose decider names the policy to ask and to charge
 * @ctx: what the policy sees of @g
 *
 * A policy whose forwarded groups keep timing out is ejected: nobody
 * answers what it forwards. Nobody is charged for a group the built-in
 * default forwarded, nor for one whose deciding policy is gone.
 *
 * Return: the deciding policy's code, else IOFAULT_RESP_INVALID.
 */
u32 iofault_policy_timeout(struct iofault_device *idev,
			   const struct iofault_group *g,
			   struct iofault_ctx *ctx)
{
	struct iofault_policy *pol;
	u32 code = IOFAULT_RESP_INVALID;
	int n;

	lockdep_assert_held(&idev->lock);
	rcu_read_lock();
	pol = iofault_policy_decider(idev, g);
	if (pol && pol->ops->timeout) {
		code = pol->ops->timeout(ctx);
		if (code >= IOFAULT_RESP_NR)
			code = IOFAULT_RESP_INVALID;
	}
	if (pol && g->owner) {
		n = atomic_inc_return(&pol->timeouts);
		if (n >= IOFAULT_EJECT_TIMEOUTS) {
			char why[64];

			snprintf(why, sizeof(why),
				 "%d forwarded groups timed out in a row", n);
			iofault_policy_eject(pol, idev, IOFAULT_EXIT_TIMEOUTS,
					     n, why);
		}
	}
	rcu_read_unlock();
	return code;
}

/**
 * iofault_policy_forward_answered() - a forwarded group was answered in time
 * @idev: the group's device
 * @g: the group
 *
 * The handler of what @g's deciding policy forwards is alive: the count
 * of its timeouts in a row starts again.
 */
void iofault_policy_forward_answered(struct iofault_device *idev,
				     const struct iofault_group *g)
{
	struct iofault_policy *pol;

	lockdep_assert_held(&idev->lock);
	rcu_read_lock();
	pol = iofault_policy_decider(idev, g);
	if (pol)
		atomic_set(&pol->timeouts, 0);
	rcu_read_unlock();
}

struct iofault_policy *iofault_policy_find(const struct iofault_ops *ops)
{
	struct iofault_policy *pol;

	lockdep_assert_held(&iofault_lock);
	list_for_each_entry(pol, &iofault_policies, node)
		if (pol->ops == ops)
			return pol;
	return NULL;
}

static int iofault_policy_slot(const struct iofault_ops *ops,
			       struct iofault_policy *pol)
{
	struct iofault_device *idev;

	lockdep_assert_held(&iofault_lock);
	if (!ops->target[0]) {
		if (ops->timeout_ms)
			return -EINVAL;	/* a timeout belongs to one device */
		pol->slot = &iofault_global_policy;
	} else {
		idev = iofault_find_device(ops->target);
		if (!idev)
			return -ENODEV;
		pol->slot = &idev->policy;
		pol->idev = idev;
	}
	return rcu_access_pointer(*pol->slot) ? -EBUSY : 0;
}

/* Start deciding with @pol. */
static int iofault_policy_publish(struct iofault_policy *pol)
{
	struct iofault_device *idev = pol->idev;
	int err;

	lockdep_assert_held(&iofault_lock);
	if (idev && pol->ops->timeout_ms) {
		mutex_lock(&idev->lock);
		idev->saved_timeout_ms = idev->tracker.timeout_ns / NSEC_PER_MSEC;
		mutex_unlock(&idev->lock);
		err = iofault_set_limit(idev, "timeout_ms", pol->ops->timeout_ms);
		if (err)
			return err;
	}
	list_add(&pol->node, &iofault_policies);
	rcu_assign_pointer(*pol->slot, pol);
	return 0;
}

/*
 * Remember why @pol stopped, or could not start, on its device (@pol's
 * idev) or globally.
 */
static void iofault_policy_record_exit(struct iofault_policy *pol)
{
	struct iofault_device *idev = pol->idev;

	lockdep_assert_held(&iofault_lock);
	if (idev) {
		idev->last_exit = pol->exit;
		strscpy(idev->last_exit_policy, pol->ops->name,
			sizeof(idev->last_exit_policy));
	} else {
		iofault_global_last_exit = pol->exit;
		strscpy(iofault_global_last_exit_policy, pol->ops->name,
			sizeof(iofault_global_last_exit_policy));
	}
}

/*
 * Run @pol's init, if any. On refusal record it, in @pol and where @pol
 * would have decided (its idev, else globally), and return an errno.
 */
static int iofault_policy_init(struct iofault_policy *pol)
{
	int err;

	lockdep_assert_held(&iofault_lock);
	if (!pol->ops->init)
		return 0;
	err = pol->ops->init();
	if (!err)
		return 0;
	iofault_policy_set_exit(pol, IOFAULT_EXIT_INIT_FAILED, err,
				"init returned %d", err);
	iofault_policy_record_exit(pol);
	return err < 0 && err >= -MAX_ERRNO ? err : -EINVAL;
}

/*
 * Stop deciding with @pol and record why on its device (or globally).
 * Whoever runs its exit then frees it.
 */
static void iofault_policy_unpublish(struct iofault_policy *pol)
{
	struct iofault_device *idev = pol->idev;

	lockdep_assert_held(&iofault_lock);
	if (!pol->slot)
		return;
	RCU_INIT_POINTER(*pol->slot, NULL);
	pol->slot = NULL;
	iofault_policy_record_exit(pol);
	if (idev && pol->ops->timeout_ms)
		iofault_set_limit(idev, "timeout_ms", idev->saved_timeout_ms);
	pol->idev = NULL;
}

/* Run @pol's exit, once no fault can still be inside the policy. */
static void iofault_policy_run_exit(struct iofault_policy *pol)
{
	synchronize_rcu();
	if (pol->ops->exit)
		pol->ops->exit(&pol->exit);
	pr_info("policy %s stopped: %s: %s\n", pol->ops->name,
		iofault_exit_names[pol->exit.kind], pol->exit.msg);
}

int iofault_policy_attach(struct iofault_policy *pol)
{
	struct iofault_ops *ops = pol->ops;
	int err;

	mutex_lock(&iofault_lock);
	/* The same map attached through a second link. */
	err = iofault_policy_find(ops) ? -EBUSY : iofault_policy_slot(ops, pol);
	if (!err)
		err = iofault_policy_init(pol);
	if (!err)
		err = iofault_policy_publish(pol);
	mutex_unlock(&iofault_lock);

	if (err) {
		if (pol->exit.kind == IOFAULT_EXIT_INIT_FAILED && ops->exit)
			ops->exit(&pol->exit);
		return err;
	}
	pr_info("policy %s attached to %s%s\n", ops->name,
		ops->target[0] ? ops->target : "all devices (global)",
		pol->link ? "" : ", without a link");
	return 0;
}

/**
 * iofault_policy_detach() - the BPF core unregisters a policy
 * @ops: the policy's struct_ops data
 *
 * Its link let go or, for a link-less policy, its map was deleted. Stop
 * it if it still decides, run its exit unless its stop already did (then
 * wait for that to be done), and free it.
 */
void iofault_policy_detach(const struct iofault_ops *ops)
{
	struct iofault_policy *pol;
	bool claimed = false;

	mutex_lock(&iofault_lock);
	pol = iofault_policy_find(ops);
	if (pol) {
		list_del(&pol->node);
		claimed = pol->exit_claimed;
		pol->exit_claimed = true;
		iofault_policy_set_exit(pol, IOFAULT_EXIT_DETACHED, 0,
					"detached");
		iofault_policy_unpublish(pol);
	}
	mutex_unlock(&iofault_lock);
	if (!pol)
		return;

	if (claimed)
		wait_for_completion(&pol->exited);
	else
		iofault_policy_run_exit(pol);
	iofault_policy_free(pol);
}

/* Replace @old_ops by @pol through its link: a fault sees one or the other. */
int iofault_policy_replace(struct iofault_policy *pol,
			   const struct iofault_ops *old_ops)
{
	struct iofault_policy *old;
	int err = 0;

	if (strcmp(pol->ops->target, old_ops->target) ||
	    pol->ops->timeout_ms != old_ops->timeout_ms)
		return -EINVAL;

	mutex_lock(&iofault_lock);
	old = iofault_policy_find(old_ops);
	if (iofault_policy_find(pol->ops))
		err = -EBUSY;
	else if (!old || !old->slot || atomic_read(&old->stopping))
		err = -ENODEV;
	if (!err) {
		/* Where an init failure is recorded. */
		pol->idev = old->idev;
		err = iofault_policy_init(pol);
	}
	if (!err) {
		pol->slot = old->slot;
		list_replace(&old->node, &pol->node);
		rcu_assign_pointer(*pol->slot, pol);
		old->slot = NULL;
		iofault_policy_set_exit(old, IOFAULT_EXIT_REPLACED, 0,
					"replaced by %s", pol->ops->name);
		iofault_policy_record_exit(old);
	}
	mutex_unlock(&iofault_lock);
	if (err) {
		if (pol->exit.kind == IOFAULT_EXIT_INIT_FAILED && pol->ops->exit)
			pol->ops->exit(&pol->exit);
		return err;
	}

	synchronize_rcu();
	if (old->ops->exit)
		old->ops->exit(&old->exit);
	pr_info("policy %s replaced by %s\n", old_ops->name, pol->ops->name);
	iofault_policy_free(old);
	return 0;
}

/*
 * Stop @pol, already unpublished, without its link: queue its exit for
 * the work item. It stays on the policy list until its map is deleted.
 */
static void iofault_policy_stop_linkless(struct iofault_policy *pol)
{
	lockdep_assert_held(&iofault_lock);
	if (pol->exit_claimed)
		return;
	pol->exit_claimed = true;
	list_add_tail(&pol->exit_node, &iofault_exits_pending);
	queue_work(system_unbound_wq, &iofault_eject);
}

/*
 * Take the references on the links of every policy to stop (stopping
 * ones, or that of @idev which is leaving), unpublishing them; the caller
 * detaches the links once it dropped iofault_lock, since detaching calls
 * back into iofault_policy_detach(). A policy without a link has its exit
 * queued instead.
 */
static int iofault_policy_collect(struct iofault_device *idev,
				  struct bpf_link **links, int max)
{
	struct iofault_policy *pol;
	struct bpf_link *link;
	int n = 0;

	lockdep_assert_held(&iofault_lock);
	list_for_each_entry(pol, &iofault_policies, node) {
		if (n == max)
			break;
		if (!pol->slot)
			continue;
		if (idev) {
			if (pol->idev != idev)
				continue;
			iofault_policy_set_exit(pol, IOFAULT_EXIT_DEVICE_REMOVED,
						0, "device %s removed",
						dev_name(&idev->dev));
		} else if (!atomic_read(&pol->stopping)) {
			continue;
		}
		iofault_policy_unpublish(pol);
		if (!pol->link) {
			iofault_policy_stop_linkless(pol);
			continue;
		}
		/* A link already on its way out needs no help. */
		link = bpf_link_inc_not_zero(pol->link);
		if (!IS_ERR(link))
			links[n++] = link;
	}
	return n;
}

/*
 * Detach links as user space would: their owners then see them dead
 * (bpftool, poll() gets EPOLLHUP) and can pin new ones.
 */
static void iofault_detach_links(struct bpf_link **links, int n)
{
	while (n--) {
		links[n]->ops->detach(links[n]);
		bpf_link_put(links[n]);
	}
}

/**
 * iofault_policy_device_gone() - stop the policy of a device that leaves
 * @idev: the device, already out of the registry; iofault_lock held
 *
 * A link-less policy is stopped here (its exit runs from the eject work).
 *
 * Return: the policy's link, which the caller detaches with
 * iofault_policy_detach_link() once it dropped iofault_lock, or NULL.
 */
struct bpf_link *iofault_policy_device_gone(struct iofault_device *idev)
{
	struct bpf_link *link = NULL;

	lockdep_assert_held(&iofault_lock);
	/* A device has one policy at most. */
	iofault_policy_collect(idev, &link, 1);
	return link;
}

void iofault_policy_detach_link(struct bpf_link *link)
{
	if (link)
		iofault_detach_links(&link, 1);
}

/*
 * Run the exits of the link-less policies stopped since last time. Their
 * unregistering waits for this (pol->exited) before freeing them.
 */
static void iofault_run_pending_exits(void)
{
	struct iofault_policy *pol, *next;
	LIST_HEAD(todo);

	mutex_lock(&iofault_lock);
	list_splice_init(&iofault_exits_pending, &todo);
	mutex_unlock(&iofault_lock);

	list_for_each_entry_safe(pol, next, &todo, exit_node) {
		list_del_init(&pol->exit_node);
		iofault_policy_run_exit(pol);
		complete_all(&pol->exited);
	}
}

static void iofault_eject_work(struct work_struct *work)
{
	struct bpf_link *links[16];
	int n;

	do {
		mutex_lock(&iofault_lock);
		n = iofault_policy_collect(NULL, links, ARRAY_SIZE(links));
		mutex_unlock(&iofault_lock);
		iofault_detach_links(links, n);
	} while (n == ARRAY_SIZE(links));
	iofault_run_pending_exits();
}

void iofault_policy_exit(void)
{
	flush_work(&iofault_eject);
	/* Policy objects are freed by RCU callbacks of this module. */
	rcu_barrier();
}

static ssize_t iofault_exit_show(const struct iofault_exit_info *ei,
				 const char *policy, char *buf)
{
	if (ei->kind == IOFAULT_EXIT_NONE)
		return sysfs_emit(buf, "\n");
	return sysfs_emit(buf, "%s %d %s: %s\n", iofault_exit_names[ei->kind],
			  ei->code, policy, ei->msg);
}

/* The last stop of @idev's policy, or of the global policy (@idev NULL). */
ssize_t iofault_policy_last_exit_show(struct iofault_device *idev, char *buf)
{
	ssize_t len;

	mutex_lock(&iofault_lock);
	if (idev)
		len = iofault_exit_show(&idev->last_exit,
					idev->last_exit_policy, buf);
	else
		len = iofault_exit_show(&iofault_global_last_exit,
					iofault_global_last_exit_policy, buf);
	mutex_unlock(&iofault_lock);
	return len;
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
