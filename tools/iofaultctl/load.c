// SPDX-License-Identifier: GPL-2.0
/*
 * iofaultctl: what attach and replace share. Both take the same arguments,
 * open the policy's object the same way (its target set, a real link asked
 * for, its const volatile globals set) and report loading errors alike.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>
#include <bpf/libbpf.h>

#include "iofaultctl.h"

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
	/*
	 * Its first probe fails for want of privileges too, and then blames
	 * the kernel's configuration and RLIMIT_MEMLOCK: policy_load() says
	 * what is wrong instead.
	 */
	if (strstr(fmt, "RLIMIT_MEMLOCK"))
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
const char *lerr(int err)
{
	static char buf[128];

	libbpf_strerror(err, buf, sizeof(buf));
	return buf;
}

void perm_error(const char *obj)
{
	errmsg("%s: loading a policy needs root (CAP_SYS_ADMIN, or CAP_BPF and CAP_PERFMON): %s",
	       obj, strerror(EPERM));
}

/* Whether capability cap is in the effective set of d. */
static bool cap_has(const struct __user_cap_data_struct *d, int cap)
{
	return d[cap / 32].effective & (1U << (cap % 32));
}

/*
 * Loading a policy takes CAP_BPF and CAP_PERFMON (struct_ops programs), or
 * CAP_SYS_ADMIN: check before libbpf tries, so that a user without them
 * gets one line that says so. Returns 0, or -1 (said why).
 */
int priv_check(const char *obj)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &hdr, d))
		return 0;	/* the kernel will tell */
	if (cap_has(d, CAP_SYS_ADMIN) ||
	    (cap_has(d, CAP_BPF) && cap_has(d, CAP_PERFMON)))
		return 0;
	perm_error(obj);
	return -1;
}

void nodev_error(const char *dev)
{
	errmsg("no iofault device %s: %s", dev, strerror(ENODEV));
}

/*
 * Parse "OBJ (--dev NAME | --global) [--map MAP] [--set VAR=VALUE]..."
 * into a. Returns -1 if the command is to go on, else its exit code (that
 * of help or of a usage error). policy_args_free() frees a.
 */
int policy_args_parse(int argc, char **argv, struct policy_args *a)
{
	static const struct option opts[] = {
		{ "dev", required_argument, NULL, 'd' },
		{ "global", no_argument, NULL, 'g' },
		{ "map", required_argument, NULL, 'm' },
		{ "set", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd = argv[0], *eq;
	bool global = false;
	int c;

	memset(a, 0, sizeof(*a));
	a->sets = calloc(argc, sizeof(*a->sets));
	if (!a->sets) {
		errmsg("%s", strerror(ENOMEM));
		return EXIT_FAIL;
	}
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			a->dev = optarg;
			break;
		case 'g':
			global = true;
			break;
		case 'm':
			a->map = optarg;
			break;
		case 's':
			eq = strchr(optarg, '=');
			if (!eq || eq == optarg || !eq[1])
				return usage_error("%s: --set takes VAR=VALUE, not '%s'",
						   cmd, optarg);
			a->sets[a->nr_sets++] = optarg;
			break;
		case 'h':
			return help();
		default:
			return bad_option(cmd, c, argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return usage_error("%s: give one BPF object file", cmd);
	a->obj = argv[optind];
	if (!a->dev == !global)
		return usage_error("%s: give one of --dev NAME and --global", cmd);
	if (a->dev && !dev_name_ok(a->dev))
		return usage_error("%s: bad device name '%s' (1 to %d characters, no '/' or '%%')",
				   cmd, a->dev, IOFAULT_NAME_LEN - 1);
	return -1;
}

void policy_args_free(struct policy_args *a)
{
	free(a->sets);
	a->sets = NULL;
}

/*
 * Open a's object and make its policy ready to load: *map is the policy
 * and name its name. Returns the object, or NULL (said why).
 */
struct bpf_object *policy_open(const struct policy_args *a,
			       struct bpf_map **map,
			       char name[IOFAULT_NAME_LEN])
{
	struct bpf_object *obj;
	size_t i;

	libbpf_set_print(libbpf_print);
	obj = bpf_object__open_file(a->obj, NULL);
	if (!obj) {
		errmsg("cannot open %s: %s", a->obj, lerr(errno));
		return NULL;
	}
	*map = policy_select(obj, a->obj, a->map);
	if (!*map ||
	    policy_prepare(obj, *map, a->obj, a->dev ? a->dev : "", name))
		goto fail;
	for (i = 0; i < a->nr_sets; i++)
		if (rodata_set(obj, a->obj, a->sets[i]))
			goto fail;
	return obj;
fail:
	bpf_object__close(obj);
	return NULL;
}

/* Load the object: the kernel verifies its programs. */
int policy_load(struct bpf_object *obj, const char *path)
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
