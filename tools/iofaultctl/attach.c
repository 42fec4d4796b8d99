// SPDX-License-Identifier: GPL-2.0
/*
 * iofaultctl attach: load a policy, attach it through a struct_ops link and
 * pin the link, so that the policy stays attached after the tool exits.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "iofaultctl.h"

static void busy_error(const char *dev)
{
	if (dev)
		errmsg("%s already has a policy: %s", dev, strerror(EBUSY));
	else
		errmsg("a global policy is already attached: %s",
		       strerror(EBUSY));
}

/*
 * What can be checked before loading: the module, the device, bpffs and
 * the pin. A live pin means the target is taken; a dead one (the kernel
 * detached its policy, e.g. when its device went away) is removed, to be
 * replaced.
 */
static int preflight(const char *dev)
{
	char path[PATH_MAX];
	bool alive;
	int fd;

	if (module_check())
		return -1;
	if (dev && !device_registered(dev)) {
		nodev_error(dev);
		return -1;
	}
	if (bpffs_check())
		return -1;
	pin_path(dev, path, sizeof(path));
	fd = pin_open(path, &alive);
	if (fd < 0)	/* nothing pinned, or pinning will say why not */
		return 0;
	close(fd);
	if (alive) {
		busy_error(dev);
		return -1;
	}
	if (unlink(path)) {
		errmsg("cannot remove the dead link pinned at %s: %s",
		       path, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Loading took the privileges attaching needs: past EBUSY and ENODEV, an
 * error comes from the policy's init callback, if it has one.
 */
static void attach_error(const struct policy_args *a, const char *name,
			 bool has_init, int err)
{
	const char *to = a->dev ? a->dev : "the global slot";

	if (err == ENODEV && a->dev)
		nodev_error(a->dev);
	else if (err == EBUSY)
		busy_error(a->dev);
	else if (has_init)
		errmsg("cannot attach policy %s from %s to %s: its init callback refused: %s",
		       name, a->obj, to, strerror(err));
	else
		errmsg("cannot attach policy %s from %s to %s: %s",
		       name, a->obj, to, strerror(err));
}

/* Attach, then pin; a link that cannot be pinned is detached at once. */
static int attach_and_pin(struct bpf_object *obj, struct bpf_map *map,
			  const struct policy_args *a, const char *name)
{
	char path[PATH_MAX];
	struct bpf_link *link;
	int err;

	link = bpf_map__attach_struct_ops(map);
	if (!link) {
		err = errno;
		attach_error(a, name, policy_has_callback(obj, map, "init"),
			     err);
		return -1;
	}
	pin_path(a->dev, path, sizeof(path));
	err = pin_mkdirs();
	if (!err)
		err = bpf_link__pin(link, path);
	if (err) {
		errmsg("cannot pin the link of policy %s at %s, detached it: %s",
		       name, path, strerror(-err));
		bpf_link_detach(bpf_link__fd(link));
		bpf_link__destroy(link);
		return -1;
	}
	/* This closes our fd only: the pin keeps the policy attached. */
	bpf_link__destroy(link);
	if (a->dev)
		printf("attached policy %s from %s to %s (link pinned at %s)\n",
		       name, a->obj, a->dev, path);
	else
		printf("attached policy %s from %s as the global policy (link pinned at %s)\n",
		       name, a->obj, path);
	return 0;
}

static int attach(const struct policy_args *a)
{
	char name[IOFAULT_NAME_LEN];
	struct bpf_object *obj;
	struct bpf_map *map;
	int err;

	if (priv_check(a->obj))
		return -1;
	obj = policy_open(a, &map, name);
	if (!obj)
		return -1;
	err = preflight(a->dev) || policy_load(obj, a->obj) ||
	      attach_and_pin(obj, map, a, name);
	bpf_object__close(obj);
	return err ? -1 : 0;
}

int cmd_attach(int argc, char **argv)
{
	struct policy_args a;
	int ret = policy_args_parse(argc, argv, &a);

	if (ret < 0)
		ret = attach(&a) ? EXIT_FAIL : 0;
	policy_args_free(&a);
	return ret;
}
