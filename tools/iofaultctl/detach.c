// SPDX-License-Identifier: GPL-2.0
/*
 * iofaultctl detach: detach a pinned policy link and remove its pin. The
 * detach is synchronous (BPF_LINK_DETACH runs the module's unreg before
 * the tool exits); removing the pin alone would release it later. The tool
 * then waits until the BPF core has freed the policy (freed.c), so that
 * `rmmod iofault` works at once.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "iofaultctl.h"

/* Detach the policy of device dev, or the global one if dev is NULL. */
static int detach_one(const char *dev)
{
	char path[PATH_MAX];
	bool alive;
	int fd;

	pin_path(dev, path, sizeof(path));
	fd = pin_open(path, &alive);
	if (fd == -ENOENT) {
		if (dev)
			errmsg("no policy attached to %s", dev);
		else
			errmsg("no global policy attached");
		return -1;
	}
	if (fd < 0) {
		errmsg("cannot open the link pinned at %s: %s",
		       path, strerror(-fd));
		return -1;
	}
	freed_note_link(fd);
	if (bpf_link_detach(fd)) {
		errmsg("cannot detach the link pinned at %s: %s",
		       path, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	if (unlink(path)) {
		errmsg("detached, but cannot remove %s: %s",
		       path, strerror(errno));
		return -1;
	}
	if (!alive)
		printf("removed %s: the kernel had already detached its policy\n",
		       path);
	else if (dev)
		printf("detached the policy of %s\n", dev);
	else
		printf("detached the global policy\n");
	return 0;
}

static int not_dot(const struct dirent *d)
{
	return strcmp(d->d_name, ".") && strcmp(d->d_name, "..");
}

/* Every pinned policy: the global one, then each device's. */
static int detach_all(void)
{
	char dev[IOFAULT_NAME_LEN];
	struct dirent **names;
	int i, n, failed = 0, found = 0;

	if (!access(PIN_GLOBAL, F_OK)) {
		found++;
		failed |= detach_one(NULL);
	}
	n = scandir(PIN_DEV_DIR, &names, not_dot, alphasort);
	if (n < 0 && errno != ENOENT) {
		errmsg("cannot read %s: %s", PIN_DEV_DIR, strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		found++;
		pin_name(dev, sizeof(dev), names[i]->d_name, false);
		failed |= detach_one(dev);
		free(names[i]);
	}
	if (n > 0)
		free(names);
	if (!found)
		printf("no policy is pinned under %s\n", PIN_DIR);
	return failed;
}

int cmd_detach(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dev", required_argument, NULL, 'd' },
		{ "global", no_argument, NULL, 'g' },
		{ "all", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dev = NULL;
	bool global = false, all = false;
	int c, ret;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dev = optarg;
			break;
		case 'g':
			global = true;
			break;
		case 'a':
			all = true;
			break;
		case 'h':
			return help();
		default:
			return bad_option(argv[0], c, argv[optind - 1]);
		}
	}
	if (optind != argc)
		return usage_error("detach: unexpected argument '%s'",
				   argv[optind]);
	if (!!dev + global + all != 1)
		return usage_error("detach: give one of --dev NAME, --global and --all");
	if (dev && !dev_name_ok(dev))
		return usage_error("detach: bad device name '%s' (1 to %d characters, no '/' or '%%')",
				   dev, IOFAULT_NAME_LEN - 1);
	if (bpffs_check())
		return EXIT_FAIL;
	ret = all ? detach_all() : detach_one(dev);
	/* Even after a failure: what was detached is to be freed. */
	if (freed_wait())
		errmsg("the BPF core has not freed the detached policies yet: rmmod iofault may fail with EAGAIN for a while");
	return ret ? EXIT_FAIL : 0;
}
