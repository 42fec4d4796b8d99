/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * iofault user ABI: names, verdicts, response codes and fault fields shared
 * by the module, its tools and its policies.
 */
#ifndef _UAPI_LINUX_IOFAULT_H
#define _UAPI_LINUX_IOFAULT_H

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

/* Why a response was refused; each reason has its own errno. */
enum iofault_reject_reason {
	IOFAULT_REJECT_UNKNOWN = 0,	/* ENOENT: no such group, or long gone */
	IOFAULT_REJECT_DUPLICATE,	/* EALREADY: the group was answered */
	IOFAULT_REJECT_WRONG_PASID,	/* EPROTO: PASID or group index differ */
	IOFAULT_REJECT_WRONG_DEVICE,	/* EXDEV: the cookie is another device's */
	IOFAULT_REJECT_BAD_CODE,	/* EINVAL: not an enum iofault_resp_code */
	IOFAULT_REJECT_TIMED_OUT,	/* ETIMEDOUT: the timeout answered it */
	IOFAULT_REJECT_REMOVED,		/* ENODEV: the device is gone */
	IOFAULT_REJECT_NOT_OWNER,	/* EACCES: the group is someone else's */
	IOFAULT_REJECT_NR,
};

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

#endif /* _UAPI_LINUX_IOFAULT_H */
