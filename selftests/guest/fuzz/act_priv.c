// SPDX-License-Identifier: GPL-2.0
/*
 * iofuzz: callers without the privilege. A child process drops it, as
 * root without capabilities (as in a container: file permissions let it
 * open root's files, only capability checks stop it) or as an ordinary
 * user, and tries what needs CAP_SYS_ADMIN: fault descriptors, adopt and
 * release, the limits. Each must be refused and change nothing; a
 * descriptor the parent opened does not lend its privilege either.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>

#include "fuzz.h"

#define NOBODY	65534

/* In the child: no capability in any set, kept over no exec. */
static int drop_caps(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	memset(data, 0, sizeof(data));
	return syscall(SYS_capset, &hdr, data);
}

enum priv_op { OP_FAULT_FD, OP_ADOPT, OP_RELEASE, OP_LIMIT, OP_NR };

static const char *const op_names[OP_NR] = {
	"fault fd", "adopt", "release", "limit write",
};

/* In the child: try op, exit with its errno (0: it was allowed). */
static void __attribute__((noreturn)) child(enum priv_op op, bool as_user,
					    int inherited, const char *dev)
{
	union {
		struct iofault_fault_fd_req fd;
		struct iofault_adopt_req adopt;
	} req;
	char path[128];
	int ctl, ret;

	if (as_user ? setresgid(NOBODY, NOBODY, NOBODY) ||
		      setresuid(NOBODY, NOBODY, NOBODY) : drop_caps())
		_exit(200);
	if (op == OP_LIMIT) {
		snprintf(path, sizeof(path), FZ_CLASS "/%s/partial_max", dev);
		ctl = open(path, O_WRONLY);
		if (ctl < 0)
			_exit(errno);
		snprintf(path, sizeof(path), "%d\n", FZ_PRIV_MARK);
		ret = write(ctl, path, strlen(path));
		_exit(ret < 0 ? errno : 0);
	}
	ctl = inherited >= 0 ? inherited : open(FZ_CTL, O_RDWR);
	if (ctl < 0)
		_exit(errno);
	memset(&req, 0, sizeof(req));
	if (op == OP_FAULT_FD) {
		req.fd.size = sizeof(req.fd);
		snprintf(req.fd.dev, sizeof(req.fd.dev), "%s", dev);
		ret = ioctl(ctl, IOFAULT_IOC_FAULT_FD, &req.fd);
	} else {
		req.adopt.size = sizeof(req.adopt);
		snprintf(req.adopt.dev, sizeof(req.adopt.dev), "%s", dev);
		ret = ioctl(ctl, op == OP_ADOPT ? IOFAULT_IOC_ADOPT :
			    IOFAULT_IOC_RELEASE, &req.adopt);
	}
	_exit(ret < 0 ? errno : 0);
}

static void priv_try(struct fz_thread *t)
{
	enum priv_op op = fz_below(t, OP_NR);
	bool as_user = fz_chance(t, 40), inherit = fz_chance(t, 50);
	char dev[IOFAULT_NAME_LEN], path[128], val[32];
	int inherited = -1, status, err;
	pid_t pid;

	fz_pick_dev(t, dev);
	if (inherit && op != OP_LIMIT)
		inherited = open(FZ_CTL, O_RDWR | O_CLOEXEC);
	fz_log(t, "priv %s on %s as %s%s", op_names[op], dev,
	       as_user ? "nobody" : "root without capabilities",
	       inherited >= 0 ? ", through a descriptor root opened" : "");
	pid = fork();
	if (pid == 0)
		child(op, as_user, inherited, dev);
	if (inherited >= 0)
		close(inherited);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) {
		fz_fail(t, "the unprivileged child did not exit");
		return;
	}
	err = WEXITSTATUS(status);
	if (err == 200) {
		fz_fail(t, "the child could not drop its privilege");
		return;
	}
	/*
	 * Refused: EPERM by iofault's capability checks; EACCES by the
	 * files' modes (an ordinary user); ENOENT when the device or the
	 * module is not there. Never allowed.
	 */
	FZ_EXPECT(t, op_names[op], err, EPERM, EACCES, ENOENT, ENODEV);
	if (op != OP_LIMIT)
		return;
	snprintf(path, sizeof(path), FZ_CLASS "/%s/partial_max", dev);
	if (fz_read_file(path, val, sizeof(val)) > 0 && atoi(val) == FZ_PRIV_MARK)
		fz_fail(t, "an unprivileged write changed %s's partial_max", dev);
}

static const struct fz_action priv_actions[] = {
	{ "try", 1, priv_try },
};

const struct fz_family fz_priv_family = {
	.name = "priv",
	.actions = priv_actions,
	.nr_actions = 1,
};
