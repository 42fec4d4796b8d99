// SPDX-License-Identifier: GPL-2.0
/*
 * iofault_mock: the debugfs files of a device, and the parsing of what is
 * written to them. Lines are words, "key=value" or a bare keyword; numbers
 * take a 0x prefix for hex.
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "mock.h"

#define MOCK_WRITE_MAX		4096	/* bytes of one write */
#define MOCK_PAGES_MAX		65536	/* requests of one injected group */
#define MOCK_STORM_PAGES_MAX	512	/* requests of one storm group */
#define MOCK_SETTLE_TIMEOUT	(30 * HZ)

static const char * const mock_resolve_names[MOCK_RESOLVE_NR] = {
	[MOCK_RESOLVE_MAP] = "map",
	[MOCK_RESOLVE_FAIL] = "fail",
	[MOCK_RESOLVE_DEFER] = "defer",
};

/* The next word of *line: its key, and its value or NULL. */
static bool mock_word(char **line, char **key, char **val)
{
	char *word;

	do {
		word = strsep(line, " \t");
	} while (word && !*word);
	if (!word)
		return false;
	*key = word;
	*val = strchr(word, '=');
	if (*val)
		*(*val)++ = '\0';
	return true;
}

static int mock_parse_perm(const char *s, u32 *perm)
{
	*perm = 0;
	for (; *s; s++) {
		switch (*s) {
		case 'r':
			*perm |= IOFAULT_PERM_READ;
			break;
		case 'w':
			*perm |= IOFAULT_PERM_WRITE;
			break;
		case 'x':
			*perm |= IOFAULT_PERM_EXEC;
			break;
		case 'p':
			*perm |= IOFAULT_PERM_PRIV;
			break;
		default:
			return -EINVAL;
		}
	}
	return 0;
}

static int mock_parse_priv(char *val, struct mock_req *req)
{
	char *second = strchr(val, ',');

	if (!second)
		return -EINVAL;
	*second++ = '\0';
	req->flags |= MOCK_REQ_PRIV;
	return kstrtou64(val, 0, &req->priv[0]) ?:
	       kstrtou64(second, 0, &req->priv[1]);
}

/* Write a user buffer to @fn line by line; the first error stops it. */
static ssize_t mock_write_lines(struct file *file, const char __user *ubuf,
				size_t len,
				int (*fn)(struct mock_dev *md, char *line))
{
	struct mock_dev *md = file->private_data;
	char *buf, *pos, *line;
	int err = 0;

	if (len > MOCK_WRITE_MAX)
		return -E2BIG;
	buf = memdup_user_nul(ubuf, len);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	pos = buf;
	while (!err && (line = strsep(&pos, "\n")))
		if (*line)
			err = fn(md, line);
	kfree(buf);
	return err ?: len;
}

/*
 * inject: pasid=N grpid=N addr=X perm=[rwxp] last priv=A,B count=N
 * pages=K dma access
 */
static int mock_inject_line(struct mock_dev *md, char *line)
{
	struct mock_req req = { .perm = IOFAULT_PERM_READ };
	bool last = false, grouped = false;
	u32 count = 1, pages = 1;
	char *key, *val;
	int err = 0;

	while (!err && mock_word(&line, &key, &val)) {
		if (!val) {
			if (!strcmp(key, "last"))
				last = true;
			else if (!strcmp(key, "dma"))
				req.flags |= MOCK_REQ_DMA;
			else if (!strcmp(key, "access"))
				req.flags |= MOCK_REQ_ACCESS;
			else
				err = -EINVAL;
		} else if (!strcmp(key, "pasid")) {
			req.flags |= MOCK_REQ_PASID;
			err = kstrtou32(val, 0, &req.pasid);
		} else if (!strcmp(key, "grpid")) {
			req.flags |= MOCK_REQ_GRPID;
			err = kstrtou32(val, 0, &req.grpid);
		} else if (!strcmp(key, "addr")) {
			err = kstrtou64(val, 0, &req.addr);
		} else if (!strcmp(key, "perm")) {
			err = mock_parse_perm(val, &req.perm);
		} else if (!strcmp(key, "count")) {
			err = kstrtou32(val, 0, &count);
		} else if (!strcmp(key, "pages")) {
			grouped = true;
			err = kstrtou32(val, 0, &pages);
		} else if (!strcmp(key, "priv")) {
			err = mock_parse_priv(val, &req);
		} else {
			err = -EINVAL;
		}
	}
	if (err)
		return err;
	/* A request asks to read or write; PCIe's stop marker is not one. */
	if (!count || !pages || pages > MOCK_PAGES_MAX ||
	    req.pasid >> MOCK_PASID_BITS || req.grpid >= md->hw->grpid_limit ||
	    !(req.perm & (IOFAULT_PERM_READ | IOFAULT_PERM_WRITE)) ||
	    ((req.flags & MOCK_REQ_PRIV) && !md->hw->private_data) ||
	    req.addr >> MOCK_ADDR_BITS || req.addr + (u64)count * pages * MOCK_PAGE_SIZE >
	    BIT_ULL(MOCK_ADDR_BITS))
		return -EINVAL;
	/* One group per line unless it says otherwise; an access is whole. */
	return mock_inject(md, &req, count, pages,
			   last || grouped || count > 1 ||
			   (req.flags & MOCK_REQ_ACCESS));
}

static ssize_t mock_inject_write(struct file *file, const char __user *ubuf,
				 size_t len, loff_t *ppos)
{
	return mock_write_lines(file, ubuf, len, mock_inject_line);
}

static const struct file_operations mock_inject_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = mock_inject_write,
};

/* storm: groups=N pasids=P pages=K */
static int mock_storm_line(struct mock_dev *md, char *line)
{
	u32 groups = 0, pasids = 1, pages = 1;
	char *key, *val;
	int err = 0;

	while (!err && mock_word(&line, &key, &val)) {
		if (!val)
			err = -EINVAL;
		else if (!strcmp(key, "groups"))
			err = kstrtou32(val, 0, &groups);
		else if (!strcmp(key, "pasids"))
			err = kstrtou32(val, 0, &pasids);
		else if (!strcmp(key, "pages"))
			err = kstrtou32(val, 0, &pages);
		else
			err = -EINVAL;
	}
	if (err)
		return err;
	if (!groups || !pasids || pasids >> MOCK_PASID_BITS || !pages ||
	    pages > MOCK_STORM_PAGES_MAX)
		return -EINVAL;
	return mock_storm(md, groups, pasids, pages);
}

static ssize_t mock_storm_write(struct file *file, const char __user *ubuf,
				size_t len, loff_t *ppos)
{
	return mock_write_lines(file, ubuf, len, mock_storm_line);
}

static const struct file_operations mock_storm_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = mock_storm_write,
};

static int mock_parse_code(const char *s, u32 *code)
{
	int i;

	for (i = 0; i < IOFAULT_RESP_NR; i++) {
		if (!strcmp(s, mock_code_name(i))) {
			*code = i;
			return 0;
		}
	}
	return kstrtou32(s, 0, code);
}

/* respond: cookie=X pasid=N grpid=N code=success|invalid|failure|N */
static int mock_respond_line(struct mock_dev *md, char *line)
{
	u32 pasid = 0, grpid = 0, code = 0;
	bool has_cookie = false, has_code = false;
	char *key, *val;
	u64 cookie = 0;
	int err = 0;

	while (!err && mock_word(&line, &key, &val)) {
		if (!val) {
			err = -EINVAL;
		} else if (!strcmp(key, "cookie")) {
			has_cookie = true;
			err = kstrtou64(val, 0, &cookie);
		} else if (!strcmp(key, "pasid")) {
			err = kstrtou32(val, 0, &pasid);
		} else if (!strcmp(key, "grpid")) {
			err = kstrtou32(val, 0, &grpid);
		} else if (!strcmp(key, "code")) {
			has_code = true;
			err = mock_parse_code(val, &code);
		} else {
			err = -EINVAL;
		}
	}
	if (err)
		return err;
	if (!has_cookie || !has_code)
		return -EINVAL;
	return mock_respond(md, cookie, pasid, grpid, code);
}

static ssize_t mock_respond_write(struct file *file, const char __user *ubuf,
				  size_t len, loff_t *ppos)
{
	return mock_write_lines(file, ubuf, len, mock_respond_line);
}

static const struct file_operations mock_respond_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = mock_respond_write,
};

/* unmap: all | pasid=N [addr=X] | addr=X */
static int mock_unmap_line(struct mock_dev *md, char *line)
{
	bool all = false, pasid_valid = false, one = false;
	char *key, *val;
	u32 pasid = 0;
	u64 addr = 0;
	int err = 0;

	while (!err && mock_word(&line, &key, &val)) {
		if (!val && !strcmp(key, "all")) {
			all = true;
		} else if (val && !strcmp(key, "pasid")) {
			pasid_valid = true;
			err = kstrtou32(val, 0, &pasid);
		} else if (val && !strcmp(key, "addr")) {
			one = true;
			err = kstrtou64(val, 0, &addr);
		} else {
			err = -EINVAL;
		}
	}
	if (err)
		return err;
	if (all == (pasid_valid || one) || pasid >> MOCK_PASID_BITS ||
	    addr >> MOCK_ADDR_BITS)
		return -EINVAL;
	mock_pt_unmap(md, all, pasid_valid, pasid, one, addr);
	return 0;
}

static ssize_t mock_unmap_write(struct file *file, const char __user *ubuf,
				size_t len, loff_t *ppos)
{
	return mock_write_lines(file, ubuf, len, mock_unmap_line);
}

static const struct file_operations mock_unmap_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = mock_unmap_write,
};

/* pause: 1 stops the driver draining the queue, 0 lets it go on */
static ssize_t mock_pause_read(struct file *file, char __user *ubuf,
			       size_t len, loff_t *ppos)
{
	struct mock_dev *md = file->private_data;
	char buf[3];

	snprintf(buf, sizeof(buf), "%d\n", READ_ONCE(md->paused));
	return simple_read_from_buffer(ubuf, len, ppos, buf, 2);
}

static ssize_t mock_pause_write(struct file *file, const char __user *ubuf,
				size_t len, loff_t *ppos)
{
	struct mock_dev *md = file->private_data;
	bool pause;
	int err;

	err = kstrtobool_from_user(ubuf, len, &pause);
	if (err)
		return err;
	mutex_lock(&md->lock);
	WRITE_ONCE(md->paused, pause);
	mutex_unlock(&md->lock);
	mock_kick(md);
	wake_up_all(&md->wq);
	return len;
}

static const struct file_operations mock_pause_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = mock_pause_read,
	.write = mock_pause_write,
};

/* resolve: map | fail | defer */
static int mock_resolve_show(struct seq_file *m, void *v)
{
	struct mock_dev *md = m->private;

	seq_printf(m, "%s\n", mock_resolve_names[READ_ONCE(md->resolve)]);
	return 0;
}

static int mock_resolve_open(struct inode *inode, struct file *file)
{
	return single_open(file, mock_resolve_show, inode->i_private);
}

static ssize_t mock_resolve_write(struct file *file, const char __user *ubuf,
				  size_t len, loff_t *ppos)
{
	struct mock_dev *md = file_inode(file)->i_private;
	char buf[16];
	int mode;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	mode = sysfs_match_string(mock_resolve_names, buf);
	if (mode < 0)
		return mode;
	WRITE_ONCE(md->resolve, mode);
	return len;
}

static const struct file_operations mock_resolve_fops = {
	.owner = THIS_MODULE,
	.open = mock_resolve_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.write = mock_resolve_write,
	.release = single_release,
};

/* deferred: one line per group the resolver deferred */
static int mock_deferred_show(struct seq_file *m, void *v)
{
	mock_show_deferred(m, m->private);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(mock_deferred);

/* hwlog: the last responses the hardware received; a write clears */
static int mock_hwlog_show(struct seq_file *m, void *v)
{
	mock_hw_show_log(m, m->private);
	return 0;
}

static int mock_hwlog_open(struct inode *inode, struct file *file)
{
	/* Room for the whole log at once: a line is at most ~200 bytes. */
	return single_open_size(file, mock_hwlog_show, inode->i_private,
				MOCK_LOG_LEN * 200);
}

static ssize_t mock_hwlog_write(struct file *file, const char __user *ubuf,
				size_t len, loff_t *ppos)
{
	mock_hw_clear(file_inode(file)->i_private);
	return len;
}

static const struct file_operations mock_hwlog_fops = {
	.owner = THIS_MODULE,
	.open = mock_hwlog_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.write = mock_hwlog_write,
	.release = single_release,
};

/* hwstats: "key value" lines */
static int mock_hwstats_show(struct seq_file *m, void *v)
{
	mock_hw_show_stats(m, m->private);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(mock_hwstats);

/*
 * settle: waits (up to 30 s) until the queue is drained and every issued
 * group is answered but those deferred, then reads "unanswered N";
 * ENODEV if the device is unplugged meanwhile.
 */
static ssize_t mock_settle_read(struct file *file, char __user *ubuf,
				size_t len, loff_t *ppos)
{
	struct mock_dev *md = file->private_data;
	char buf[32];
	int n;

	if (*ppos)
		return 0;
	if (wait_event_killable_timeout(md->wq, mock_hw_settled(md) ||
					READ_ONCE(md->unplugged),
					MOCK_SETTLE_TIMEOUT) < 0)
		return -EINTR;
	if (READ_ONCE(md->unplugged))
		return -ENODEV;
	n = scnprintf(buf, sizeof(buf), "unanswered %u\n",
		      READ_ONCE(md->outstanding));
	return simple_read_from_buffer(ubuf, len, ppos, buf, n);
}

static const struct file_operations mock_settle_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = mock_settle_read,
};

/* A device's name written to a root file, for @fn: its errno or @len. */
static ssize_t mock_name_write(const char __user *ubuf, size_t len,
			       int (*fn)(const char *name))
{
	char name[IOFAULT_NAME_LEN];
	ssize_t n;
	int err;

	n = strncpy_from_user(name, ubuf, min(len, sizeof(name) - 1));
	if (n < 0)
		return n;
	name[n] = '\0';
	err = fn(strim(name));
	return err ?: len;
}

/* unplug (write a device's name): hot-remove it, see mock_unplug(). */
static ssize_t mock_unplug_write(struct file *file, const char __user *ubuf,
				 size_t len, loff_t *ppos)
{
	return mock_name_write(ubuf, len, mock_unplug);
}

static const struct file_operations mock_unplug_fops = {
	.owner = THIS_MODULE,
	.write = mock_unplug_write,
};

/*
 * plug (write a device's name, vtdN or smmuN): add it again, as the module
 * made it, with its parameters; EEXIST if it is there, EINVAL for a name
 * the module would not make (N below 64, no leading zero).
 */
static ssize_t mock_plug_write(struct file *file, const char __user *ubuf,
			       size_t len, loff_t *ppos)
{
	return mock_name_write(ubuf, len, mock_plug);
}

static const struct file_operations mock_plug_fops = {
	.owner = THIS_MODULE,
	.write = mock_plug_write,
};

/*
 * unplugged: "NAME issued N answered N auto N unanswered N duplicate N", a
 * line for each device unplugged; what was still in a queue the driver
 * did not drain (paused) is left out: see mock_dev_destroy().
 */
static ssize_t mock_unplugged_file_read(struct file *file, char __user *ubuf,
					size_t len, loff_t *ppos)
{
	return mock_unplugged_read(ubuf, len, ppos);
}

static const struct file_operations mock_unplugged_fops = {
	.owner = THIS_MODULE,
	.read = mock_unplugged_file_read,
};

void mock_debugfs_create_root(struct dentry *root)
{
	debugfs_create_file("unplug", 0200, root, NULL, &mock_unplug_fops);
	debugfs_create_file("plug", 0200, root, NULL, &mock_plug_fops);
	debugfs_create_file("unplugged", 0400, root, NULL, &mock_unplugged_fops);
}

void mock_debugfs_create(struct mock_dev *md, struct dentry *parent)
{
	md->dir = debugfs_create_dir(md->name, parent);
	debugfs_create_file("inject", 0200, md->dir, md, &mock_inject_fops);
	debugfs_create_file("storm", 0200, md->dir, md, &mock_storm_fops);
	debugfs_create_file("pause", 0600, md->dir, md, &mock_pause_fops);
	debugfs_create_file("resolve", 0600, md->dir, md, &mock_resolve_fops);
	debugfs_create_file("respond", 0200, md->dir, md, &mock_respond_fops);
	debugfs_create_file("deferred", 0400, md->dir, md, &mock_deferred_fops);
	debugfs_create_file("unmap", 0200, md->dir, md, &mock_unmap_fops);
	debugfs_create_file("hwlog", 0600, md->dir, md, &mock_hwlog_fops);
	debugfs_create_file("hwstats", 0400, md->dir, md, &mock_hwstats_fops);
	debugfs_create_file("settle", 0400, md->dir, md, &mock_settle_fops);
}
