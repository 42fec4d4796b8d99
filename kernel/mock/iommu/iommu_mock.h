/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iommu_mock: a mock IOMMU registered with the kernel's own IOMMU core.
 *
 * Its devices (platform devices sva0, sva1...) sit in IOMMU groups, take
 * paging domains per device and per PASID, and report page requests
 * through iommu_report_device_fault(), so that faults travel the core's
 * real path (drivers/iommu/io-pgfault.c) to the iopf handler of the
 * domain attached. A process binds its address space to a PASID of a
 * device, either with this module's own handler (which, like the SVA
 * handler, resolves faults in the bound mm) or through iofault's attach
 * API; then asks the device to access its memory. The mock's
 * page_response() is the hardware: it records every answer and checks it
 * against the groups the device issued.
 *
 * main.c: the module, the IOMMU driver and its devices; bind.c: binding
 * an mm; hw.c: the device's accesses and the hardware's record of them;
 * debugfs.c: the control files.
 */
#ifndef _IOMMU_MOCK_H
#define _IOMMU_MOCK_H

#include <linux/iofault.h>
#include <linux/iommu.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/xarray.h>

#define IMOCK_NAME_LEN		16
#define IMOCK_PASID_BITS	8	/* the devices' "pasid-num-bits" */
#define IMOCK_GRPID_LIMIT	512	/* group indexes have 9 bits (PCIe PRI) */
#define IMOCK_LOG_LEN		4096	/* answers kept in hwlog */
#define IMOCK_PRIV_KEY		0x10fa0171c0de5eedULL	/* priv[1] = priv[0] ^ key */

/* A group the device issued and the hardware waits an answer for. */
struct imock_issued {
	u32 pasid;		/* IOMMU_NO_PASID: none */
	u64 seq;		/* priv[0] of its requests */
};

/* An answer as the hardware received it. */
#define IMOCK_RESP_DUP		BIT(0)	/* its group was not outstanding */
#define IMOCK_RESP_MISMATCH	BIT(1)	/* PASID or private data not as issued */

struct imock_hwresp {
	u32 pasid;		/* IOMMU_NO_PASID: none */
	u32 grpid;
	u32 code;		/* enum iommu_page_response_code */
	u32 flags;
	u64 priv[2];
};

/* Counters; hwstats shows them, a write to hwlog clears them. */
struct imock_counters {
	u64 requests;		/* page requests the device sent */
	u64 hits;		/* pages it found mapped, no request needed */
	u64 issued;		/* groups that needed an answer */
	u64 answered;		/* answers to outstanding groups */
	u64 duplicate;		/* answers to no outstanding group */
	u64 mismatch;		/* answers not matching what was issued */
	u64 responses;		/* answers received */
	u64 codes[3];		/* of those, by enum iommu_page_response_code */
	u64 report_ns;		/* in iommu_report_device_fault(), summed */
	u64 stopped;		/* outstanding when their PASID stopped */
};

/**
 * struct imock_dev - one device behind the mock IOMMU
 * @pdev: the platform device
 * @index: N of the name
 * @name: svaN
 * @dir: its debugfs directory
 * @report_sem: read-held while the device reports, write-held while a
 *              domain is detached: a detach waits for reports in flight
 * @binds: bound address spaces, by PASID (IOMMU_NO_PASID for the device)
 * @dead: unplugged: the device issues nothing more
 * @lock: serialises the hardware's record below
 * @wq: writers wait here for a free group index, settle for answers
 * @busy: group indexes outstanding
 * @issued: what each outstanding group index was issued with
 * @grpid_next: where the device looks for a free index
 * @seq: groups issued since load, the private data's sequence number
 * @outstanding: bits set in @busy
 * @c: counters
 * @log: the last IMOCK_LOG_LEN answers
 * @log_next: where the next goes
 * @log_len: how many of @log are valid
 * @hold_lock: protects @held and @queued and @hold
 * @hold: the own handler keeps new groups on @held instead of queueing
 * @held: groups of own binds kept back (linked by iopf_group.node)
 * @queued: groups of own binds queued, their work not started yet
 */
struct imock_dev {
	struct platform_device *pdev;
	unsigned int index;
	char name[IMOCK_NAME_LEN];
	struct dentry *dir;

	struct rw_semaphore report_sem;
	struct xarray binds;
	bool dead;

	struct mutex lock;		/* the hardware record below */
	wait_queue_head_t wq;
	DECLARE_BITMAP(busy, IMOCK_GRPID_LIMIT);
	struct imock_issued issued[IMOCK_GRPID_LIMIT];
	u32 grpid_next;
	u64 seq;
	u32 outstanding;
	struct imock_counters c;
	struct imock_hwresp log[IMOCK_LOG_LEN];
	unsigned int log_next;
	unsigned int log_len;

	spinlock_t hold_lock;		/* @hold, @held, @queued */
	bool hold;
	struct list_head held;
	struct list_head queued;
};

/* How a bind's faults are handled. */
enum imock_via {
	IMOCK_VIA_OWN,		/* this module's iopf handler */
	IMOCK_VIA_IOFAULT,	/* iofault_attach() */
};

/* What the own handler does with a group. */
enum imock_handler {
	IMOCK_HANDLER_MM,	/* resolves it in the bound mm, from a work */
	IMOCK_HANDLER_NOW,	/* answers it SUCCESS at once, in the handler */
};

/**
 * struct imock_bind - an address space bound to a device or one PASID
 * @handle: the attach handle (own); the iopf handler finds the bind by it
 * @att: the attachment (iofault)
 * @md: the device
 * @pasid: the PASID, IOMMU_NO_PASID for the device itself
 * @via: enum imock_via
 * @handler: enum imock_handler (own)
 * @mm: the bound address space (mmgrab'ed)
 * @pid: the process that bound it, for the bind file
 * @domain: the paging domain attached
 * @domain_users: binds attached to @domain (own binds may share one);
 *                the last to go frees it
 * @share: the PASID whose domain this bind shares, or U32_MAX
 * @detach: iofault_detach() (iofault), from symbol_get()
 */
struct imock_bind {
	struct iommu_attach_handle handle;
	struct iofault_attach att;
	struct imock_dev *md;
	u32 pasid;
	enum imock_via via;
	enum imock_handler handler;
	struct mm_struct *mm;
	pid_t pid;
	struct iommu_domain *domain;
	refcount_t *domain_users;
	u32 share;
	void (*detach)(struct iofault_attach *att);
};

/*
 * The core's, exported in namespace IOMMUFD_INTERNAL but declared only in
 * its private drivers/iommu/iommu-priv.h.
 */
int iommu_attach_group_handle(struct iommu_domain *domain,
			      struct iommu_group *group,
			      struct iommu_attach_handle *handle);
void iommu_detach_group_handle(struct iommu_domain *domain,
			       struct iommu_group *group);

/* main.c */
int imock_unplug(const char *name);
ssize_t imock_unplugged_read(char __user *ubuf, size_t len, loff_t *ppos);

/* bind.c */
int imock_bind(struct imock_dev *md, u32 pasid, enum imock_via via,
	       enum imock_handler handler, u32 share);
int imock_unbind(struct imock_dev *md, u32 pasid);
void imock_unbind_all(struct imock_dev *md);
void imock_abandon(struct imock_dev *md);
void imock_set_hold(struct imock_dev *md, bool hold);
void imock_show_binds(struct seq_file *m, struct imock_dev *md);

/* hw.c */
void imock_hw_init(struct imock_dev *md);
int imock_access(struct imock_dev *md, u32 pasid, u64 addr, u32 pages,
		 bool write, bool group, bool always);
void imock_page_response(struct device *dev, struct iopf_fault *evt,
			 struct iommu_page_response *msg);
void imock_hw_clear(struct imock_dev *md);
void imock_hw_stop(struct imock_dev *md, u32 pasid);
void imock_hw_show_log(struct seq_file *m, struct imock_dev *md);
void imock_hw_show_stats(struct seq_file *m, struct imock_dev *md);
const char *imock_code_name(u32 code);
bool imock_settled(struct imock_dev *md);

/* debugfs.c */
void imock_debugfs_create(struct imock_dev *md, struct dentry *parent);
void imock_debugfs_create_root(struct dentry *root);

#endif /* _IOMMU_MOCK_H */
