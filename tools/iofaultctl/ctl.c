// SPDX-License-Identifier: GPL-2.0
/* iofaultctl: the module's control device, /dev/iofault. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "iofaultctl.h"

/* Open the control device for @what ("listening"), or say why not: -1. */
int ctl_open(const char *what)
{
	int fd = open(CTL_DEV, O_RDWR | O_CLOEXEC);
	int err = errno;

	if (fd >= 0)
		return fd;
	if (err == ENOENT && !sysfs_exists(SYSFS_CLASS_DIR))
		errmsg("the iofault module is not loaded (no %s)", CTL_DEV);
	else if (err == ENOENT)
		errmsg("no %s, though the iofault module is loaded: is devtmpfs mounted on /dev?",
		       CTL_DEV);
	else if (err == EACCES || err == EPERM)
		errmsg("cannot open %s: %s needs root (CAP_SYS_ADMIN): %s",
		       CTL_DEV, what, strerror(err));
	else if (err == ENXIO || err == ENODEV)
		errmsg("cannot open %s: %s (is the iofault module loaded?)",
		       CTL_DEV, strerror(err));
	else
		errmsg("cannot open %s: %s", CTL_DEV, strerror(err));
	return -1;
}
