// SPDX-License-Identifier: GPL-2.0
/*
 * iofault behind the IOMMU core.
 *
 * The core hands each complete page request group to the iopf_handler of
 * the domain attached to the faulting device or PASID. iofault sits there
 * in two ways, each a "source" with an iofault device of its own:
 *
 *  - attached: a kernel user attaches a domain through iofault_attach();
 *    iofault is the domain's handler and the user's resolve() resolves;
 *  - adopted: for a domain someone else attached (an SVA domain), adopt
 *    puts iofault's handler in front of the domain's own, which becomes the
 *    resolver: a group a policy resolves is handed to it, as the core would
 *    have, and it answers that group itself.
 *
 * Either way each group enters the tracker request by request, with the
 * core's group as the private data of its last request, so the tracker
 * answers through one hook, iofault_iopf_page_response(), exactly once;
 * the driver's own private data stays in the core's group.
 *
 * Order against the core: the core answers and frees the groups still on a
 * device's pending list when the device leaves its iopf queue (the IOMMU
 * driver disabling IOPF, or its release_device after the device's
 * removal), and the driver's page_response() needs the device's IOMMU
 * data, freed on release. So a group iofault keeps (forwarded, with its
 * resolver, waiting for its timeout) leaves the pending list as it is
 * taken (iopf_group_dequeue()): the core never frees it under iofault,
 * and iofault answers it, at most once, while the device exists: on
 * BUS_NOTIFY_DEL_DEVICE, which comes before the release, iofault answers
 * every group it keeps, and any group arriving later at once. A group
 * handed to the domain's own handler stays on the list, as upstream. (On
 * 6.12 a response to a dequeued group still reaches the driver; kernels
 * from 6.18 answer only pending groups.)
 *
 * Answers after the owner went: a kept group whose attachment is gone
 * (the owner of an adopted domain detached it: an SVA unbind, a VMM's
 * replace; or the device left its iopf queue) must not be answered to the
 * hardware: its PASID may belong to someone else by then, and a FAILURE
 * would stop page requests for them. The page_response hook re-checks,
 * under the device's IOMMU lock (dev->iommu->lock, which
 * iopf_queue_remove_device() holds): the device's fault_param is still
 * the group's, and an adoption's owner handle is still attached with
 * iofault's handler. If not, the group is freed without a response and
 * counted ("detached" in /sys/kernel/iofault/iopf).
 *
 * Adopted domains. The handler belongs to the domain, which may be
 * attached to several devices and PASIDs (an SVA domain is shared by every
 * device bound to one mm; iommufd may keep a domain across a replace).
 * iofault keeps one record per domain (struct iofault_adomain, keyed by
 * the domain) with the original handler, from the moment its handler goes
 * in until the original is provably back: put back by iofault through an
 * attachment seen live under iofault_iopf_lock. A group of an attachment
 * iofault did not adopt goes to that original. When the last adoption of a
 * domain ends because its owner detached it, iofault cannot know whether
 * the domain is freed or still attached elsewhere: the record stays
 * (an orphan) and holds a reference on the module, so `rmmod iofault`
 * says the module is in use. Adopting another attachment of that domain
 * takes the record over (its release then puts the original back); a
 * `release` of the attachment that went drops the record on the
 * operator's word that the domain is attached nowhere any more. A group
 * iofault cannot place (no record for its domain: cannot happen while
 * iofault's handler is in a domain) is answered INVALID, the handler
 * returning 0 so that the core does not answer FAILURE, and counted
 * ("unplaced").
 *
 * What a module cannot hold. iommu_attach_handle_get() looks the owner's
 * handle up under the xarray's lock, but the handle, and its domain, are
 * stable only under the IOMMU group's mutex, which is private to the core;
 * the core lends no reference on either. iofault holds what it can: a
 * reference on the device, on its iommu_group (so the lookups stay
 * valid), and for an SVA domain on its mm (mmgrab: no other mm takes that
 * address, so a handle and domain seen again at the same addresses with
 * the same mm are the same binding). It re-checks the handle looked up
 * again against the one adopted, its domain, the domain's handler and mm,
 * before each write to a domain (under iofault_iopf_lock) and before each
 * answer of an adopted source (above); adopt does its slow work (the
 * iofault device, dropping stale records) before it reads the owner's
 * attachment, and writes right after. The window that remains: an owner
 * that detaches and frees its domain on another CPU between such a
 * lookup and the accesses it guards (a few instructions) turns them into
 * a use after free. Hence the rule for the
 * operator: adopt an attachment that stays (not one whose process is
 * exiting or unbinding), and release it before the owner unbinds or
 * exits (README, "In front of a real device, behind the IOMMU core").
 *
 * The core reads domain->iopf_handler with no lock and calls it. Putting
 * iofault's handler in publishes the domain's record first, with
 * smp_store_release() on the handler; iofault_iopf_adopted() re-reads the
 * handler with smp_load_acquire() before looking the record up (the core's
 * plain load followed by an indirect call orders nothing: a CPU may run
 * the predicted target's loads early). To take its handler out, iofault
 * puts the original back, waits for RCU-tasks (every task that read the
 * old pointer has entered the handler, whose body is an SRCU read
 * section, or left it) and then for SRCU; only then is a record freed. The
 * module's last act on unload is one more RCU-tasks grace period: a task
 * past srcu_read_unlock() may still run the handler's last instructions.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hashtable.h>
#include <linux/iommu.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/platform_device.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/srcu.h>
#include <linux/timekeeping.h>

#include "iofault_core.h"
#include "iommu_priv.h"
#include "trace.h"

typedef int (*iofault_iopf_handler_t)(struct iopf_group *group);

/*
 * An adopted domain: its original handler, until iofault put it back.
 * Found by the fault path under SRCU, changed under iofault_iopf_lock.
 */
struct iofault_adomain {
	struct hlist_node hnode;		/* iofault_adomains, by domain */
	struct iommu_domain *domain;
	iofault_iopf_handler_t orig;
	unsigned int sources;			/* adoptions on the domain */
	bool pinned;				/* orphan: holds a module ref */
	char orphan[IOFAULT_NAME_LEN];		/* the adoption that left it */
};

/*
 * A device or PASID whose groups iofault takes from the core. @idev is
 * NULL once the device left (its groups were answered).
 */
struct iofault_source {
	struct iommu_attach_handle handle;	/* attached: iofault's own */
	struct iofault_device *idev;
	struct device *dev;			/* referenced */
	struct iommu_group *group;		/* referenced */
	ioasid_t pasid;
	struct iommu_domain *domain;
	struct iofault_attach *att;		/* attached, else NULL */
	struct iommu_attach_handle *owner_handle;	/* adopted */
	struct iofault_adomain *ad;		/* adopted: its domain's record */
	struct mm_struct *mm;			/* adopted SVA domain: grabbed */
	bool gone;				/* read under SRCU */
	bool owner_gone;			/* the owner detached first */
	char name[IOFAULT_NAME_LEN];
	struct hlist_node hnode;		/* adopted, by owner_handle */
	struct list_head node;			/* iofault_sources */
};

/* A device between BUS_NOTIFY_DEL_DEVICE and BUS_NOTIFY_REMOVED_DEVICE. */
struct iofault_dying {
	struct device *dev;
	struct list_head node;
};

/* Sources, records, adoption and release, under iofault_iopf_lock. */
static DEFINE_MUTEX(iofault_iopf_lock);
static LIST_HEAD(iofault_sources);
static LIST_HEAD(iofault_dying);
/* Dying devices iofault could not list (no memory): adopt waits them out. */
static unsigned int iofault_dying_unlisted;
/* Adopted sources by the owner's attach handle, for the fault path. */
static DEFINE_HASHTABLE(iofault_adopted, 6);
/* Records of adopted domains, by domain, for the fault path. */
static DEFINE_HASHTABLE(iofault_adomains, 6);
DEFINE_STATIC_SRCU(iofault_iopf_srcu);
#define IOFAULT_ADOPTED_HELD	(srcu_read_lock_held(&iofault_iopf_srcu) || \
				 lockdep_is_held(&iofault_iopf_lock))

/* Module-wide counts, shown in /sys/kernel/iofault/iopf. */
static atomic64_t iofault_iopf_unplaced;	/* answered INVALID: no record */
static atomic64_t iofault_iopf_detached;	/* freed unanswered: owner gone */
static atomic_t iofault_iopf_orphans;		/* records pinning the module */

/* Permissions and codes are the core's, bit for bit; flags are not. */
static_assert(IOFAULT_PERM_READ == IOMMU_FAULT_PERM_READ);
static_assert(IOFAULT_PERM_WRITE == IOMMU_FAULT_PERM_WRITE);
static_assert(IOFAULT_PERM_EXEC == IOMMU_FAULT_PERM_EXEC);
static_assert(IOFAULT_PERM_PRIV == IOMMU_FAULT_PERM_PRIV);
static_assert(IOFAULT_RESP_SUCCESS == (int)IOMMU_PAGE_RESP_SUCCESS);
static_assert(IOFAULT_RESP_INVALID == (int)IOMMU_PAGE_RESP_INVALID);
static_assert(IOFAULT_RESP_FAILURE == (int)IOMMU_PAGE_RESP_FAILURE);

static int iofault_iopf_adopted(struct iopf_group *group);

/* A core request's flags as iofault's; the private data stays behind. */
static u32 iofault_iopf_flags(u32 flags, bool last)
{
	return (flags & IOMMU_FAULT_PAGE_REQUEST_PASID_VALID ?
		IOFAULT_PR_PASID_VALID : 0) |
	       (flags & IOMMU_FAULT_PAGE_RESPONSE_NEEDS_PASID ?
		IOFAULT_PR_RESP_NEEDS_PASID : 0) |
	       (last ? IOFAULT_PR_LAST_PAGE : 0);
}

/* Which requester of a source sent a group: its PCI requester id, or 0. */
static u32 iofault_iopf_rid(struct device *dev)
{
#ifdef CONFIG_PCI
	if (dev_is_pci(dev))
		return pci_dev_id(to_pci_dev(dev));
#endif
	return 0;
}

/*
 * Whether an adoption still stands: the owner's attachment is the one
 * adopted, and its domain (with the same mm, for SVA) still has iofault's
 * handler. After an owner detached, a new attachment may get the freed
 * handle's or domain's address, but not iofault's handler (nor, while
 * iofault grabs it, the mm). The reads of the handle's fields race with
 * an owner detaching now: see the top of this file.
 */
static bool iofault_adoption_live(const struct iofault_source *src)
{
	struct iommu_attach_handle *now;
	struct iommu_domain *domain;

	now = iommu_attach_handle_get(src->group, src->pasid, 0);
	if (now != src->owner_handle)
		return false;
	domain = READ_ONCE(now->domain);
	if (domain != src->domain ||
	    READ_ONCE(domain->iopf_handler) != iofault_iopf_adopted)
		return false;
	return !src->mm || (domain->type == IOMMU_DOMAIN_SVA &&
			    READ_ONCE(domain->mm) == src->mm);
}

/*
 * The core's group, answered and freed: the tracker's hook, called once
 * per group under the iofault device's lock. A group whose attachment
 * went (see the top of this file) gets no answer. The device's IOMMU data
 * is there: iofault answers every group it keeps on BUS_NOTIFY_DEL_DEVICE,
 * before the core's release frees it.
 */
static int iofault_iopf_page_response(struct iofault_device *idev,
				      const struct iofault_fault *fault,
				      const struct iofault_page_response *resp)
{
	struct iopf_group *group = (void *)(uintptr_t)fault->private_data[0];
	struct iofault_source *src = iofault_device_drvdata(idev);
	struct dev_iommu *param = group->fault_param->dev->iommu;
	bool live;

	/* Excludes iopf_queue_remove_device(), which holds it throughout. */
	mutex_lock(&param->lock);
	live = rcu_dereference_protected(param->fault_param,
					 lockdep_is_held(&param->lock)) ==
	       group->fault_param;
	/*
	 * An adoption being released decided then (owner_gone): by now the
	 * domain may have its original handler back.
	 */
	if (live && !src->att)
		live = !READ_ONCE(src->owner_gone) &&
		       (READ_ONCE(src->gone) || iofault_adoption_live(src));
	if (live)
		iopf_group_response(group, resp->code);
	mutex_unlock(&param->lock);
	if (!live)
		atomic64_inc(&iofault_iopf_detached);
	iopf_free_group(group);
	return 0;
}

/*
 * An attachment's resolver: the user's, for one request. The request is
 * rebuilt from the tracker's copy: the core's group may be answered and
 * freed meanwhile (the timeout, the device's removal), and the driver's
 * private data is none of the resolver's business.
 */
static int iofault_iopf_resolve(struct iofault_device *idev,
				const struct iofault_fault *fault, u64 cookie)
{
	struct iofault_source *src = iofault_device_drvdata(idev);
	struct iommu_fault_page_request req = {
		.flags = (fault->flags & IOFAULT_PR_PASID_VALID ?
			  IOMMU_FAULT_PAGE_REQUEST_PASID_VALID : 0) |
			 (fault->flags & IOFAULT_PR_LAST_PAGE ?
			  IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE : 0),
		.pasid = fault->pasid,
		.grpid = fault->grpid,
		.perm = fault->perm,
		.addr = fault->addr,
	};

	return src->att->ops->resolve(src->att, &req);
}

static const struct iofault_driver_ops iofault_attached_ops = {
	.owner = THIS_MODULE,
	.page_response = iofault_iopf_page_response,
	.resolve = iofault_iopf_resolve,
};

/* Adopted: resolving hands the group to the domain's own handler. */
static const struct iofault_driver_ops iofault_adopted_ops = {
	.owner = THIS_MODULE,
	.page_response = iofault_iopf_page_response,
};

/*
 * Give a core group's requests to the source's tracker, the last one
 * last, with the core's group as the last one's private data. Returns true if
 * the group is to go to the domain's own handler. Caller is in an SRCU
 * read section and saw the source not gone.
 */
static bool iofault_iopf_take(struct iofault_source *src,
			      struct iopf_group *group)
{
	enum iofault_taken taken = IOFAULT_TAKEN_DONE;
	struct iofault_device *idev = src->idev;
	u32 rid = iofault_iopf_rid(group->fault_param->dev);
	struct iopf_fault *iopf;
	u64 now;

	if (idev->handoff &&
	    iofault_handoff_untracked(idev, group->fault_count)) {
		if (trace_iofault_report_enabled())
			list_for_each_entry(iopf, &group->faults, list) {
				const struct iommu_fault_page_request *prm =
					&iopf->fault.prm;

				trace_iofault_report(idev->id,
						     IOFAULT_FAULT_PAGE_REQ,
						     iofault_iopf_flags(prm->flags, iopf ==
									&group->last_fault),
						     prm->pasid, prm->grpid,
						     prm->perm, prm->addr);
			}
		/* Cookie 0: the group never had a slot in the tracker. */
		trace_iofault_verdict(idev->id, 0, "builtin",
				      IOFAULT_VERDICT_RESOLVE);
		return true;
	}
	mutex_lock(&idev->lock);
	now = ktime_get_ns();
	list_for_each_entry(iopf, &group->faults, list) {
		const struct iommu_fault_page_request *prm = &iopf->fault.prm;
		bool last = iopf == &group->last_fault;
		struct iofault_fault f = {
			.type = IOFAULT_FAULT_PAGE_REQ,
			.flags = iofault_iopf_flags(prm->flags, last),
			.pasid = prm->pasid,
			.grpid = prm->grpid,
			.perm = prm->perm,
			.rid = rid,
			.addr = prm->addr,
			.private_data = { last ? (uintptr_t)group : 0 },
		};

		taken = iofault_report_locked(idev, &f, now);
		/* The group may be answered and freed: touch it no more. */
		if (last)
			break;
	}
	/*
	 * A group iofault answers later leaves the core's pending list (still
	 * under idev->lock, so not answered yet): see the top of this file.
	 */
	if (taken == IOFAULT_TAKEN_PENDING)
		iopf_group_dequeue(group);
	mutex_unlock(&idev->lock);
	return taken == IOFAULT_TAKEN_HANDOFF;
}

/* A group iofault does not take: answered INVALID, as the core would. */
static void iofault_iopf_refuse(struct iopf_group *group)
{
	iopf_group_response(group, IOMMU_PAGE_RESP_INVALID);
	iopf_free_group(group);
}

/* The iopf_handler of a domain attached through iofault_attach(). */
static int iofault_iopf_attached(struct iopf_group *group)
{
	struct iofault_source *src = container_of(group->attach_handle,
						  struct iofault_source,
						  handle);
	int idx = srcu_read_lock(&iofault_iopf_srcu);

	if (READ_ONCE(src->gone))
		iofault_iopf_refuse(group);
	else
		iofault_iopf_take(src, group);
	srcu_read_unlock(&iofault_iopf_srcu, idx);
	return 0;
}

/* Caller is in an SRCU read section or holds iofault_iopf_lock. */
static struct iofault_source *
iofault_adopted_find(const struct iommu_attach_handle *handle)
{
	struct iofault_source *src;

	hash_for_each_possible_rcu(iofault_adopted, src, hnode,
				   (unsigned long)handle, IOFAULT_ADOPTED_HELD)
		if (src->owner_handle == handle)
			return src;
	return NULL;
}

/* Caller is in an SRCU read section or holds iofault_iopf_lock. */
static struct iofault_adomain *
iofault_adomain_find(const struct iommu_domain *domain)
{
	struct iofault_adomain *ad;

	hash_for_each_possible_rcu(iofault_adomains, ad, hnode,
				   (unsigned long)domain, IOFAULT_ADOPTED_HELD)
		if (ad->domain == domain)
			return ad;
	return NULL;
}

/*
 * Whether @group is of @src's attachment: found by the handle's address,
 * which a later attachment of the same domain, to another device or
 * PASID, may have got after the owner detached.
 */
static bool iofault_source_owns(const struct iofault_source *src,
				const struct iopf_group *group)
{
	const struct iommu_fault_page_request *prm = &group->last_fault.fault.prm;

	if (group->fault_param->dev != src->dev)
		return false;
	/* The device's own handle also takes PASID faults (nesting). */
	return src->pasid == IOMMU_NO_PASID ||
	       ((prm->flags & IOMMU_FAULT_PAGE_REQUEST_PASID_VALID) &&
		prm->pasid == src->pasid);
}

/*
 * The iopf_handler iofault puts in front of an adopted domain's own. A
 * group of an adopted attachment goes to its source; any other group of
 * the domain (another device or PASID it is attached to, an adoption that
 * ended) to the original. It never returns an error of its own: the core
 * would answer FAILURE, which stops the device's page requests.
 */
static int iofault_iopf_adopted(struct iopf_group *group)
{
	struct iommu_domain *domain = group->attach_handle->domain;
	int idx = srcu_read_lock(&iofault_iopf_srcu);
	struct iofault_adomain *ad;
	struct iofault_source *src;
	int ret = 0;

	/*
	 * Pairs with the smp_store_release() of this handler in
	 * iofault_adopt(): the record was published before it. The value
	 * does not matter (the original may be back already: the record
	 * stays until no caller can be here).
	 */
	smp_load_acquire(&domain->iopf_handler);
	ad = iofault_adomain_find(domain);
	src = iofault_adopted_find(group->attach_handle);
	if (!ad) {
		/* Cannot happen while this handler is in a domain. */
		atomic64_inc(&iofault_iopf_unplaced);
		iofault_iopf_refuse(group);
	} else if (!src || src->ad != ad || READ_ONCE(src->gone) ||
		   !iofault_source_owns(src, group) ||
		   iofault_iopf_take(src, group)) {
		ret = ad->orig(group);
	}
	srcu_read_unlock(&iofault_iopf_srcu, idx);
	return ret;
}

/* "dev" or "dev.pasidN": the name of a source's iofault device. */
static int iofault_source_name(char *buf, const char *dev, ioasid_t pasid)
{
	int len;

	if (pasid == IOMMU_NO_PASID)
		len = snprintf(buf, IOFAULT_NAME_LEN, "%s", dev);
	else
		len = snprintf(buf, IOFAULT_NAME_LEN, "%s.pasid%u", dev, pasid);
	return len < IOFAULT_NAME_LEN ? 0 : -ENAMETOOLONG;
}

static struct iofault_source *iofault_source_find(struct device *dev,
						  ioasid_t pasid)
{
	struct iofault_source *src;

	lockdep_assert_held(&iofault_iopf_lock);
	list_for_each_entry(src, &iofault_sources, node)
		if (src->dev == dev && src->pasid == pasid)
			return src;
	return NULL;
}

/* A new source with its iofault device. */
static struct iofault_source *
iofault_source_create(struct device *dev, ioasid_t pasid,
		      const struct iofault_driver_ops *ops)
{
	struct iofault_device_info info = { .parent = dev, .ops = ops };
	struct iofault_source *src;
	int err;

	lockdep_assert_held(&iofault_iopf_lock);
	if (iofault_source_find(dev, pasid))
		return ERR_PTR(-EEXIST);
	src = kzalloc(sizeof(*src), GFP_KERNEL);
	if (!src)
		return ERR_PTR(-ENOMEM);
	err = iofault_source_name(src->name, dev_name(dev), pasid);
	if (err)
		goto free;
	src->group = iommu_group_get(dev);
	err = -ENXIO;
	if (!src->group)
		goto free;
	info.name = src->name;
	info.drvdata = src;
	src->idev = iofault_device_register(&info);
	if (IS_ERR(src->idev)) {
		err = PTR_ERR(src->idev);
		iommu_group_put(src->group);
		goto free;
	}
	src->idev->handoff = !ops->resolve;
	src->dev = get_device(dev);
	src->pasid = pasid;
	return src;

free:
	kfree(src);
	return ERR_PTR(err);
}

/*
 * Stop taking groups for @src and answer those it holds: after this, its
 * handler answers at once (attached) or gives every group to the original
 * (adopted).
 */
static void iofault_source_stop(struct iofault_source *src)
{
	lockdep_assert_held(&iofault_iopf_lock);
	if (!src->idev)
		return;
	WRITE_ONCE(src->gone, true);
	synchronize_srcu(&iofault_iopf_srcu);
	iofault_device_unregister(src->idev);
	src->idev = NULL;
}

/* Drop what a source holds; it is off the lists, or never was on them. */
static void iofault_source_put(struct iofault_source *src)
{
	if (src->mm)
		mmdrop(src->mm);
	iommu_group_put(src->group);
	put_device(src->dev);
	kfree(src);
}

static void iofault_source_free(struct iofault_source *src)
{
	lockdep_assert_held(&iofault_iopf_lock);
	list_del(&src->node);
	iofault_source_put(src);
}

/*
 * Free a record no caller can reach any more: unhashed, and either the
 * original back in the domain, or the domain not carrying iofault's
 * handler (freed, on the operator's word or as a stale address), and
 * both grace periods over (see the top of this file).
 */
static void iofault_adomain_free(struct iofault_adomain *ad)
{
	lockdep_assert_held(&iofault_iopf_lock);
	if (ad->pinned) {
		atomic_dec(&iofault_iopf_orphans);
		module_put(THIS_MODULE);
	}
	kfree(ad);
}

/* Forget a record whose domain does not carry iofault's handler. */
static void iofault_adomain_forget(struct iofault_adomain *ad)
{
	lockdep_assert_held(&iofault_iopf_lock);
	hash_del_rcu(&ad->hnode);
	synchronize_rcu_tasks();
	synchronize_srcu(&iofault_iopf_srcu);
	iofault_adomain_free(ad);
}

/*
 * Release an adopted source. Its groups go to the original handler from
 * the start. The last adoption of a domain puts the original back if its
 * attachment is still live, which proves the domain is; if the owner
 * detached it first, the record stays, an orphan holding the module (see
 * the top of this file).
 */
static void iofault_release_source(struct iofault_source *src)
{
	struct iofault_adomain *ad = src->ad;
	bool restored = false;

	lockdep_assert_held(&iofault_iopf_lock);
	/* Before the original goes back: then the domain is not ours. */
	WRITE_ONCE(src->owner_gone, !iofault_adoption_live(src));
	WRITE_ONCE(src->gone, true);
	if (!--ad->sources) {
		if (!src->owner_gone) {
			WRITE_ONCE(src->domain->iopf_handler, ad->orig);
			restored = true;
		} else if (!ad->pinned && module_is_live(THIS_MODULE)) {
			__module_get(THIS_MODULE);
			ad->pinned = true;
			atomic_inc(&iofault_iopf_orphans);
			strscpy(ad->orphan, src->name);
			pr_notice("%s: the owner detached the domain first; iofault stays loaded until another attachment of that domain is adopted and released, or %s is released (see README)\n",
				  src->name, src->name);
		} else if (!ad->pinned) {
			/* Unloading: too late to refuse. */
			pr_warn("%s: the owner detached the domain just before unload; if it is still attached elsewhere, its faults reach freed code\n",
				src->name);
			restored = true;
		} else {
			strscpy(ad->orphan, src->name);
		}
	}
	/*
	 * A caller that read iofault's handler before the original went
	 * back is now inside it (an SRCU read section), or done. Until then
	 * the record stays findable, so that such a caller finds the
	 * original rather than nothing (it would be answered INVALID).
	 */
	if (restored) {
		synchronize_rcu_tasks();
		hash_del_rcu(&ad->hnode);
	}
	hash_del_rcu(&src->hnode);
	iofault_source_stop(src);
	if (restored) {
		synchronize_srcu(&iofault_iopf_srcu);
		iofault_adomain_free(ad);
	}
	iofault_source_free(src);
}

/*
 * Drop the adoptions whose owner detached the domain (an SVA unbind, a
 * VMM gone): iofault cannot be told, so it looks whenever it adopts,
 * releases or attaches. Such a domain is left alone: it may be freed.
 * Its groups were answered by the core or handed to the owner; iofault's
 * own held ones are freed unanswered now.
 */
static void iofault_adopted_prune(void)
{
	struct iofault_source *src, *next;

	lockdep_assert_held(&iofault_iopf_lock);
	list_for_each_entry_safe(src, next, &iofault_sources, node)
		if (!src->att && !iofault_adoption_live(src))
			iofault_release_source(src);
}

/* The device named @name on a bus that has IOMMU-capable devices. */
static struct device *iofault_iopf_find_dev(const char *name)
{
	struct device *dev = NULL;

#ifdef CONFIG_PCI
	dev = bus_find_device_by_name(&pci_bus_type, NULL, name);
#endif
	if (!dev)
		dev = bus_find_device_by_name(&platform_bus_type, NULL, name);
	return dev;
}

/*
 * Whether @dev is being deleted: it is still on its bus (so found by
 * name) after BUS_NOTIFY_DEL_DEVICE, which iofault may have handled
 * before the caller took the lock.
 */
static bool iofault_dev_dying(struct device *dev)
{
	struct iofault_dying *d;

	lockdep_assert_held(&iofault_iopf_lock);
	if (iofault_dying_unlisted)
		return true;
	list_for_each_entry(d, &iofault_dying, node)
		if (d->dev == dev)
			return true;
	return false;
}

int iofault_attach(struct iofault_attach *att, struct iommu_domain *domain,
		   struct device *dev, u32 pasid)
{
	iofault_iopf_handler_t prev;
	struct iofault_source *src;
	int err;

	if (!att->ops || !att->ops->resolve || !domain || !dev ||
	    !dev->iommu_group)
		return -EINVAL;
	if (!try_module_get(att->ops->owner))
		return -ENODEV;

	mutex_lock(&iofault_iopf_lock);
	iofault_adopted_prune();
	/* Another handler's domain (or one iofault adopted) is not iofault's. */
	prev = domain->iopf_handler;
	err = -EBUSY;
	if (prev && prev != iofault_iopf_attached)
		goto unlock;
	err = -ENODEV;
	if (iofault_dev_dying(dev))
		goto unlock;
	src = iofault_source_create(dev, pasid, &iofault_attached_ops);
	if (IS_ERR(src)) {
		err = PTR_ERR(src);
		goto unlock;
	}
	src->att = att;
	src->domain = domain;
	att->src = src;
	domain->iopf_handler = iofault_iopf_attached;
	if (pasid == IOMMU_NO_PASID)
		err = iommu_attach_group_handle(domain, src->group,
						&src->handle);
	else
		err = iommu_attach_device_pasid(domain, dev, pasid,
						&src->handle);
	if (err) {
		domain->iopf_handler = prev;
		iofault_source_stop(src);
		iofault_source_put(src);
		att->src = NULL;
		goto unlock;
	}
	list_add(&src->node, &iofault_sources);
	mutex_unlock(&iofault_iopf_lock);
	return 0;

unlock:
	mutex_unlock(&iofault_iopf_lock);
	module_put(att->ops->owner);
	return err;
}
EXPORT_SYMBOL_GPL(iofault_attach);

void iofault_detach(struct iofault_attach *att)
{
	struct iofault_source *src = att->src;

	mutex_lock(&iofault_iopf_lock);
	iofault_source_stop(src);
	if (src->pasid == IOMMU_NO_PASID)
		iommu_detach_group_handle(src->domain, src->group);
	else
		iommu_detach_device_pasid(src->domain, src->dev, src->pasid);
	iofault_source_free(src);
	mutex_unlock(&iofault_iopf_lock);
	att->src = NULL;
	module_put(att->ops->owner);
}
EXPORT_SYMBOL_GPL(iofault_detach);

/*
 * The owner's attachment of @group/@pasid, read once: its handle, domain,
 * the domain's handler and (SVA) mm. Each read races with an owner
 * detaching now (see the top of this file): the caller does nothing slow
 * between this and its write to the domain.
 */
struct iofault_owner {
	struct iommu_attach_handle *handle;
	struct iommu_domain *domain;
	iofault_iopf_handler_t handler;
	struct mm_struct *mm;
};

static int iofault_owner_get(struct iommu_group *group, u32 pasid,
			     struct iofault_owner *o)
{
	o->handle = iommu_attach_handle_get(group, pasid, 0);
	if (IS_ERR(o->handle))
		return -ENOENT;
	o->domain = READ_ONCE(o->handle->domain);
	o->handler = READ_ONCE(o->domain->iopf_handler);
	o->mm = o->domain->type == IOMMU_DOMAIN_SVA ?
		READ_ONCE(o->domain->mm) : NULL;
	if (!o->handler)
		return -EOPNOTSUPP;
	if (o->handler == iofault_iopf_attached)
		return -EEXIST;
	return 0;
}

/*
 * A record for @domain whose handler is not iofault's names a domain that
 * is gone (iofault's handler stays in a domain as long as its record):
 * returned, to be forgotten. Else NULL.
 */
static struct iofault_adomain *iofault_adomain_stale(const struct iofault_owner *o)
{
	struct iofault_adomain *ad = iofault_adomain_find(o->domain);

	lockdep_assert_held(&iofault_iopf_lock);
	if (ad && o->handler != iofault_iopf_adopted && !ad->sources)
		return ad;
	return NULL;
}

int iofault_adopt(const char *name, u32 pasid)
{
	struct iofault_adomain *ad, *new_ad;
	struct iofault_source *src = NULL;
	struct iommu_group *group = NULL;
	iofault_iopf_handler_t orig;
	struct iofault_owner o;
	struct device *dev;
	int err;

	dev = iofault_iopf_find_dev(name);
	if (!dev)
		return -ENODEV;
	new_ad = kzalloc(sizeof(*new_ad), GFP_KERNEL);
	if (!new_ad) {
		put_device(dev);
		return -ENOMEM;
	}
	mutex_lock(&iofault_iopf_lock);
	iofault_adopted_prune();
	err = -ENODEV;
	if (iofault_dev_dying(dev))
		goto unlock;
	err = -ENXIO;
	group = iommu_group_get(dev);
	if (!group)
		goto unlock;
	/* Everything slow first: the source, stale records dropped. */
	err = iofault_owner_get(group, pasid, &o);
	if (err)
		goto unlock;
	src = iofault_source_create(dev, pasid, &iofault_adopted_ops);
	if (IS_ERR(src)) {
		err = PTR_ERR(src);
		src = NULL;
		goto unlock;
	}
	for (;;) {
		err = iofault_owner_get(group, pasid, &o);
		if (err)
			goto unlock;
		ad = iofault_adomain_stale(&o);
		if (!ad)
			break;
		iofault_adomain_forget(ad);
	}
	/* From the lookup above to the handler's write: the window. */
	ad = iofault_adomain_find(o.domain);
	err = -EEXIST;		/* cannot happen: a record, not iofault's handler */
	if (!ad && o.handler == iofault_iopf_adopted)
		goto unlock;
	if (ad && o.handler != iofault_iopf_adopted)
		goto unlock;
	orig = ad ? ad->orig : o.handler;
	src->domain = o.domain;
	src->owner_handle = o.handle;
	if (o.mm) {
		src->mm = o.mm;
		mmgrab(src->mm);
	}
	if (!ad) {
		ad = new_ad;
		new_ad = NULL;
		ad->domain = o.domain;
		ad->orig = orig;
		hash_add_rcu(iofault_adomains, &ad->hnode,
			     (unsigned long)o.domain);
	}
	ad->sources++;
	src->ad = ad;
	list_add(&src->node, &iofault_sources);
	hash_add_rcu(iofault_adopted, &src->hnode, (unsigned long)o.handle);
	/*
	 * Publishes the record and the source: pairs with the
	 * smp_load_acquire() in iofault_iopf_adopted().
	 */
	smp_store_release(&o.domain->iopf_handler, iofault_iopf_adopted);
	src = NULL;
	/* An orphan record is taken over: the adoption restores it. */
	if (ad->pinned) {
		ad->pinned = false;
		atomic_dec(&iofault_iopf_orphans);
		module_put(THIS_MODULE);
	}
	err = 0;
unlock:
	if (src) {
		iofault_source_stop(src);
		iofault_source_put(src);
	}
	mutex_unlock(&iofault_iopf_lock);
	if (group)
		iommu_group_put(group);
	put_device(dev);
	kfree(new_ad);
	return err;
}

/*
 * The orphan record an adoption named @name left: the operator says, by
 * releasing it, that its domain is attached nowhere any more.
 */
static struct iofault_adomain *iofault_orphan_find(const char *name)
{
	struct iofault_adomain *ad;
	int bkt;

	lockdep_assert_held(&iofault_iopf_lock);
	hash_for_each(iofault_adomains, bkt, ad, hnode)
		if (!ad->sources && ad->pinned && !strcmp(ad->orphan, name))
			return ad;
	return NULL;
}

int iofault_release(const char *name, u32 pasid)
{
	struct iofault_source *src = NULL;
	char sname[IOFAULT_NAME_LEN];
	struct iofault_adomain *ad;
	struct device *dev;
	int err = 0;

	/* The device may be gone: an orphan record is found by name. */
	dev = iofault_iopf_find_dev(name);
	mutex_lock(&iofault_iopf_lock);
	iofault_adopted_prune();
	if (dev)
		src = iofault_source_find(dev, pasid);
	if (src && !src->att) {
		iofault_release_source(src);
	} else {
		ad = NULL;
		if (!iofault_source_name(sname, name, pasid))
			ad = iofault_orphan_find(sname);
		if (ad)
			iofault_adomain_forget(ad);
		else
			err = dev ? -ENOENT : -ENODEV;
	}
	mutex_unlock(&iofault_iopf_lock);
	put_device(dev);
	return err;
}

/**
 * iofault_iopf_show() - the module-wide counts of the IOMMU core's side
 * @buf: a sysfs buffer
 *
 * "unplaced": groups answered INVALID because no adopted domain's record
 * named their domain; "detached": kept groups freed without an answer
 * because their attachment went first; "orphans": adopted domains whose
 * owner detached them first, each holding the module.
 *
 * Return: the bytes written.
 */
ssize_t iofault_iopf_show(char *buf)
{
	return sysfs_emit(buf, "unplaced %lld\ndetached %lld\norphans %d\n",
			  atomic64_read(&iofault_iopf_unplaced),
			  atomic64_read(&iofault_iopf_detached),
			  atomic_read(&iofault_iopf_orphans));
}

/*
 * A device is being deleted: answer what its sources hold before the core
 * answers and frees its pending groups (see the top of this file).
 * Adoptions end; attachments stay until their user detaches. Until the
 * device has left its bus (BUS_NOTIFY_REMOVED_DEVICE), adopt and attach
 * refuse it.
 */
static int iofault_iopf_bus_event(struct notifier_block *nb,
				  unsigned long action, void *data)
{
	struct iofault_source *src, *next;
	struct iofault_dying *d, *dn;
	struct device *dev = data;

	if (action == BUS_NOTIFY_REMOVED_DEVICE) {
		mutex_lock(&iofault_iopf_lock);
		d = NULL;
		list_for_each_entry(dn, &iofault_dying, node)
			if (dn->dev == dev) {
				d = dn;
				break;
			}
		if (d)
			list_del(&d->node);
		else if (iofault_dying_unlisted)
			iofault_dying_unlisted--;
		mutex_unlock(&iofault_iopf_lock);
		kfree(d);
		return NOTIFY_DONE;
	}
	if (action != BUS_NOTIFY_DEL_DEVICE)
		return NOTIFY_DONE;
	d = kmalloc(sizeof(*d), GFP_KERNEL);
	mutex_lock(&iofault_iopf_lock);
	if (d) {
		d->dev = dev;
		list_add(&d->node, &iofault_dying);
	} else {
		iofault_dying_unlisted++;
	}
	list_for_each_entry_safe(src, next, &iofault_sources, node) {
		if (src->dev != dev)
			continue;
		if (src->att)
			iofault_source_stop(src);
		else
			iofault_release_source(src);
	}
	mutex_unlock(&iofault_iopf_lock);
	return NOTIFY_DONE;
}

static struct notifier_block iofault_platform_nb = {
	.notifier_call = iofault_iopf_bus_event,
};

#ifdef CONFIG_PCI
static struct notifier_block iofault_pci_nb = {
	.notifier_call = iofault_iopf_bus_event,
};
#endif

int iofault_iopf_init(void)
{
	int err;

	err = bus_register_notifier(&platform_bus_type, &iofault_platform_nb);
#ifdef CONFIG_PCI
	if (!err) {
		err = bus_register_notifier(&pci_bus_type, &iofault_pci_nb);
		if (err)
			bus_unregister_notifier(&platform_bus_type,
						&iofault_platform_nb);
	}
#endif
	return err;
}

/*
 * Module unload: every adopted domain gets its own handler back. An
 * orphan record holds the module, so none is left but those whose owner
 * went since the last look (warned about in iofault_release_source()).
 */
void iofault_iopf_exit(void)
{
	struct iofault_source *src, *next;
	struct iofault_dying *d, *dn;
	struct iofault_adomain *ad;
	struct hlist_node *tmp;
	int bkt;

	mutex_lock(&iofault_iopf_lock);
	list_for_each_entry_safe(src, next, &iofault_sources, node)
		if (!WARN_ON(src->att))
			iofault_release_source(src);
	hash_for_each_safe(iofault_adomains, bkt, tmp, ad, hnode) {
		hash_del_rcu(&ad->hnode);
		iofault_adomain_free(ad);
	}
	list_for_each_entry_safe(d, dn, &iofault_dying, node) {
		list_del(&d->node);
		kfree(d);
	}
	mutex_unlock(&iofault_iopf_lock);
#ifdef CONFIG_PCI
	bus_unregister_notifier(&pci_bus_type, &iofault_pci_nb);
#endif
	bus_unregister_notifier(&platform_bus_type, &iofault_platform_nb);
	/*
	 * RCU-tasks last: each release waited for RCU-tasks, then SRCU, but a
	 * task past srcu_read_unlock() in iofault_iopf_adopted() or
	 * iofault_iopf_attached() still runs their last instructions, in
	 * this module's text. Only a tasks grace period, which ends when
	 * every task was seen outside such code, lets the text go.
	 */
	synchronize_rcu_tasks();
}

MODULE_IMPORT_NS(IOMMUFD_INTERNAL);
