// SPDX-License-Identifier: GPL-2.0
/*
 * iommu_mock: the device's accesses and the hardware's record of them.
 *
 * An access of the writing process's memory becomes a page request for
 * each page that is not mapped as the access needs it in that process's
 * page tables (the device's translation would miss). Each group the
 * device issues gets a group index no outstanding group uses (it waits
 * for one, as a PRI function waits within its allocation), and private
 * data the hardware checks when the answer comes back: priv[0] is the
 * group's sequence number, priv[1] that number xor IMOCK_PRIV_KEY.
 *
 * page_response() is where answers reach the hardware: an answer for an
 * index that is not outstanding is a duplicate, one whose PASID or
 * private data differ from what was issued a mismatch.
 */
#include <linux/mm.h>
#include <linux/platform_device.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>

#include "iommu_mock.h"

static const char * const imock_code_names[] = {
	[IOMMU_PAGE_RESP_SUCCESS] = "success",
	[IOMMU_PAGE_RESP_INVALID] = "invalid",
	[IOMMU_PAGE_RESP_FAILURE] = "failure",
};

/* The name of an enum iommu_page_response_code, NULL for another value. */
const char *imock_code_name(u32 code)
{
	return code < ARRAY_SIZE(imock_code_names) ? imock_code_names[code] :
						      NULL;
}

void imock_hw_init(struct imock_dev *md)
{
	mutex_init(&md->lock);
	init_waitqueue_head(&md->wq);
}

/* Whether a group index is free, or the device is gone. */
static bool imock_can_issue(struct imock_dev *md)
{
	return READ_ONCE(md->outstanding) < IMOCK_GRPID_LIMIT ||
	       READ_ONCE(md->dead);
}

/*
 * Take a free group index for a group of @pasid, waiting for one. Only a
 * fatal signal ends the wait (-EINTR): a write cut short by any signal
 * would lose its last requests. -ENODEV once the device is unplugged.
 */
static int imock_issue(struct imock_dev *md, u32 pasid, u32 *grpid,
		       u64 *seq)
{
	unsigned long idx;

	mutex_lock(&md->lock);
	while (md->outstanding >= IMOCK_GRPID_LIMIT && !READ_ONCE(md->dead)) {
		mutex_unlock(&md->lock);
		if (wait_event_killable(md->wq, imock_can_issue(md)))
			return -EINTR;
		mutex_lock(&md->lock);
	}
	if (READ_ONCE(md->dead)) {
		mutex_unlock(&md->lock);
		return -ENODEV;
	}
	idx = find_next_zero_bit(md->busy, IMOCK_GRPID_LIMIT, md->grpid_next);
	if (idx >= IMOCK_GRPID_LIMIT)
		idx = find_first_zero_bit(md->busy, IMOCK_GRPID_LIMIT);
	__set_bit(idx, md->busy);
	md->grpid_next = (idx + 1) % IMOCK_GRPID_LIMIT;
	md->issued[idx].pasid = pasid;
	md->issued[idx].seq = md->seq++;
	md->outstanding++;
	md->c.issued++;
	*grpid = idx;
	*seq = md->issued[idx].seq;
	mutex_unlock(&md->lock);
	return 0;
}

/* Report one page request; the core may answer it before this returns. */
static void imock_report(struct imock_dev *md, u32 pasid, u64 addr,
			 bool write, u32 grpid, u64 seq, bool last)
{
	struct iopf_fault evt = {
		.fault = {
			.type = IOMMU_FAULT_PAGE_REQ,
			.prm = {
				.grpid = grpid,
				.perm = IOMMU_FAULT_PERM_READ,
				.addr = addr,
				.private_data = { seq, seq ^ IMOCK_PRIV_KEY },
			},
		},
	};
	struct iommu_fault_page_request *prm = &evt.fault.prm;
	u64 start;

	if (pasid != IOMMU_NO_PASID) {
		prm->flags |= IOMMU_FAULT_PAGE_REQUEST_PASID_VALID |
			      IOMMU_FAULT_PAGE_RESPONSE_NEEDS_PASID;
		prm->pasid = pasid;
	}
	if (write)
		prm->perm |= IOMMU_FAULT_PERM_WRITE;
	if (last)
		prm->flags |= IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE;
	mutex_lock(&md->lock);
	md->c.requests++;
	mutex_unlock(&md->lock);
	/*
	 * An error means the core could not hand the request to a handler:
	 * it has answered the request itself (page_response() ran).
	 */
	start = ktime_get_ns();
	iommu_report_device_fault(&md->pdev->dev, &evt);
	start = ktime_get_ns() - start;
	mutex_lock(&md->lock);
	md->c.report_ns += start;
	mutex_unlock(&md->lock);
}

/* Whether the process's page tables let the device access @addr. */
static bool imock_mapped(unsigned long addr, bool write)
{
	struct page *page;

	if (get_user_pages_fast_only(addr, 1, write ? FOLL_WRITE : 0,
				     &page) != 1)
		return false;
	put_page(page);
	return true;
}

/*
 * The device accesses @pages pages of the current process's memory from
 * @addr, through @pasid (IOMMU_NO_PASID: none). Each page it misses is a
 * page request: its own group, or with @group one group for all of them.
 * With @always every page misses. Returns once every request was reported.
 */
int imock_access(struct imock_dev *md, u32 pasid, u64 addr, u32 pages,
		 bool write, bool group, bool always)
{
	struct imock_bind *b;
	bool pending = false;
	u64 prev = 0, seq = 0;
	u32 grpid = 0, i;
	int err = 0;

	if (!current->mm)
		return -EINVAL;
	down_read(&md->report_sem);
	/* A bound PASID is the address space of its process only. */
	b = xa_load(&md->binds, pasid);
	if (b && b->mm != current->mm) {
		err = -EACCES;
		goto out;
	}
	for (i = 0; i < pages && !err; i++) {
		u64 page = addr + (u64)i * PAGE_SIZE;

		if (!always && imock_mapped(page, write)) {
			mutex_lock(&md->lock);
			md->c.hits++;
			mutex_unlock(&md->lock);
			continue;
		}
		if (!group) {
			err = imock_issue(md, pasid, &grpid, &seq);
			if (!err)
				imock_report(md, pasid, page, write, grpid, seq,
					     true);
			continue;
		}
		/* In a group, a request is the last once the next is known. */
		if (pending)
			imock_report(md, pasid, prev, write, grpid, seq, false);
		else
			err = imock_issue(md, pasid, &grpid, &seq);
		pending = true;
		prev = page;
	}
	if (pending && !err)
		imock_report(md, pasid, prev, write, grpid, seq, true);
out:
	up_read(&md->report_sem);
	return err;
}

static void imock_log(struct imock_dev *md, const struct imock_hwresp *r)
{
	md->log[md->log_next++ % IMOCK_LOG_LEN] = *r;
	if (md->log_len < IMOCK_LOG_LEN)
		md->log_len++;
}

/*
 * The IOMMU driver's page_response(): the answer goes to the hardware,
 * which matches it with the group it issued under that index.
 */
void imock_page_response(struct device *dev, struct iopf_fault *evt,
			 struct iommu_page_response *msg)
{
	struct imock_dev *md = dev_get_drvdata(dev);
	const struct iommu_fault_page_request *prm = &evt->fault.prm;
	struct imock_hwresp r = {
		.pasid = IOMMU_NO_PASID,
		.grpid = msg->grpid,
		.code = msg->code,
		.priv = { prm->private_data[0], prm->private_data[1] },
	};
	struct imock_issued *is;

	/* The response carries a PASID when the request asked for it. */
	if (prm->flags & IOMMU_FAULT_PAGE_RESPONSE_NEEDS_PASID)
		r.pasid = msg->pasid;
	mutex_lock(&md->lock);
	if (r.grpid < IMOCK_GRPID_LIMIT && test_bit(r.grpid, md->busy)) {
		is = &md->issued[r.grpid];
		if (is->pasid != r.pasid || r.priv[0] != is->seq ||
		    r.priv[1] != (is->seq ^ IMOCK_PRIV_KEY)) {
			r.flags |= IMOCK_RESP_MISMATCH;
			md->c.mismatch++;
		}
		__clear_bit(r.grpid, md->busy);
		md->outstanding--;
		md->c.answered++;
	} else {
		r.flags |= IMOCK_RESP_DUP;
		md->c.duplicate++;
	}
	md->c.responses++;
	if (imock_code_name(r.code))
		md->c.codes[r.code]++;
	imock_log(md, &r);
	mutex_unlock(&md->lock);
	wake_up_all(&md->wq);
}

/*
 * The PASID stops (after an unbind, the device driver's PASID stop): the
 * device forgets the groups still outstanding for it; an answer that
 * comes later finds none, a duplicate (or a mismatch, if its index was
 * issued again).
 */
void imock_hw_stop(struct imock_dev *md, u32 pasid)
{
	unsigned int idx;

	mutex_lock(&md->lock);
	for_each_set_bit(idx, md->busy, IMOCK_GRPID_LIMIT) {
		if (md->issued[idx].pasid != pasid)
			continue;
		__clear_bit(idx, md->busy);
		md->outstanding--;
		md->c.stopped++;
	}
	mutex_unlock(&md->lock);
	wake_up_all(&md->wq);
}

/* Forget the log and the counters; what is outstanding stays so. */
void imock_hw_clear(struct imock_dev *md)
{
	mutex_lock(&md->lock);
	md->log_next = 0;
	md->log_len = 0;
	memset(&md->c, 0, sizeof(md->c));
	mutex_unlock(&md->lock);
}

/* One line per answer: pasid=N|none grpid=N code=NAME priv=X,Y [dup] [mismatch] */
void imock_hw_show_log(struct seq_file *m, struct imock_dev *md)
{
	unsigned int i, first;

	mutex_lock(&md->lock);
	first = md->log_next - md->log_len;
	for (i = 0; i < md->log_len; i++) {
		const struct imock_hwresp *r = &md->log[(first + i) % IMOCK_LOG_LEN];

		if (r->pasid == IOMMU_NO_PASID)
			seq_puts(m, "pasid=none");
		else
			seq_printf(m, "pasid=%u", r->pasid);
		seq_printf(m, " grpid=%u code=", r->grpid);
		if (imock_code_name(r->code))
			seq_puts(m, imock_code_name(r->code));
		else
			seq_printf(m, "%u", r->code);
		seq_printf(m, " priv=0x%llx,0x%llx", r->priv[0], r->priv[1]);
		if (r->flags & IMOCK_RESP_DUP)
			seq_puts(m, " dup");
		if (r->flags & IMOCK_RESP_MISMATCH)
			seq_puts(m, " mismatch");
		seq_putc(m, '\n');
	}
	mutex_unlock(&md->lock);
}

void imock_hw_show_stats(struct seq_file *m, struct imock_dev *md)
{
	const struct imock_counters *c = &md->c;
	u32 code;

	mutex_lock(&md->lock);
	seq_printf(m, "responses %llu\n", c->responses);
	for (code = 0; code < ARRAY_SIZE(imock_code_names); code++)
		seq_printf(m, "%s %llu\n", imock_code_names[code],
			   c->codes[code]);
	seq_printf(m, "issued %llu\n", c->issued);
	seq_printf(m, "answered %llu\n", c->answered);
	seq_printf(m, "unanswered %u\n", md->outstanding);
	seq_printf(m, "duplicate %llu\n", c->duplicate);
	seq_printf(m, "mismatch %llu\n", c->mismatch);
	seq_printf(m, "requests %llu\n", c->requests);
	seq_printf(m, "hits %llu\n", c->hits);
	seq_printf(m, "report_ns %llu\n", c->report_ns);
	seq_printf(m, "stopped %llu\n", c->stopped);
	mutex_unlock(&md->lock);
}

/* Every group issued is answered, or the device is gone. A wait condition. */
bool imock_settled(struct imock_dev *md)
{
	return !READ_ONCE(md->outstanding) || READ_ONCE(md->dead);
}
