// SPDX-License-Identifier: GPL-2.0
/*
 * iofault_mock: a VT-d-like IOMMU with a page request queue.
 *
 * The hardware writes each page request of the device into the page
 * request queue (PRQ), a ring of 256-bit page request descriptors. The
 * driver's PRQ thread (the drain work) takes them out and reports them as
 * Linux's prq_event_thread() and intel_prq_report() do
 * (drivers/iommu/intel/prq.c); its page_response() submits a page group
 * response descriptor as intel_iommu_page_response() does, and the
 * hardware matches it with the group it answers.
 *
 * Descriptors are those of VT-d 3.x, private data included: VT-d 4.0
 * dropped private data from page requests and responses, and Linux 6.10
 * with it ("iommu/vt-d: Remove private data use in fault message"); the
 * layout below follows the Linux code from before that commit.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitfield.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "mock.h"

/* Page request descriptor, qw0 */
#define VTD_PRQ_TYPE		0x1ULL		/* [7:0] */
#define VTD_PRQ_PP		BIT_ULL(8)	/* PASID present */
#define VTD_PRQ_PDP		BIT_ULL(9)	/* private data present */
#define VTD_PRQ_RID		GENMASK_ULL(31, 16)
#define VTD_PRQ_PASID		GENMASK_ULL(51, 32)
#define VTD_PRQ_ER		BIT_ULL(52)	/* execute requested */
#define VTD_PRQ_PMR		BIT_ULL(53)	/* privileged mode requested */
/* qw1; qw2 and qw3 hold the private data */
#define VTD_PRQ_RDR		BIT_ULL(0)	/* read requested */
#define VTD_PRQ_WRR		BIT_ULL(1)	/* write requested */
#define VTD_PRQ_LPIG		BIT_ULL(2)	/* last page in group */
#define VTD_PRQ_PRGI		GENMASK_ULL(11, 3)
#define VTD_PRQ_ADDR		GENMASK_ULL(63, 12)

/* Page group response descriptor, qw0 */
#define VTD_PGRP_TYPE		0x9ULL
#define VTD_PGRP_TYPE_MASK	GENMASK_ULL(3, 0)
#define VTD_PGRP_PP		BIT_ULL(4)
#define VTD_PGRP_PDP		BIT_ULL(5)
#define VTD_PGRP_RC		GENMASK_ULL(15, 12)
#define VTD_PGRP_RID		GENMASK_ULL(31, 16)
#define VTD_PGRP_PASID		GENMASK_ULL(51, 32)
/* qw1; qw2 and qw3 echo the private data */
#define VTD_PGRP_LPIG		BIT_ULL(2)
#define VTD_PGRP_PRGI		GENMASK_ULL(11, 3)

/* Response codes (PCIe PRG Response Message) */
#define VTD_RC_SUCCESS		0x0
#define VTD_RC_INVALID		0x1
#define VTD_RC_FAILURE		0xf

#define VTD_PRGI_LIMIT		512		/* the PRG index has 9 bits */

struct vtd_desc {
	u64 qw[4];
};

struct vtd_prq {
	u32 size;		/* entries; it holds one less (see vtd_full) */
	u32 head;		/* PQH: next descriptor software reads */
	u32 tail;		/* PQT: next entry the hardware writes */
	bool pro;		/* PRS_REG.PRO: page request overflow */
	u16 rid;		/* the device's requester id */
	u32 prgi_next;		/* where the device looks for a free index */
	struct vtd_desc ring[];
};

/* The fields a page group response is matched with. */
static unsigned long vtd_key(bool pasid_present, u32 pasid, u32 prgi)
{
	return (pasid_present ? pasid + 1UL : 0) << 9 | prgi;
}

static unsigned long vtd_fault_key(const struct iofault_fault *fault)
{
	return vtd_key(fault->flags & IOFAULT_PR_RESP_NEEDS_PASID, fault->pasid,
		       fault->grpid);
}

/* Full when the tail is one behind the head, as QEMU's VT-d checks it. */
static bool vtd_full(const struct vtd_prq *q)
{
	return (READ_ONCE(q->tail) + 1) % q->size == READ_ONCE(q->head);
}

static bool vtd_room(struct mock_dev *md)
{
	struct vtd_prq *q = md->hwq;

	return !READ_ONCE(q->pro) && !vtd_full(q);
}

/* The hardware's descriptor for a request of the device. */
static void vtd_encode(const struct vtd_prq *q, const struct mock_req *req,
		       struct vtd_desc *d)
{
	*d = (struct vtd_desc) {};
	d->qw[0] = VTD_PRQ_TYPE | FIELD_PREP(VTD_PRQ_RID, q->rid);
	if (req->flags & MOCK_REQ_PASID)
		d->qw[0] |= VTD_PRQ_PP | FIELD_PREP(VTD_PRQ_PASID, req->pasid);
	if (req->perm & IOFAULT_PERM_EXEC)
		d->qw[0] |= VTD_PRQ_ER;
	if (req->perm & IOFAULT_PERM_PRIV)
		d->qw[0] |= VTD_PRQ_PMR;
	d->qw[1] = FIELD_PREP(VTD_PRQ_PRGI, req->grpid) |
		   (req->addr & VTD_PRQ_ADDR);
	if (req->perm & IOFAULT_PERM_READ)
		d->qw[1] |= VTD_PRQ_RDR;
	if (req->perm & IOFAULT_PERM_WRITE)
		d->qw[1] |= VTD_PRQ_WRR;
	if (req->flags & MOCK_REQ_LAST)
		d->qw[1] |= VTD_PRQ_LPIG;
	if (req->flags & MOCK_REQ_PRIV) {
		d->qw[0] |= VTD_PRQ_PDP;
		d->qw[2] = req->priv[0];
		d->qw[3] = req->priv[1];
	}
}

/*
 * VT-d 3.0, 7.7 (as Linux's handle_bad_prq_event() said before 6.10):
 * software must answer a request with Last Page In Group or Private Data
 * Present set with a page group response.
 */
static bool vtd_needs_response(const struct vtd_desc *d)
{
	return (d->qw[1] & VTD_PRQ_LPIG) || (d->qw[0] & VTD_PRQ_PDP);
}

static unsigned long vtd_desc_key(const struct vtd_desc *d)
{
	return vtd_key(d->qw[0] & VTD_PRQ_PP, FIELD_GET(VTD_PRQ_PASID, d->qw[0]),
		       FIELD_GET(VTD_PRQ_PRGI, d->qw[1]));
}

static u32 vtd_queued_groups(struct mock_dev *md)
{
	struct vtd_prq *q = md->hwq;
	u32 i, n = 0;

	lockdep_assert_held(&md->lock);
	for (i = q->head; i != q->tail; i = (i + 1) % q->size)
		n += vtd_needs_response(&q->ring[i]);
	return n;
}

/*
 * The page request queue is full, or an overflow is not cleared yet.
 * Intel VT-d specification (rev. 3.x, chapter 7, page request queue
 * overflow): the hardware sets PRS_REG.PRO and does not write the
 * request. A request that needs a response (LPIG or PDP) is answered by
 * the hardware itself with a Success page group response, so the device
 * retries its translation and, still faulting, asks again; a request that
 * needs none is dropped, and its group reaches software incomplete or not
 * at all. While PRO is set, every request is handled so, room or not:
 * only software clears PRO. QEMU's VT-d model stops queueing while PRO is
 * set too, the RISC-V IOMMU specification, which follows this design,
 * gives the same automatic Success, and Linux's PRQ thread clears PRO
 * only once the queue is empty (vtd_drain()).
 */
static void vtd_overflow(struct mock_dev *md, const struct vtd_desc *req)
{
	struct vtd_prq *q = md->hwq;
	struct mock_hwresp r = { .code = IOFAULT_RESP_SUCCESS };

	WRITE_ONCE(q->pro, true);
	md->c.overflow++;
	if (!vtd_needs_response(req)) {
		md->c.dropped++;
		return;
	}
	r.raw[0] = VTD_PGRP_TYPE | FIELD_PREP(VTD_PGRP_RC, VTD_RC_SUCCESS) |
		   FIELD_PREP(VTD_PGRP_RID, FIELD_GET(VTD_PRQ_RID, req->qw[0]));
	if (req->qw[0] & VTD_PRQ_PP)
		r.raw[0] |= VTD_PGRP_PP |
			    FIELD_PREP(VTD_PGRP_PASID,
				       FIELD_GET(VTD_PRQ_PASID, req->qw[0]));
	r.raw[1] = FIELD_PREP(VTD_PGRP_PRGI, FIELD_GET(VTD_PRQ_PRGI, req->qw[1]));
	if (req->qw[1] & VTD_PRQ_LPIG)
		r.raw[1] |= VTD_PGRP_LPIG;
	if (req->qw[0] & VTD_PRQ_PDP) {
		r.raw[0] |= VTD_PGRP_PDP;
		r.raw[2] = req->qw[2];
		r.raw[3] = req->qw[3];
	}
	mock_hw_auto(md, &r);
}

/*
 * Unrecoverable faults go to VT-d's fault recording registers, not to the
 * PRQ. Those are not modelled: the fault is reported at once, as the
 * driver's fault event handler would.
 */
static int vtd_report_dma(struct mock_dev *md, const struct mock_req *req)
{
	struct iofault_fault f = {
		.type = IOFAULT_FAULT_DMA_UNRECOV,
		.pasid = req->pasid,
		.perm = req->perm,
		.addr = req->addr & ~(MOCK_PAGE_SIZE - 1),
	};

	if (req->flags & MOCK_REQ_PASID)
		f.flags |= IOFAULT_PR_PASID_VALID;
	mutex_lock(&md->lock);
	md->c.requests++;
	mutex_unlock(&md->lock);
	return mock_report(md, &f);
}

/* The device sends a page request: the hardware queues it, or overflows. */
static int vtd_send(struct mock_dev *md, const struct mock_req *req)
{
	struct vtd_prq *q = md->hwq;
	struct vtd_desc d;
	int err;

	if (req->flags & MOCK_REQ_DMA)
		return vtd_report_dma(md, req);
	vtd_encode(q, req, &d);
	mutex_lock(&md->lock);
	err = mock_wait_room(md, vtd_needs_response(&d));
	if (err)
		goto out;
	md->c.requests++;
	if (q->pro || vtd_full(q)) {
		vtd_overflow(md, &d);
		goto out;
	}
	if (vtd_needs_response(&d)) {
		err = mock_hw_issue(md, vtd_desc_key(&d));
		if (err)
			goto out;
	}
	q->ring[q->tail] = d;
	WRITE_ONCE(q->tail, (q->tail + 1) % q->size);
	md->produced++;
out:
	mutex_unlock(&md->lock);
	return err;
}

/*
 * PCIe PRI: a function does not reuse the PRG index of a PASID while that
 * group is outstanding. Pick a free one, waiting for an answer if all are
 * taken.
 */
static int vtd_pick_grpid(struct mock_dev *md, struct mock_req *req)
{
	struct vtd_prq *q = md->hwq;
	bool pp = req->flags & MOCK_REQ_PASID;
	u32 i, prgi;
	u64 gen;

	for (;;) {
		mutex_lock(&md->lock);
		for (i = 0; i < VTD_PRGI_LIMIT; i++) {
			prgi = (q->prgi_next + i) % VTD_PRGI_LIMIT;
			if (!mock_hw_busy(md, vtd_key(pp, req->pasid, prgi))) {
				q->prgi_next = prgi + 1;
				req->grpid = prgi;
				mutex_unlock(&md->lock);
				return 0;
			}
		}
		gen = md->resp_gen;
		mutex_unlock(&md->lock);
		if (wait_event_killable(md->wq, READ_ONCE(md->resp_gen) != gen ||
					READ_ONCE(md->unplugged)))
			return -EINTR;
		if (READ_ONCE(md->unplugged))
			return -ENODEV;
	}
}

/*
 * The driver reads a descriptor, as intel_prq_report() does; a request
 * with private data is reported as the last of its group, with its data,
 * since it needs a response too (Linux before 6.10 did the same).
 */
static void vtd_report(struct mock_dev *md, const struct vtd_desc *d)
{
	u64 qw0 = d->qw[0], qw1 = d->qw[1];
	struct iofault_fault f = {
		.type = IOFAULT_FAULT_PAGE_REQ,
		.pasid = FIELD_GET(VTD_PRQ_PASID, qw0),
		.grpid = FIELD_GET(VTD_PRQ_PRGI, qw1),
		.addr = qw1 & VTD_PRQ_ADDR,
	};
	int err;

	if (qw1 & VTD_PRQ_RDR)
		f.perm |= IOFAULT_PERM_READ;
	if (qw1 & VTD_PRQ_WRR)
		f.perm |= IOFAULT_PERM_WRITE;
	if (qw0 & VTD_PRQ_ER)
		f.perm |= IOFAULT_PERM_EXEC;
	if (qw0 & VTD_PRQ_PMR)
		f.perm |= IOFAULT_PERM_PRIV;
	if (qw1 & VTD_PRQ_LPIG)
		f.flags |= IOFAULT_PR_LAST_PAGE;
	if (qw0 & VTD_PRQ_PP)
		f.flags |= IOFAULT_PR_PASID_VALID | IOFAULT_PR_RESP_NEEDS_PASID;
	if (qw0 & VTD_PRQ_PDP) {
		f.flags |= IOFAULT_PR_PRIV_DATA | IOFAULT_PR_LAST_PAGE;
		f.private_data[0] = d->qw[2];
		f.private_data[1] = d->qw[3];
	}
	err = mock_report(md, &f);
	if (err)
		pr_warn_ratelimited("%s: report: %pe\n", md->name, ERR_PTR(err));
}

/* The driver's PRQ thread. */
static void vtd_drain(struct work_struct *work)
{
	struct mock_dev *md = container_of(work, struct mock_dev, drain);
	struct vtd_prq *q = md->hwq;
	u32 head, tail;
	bool cleared;

	mutex_lock(&md->lock);
	while (!md->paused && q->head != q->tail) {
		head = q->head;
		tail = q->tail;
		mutex_unlock(&md->lock);
		/* The hardware writes at PQT only: [PQH, PQT) stays as it is. */
		for (; head != tail; head = (head + 1) % q->size)
			vtd_report(md, &q->ring[head]);
		mutex_lock(&md->lock);
		md->consumed += (tail + q->size - q->head) % q->size;
		/* PQH = PQT, once per batch as Linux writes it: room again. */
		WRITE_ONCE(q->head, tail);
		wake_up_all(&md->wq);
	}
	/*
	 * As prq_event_thread(): clear PRO only once the queue is empty, so
	 * that no request lost meanwhile goes unnoticed, and discard the
	 * partial groups (as iopf_queue_discard_partial()): the hardware may
	 * have answered their last request itself. Outside md->lock, which
	 * page_response() takes under iofault's lock.
	 */
	cleared = !md->paused && q->pro && q->head == q->tail;
	if (cleared) {
		WRITE_ONCE(q->pro, false);
		pr_info_ratelimited("%s: PRQ overflow detected, cleared\n",
				    md->name);
		wake_up_all(&md->wq);
	}
	mutex_unlock(&md->lock);
	if (cleared)
		iofault_discard_partial(md->idev);
}

/*
 * PCIe PRG response codes. Linux's intel_iommu_page_response() puts its
 * enum value in the descriptor as is, so a failure goes out as 2, a
 * reserved code; the mock sends Response Failure (1111b), QI_RESP_FAILURE.
 */
static u32 vtd_rc(u32 code)
{
	switch (code) {
	case IOFAULT_RESP_SUCCESS:
		return VTD_RC_SUCCESS;
	case IOFAULT_RESP_FAILURE:
		return VTD_RC_FAILURE;
	default:
		return VTD_RC_INVALID;
	}
}

static u32 vtd_rc_code(u32 rc)
{
	switch (rc) {
	case VTD_RC_SUCCESS:
		return IOFAULT_RESP_SUCCESS;
	case VTD_RC_INVALID:
		return IOFAULT_RESP_INVALID;
	case VTD_RC_FAILURE:
		return IOFAULT_RESP_FAILURE;
	default:
		return IOFAULT_RESP_NR;
	}
}

/* The hardware consumes a page group response from the invalidation queue. */
static void vtd_receive(struct mock_dev *md, const struct vtd_desc *d)
{
	struct vtd_prq *q = md->hwq;
	u64 qw0 = d->qw[0], qw1 = d->qw[1];
	struct mock_hwresp r = {
		.code = vtd_rc_code(FIELD_GET(VTD_PGRP_RC, qw0)),
	};
	unsigned long key = MOCK_KEY_NONE;

	memcpy(r.raw, d->qw, sizeof(r.raw));
	if (FIELD_GET(VTD_PGRP_TYPE_MASK, qw0) == VTD_PGRP_TYPE &&
	    FIELD_GET(VTD_PGRP_RID, qw0) == q->rid)
		key = vtd_key(qw0 & VTD_PGRP_PP, FIELD_GET(VTD_PGRP_PASID, qw0),
			      FIELD_GET(VTD_PGRP_PRGI, qw1));
	mock_hw_answer(md, key, &r);
}

/*
 * The driver answers a group, as intel_iommu_page_response(): PASID, index
 * and LPIG from the group's last request; the PASID goes with the response
 * when the request said so (the Intel driver reports RESP_NEEDS_PASID with
 * every PASID); private data is echoed when the request carried some.
 */
static int vtd_page_response(struct iofault_device *idev,
			     const struct iofault_fault *fault,
			     const struct iofault_page_response *resp)
{
	struct mock_dev *md = iofault_device_drvdata(idev);
	struct vtd_prq *q = md->hwq;
	struct vtd_desc d = {};

	d.qw[0] = VTD_PGRP_TYPE | FIELD_PREP(VTD_PGRP_RID, q->rid) |
		  FIELD_PREP(VTD_PGRP_RC, vtd_rc(resp->code));
	if (fault->flags & IOFAULT_PR_RESP_NEEDS_PASID)
		d.qw[0] |= VTD_PGRP_PP | FIELD_PREP(VTD_PGRP_PASID, fault->pasid);
	d.qw[1] = FIELD_PREP(VTD_PGRP_PRGI, fault->grpid);
	if (fault->flags & IOFAULT_PR_LAST_PAGE)
		d.qw[1] |= VTD_PGRP_LPIG;
	if (fault->flags & IOFAULT_PR_PRIV_DATA) {
		d.qw[0] |= VTD_PGRP_PDP;
		d.qw[2] = fault->private_data[0];
		d.qw[3] = fault->private_data[1];
	}
	vtd_receive(md, &d);
	return 0;
}

static void vtd_show_resp(struct seq_file *m, const struct mock_hwresp *r)
{
	u64 qw0 = r->raw[0], qw1 = r->raw[1];

	if (qw0 & VTD_PGRP_PP)
		seq_printf(m, "pasid=%llu", FIELD_GET(VTD_PGRP_PASID, qw0));
	else
		seq_puts(m, "pasid=none");
	seq_printf(m, " grpid=%llu code=", FIELD_GET(VTD_PGRP_PRGI, qw1));
	if (r->code < IOFAULT_RESP_NR)
		seq_puts(m, mock_code_name(r->code));
	else
		seq_printf(m, "0x%llx", FIELD_GET(VTD_PGRP_RC, qw0));
	if (qw0 & VTD_PGRP_PDP)
		seq_printf(m, " priv=0x%llx,0x%llx", r->raw[2], r->raw[3]);
	seq_printf(m, " lpig=%d rid=0x%04llx qw0=0x%016llx qw1=0x%016llx qw2=0x%016llx qw3=0x%016llx",
		   !!(qw1 & VTD_PGRP_LPIG), FIELD_GET(VTD_PGRP_RID, qw0),
		   qw0, qw1, r->raw[2], r->raw[3]);
}

static void vtd_show_stats(struct seq_file *m, struct mock_dev *md)
{
	struct vtd_prq *q = md->hwq;

	seq_printf(m, "dropped %llu\n", md->c.dropped);
	seq_printf(m, "pro %d\n", q->pro);
}

static int vtd_init(struct mock_dev *md, u32 qsize)
{
	struct vtd_prq *q = kvzalloc(struct_size(q, ring, qsize),
				     GFP_KERNEL | __GFP_NOWARN);

	if (!q)
		return -ENOMEM;
	q->size = qsize;
	/* Requester id 00:NN.0, NN the device's index + 1. */
	q->rid = (md->index + 1) << 3;
	md->hwq = q;
	return 0;
}

static void vtd_exit(struct mock_dev *md)
{
	kvfree(md->hwq);
}

static const struct iofault_driver_ops vtd_driver_ops = {
	.owner = THIS_MODULE,
	.page_response = vtd_page_response,
	.resolve = mock_resolve,
};

const struct mock_hw_ops mock_vtd_ops = {
	.prefix = "vtd",
	.drv = &vtd_driver_ops,
	.grpid_limit = VTD_PRGI_LIMIT,
	.private_data = true,
	.init = vtd_init,
	.exit = vtd_exit,
	.send = vtd_send,
	.pick_grpid = vtd_pick_grpid,
	.room = vtd_room,
	.queued_groups = vtd_queued_groups,
	.fault_key = vtd_fault_key,
	.drain = vtd_drain,
	.show_resp = vtd_show_resp,
	.show_stats = vtd_show_stats,
};
