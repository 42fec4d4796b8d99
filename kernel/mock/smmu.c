// SPDX-License-Identifier: GPL-2.0
/*
 * iofault_mock: an SMMUv3-like IOMMU in stall mode.
 *
 * A transaction of the device that faults stalls (SMMUv3, 3.12.2 "Stall
 * model"): the SMMU writes a fault record with Stall = 1 and a stall tag
 * (STAG) into the event queue, a ring of 32-byte records. The driver's
 * event queue thread (the drain work) takes the records out and reports
 * them as Linux's arm_smmu_evtq_thread() and arm_smmu_handle_evt() do
 * (drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.c): each stall is a group of
 * its own, its last page, with the STAG as group index and the
 * SubstreamID as PASID when SSV is set. Its page_response() issues
 * CMD_RESUME as arm_smmu_page_response() does, which the SMMU matches with
 * the stalled transaction by StreamID and STAG (4.7.1).
 *
 * A fault of the device marked dma is a terminated transaction (Stall = 0):
 * its record is reported as an unrecoverable fault.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitfield.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "mock.h"

/* Event record */
#define SMMU_EVT0_ID		GENMASK_ULL(7, 0)
#define SMMU_EVT0_SSV		BIT_ULL(11)
#define SMMU_EVT0_SSID		GENMASK_ULL(31, 12)
#define SMMU_EVT0_SID		GENMASK_ULL(63, 32)
#define SMMU_EVT1_STAG		GENMASK_ULL(15, 0)
#define SMMU_EVT1_STALL		BIT_ULL(31)
#define SMMU_EVT1_PNU		BIT_ULL(33)	/* privileged */
#define SMMU_EVT1_IND		BIT_ULL(34)	/* instruction */
#define SMMU_EVT1_RNW		BIT_ULL(35)	/* read, not write */
#define SMMU_EVT_F_TRANSLATION	0x10

/* CMD_RESUME */
#define SMMU_CMD0_OP		GENMASK_ULL(7, 0)
#define SMMU_CMD_RESUME		0x44
#define SMMU_RESUME0_RESP	GENMASK_ULL(13, 12)
#define SMMU_RESUME0_SID	GENMASK_ULL(63, 32)
#define SMMU_RESUME1_STAG	GENMASK_ULL(15, 0)
/* The response field: bit 12 is Ac (retry), bit 13 Ab (abort) */
#define SMMU_RESUME_TERM	0	/* terminate, RAZ/WI */
#define SMMU_RESUME_RETRY	1
#define SMMU_RESUME_ABORT	2	/* terminate with an abort */

#define SMMU_STAG_LIMIT		65536	/* STAG has 16 bits */
#define SMMU_HELD_MAX		65536	/* stalls waiting for the queue */

struct smmu_evt {
	u64 dw[4];
};

/* A stalled transaction whose record waits for room in the event queue. */
struct smmu_held {
	struct list_head node;
	struct mock_req req;
};

struct smmu_evtq {
	u32 size;
	/*
	 * EVENTQ_PROD.WR and EVENTQ_CONS.RD, counting on past the size: the
	 * queue is full when they are size apart, which is WR == RD with
	 * different wrap bits (SMMUv3 7.4).
	 */
	u32 prod;
	u32 cons;
	bool ovflg;		/* EVENTQ_PROD.OVFLG */
	bool ovackflg;		/* EVENTQ_CONS.OVACKFLG */
	u32 sid;		/* the device's StreamID */
	u32 stag_next;		/* where the SMMU looks for a free STAG */
	struct list_head held;	/* struct smmu_held, oldest first */
	struct smmu_evt ring[];
};

static unsigned long smmu_fault_key(const struct iofault_fault *fault)
{
	return fault->grpid;
}

static bool smmu_room(struct mock_dev *md)
{
	struct smmu_evtq *q = md->hwq;

	return READ_ONCE(q->prod) - READ_ONCE(q->cons) < q->size;
}

/* Stalls recorded in the queue, not reported yet (held ones are not issued). */
static u32 smmu_queued_groups(struct mock_dev *md)
{
	struct smmu_evtq *q = md->hwq;
	u32 i, n = 0;

	lockdep_assert_held(&md->lock);
	for (i = q->cons; i != q->prod; i++)
		n += !!(q->ring[i % q->size].dw[1] & SMMU_EVT1_STALL);
	return n;
}

static void smmu_write(struct mock_dev *md, const struct mock_req *req,
		       bool stall, u32 stag)
{
	struct smmu_evtq *q = md->hwq;
	struct smmu_evt *e = &q->ring[q->prod % q->size];

	e->dw[0] = FIELD_PREP(SMMU_EVT0_ID, SMMU_EVT_F_TRANSLATION) |
		   FIELD_PREP(SMMU_EVT0_SID, q->sid);
	if (req->flags & MOCK_REQ_PASID)
		e->dw[0] |= SMMU_EVT0_SSV |
			    FIELD_PREP(SMMU_EVT0_SSID, req->pasid);
	/* A transaction reads or writes: with a write permission, a write. */
	e->dw[1] = req->perm & IOFAULT_PERM_WRITE ? 0 : SMMU_EVT1_RNW;
	if (req->perm & IOFAULT_PERM_EXEC)
		e->dw[1] |= SMMU_EVT1_IND;
	if (req->perm & IOFAULT_PERM_PRIV)
		e->dw[1] |= SMMU_EVT1_PNU;
	if (stall)
		e->dw[1] |= SMMU_EVT1_STALL | FIELD_PREP(SMMU_EVT1_STAG, stag);
	e->dw[2] = req->addr;
	e->dw[3] = 0;
	WRITE_ONCE(q->prod, q->prod + 1);
	md->produced++;
}

/*
 * SMMUv3 3.12.2: the SMMU chooses the STAG, and does not reuse a value
 * until CMD_RESUME (or CMD_STALL_TERM) acknowledged its transaction. A
 * test may ask for a given one (MOCK_REQ_GRPID).
 */
static int smmu_pick_stag(struct mock_dev *md, const struct mock_req *req,
			  u32 *stag)
{
	struct smmu_evtq *q = md->hwq;
	u32 i, s;

	if (req->flags & MOCK_REQ_GRPID) {
		if (mock_hw_busy(md, req->grpid))
			return -EBUSY;
		*stag = req->grpid;
		return 0;
	}
	for (i = 0; i < SMMU_STAG_LIMIT; i++) {
		s = (q->stag_next + i) % SMMU_STAG_LIMIT;
		if (!mock_hw_busy(md, s)) {
			q->stag_next = s + 1;
			*stag = s;
			return 0;
		}
	}
	return -EBUSY;
}

static int smmu_record_stall(struct mock_dev *md, const struct mock_req *req)
{
	u32 stag;
	int err;

	err = smmu_pick_stag(md, req, &stag);
	if (!err)
		err = mock_hw_issue(md, stag);
	if (!err)
		smmu_write(md, req, true, stag);
	return err;
}

/*
 * SMMUv3 3.12.2 and 7.4: a stall's fault record is never discarded. When
 * the event queue is not writable, the stalled transaction is retried as
 * though it had just arrived once the queue is writable again, and then
 * records a new fault; it causes no overflow. Until then it waits here.
 */
static int smmu_hold(struct mock_dev *md, const struct mock_req *req)
{
	struct smmu_evtq *q = md->hwq;
	struct smmu_held *h;

	/* The ingress port stops taking transactions (3.12.2.3). */
	if (md->held >= SMMU_HELD_MAX)
		return -EBUSY;
	h = kmalloc(sizeof(*h), GFP_KERNEL);
	if (!h)
		return -ENOMEM;
	h->req = *req;
	list_add_tail(&h->node, &q->held);
	md->held++;
	return 0;
}

/*
 * The queue has room: retry the held transactions. Each records a new
 * fault, with a STAG the SMMU picks: one a test asked for may be in use
 * by now, and the transaction would stay held, and those behind it, with
 * nothing to retry them once the queue is empty. Caller holds md->lock.
 */
static void smmu_retry_held(struct mock_dev *md)
{
	struct smmu_evtq *q = md->hwq;
	struct smmu_held *h;

	while ((h = list_first_entry_or_null(&q->held, struct smmu_held,
					     node)) && smmu_room(md)) {
		h->req.flags &= ~MOCK_REQ_GRPID;
		/* An access whose page got mapped meanwhile now translates. */
		if ((h->req.flags & MOCK_REQ_ACCESS) &&
		    mock_pt_allows(md, h->req.flags & MOCK_REQ_PASID,
				   h->req.pasid, h->req.addr, h->req.perm))
			md->c.hits++;
		else if (smmu_record_stall(md, &h->req))
			break;
		list_del(&h->node);
		md->held--;
		kfree(h);
	}
}

/*
 * SMMUv3 7.4: the record of a terminated transaction is discarded when the
 * queue is full; that is an overflow, which toggles EVENTQ_PROD.OVFLG
 * unless the overflow condition (OVFLG != OVACKFLG) is present already.
 */
static void smmu_record_terminated(struct mock_dev *md,
				   const struct mock_req *req)
{
	struct smmu_evtq *q = md->hwq;

	if (smmu_room(md)) {
		smmu_write(md, req, false, 0);
		return;
	}
	md->c.overflow++;
	if (q->ovflg == q->ovackflg)
		q->ovflg = !q->ovflg;
}

/* A transaction of the device faults. */
static int smmu_send(struct mock_dev *md, const struct mock_req *req)
{
	struct smmu_evtq *q = md->hwq;
	bool stall = !(req->flags & MOCK_REQ_DMA);
	int err;

	mutex_lock(&md->lock);
	err = mock_wait_room(md, stall);
	if (err)
		goto out;
	md->c.requests++;
	if (!stall)
		smmu_record_terminated(md, req);
	else if (list_empty(&q->held) && smmu_room(md))
		err = smmu_record_stall(md, req);
	else
		err = smmu_hold(md, req);
out:
	mutex_unlock(&md->lock);
	return err;
}

/* The driver reads a record, as arm_smmu_handle_evt() does. */
static void smmu_report(struct mock_dev *md, const struct smmu_evt *evt)
{
	u64 dw0 = evt->dw[0], dw1 = evt->dw[1];
	struct iofault_fault f = {
		.type = IOFAULT_FAULT_DMA_UNRECOV,
		/* The record has the address; iofault takes its page. */
		.addr = evt->dw[2] & ~(MOCK_PAGE_SIZE - 1),
		.perm = dw1 & SMMU_EVT1_RNW ? IOFAULT_PERM_READ :
					      IOFAULT_PERM_WRITE,
	};
	int err;

	if (dw1 & SMMU_EVT1_IND)
		f.perm |= IOFAULT_PERM_EXEC;
	if (dw1 & SMMU_EVT1_PNU)
		f.perm |= IOFAULT_PERM_PRIV;
	if (dw0 & SMMU_EVT0_SSV) {
		f.flags |= IOFAULT_PR_PASID_VALID;
		f.pasid = FIELD_GET(SMMU_EVT0_SSID, dw0);
	}
	if (dw1 & SMMU_EVT1_STALL) {
		f.type = IOFAULT_FAULT_PAGE_REQ;
		f.flags |= IOFAULT_PR_LAST_PAGE;
		f.grpid = FIELD_GET(SMMU_EVT1_STAG, dw1);
	}
	err = mock_report(md, &f);
	if (err)
		pr_warn_ratelimited("%s: report: %pe\n", md->name, ERR_PTR(err));
}

/* The driver's event queue thread, as arm_smmu_evtq_thread(). */
static void smmu_drain(struct work_struct *work)
{
	struct mock_dev *md = container_of(work, struct mock_dev, drain);
	struct smmu_evtq *q = md->hwq;
	struct smmu_evt evt;

	mutex_lock(&md->lock);
	while (!md->paused && q->cons != q->prod) {
		/* queue_remove_raw(): the entry is free once CONS moves on. */
		evt = q->ring[q->cons % q->size];
		WRITE_ONCE(q->cons, q->cons + 1);
		smmu_retry_held(md);
		mutex_unlock(&md->lock);
		wake_up_all(&md->wq);
		smmu_report(md, &evt);
		mutex_lock(&md->lock);
		md->consumed++;
	}
	/*
	 * "Not much we can do on overflow, so scream": then acknowledge it,
	 * OVACKFLG = OVFLG, as queue_sync_cons_ovf() does.
	 */
	if (!md->paused && q->ovflg != q->ovackflg) {
		pr_warn_ratelimited("%s: EVTQ overflow detected -- events lost\n",
				    md->name);
		q->ovackflg = q->ovflg;
	}
	mutex_unlock(&md->lock);
	wake_up_all(&md->wq);
}

/*
 * The SMMU consumes a command. CMD_RESUME acts on the stalled transaction
 * of its StreamID and STAG and frees the STAG; with a STAG that stalls
 * nothing of that StreamID it is a no-op (SMMUv3 4.7.1), which the mock
 * counts as a duplicate.
 */
static void smmu_receive(struct mock_dev *md, const u64 cmd[2], u32 code)
{
	struct smmu_evtq *q = md->hwq;
	struct mock_hwresp r = { .raw = { cmd[0], cmd[1] }, .code = code };
	unsigned long key = MOCK_KEY_NONE;

	if (FIELD_GET(SMMU_CMD0_OP, cmd[0]) == SMMU_CMD_RESUME &&
	    FIELD_GET(SMMU_RESUME0_SID, cmd[0]) == q->sid)
		key = FIELD_GET(SMMU_RESUME1_STAG, cmd[1]);
	mock_hw_answer(md, key, &r);
}

/*
 * The driver answers a stall, as arm_smmu_page_response(): CMD_RESUME
 * with the StreamID, the group index as STAG, and RETRY for SUCCESS,
 * ABORT for INVALID and FAILURE. The SMMU cannot tell those two apart:
 * @code goes along only for the mock's log and counters.
 */
static int smmu_page_response(struct iofault_device *idev,
			      const struct iofault_fault *fault,
			      const struct iofault_page_response *resp)
{
	struct mock_dev *md = iofault_device_drvdata(idev);
	struct smmu_evtq *q = md->hwq;
	u32 action = resp->code == IOFAULT_RESP_SUCCESS ? SMMU_RESUME_RETRY :
							   SMMU_RESUME_ABORT;
	u64 cmd[2];

	cmd[0] = FIELD_PREP(SMMU_CMD0_OP, SMMU_CMD_RESUME) |
		 FIELD_PREP(SMMU_RESUME0_RESP, action) |
		 FIELD_PREP(SMMU_RESUME0_SID, q->sid);
	cmd[1] = FIELD_PREP(SMMU_RESUME1_STAG, resp->grpid);
	smmu_receive(md, cmd, resp->code);
	return 0;
}

static const char * const smmu_action_names[] = {
	[SMMU_RESUME_TERM] = "term",
	[SMMU_RESUME_RETRY] = "retry",
	[SMMU_RESUME_ABORT] = "abort",
};

static void smmu_show_resp(struct seq_file *m, const struct mock_hwresp *r)
{
	u32 action = FIELD_GET(SMMU_RESUME0_RESP, r->raw[0]);
	const char *code = mock_code_name(r->code);

	seq_printf(m, "stag=%llu sid=0x%llx resp=",
		   FIELD_GET(SMMU_RESUME1_STAG, r->raw[1]),
		   FIELD_GET(SMMU_RESUME0_SID, r->raw[0]));
	if (action < ARRAY_SIZE(smmu_action_names))
		seq_puts(m, smmu_action_names[action]);
	else
		seq_printf(m, "0x%x", action);
	seq_printf(m, " code=%s cmd0=0x%016llx cmd1=0x%016llx",
		   code ?: "none", r->raw[0], r->raw[1]);
}

static void smmu_show_stats(struct seq_file *m, struct mock_dev *md)
{
	struct smmu_evtq *q = md->hwq;

	seq_printf(m, "held %u\n", md->held);
	seq_printf(m, "ovflg %d\n", q->ovflg != q->ovackflg);
}

static int smmu_init(struct mock_dev *md, u32 qsize)
{
	struct smmu_evtq *q = kvzalloc(struct_size(q, ring, qsize),
				       GFP_KERNEL | __GFP_NOWARN);

	if (!q)
		return -ENOMEM;
	q->size = qsize;
	q->sid = 0x10 + md->index;
	INIT_LIST_HEAD(&q->held);
	md->hwq = q;
	return 0;
}

static void smmu_exit(struct mock_dev *md)
{
	struct smmu_evtq *q = md->hwq;
	struct smmu_held *h, *n;

	list_for_each_entry_safe(h, n, &q->held, node)
		kfree(h);
	kvfree(q);
}

static const struct iofault_driver_ops smmu_driver_ops = {
	.owner = THIS_MODULE,
	.page_response = smmu_page_response,
	.resolve = mock_resolve,
};

const struct mock_hw_ops mock_smmu_ops = {
	.prefix = "smmu",
	.drv = &smmu_driver_ops,
	.grpid_limit = SMMU_STAG_LIMIT,
	.private_data = false,
	.init = smmu_init,
	.exit = smmu_exit,
	.send = smmu_send,
	.room = smmu_room,
	.queued_groups = smmu_queued_groups,
	.fault_key = smmu_fault_key,
	.drain = smmu_drain,
	.show_resp = smmu_show_resp,
	.show_stats = smmu_show_stats,
};
