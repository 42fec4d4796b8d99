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
#include <linux/slab.h>
#include <linux/timekeeping.h>
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

/* Forward @g to the device's open queue. Caller holds idev->lock. */
void iofault_queue_forward(struct iofault_device *idev, struct iofault_group *g)
{
	struct iofault_queue *q = idev->queue;

	g->owner = q;
	list_add_tail(&g->qnode, &q->faults);
	trace_iofault_forward(idev->id, iofault_group_cookie(&idev->tracker, g),
			      g->last.pasid, g->last.grpid);
	wake_up_interruptible_poll(&q->wait, EPOLLIN | EPOLLRDNORM);
}

/* The device is going away: wake readers so they see the end. */
void iofault_queue_device_gone(struct iofault_device *idev)
{
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
	size_t n;
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
	/* The groups stay outstanding if this fails: their timeout answers. */
	if (copy_to_user(ubuf, q->buf.records, n * sizeof(q->buf.records[0]))) {
		mutex_unlock(&q->io_lock);
		return -EFAULT;
	}
out:
	mutex_unlock(&q->io_lock);
	return n * sizeof(struct iofault_fault_record);
}

/*
 * Every response must be acceptable, and no group named twice. A response
 * that only came too late (the timeout answered its group) is no mistake
 * of the handler's: it is skipped, and counted when applied.
 */
static int iofault_queue_check(struct iofault_queue *q, size_t n)
{
	struct iofault_tracker *t = &q->idev->tracker;
	struct iofault_fault_response *r = q->buf.responses;
	enum iofault_reject_reason why;
	struct iofault_group *g;
	size_t i, j;
	int err;

	if (t->dead)
		return -ENODEV;
	for (i = 0; i < n; i++) {
		if (r[i].reserved)
			return -EINVAL;
		err = iofault_tracker_check(t, r[i].cookie, r[i].pasid,
					    r[i].grpid, r[i].code, q, &g, &why);
		if (err == -ETIMEDOUT)
			continue;
		if (err) {
			iofault_tracker_reject(t, r[i].cookie, why, err);
			return -EINVAL;
		}
		for (j = 0; j < i; j++) {
			if (r[j].cookie == r[i].cookie) {
				iofault_tracker_reject(t, r[i].cookie,
						       IOFAULT_REJECT_DUPLICATE,
						       -EALREADY);
				return -EINVAL;
			}
		}
	}
	return 0;
}

static ssize_t iofault_queue_write(struct file *file, const char __user *ubuf,
				   size_t len, loff_t *ppos)
{
	struct iofault_queue *q = file->private_data;
	struct iofault_device *idev = q->idev;
	struct iofault_fault_response *r = q->buf.responses;
	size_t n = len / sizeof(*r), i;
	int err;
	u64 now;

	if (!n || len % sizeof(*r) || n > IOFAULT_BATCH_MAX)
		return -EINVAL;
	mutex_lock(&q->io_lock);
	if (copy_from_user(r, ubuf, len)) {
		err = -EFAULT;
		goto out;
	}
	/* All or nothing: the batch is checked whole under the lock first. */
	mutex_lock(&idev->lock);
	err = iofault_queue_check(q, n);
	if (!err) {
		now = ktime_get_ns();
		for (i = 0; i < n; i++)
			iofault_tracker_respond(&idev->tracker, r[i].cookie,
						r[i].pasid, r[i].grpid,
						r[i].code, q, now);
	}
	mutex_unlock(&idev->lock);
out:
	mutex_unlock(&q->io_lock);
	return err ?: len;
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

/* Close the queue: answer the groups it still owns, and free it. */
static void iofault_queue_destroy(struct iofault_queue *q)
{
	struct iofault_device *idev = q->idev;

	mutex_lock(&idev->lock);
	iofault_tracker_answer_owned(&idev->tracker, q, IOFAULT_RESP_INVALID,
				     IOFAULT_END_CLOSE, ktime_get_ns());
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
