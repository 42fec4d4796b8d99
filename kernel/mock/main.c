// SPDX-License-Identifier: GPL-2.0
/*
 * iofault_mock: the module. It creates `vtd` VT-d-like devices (vtd0,
 * vtd1...) and `smmu` SMMUv3-like ones (smmu0...), children of one
 * platform device, registers each with iofault with its hardware queue
 * size as quota, and gives each a directory of control files in
 * /sys/kernel/debug/iofault_mock/ (debugfs.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/slab.h>

#include "mock.h"

#define MOCK_DEVS_MAX		64	/* of each kind */
#define MOCK_QUEUE_MIN		2
#define MOCK_QUEUE_MAX		65536

static unsigned int vtd = 2;
module_param(vtd, uint, 0444);
MODULE_PARM_DESC(vtd, "number of VT-d-like devices vtd0, vtd1... (default 2)");

static unsigned int smmu = 1;
module_param(smmu, uint, 0444);
MODULE_PARM_DESC(smmu, "number of SMMUv3-like devices smmu0, ... (default 1)");

static unsigned int prq_size = 64;
module_param(prq_size, uint, 0444);
MODULE_PARM_DESC(prq_size,
		 "entries of a VT-d page request queue, which holds one less (default 64)");

static unsigned int evtq_size = 64;
module_param(evtq_size, uint, 0444);
MODULE_PARM_DESC(evtq_size, "entries of an SMMU event queue (default 64)");

static unsigned int timeout_ms;
module_param(timeout_ms, uint, 0444);
MODULE_PARM_DESC(timeout_ms,
		 "iofault's timeout for the devices' groups (default 0: iofault's)");

static bool resolver = true;
module_param(resolver, bool, 0444);
MODULE_PARM_DESC(resolver,
		 "devices resolve faults (default 1); 0: iofault's built-in default forwards them");

static struct platform_device *mock_pdev;
static struct dentry *mock_root;
static struct mock_dev **mock_devs;
static unsigned int mock_ndevs;

static struct mock_dev *mock_dev_create(const struct mock_hw_ops *hw,
					unsigned int index, u32 qsize)
{
	struct iofault_device_info info = {
		.parent = &mock_pdev->dev,
		.quota = qsize,
		.timeout_ms = timeout_ms,
	};
	struct mock_dev *md;
	int err;

	md = kvzalloc(sizeof(*md), GFP_KERNEL | __GFP_NOWARN);
	if (!md)
		return ERR_PTR(-ENOMEM);
	md->hw = hw;
	md->drv = *hw->drv;
	if (!resolver)
		md->drv.resolve = NULL;
	info.ops = &md->drv;
	md->index = index;
	snprintf(md->name, sizeof(md->name), "%s%u", hw->prefix, index);
	md->alloc = qsize;
	mock_track_init(md);
	INIT_LIST_HEAD(&md->deferred);
	mutex_init(&md->pt_lock);
	xa_init(&md->pt);
	mutex_init(&md->storm_lock);
	INIT_WORK(&md->drain, hw->drain);
	err = hw->init(md, qsize);
	if (err)
		goto free;
	info.name = md->name;
	info.drvdata = md;
	md->idev = iofault_device_register(&info);
	if (IS_ERR(md->idev)) {
		err = PTR_ERR(md->idev);
		goto exit;
	}
	mock_debugfs_create(md, mock_root);
	return md;

exit:
	hw->exit(md);
free:
	kvfree(md);
	return ERR_PTR(err);
}

/*
 * Take @md away. Hot-removal (@drain) stops the device first, then lets
 * the driver report what is still queued, as a driver does before it
 * unregisters; unloading drops the queue. Returns the hardware's record.
 */
static struct mock_counters mock_dev_destroy(struct mock_dev *md, bool drain)
{
	struct mock_counters c;

	/* The device stops sending: its waiting writers give up. */
	WRITE_ONCE(md->unplugged, true);
	wake_up_all(&md->wq);
	/* Once the files are gone, no write runs: the device is silent. */
	debugfs_remove(md->dir);
	if (drain)
		flush_work(&md->drain);
	/* The driver stops draining: what is still queued is never reported. */
	cancel_work_sync(&md->drain);
	/* iofault answers the outstanding groups: page_response() runs. */
	iofault_device_unregister(md->idev);
	mutex_lock(&md->lock);
	c = md->c;
	c.unanswered = md->outstanding;
	mutex_unlock(&md->lock);
	mock_deferred_free(md);
	mock_pt_destroy(md);
	md->hw->exit(md);
	mock_track_destroy(md);
	kvfree(md);
	return c;
}

/* What the hardware recorded of each unplugged device, for tests. */
static char *mock_unplugged_log;
static size_t mock_unplugged_len;
static DEFINE_MUTEX(mock_unplug_lock);

/* Hot-remove device @name: its hardware record goes to the unplugged log. */
int mock_unplug(const char *name)
{
	struct mock_counters c;
	struct mock_dev *md = NULL;
	unsigned int i;

	mutex_lock(&mock_unplug_lock);
	for (i = 0; i < mock_ndevs && !md; i++) {
		if (!strcmp(mock_devs[i]->name, name)) {
			md = mock_devs[i];
			mock_devs[i] = mock_devs[--mock_ndevs];
		}
	}
	if (!md) {
		mutex_unlock(&mock_unplug_lock);
		return -ENODEV;
	}
	c = mock_dev_destroy(md, true);
	mock_unplugged_len += scnprintf(mock_unplugged_log + mock_unplugged_len,
					MOCK_UNPLUGGED_LOG - mock_unplugged_len,
					"%s issued %llu answered %llu auto %llu unanswered %u duplicate %llu\n",
					name, c.issued, c.answered, c.autoresp,
					c.unanswered, c.duplicate);
	mutex_unlock(&mock_unplug_lock);
	return 0;
}

ssize_t mock_unplugged_read(char __user *ubuf, size_t len, loff_t *ppos)
{
	ssize_t n;

	mutex_lock(&mock_unplug_lock);
	n = simple_read_from_buffer(ubuf, len, ppos, mock_unplugged_log,
				    mock_unplugged_len);
	mutex_unlock(&mock_unplug_lock);
	return n;
}

static void mock_destroy_all(void)
{
	while (mock_ndevs)
		mock_dev_destroy(mock_devs[--mock_ndevs], false);
	kfree(mock_devs);
	debugfs_remove(mock_root);
	platform_device_unregister(mock_pdev);
	kfree(mock_unplugged_log);
}

static int mock_create_kind(const struct mock_hw_ops *hw, unsigned int n,
			    u32 qsize)
{
	struct mock_dev *md;
	unsigned int i;

	for (i = 0; i < n; i++) {
		md = mock_dev_create(hw, i, qsize);
		if (IS_ERR(md)) {
			pr_err("cannot create %s%u: %pe\n", hw->prefix, i, md);
			return PTR_ERR(md);
		}
		mock_devs[mock_ndevs++] = md;
	}
	return 0;
}

static bool mock_queue_size_ok(unsigned int size)
{
	return size >= MOCK_QUEUE_MIN && size <= MOCK_QUEUE_MAX;
}

static int __init mock_init(void)
{
	int err;

	if ((!vtd && !smmu) || vtd > MOCK_DEVS_MAX || smmu > MOCK_DEVS_MAX ||
	    !mock_queue_size_ok(prq_size) || !mock_queue_size_ok(evtq_size))
		return -EINVAL;
	mock_devs = kcalloc(vtd + smmu, sizeof(*mock_devs), GFP_KERNEL);
	mock_unplugged_log = kzalloc(MOCK_UNPLUGGED_LOG, GFP_KERNEL);
	if (!mock_devs || !mock_unplugged_log) {
		kfree(mock_devs);
		kfree(mock_unplugged_log);
		return -ENOMEM;
	}
	mock_pdev = platform_device_register_simple(KBUILD_MODNAME,
						    PLATFORM_DEVID_NONE,
						    NULL, 0);
	if (IS_ERR(mock_pdev)) {
		kfree(mock_devs);
		kfree(mock_unplugged_log);
		return PTR_ERR(mock_pdev);
	}
	mock_root = debugfs_create_dir(KBUILD_MODNAME, NULL);
	mock_debugfs_create_root(mock_root);
	err = mock_create_kind(&mock_vtd_ops, vtd, prq_size) ?:
	      mock_create_kind(&mock_smmu_ops, smmu, evtq_size);
	if (err)
		mock_destroy_all();
	return err;
}

static void __exit mock_exit(void)
{
	mock_destroy_all();
}

module_init(mock_init);
module_exit(mock_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("VT-d-like and SMMUv3-like mock IOMMUs for iofault");
