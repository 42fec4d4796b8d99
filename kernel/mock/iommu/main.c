// SPDX-License-Identifier: GPL-2.0
/*
 * iommu_mock: the module, the IOMMU driver and its devices.
 *
 * The IOMMU registers with the core under a software node of its own;
 * each device gets a fwspec naming that node before it is added to the
 * platform bus, so the core's bus notifier probes it with this driver
 * (and no other IOMMU claims it). Its default domain is an identity
 * domain; paging domains are accepted per device and per PASID and map
 * nothing: what a device may access is decided by the page requests'
 * answers (see bind.c). Page requests go through an iopf queue, enabled
 * per device with IOMMU_DEV_FEAT_IOPF.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/property.h>
#include <linux/slab.h>

#include "iommu_mock.h"

#define IMOCK_DEVS_MAX		64
#define IMOCK_UNPLUGGED_LOG	4096	/* bytes of the unplugged devices' records */

static unsigned int ndev = 2;
module_param(ndev, uint, 0444);
MODULE_PARM_DESC(ndev, "number of devices sva0, sva1... (default 2)");

static struct iommu_device imock_iommu;
static struct iopf_queue *imock_iopfq;
static struct dentry *imock_root;
static struct imock_dev *imock_devs[IMOCK_DEVS_MAX];
static unsigned int imock_ndevs;

static int imock_attach_dev(struct iommu_domain *domain, struct device *dev)
{
	return 0;
}

/* The default domain: the device accesses memory untranslated. */
static struct iommu_domain imock_identity_domain = {
	.type = IOMMU_DOMAIN_IDENTITY,
	.ops = &(const struct iommu_domain_ops) {
		.attach_dev = imock_attach_dev,
	},
};

static int imock_set_dev_pasid(struct iommu_domain *domain,
			       struct device *dev, ioasid_t pasid,
			       struct iommu_domain *old)
{
	return 0;
}

static void imock_remove_dev_pasid(struct device *dev, ioasid_t pasid,
				   struct iommu_domain *domain)
{
}

static void imock_domain_free(struct iommu_domain *domain)
{
	kfree(domain);
}

static const struct iommu_domain_ops imock_paging_ops = {
	.attach_dev = imock_attach_dev,
	.set_dev_pasid = imock_set_dev_pasid,
	.free = imock_domain_free,
};

static struct iommu_domain *imock_domain_alloc_paging(struct device *dev)
{
	struct iommu_domain *domain = kzalloc(sizeof(*domain), GFP_KERNEL);

	return domain ?: ERR_PTR(-ENOMEM);
}

static struct iommu_device *imock_probe_device(struct device *dev)
{
	return &imock_iommu;
}

static int imock_def_domain_type(struct device *dev)
{
	return IOMMU_DOMAIN_IDENTITY;
}

static int imock_dev_enable_feat(struct device *dev,
				 enum iommu_dev_features feat)
{
	if (feat != IOMMU_DEV_FEAT_IOPF)
		return -ENODEV;
	return iopf_queue_add_device(imock_iopfq, dev);
}

static int imock_dev_disable_feat(struct device *dev,
				  enum iommu_dev_features feat)
{
	if (feat != IOMMU_DEV_FEAT_IOPF)
		return -ENODEV;
	/* Answers the groups still pending (INVALID). */
	iopf_queue_remove_device(imock_iopfq, dev);
	return 0;
}

static const struct iommu_ops imock_ops = {
	.owner = THIS_MODULE,
	.identity_domain = &imock_identity_domain,
	.domain_alloc_paging = imock_domain_alloc_paging,
	.probe_device = imock_probe_device,
	.device_group = generic_device_group,
	.def_domain_type = imock_def_domain_type,
	.dev_enable_feat = imock_dev_enable_feat,
	.dev_disable_feat = imock_dev_disable_feat,
	.page_response = imock_page_response,
	.remove_dev_pasid = imock_remove_dev_pasid,
	.default_domain_ops = &imock_paging_ops,
	.pgsize_bitmap = SZ_4K,
};

static const struct property_entry imock_dev_props[] = {
	PROPERTY_ENTRY_U32("pasid-num-bits", IMOCK_PASID_BITS),
	{ }
};

/*
 * Give @dev, not added yet, a fwspec naming the mock IOMMU, so that the
 * core's bus notifier probes it with this driver when it is added.
 *
 * iommu_fwspec_init() does this, but it must be called with the core's
 * iommu_probe_device_lock held (lockdep says so), and that lock is not
 * exported: the firmware code (OF, ACPI) that calls it is built in. So the
 * per-device data is set up here as iommu_fwspec_init() leaves it: a
 * struct dev_iommu with its lock initialised, holding a fwspec with a
 * reference on the IOMMU's fwnode and no IDs. Both are kmalloc'ed, as the
 * core's own, because the core frees them (dev_iommu_free()) when it
 * releases the device or fails to probe it. Nobody else can see @dev yet.
 */
static int imock_fwspec_init(struct device *dev)
{
	struct dev_iommu *param = kzalloc(sizeof(*param), GFP_KERNEL);
	struct iommu_fwspec *fwspec = kzalloc(sizeof(*fwspec), GFP_KERNEL);

	if (!param || !fwspec) {
		kfree(param);
		kfree(fwspec);
		return -ENOMEM;
	}
	mutex_init(&param->lock);
	fwspec->iommu_fwnode = fwnode_handle_get(imock_iommu.fwnode);
	param->fwspec = fwspec;
	dev->iommu = param;
	return 0;
}

/* Undo imock_fwspec_init() if the core has not taken it over. */
static void imock_fwspec_free(struct device *dev)
{
	struct dev_iommu *param = dev->iommu;

	if (!param)
		return;
	dev->iommu = NULL;
	fwnode_handle_put(param->fwspec->iommu_fwnode);
	kfree(param->fwspec);
	kfree(param);
}

/* Add the platform device of @md behind the mock IOMMU. */
static int imock_add_pdev(struct imock_dev *md)
{
	struct iommu_group *group;
	struct device *dev;
	int err;

	md->pdev = platform_device_alloc(md->name, PLATFORM_DEVID_NONE);
	if (!md->pdev)
		return -ENOMEM;
	dev = &md->pdev->dev;
	dev_set_drvdata(dev, md);
	err = device_create_managed_software_node(dev, imock_dev_props, NULL);
	if (err)
		goto put;
	err = imock_fwspec_init(dev);
	if (err)
		goto swnode;
	err = platform_device_add(md->pdev);
	if (err) {
		imock_fwspec_free(dev);
		goto swnode;
	}
	group = iommu_group_get(dev);
	if (!group) {
		/* The core's notifier could not probe it. */
		err = -ENODEV;
		goto del;
	}
	iommu_group_put(group);
	err = iommu_dev_enable_feature(dev, IOMMU_DEV_FEAT_IOPF);
	if (err)
		goto del;
	return 0;

del:
	platform_device_unregister(md->pdev);
	return err;
swnode:
	device_remove_software_node(dev);
put:
	platform_device_put(md->pdev);
	return err;
}

static struct imock_dev *imock_dev_create(unsigned int index)
{
	struct imock_dev *md;
	int err;

	md = kvzalloc(sizeof(*md), GFP_KERNEL);
	if (!md)
		return ERR_PTR(-ENOMEM);
	md->index = index;
	snprintf(md->name, sizeof(md->name), "sva%u", index);
	init_rwsem(&md->report_sem);
	xa_init(&md->binds);
	imock_hw_init(md);
	spin_lock_init(&md->hold_lock);
	INIT_LIST_HEAD(&md->held);
	INIT_LIST_HEAD(&md->queued);
	err = imock_add_pdev(md);
	if (err) {
		kvfree(md);
		return ERR_PTR(err);
	}
	imock_debugfs_create(md, imock_root);
	return md;
}

/*
 * Take @md away, as hot-removal does: the device stops issuing requests,
 * its domains are detached, then the core answers what is still pending
 * and the device leaves the bus. Returns the hardware's counters and what
 * stayed unanswered in @unanswered.
 */
static struct imock_counters imock_dev_destroy(struct imock_dev *md,
					       u32 *unanswered)
{
	struct device *dev = &md->pdev->dev;
	struct imock_counters c;

	/* The device stops: waiting writers give up, settle returns. */
	WRITE_ONCE(md->dead, true);
	wake_up_all(&md->wq);
	/* Once the files are gone, no write runs: the device is silent. */
	debugfs_remove(md->dir);
	/*
	 * Groups of own binds not started yet are left to the core, then
	 * the domains go (waiting for the handlers that run), then the
	 * core answers the groups left pending.
	 */
	imock_abandon(md);
	imock_unbind_all(md);
	iommu_dev_disable_feature(dev, IOMMU_DEV_FEAT_IOPF);
	platform_device_unregister(md->pdev);
	mutex_lock(&md->lock);
	c = md->c;
	*unanswered = md->outstanding;
	mutex_unlock(&md->lock);
	xa_destroy(&md->binds);
	kvfree(md);
	return c;
}

/* What the hardware recorded of each unplugged device, for tests. */
static char *imock_unplugged_log;
static size_t imock_unplugged_len;
static DEFINE_MUTEX(imock_devs_lock);

/* Hot-remove device @name; its record goes to the unplugged log. */
int imock_unplug(const char *name)
{
	struct imock_dev *md = NULL;
	struct imock_counters c;
	unsigned int i;
	u32 unanswered;

	mutex_lock(&imock_devs_lock);
	for (i = 0; i < imock_ndevs && !md; i++) {
		if (!strcmp(imock_devs[i]->name, name)) {
			md = imock_devs[i];
			imock_devs[i] = imock_devs[--imock_ndevs];
		}
	}
	if (!md) {
		mutex_unlock(&imock_devs_lock);
		return -ENODEV;
	}
	c = imock_dev_destroy(md, &unanswered);
	imock_unplugged_len +=
		scnprintf(imock_unplugged_log + imock_unplugged_len,
			  IMOCK_UNPLUGGED_LOG - imock_unplugged_len,
			  "%s issued %llu answered %llu success %llu invalid %llu failure %llu unanswered %u duplicate %llu mismatch %llu\n",
			  name, c.issued, c.answered,
			  c.codes[IOMMU_PAGE_RESP_SUCCESS],
			  c.codes[IOMMU_PAGE_RESP_INVALID],
			  c.codes[IOMMU_PAGE_RESP_FAILURE], unanswered,
			  c.duplicate, c.mismatch);
	mutex_unlock(&imock_devs_lock);
	return 0;
}

ssize_t imock_unplugged_read(char __user *ubuf, size_t len, loff_t *ppos)
{
	ssize_t n;

	mutex_lock(&imock_devs_lock);
	n = simple_read_from_buffer(ubuf, len, ppos, imock_unplugged_log,
				    imock_unplugged_len);
	mutex_unlock(&imock_devs_lock);
	return n;
}

/*
 * Each device holds a reference on this module (the core takes it when
 * it probes the device), so the module unloads only once they are all
 * unplugged; this tears down what init built when init fails.
 */
static void imock_destroy_all(void)
{
	u32 unanswered;

	while (imock_ndevs)
		imock_dev_destroy(imock_devs[--imock_ndevs], &unanswered);
	debugfs_remove(imock_root);
	iommu_device_unregister(&imock_iommu);
	iommu_device_sysfs_remove(&imock_iommu);
	fwnode_remove_software_node(imock_iommu.fwnode);
	iopf_queue_free(imock_iopfq);
	kfree(imock_unplugged_log);
}

static int __init imock_init(void)
{
	struct imock_dev *md;
	int err;

	if (!ndev || ndev > IMOCK_DEVS_MAX)
		return -EINVAL;
	imock_unplugged_log = kzalloc(IMOCK_UNPLUGGED_LOG, GFP_KERNEL);
	if (!imock_unplugged_log)
		return -ENOMEM;
	imock_iopfq = iopf_queue_alloc(KBUILD_MODNAME);
	if (!imock_iopfq) {
		err = -ENOMEM;
		goto free_log;
	}
	imock_iommu.fwnode = fwnode_create_software_node(NULL, NULL);
	if (IS_ERR(imock_iommu.fwnode)) {
		err = PTR_ERR(imock_iommu.fwnode);
		goto free_queue;
	}
	imock_iommu.max_pasids = 1U << IMOCK_PASID_BITS;
	err = iommu_device_sysfs_add(&imock_iommu, NULL, NULL, "%s",
				     KBUILD_MODNAME);
	if (err)
		goto remove_node;
	err = iommu_device_register(&imock_iommu, &imock_ops, NULL);
	if (err)
		goto sysfs_remove;
	imock_root = debugfs_create_dir(KBUILD_MODNAME, NULL);
	imock_debugfs_create_root(imock_root);
	while (imock_ndevs < ndev) {
		md = imock_dev_create(imock_ndevs);
		if (IS_ERR(md)) {
			pr_err("cannot create sva%u: %pe\n", imock_ndevs, md);
			imock_destroy_all();
			return PTR_ERR(md);
		}
		imock_devs[imock_ndevs++] = md;
	}
	return 0;

sysfs_remove:
	iommu_device_sysfs_remove(&imock_iommu);
remove_node:
	fwnode_remove_software_node(imock_iommu.fwnode);
free_queue:
	iopf_queue_free(imock_iopfq);
free_log:
	kfree(imock_unplugged_log);
	return err;
}

static void __exit imock_exit(void)
{
	imock_destroy_all();
}

module_init(imock_init);
module_exit(imock_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("A mock IOMMU with page requests, behind the kernel's IOMMU core");
MODULE_IMPORT_NS(IOMMUFD_INTERNAL);
