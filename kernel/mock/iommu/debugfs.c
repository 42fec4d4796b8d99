// SPDX-License-Identifier: GPL-2.0
/*
 * iommu_mock: the control files in /sys/kernel/debug/iommu_mock/.
 *
 *   unplug              write a device's name: hot-remove it
 *   unplugged           what the hardware recorded of each unplugged device
 *   <dev>/bind          write "pasid=N|none [via=own|iofault]
 *                       [handler=mm|now] [share=M|none]": bind the
 *                       writer's mm; with via=own (the default),
 *                       handler=mm (the default) resolves each group in
 *                       that mm from a work, handler=now answers it
 *                       SUCCESS at once in the iopf handler (hold does
 *                       not apply); share=M attaches the domain of the
 *                       device's own bind of PASID M (none: of the
 *                       device itself) instead of a new one, with the
 *                       handler that domain has now (no handler=), as
 *                       an SVA domain is shared; M must be an own bind;
 *                       read: one line per bind
 *   <dev>/unbind        write "pasid=N|none": detach, then stop the
 *                       PASID: the device forgets its groups still
 *                       outstanding (hwstats: stopped)
 *   <dev>/access        write "pasid=N|none addr=X [pages=K] [write]
 *                       [group] [always]": the device accesses the
 *                       writer's memory
 *   <dev>/settle        read or write: wait (30 s at most) until every
 *                       group issued is answered; reads "unanswered N"
 *   <dev>/hold          1: the own handler keeps new groups back; 0: lets
 *                       them go
 *   <dev>/hwlog         the answers the hardware received; a write clears
 *                       it and the counters
 *   <dev>/hwstats       "key value" lines
 *
 * A write holds one line of words, "key=value" or a bare keyword;
 * numbers take a 0x prefix for hex.
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "iommu_mock.h"

#define IMOCK_WRITE_MAX		256	/* bytes of one write */
#define IMOCK_PAGES_MAX		65536	/* pages of one access */
#define IMOCK_SETTLE_TIMEOUT	(30 * HZ)

/* The next word of *line: its key, and its value or NULL. */
static bool imock_word(char **line, char **key, char **val)
{
	char *word;

	do {
		word = strsep(line, " \t\n");
	} while (word && !*word);
	if (!word)
		return false;
	*key = word;
	*val = strchr(word, '=');
	if (*val)
		*(*val)++ = '\0';
	return true;
}

/* "none" or a PASID the devices support (PASID 0 is IOMMU_NO_PASID). */
static int imock_parse_pasid(const char *s, u32 *pasid)
{
	int err;

	if (!strcmp(s, "none")) {
		*pasid = IOMMU_NO_PASID;
		return 0;
	}
	err = kstrtou32(s, 0, pasid);
	if (err)
		return err;
	return *pasid == IOMMU_NO_PASID || *pasid >> IMOCK_PASID_BITS ?
	       -EINVAL : 0;
}

/* Copy a write of @len bytes from user space into a string. */
static char *imock_line(const char __user *ubuf, size_t len)
{
	if (len > IMOCK_WRITE_MAX)
		return ERR_PTR(-E2BIG);
	return memdup_user_nul(ubuf, len);
}

/* bind: pasid=N|none [via=own|iofault] [handler=mm|now] [share=M|none] */
static ssize_t imock_bind_write(struct file *file, const char __user *ubuf,
				size_t len, loff_t *ppos)
{
	struct imock_dev *md = file_inode(file)->i_private;
	enum imock_handler handler = IMOCK_HANDLER_MM;
	enum imock_via via = IMOCK_VIA_OWN;
	bool has_handler = false;
	char *buf, *line, *key, *val;
	bool has_pasid = false;
	u32 share = U32_MAX;
	u32 pasid = 0;
	int err = 0;

	buf = imock_line(ubuf, len);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	line = buf;
	while (!err && imock_word(&line, &key, &val)) {
		if (val && !strcmp(key, "pasid")) {
			has_pasid = true;
			err = imock_parse_pasid(val, &pasid);
		} else if (val && !strcmp(key, "via") && !strcmp(val, "own")) {
			via = IMOCK_VIA_OWN;
		} else if (val && !strcmp(key, "via") &&
			   !strcmp(val, "iofault")) {
			via = IMOCK_VIA_IOFAULT;
		} else if (val && !strcmp(key, "handler") &&
			   !strcmp(val, "mm")) {
			has_handler = true;
			handler = IMOCK_HANDLER_MM;
		} else if (val && !strcmp(key, "handler") &&
			   !strcmp(val, "now")) {
			has_handler = true;
			handler = IMOCK_HANDLER_NOW;
		} else if (val && !strcmp(key, "share")) {
			err = imock_parse_pasid(val, &share);
		} else {
			err = -EINVAL;
		}
	}
	kfree(buf);
	/* The handler is the own one's: via=iofault has iofault's. */
	if (!err && (!has_pasid || (has_handler && via != IMOCK_VIA_OWN)))
		err = -EINVAL;
	/* A shared domain keeps the handler it has (via=iofault: refused). */
	if (!err && share != U32_MAX && has_handler)
		err = -EINVAL;
	if (!err)
		err = imock_bind(md, pasid, via, handler, share);
	return err ?: len;
}

static int imock_bind_show(struct seq_file *m, void *v)
{
	imock_show_binds(m, m->private);
	return 0;
}

static int imock_bind_open(struct inode *inode, struct file *file)
{
	return single_open(file, imock_bind_show, inode->i_private);
}

static const struct file_operations imock_bind_fops = {
	.owner = THIS_MODULE,
	.open = imock_bind_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.write = imock_bind_write,
	.release = single_release,
};

/* unbind: pasid=N|none */
static ssize_t imock_unbind_write(struct file *file, const char __user *ubuf,
				  size_t len, loff_t *ppos)
{
	struct imock_dev *md = file->private_data;
	char *buf, *line, *key, *val;
	bool has_pasid = false;
	u32 pasid = 0;
	int err = 0;

	buf = imock_line(ubuf, len);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	line = buf;
	while (!err && imock_word(&line, &key, &val)) {
		if (val && !strcmp(key, "pasid")) {
			has_pasid = true;
			err = imock_parse_pasid(val, &pasid);
		} else {
			err = -EINVAL;
		}
	}
	kfree(buf);
	if (!err && !has_pasid)
		err = -EINVAL;
	if (!err)
		err = imock_unbind(md, pasid);
	/* Its groups were answered, or are lost with the PASID. */
	if (!err)
		imock_hw_stop(md, pasid);
	return err ?: len;
}

static const struct file_operations imock_unbind_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = imock_unbind_write,
};

/* access: pasid=N|none addr=X [pages=K] [write] [group] [always] */
static ssize_t imock_access_write(struct file *file, const char __user *ubuf,
				  size_t len, loff_t *ppos)
{
	struct imock_dev *md = file->private_data;
	bool has_pasid = false, has_addr = false;
	bool write = false, group = false, always = false;
	char *buf, *line, *key, *val;
	u32 pasid = 0, pages = 1;
	u64 addr = 0;
	int err = 0;

	buf = imock_line(ubuf, len);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	line = buf;
	while (!err && imock_word(&line, &key, &val)) {
		if (!val && !strcmp(key, "write")) {
			write = true;
		} else if (!val && !strcmp(key, "group")) {
			group = true;
		} else if (!val && !strcmp(key, "always")) {
			always = true;
		} else if (val && !strcmp(key, "pasid")) {
			has_pasid = true;
			err = imock_parse_pasid(val, &pasid);
		} else if (val && !strcmp(key, "addr")) {
			has_addr = true;
			err = kstrtou64(val, 0, &addr);
		} else if (val && !strcmp(key, "pages")) {
			err = kstrtou32(val, 0, &pages);
		} else {
			err = -EINVAL;
		}
	}
	kfree(buf);
	if (err)
		return err;
	if (!has_pasid || !has_addr || !pages || pages > IMOCK_PAGES_MAX ||
	    !PAGE_ALIGNED(addr) || addr >= TASK_SIZE ||
	    pages > (TASK_SIZE - addr) >> PAGE_SHIFT)
		return -EINVAL;
	err = imock_access(md, pasid, addr, pages, write, group, always);
	return err ?: len;
}

static const struct file_operations imock_access_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = imock_access_write,
};

/* settle: wait until every issued group is answered; "unanswered N" */
static int imock_settle(struct imock_dev *md)
{
	long ret;

	ret = wait_event_interruptible_timeout(md->wq, imock_settled(md),
					       IMOCK_SETTLE_TIMEOUT);
	return ret < 0 ? ret : 0;
}

static ssize_t imock_settle_read(struct file *file, char __user *ubuf,
				 size_t len, loff_t *ppos)
{
	struct imock_dev *md = file->private_data;
	char buf[32];
	int n, err;

	if (*ppos)
		return 0;
	err = imock_settle(md);
	if (err)
		return err;
	n = scnprintf(buf, sizeof(buf), "unanswered %u\n",
		      READ_ONCE(md->outstanding));
	return simple_read_from_buffer(ubuf, len, ppos, buf, n);
}

static ssize_t imock_settle_write(struct file *file, const char __user *ubuf,
				  size_t len, loff_t *ppos)
{
	return imock_settle(file->private_data) ?: len;
}

static const struct file_operations imock_settle_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = imock_settle_read,
	.write = imock_settle_write,
};

/* hold: 0 or 1 */
static ssize_t imock_hold_read(struct file *file, char __user *ubuf,
			       size_t len, loff_t *ppos)
{
	struct imock_dev *md = file->private_data;
	char buf[2] = { READ_ONCE(md->hold) ? '1' : '0', '\n' };

	return simple_read_from_buffer(ubuf, len, ppos, buf, sizeof(buf));
}

static ssize_t imock_hold_write(struct file *file, const char __user *ubuf,
				size_t len, loff_t *ppos)
{
	bool hold;
	int err;

	err = kstrtobool_from_user(ubuf, len, &hold);
	if (err)
		return err;
	imock_set_hold(file->private_data, hold);
	return len;
}

static const struct file_operations imock_hold_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = imock_hold_read,
	.write = imock_hold_write,
};

/* hwlog: the answers the hardware received; a write clears */
static int imock_hwlog_show(struct seq_file *m, void *v)
{
	imock_hw_show_log(m, m->private);
	return 0;
}

static int imock_hwlog_open(struct inode *inode, struct file *file)
{
	/* Room for the whole log at once: a line is at most ~80 bytes. */
	return single_open_size(file, imock_hwlog_show, inode->i_private,
				IMOCK_LOG_LEN * 80);
}

static ssize_t imock_hwlog_write(struct file *file, const char __user *ubuf,
				 size_t len, loff_t *ppos)
{
	imock_hw_clear(file_inode(file)->i_private);
	return len;
}

static const struct file_operations imock_hwlog_fops = {
	.owner = THIS_MODULE,
	.open = imock_hwlog_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.write = imock_hwlog_write,
	.release = single_release,
};

static int imock_hwstats_show(struct seq_file *m, void *v)
{
	imock_hw_show_stats(m, m->private);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(imock_hwstats);

/* unplug: write a device's name */
static ssize_t imock_unplug_write(struct file *file, const char __user *ubuf,
				  size_t len, loff_t *ppos)
{
	char name[IMOCK_NAME_LEN];
	ssize_t n;
	int err;

	n = strncpy_from_user(name, ubuf, min(len, sizeof(name) - 1));
	if (n < 0)
		return n;
	name[n] = '\0';
	err = imock_unplug(strim(name));
	return err ?: len;
}

static const struct file_operations imock_unplug_fops = {
	.owner = THIS_MODULE,
	.write = imock_unplug_write,
};

/*
 * unplugged: "NAME issued N answered N success N invalid N failure N
 * unanswered N duplicate N mismatch N"
 */
static ssize_t imock_unplugged_file_read(struct file *file, char __user *ubuf,
					 size_t len, loff_t *ppos)
{
	return imock_unplugged_read(ubuf, len, ppos);
}

static const struct file_operations imock_unplugged_fops = {
	.owner = THIS_MODULE,
	.read = imock_unplugged_file_read,
};

void imock_debugfs_create_root(struct dentry *root)
{
	debugfs_create_file("unplug", 0200, root, NULL, &imock_unplug_fops);
	debugfs_create_file("unplugged", 0400, root, NULL,
			    &imock_unplugged_fops);
}

void imock_debugfs_create(struct imock_dev *md, struct dentry *parent)
{
	md->dir = debugfs_create_dir(md->name, parent);
	debugfs_create_file("bind", 0600, md->dir, md, &imock_bind_fops);
	debugfs_create_file("unbind", 0200, md->dir, md, &imock_unbind_fops);
	debugfs_create_file("access", 0200, md->dir, md, &imock_access_fops);
	debugfs_create_file("settle", 0600, md->dir, md, &imock_settle_fops);
	debugfs_create_file("hold", 0600, md->dir, md, &imock_hold_fops);
	debugfs_create_file("hwlog", 0600, md->dir, md, &imock_hwlog_fops);
	debugfs_create_file("hwstats", 0400, md->dir, md, &imock_hwstats_fops);
}
