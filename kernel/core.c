// SPDX-License-Identifier: GPL-2.0
/*
 * iofault core: the device registry and the fault path from a driver's
 * report to the hardware's response.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "iofault_core.h"

/* The device registry and every policy slot: see iofault_core.h. */
DEFINE_MUTEX(iofault_lock);
atomic_t iofault_nr_devices = ATOMIC_INIT(0);

/*
 * id -> device. Ids are allocated cyclically, so a stale id is not reused
 * soon, and fit in a cookie.
 */
static DEFINE_XARRAY_ALLOC1(iofault_devices);
static u32 iofault_next_id;

bool iofault_name_valid(const char *name, size_t size, bool may_be_empty)
{
	size_t len = strnlen(name, size), i;

	if (len == size || (!len && !may_be_empty))
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum(name[i]) && !strchr("_.:-", name[i]))
			return false;
	return true;
}

/**
 * iofault_find_device() - the registered device called @name
 * @name: a device name
 *
 * The device stays registered while the caller holds iofault_lock.
 *
 * Return: the device, or NULL if none is called @name.
 */
struct iofault_device *iofault_find_device(const char *name)
{
	struct iofault_device *idev;
	unsigned long id;

	lockdep_assert_held(&iofault_lock);
	xa_for_each(&iofault_devices, id, idev)
		if (!strcmp(dev_name(&idev->dev), name))
			return idev;
	return NULL;
}

static void iofault_device_release(struct device *dev)
{
	struct iofault_device *idev = container_of(dev, struct iofault_device,
						   dev);

	free_percpu(idev->untracked);
	kfree(idev);
	atomic_dec(&iofault_nr_devices);
}

struct iofault_device *
iofault_device_register(const struct iofault_device_info *info)
{
	struct iofault_device *idev;
	int err;

	if (!info->ops || !info->ops->page_response ||
	    !iofault_name_valid(info->name, IOFAULT_NAME_LEN, false))
		return ERR_PTR(-EINVAL);

	idev = kzalloc(sizeof(*idev), GFP_KERNEL);
	if (!idev)
		return ERR_PTR(-ENOMEM);
	atomic_inc(&iofault_nr_devices);
	idev->ops = info->ops;
	idev->drvdata = info->drvdata;
	device_initialize(&idev->dev);
	idev->dev.class = &iofault_class;
	idev->dev.parent = info->parent;
	idev->dev.groups = iofault_dev_groups;
	idev->dev.release = iofault_device_release;
	err = dev_set_name(&idev->dev, "%s", info->name);
	if (err)
		goto put;

	mutex_lock(&iofault_lock);
	if (iofault_find_device(info->name)) {
		err = -EEXIST;
		goto unlock;
	}
	err = xa_alloc_cyclic(&iofault_devices, &idev->id, NULL,
			      XA_LIMIT(1, IOFAULT_DEV_ID_MAX), &iofault_next_id,
			      GFP_KERNEL);
	if (err < 0)
		goto unlock;
	err = iofault_fault_init(idev, info);
	if (err) {
		xa_erase(&iofault_devices, idev->id);
		goto unlock;
	}
	err = device_add(&idev->dev);
	if (err) {
		iofault_fault_exit(idev);
		xa_erase(&iofault_devices, idev->id);
		goto unlock;
	}
	/* Publish only a device that sysfs already shows. */
	xa_store(&iofault_devices, idev->id, idev, GFP_KERNEL);
	mutex_unlock(&iofault_lock);
	dev_dbg(&idev->dev, "registered as id %u\n", idev->id);
	return idev;

unlock:
	mutex_unlock(&iofault_lock);
put:
	put_device(&idev->dev);
	return ERR_PTR(err);
}
EXPORT_SYMBOL_GPL(iofault_device_register);

void iofault_device_unregister(struct iofault_device *idev)
{
	struct bpf_link *link;

	mutex_lock(&iofault_lock);
	xa_erase(&iofault_devices, idev->id);
	link = iofault_policy_device_gone(idev);
	mutex_unlock(&iofault_lock);
	iofault_policy_detach_link(link);
	/*
	 * The sysfs files go first: device_del() waits for the reads and
	 * writes in progress, and no new one starts. A limit written later
	 * would re-arm the timeout or grow the pools of a tracker being torn
	 * down. What still holds the device (an open fault descriptor) finds
	 * its tracker dead; the memory goes with the last reference.
	 */
	device_del(&idev->dev);
	iofault_fault_exit(idev);
	put_device(&idev->dev);
}
EXPORT_SYMBOL_GPL(iofault_device_unregister);

void *iofault_device_drvdata(const struct iofault_device *idev)
{
	return idev->drvdata;
}
EXPORT_SYMBOL_GPL(iofault_device_drvdata);

u32 iofault_device_id(const struct iofault_device *idev)
{
	return idev->id;
}
EXPORT_SYMBOL_GPL(iofault_device_id);

static int __init iofault_init(void)
{
	int err;

	err = iofault_fault_path_init();
	if (err)
		return err;
	err = iofault_sysfs_init();
	if (err)
		goto fault_path;
	err = iofault_queue_init();
	if (err)
		goto sysfs;
	err = iofault_iopf_init();
	if (err)
		goto queue;
	err = iofault_bpf_register();
	if (err)
		goto iopf;
	return 0;

iopf:
	iofault_iopf_exit();
queue:
	iofault_queue_exit();
sysfs:
	iofault_sysfs_exit();
fault_path:
	iofault_fault_path_exit();
	return err;
}

/*
 * Drivers using iofault hold references on this module, and the BPF core
 * holds one per iofault_ops map, so no device and no policy remains here.
 */
static void __exit iofault_exit(void)
{
	iofault_iopf_exit();
	WARN_ON(!xa_empty(&iofault_devices));
	iofault_policy_exit();
	iofault_queue_exit();
	iofault_sysfs_exit();
	iofault_fault_path_exit();
}

module_init(iofault_init);
module_exit(iofault_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("IOMMU fault dispatch to per-device BPF policies");
