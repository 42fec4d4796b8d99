// SPDX-License-Identifier: GPL-2.0
/*
 * iofuzz: /dev/iofault itself. Commands it does not know, the right
 * numbers with the wrong direction or size, bad pointers, and calls a
 * control device does not take: each refused with its errno, and none
 * may leave anything behind (a descriptor, a reference). And unloading
 * the module under its users.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fuzz.h"

static void ctl_bad_cmd(struct fz_thread *t)
{
	static const unsigned long known[] = {
		IOFAULT_IOC_FAULT_FD, IOFAULT_IOC_ADOPT, IOFAULT_IOC_RELEASE,
	};
	unsigned long cmd;
	char buf[256] = "";
	int fd, ret;
	size_t i;

	switch (fz_below(t, 4)) {
	case 0:		/* a known number, read instead of write */
		cmd = _IOR('F', 0x80 + fz_below(t, 3),
			   struct iofault_fault_fd_req);
		break;
	case 1:		/* a known number with another size */
		cmd = _IOW('F', 0x80 + fz_below(t, 3), char[1 + fz_below(t, 64)]);
		break;
	case 2:		/* iofault's type, another number */
		cmd = _IOW('F', fz_below(t, 256), struct iofault_adopt_req);
		break;
	default:
		cmd = (unsigned long)fz_rand(t);
		break;
	}
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (cmd == known[i])
			return;
	fd = open(FZ_CTL, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return;		/* not loaded now: the module family's doing */
	fz_log(t, "ctl ioctl %#lx", cmd);
	ret = ioctl(fd, cmd, fz_chance(t, 50) ? buf : NULL);
	FZ_EXPECT(t, "an unknown ioctl", ret < 0 ? errno : 0, ENOTTY);
	if (ret >= 0 && ret != fd)
		close(ret);
	close(fd);
}

static void ctl_bad_pointer(struct fz_thread *t)
{
	static const unsigned long cmds[] = {
		IOFAULT_IOC_FAULT_FD, IOFAULT_IOC_ADOPT, IOFAULT_IOC_RELEASE,
	};
	unsigned long cmd = cmds[fz_below(t, 3)];
	char *page;
	void *arg;
	int fd, ret;

	fd = open(FZ_CTL, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return;
	page = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED) {
		close(fd);
		return;
	}
	/* Not unmapped: another thread's mapping could take its place. */
	mprotect(page + 4096, 4096, PROT_NONE);
	switch (fz_below(t, 3)) {
	case 0:
		arg = NULL;
		break;
	case 1:		/* the request's end crosses into no memory */
		arg = page + 4096 - 8;
		break;
	default:	/* kernel memory */
		arg = (void *)0xffffffff81000000UL;
		break;
	}
	fz_log(t, "ctl ioctl %#lx bad pointer %p", cmd, arg);
	ret = ioctl(fd, cmd, arg);
	FZ_EXPECT(t, "an ioctl with a bad pointer", ret < 0 ? errno : 0, EFAULT);
	if (ret >= 0)
		close(ret);
	munmap(page, 8192);
	close(fd);
}

/* A control device has no read, write or mmap. */
static void ctl_misuse(struct fz_thread *t)
{
	char buf[64];
	void *p;
	int fd;

	fd = open(FZ_CTL, (fz_chance(t, 50) ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (fd < 0)
		return;
	fz_log(t, "ctl read/write/mmap");
	FZ_EXPECT(t, "read of /dev/iofault",
		  read(fd, buf, sizeof(buf)) < 0 ? errno : 0, EINVAL, EBADF);
	FZ_EXPECT(t, "write of /dev/iofault",
		  write(fd, buf, sizeof(buf)) < 0 ? errno : 0, EINVAL, EBADF);
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	FZ_EXPECT(t, "mmap of /dev/iofault", p == MAP_FAILED ? errno : 0,
		  ENODEV, EACCES);
	if (p != MAP_FAILED)
		munmap(p, 4096);
	close(fd);
}

/*
 * Unloading iofault while drivers use it: refused, and nothing changes
 * (the main process unloads and reloads every module between epochs).
 */
static void ctl_rmmod_busy(struct fz_thread *t)
{
	fz_log(t, "delete_module iofault while in use");
	if (access("/sys/module/iofault_mock", F_OK))
		return;
	FZ_EXPECT(t, "unloading iofault under its drivers",
		  syscall(SYS_delete_module, "iofault", O_NONBLOCK) ? errno : 0,
		  EWOULDBLOCK, EBUSY);
}

static const struct fz_action ctl_actions[] = {
	{ "bad-cmd", 3, ctl_bad_cmd },
	{ "bad-pointer", 2, ctl_bad_pointer },
	{ "misuse", 1, ctl_misuse },
	{ "rmmod-busy", 1, ctl_rmmod_busy },
};

const struct fz_family fz_ctl_family = {
	.name = "ctl",
	.actions = ctl_actions,
	.nr_actions = sizeof(ctl_actions) / sizeof(ctl_actions[0]),
};
