// SPDX-License-Identifier: GPL-2.0
/*
 * iofault_mock: mock IOMMU hardware for tests and demos.
 *
 * Creates `ndevs` devices named mock0, mock1, ... registered with iofault.
 * Each has a debugfs directory /sys/kernel/debug/iofault_mock/<name>/:
 *   inject   write fault descriptions, one per line, as key=value words:
 *              pasid=N     the request carries PASID N
 *              grpid=N     page request group index (default 0)
 *              addr=X      faulting address (default 0)
 *              perm=rwxp   attempted access (default r)
 *              last        last request of its group
 *              priv=A,B    request carries private data A and B
 *              count=N     N single-page groups, grpid and addr counting up
 *              dma         an unrecoverable fault instead of a page request
 *   hwlog    the responses the "hardware" received, oldest first (the last
 *            MOCK_LOG_LEN); any write clears it and the counters
 *   hwstats  responses received, in all and by code
 * The resolver succeeds for every request: it stands for a driver that
 * maps the page.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/iofault.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#define MOCK_LOG_LEN	4096
#define MOCK_INJECT_MAX	4096	/* bytes accepted by one write to inject */

static unsigned int ndevs = 2;
module_param(ndevs, uint, 0444);
MODULE_PARM_DESC(ndevs, "number of mock devices (default 2)");

struct mock_resp {
	u32 pasid;
	u32 grpid;
	u32 code;
	u32 flags;
	u64 private_data[2];
};

struct mock_dev {
	struct iofault_device *idev;
	struct dentry *dir;
	spinlock_t lock;		/* protects the log and the counters */
	struct mock_resp log[MOCK_LOG_LEN];
	unsigned int log_next;
	u64 nr_resp;
	u64 nr_code[IOFAULT_RESP_NR];
};

static struct dentry *mock_root;
static struct mock_dev **mock_devs;

static const char * const mock_code_names[IOFAULT_RESP_NR] = {
	[IOFAULT_RESP_SUCCESS] = "success",
	[IOFAULT_RESP_INVALID] = "invalid",
	[IOFAULT_RESP_FAILURE] = "failure",
};

static int mock_page_response(struct iofault_device *idev,
			      const struct iofault_fault *fault,
			      const struct iofault_page_response *resp)
{
	struct mock_dev *md = iofault_device_drvdata(idev);
	struct mock_resp *r;

	if (WARN_ON_ONCE(resp->code >= IOFAULT_RESP_NR))
		return -EINVAL;
	spin_lock(&md->lock);
	r = &md->log[md->log_next++ % MOCK_LOG_LEN];
	r->pasid = resp->pasid;
	r->grpid = resp->grpid;
	r->code = resp->code;
	r->flags = fault->flags;
	memcpy(r->private_data, fault->private_data, sizeof(r->private_data));
	md->nr_resp++;
	md->nr_code[resp->code]++;
	spin_unlock(&md->lock);
	return 0;
}

static int mock_resolve(struct iofault_device *idev,
			const struct iofault_fault *fault, u64 cookie)
{
	return IOFAULT_RESP_SUCCESS;
}

static const struct iofault_driver_ops mock_ops = {
	.owner = THIS_MODULE,
	.page_response = mock_page_response,
	.resolve = mock_resolve,
};

static int mock_parse_perm(const char *s, u32 *perm)
{
	*perm = 0;
	for (; *s; s++) {
		switch (*s) {
		case 'r': *perm |= IOFAULT_PERM_READ; break;
		case 'w': *perm |= IOFAULT_PERM_WRITE; break;
		case 'x': *perm |= IOFAULT_PERM_EXEC; break;
		case 'p': *perm |= IOFAULT_PERM_PRIV; break;
		default: return -EINVAL;
		}
	}
	return 0;
}

/* Parse one line of key=value words into @f and a repeat count. */
static int mock_parse_fault(char *line, struct iofault_fault *f, u32 *count)
{
	char *word, *val;
	int err = 0;

	*f = (struct iofault_fault) {
		.type = IOFAULT_FAULT_PAGE_REQ,
		.perm = IOFAULT_PERM_READ,
	};
	*count = 1;
	while (!err && (word = strsep(&line, " \t"))) {
		if (!*word)
			continue;
		val = strchr(word, '=');
		if (val)
			*val++ = '\0';
		if (!strcmp(word, "last") && !val) {
			f->flags |= IOFAULT_PR_LAST_PAGE;
		} else if (!strcmp(word, "dma") && !val) {
			f->type = IOFAULT_FAULT_DMA_UNRECOV;
		} else if (!val) {
			err = -EINVAL;
		} else if (!strcmp(word, "pasid")) {
			f->flags |= IOFAULT_PR_PASID_VALID;
			err = kstrtou32(val, 0, &f->pasid);
		} else if (!strcmp(word, "grpid")) {
			err = kstrtou32(val, 0, &f->grpid);
		} else if (!strcmp(word, "addr")) {
			err = kstrtou64(val, 0, &f->addr);
		} else if (!strcmp(word, "perm")) {
			err = mock_parse_perm(val, &f->perm);
		} else if (!strcmp(word, "count")) {
			err = kstrtou32(val, 0, count);
		} else if (!strcmp(word, "priv")) {
			char *second = strchr(val, ',');

			if (!second)
				return -EINVAL;
			*second++ = '\0';
			f->flags |= IOFAULT_PR_PRIV_DATA;
			err = kstrtou64(val, 0, &f->private_data[0]) ?:
			      kstrtou64(second, 0, &f->private_data[1]);
		} else {
			err = -EINVAL;
		}
	}
	return err;
}

static int mock_inject_line(struct mock_dev *md, char *line)
{
	struct iofault_fault f;
	u32 count, i;
	int err;

	err = mock_parse_fault(line, &f, &count);
	if (err)
		return err;
	if (count > 1)
		f.flags |= IOFAULT_PR_LAST_PAGE;
	for (i = 0; i < count; i++) {
		err = iofault_report(md->idev, &f);
		if (err)
			return err;
		f.grpid++;
		f.addr += PAGE_SIZE;
		cond_resched();
	}
	return 0;
}

static ssize_t mock_inject_write(struct file *file, const char __user *ubuf,
				 size_t len, loff_t *ppos)
{
	struct mock_dev *md = file_inode(file)->i_private;
	char *buf, *pos, *line;
	int err = 0;

	if (len > MOCK_INJECT_MAX)
		return -E2BIG;
	buf = memdup_user_nul(ubuf, len);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	pos = buf;
	while (!err && (line = strsep(&pos, "\n")))
		if (*line)
			err = mock_inject_line(md, line);
	kfree(buf);
	return err ?: len;
}

static const struct file_operations mock_inject_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = mock_inject_write,
};

static int mock_hwlog_show(struct seq_file *m, void *v)
{
	struct mock_dev *md = m->private;
	unsigned int i, first, n;

	spin_lock(&md->lock);
	n = min_t(u64, md->nr_resp, MOCK_LOG_LEN);
	first = md->log_next - n;
	for (i = 0; i < n; i++) {
		const struct mock_resp *r = &md->log[(first + i) % MOCK_LOG_LEN];

		seq_printf(m, "pasid=%u grpid=%u code=%s", r->pasid, r->grpid,
			   mock_code_names[r->code]);
		if (r->flags & IOFAULT_PR_PRIV_DATA)
			seq_printf(m, " priv=%#llx,%#llx", r->private_data[0],
				   r->private_data[1]);
		seq_putc(m, '\n');
	}
	spin_unlock(&md->lock);
	return 0;
}

static int mock_hwlog_open(struct inode *inode, struct file *file)
{
	/* The whole log can exceed one page: size the buffer for it. */
	return single_open_size(file, mock_hwlog_show, inode->i_private,
				MOCK_LOG_LEN * 80);
}

static ssize_t mock_hwlog_write(struct file *file, const char __user *ubuf,
				size_t len, loff_t *ppos)
{
	struct mock_dev *md = file_inode(file)->i_private;

	spin_lock(&md->lock);
	md->log_next = 0;
	md->nr_resp = 0;
	memset(md->nr_code, 0, sizeof(md->nr_code));
	spin_unlock(&md->lock);
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

static int mock_hwstats_show(struct seq_file *m, void *v)
{
	struct mock_dev *md = m->private;
	int code;

	spin_lock(&md->lock);
	seq_printf(m, "responses %llu\n", md->nr_resp);
	for (code = 0; code < IOFAULT_RESP_NR; code++)
		seq_printf(m, "%s %llu\n", mock_code_names[code],
			   md->nr_code[code]);
	spin_unlock(&md->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(mock_hwstats);

static struct mock_dev *mock_dev_create(unsigned int index)
{
	struct iofault_device_info info = { .ops = &mock_ops };
	char name[IOFAULT_NAME_LEN];
	struct mock_dev *md;

	md = kvzalloc(sizeof(*md), GFP_KERNEL);
	if (!md)
		return ERR_PTR(-ENOMEM);
	spin_lock_init(&md->lock);
	snprintf(name, sizeof(name), "mock%u", index);
	info.name = name;
	info.drvdata = md;
	md->idev = iofault_device_register(&info);
	if (IS_ERR(md->idev)) {
		int err = PTR_ERR(md->idev);

		kvfree(md);
		return ERR_PTR(err);
	}
	md->dir = debugfs_create_dir(name, mock_root);
	debugfs_create_file("inject", 0200, md->dir, md, &mock_inject_fops);
	debugfs_create_file("hwlog", 0600, md->dir, md, &mock_hwlog_fops);
	debugfs_create_file("hwstats", 0400, md->dir, md, &mock_hwstats_fops);
	return md;
}

static void mock_dev_destroy(struct mock_dev *md)
{
	/* No injection can run once the files are gone. */
	debugfs_remove(md->dir);
	iofault_device_unregister(md->idev);
	kvfree(md);
}

static void mock_destroy_all(void)
{
	unsigned int i;

	for (i = 0; i < ndevs; i++)
		if (mock_devs[i])
			mock_dev_destroy(mock_devs[i]);
	kfree(mock_devs);
	debugfs_remove(mock_root);
}

static int __init mock_init(void)
{
	unsigned int i;

	if (!ndevs || ndevs > 64)
		return -EINVAL;
	mock_devs = kcalloc(ndevs, sizeof(*mock_devs), GFP_KERNEL);
	if (!mock_devs)
		return -ENOMEM;
	mock_root = debugfs_create_dir(KBUILD_MODNAME, NULL);
	for (i = 0; i < ndevs; i++) {
		struct mock_dev *md = mock_dev_create(i);

		if (IS_ERR(md)) {
			pr_err("cannot create mock%u: %pe\n", i, md);
			mock_destroy_all();
			return PTR_ERR(md);
		}
		mock_devs[i] = md;
	}
	return 0;
}

static void __exit mock_exit(void)
{
	mock_destroy_all();
}

module_init(mock_init);
module_exit(mock_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Mock IOMMU devices for iofault tests");
