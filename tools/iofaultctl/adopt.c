// SPDX-License-Identifier: GPL-2.0
/*
 * iofaultctl adopt and release: put iofault in front of the iopf handler
 * of a domain that the kernel attached to a device or PASID behind the
 * IOMMU core, and put the original handler back.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "iofaultctl.h"

#define PASID_LIMIT	(1U << 20)	/* PCIe PASIDs have 20 bits */

struct adopt_args {
	const char *dev;
	unsigned int pasid;
	bool has_pasid;
};

/* " PASID N" for messages, or "" for the device itself. */
static const char *pasid_words(const struct adopt_args *a)
{
	static char buf[32];

	if (!a->has_pasid)
		return "";
	snprintf(buf, sizeof(buf), " PASID %u", a->pasid);
	return buf;
}

static void adopt_error(const char *cmd, const struct adopt_args *a, int err)
{
	const char *p = pasid_words(a);

	switch (err) {
	case ENODEV:
		errmsg("%s: no PCI or platform device is named %s", cmd, a->dev);
		break;
	case ENXIO:
		errmsg("%s: %s is not behind an IOMMU (it has no IOMMU group)",
		       cmd, a->dev);
		break;
	case ENOENT:
		if (!strcmp(cmd, "adopt"))
			errmsg("adopt: no domain is attached to %s%s", a->dev, p);
		else
			errmsg("release: %s%s is not adopted", a->dev, p);
		break;
	case EOPNOTSUPP:
		errmsg("adopt: the domain of %s%s takes no page faults (it has no iopf handler)",
		       a->dev, p);
		break;
	case EEXIST:
		errmsg("adopt: iofault already handles the faults of %s%s",
		       a->dev, p);
		break;
	case ENAMETOOLONG:
		errmsg("adopt: the iofault device name for %s%s would be longer than %d characters",
		       a->dev, p, IOFAULT_NAME_LEN - 1);
		break;
	case EPERM:
		errmsg("%s: needs root (CAP_SYS_ADMIN): %s", cmd, strerror(err));
		break;
	default:
		errmsg("%s: %s%s: %s", cmd, a->dev, p, strerror(err));
	}
}

static int parse_args(int argc, char **argv, struct adopt_args *a)
{
	static const struct option opts[] = {
		{ "dev", required_argument, NULL, 'd' },
		{ "pasid", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long v;
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			a->dev = optarg;
			break;
		case 'p':
			errno = 0;
			v = strtoul(optarg, &end, 0);
			if (errno || *end || optarg[0] < '0' || optarg[0] > '9' ||
			    !v || v >= PASID_LIMIT)
				return usage_error("%s: bad PASID '%s' (1 to %u)",
						   argv[0], optarg,
						   PASID_LIMIT - 1);
			a->pasid = v;
			a->has_pasid = true;
			break;
		case 'h':
			return help();
		default:
			return bad_option(argv[0], c, argv[optind - 1]);
		}
	}
	if (optind != argc)
		return usage_error("%s: unexpected argument '%s'", argv[0],
				   argv[optind]);
	if (!a->dev)
		return usage_error("%s: --dev NAME is required", argv[0]);
	if (!dev_name_ok(a->dev))
		return usage_error("%s: bad device name '%s' (1 to %d characters, no '/' or '%%')",
				   argv[0], a->dev, IOFAULT_NAME_LEN - 1);
	return -1;
}

static int adopt_or_release(int argc, char **argv, unsigned long cmd)
{
	struct iofault_adopt_req req = { .size = sizeof(req) };
	struct adopt_args a = { 0 };
	int ctl, ret, err;

	ret = parse_args(argc, argv, &a);
	if (ret >= 0)
		return ret;
	if (a.has_pasid) {
		req.flags = IOFAULT_ADOPT_PASID;
		req.pasid = a.pasid;
	}
	snprintf(req.dev, sizeof(req.dev), "%s", a.dev);
	ctl = ctl_open(argv[0]);
	if (ctl < 0)
		return EXIT_FAIL;
	ret = ioctl(ctl, cmd, &req);
	err = errno;
	close(ctl);
	if (ret) {
		adopt_error(argv[0], &a, err);
		return EXIT_FAIL;
	}
	if (cmd == IOFAULT_IOC_ADOPT && a.has_pasid)
		printf("adopted %s PASID %u: iofault device %s.pasid%u\n",
		       a.dev, a.pasid, a.dev, a.pasid);
	else if (cmd == IOFAULT_IOC_ADOPT)
		printf("adopted %s: iofault device %s\n", a.dev, a.dev);
	else
		/*
		 * Either the domain has its own handler back, or its owner
		 * had gone and iofault forgot the domain (an orphan).
		 */
		printf("released %s%s: iofault no longer handles its faults\n",
		       a.dev, pasid_words(&a));
	return 0;
}

int cmd_adopt(int argc, char **argv)
{
	return adopt_or_release(argc, argv, IOFAULT_IOC_ADOPT);
}

int cmd_release(int argc, char **argv)
{
	return adopt_or_release(argc, argv, IOFAULT_IOC_RELEASE);
}
