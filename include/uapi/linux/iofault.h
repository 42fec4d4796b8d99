/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * iofault user ABI: names, verdicts, response codes and fault fields shared
 * by the module, its tools and its policies.
 */
#ifndef _UAPI_LINUX_IOFAULT_H
#define _UAPI_LINUX_IOFAULT_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* Length of a device or policy name, including the terminating NUL. */
#define IOFAULT_NAME_LEN	32

/* What a policy decides for a fault group. */
enum iofault_verdict {
	IOFAULT_VERDICT_DEFAULT = 0,	/* let the next policy in line decide */
	IOFAULT_VERDICT_RESOLVE = 1,	/* run the device's resolver */
	IOFAULT_VERDICT_FORWARD = 2,	/* queue to the device's fault fd */
	IOFAULT_VERDICT_FAIL = 3,	/* answer at once with a failure code */
	IOFAULT_VERDICT_NR,
};

/* The answer a page request group gets (PCIe PRG response semantics). */
enum iofault_resp_code {
	IOFAULT_RESP_SUCCESS = 0,	/* the page is mapped: retry the access */
	IOFAULT_RESP_INVALID = 1,	/* this request cannot be served */
	IOFAULT_RESP_FAILURE = 2,	/* stop issuing page requests */
	IOFAULT_RESP_NR,
};

/*
 * Why a response was refused; each reason has its own errno, the one a
 * kernel responder and the fault descriptor's write() return. TIMED_OUT and
 * STALE are late answers, not mistakes: the fault descriptor skips them.
 */
enum iofault_reject_reason {
	IOFAULT_REJECT_UNKNOWN = 0,	/* ENOENT: no such group was ever made */
	IOFAULT_REJECT_DUPLICATE,	/* EALREADY: the group was answered */
	IOFAULT_REJECT_WRONG_PASID,	/* EPROTO: PASID or group index differ */
	IOFAULT_REJECT_WRONG_DEVICE,	/* EXDEV: the cookie is another device's */
	IOFAULT_REJECT_BAD_CODE,	/* EINVAL: not an enum iofault_resp_code,
					 * or a reserved field is not 0
					 */
	IOFAULT_REJECT_TIMED_OUT,	/* ETIMEDOUT: the timeout answered it */
	IOFAULT_REJECT_REMOVED,		/* ENODEV: the device is gone */
	IOFAULT_REJECT_NOT_OWNER,	/* EACCES: the group is someone else's */
	IOFAULT_REJECT_STALE,		/* ESTALE: the group was answered and
					 * its cookie's slot went to a newer
					 * group: how it ended is forgotten
					 */
	IOFAULT_REJECT_NR,
};

/* What a device can do with a group now (struct iofault_ctx caps). */
enum iofault_caps {
	IOFAULT_CAP_RESOLVE = 1U << 0,	/* its driver has a resolver */
	IOFAULT_CAP_FORWARD = 1U << 1,	/* a user-space handler listens */
};

/* Per-device counters a policy can read (kfunc iofault_dev_stat). */
enum iofault_stat {
	IOFAULT_STAT_OUTSTANDING = 0,	/* groups waiting for an answer */
	IOFAULT_STAT_GROUPS,		/* groups admitted */
	IOFAULT_STAT_RESOLVED,		/* groups given to the resolver */
	IOFAULT_STAT_FORWARDED,		/* groups given to user space */
	IOFAULT_STAT_FAILED,		/* groups failed by a verdict */
	IOFAULT_STAT_TIMEOUTS,		/* groups answered by the timeout */
	IOFAULT_STAT_QUOTA,		/* groups answered at once: quota */
	IOFAULT_STAT_REJECTED,		/* responses refused, all reasons */
	IOFAULT_STAT_NR,
};

/* Why a policy stopped deciding (its exit callback and sysfs say). */
enum iofault_exit_kind {
	IOFAULT_EXIT_NONE = 0,
	IOFAULT_EXIT_DETACHED,		/* its link was detached or released */
	IOFAULT_EXIT_REPLACED,		/* another policy took its place */
	IOFAULT_EXIT_INVALID_VERDICT,	/* ejected: returned no valid verdict */
	IOFAULT_EXIT_TIMEOUTS,		/* ejected: its forwarded groups time out */
	IOFAULT_EXIT_DEVICE_REMOVED,	/* its device went away */
	IOFAULT_EXIT_INIT_FAILED,	/* its init callback refused to start */
	IOFAULT_EXIT_NR,
};

#define IOFAULT_EXIT_MSG_LEN	128

/*
 * Page request flags (as the IOMMU core's iommu_fault_page_request).
 * Enums rather than macros: policies see them in the module's BTF.
 */
enum iofault_pr_flags {
	IOFAULT_PR_PASID_VALID = 1U << 0,
	IOFAULT_PR_LAST_PAGE = 1U << 1,
	IOFAULT_PR_PRIV_DATA = 1U << 2,
	IOFAULT_PR_RESP_NEEDS_PASID = 1U << 3,
};

/* Access permissions of a faulting request. */
enum iofault_perm {
	IOFAULT_PERM_READ = 1U << 0,
	IOFAULT_PERM_WRITE = 1U << 1,
	IOFAULT_PERM_EXEC = 1U << 2,
	IOFAULT_PERM_PRIV = 1U << 3,
};

/*
 * Forwarding to user space. A handler (a VMM, a user-space pager) opens a
 * device's fault descriptor with IOFAULT_IOC_FAULT_FD on /dev/iofault.
 *
 * read() returns whole records of the groups its device's policy forwards,
 * oldest first; EINVAL for a buffer smaller than one record, 0 (end of
 * file) once the device is gone. A buffer the kernel cannot write loses
 * nothing: the records not copied whole go back to the head of the queue,
 * and read() returns the bytes of those copied, or EFAULT if none was.
 *
 * write() takes whole responses (EINVAL for no, a partial or more than
 * IOFAULT_BATCH_MAX responses; EFAULT for a bad buffer: none applied) and
 * applies them in order up to the first one refused. It returns the bytes
 * of the responses before that one, or, when the first is refused, the
 * errno of its enum iofault_reject_reason: so a short count names the
 * refused response (count / sizeof(struct iofault_fault_response)), and
 * that response written again alone says why. Refused: a bad code or a
 * reserved field set (EINVAL), an unknown cookie (ENOENT), a group answered
 * already, or named twice (EALREADY), another PASID or group index
 * (EPROTO), another device's cookie (EXDEV), a group that is not this
 * descriptor's (EACCES), any response once the device is gone (ENODEV).
 * Late responses are not refused but skipped, and counted: a group the
 * timeout answered (rejected_timed_out), or one answered so long ago that
 * its cookie's slot went to a newer group (rejected_stale).
 *
 * poll() says when records wait (EPOLLIN) and when the device is gone
 * (EPOLLHUP). Only that descriptor can answer its groups; closing it
 * answers those still outstanding with IOFAULT_RESP_INVALID. Its fdinfo
 * says "iofault-device:", "queued:" (forwarded, not read) and "held:"
 * (read, not answered).
 */
#define IOFAULT_RECORD_VERSION	1
#define IOFAULT_BATCH_MAX	256	/* records or responses a call */

struct iofault_fault_record {
	__u16 size;		/* sizeof(struct iofault_fault_record) */
	__u16 version;		/* IOFAULT_RECORD_VERSION */
	__u32 dev_id;
	__u64 cookie;		/* names the group in the response */
	__u32 flags;		/* enum iofault_pr_flags of the last request */
	__u32 pasid;
	__u32 grpid;
	__u32 perm;		/* enum iofault_perm */
	__u64 addr;		/* address of the last request */
	__u32 npages;		/* requests in the group */
	__u32 reserved;
};

struct iofault_fault_response {
	__u64 cookie;		/* from the record */
	__u32 pasid;		/* the record's, checked */
	__u32 grpid;		/* the record's, checked */
	__u32 code;		/* enum iofault_resp_code */
	__u32 reserved;		/* must be 0 */
};

struct iofault_fault_fd_req {
	__u32 size;		/* sizeof(struct iofault_fault_fd_req) */
	__u32 flags;		/* 0 */
	char dev[IOFAULT_NAME_LEN];	/* the device's name */
};

/* Returns the new descriptor (O_CLOEXEC), or -1 with errno set. */
#define IOFAULT_IOC_FAULT_FD	_IOW('F', 0x80, struct iofault_fault_fd_req)

/*
 * Behind the IOMMU core: put iofault in front of the iopf handler of the
 * domain attached to a device (a PCI or platform device, by its kernel
 * name) or to one PASID of it (IOFAULT_ADOPT_PASID), or put the original
 * back. The adopted domain gets an iofault device named "DEV" or
 * "DEV.pasidN"; its policy decides, and RESOLVE hands a group to the
 * domain's own handler.
 */
#define IOFAULT_ADOPT_PASID	(1U << 0)

struct iofault_adopt_req {
	__u32 size;		/* sizeof(struct iofault_adopt_req) */
	__u32 flags;		/* IOFAULT_ADOPT_PASID */
	__u32 pasid;		/* with IOFAULT_ADOPT_PASID */
	__u32 reserved;		/* 0 */
	char dev[IOFAULT_NAME_LEN];	/* the device's kernel name */
};

#define IOFAULT_IOC_ADOPT	_IOW('F', 0x81, struct iofault_adopt_req)
#define IOFAULT_IOC_RELEASE	_IOW('F', 0x82, struct iofault_adopt_req)

#endif /* _UAPI_LINUX_IOFAULT_H */
