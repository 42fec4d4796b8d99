// SPDX-License-Identifier: GPL-2.0
/*
 * iofaultctl attach: load a policy, attach it through a struct_ops link and
 * pin the link, so that the policy stays attached after the tool exits.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "iofaultctl.h"

struct attach_args {
	const char *obj;
	const char *dev;	/* NULL: the global policy */
	const char *map;
};

/* How libbpf reports a program the kernel refused to load. */
#define PROG_LOAD_FAILED	"libbpf: prog '%s': BPF program load failed"

static char failed_prog[128];

/* Keep libbpf's warnings, noting which program failed to load. */
static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	va_list aq;

	if (level != LIBBPF_WARN)
		return 0;
	if (!strncmp(fmt, PROG_LOAD_FAILED, strlen(PROG_LOAD_FAILED))) {
		va_copy(aq, ap);
		snprintf(failed_prog, sizeof(failed_prog), "%s",
			 va_arg(aq, const char *));
		va_end(aq);
	}
	return vfprintf(stderr, fmt, ap);
}

/* libbpf's errors include its own codes, past the errno range. */
static const char *lerr(int err)
{
	static char buf[128];

	libbpf_strerror(err, buf, sizeof(buf));
	return buf;
}

static void perm_error(const char *obj)
{
	errmsg("%s: loading a policy needs root (CAP_BPF and CAP_SYS_ADMIN): %s",
	       obj, strerror(EPERM));
}

static void busy_error(const char *dev)
{
	if (dev)
		errmsg("%s already has a policy: %s", dev, strerror(EBUSY));
	else
		errmsg("a global policy is already attached: %s",
		       strerror(EBUSY));
}

static void nodev_error(const char *dev)
{
	errmsg("no iofault device %s: %s", dev, strerror(ENODEV));
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

static int load(struct bpf_object *obj, const char *path)
{
	int err = bpf_object__load(obj);

	if (!err)
		return 0;
	err = -err;
	if (err == EPERM)
		perm_error(path);
	else if (failed_prog[0])
		errmsg("%s: the verifier rejected program %s: %s",
		       path, failed_prog, lerr(err));
	else
		errmsg("cannot load %s: %s", path, lerr(err));
	return -1;
}

static void attach_error(const struct attach_args *a, const char *name,
			 int err)
{
	const char *to = a->dev ? a->dev : "the global slot";

	if (err == EPERM)
		perm_error(a->obj);
	else if (err == ENODEV && a->dev)
		nodev_error(a->dev);
	else if (err == EBUSY)
		busy_error(a->dev);
	else
		errmsg("cannot attach policy %s from %s to %s: %s",
		       name, a->obj, to, strerror(err));
}

/* Attach, then pin; a link that cannot be pinned is detached at once. */
static int attach_and_pin(struct bpf_map *map, const struct attach_args *a,
			  const char *name)
{
	char path[PATH_MAX];
	struct bpf_link *link;
	int err;

	link = bpf_map__attach_struct_ops(map);
	if (!link) {
		attach_error(a, name, errno);
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

static int attach(const struct attach_args *a)
{
	char name[IOFAULT_NAME_LEN];
	struct bpf_object *obj;
	struct bpf_map *map;
	int err;

	libbpf_set_print(libbpf_print);
	obj = bpf_object__open_file(a->obj, NULL);
	if (!obj) {
		errmsg("cannot open %s: %s", a->obj, lerr(errno));
		return -1;
	}
	map = policy_select(obj, a->obj, a->map);
	err = !map ||
	      policy_prepare(obj, map, a->obj, a->dev ? a->dev : "", name) ||
	      preflight(a->dev) || load(obj, a->obj) ||
	      attach_and_pin(map, a, name);
	bpf_object__close(obj);
	return err ? -1 : 0;
}

int cmd_attach(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dev", required_argument, NULL, 'd' },
		{ "global", no_argument, NULL, 'g' },
		{ "map", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct attach_args a = { NULL, NULL, NULL };
	bool global = false;
	int c;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			a.dev = optarg;
			break;
		case 'g':
			global = true;
			break;
		case 'm':
			a.map = optarg;
			break;
		case 'h':
			return help();
		default:
			return bad_option(argv[0], c, argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return usage_error("attach: give one BPF object file");
	a.obj = argv[optind];
	if (!a.dev == !global)
		return usage_error("attach: give one of --dev NAME and --global");
	if (a.dev && !dev_name_ok(a.dev))
		return usage_error("attach: bad device name '%s' (1 to %d characters, no '/')",
				   a.dev, IOFAULT_NAME_LEN - 1);
	return attach(&a) ? EXIT_FAIL : 0;
}
