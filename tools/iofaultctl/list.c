// SPDX-License-Identifier: GPL-2.0
/* iofaultctl list: the devices, sorted by id, and the global policy. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iofaultctl.h"

struct device {
	char name[NAME_MAX + 1];
	unsigned long id;
	char driver[64];
	char policy[2 * IOFAULT_NAME_LEN];
	char last_exit[IOFAULT_EXIT_MSG_LEN + 3 * IOFAULT_NAME_LEN];
};

struct devices {
	struct device *v;
	size_t n, cap;
};

/* One of dev's sysfs files; returns 0 or a negative errno. */
static int read_attr(const char *dev, const char *attr, char *buf, size_t size)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), SYSFS_CLASS_DIR "/%s/%s", dev, attr);
	return sysfs_read(path, buf, size);
}

/*
 * Read a device's files into d. A device that went away meanwhile returns
 * -ENOENT and is skipped.
 */
static int read_device(const char *name, struct device *d)
{
	char id[32], *end;
	int err;

	snprintf(d->name, sizeof(d->name), "%s", name);
	err = read_attr(name, "id", id, sizeof(id));
	if (!err)
		err = read_attr(name, "driver", d->driver, sizeof(d->driver));
	if (!err)
		err = read_attr(name, "policy", d->policy, sizeof(d->policy));
	if (!err)
		err = read_attr(name, "last_exit", d->last_exit,
				sizeof(d->last_exit));
	if (err)
		return err;
	errno = 0;
	d->id = strtoul(id, &end, 10);
	return errno || end == id || *end ? -EINVAL : 0;
}

static int add_device(struct devices *ds, const char *name)
{
	struct device *v;
	int err;

	if (ds->n == ds->cap) {
		ds->cap = ds->cap ? 2 * ds->cap : 16;
		v = realloc(ds->v, ds->cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		ds->v = v;
	}
	err = read_device(name, &ds->v[ds->n]);
	if (err == -ENOENT)
		return 0;
	if (err) {
		errmsg("cannot read device %s in %s: %s",
		       name, SYSFS_CLASS_DIR, strerror(-err));
		return err;
	}
	ds->n++;
	return 0;
}

static int read_devices(struct devices *ds)
{
	struct dirent *de;
	DIR *dir;
	int err = 0;

	dir = sysfs_opendir(SYSFS_CLASS_DIR);
	if (!dir) {
		if (errno == ENOENT)
			return module_check();
		errmsg("cannot read %s: %s", SYSFS_CLASS_DIR, strerror(errno));
		return -1;
	}
	while (!err && (de = readdir(dir)))
		if (de->d_name[0] != '.')
			err = add_device(ds, de->d_name);
	closedir(dir);
	return err;
}

static int by_id(const void *a, const void *b)
{
	const struct device *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

static void print_devices(const struct devices *ds)
{
	int wn = strlen("DEVICE"), wd = strlen("DRIVER"), len;
	size_t i;

	if (!ds->n) {
		printf("no iofault devices\n");
		return;
	}
	for (i = 0; i < ds->n; i++) {
		len = strlen(ds->v[i].name);
		wn = len > wn ? len : wn;
		len = strlen(ds->v[i].driver);
		wd = len > wd ? len : wd;
	}
	printf("%-6s %-*s %-*s %s\n", "ID", wn, "DEVICE", wd, "DRIVER", "POLICY");
	for (i = 0; i < ds->n; i++) {
		printf("%-6lu %-*s %-*s %s\n", ds->v[i].id, wn, ds->v[i].name,
		       wd, ds->v[i].driver, ds->v[i].policy);
		/* Why the last policy stopped: "KIND CODE POLICY: MESSAGE". */
		if (ds->v[i].last_exit[0])
			printf("%-6s %-*s last stop: %s\n", "", wn, "",
			       ds->v[i].last_exit);
	}
}

static int print_global(void)
{
	char name[IOFAULT_NAME_LEN + 1];
	char last_exit[IOFAULT_EXIT_MSG_LEN + 3 * IOFAULT_NAME_LEN];
	int err = sysfs_read(SYSFS_GLOBAL_POLICY, name, sizeof(name));

	if (!err)
		err = sysfs_read(SYSFS_GLOBAL_LAST_EXIT, last_exit,
				 sizeof(last_exit));
	if (err) {
		errmsg("cannot read %s: %s", SYSFS_KERNEL_DIR, strerror(-err));
		return -1;
	}
	printf("global policy: %s\n", name[0] ? name : "none");
	if (last_exit[0])
		printf("global policy last stop: %s\n", last_exit);
	return 0;
}

int cmd_list(int argc, char **argv)
{
	struct devices ds = { NULL, 0, 0 };
	int err;

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))
		return help();
	if (argc > 1)
		return usage_error("list: unexpected argument '%s'", argv[1]);
	err = read_devices(&ds);
	if (!err) {
		qsort(ds.v, ds.n, sizeof(*ds.v), by_id);
		print_devices(&ds);
		err = print_global();
	}
	free(ds.v);
	return err ? EXIT_FAIL : 0;
}
