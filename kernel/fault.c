// SPDX-License-Identifier: GPL-2.0
/*
 * iofault fault path: from a driver's report, through the tracker and the
 * policy's verdict, to the one response the hardware gets; plus the
 * resolver worker, the timeout and the device's removal.
 *
 * Everything that touches a device's tracker holds the device's mutex, so
 * a group is answered exactly once whoever gets to it first: the verdict,
 * the resolver, a responder, the timeout or the removal. The driver's
 * page_response() runs under that mutex too (as the IOMMU core calls it
 * under its fault lock). Only the resolver runs without it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/timekeeping.h>

#include "iofault_core.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

static struct workqueue_struct *iofault_wq;

static struct iofault_device *tracker_to_idev(struct iofault_tracker *t)
{
	return container_of(t, struct iofault_device, tracker);
}

/* What a policy callback sees of @g. */
void iofault_call_init(struct iofault_call *call, struct iofault_device *idev,
		       const struct iofault_group *g)
{
	*call = (struct iofault_call) {
		.ctx = {
			.dev_id = idev->id,
			.flags = g->last.flags,
			.pasid = g->last.pasid,
			.grpid = g->last.grpid,
			.perm = g->last.perm,
			.npages = g->npages,
			.caps = (idev->ops->resolve || idev->handoff ?
				 IOFAULT_CAP_RESOLVE : 0) |
				(idev->queue ? IOFAULT_CAP_FORWARD : 0),
			.addr = g->last.addr,
		},
		.idev = idev,
		.fail_code = IOFAULT_RESP_INVALID,
	};
}

/*
 * The tracker's one way to the hardware; the policy that decided @g (if
 * any, and still attached) hears of it.
 */
static void iofault_answer_hw(struct iofault_tracker *t,
			      struct iofault_group *g, u32 code,
			      enum iofault_end end, u64 latency_ns)
{
	struct iofault_device *idev = tracker_to_idev(t);
	struct iofault_page_response resp = {
		.pasid = g->last.pasid,
		.grpid = g->last.grpid,
		.code = code,
	};

	lockdep_assert_held(&idev->lock);
	idev->ops->page_response(idev, &g->last, &resp);
	trace_iofault_response(idev->id, resp.pasid, resp.grpid, code, end,
			       latency_ns);

	if (end == IOFAULT_END_RESPONSE && g->owner)
		iofault_policy_forward_answered(idev, g);
	iofault_policy_response(idev, g, code, latency_ns);
}

static void iofault_reject_trace(struct iofault_tracker *t, u64 cookie,
				 enum iofault_reject_reason why, int err)
{
	trace_iofault_reject(t->dev_id, cookie, why, err);
}

/* The groups and requests iofault_handoff_untracked() took. */
static struct iofault_untracked iofault_untracked_sum(struct iofault_device *idev)
{
	struct iofault_untracked sum = {};
	int cpu;

	for_each_possible_cpu(cpu) {
		const struct iofault_untracked *u = per_cpu_ptr(idev->untracked, cpu);

		sum.groups += READ_ONCE(u->groups);
		sum.requests += READ_ONCE(u->requests);
	}
	return sum;
}

u64 iofault_stat_read(struct iofault_device *idev, u32 stat)
{
	const struct iofault_tracker_stats *ts = &idev->tracker.stats;
	u64 rejected = 0;
	int i;

	lockdep_assert_held(&idev->lock);
	switch (stat) {
	case IOFAULT_STAT_OUTSTANDING:
		return idev->tracker.outstanding;
	case IOFAULT_STAT_GROUPS:
		return ts->groups + iofault_untracked_sum(idev).groups;
	case IOFAULT_STAT_RESOLVED:
		return idev->stats.verdicts[IOFAULT_VERDICT_RESOLVE] +
		       iofault_untracked_sum(idev).groups;
	case IOFAULT_STAT_FORWARDED:
		return idev->stats.verdicts[IOFAULT_VERDICT_FORWARD];
	case IOFAULT_STAT_FAILED:
		return idev->stats.verdicts[IOFAULT_VERDICT_FAIL];
	case IOFAULT_STAT_TIMEOUTS:
		return ts->ended[IOFAULT_END_TIMEOUT];
	case IOFAULT_STAT_QUOTA:
		return ts->ended[IOFAULT_END_QUOTA];
	case IOFAULT_STAT_REJECTED:
		for (i = 0; i < IOFAULT_REJECT_NR; i++)
			rejected += ts->rejected[i];
		return rejected;
	default:
		return 0;
	}
}

/* Arm the timeout for the oldest outstanding group, if not armed yet. */
static void iofault_arm_timeout(struct iofault_device *idev, u64 now)
{
	u64 deadline = iofault_tracker_next_deadline(&idev->tracker);

	if (!deadline || delayed_work_pending(&idev->timeout_work))
		return;
	queue_delayed_work(iofault_wq, &idev->timeout_work,
			   deadline > now ? nsecs_to_jiffies(deadline - now) + 1 : 0);
}

static void iofault_timeout_work(struct work_struct *work)
{
	struct iofault_device *idev = container_of(to_delayed_work(work),
						   struct iofault_device,
						   timeout_work);
	struct iofault_call call;
	struct iofault_group *g;
	u32 code;
	u64 now;

	mutex_lock(&idev->lock);
	now = ktime_get_ns();
	while ((g = iofault_tracker_expired(&idev->tracker, now))) {
		iofault_call_init(&call, idev, g);
		code = iofault_policy_timeout(idev, g, &call.ctx);
		trace_iofault_timeout(idev->id,
				      iofault_group_cookie(&idev->tracker, g),
				      g->last.pasid, g->last.grpid, code);
		iofault_tracker_answer(&idev->tracker, g, code,
				       IOFAULT_END_TIMEOUT);
	}
	iofault_arm_timeout(idev, now);
	mutex_unlock(&idev->lock);
}

/* Run the resolver over a group's requests; the group is held meanwhile. */
static int iofault_run_resolver(struct iofault_device *idev,
				struct iofault_group *g, u64 cookie)
{
	struct iofault_page *p;
	int code;

	list_for_each_entry(p, &g->pages, node) {
		code = idev->ops->resolve(idev, &p->fault, cookie);
		if (code != IOFAULT_RESP_SUCCESS)
			return code == IOFAULT_RESOLVE_LATER ? -EINVAL : code;
	}
	return idev->ops->resolve(idev, &g->last, cookie);
}

static void iofault_resolve_work(struct work_struct *work)
{
	struct iofault_device *idev = container_of(work, struct iofault_device,
						   resolve_work);
	struct iofault_tracker *t = &idev->tracker;
	struct iofault_group *g;
	u64 cookie;
	int code;

	mutex_lock(&idev->lock);
	while ((g = list_first_entry_or_null(&idev->resolve_list,
					     struct iofault_group, qnode))) {
		list_del_init(&g->qnode);
		g->held = true;
		cookie = iofault_group_cookie(t, g);
		mutex_unlock(&idev->lock);

		code = iofault_run_resolver(idev, g, cookie);

		mutex_lock(&idev->lock);
		if (code != IOFAULT_RESOLVE_LATER) {
			if (code < 0 || code >= IOFAULT_RESP_NR) {
				idev->stats.resolver_errors++;
				code = IOFAULT_RESP_INVALID;
			}
			/*
			 * As any responder: refused (and counted) if the
			 * timeout or the removal answered the group meanwhile.
			 */
			iofault_tracker_respond(t, cookie, g->last.pasid,
						g->last.grpid, code, NULL);
		}
		iofault_tracker_unhold(t, g);
	}
	mutex_unlock(&idev->lock);
}

/*
 * The built-in default: resolve if the device can, else forward if a
 * handler listens, else fail (bpf/default.bpf.c is the same as a policy).
 */
static enum iofault_verdict iofault_builtin_verdict(u32 caps)
{
	if (caps & IOFAULT_CAP_RESOLVE)
		return IOFAULT_VERDICT_RESOLVE;
	if (caps & IOFAULT_CAP_FORWARD)
		return IOFAULT_VERDICT_FORWARD;
	return IOFAULT_VERDICT_FAIL;
}

/*
 * Apply the policy's verdict to a new group, which remembers the policy
 * that decided it (0: the built-in default) for its callbacks and its
 * timeout. A group resolved on a device whose resolver is another handler
 * (idev->handoff) leaves the tracker: the caller gives it to that handler.
 */
static enum iofault_taken iofault_dispatch(struct iofault_device *idev,
					   struct iofault_group *g, u64 now)
{
	struct iofault_policy *decider;
	enum iofault_verdict verdict;
	struct iofault_call call;

	lockdep_assert_held(&idev->lock);
	iofault_call_init(&call, idev, g);
	call.deciding = true;
	/* RCU keeps the deciding policy's name alive for the tracepoint. */
	rcu_read_lock();
	verdict = iofault_policy_decide(idev, &call.ctx, &decider);

	if (verdict == IOFAULT_VERDICT_DEFAULT)
		verdict = iofault_builtin_verdict(call.ctx.caps);
	/* A verdict the device cannot carry out fails the group. */
	if ((verdict == IOFAULT_VERDICT_RESOLVE &&
	     !(call.ctx.caps & IOFAULT_CAP_RESOLVE)) ||
	    (verdict == IOFAULT_VERDICT_FORWARD &&
	     !(call.ctx.caps & IOFAULT_CAP_FORWARD)))
		verdict = IOFAULT_VERDICT_FAIL;
	trace_iofault_verdict(idev->id, iofault_group_cookie(&idev->tracker, g),
			      decider ? decider->ops->name : "builtin", verdict);
	g->decider = decider ? decider->id : 0;
	rcu_read_unlock();

	idev->stats.verdicts[verdict]++;
	switch (verdict) {
	case IOFAULT_VERDICT_RESOLVE:
		if (idev->handoff) {
			iofault_tracker_handoff(&idev->tracker, g);
			return IOFAULT_TAKEN_HANDOFF;
		}
		list_add_tail(&g->qnode, &idev->resolve_list);
		queue_work(iofault_wq, &idev->resolve_work);
		iofault_arm_timeout(idev, now);
		return IOFAULT_TAKEN_PENDING;
	case IOFAULT_VERDICT_FORWARD:
		iofault_queue_forward(idev, g);
		iofault_arm_timeout(idev, now);
		return IOFAULT_TAKEN_PENDING;
	default:
		iofault_tracker_answer(&idev->tracker, g, call.fail_code,
				       IOFAULT_END_RESPONSE);
		return IOFAULT_TAKEN_DONE;
	}
}

/*
 * A group of @nreq requests for a device whose resolver is another handler
 * (idev->handoff), while no policy is attached and nothing is outstanding:
 * the built-in policy would resolve it, that is hand it off at once, and
 * no tracker rule could apply to it (no quota reached, no group to
 * duplicate). So it is counted as exactly that, per CPU, and never enters
 * the tracker nor takes the device's lock: the cheapest way through
 * iofault, for devices adopted with no policy. The checks race only with
 * a policy's arrival, which then decides the groups after this one.
 * Returns whether it took the group.
 */
bool iofault_handoff_untracked(struct iofault_device *idev, u32 nreq)
{
	struct iofault_untracked *u;

	if (READ_ONCE(idev->tracker.outstanding) ||
	    READ_ONCE(idev->tracker.dead) ||
	    rcu_access_pointer(idev->policy) ||
	    rcu_access_pointer(iofault_global_policy))
		return false;
	u = get_cpu_ptr(idev->untracked);
	u->groups++;
	u->requests += nreq;
	put_cpu_ptr(idev->untracked);
	return true;
}

/*
 * One request into the tracker, and a group it completes to its policy.
 * Caller holds idev->lock.
 */
enum iofault_taken iofault_report_locked(struct iofault_device *idev,
					 const struct iofault_fault *fault,
					 u64 now)
{
	struct iofault_group *g;

	lockdep_assert_held(&idev->lock);
	trace_iofault_report(idev->id, fault->type, fault->flags, fault->pasid,
			     fault->grpid, fault->perm, fault->addr);
	if (iofault_tracker_report(&idev->tracker, fault, now, &g) !=
	    IOFAULT_ADMIT_GROUP)
		return IOFAULT_TAKEN_DONE;
	return iofault_dispatch(idev, g, now);
}

int iofault_report(struct iofault_device *idev,
		   const struct iofault_fault *fault)
{
	bool dead;

	if (fault->type != IOFAULT_FAULT_PAGE_REQ &&
	    fault->type != IOFAULT_FAULT_DMA_UNRECOV)
		return -EINVAL;

	mutex_lock(&idev->lock);
	if (fault->type == IOFAULT_FAULT_DMA_UNRECOV) {
		trace_iofault_report(idev->id, fault->type, fault->flags,
				     fault->pasid, fault->grpid, fault->perm,
				     fault->addr);
		idev->stats.unrecoverable++;
	} else {
		iofault_report_locked(idev, fault, ktime_get_ns());
	}
	dead = idev->tracker.dead;
	mutex_unlock(&idev->lock);
	return dead ? -ENODEV : 0;
}
EXPORT_SYMBOL_GPL(iofault_report);

void iofault_discard_partial(struct iofault_device *idev)
{
	mutex_lock(&idev->lock);
	iofault_tracker_discard_partial(&idev->tracker);
	mutex_unlock(&idev->lock);
}
EXPORT_SYMBOL_GPL(iofault_discard_partial);

int iofault_respond(struct iofault_device *idev, u64 cookie, u32 pasid,
		    u32 grpid, u32 code)
{
	int err;

	mutex_lock(&idev->lock);
	err = iofault_tracker_respond(&idev->tracker, cookie, pasid, grpid,
				      code, NULL);
	mutex_unlock(&idev->lock);
	return err;
}
EXPORT_SYMBOL_GPL(iofault_respond);

int iofault_fault_init(struct iofault_device *idev,
		       const struct iofault_device_info *info)
{
	int err;

	mutex_init(&idev->lock);
	INIT_LIST_HEAD(&idev->resolve_list);
	INIT_WORK(&idev->resolve_work, iofault_resolve_work);
	INIT_DELAYED_WORK(&idev->timeout_work, iofault_timeout_work);
	/* Freed with the device (iofault_device_release()): sysfs reads it. */
	idev->untracked = alloc_percpu(struct iofault_untracked);
	if (!idev->untracked)
		return -ENOMEM;
	err = iofault_tracker_init(&idev->tracker, idev->id, iofault_answer_hw);
	idev->tracker.reject = iofault_reject_trace;
	if (!err && info->quota)
		err = iofault_tracker_set_quota(&idev->tracker, info->quota);
	if (!err && info->timeout_ms)
		err = iofault_tracker_set_timeout(&idev->tracker, info->timeout_ms);
	if (err)
		iofault_tracker_destroy(&idev->tracker);
	return err;
}

/*
 * The device is leaving: answer what is outstanding, wait for the timeout
 * and the resolver to be done with it, then free the tracker. Its sysfs
 * files are gone already (iofault_device_unregister()); a limit set from
 * elsewhere (a policy's timeout) finds the tracker dead from the flush on,
 * so nothing re-arms the timeout once it is cancelled.
 */
void iofault_fault_exit(struct iofault_device *idev)
{
	mutex_lock(&idev->lock);
	iofault_tracker_flush(&idev->tracker);
	iofault_queue_device_gone(idev);
	mutex_unlock(&idev->lock);

	cancel_delayed_work_sync(&idev->timeout_work);
	/* The resolver's late answers are refused now, and it lets go. */
	flush_work(&idev->resolve_work);

	/* Under the lock, as every other use of the tracker. */
	mutex_lock(&idev->lock);
	WARN_ON(idev->tracker.groups_in_use || idev->tracker.pages_in_use);
	iofault_tracker_destroy(&idev->tracker);
	mutex_unlock(&idev->lock);
}

/**
 * iofault_set_limit() - change one of a device's limits
 * @idev: the device
 * @limit: "quota", "partial_max" or "timeout_ms"
 * @val: the new value, within the limit's bounds (tracker.h)
 *
 * A new timeout applies at once to every outstanding group: deadlines are
 * report time plus the timeout.
 *
 * Return: 0, -EINVAL for a value out of bounds, -ENOMEM if the pools cannot
 * grow, or -ENODEV once the device is going away.
 */
int iofault_set_limit(struct iofault_device *idev, const char *limit, u32 val)
{
	int err;

	mutex_lock(&idev->lock);
	if (idev->tracker.dead) {
		/* Its pools are being freed, its timeout work cancelled. */
		err = -ENODEV;
	} else if (!strcmp(limit, "quota")) {
		err = iofault_tracker_set_quota(&idev->tracker, val);
	} else if (!strcmp(limit, "partial_max")) {
		err = iofault_tracker_set_partial_max(&idev->tracker, val);
	} else {
		err = iofault_tracker_set_timeout(&idev->tracker, val);
		/* A shorter timeout may expire groups earlier than armed. */
		if (!err)
			mod_delayed_work(iofault_wq, &idev->timeout_work, 0);
	}
	mutex_unlock(&idev->lock);
	return err;
}

static const char * const iofault_end_names[IOFAULT_END_NR] = {
	[IOFAULT_END_RESPONSE] = "response",
	[IOFAULT_END_TIMEOUT] = "timeout",
	[IOFAULT_END_FLUSH] = "flush",
	[IOFAULT_END_CLOSE] = "close",
	[IOFAULT_END_QUOTA] = "quota",
	[IOFAULT_END_DUPLICATE] = "duplicate",
	[IOFAULT_END_HANDOFF] = "handoff",
};

static const char * const iofault_code_names[IOFAULT_RESP_NR] = {
	[IOFAULT_RESP_SUCCESS] = "success",
	[IOFAULT_RESP_INVALID] = "invalid",
	[IOFAULT_RESP_FAILURE] = "failure",
};

static const char * const iofault_reject_names[IOFAULT_REJECT_NR] = {
	[IOFAULT_REJECT_UNKNOWN] = "unknown",
	[IOFAULT_REJECT_DUPLICATE] = "duplicate",
	[IOFAULT_REJECT_WRONG_PASID] = "wrong_pasid",
	[IOFAULT_REJECT_WRONG_DEVICE] = "wrong_device",
	[IOFAULT_REJECT_BAD_CODE] = "bad_code",
	[IOFAULT_REJECT_TIMED_OUT] = "timed_out",
	[IOFAULT_REJECT_REMOVED] = "removed",
	[IOFAULT_REJECT_NOT_OWNER] = "not_owner",
	[IOFAULT_REJECT_STALE] = "stale",
};

/* One "key value" pair a line; keys are only ever added. */
ssize_t iofault_stats_show(struct iofault_device *idev, char *buf)
{
	const struct iofault_tracker_stats *ts = &idev->tracker.stats;
	const struct iofault_stats *s = &idev->stats;
	struct iofault_untracked u;
	ssize_t len = 0;
	u64 ended;
	int i;

	mutex_lock(&idev->lock);
	u = iofault_untracked_sum(idev);
	len += sysfs_emit_at(buf, len, "reported %llu\n",
			     ts->requests + u.requests + s->unrecoverable);
	len += sysfs_emit_at(buf, len, "requests %llu\n",
			     ts->requests + u.requests);
	len += sysfs_emit_at(buf, len, "unrecoverable %llu\n", s->unrecoverable);
	len += sysfs_emit_at(buf, len, "groups %llu\n", ts->groups + u.groups);
	len += sysfs_emit_at(buf, len, "resolved %llu\n",
			     s->verdicts[IOFAULT_VERDICT_RESOLVE] + u.groups);
	len += sysfs_emit_at(buf, len, "forwarded %llu\n",
			     s->verdicts[IOFAULT_VERDICT_FORWARD]);
	len += sysfs_emit_at(buf, len, "failed %llu\n",
			     s->verdicts[IOFAULT_VERDICT_FAIL]);
	len += sysfs_emit_at(buf, len, "resolver_errors %llu\n",
			     s->resolver_errors);
	for (i = IOFAULT_END_RESPONSE; i < IOFAULT_END_NR; i++) {
		ended = ts->ended[i] + (i == IOFAULT_END_HANDOFF ? u.groups : 0);
		len += sysfs_emit_at(buf, len, "ended_%s %llu\n",
				     iofault_end_names[i], ended);
	}
	for (i = 0; i < IOFAULT_RESP_NR; i++)
		len += sysfs_emit_at(buf, len, "code_%s %llu\n",
				     iofault_code_names[i], ts->codes[i]);
	for (i = 0; i < IOFAULT_REJECT_NR; i++)
		len += sysfs_emit_at(buf, len, "rejected_%s %llu\n",
				     iofault_reject_names[i], ts->rejected[i]);
	len += sysfs_emit_at(buf, len, "partial_discarded %llu\n",
			     ts->partial_discarded);
	len += sysfs_emit_at(buf, len, "partial_evicted %llu\n",
			     ts->partial_evicted);
	len += sysfs_emit_at(buf, len, "partial_expired %llu\n",
			     ts->partial_expired);
	len += sysfs_emit_at(buf, len, "outstanding %u\n",
			     idev->tracker.outstanding);
	len += sysfs_emit_at(buf, len, "groups_in_use %u\n",
			     idev->tracker.groups_in_use);
	len += sysfs_emit_at(buf, len, "pages_in_use %u\n",
			     idev->tracker.pages_in_use);
	mutex_unlock(&idev->lock);
	return len;
}

/*
 * The latency histogram, one bucket a line: "LOW_NS COUNT" counts the
 * groups answered between LOW_NS and twice that after their report.
 */
ssize_t iofault_latency_show(struct iofault_device *idev, char *buf)
{
	ssize_t len = 0;
	int i;

	mutex_lock(&idev->lock);
	for (i = 0; i < IOFAULT_LAT_BUCKETS; i++)
		len += sysfs_emit_at(buf, len, "%llu %llu\n",
				     i ? 1ULL << i : 0,
				     idev->tracker.stats.latency[i]);
	mutex_unlock(&idev->lock);
	return len;
}

int iofault_fault_path_init(void)
{
	/* Resolvers may sleep for long: keep them off the system queues. */
	iofault_wq = alloc_workqueue("iofault", WQ_UNBOUND, 0);
	return iofault_wq ? 0 : -ENOMEM;
}

void iofault_fault_path_exit(void)
{
	destroy_workqueue(iofault_wq);
}
