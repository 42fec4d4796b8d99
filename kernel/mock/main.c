// SPDX-License-Identifier: GPL-2.0
/*
 * iofault_mock: the module. It creates `vtd` VT-d-like devices (vtd0,
 * vtd1...) and `smmu` SMMUv3-like ones (smmu0...), children of one
 * platform device, registers each with iofault with its hardware queue
 * size as quota, and gives each a directory of control files in
 * /sys/kernel/debug/iofault_mock/ (debugfs.c). A device can be
 * hot-removed and added again (the root's unplug and plug files); each
 * leaves a record of what its hardware issued and received, in the
 * unplugged file or, for those still there when the module unloads, in
 * the kernel log.
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

/*
 * The devices present, in no order: room for every name, since plug can
 * add any. Also guards the unplugged log.
 */
static DEFINE_MUTEX(mock_devs_lock);
static struct mock_dev *mock_devs[2 * MOCK_DEVS_MAX];
static unsigned int mock_ndevs;

/* The hardware queue size of a kind of device. */
static u32 mock_qsize(const struct mock_hw_ops *hw)
{
	return hw == &mock_vtd_ops ? prq_size : evtq_size;
}

static struct mock_dev *mock_dev_create(const struct mock_hw_ops *hw,
					unsigned int index)
{
	u32 qsize = mock_qsize(hw);
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
 * unregisters; unloading drops the queue, and so does a paused driver.
 * Returns the hardware's record, which leaves out the groups still in the
 * dropped queue: no software ever saw them, so they are neither issued
 * nor unanswered there, and unanswered counts only groups the driver
 * reported and iofault never answered.
 */
static struct mock_counters mock_dev_destroy(struct mock_dev *md, bool drain)
{
	struct mock_counters c;
	u32 queued;

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
	queued = md->hw->queued_groups(md);
	/* Fewer if the counters were cleared with groups in the queue. */
	c.issued -= min_t(u64, c.issued, queued);
	c.unanswered = md->outstanding - queued;
	mutex_unlock(&md->lock);
	mock_deferred_free(md);
	mock_pt_destroy(md);
	md->hw->exit(md);
	mock_track_destroy(md);
	kvfree(md);
	return c;
}

/* The line that tells a device's record, newline included. */
static int mock_record(char *buf, size_t size, const char *name,
		       const struct mock_counters *c)
{
	return scnprintf(buf, size,
			 "%s issued %llu answered %llu auto %llu unanswered %u duplicate %llu\n",
			 name, c->issued, c->answered, c->autoresp,
			 c->unanswered, c->duplicate);
}

#define MOCK_RECORD_LEN	192	/* a record's line, at most */

/*
 * What the hardware recorded of each unplugged device, for tests: grows
 * as devices go, so that no record is cut short. Under mock_devs_lock.
 */
static char *mock_unplugged_log;
static size_t mock_unplugged_len;
static size_t mock_unplugged_size;

/* Append a record to the unplugged log; false if it cannot grow. */
static bool mock_unplugged_add(const char *line, size_t len)
{
	size_t size = max_t(size_t, 2 * mock_unplugged_size, MOCK_UNPLUGGED_LOG);
	char *bigger;

	lockdep_assert_held(&mock_devs_lock);
	if (mock_unplugged_len + len > mock_unplugged_size) {
		bigger = kvmalloc(size, GFP_KERNEL | __GFP_NOWARN);
		if (!bigger)
			return false;
		if (mock_unplugged_log)
			memcpy(bigger, mock_unplugged_log, mock_unplugged_len);
		kvfree(mock_unplugged_log);
		mock_unplugged_log = bigger;
		mock_unplugged_size = size;
	}
	memcpy(mock_unplugged_log + mock_unplugged_len, line, len);
	mock_unplugged_len += len;
	return true;
}

/* The present device called @name, its index in mock_devs; -1 if none. */
static int mock_find(const char *name)
{
	unsigned int i;

	lockdep_assert_held(&mock_devs_lock);
	for (i = 0; i < mock_ndevs; i++)
		if (!strcmp(mock_devs[i]->name, name))
			return i;
	return -1;
}

/* Hot-remove device @name: its hardware record goes to the unplugged log. */
int mock_unplug(const char *name)
{
	char line[MOCK_RECORD_LEN];
	struct mock_counters c;
	struct mock_dev *md;
	int i;

	mutex_lock(&mock_devs_lock);
	i = mock_find(name);
	if (i < 0) {
		mutex_unlock(&mock_devs_lock);
		return -ENODEV;
	}
	md = mock_devs[i];
	mock_devs[i] = mock_devs[--mock_ndevs];
	c = mock_dev_destroy(md, true);
	/* Not lost if the log cannot grow: the kernel log has it then. */
	if (!mock_unplugged_add(line, mock_record(line, sizeof(line), name, &c)))
		pr_warn("no room in the unplugged log: %s", line);
	mutex_unlock(&mock_devs_lock);
	return 0;
}

/*
 * Parse a device name as the module makes them: a kind's prefix and an
 * index below MOCK_DEVS_MAX, in decimal without leading zeros.
 */
static int mock_parse_name(const char *name, const struct mock_hw_ops **hw,
			   unsigned int *index)
{
	static const struct mock_hw_ops *const kinds[] = {
		&mock_vtd_ops, &mock_smmu_ops,
	};
	char canonical[IOFAULT_NAME_LEN];
	size_t n;
	int i;

	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		n = strlen(kinds[i]->prefix);
		if (strncmp(name, kinds[i]->prefix, n))
			continue;
		if (kstrtouint(name + n, 10, index) || *index >= MOCK_DEVS_MAX)
			return -EINVAL;
		snprintf(canonical, sizeof(canonical), "%s%u",
			 kinds[i]->prefix, *index);
		if (strcmp(canonical, name))
			return -EINVAL;
		*hw = kinds[i];
		return 0;
	}
	return -EINVAL;
}

/*
 * Add device @name (again), with the module's parameters: -EINVAL for a
 * name the module would not make, -EEXIST if it is there.
 */
int mock_plug(const char *name)
{
	const struct mock_hw_ops *hw;
	struct mock_dev *md;
	unsigned int index;
	int err;

	err = mock_parse_name(name, &hw, &index);
	if (err)
		return err;
	mutex_lock(&mock_devs_lock);
	if (mock_find(name) >= 0) {
		err = -EEXIST;
	} else {
		md = mock_dev_create(hw, index);
		if (IS_ERR(md))
			err = PTR_ERR(md);
		else
			mock_devs[mock_ndevs++] = md;
	}
	mutex_unlock(&mock_devs_lock);
	return err;
}

ssize_t mock_unplugged_read(char __user *ubuf, size_t len, loff_t *ppos)
{
	ssize_t n;

	mutex_lock(&mock_devs_lock);
	n = simple_read_from_buffer(ubuf, len, ppos, mock_unplugged_log,
				    mock_unplugged_len);
	mutex_unlock(&mock_devs_lock);
	return n;
}

/*
 * Take every device away; unloading (@record) logs each one's record as
 * unplug keeps it: "unloaded NAME issued N answered N auto N unanswered N
 * duplicate N", one line a device, so that a test reading the kernel log
 * can check each group was answered exactly once. A failed load has
 * issued nothing.
 */
static void mock_destroy_all(bool record)
{
	char name[IOFAULT_NAME_LEN], line[MOCK_RECORD_LEN];
	struct mock_counters c;
	struct mock_dev *md;

	mutex_lock(&mock_devs_lock);
	while (mock_ndevs) {
		md = mock_devs[--mock_ndevs];
		strscpy(name, md->name);
		c = mock_dev_destroy(md, false);
		if (record) {
			mock_record(line, sizeof(line), name, &c);
			pr_info("unloaded %s", line);
		}
	}
	kvfree(mock_unplugged_log);
	mutex_unlock(&mock_devs_lock);
	debugfs_remove(mock_root);
	platform_device_unregister(mock_pdev);
}

static int mock_create_kind(const struct mock_hw_ops *hw, unsigned int n)
{
	struct mock_dev *md;
	unsigned int i;

	for (i = 0; i < n; i++) {
		md = mock_dev_create(hw, i);
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
	mock_pdev = platform_device_register_simple(KBUILD_MODNAME,
						    PLATFORM_DEVID_NONE,
						    NULL, 0);
	if (IS_ERR(mock_pdev))
		return PTR_ERR(mock_pdev);
	mock_root = debugfs_create_dir(KBUILD_MODNAME, NULL);
	err = mock_create_kind(&mock_vtd_ops, vtd) ?:
	      mock_create_kind(&mock_smmu_ops, smmu);
	if (err) {
		mock_destroy_all(false);
		return err;
	}
	/* Last: plug and unplug find every device of the load there. */
	mock_debugfs_create_root(mock_root);
	return 0;
}

static void __exit mock_exit(void)
{
	mock_destroy_all(true);
}

module_init(mock_init);
module_exit(mock_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("VT-d-like and SMMUv3-like mock IOMMUs for iofault");
