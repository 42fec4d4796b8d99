// SPDX-License-Identifier: GPL-2.0
/*
 * iofault sysfs: /sys/class/iofault/<device>/ for each device, and
 * /sys/kernel/iofault/ for what is not per device.
 */
#include <linux/capability.h>
#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/sysfs.h>

#include "iofault_core.h"

const struct class iofault_class = {
	.name = "iofault",
};

static struct iofault_device *to_idev(struct device *dev)
{
	return container_of(dev, struct iofault_device, dev);
}

static ssize_t id_show(struct device *dev, struct device_attribute *attr,
		       char *buf)
{
	return sysfs_emit(buf, "%u\n", to_idev(dev)->id);
}
static DEVICE_ATTR_RO(id);

static ssize_t driver_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	struct module *owner = to_idev(dev)->ops->owner;

	return sysfs_emit(buf, "%s\n", owner ? module_name(owner) : "kernel");
}
static DEVICE_ATTR_RO(driver);

static ssize_t policy_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	return iofault_policy_show(to_idev(dev), buf);
}
static DEVICE_ATTR_RO(policy);

static ssize_t last_exit_show(struct device *dev, struct device_attribute *attr,
			      char *buf)
{
	return iofault_policy_last_exit_show(to_idev(dev), buf);
}
static DEVICE_ATTR_RO(last_exit);

static ssize_t stats_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	return iofault_stats_show(to_idev(dev), buf);
}
static DEVICE_ATTR_RO(stats);

static ssize_t latency_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return iofault_latency_show(to_idev(dev), buf);
}
static DEVICE_ATTR_RO(latency);

/*
 * Limits, settable at run time: quota, partial_max, timeout_ms. Each has
 * bounds: a number outside them is refused with -ERANGE, anything that is
 * not a number with -EINVAL. partial_max 0 would drop every request but
 * the last of each group without a word: it is out of bounds.
 */
struct iofault_limit {
	const char *name;
	u32 min, max;
};

static const struct iofault_limit iofault_limits[] = {
	{ "quota", 1, IOFAULT_QUOTA_MAX },
	{ "partial_max", 1, IOFAULT_PARTIAL_MAX },
	{ "timeout_ms", 1, IOFAULT_TIMEOUT_MAX_MS },
};

static ssize_t limit_show(struct iofault_device *idev, const char *name,
			  char *buf)
{
	struct iofault_tracker *t = &idev->tracker;
	u64 val;

	mutex_lock(&idev->lock);
	if (!strcmp(name, "quota"))
		val = t->quota;
	else if (!strcmp(name, "partial_max"))
		val = t->partial_max;
	else
		val = t->timeout_ns / NSEC_PER_MSEC;
	mutex_unlock(&idev->lock);
	return sysfs_emit(buf, "%llu\n", val);
}

static ssize_t limit_store(struct iofault_device *idev, const char *name,
			   const char *buf, size_t len)
{
	const struct iofault_limit *lim = NULL;
	long long val;
	int err, i;

	/* As the ioctls: a limit changes how iofault answers the hardware. */
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	for (i = 0; i < ARRAY_SIZE(iofault_limits); i++)
		if (!strcmp(name, iofault_limits[i].name))
			lim = &iofault_limits[i];
	if (WARN_ON_ONCE(!lim))
		return -EINVAL;
	/* Signed, so that "-1" is a number out of bounds, not garbage. */
	err = kstrtoll(buf, 0, &val);
	if (err)
		return err;
	if (val < lim->min || val > lim->max)
		return -ERANGE;
	err = iofault_set_limit(idev, lim->name, val);
	return err ?: len;
}

/* NAME_show() and NAME_store() of the limit NAME, and its attribute. */
#define IOFAULT_LIMIT_ATTR(name)					\
static ssize_t name##_show(struct device *dev,				\
			   struct device_attribute *attr, char *buf)	\
{									\
	return limit_show(to_idev(dev), #name, buf);			\
}									\
static ssize_t name##_store(struct device *dev,				\
			    struct device_attribute *attr,		\
			    const char *buf, size_t len)		\
{									\
	return limit_store(to_idev(dev), #name, buf, len);		\
}									\
static DEVICE_ATTR_RW(name)

IOFAULT_LIMIT_ATTR(quota);
IOFAULT_LIMIT_ATTR(partial_max);
IOFAULT_LIMIT_ATTR(timeout_ms);

static struct attribute *iofault_dev_attrs[] = {
	&dev_attr_id.attr,
	&dev_attr_driver.attr,
	&dev_attr_policy.attr,
	&dev_attr_last_exit.attr,
	&dev_attr_stats.attr,
	&dev_attr_latency.attr,
	&dev_attr_quota.attr,
	&dev_attr_partial_max.attr,
	&dev_attr_timeout_ms.attr,
	NULL,
};

static const struct attribute_group iofault_dev_group = {
	.attrs = iofault_dev_attrs,
};

const struct attribute_group *iofault_dev_groups[] = {
	&iofault_dev_group,
	NULL,
};

static ssize_t global_policy_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	return iofault_policy_show(NULL, buf);
}

static struct kobj_attribute global_policy_attr = __ATTR_RO(global_policy);

static ssize_t global_last_exit_show(struct kobject *kobj,
				     struct kobj_attribute *attr, char *buf)
{
	return iofault_policy_last_exit_show(NULL, buf);
}

static struct kobj_attribute global_last_exit_attr = __ATTR_RO(global_last_exit);

/* Live objects of the whole module: tests check they return to zero. */
static ssize_t objects_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "devices %d\npolicies %d\n",
			  atomic_read(&iofault_nr_devices),
			  atomic_read(&iofault_nr_policies));
}

static struct kobj_attribute objects_attr = __ATTR_RO(objects);

/* The IOMMU core's side (kernel/iopf.c): module-wide counts. */
static ssize_t iopf_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	return iofault_iopf_show(buf);
}

static struct kobj_attribute iopf_attr = __ATTR_RO(iopf);

static struct attribute *iofault_global_attrs[] = {
	&global_policy_attr.attr,
	&global_last_exit_attr.attr,
	&objects_attr.attr,
	&iopf_attr.attr,
	NULL,
};

static const struct attribute_group iofault_global_group = {
	.attrs = iofault_global_attrs,
};

static struct kobject *iofault_kobj;

int iofault_sysfs_init(void)
{
	int err;

	err = class_register(&iofault_class);
	if (err)
		return err;
	iofault_kobj = kobject_create_and_add("iofault", kernel_kobj);
	if (!iofault_kobj) {
		err = -ENOMEM;
		goto unregister;
	}
	err = sysfs_create_group(iofault_kobj, &iofault_global_group);
	if (err)
		goto put;
	return 0;

put:
	kobject_put(iofault_kobj);
unregister:
	class_unregister(&iofault_class);
	return err;
}

void iofault_sysfs_exit(void)
{
	kobject_put(iofault_kobj);
	class_unregister(&iofault_class);
}
