// SPDX-License-Identifier: GPL-2.0
/* iofaultctl: what the module shows in sysfs. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iofaultctl.h"

/*
 * Read the first line of a sysfs file into buf, without its newline.
 * Returns 0 or a negative errno.
 */
int sysfs_read(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0)
		err = -errno;
	close(fd);
	if (err)
		return err;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* The module registers its class when it loads: say so if it did not. */
int module_check(void)
{
	struct stat st;

	if (!stat(SYSFS_CLASS_DIR, &st))
		return 0;
	if (errno == ENOENT)
		errmsg("the iofault module is not loaded (no %s)",
		       SYSFS_CLASS_DIR);
	else
		errmsg("cannot read %s: %s", SYSFS_CLASS_DIR, strerror(errno));
	return -1;
}

bool device_registered(const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), SYSFS_CLASS_DIR "/%s", name);
	return !access(path, F_OK);
}
