/* SPDX-License-Identifier: GPL-2.0 */
/* iofault: state shared by the module's own files. */
#ifndef _IOFAULT_CORE_H
#define _IOFAULT_CORE_H

#include <linux/atomic.h>
#include <linux/bpf.h>
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
	u64 addr;
};

/**
 * struct iofault_ops - a fault policy (BPF struct_ops)
 * @fault: decide a fault group; returns an enum iofault_verdict
 * @target: name of the device the policy is for; empty for the global
 *          policy, which decides for devices without one of their own
 * @name: the policy's name, as shown in sysfs
 */
struct iofault_ops {
	s32 (*fault)(struct iofault_ctx *ctx);
	char target[IOFAULT_NAME_LEN];
	char name[IOFAULT_NAME_LEN];
};

/*
 * An attached policy. @slot is the pointer that publishes it (a device's
 * or the global one); NULL once its device is gone, until the BPF link
 * lets go of it.
 */
struct iofault_policy {
	struct iofault_ops *ops;
	struct bpf_link *link;
	struct iofault_policy __rcu **slot;
	struct list_head node;
	struct rcu_head rcu;
};

/* Per-device counters the tracker does not keep; under the device's lock. */
struct iofault_stats {
	u64 unrecoverable;		/* unrecoverable faults reported */
	u64 verdicts[IOFAULT_VERDICT_NR];	/* groups, by the verdict applied */
	u64 resolver_errors;		/* resolver answers that were no code */
};

struct iofault_queue;

struct iofault_device {
	struct device dev;
	u32 id;
	const struct iofault_driver_ops *ops;
	void *drvdata;
	struct iofault_policy __rcu *policy;

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

int iofault_policy_register(void);
enum iofault_verdict iofault_policy_decide(struct iofault_device *idev,
					   struct iofault_ctx *ctx);
struct bpf_link *iofault_policy_device_gone(struct iofault_device *idev);
void iofault_policy_detach_link(struct bpf_link *link);
ssize_t iofault_policy_show(struct iofault_device *idev, char *buf);

int iofault_fault_path_init(void);
void iofault_fault_path_exit(void);
int iofault_fault_init(struct iofault_device *idev,
		       const struct iofault_device_info *info);
void iofault_fault_exit(struct iofault_device *idev);
int iofault_set_limit(struct iofault_device *idev, const char *limit, u32 val);
ssize_t iofault_stats_show(struct iofault_device *idev, char *buf);

int iofault_queue_init(void);
void iofault_queue_exit(void);
bool iofault_queue_forward(struct iofault_device *idev, struct iofault_group *g);
void iofault_queue_device_gone(struct iofault_device *idev);

int iofault_sysfs_init(void);
void iofault_sysfs_exit(void);
extern const struct class iofault_class;
extern const struct attribute_group *iofault_dev_groups[];

#endif /* _IOFAULT_CORE_H */
