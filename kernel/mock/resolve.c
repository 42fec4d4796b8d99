// SPDX-License-Identifier: GPL-2.0
/*
 * iofault_mock: the driver's resolver, and the groups it defers.
 *
 * iofault calls the resolver from its worker for each request of a group
 * it resolves, the last request last. What the resolver does is chosen in
 * debugfs: map the page (the access then no longer faults) and answer
 * SUCCESS, answer INVALID, or map the group's earlier pages and defer its
 * last request: the group waits on md->deferred until the respond file
 * answers it with iofault_respond(), or iofault answers it otherwise (the
 * timeout, the device's removal).
 */
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "mock.h"

struct mock_deferred {
	struct list_head node;
	unsigned long key;		/* of the group in md->groups */
	u64 cookie;
	struct iofault_fault fault;	/* the group's last request */
};

static int mock_map_fault(struct mock_dev *md, const struct iofault_fault *f)
{
	return mock_pt_map(md, f->flags & IOFAULT_PR_PASID_VALID, f->pasid,
			   f->addr, f->perm);
}

static int mock_defer(struct mock_dev *md, const struct iofault_fault *fault,
		      u64 cookie)
{
	struct mock_deferred *d = kzalloc(sizeof(*d), GFP_KERNEL);

	if (!d)
		return IOFAULT_RESP_INVALID;
	d->key = md->hw->fault_key(fault);
	d->cookie = cookie;
	d->fault = *fault;
	mutex_lock(&md->lock);
	/*
	 * The timeout or the removal may have answered the group while the
	 * resolver ran: then there is nothing left to answer.
	 */
	if (mock_hw_busy(md, d->key)) {
		list_add_tail(&d->node, &md->deferred);
		md->ndeferred++;
		d = NULL;
	}
	mutex_unlock(&md->lock);
	kfree(d);
	return IOFAULT_RESOLVE_LATER;
}

int mock_resolve(struct iofault_device *idev,
		 const struct iofault_fault *fault, u64 cookie)
{
	struct mock_dev *md = iofault_device_drvdata(idev);

	switch (READ_ONCE(md->resolve)) {
	case MOCK_RESOLVE_FAIL:
		return IOFAULT_RESP_INVALID;
	case MOCK_RESOLVE_DEFER:
		if (fault->flags & IOFAULT_PR_LAST_PAGE)
			return mock_defer(md, fault, cookie);
		fallthrough;
	default:
		return mock_map_fault(md, fault) ? IOFAULT_RESP_INVALID :
						   IOFAULT_RESP_SUCCESS;
	}
}

/* The group of @key is answered: drop its deferral. Caller holds md->lock. */
void mock_undefer(struct mock_dev *md, unsigned long key)
{
	struct mock_deferred *d, *n;

	lockdep_assert_held(&md->lock);
	list_for_each_entry_safe(d, n, &md->deferred, node) {
		if (d->key == key) {
			list_del(&d->node);
			md->ndeferred--;
			kfree(d);
		}
	}
}

void mock_deferred_free(struct mock_dev *md)
{
	struct mock_deferred *d, *n;

	list_for_each_entry_safe(d, n, &md->deferred, node)
		kfree(d);
	INIT_LIST_HEAD(&md->deferred);
	md->ndeferred = 0;
}

void mock_show_deferred(struct seq_file *m, struct mock_dev *md)
{
	struct mock_deferred *d;

	mutex_lock(&md->lock);
	list_for_each_entry(d, &md->deferred, node)
		seq_printf(m, "cookie=%#llx pasid=%u grpid=%u addr=%#llx\n",
			   d->cookie, d->fault.pasid, d->fault.grpid,
			   d->fault.addr);
	mutex_unlock(&md->lock);
}

/*
 * A deferral whose group iofault answered already (the timeout, before
 * the resolver deferred it) while the hardware had another group of its
 * key: mock_undefer() left it for that one. It is answered: drop it, or
 * settle would count it as a group still to answer.
 */
static void mock_forget_deferred(struct mock_dev *md, u64 cookie)
{
	struct mock_deferred *d, *n;

	mutex_lock(&md->lock);
	list_for_each_entry_safe(d, n, &md->deferred, node) {
		if (d->cookie == cookie) {
			list_del(&d->node);
			md->ndeferred--;
			kfree(d);
		}
	}
	mutex_unlock(&md->lock);
	wake_up_all(&md->wq);
}

/*
 * Answer a group with iofault_respond(), as a driver that finished a
 * deferred resolution does. Like a pager, map the page before answering
 * SUCCESS for a group deferred here; the errno is iofault's, unchanged.
 */
int mock_respond(struct mock_dev *md, u64 cookie, u32 pasid, u32 grpid,
		 u32 code)
{
	struct iofault_fault fault;
	struct mock_deferred *d;
	bool found = false;
	int err;

	mutex_lock(&md->lock);
	list_for_each_entry(d, &md->deferred, node) {
		if (d->cookie == cookie) {
			fault = d->fault;
			found = true;
			break;
		}
	}
	mutex_unlock(&md->lock);
	if (found && code == IOFAULT_RESP_SUCCESS)
		mock_map_fault(md, &fault);
	err = iofault_respond(md->idev, cookie, pasid, grpid, code);
	if (found && (err == -ETIMEDOUT || err == -EALREADY || err == -ESTALE))
		mock_forget_deferred(md, cookie);
	return err;
}
