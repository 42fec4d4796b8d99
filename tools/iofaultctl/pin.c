// SPDX-License-Identifier: GPL-2.0
/* iofaultctl: the pinned links that keep policies attached. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>
#include <bpf/bpf.h>

#include "iofaultctl.h"

/* A device name fits the kernel's and makes a pin name (no '/', '%'). */
bool dev_name_ok(const char *name)
{
	size_t len = strlen(name);

	return len > 0 && len < IOFAULT_NAME_LEN && !strpbrk(name, "/%") &&
	       strcmp(name, ".") && strcmp(name, "..");
}

/*
 * bpffs refuses names with a '.' (a PCI device "0000:00:04.0", a PASID
 * "sva0.pasid3"): a pin's name is its device's with each '.' made '%',
 * which device names never contain. @dev becomes @buf, or back.
 */
void pin_name(char *buf, size_t size, const char *dev, bool to_pin)
{
	size_t i;

	snprintf(buf, size, "%s", dev);
	for (i = 0; buf[i]; i++)
		if (buf[i] == (to_pin ? '.' : '%'))
			buf[i] = to_pin ? '%' : '.';
}

/* The pin of device dev's policy, or of the global policy if dev is NULL. */
void pin_path(const char *dev, char *buf, size_t size)
{
	char name[IOFAULT_NAME_LEN];

	if (dev) {
		pin_name(name, sizeof(name), dev, true);
		snprintf(buf, size, PIN_DEV_DIR "/%s", name);
	} else {
		snprintf(buf, size, "%s", PIN_GLOBAL);
	}
}

int bpffs_check(void)
{
	struct statfs st;

	if (!statfs(BPFFS_DIR, &st) && st.f_type == BPF_FS_MAGIC)
		return 0;
	errmsg("bpffs is not mounted at %s (mount -t bpf bpf %s)",
	       BPFFS_DIR, BPFFS_DIR);
	return -1;
}

static int make_dir(const char *path)
{
	if (mkdir(path, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

/* Returns 0 or a negative errno. */
int pin_mkdirs(void)
{
	int err = make_dir(PIN_DIR);

	return err ? err : make_dir(PIN_DEV_DIR);
}

/*
 * Open the struct_ops link pinned at path. *alive tells whether it still
 * holds a policy: the kernel empties the link of a device that went away.
 * Returns the link's fd, or a negative errno (-ENOENT: nothing pinned).
 */
int pin_open(const char *path, bool *alive)
{
	struct bpf_link_info info;
	__u32 len = sizeof(info);
	int fd, err;

	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	memset(&info, 0, sizeof(info));
	err = bpf_link_get_info_by_fd(fd, &info, &len);
	if (!err && info.type != BPF_LINK_TYPE_STRUCT_OPS)
		err = -EINVAL;
	if (err) {
		close(fd);
		return err;
	}
	*alive = info.struct_ops.map_id != 0;
	return fd;
}
