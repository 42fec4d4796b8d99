// SPDX-License-Identifier: GPL-2.0
/*
 * runas UID CMD [ARG...]: run CMD as an unprivileged user (uid = gid = UID).
 * runas nocaps CMD [ARG...]: run CMD as root (uid 0) without any capability,
 * as a container's root may be: DAC lets it write root's files, only the
 * capability checks stop it.
 */
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

/*
 * Empty the bounding set (exec then gives root no capability back), the
 * ambient set, and the permitted, effective and inheritable sets.
 */
static int drop_caps(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	int cap;

	for (cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0))
			return -1;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0))
		return -1;
	memset(data, 0, sizeof(data));
	return syscall(SYS_capset, &hdr, data);
}

int main(int argc, char **argv)
{
	uid_t uid;

	if (argc < 3) {
		fprintf(stderr, "usage: runas (UID | nocaps) CMD [ARG...]\n");
		return 2;
	}
	if (!strcmp(argv[1], "nocaps")) {
		if (drop_caps()) {
			perror("runas: dropping capabilities");
			return 1;
		}
	} else {
		uid = (uid_t)strtoul(argv[1], NULL, 10);
		if (setgroups(0, NULL) || setgid(uid) || setuid(uid)) {
			perror("runas");
			return 1;
		}
	}
	execvp(argv[2], argv + 2);
	perror(argv[2]);
	return 127;
}
