/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iofault: the in-kernel API for IOMMU drivers.
 *
 * A driver registers each device that can fault, reports every page request
 * and unrecoverable fault it receives, and answers page requests in its
 * page_response() callback, which iofault calls exactly once per group with
 * the fault the driver reported (private data included) and the code.
 */
#ifndef _LINUX_IOFAULT_H
#define _LINUX_IOFAULT_H

#include <linux/types.h>
#include <uapi/linux/iofault.h>

struct device;
struct module;
struct iofault_device;

/* Kinds of fault a driver reports. */
enum iofault_fault_type {
	IOFAULT_FAULT_PAGE_REQ = 1,	/* recoverable: needs a response */
	IOFAULT_FAULT_DMA_UNRECOV = 2,	/* unrecoverable: no response */
};

/**
 * struct iofault_fault - one fault as the hardware reported it
 * @type: an enum iofault_fault_type
 * @flags: IOFAULT_PR_* flags of a page request
 * @pasid: process address space id, valid with IOFAULT_PR_PASID_VALID
 * @grpid: page request group index
 * @perm: IOFAULT_PERM_* access the device attempted
 * @rid: which requester of the device sent it, when one iofault device
 *       stands for several (a PCI requester ID, or any number the driver
 *       picks); 0 otherwise. Part of the group's key with @pasid and
 *       @grpid: groups of different requesters never mix.
 * @addr: faulting I/O virtual address (page aligned for page requests)
 * @private_data: driver or device data; returned to page_response() and
 *                never shown to policies or user space
 */
struct iofault_fault {
	u32 type;
	u32 flags;
	u32 pasid;
	u32 grpid;
	u32 perm;
	u32 rid;
	u64 addr;
	u64 private_data[2];
};

/**
 * struct iofault_page_response - the answer to a page request group
 * @pasid: PASID of the group
 * @grpid: group index
 * @code: an enum iofault_resp_code
 */
struct iofault_page_response {
	u32 pasid;
	u32 grpid;
	u32 code;
};

/* A resolver's answer meaning "I will answer with iofault_respond()". */
#define IOFAULT_RESOLVE_LATER	0x100

/**
 * struct iofault_driver_ops - what a driver provides for its devices
 * @owner: the driver's module
 * @page_response: send @resp to the hardware for the group whose last
 *                 request was @fault (private data included). Called
 *                 exactly once per group, with the device's fault lock
 *                 held: it must not call back into iofault. May sleep.
 * @resolve: optional; make the access of @fault succeed (map the page).
 *           Called from a worker, once per request of a group that a
 *           policy resolves, in arrival order, the last request last; may
 *           sleep. Returns an enum iofault_resp_code; the first that is not
 *           IOFAULT_RESP_SUCCESS answers the group. For the last request it
 *           may return IOFAULT_RESOLVE_LATER and answer the group later
 *           with iofault_respond() and @cookie.
 */
struct iofault_driver_ops {
	struct module *owner;
	int (*page_response)(struct iofault_device *idev,
			     const struct iofault_fault *fault,
			     const struct iofault_page_response *resp);
	int (*resolve)(struct iofault_device *idev,
		       const struct iofault_fault *fault, u64 cookie);
};

/**
 * struct iofault_device_info - a device to register
 * @name: unique name, at most IOFAULT_NAME_LEN - 1 characters of
 *        [A-Za-z0-9_.-]
 * @parent: the underlying device, or NULL
 * @ops: driver callbacks, which must outlive the registration
 * @drvdata: the driver's own pointer, see iofault_device_drvdata()
 * @quota: outstanding groups before new ones are answered at once
 *         (0: the default, 1024; at most 65536); settable later in sysfs
 * @timeout_ms: how long a group may stay outstanding (0: the default,
 *              5000 ms; at most 3600000); settable later in sysfs, where a
 *              new value applies to the groups already outstanding too
 *
 * The size of the hardware's own queue is a good quota: no more can be
 * outstanding without the device misbehaving.
 */
struct iofault_device_info {
	const char *name;
	struct device *parent;
	const struct iofault_driver_ops *ops;
	void *drvdata;
	u32 quota;
	u32 timeout_ms;
};

/**
 * iofault_device_register() - make a device's faults go through iofault
 * @info: the device
 *
 * The device appears as /sys/class/iofault/<name> with a stable id.
 * Context: process, may sleep.
 * Return: the new device, or ERR_PTR(-EEXIST) if the name is taken,
 * -EINVAL for a bad name or ops, -ENOMEM.
 */
struct iofault_device *
iofault_device_register(const struct iofault_device_info *info);

/**
 * iofault_device_unregister() - remove a device
 * @idev: a device from iofault_device_register()
 *
 * Detaches the device's policy (recording why) and answers every group
 * still outstanding. The caller must not report faults for @idev once this
 * starts. Context: process, may sleep.
 */
void iofault_device_unregister(struct iofault_device *idev);

/**
 * iofault_report() - report a fault of a registered device
 * @idev: the device
 * @fault: the fault, copied by iofault before this returns
 *
 * A page request group is answered through the driver's page_response()
 * exactly once, possibly before this returns: by its policy's verdict, its
 * resolver, a user-space handler, its timeout, or the device's removal.
 * Past the device's quota of outstanding groups, a group is answered at
 * once (IOFAULT_RESP_INVALID).
 * Context: process, may sleep.
 * Return: 0, -EINVAL for a malformed fault, -ENODEV if the device is being
 * removed (its page requests are still answered).
 */
int iofault_report(struct iofault_device *idev,
		   const struct iofault_fault *fault);

/**
 * iofault_respond() - answer a group a resolver deferred
 * @idev: the device
 * @cookie: the cookie the resolver was given
 * @pasid: the group's PASID
 * @grpid: the group's index
 * @code: an enum iofault_resp_code
 *
 * Context: process, may sleep.
 * Return: 0 once the hardware got @code, else the response is refused,
 * counted, and nothing reaches the hardware: -ENOENT (no such group),
 * -EALREADY (answered already), -EPROTO (wrong PASID or index), -EXDEV
 * (another device's cookie), -EINVAL (bad code), -ETIMEDOUT (the timeout
 * answered it), -ENODEV (the device is being removed), -EACCES (the group
 * went to a user-space handler).
 */
int iofault_respond(struct iofault_device *idev, u64 cookie, u32 pasid,
		    u32 grpid, u32 code);

/**
 * iofault_discard_partial() - drop the requests of incomplete groups
 * @idev: the device
 *
 * For a driver whose hardware lost or answered requests itself (a page
 * request queue overflow): the groups those requests belonged to cannot
 * complete as reported, so the requests held for them are dropped (and
 * counted). As the IOMMU core's iopf_queue_discard_partial().
 * Context: process, may sleep.
 */
void iofault_discard_partial(struct iofault_device *idev);

/**
 * iofault_device_drvdata() - the driver's pointer given at registration
 * @idev: the device
 */
void *iofault_device_drvdata(const struct iofault_device *idev);

/**
 * iofault_device_id() - the device's stable id, as shown in sysfs
 * @idev: the device
 */
u32 iofault_device_id(const struct iofault_device *idev);

/*
 * Behind the IOMMU core: iofault as the iopf handler of a domain.
 *
 * A kernel user that attaches a paging domain to a device (or to one PASID
 * of it) through iofault gets the groups the core delivers for that
 * attachment decided by iofault's policies, tracked (quota, timeout,
 * exactly one answer) and answered with iopf_group_response(). The
 * attachment appears as an iofault device named after the device, with
 * ".pasid<N>" appended for a PASID; a policy's RESOLVE verdict runs the
 * user's resolver.
 */
struct iommu_domain;
struct iommu_fault_page_request;
struct iofault_attach;

/**
 * struct iofault_attach_ops - a kernel user's side of an attachment
 * @owner: the user's module, pinned while attached
 * @resolve: make one request of a group succeed (map the page). Called
 *           from iofault's worker, once per request of a group a policy
 *           resolves, in arrival order, the last one last; may sleep.
 *           Returns an enum iofault_resp_code; the first that is not
 *           IOFAULT_RESP_SUCCESS answers the group. @req is iofault's copy
 *           of the request, without the driver's private data.
 */
struct iofault_attach_ops {
	struct module *owner;
	int (*resolve)(struct iofault_attach *att,
		       const struct iommu_fault_page_request *req);
};

/**
 * struct iofault_attach - one attachment through iofault
 * @ops: set by the user before iofault_attach()
 * @priv: the user's own pointer
 *
 * The rest is iofault's: the user embeds this structure and must not touch
 * it between iofault_attach() and the return of iofault_detach().
 */
struct iofault_attach {
	const struct iofault_attach_ops *ops;
	void *priv;
	struct iofault_source *src;
};

/**
 * iofault_attach() - attach @domain to @dev, or to one PASID of it, with
 *                    iofault as the domain's iopf handler
 * @att: the attachment, @ops set
 * @domain: a paging domain with no iopf_handler (or attached through
 *          iofault already); its iopf_handler is set here, and put back
 *          as it was if the attachment fails
 * @dev: a device behind an IOMMU, with IOPF enabled
 * @pasid: a PASID, or IOMMU_NO_PASID for the device itself
 *
 * Context: process, may sleep.
 * Return: 0, -EINVAL for bad arguments or a name too long, -EBUSY if the
 * domain has another iopf handler, -EEXIST if iofault already handles
 * that device or PASID, -ENODEV if the device is being removed, -ENXIO
 * if it has no IOMMU group, -ENOMEM, or the core's error attaching the
 * domain.
 */
int iofault_attach(struct iofault_attach *att, struct iommu_domain *domain,
		   struct device *dev, u32 pasid);

/**
 * iofault_detach() - detach an attachment made with iofault_attach()
 * @att: the attachment
 *
 * Answers every group still outstanding for it (IOFAULT_RESP_INVALID),
 * waits for its resolver calls to end, then detaches the domain. The caller
 * must have stopped the device's accesses through the domain, as with any
 * detach. Context: process, may sleep.
 */
void iofault_detach(struct iofault_attach *att);

#endif /* _LINUX_IOFAULT_H */
