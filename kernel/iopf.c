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
 * answers through one hook, iopf_group_response(), exactly once; the
 * driver's own private data stays in the core's group.
 *
 * Order against the core: the core answers and frees the groups still on a
 * device's pending list when the device leaves its iopf queue (the IOMMU
 * driver disabling IOPF, or its release_device after the device's
 * removal), and the driver's page_response() needs the device's IOMMU
 * data, freed on release. So a group iofault keeps (forwarded, with its
 * resolver, waiting for its timeout) leaves the pending list as it is
 * taken (iopf_group_dequeue()): the core never frees it under iofault,
 * and iofault answers it, exactly once, while the device exists: on
 * BUS_NOTIFY_DEL_DEVICE, which comes before the release, iofault answers
 * every group it keeps, and any group arriving later at once. A group
 * handed to the domain's own handler stays on the list, as upstream. (On
 * 6.12 a response to a dequeued group still reaches the driver; kernels
 * from 6.18 answer only pending groups.)
 *
 * The core reads domain->iopf_handler with no lock and calls it: to take
 * its handler out of an adopted domain, iofault puts the original back,
 * waits for RCU-tasks (every task that read the old pointer has entered
 * the handler, whose body is an SRCU read section) and then for SRCU.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hashtable.h>
#include <linux/iommu.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/srcu.h>
#include <linux/timekeeping.h>

#include "iofault_core.h"
#include "trace.h"

/* drivers/iommu/iommu-priv.h, exported in the IOMMUFD_INTERNAL namespace */
struct iommu_attach_handle *iommu_attach_handle_get(struct iommu_group *group,
						    ioasid_t pasid,
						    unsigned int type);
int iommu_attach_group_handle(struct iommu_domain *domain,
			      struct iommu_group *group,
			      struct iommu_attach_handle *handle);
void iommu_detach_group_handle(struct iommu_domain *domain,
			       struct iommu_group *group);

typedef int (*iofault_iopf_handler_t)(struct iopf_group *group);

/*
 * A device or PASID whose groups iofault takes from the core. @idev is
 * NULL once the device left (its groups were answered).
 */
struct iofault_source {
	struct iommu_attach_handle handle;	/* attached: iofault's own */
	struct iofault_device *idev;
	struct device *dev;
	struct iommu_group *group;
	ioasid_t pasid;
	struct iommu_domain *domain;
	struct iofault_attach *att;		/* attached, else NULL */
	struct iommu_attach_handle *owner_handle;	/* adopted */
	iofault_iopf_handler_t orig;		/* adopted: the resolver */
	bool gone;				/* read under SRCU */
	struct hlist_node hnode;		/* adopted, by owner_handle */
	struct list_head node;			/* iofault_sources */
};

/* Sources, and adoption and release, under iofault_iopf_lock. */
static DEFINE_MUTEX(iofault_iopf_lock);
static LIST_HEAD(iofault_sources);
/* Adopted sources by the owner's attach handle, for the fault path. */
static DEFINE_HASHTABLE(iofault_adopted, 6);
DEFINE_STATIC_SRCU(iofault_iopf_srcu);
#define IOFAULT_ADOPTED_HELD	(srcu_read_lock_held(&iofault_iopf_srcu) || \
				 lockdep_is_held(&iofault_iopf_lock))

/* Permissions and codes are the core's, bit for bit; flags are not. */
static_assert(IOFAULT_PERM_READ == IOMMU_FAULT_PERM_READ);
static_assert(IOFAULT_PERM_WRITE == IOMMU_FAULT_PERM_WRITE);
static_assert(IOFAULT_PERM_EXEC == IOMMU_FAULT_PERM_EXEC);
static_assert(IOFAULT_PERM_PRIV == IOMMU_FAULT_PERM_PRIV);
static_assert(IOFAULT_RESP_SUCCESS == (int)IOMMU_PAGE_RESP_SUCCESS);
static_assert(IOFAULT_RESP_INVALID == (int)IOMMU_PAGE_RESP_INVALID);
static_assert(IOFAULT_RESP_FAILURE == (int)IOMMU_PAGE_RESP_FAILURE);

/* A core request's flags as iofault's; the private data stays behind. */
static u32 iofault_iopf_flags(u32 flags, bool last)
{
	return (flags & IOMMU_FAULT_PAGE_REQUEST_PASID_VALID ?
		IOFAULT_PR_PASID_VALID : 0) |
	       (flags & IOMMU_FAULT_PAGE_RESPONSE_NEEDS_PASID ?
		IOFAULT_PR_RESP_NEEDS_PASID : 0) |
	       (last ? IOFAULT_PR_LAST_PAGE : 0);
}

/* The core's group, answered and freed: the tracker's hook. */
static int iofault_iopf_page_response(struct iofault_device *idev,
				      const struct iofault_fault *fault,
				      const struct iofault_page_response *resp)
{
	struct iopf_group *group = (void *)(uintptr_t)fault->private_data[0];

	iopf_group_response(group, resp->code);
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
						     iofault_iopf_flags(prm->flags,
							iopf == &group->last_fault),
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

/* A group for a source that left: answered as the core would. */
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

/* Caller is in an SRCU read section. */
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

/*
 * The original handler of an adopted domain, for a group of another
 * attachment of the same domain (a domain may be attached to several
 * devices and PASIDs; only some of them adopted). Rare: a walk.
 */
static iofault_iopf_handler_t
iofault_adopted_orig(const struct iommu_domain *domain)
{
	struct iofault_source *src;
	int bkt;

	for (bkt = 0; bkt < HASH_SIZE(iofault_adopted); bkt++)
		hlist_for_each_entry_srcu(src, &iofault_adopted[bkt], hnode,
					  IOFAULT_ADOPTED_HELD)
			if (src->domain == domain)
				return src->orig;
	return NULL;
}

/* The iopf_handler iofault puts in front of an adopted domain's own. */
static int iofault_iopf_adopted(struct iopf_group *group)
{
	int idx = srcu_read_lock(&iofault_iopf_srcu);
	iofault_iopf_handler_t orig = NULL;
	struct iofault_source *src;
	int ret = 0;

	src = iofault_adopted_find(group->attach_handle);
	if (!src)
		orig = iofault_adopted_orig(group->attach_handle->domain);
	else if (READ_ONCE(src->gone))
		orig = src->orig;
	else if (iofault_iopf_take(src, group))
		orig = src->orig;
	/* No handler at all (cannot happen): the core answers FAILURE. */
	if (orig)
		ret = orig(group);
	else if (!src)
		ret = -ENODEV;
	srcu_read_unlock(&iofault_iopf_srcu, idx);
	return ret;
}

/* "dev" or "dev.pasidN": the name of a source's iofault device. */
static int iofault_source_name(char *buf, struct device *dev, ioasid_t pasid)
{
	int len;

	if (pasid == IOMMU_NO_PASID)
		len = snprintf(buf, IOFAULT_NAME_LEN, "%s", dev_name(dev));
	else
		len = snprintf(buf, IOFAULT_NAME_LEN, "%s.pasid%u",
			       dev_name(dev), pasid);
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

/* A new source with its iofault device. Caller holds iofault_iopf_lock. */
static struct iofault_source *
iofault_source_create(struct device *dev, ioasid_t pasid,
		      const struct iofault_driver_ops *ops)
{
	struct iofault_device_info info = { .parent = dev, .ops = ops };
	struct iofault_source *src;
	char name[IOFAULT_NAME_LEN];
	int err;

	if (iofault_source_find(dev, pasid))
		return ERR_PTR(-EEXIST);
	err = iofault_source_name(name, dev, pasid);
	if (err)
		return ERR_PTR(err);
	src = kzalloc(sizeof(*src), GFP_KERNEL);
	if (!src)
		return ERR_PTR(-ENOMEM);
	info.name = name;
	info.drvdata = src;
	src->idev = iofault_device_register(&info);
	if (IS_ERR(src->idev)) {
		err = PTR_ERR(src->idev);
		kfree(src);
		return ERR_PTR(err);
	}
	src->idev->handoff = !ops->resolve;
	src->dev = get_device(dev);
	src->group = dev->iommu_group;
	src->pasid = pasid;
	return src;
}

/*
 * Stop taking groups for @src and answer those it holds: after this, its
 * handler answers at once (attached) or gives every group to the original
 * (adopted). Caller holds iofault_iopf_lock.
 */
static void iofault_source_stop(struct iofault_source *src)
{
	if (!src->idev)
		return;
	WRITE_ONCE(src->gone, true);
	synchronize_srcu(&iofault_iopf_srcu);
	iofault_device_unregister(src->idev);
	src->idev = NULL;
}

static void iofault_source_free(struct iofault_source *src)
{
	list_del(&src->node);
	put_device(src->dev);
	kfree(src);
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
 * Whether an adoption still stands: the owner's attachment is the one
 * adopted, and its domain still has iofault's handler. After an owner
 * detached, a new attachment may get the freed handle's or domain's
 * address, but not iofault's handler. Caller holds iofault_iopf_lock.
 */
static bool iofault_adoption_live(const struct iofault_source *src)
{
	struct iommu_attach_handle *now;

	now = iommu_attach_handle_get(src->group, src->pasid, 0);
	return now == src->owner_handle && now->domain == src->domain &&
	       READ_ONCE(now->domain->iopf_handler) == iofault_iopf_adopted;
}

/*
 * Put the original handler back into an adopted domain, unless another
 * adoption of the same domain still needs iofault's, and unless the owner
 * detached it meanwhile (the domain may be freed: not touched). Returns
 * whether it did.
 */
static bool iofault_unadopt(struct iofault_source *src)
{
	struct iofault_source *other;

	list_for_each_entry(other, &iofault_sources, node)
		if (other != src && !other->att && other->domain == src->domain)
			return false;
	if (!iofault_adoption_live(src))
		return false;
	WRITE_ONCE(src->domain->iopf_handler, src->orig);
	return true;
}

/*
 * Release an adopted source; caller holds iofault_iopf_lock. Its groups
 * go to the original handler from the start, and the source stays
 * findable until no caller can be on its way into iofault's handler, so
 * that none finds neither.
 */
static void iofault_release_source(struct iofault_source *src)
{
	WRITE_ONCE(src->gone, true);
	/*
	 * A caller that read iofault's handler before it went is now inside
	 * it (an SRCU read section), or done.
	 */
	if (iofault_unadopt(src))
		synchronize_rcu_tasks();
	hash_del_rcu(&src->hnode);
	iofault_source_stop(src);
	iofault_source_free(src);
}

/*
 * Drop the adoptions whose owner detached the domain (an SVA unbind, a
 * VMM gone): iofault cannot be told, so it looks whenever it adopts or
 * releases. Such a domain is left alone: it may be freed. Its groups were
 * answered by the core or handed to the owner; iofault's own held ones
 * are answered now. Caller holds iofault_iopf_lock.
 */
static void iofault_adopted_prune(void)
{
	struct iofault_source *src, *next;

	list_for_each_entry_safe(src, next, &iofault_sources, node)
		if (!src->att && !iofault_adoption_live(src))
			iofault_release_source(src);
}

int iofault_attach(struct iofault_attach *att, struct iommu_domain *domain,
		   struct device *dev, u32 pasid)
{
	struct iofault_source *src;
	int err;

	if (!att->ops || !att->ops->resolve || !domain || !dev ||
	    !dev->iommu_group)
		return -EINVAL;
	if (!try_module_get(att->ops->owner))
		return -ENODEV;

	mutex_lock(&iofault_iopf_lock);
	iofault_adopted_prune();
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
		iofault_source_stop(src);
		put_device(src->dev);
		kfree(src);
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

int iofault_adopt(const char *name, u32 pasid)
{
	struct iommu_attach_handle *handle;
	struct iofault_source *src;
	iofault_iopf_handler_t orig;
	struct iommu_domain *domain;
	struct device *dev;
	int err;

	dev = iofault_iopf_find_dev(name);
	if (!dev)
		return -ENODEV;
	mutex_lock(&iofault_iopf_lock);
	iofault_adopted_prune();
	err = -ENXIO;
	if (!dev->iommu_group)
		goto unlock;
	handle = iommu_attach_handle_get(dev->iommu_group, pasid, 0);
	err = -ENOENT;
	if (IS_ERR(handle))
		goto unlock;
	domain = handle->domain;
	orig = READ_ONCE(domain->iopf_handler);
	err = -EOPNOTSUPP;
	if (!orig)
		goto unlock;
	err = -EEXIST;
	if (orig == iofault_iopf_attached)
		goto unlock;
	if (orig == iofault_iopf_adopted)
		orig = iofault_adopted_orig(domain);
	if (!orig)
		goto unlock;

	src = iofault_source_create(dev, pasid, &iofault_adopted_ops);
	if (IS_ERR(src)) {
		err = PTR_ERR(src);
		goto unlock;
	}
	src->domain = domain;
	src->owner_handle = handle;
	src->orig = orig;
	list_add(&src->node, &iofault_sources);
	hash_add_rcu(iofault_adopted, &src->hnode, (unsigned long)handle);
	WRITE_ONCE(domain->iopf_handler, iofault_iopf_adopted);
	err = 0;
unlock:
	mutex_unlock(&iofault_iopf_lock);
	put_device(dev);
	return err;
}

int iofault_release(const char *name, u32 pasid)
{
	struct iofault_source *src;
	struct device *dev;
	int err = 0;

	dev = iofault_iopf_find_dev(name);
	if (!dev)
		return -ENODEV;
	mutex_lock(&iofault_iopf_lock);
	iofault_adopted_prune();
	src = iofault_source_find(dev, pasid);
	if (!src || src->att)
		err = -ENOENT;
	else
		iofault_release_source(src);
	mutex_unlock(&iofault_iopf_lock);
	put_device(dev);
	return err;
}

/*
 * A device is being deleted: answer what its sources hold before the core
 * answers and frees its pending groups (see the top of this file).
 * Adoptions end; attachments stay until their user detaches.
 */
static int iofault_iopf_bus_event(struct notifier_block *nb,
				  unsigned long action, void *data)
{
	struct iofault_source *src, *next;
	struct device *dev = data;

	if (action != BUS_NOTIFY_DEL_DEVICE)
		return NOTIFY_DONE;
	mutex_lock(&iofault_iopf_lock);
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

/* Module unload: every adopted domain gets its own handler back. */
void iofault_iopf_exit(void)
{
	struct iofault_source *src, *next;

	mutex_lock(&iofault_iopf_lock);
	list_for_each_entry_safe(src, next, &iofault_sources, node)
		if (!WARN_ON(src->att))
			iofault_release_source(src);
	mutex_unlock(&iofault_iopf_lock);
#ifdef CONFIG_PCI
	bus_unregister_notifier(&pci_bus_type, &iofault_pci_nb);
#endif
	bus_unregister_notifier(&platform_bus_type, &iofault_platform_nb);
}

MODULE_IMPORT_NS(IOMMUFD_INTERNAL);
