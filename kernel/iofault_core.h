/* SPDX-License-Identifier: GPL-2.0 */
/* iofault: state shared by the module's own files. */
#ifndef _IOFAULT_CORE_H
#define _IOFAULT_CORE_H

#include <linux/atomic.h>
#include <linux/bpf.h>
#include <linux/completion.h>
#include <linux/device.h>
#include <linux/iofault.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/workqueue.h>

#include "tracker.h"

/**
 * struct iofault_ctx - what a policy sees of a fault group (read only)
 * @dev_id: the device's id (as in /sys/class/iofault/<name>/id)
 * @flags: enum iofault_pr_flags of the group's last request
 * @pasid: PASID, valid with IOFAULT_PR_PASID_VALID
 * @grpid: page request group index
 * @perm: enum iofault_perm access the device attempted
 * @npages: requests in the group, the last one included
 * @caps: enum iofault_caps: what the device can do with the group
 * @addr: faulting address of the group's last request
 *
 * The driver's private data is deliberately absent.
 */
struct iofault_ctx {
	u32 dev_id;
	u32 flags;
	u32 pasid;
	u32 grpid;
	u32 perm;
	u32 npages;
	u32 caps;
	u64 addr;
};

/*
 * A policy callback's context: the policy sees @ctx only; the kfuncs find
 * the rest. @deciding is set in the fault callback only: the verifier
 * already keeps iofault_set_fail_code() out of the other callbacks (a
 * kfunc filter), and the flag makes sure of it at run time.
 */
struct iofault_call {
	struct iofault_ctx ctx;
	struct iofault_device *idev;
	u32 fail_code;
	bool deciding;
};

/**
 * struct iofault_exit_info - why a policy stopped
 * @kind: an enum iofault_exit_kind
 * @code: what went wrong, by kind: the invalid verdict, the number of
 *        timeouts in a row, init's return value; else 0
 * @msg: the same, for people
 */
struct iofault_exit_info {
	u32 kind;
	s32 code;
	char msg[IOFAULT_EXIT_MSG_LEN];
};

/**
 * struct iofault_ops - a fault policy (BPF struct_ops)
 * @fault: decide a fault group; returns an enum iofault_verdict. The only
 *         callback that may call iofault_set_fail_code().
 * @response: optional; told the code each group this policy decided got,
 *            and how long it was outstanding. Only while the policy is
 *            still attached: a group decided by a policy since replaced or
 *            detached is told to nobody, nor is one every policy passed on
 *            (decided by the built-in default).
 * @timeout: optional; the enum iofault_resp_code for a group this policy
 *           decided whose deadline passed (default IOFAULT_RESP_INVALID).
 *           Only the deciding policy is asked, and only it is charged with
 *           the timeout of a group it forwarded.
 * @init: optional; runs before the policy starts deciding; a non-zero
 *        return (a negative errno) refuses the attachment
 * @exit: optional; runs once when the policy stops, init failure included
 * @target: name of the device the policy is for; empty for the global
 *          policy, which decides for devices without one of their own
 * @name: the policy's name, as shown in sysfs
 * @timeout_ms: if set, the device's timeout for outstanding groups while
 *              the policy is attached (device policies only)
 */
struct iofault_ops {
	s32 (*fault)(struct iofault_ctx *ctx);
	void (*response)(struct iofault_ctx *ctx, u32 code, u64 latency_ns);
	u32 (*timeout)(struct iofault_ctx *ctx);
	s32 (*init)(void);
	void (*exit)(struct iofault_exit_info *info);
	char target[IOFAULT_NAME_LEN];
	char name[IOFAULT_NAME_LEN];
	u32 timeout_ms;
};

/*
 * An attached policy. @slot is the pointer that publishes it (a device's
 * or the global one), NULL once unpublished. @exit says why it stopped,
 * once it did; it stays on the policy list until the BPF core unregisters
 * it: when its link lets go, or, for a policy registered without a link
 * (a SEC(".struct_ops") map), when its map is deleted.
 *
 * @id names it in the groups it decides (struct iofault_group's decider):
 * unique for the module's lifetime, never 0 (the built-in default).
 *
 * A link-less policy cannot be stopped through a link: ejection and device
 * removal unpublish it and run its exit from iofault_eject_work; the exit
 * is @exit_claimed (under iofault_lock) by whoever runs it, and
 * unregistering waits for @exited when that is not itself.
 */
struct iofault_policy {
	struct iofault_ops *ops;
	struct bpf_link *link;		/* NULL: registered without a link */
	u64 id;
	struct iofault_policy __rcu **slot;
	struct iofault_device *idev;	/* for a device policy, while published */
	struct list_head node;
	struct list_head exit_node;	/* on the pending exits, link-less only */
	struct completion exited;
	bool exit_claimed;
	struct rcu_head rcu;
	atomic_t stopping;		/* ejected: the fault path skips it */
	atomic_t timeouts;		/* forwarded groups timed out in a row */
	struct iofault_exit_info exit;
};

/* Ejection thresholds (documented in include/bpf/iofault.bpf.h). */
#define IOFAULT_EJECT_INVALID_VERDICTS	1
#define IOFAULT_EJECT_TIMEOUTS		16

/* Per-device counters the tracker does not keep; under the device's lock. */
struct iofault_stats {
	u64 unrecoverable;		/* unrecoverable faults reported */
	u64 verdicts[IOFAULT_VERDICT_NR];	/* groups, by the verdict applied */
	u64 resolver_errors;		/* resolver answers that were no code */
};

struct iofault_queue;

/* Groups handed off without the tracker (iofault_handoff_untracked()). */
struct iofault_untracked {
	u64 groups;
	u64 requests;
};

struct iofault_device {
	struct device dev;
	u32 id;
	const struct iofault_driver_ops *ops;
	void *drvdata;
	bool handoff;			/* resolving gives a group to another handler */
	struct iofault_untracked __percpu *untracked;
	struct iofault_policy __rcu *policy;
	struct iofault_exit_info last_exit;	/* under iofault_lock */
	char last_exit_policy[IOFAULT_NAME_LEN];
	u32 saved_timeout_ms;		/* restored when a policy with its own leaves */

	struct mutex lock;		/* the fields below */
	struct iofault_tracker tracker;
	struct iofault_stats stats;
	struct iofault_queue *queue;	/* the open fault descriptor, if any */
	struct list_head resolve_list;	/* groups for the resolver, by qnode */
	struct work_struct resolve_work;
	struct delayed_work timeout_work;
};

/* Module-wide object counts, for leak checks (/sys/kernel/iofault/objects). */
extern atomic_t iofault_nr_devices;
extern atomic_t iofault_nr_policies;

/* Serialises the device registry and policy attachment. */
extern struct mutex iofault_lock;
extern struct iofault_policy __rcu *iofault_global_policy;

bool iofault_name_valid(const char *name, size_t size, bool may_be_empty);
struct iofault_device *iofault_find_device(const char *name);

int iofault_bpf_register(void);
u64 iofault_stat_read(struct iofault_device *idev, u32 stat);

/* The kfuncs (bpf_ops.c): BPF programs call them, nothing in the module. */
int iofault_set_fail_code(struct iofault_ctx *ctx, u32 code);
u64 iofault_dev_stat(struct iofault_ctx *ctx, u32 stat);
/* Holds the enums policies need, so that they are in the module's BTF. */
extern struct iofault_btf_enums iofault_btf_enums;

struct iofault_policy *iofault_policy_alloc(struct iofault_ops *ops,
					    struct bpf_link *link);
void iofault_policy_free(struct iofault_policy *pol);
struct iofault_policy *iofault_policy_find(const struct iofault_ops *ops);
int iofault_policy_attach(struct iofault_policy *pol);
void iofault_policy_detach(const struct iofault_ops *ops);
int iofault_policy_replace(struct iofault_policy *pol,
			   const struct iofault_ops *old_ops);
void iofault_policy_exit(void);

enum iofault_verdict iofault_policy_decide(struct iofault_device *idev,
					   struct iofault_ctx *ctx,
					   struct iofault_policy **decider);
void iofault_policy_response(struct iofault_device *idev,
			     const struct iofault_group *g, u32 code,
			     u64 latency_ns);
void iofault_call_init(struct iofault_call *call, struct iofault_device *idev,
		       const struct iofault_group *g);
u32 iofault_policy_timeout(struct iofault_device *idev,
			   const struct iofault_group *g,
			   struct iofault_ctx *ctx);
void iofault_policy_forward_answered(struct iofault_device *idev,
				     const struct iofault_group *g);

struct bpf_link *iofault_policy_device_gone(struct iofault_device *idev);
void iofault_policy_detach_link(struct bpf_link *link);
ssize_t iofault_policy_show(struct iofault_device *idev, char *buf);
ssize_t iofault_policy_last_exit_show(struct iofault_device *idev, char *buf);

int iofault_fault_path_init(void);
void iofault_fault_path_exit(void);
int iofault_fault_init(struct iofault_device *idev,
		       const struct iofault_device_info *info);
void iofault_fault_exit(struct iofault_device *idev);
/* What became of a reported request. */
enum iofault_taken {
	IOFAULT_TAKEN_DONE,	/* held for its group, or its group answered */
	IOFAULT_TAKEN_PENDING,	/* its group waits for an answer from iofault */
	IOFAULT_TAKEN_HANDOFF,	/* its group is for the device's other handler */
};

bool iofault_handoff_untracked(struct iofault_device *idev, u32 nreq);
enum iofault_taken iofault_report_locked(struct iofault_device *idev,
					 const struct iofault_fault *fault,
					 u64 now);
int iofault_set_limit(struct iofault_device *idev, const char *limit, u32 val);
ssize_t iofault_stats_show(struct iofault_device *idev, char *buf);
ssize_t iofault_latency_show(struct iofault_device *idev, char *buf);

int iofault_queue_init(void);
void iofault_queue_exit(void);
void iofault_queue_forward(struct iofault_device *idev, struct iofault_group *g);
void iofault_queue_device_gone(struct iofault_device *idev);

int iofault_iopf_init(void);
void iofault_iopf_exit(void);
int iofault_adopt(const char *name, u32 pasid);
int iofault_release(const char *name, u32 pasid);
ssize_t iofault_iopf_show(char *buf);

int iofault_sysfs_init(void);
void iofault_sysfs_exit(void);
extern const struct class iofault_class;
extern const struct attribute_group *iofault_dev_groups[];

#endif /* _IOFAULT_CORE_H */
