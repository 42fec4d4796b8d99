// SPDX-License-Identifier: GPL-2.0
/*
 * iofaultctl: what the module shows in sysfs. Every sysfs path goes
 * through here: IOFAULTCTL_SYSFS=DIR puts DIR before it (DIR/sys/...), so
 * that tests can run the tool on a fake tree.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iofaultctl.h"

/* The largest file read whole: sysfs shows at most a page. */
#define SYSFS_FILE_MAX	(1 << 20)

/* path under the root IOFAULTCTL_SYSFS names, "" (/) by default. */
static void sysfs_path(char *buf, size_t size, const char *path)
{
	const char *root = getenv("IOFAULTCTL_SYSFS");

	snprintf(buf, size, "%s%s", root ? root : "", path);
}

static int sysfs_open(const char *path)
{
	char real[PATH_MAX];

	sysfs_path(real, sizeof(real), path);
	return open(real, O_RDONLY | O_CLOEXEC);
}

/*
 * Read the first line of a sysfs file into buf, without its newline.
 * Returns 0 or a negative errno.
 */
int sysfs_read(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd, err = 0;

	fd = sysfs_open(path);
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

/*
 * Read a whole sysfs file into *text, NUL-terminated, to be freed.
 * Returns 0 or a negative errno (-EFBIG past SYSFS_FILE_MAX).
 */
int sysfs_read_all(const char *path, char **text)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap), *p;
	ssize_t n;
	int fd, err = 0;

	*text = NULL;
	if (!buf)
		return -ENOMEM;
	fd = sysfs_open(path);
	if (fd < 0) {
		err = -errno;
		free(buf);
		return err;
	}
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += n;
		if (len + 1 < cap)
			continue;
		p = cap < SYSFS_FILE_MAX ? realloc(buf, 2 * cap) : NULL;
		if (!p) {
			err = cap < SYSFS_FILE_MAX ? -ENOMEM : -EFBIG;
			break;
		}
		buf = p;
		cap *= 2;
	}
	if (n < 0)
		err = -errno;
	close(fd);
	if (err) {
		free(buf);
		return err;
	}
	buf[len] = '\0';
	*text = buf;
	return 0;
}

DIR *sysfs_opendir(const char *path)
{
	char real[PATH_MAX];

	sysfs_path(real, sizeof(real), path);
	return opendir(real);
}

bool sysfs_exists(const char *path)
{
	char real[PATH_MAX];

	sysfs_path(real, sizeof(real), path);
	return !access(real, F_OK);
}

/* The module registers its class when it loads: say so if it did not. */
int module_check(void)
{
	char real[PATH_MAX];
	struct stat st;

	sysfs_path(real, sizeof(real), SYSFS_CLASS_DIR);
	if (!stat(real, &st))
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
	return sysfs_exists(path);
}
