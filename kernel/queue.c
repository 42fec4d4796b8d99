// SPDX-License-Identifier: GPL-2.0
/*
 * iofault fault queue: forwarding fault groups to a user-space handler
 * through a per-device file descriptor (see the uapi header).
 *
 * /dev/iofault hands out the descriptor. A device has at most one queue;
 * groups its policy forwards wait on the queue's list until read(), then
 * stay outstanding in the tracker, owned by the queue, until a write()
 * answers them, the timeout does, the descriptor is closed or the device
 * goes away. The queue holds a reference on the device, so a late read or
 * write finds a dead tracker rather than freed memory.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/capability.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/iommu.h>
#include <linux/miscdevice.h>
#include <linux/poll.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "iofault_core.h"
#include "trace.h"

struct iofault_queue {
	struct iofault_device *idev;
	struct list_head faults;	/* forwarded, not read yet (by qnode) */
	wait_queue_head_t wait;
	struct mutex io_lock;		/* one read or write at a time: buf */
	union {
		struct iofault_fault_record records[IOFAULT_BATCH_MAX];
		struct iofault_fault_response responses[IOFAULT_BATCH_MAX];
	} buf;
};

/* Forward @g to the device's open queue. */
void iofault_queue_forward(struct iofault_device *idev, struct iofault_group *g)
{
	struct iofault_queue *q = idev->queue;

	lockdep_assert_held(&idev->lock);
	g->owner = q;
	list_add_tail(&g->qnode, &q->faults);
	trace_iofault_forward(idev->id, iofault_group_cookie(&idev->tracker, g),
			      g->last.pasid, g->last.grpid);
	wake_up_interruptible_poll(&q->wait, EPOLLIN | EPOLLRDNORM);
}

/* The device is going away: wake readers so they see the end. */
void iofault_queue_device_gone(struct iofault_device *idev)
{
	lockdep_assert_held(&idev->lock);
	if (idev->queue)
		wake_up_interruptible_poll(&idev->queue->wait, EPOLLHUP);
}

static void iofault_record_fill(struct iofault_fault_record *r,
				struct iofault_tracker *t,
				const struct iofault_group *g)
{
	*r = (struct iofault_fault_record) {
		.size = sizeof(*r),
		.version = IOFAULT_RECORD_VERSION,
		.dev_id = t->dev_id,
		.cookie = iofault_group_cookie(t, g),
		.flags = g->last.flags,
		.pasid = g->last.pasid,
		.grpid = g->last.grpid,
		.perm = g->last.perm,
		.addr = g->last.addr,
		.npages = g->npages,
	};
}

/* Take up to @max waiting groups off the queue as records. */
static size_t iofault_queue_take(struct iofault_queue *q, size_t max)
{
	struct iofault_device *idev = q->idev;
	struct iofault_group *g;
	size_t n = 0;

	lockdep_assert_held(&q->io_lock);
	mutex_lock(&idev->lock);
	while (n < max && (g = list_first_entry_or_null(&q->faults,
							struct iofault_group,
							qnode))) {
		list_del_init(&g->qnode);
		iofault_record_fill(&q->buf.records[n++], &idev->tracker, g);
	}
	mutex_unlock(&idev->lock);
	return n;
}

/*
 * Records @from to @n were taken but not copied out: put their groups back
 * at the head of the queue, in order, so the next read() gets them. Each
 * must still be pending and this queue's: the timeout, the removal or a
 * write of a guessed cookie may have answered it since it was taken.
 */
static void iofault_queue_untake(struct iofault_queue *q, size_t from,
				 size_t n)
{
	struct iofault_device *idev = q->idev;
	const struct iofault_fault_record *r;
	enum iofault_reject_reason why;
	struct iofault_group *g;
	bool back = false;
	size_t i;

	lockdep_assert_held(&q->io_lock);
	mutex_lock(&idev->lock);
	for (i = n; i-- > from; ) {
		r = &q->buf.records[i];
		/* A check of a response that would succeed, and no response. */
		if (iofault_tracker_check(&idev->tracker, r->cookie, r->pasid,
					  r->grpid, IOFAULT_RESP_INVALID, q, &g,
					  &why) || !list_empty(&g->qnode))
			continue;
		list_add(&g->qnode, &q->faults);
		back = true;
	}
	if (back)
		wake_up_interruptible_poll(&q->wait, EPOLLIN | EPOLLRDNORM);
	mutex_unlock(&idev->lock);
}

/* A hint for sleeping readers (no lock: it runs in the wait loop). */
static bool iofault_queue_readable(struct iofault_queue *q)
{
	return !list_empty_careful(&q->faults) || READ_ONCE(q->idev->tracker.dead);
}

static ssize_t iofault_queue_read(struct file *file, char __user *ubuf,
				  size_t len, loff_t *ppos)
{
	struct iofault_queue *q = file->private_data;
	size_t max = min_t(size_t, len / sizeof(struct iofault_fault_record),
			   IOFAULT_BATCH_MAX);
	size_t n, copied;
	int err;

	if (!max)
		return -EINVAL;
	mutex_lock(&q->io_lock);
	while (!(n = iofault_queue_take(q, max))) {
		if (q->idev->tracker.dead) {
			n = 0;
			goto out;	/* end of file: the device is gone */
		}
		if (file->f_flags & O_NONBLOCK) {
			mutex_unlock(&q->io_lock);
			return -EAGAIN;
		}
		mutex_unlock(&q->io_lock);
		err = wait_event_interruptible(q->wait, iofault_queue_readable(q));
		if (err)
			return err;
		mutex_lock(&q->io_lock);
	}
	/*
	 * A bad buffer loses nothing: the records that were not copied whole
	 * go back to the queue, and the read returns those that were (EFAULT
	 * if none was).
	 */
	copied = n - DIV_ROUND_UP(copy_to_user(ubuf, q->buf.records,
					       n * sizeof(q->buf.records[0])),
				  sizeof(q->buf.records[0]));
	if (copied < n) {
		iofault_queue_untake(q, copied, n);
		n = copied;
		if (!n) {
			mutex_unlock(&q->io_lock);
			return -EFAULT;
		}
	}
out:
	mutex_unlock(&q->io_lock);
	return n * sizeof(struct iofault_fault_record);
}

/*
 * Apply one response; 0 when applied or skipped as late, else the errno of
 * its refusal (counted and traced, as the tracker's own refusals).
 */
static int iofault_queue_respond(struct iofault_queue *q,
				 const struct iofault_fault_response *r)
{
	struct iofault_tracker *t = &q->idev->tracker;
	int err;

	lockdep_assert_held(&q->idev->lock);
	if (r->reserved)
		return iofault_tracker_reject(t, r->cookie,
					      IOFAULT_REJECT_BAD_CODE, -EINVAL);
	err = iofault_tracker_respond(t, r->cookie, r->pasid, r->grpid,
				      r->code, q);
	/* Only too late (the timeout answered it): no mistake of the handler's. */
	if (err == -ETIMEDOUT || err == -ESTALE)
		return 0;
	return err;
}

/*
 * Responses are applied in order, up to the first one refused: write()
 * returns the bytes of those before it, or its errno when it is the first.
 * So a handler learns which response was refused (the count says), and
 * why (that response written again alone returns its errno).
 */
static ssize_t iofault_queue_write(struct file *file, const char __user *ubuf,
				   size_t len, loff_t *ppos)
{
	struct iofault_queue *q = file->private_data;
	struct iofault_device *idev = q->idev;
	struct iofault_fault_response *r = q->buf.responses;
	size_t n = len / sizeof(*r), i;
	int err = 0;

	if (!n || len % sizeof(*r) || n > IOFAULT_BATCH_MAX)
		return -EINVAL;
	mutex_lock(&q->io_lock);
	if (copy_from_user(r, ubuf, len)) {
		mutex_unlock(&q->io_lock);
		return -EFAULT;
	}
	mutex_lock(&idev->lock);
	for (i = 0; i < n; i++) {
		err = iofault_queue_respond(q, &r[i]);
		if (err)
			break;
	}
	mutex_unlock(&idev->lock);
	mutex_unlock(&q->io_lock);
	return i ? i * sizeof(*r) : err;
}

static __poll_t iofault_queue_poll(struct file *file, poll_table *wait)
{
	struct iofault_queue *q = file->private_data;
	__poll_t mask = EPOLLOUT | EPOLLWRNORM;

	poll_wait(file, &q->wait, wait);
	mutex_lock(&q->idev->lock);
	if (!list_empty(&q->faults))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (q->idev->tracker.dead)
		mask |= EPOLLHUP;
	mutex_unlock(&q->idev->lock);
	return mask;
}

/*
 * /proc/PID/fdinfo of a fault descriptor: its device, the groups waiting
 * to be read (queued), and those read and not answered yet (held). A
 * handler that answered all it read holds none: anything more is a group
 * it never got.
 */
static void iofault_queue_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct iofault_queue *q = file->private_data;
	struct iofault_device *idev = q->idev;
	u32 queued, owned;

	mutex_lock(&idev->lock);
	queued = list_count_nodes(&q->faults);
	owned = iofault_tracker_count_owned(&idev->tracker, q);
	mutex_unlock(&idev->lock);
	seq_printf(m, "iofault-device:\t%s\n", dev_name(&idev->dev));
	seq_printf(m, "queued:\t%u\n", queued);
	seq_printf(m, "held:\t%u\n", owned - queued);
}

/* Close the queue: answer the groups it still owns, and free it. */
static void iofault_queue_destroy(struct iofault_queue *q)
{
	struct iofault_device *idev = q->idev;

	mutex_lock(&idev->lock);
	iofault_tracker_answer_owned(&idev->tracker, q, IOFAULT_RESP_INVALID,
				     IOFAULT_END_CLOSE);
	idev->queue = NULL;
	mutex_unlock(&idev->lock);
	put_device(&idev->dev);
	kvfree(q);
}

static int iofault_queue_release(struct inode *inode, struct file *file)
{
	iofault_queue_destroy(file->private_data);
	return 0;
}

static const struct file_operations iofault_queue_fops = {
	.owner = THIS_MODULE,
	.read = iofault_queue_read,
	.write = iofault_queue_write,
	.poll = iofault_queue_poll,
	.release = iofault_queue_release,
	.show_fdinfo = iofault_queue_show_fdinfo,
	.llseek = noop_llseek,
};

static int iofault_queue_open(const struct iofault_fault_fd_req __user *ureq)
{
	struct iofault_fault_fd_req req;
	struct iofault_device *idev;
	struct iofault_queue *q;
	struct file *file;
	int fd, err;

	if (copy_from_user(&req, ureq, sizeof(req)))
		return -EFAULT;
	if (req.size != sizeof(req) || req.flags ||
	    !iofault_name_valid(req.dev, sizeof(req.dev), false))
		return -EINVAL;

	/* An open() that cannot get its buffers fails with ENOMEM, quietly. */
	q = kvzalloc(sizeof(*q), GFP_KERNEL | __GFP_NOWARN);
	if (!q)
		return -ENOMEM;
	INIT_LIST_HEAD(&q->faults);
	init_waitqueue_head(&q->wait);
	mutex_init(&q->io_lock);

	mutex_lock(&iofault_lock);
	idev = iofault_find_device(req.dev);
	if (idev)
		get_device(&idev->dev);
	mutex_unlock(&iofault_lock);
	if (!idev) {
		kvfree(q);
		return -ENODEV;
	}
	q->idev = idev;

	mutex_lock(&idev->lock);
	err = idev->tracker.dead ? -ENODEV : idev->queue ? -EBUSY : 0;
	if (!err)
		idev->queue = q;
	mutex_unlock(&idev->lock);
	if (err) {
		put_device(&idev->dev);
		kvfree(q);
		return err;
	}

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		iofault_queue_destroy(q);
		return fd;
	}
	file = anon_inode_getfile("[iofault]", &iofault_queue_fops, q, O_RDWR);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		iofault_queue_destroy(q);
		return PTR_ERR(file);
	}
	fd_install(fd, file);
	return fd;
}

/* IOFAULT_IOC_ADOPT and IOFAULT_IOC_RELEASE. */
static long iofault_adopt_ioctl(unsigned int cmd,
				struct iofault_adopt_req __user *ureq)
{
	struct iofault_adopt_req req;
	u32 pasid;

	if (copy_from_user(&req, ureq, sizeof(req)))
		return -EFAULT;
	if (req.size != sizeof(req) || req.reserved ||
	    (req.flags & ~IOFAULT_ADOPT_PASID) ||
	    (!(req.flags & IOFAULT_ADOPT_PASID) && req.pasid) ||
	    ((req.flags & IOFAULT_ADOPT_PASID) &&
	     (!req.pasid || req.pasid >= 1U << 20)) ||	/* PCIe: 20 bits */
	    !iofault_name_valid(req.dev, sizeof(req.dev), false))
		return -EINVAL;
	pasid = req.flags & IOFAULT_ADOPT_PASID ? req.pasid : IOMMU_NO_PASID;
	if (cmd == IOFAULT_IOC_ADOPT)
		return iofault_adopt(req.dev, pasid);
	return iofault_release(req.dev, pasid);
}

static long iofault_ctl_ioctl(struct file *file, unsigned int cmd,
			      unsigned long arg)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	switch (cmd) {
	case IOFAULT_IOC_FAULT_FD:
		return iofault_queue_open((void __user *)arg);
	case IOFAULT_IOC_ADOPT:
	case IOFAULT_IOC_RELEASE:
		return iofault_adopt_ioctl(cmd, (void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations iofault_ctl_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = iofault_ctl_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice iofault_ctl_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "iofault",
	.fops = &iofault_ctl_fops,
	.mode = 0600,
};

int iofault_queue_init(void)
{
	return misc_register(&iofault_ctl_dev);
}

void iofault_queue_exit(void)
{
	misc_deregister(&iofault_ctl_dev);
}
