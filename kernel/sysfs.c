// SPDX-License-Identifier: GPL-2.0
/*
 * iofault sysfs: /sys/class/iofault/<device>/ for each device, and
 * /sys/kernel/iofault/ for what is not per device.
 */
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

/* One "key value" pair a line; keys are only ever added. */
static ssize_t stats_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct iofault_stats *s = &to_idev(dev)->stats;

	return sysfs_emit(buf,
			  "reported %lld\nresolved %lld\nforwarded %lld\nfailed %lld\n",
			  atomic64_read(&s->reported),
			  atomic64_read(&s->resolved),
			  atomic64_read(&s->forwarded),
			  atomic64_read(&s->failed));
}
static DEVICE_ATTR_RO(stats);

static struct attribute *iofault_dev_attrs[] = {
	&dev_attr_id.attr,
	&dev_attr_driver.attr,
	&dev_attr_policy.attr,
	&dev_attr_stats.attr,
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

static struct attribute *iofault_global_attrs[] = {
	&global_policy_attr.attr,
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
