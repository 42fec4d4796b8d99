// SPDX-License-Identifier: GPL-2.0
/*
 * iofaultctl replace: load a policy and put it in the place of the one a
 * pinned link holds, in one step (BPF_LINK_UPDATE): the device is never
 * without a policy, and no fault group is lost. The kernel releases the
 * old policy; the pin then holds the new one, which stays attached after
 * the tool exits.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "iofaultctl.h"

/* "the policy of NAME" or "the global policy" */
static const char *old_policy(const char *dev)
{
	static char buf[32 + IOFAULT_NAME_LEN];

	if (!dev)
		return "the global policy";
	snprintf(buf, sizeof(buf), "the policy of %s", dev);
	return buf;
}

static void stopped_error(const char *dev)
{
	errmsg("%s already stopped (it was ejected%s): use iofaultctl attach instead",
	       old_policy(dev), dev ? ", or its device went away" : "");
}

/*
 * The link of the policy to replace, its fd, or -1 (said why). The module
 * and bpffs are checked first, for the clearer message.
 */
static int link_open(const struct policy_args *a)
{
	char path[PATH_MAX];
	bool alive;
	int fd;

	if (module_check() || bpffs_check())
		return -1;
	pin_path(a->dev, path, sizeof(path));
	fd = pin_open(path, &alive);
	if (fd == -ENOENT) {
		if (a->dev)
			errmsg("no policy attached to %s", a->dev);
		else
			errmsg("no global policy attached");
		return -1;
	}
	if (fd == -EPERM || fd == -EACCES) {
		perm_error(a->obj);
		return -1;
	}
	if (fd < 0) {
		errmsg("cannot open the link pinned at %s: %s",
		       path, strerror(-fd));
		return -1;
	}
	if (!alive) {
		stopped_error(a->dev);
		close(fd);
		return -1;
	}
	return fd;
}

static void update_error(const struct policy_args *a, const char *name,
			 int err)
{
	switch (err) {
	case ENOLINK:	/* the link was detached meanwhile */
	case ENODEV:	/* the policy stopped, its link not yet detached */
		stopped_error(a->dev);
		break;
	case EPERM:
		/* Loading needed the privileges already: its init refused. */
		errmsg("cannot replace %s by %s from %s: its init callback refused: %s",
		       old_policy(a->dev), name, a->obj, strerror(err));
		break;
	case EINVAL:
		errmsg("cannot replace %s by %s from %s: the kernel refused it (both must have the same target and timeout_ms): %s",
		       old_policy(a->dev), name, a->obj, strerror(err));
		break;
	case EBUSY:
		errmsg("cannot replace %s by %s from %s: the new policy is attached elsewhere: %s",
		       old_policy(a->dev), name, a->obj, strerror(err));
		break;
	case EOPNOTSUPP:
		errmsg("the iofault module cannot replace policies (%s): is it older than this iofaultctl?",
		       strerror(err));
		break;
	default:
		errmsg("cannot replace %s by %s from %s: %s",
		       old_policy(a->dev), name, a->obj, strerror(err));
	}
}

static int replace(const struct policy_args *a)
{
	char name[IOFAULT_NAME_LEN];
	struct bpf_object *obj;
	struct bpf_map *map;
	int fd = -1, err;

	if (priv_check(a->obj))
		return -1;
	obj = policy_open(a, &map, name);
	if (!obj)
		return -1;
	err = (fd = link_open(a)) < 0 || policy_load(obj, a->obj) ||
	      policy_write_value(obj, map, a->obj);
	if (!err && bpf_link_update(fd, bpf_map__fd(map), NULL)) {
		update_error(a, name, errno);
		err = -1;
	}
	if (fd >= 0)
		close(fd);
	/* The link holds the new policy now: closing the object leaves it. */
	bpf_object__close(obj);
	if (err)
		return -1;
	if (a->dev)
		printf("replaced the policy of %s by %s from %s\n",
		       a->dev, name, a->obj);
	else
		printf("replaced the global policy by %s from %s\n",
		       name, a->obj);
	return 0;
}

int cmd_replace(int argc, char **argv)
{
	struct policy_args a;
	int ret = policy_args_parse(argc, argv, &a);

	if (ret < 0)
		ret = replace(&a) ? EXIT_FAIL : 0;
	policy_args_free(&a);
	return ret;
}
