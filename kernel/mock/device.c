// SPDX-License-Identifier: GPL-2.0
/*
 * iofault_mock: the device side, which sends what the inject and storm
 * files ask for, one request after the other, to its IOMMU.
 */
#include <linux/sched.h>
#include <linux/sched/signal.h>

#include "mock.h"

/* Storm addresses cycle through this many pages of each PASID. */
#define MOCK_STORM_WINDOW	4096

static void mock_count_hit(struct mock_dev *md)
{
	mutex_lock(&md->lock);
	md->c.hits++;
	mutex_unlock(&md->lock);
}

static bool mock_mapped(struct mock_dev *md, const struct mock_req *req)
{
	return mock_pt_allows(md, req->flags & MOCK_REQ_PASID, req->pasid,
			      req->addr, req->perm);
}

/*
 * Send one group of @pages requests on consecutive pages from req->addr;
 * with @complete its last request has MOCK_REQ_LAST, and private data if
 * the group carries some. An access (MOCK_REQ_ACCESS) faults only on the
 * pages that are not mapped: the group is made of those.
 */
static int mock_send_group(struct mock_dev *md, const struct mock_req *req,
			   u32 pages, bool complete)
{
	struct mock_req r = *req;
	u32 i, last = pages - 1;
	int err;

	if (req->flags & MOCK_REQ_ACCESS) {
		for (;; last--) {
			r.addr = req->addr + last * MOCK_PAGE_SIZE;
			if (!mock_mapped(md, &r))
				break;
			if (!last) {
				last = pages;	/* every page was mapped */
				break;
			}
		}
	}
	for (i = 0; i < pages; i++) {
		r.addr = req->addr + i * MOCK_PAGE_SIZE;
		r.flags = req->flags & ~(MOCK_REQ_LAST | MOCK_REQ_PRIV);
		if (i > last || ((req->flags & MOCK_REQ_ACCESS) &&
				 mock_mapped(md, &r))) {
			mock_count_hit(md);
			continue;
		}
		if (i == last)
			r.flags |= req->flags & MOCK_REQ_PRIV;
		if (i == last && complete)
			r.flags |= MOCK_REQ_LAST;
		err = md->hw->send(md, &r);
		mock_kick(md);
		if (err)
			return err;
	}
	return 0;
}

/*
 * Wait until the driver has taken out of the queue everything the device
 * wrote so far, so that a write to inject or storm returns with its
 * requests reported to iofault (unless the queue is paused).
 */
static int mock_wait_drained(struct mock_dev *md)
{
	u64 target;

	mutex_lock(&md->lock);
	target = md->produced;
	mutex_unlock(&md->lock);
	if (wait_event_killable(md->wq, READ_ONCE(md->paused) ||
				READ_ONCE(md->unplugged) ||
				READ_ONCE(md->consumed) >= target))
		return -EINTR;
	return 0;
}

/*
 * The inject file: @count groups of @pages requests each, starting with
 * @req; group indexes (unless the hardware picks them) and addresses
 * count up from the first group's.
 */
int mock_inject(struct mock_dev *md, const struct mock_req *req, u32 count,
		u32 pages, bool complete)
{
	struct mock_req r = *req;
	u32 i;
	int err;

	for (i = 0; i < count; i++) {
		err = READ_ONCE(md->unplugged) ? -ENODEV :
		      mock_send_group(md, &r, pages, complete);
		if (err)
			return err;
		r.grpid = (r.grpid + 1) % md->hw->grpid_limit;
		r.addr += pages * MOCK_PAGE_SIZE;
		cond_resched();
	}
	return mock_wait_drained(md);
}

/*
 * The storm file: @groups complete groups of @pages read requests, spread
 * over PASIDs 1 to @pasids, sent as fast as the queue drains, each with a
 * group index that no unanswered group of its PASID uses.
 */
int mock_storm(struct mock_dev *md, u32 groups, u32 pasids, u32 pages)
{
	struct mock_req r = {
		.flags = MOCK_REQ_PASID,
		.perm = IOFAULT_PERM_READ,
	};
	u64 page = 0;
	u32 i;
	int err = 0;

	if (mutex_lock_killable(&md->storm_lock))
		return -EINTR;
	for (i = 0; i < groups && !err; i++) {
		r.pasid = 1 + i % pasids;
		r.addr = (u64)r.pasid << 32 |
			 (page % MOCK_STORM_WINDOW) << MOCK_PAGE_SHIFT;
		page += pages;
		err = md->hw->pick_grpid ? md->hw->pick_grpid(md, &r) : 0;
		if (!err)
			err = mock_send_group(md, &r, pages, true);
		if (!err && fatal_signal_pending(current))
			err = -EINTR;
		if (!err && READ_ONCE(md->unplugged))
			err = -ENODEV;
		cond_resched();
	}
	if (!err)
		err = mock_wait_drained(md);
	mutex_unlock(&md->storm_lock);
	return err;
}
