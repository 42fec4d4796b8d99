// SPDX-License-Identifier: GPL-2.0
/*
 * iommu_mock: binding a process's address space to a device or a PASID.
 *
 * A bind attaches a fresh paging domain, with one of two fault handlers:
 *  - own: the domain's iopf handler is this module's. Like the kernel's
 *    SVA handler (drivers/iommu/iommu-sva.c) it queues each group on the
 *    iopf queue's workqueue, and the work resolves its requests in the
 *    bound mm with the kernel's fault handling, then answers the group.
 *    It finds its bind from the group's attach handle. With handler=now
 *    it instead answers each group SUCCESS at once, inside the handler,
 *    touching no mm: the leanest handler the core can have (benchmarks,
 *    and adopt tests that must see the handoff without a workqueue).
 *  - iofault: the domain is attached through iofault_attach(), so
 *    iofault's policies decide each group; a policy that resolves it calls
 *    back imock_iofault_resolve(), which does the same fault handling for
 *    one request. iofault is looked up at bind time (symbol_get()), so
 *    this module does not depend on it, and it stays pinned while bound.
 *
 * Reports and detaches exclude each other (md->report_sem): the core
 * hands a group to the handler of the attach handle it looked up without
 * a reference, so a domain is detached only when no report is in flight.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "iommu_mock.h"

/* Make the access of @req succeed in @mm, as the CPU's fault would. */
static enum iommu_page_response_code
imock_fault_mm(struct mm_struct *mm, const struct iommu_fault_page_request *req)
{
	enum iommu_page_response_code code = IOMMU_PAGE_RESP_INVALID;
	unsigned int flags = FAULT_FLAG_REMOTE;
	struct vm_area_struct *vma;
	unsigned long need = 0;
	vm_fault_t ret;

	if (req->perm & IOMMU_FAULT_PERM_READ)
		need |= VM_READ;
	if (req->perm & IOMMU_FAULT_PERM_WRITE) {
		need |= VM_WRITE;
		flags |= FAULT_FLAG_WRITE;
	}
	if (req->perm & IOMMU_FAULT_PERM_EXEC) {
		need |= VM_EXEC;
		flags |= FAULT_FLAG_INSTRUCTION;
	}
	if (!(req->perm & IOMMU_FAULT_PERM_PRIV))
		flags |= FAULT_FLAG_USER;
	/* The process may have exited: its mappings are gone then. */
	if (!mmget_not_zero(mm))
		return code;
	mmap_read_lock(mm);
	vma = vma_lookup(mm, req->addr);
	if (vma && !(need & ~vma->vm_flags)) {
		ret = handle_mm_fault(vma, req->addr, flags, NULL);
		if (!(ret & VM_FAULT_ERROR))
			code = IOMMU_PAGE_RESP_SUCCESS;
	}
	mmap_read_unlock(mm);
	mmput(mm);
	return code;
}

static struct imock_bind *imock_group_bind(struct iopf_group *group)
{
	return container_of(group->attach_handle, struct imock_bind, handle);
}

/* Resolve every request of a group of an own bind, then answer it. */
static void imock_iopf_work(struct work_struct *work)
{
	struct iopf_group *group = container_of(work, struct iopf_group, work);
	struct imock_bind *b = imock_group_bind(group);
	enum iommu_page_response_code code = IOMMU_PAGE_RESP_SUCCESS;
	struct imock_dev *md = b->md;
	struct iopf_fault *iopf;

	spin_lock(&md->hold_lock);
	list_del(&group->node);
	spin_unlock(&md->hold_lock);
	/* The first request that fails answers the group. */
	list_for_each_entry(iopf, &group->faults, list) {
		code = imock_fault_mm(b->mm, &iopf->fault.prm);
		if (code != IOMMU_PAGE_RESP_SUCCESS)
			break;
	}
	iopf_group_response(group, code);
	iopf_free_group(group);
}

/* Caller holds md->hold_lock. */
static void imock_queue(struct imock_dev *md, struct iopf_group *group)
{
	list_add_tail(&group->node, &md->queued);
	queue_work(group->fault_param->queue->wq, &group->work);
}

/* The own binds' iopf handler: called by the core for each whole group. */
static int imock_iopf_handler(struct iopf_group *group)
{
	struct imock_dev *md = imock_group_bind(group)->md;

	INIT_WORK(&group->work, imock_iopf_work);
	spin_lock(&md->hold_lock);
	if (md->hold)
		list_add_tail(&group->node, &md->held);
	else
		imock_queue(md, group);
	spin_unlock(&md->hold_lock);
	return 0;
}

/* handler=now: every group answered SUCCESS before the handler returns. */
static int imock_iopf_now(struct iopf_group *group)
{
	iopf_group_response(group, IOMMU_PAGE_RESP_SUCCESS);
	iopf_free_group(group);
	return 0;
}

/* Queue the held groups of bind @b (of every bind if NULL). */
static void imock_release_held(struct imock_dev *md, struct imock_bind *b)
{
	struct iopf_group *group, *next;

	spin_lock(&md->hold_lock);
	list_for_each_entry_safe(group, next, &md->held, node) {
		if (!b || imock_group_bind(group) == b) {
			list_del(&group->node);
			imock_queue(md, group);
		}
	}
	spin_unlock(&md->hold_lock);
}

/* hold: keep the own binds' new groups back until it is cleared. */
void imock_set_hold(struct imock_dev *md, bool hold)
{
	spin_lock(&md->hold_lock);
	md->hold = hold;
	spin_unlock(&md->hold_lock);
	if (!hold)
		imock_release_held(md, NULL);
}

/*
 * The device is going: the own binds' groups that nobody started are
 * taken off this module's lists and left pending in the core, which
 * answers them when the device leaves its iopf queue. Those whose work
 * runs already finish. Called once the device reports no more.
 */
void imock_abandon(struct imock_dev *md)
{
	struct iopf_group *group, *next;

	spin_lock(&md->hold_lock);
	list_for_each_entry_safe(group, next, &md->held, node)
		list_del(&group->node);
	list_for_each_entry_safe(group, next, &md->queued, node) {
		if (cancel_work(&group->work))
			list_del(&group->node);
	}
	spin_unlock(&md->hold_lock);
}

static int imock_iofault_resolve(struct iofault_attach *att,
				 const struct iommu_fault_page_request *req)
{
	struct imock_bind *b = container_of(att, struct imock_bind, att);

	return imock_fault_mm(b->mm, req) == IOMMU_PAGE_RESP_SUCCESS ?
	       IOFAULT_RESP_SUCCESS : IOFAULT_RESP_INVALID;
}

static const struct iofault_attach_ops imock_iofault_ops = {
	.owner = THIS_MODULE,
	.resolve = imock_iofault_resolve,
};

static int imock_attach_own(struct imock_bind *b, struct device *dev)
{
	struct iommu_group *group;
	int err;

	/* A shared domain's handler may be another's now (iofault's). */
	if (b->share == U32_MAX)
		b->domain->iopf_handler = b->handler == IMOCK_HANDLER_NOW ?
					  imock_iopf_now : imock_iopf_handler;
	if (b->pasid != IOMMU_NO_PASID)
		return iommu_attach_device_pasid(b->domain, dev, b->pasid,
						 &b->handle);
	group = iommu_group_get(dev);
	err = iommu_attach_group_handle(b->domain, group, &b->handle);
	iommu_group_put(group);
	return err;
}

static int imock_attach_iofault(struct imock_bind *b, struct device *dev)
{
	int (*attach)(struct iofault_attach *att, struct iommu_domain *domain,
		      struct device *dev, u32 pasid);
	int err;

	attach = symbol_get(iofault_attach);
	if (!attach) {
		pr_info("%s: via=iofault needs the iofault module loaded\n",
			b->md->name);
		return -ENOENT;
	}
	b->detach = symbol_get(iofault_detach);
	if (!b->detach) {
		symbol_put(iofault_attach);
		return -ENOENT;
	}
	b->att.ops = &imock_iofault_ops;
	b->att.priv = b;
	err = attach(&b->att, b->domain, dev, b->pasid);
	if (err) {
		symbol_put(iofault_detach);
		symbol_put(iofault_attach);
	}
	return err;
}

/* Detach @b's domain. Caller holds md->report_sem for writing. */
static void imock_detach(struct imock_bind *b)
{
	struct device *dev = &b->md->pdev->dev;
	struct iommu_group *group;

	if (b->via == IMOCK_VIA_IOFAULT) {
		b->detach(&b->att);
		symbol_put(iofault_detach);
		symbol_put(iofault_attach);
	} else if (b->pasid != IOMMU_NO_PASID) {
		iommu_detach_device_pasid(b->domain, dev, b->pasid);
	} else {
		group = iommu_group_get(dev);
		iommu_detach_group_handle(b->domain, group);
		iommu_group_put(group);
	}
}

/* A bind lets go of its domain; the last one frees it. */
static void imock_domain_put(struct imock_bind *b)
{
	if (refcount_dec_and_test(b->domain_users)) {
		iommu_domain_free(b->domain);
		kfree(b->domain_users);
	}
}

/*
 * A new domain for @b, or with share=, the domain of the device's bind of
 * that PASID. Caller holds md->report_sem for writing.
 */
static int imock_domain_get(struct imock_bind *b, struct device *dev)
{
	struct imock_bind *other;

	if (b->share != U32_MAX) {
		other = xa_load(&b->md->binds, b->share);
		if (!other || other->via != IMOCK_VIA_OWN)
			return -ENOENT;
		b->domain = other->domain;
		b->domain_users = other->domain_users;
		b->handler = other->handler;
		refcount_inc(b->domain_users);
		return 0;
	}
	b->domain_users = kmalloc(sizeof(*b->domain_users), GFP_KERNEL);
	if (!b->domain_users)
		return -ENOMEM;
	b->domain = iommu_paging_domain_alloc(dev);
	if (IS_ERR(b->domain)) {
		kfree(b->domain_users);
		return PTR_ERR(b->domain);
	}
	refcount_set(b->domain_users, 1);
	return 0;
}

/*
 * Once detached: the own handler's groups of @b are answered (held ones
 * are let go first), then the domain and the bind go.
 */
static void imock_bind_free(struct imock_bind *b)
{
	if (b->via == IMOCK_VIA_OWN) {
		imock_release_held(b->md, b);
		iopf_queue_flush_dev(&b->md->pdev->dev);
	}
	imock_domain_put(b);
	mmdrop(b->mm);
	kfree(b);
}

/* Bind the current process's mm to @pasid of @md (IOMMU_NO_PASID: the device). */
int imock_bind(struct imock_dev *md, u32 pasid, enum imock_via via,
	       enum imock_handler handler, u32 share)
{
	struct device *dev = &md->pdev->dev;
	struct imock_bind *b;
	int err;

	if (!current->mm)
		return -EINVAL;
	b = kzalloc(sizeof(*b), GFP_KERNEL);
	if (!b)
		return -ENOMEM;
	b->md = md;
	b->pasid = pasid;
	b->via = via;
	b->handler = handler;
	b->share = share;
	b->pid = task_tgid_vnr(current);
	down_write(&md->report_sem);
	err = imock_domain_get(b, dev);
	if (err)
		goto unlock_free;
	err = xa_insert(&md->binds, pasid, b, GFP_KERNEL);
	if (err) {
		/* -EBUSY: the PASID is bound already. */
		err = err == -EBUSY ? -EEXIST : err;
		goto unlock;
	}
	err = via == IMOCK_VIA_OWN ? imock_attach_own(b, dev) :
				     imock_attach_iofault(b, dev);
	if (err) {
		xa_erase(&md->binds, pasid);
		goto unlock;
	}
	mmgrab(current->mm);
	b->mm = current->mm;
	up_write(&md->report_sem);
	return 0;

unlock:
	imock_domain_put(b);
unlock_free:
	up_write(&md->report_sem);
	kfree(b);
	return err;
}

int imock_unbind(struct imock_dev *md, u32 pasid)
{
	struct imock_bind *b;

	down_write(&md->report_sem);
	b = xa_erase(&md->binds, pasid);
	if (b)
		imock_detach(b);
	up_write(&md->report_sem);
	if (!b)
		return -ENOENT;
	imock_bind_free(b);
	return 0;
}

void imock_unbind_all(struct imock_dev *md)
{
	struct imock_bind *b;
	unsigned long pasid;

	xa_for_each(&md->binds, pasid, b)
		imock_unbind(md, pasid);
}

/* One line per bind: pasid=N|none via=own handler=mm|now pid=N, or via=iofault */
void imock_show_binds(struct seq_file *m, struct imock_dev *md)
{
	struct imock_bind *b;
	unsigned long pasid;

	down_read(&md->report_sem);
	xa_for_each(&md->binds, pasid, b) {
		if (pasid == IOMMU_NO_PASID)
			seq_puts(m, "pasid=none");
		else
			seq_printf(m, "pasid=%lu", pasid);
		if (b->via == IMOCK_VIA_IOFAULT)
			seq_puts(m, " via=iofault");
		else if (b->handler == IMOCK_HANDLER_NOW)
			seq_puts(m, " via=own handler=now");
		else
			seq_puts(m, " via=own handler=mm");
		if (b->share == IOMMU_NO_PASID)
			seq_puts(m, " share=none");
		else if (b->share != U32_MAX)
			seq_printf(m, " share=%u", b->share);
		seq_printf(m, " pid=%d\n", b->pid);
	}
	up_read(&md->report_sem);
}
