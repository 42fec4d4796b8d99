// SPDX-License-Identifier: GPL-2.0
/*
 * failload N MODULE.ko [PARAM...]: load MODULE.ko with finit_module(2)
 * from this very task, with its /proc/thread-self/fail-nth set to N: the
 * Nth allocation of the load that the kernel's fault injection (failslab,
 * with its filters) deems eligible fails. Then prints one line
 *   ERRNO LEFT
 * ERRNO is the load's errno (0: the module loaded), LEFT what remained of
 * the task's fail-nth counter afterwards: 0 when the Nth eligible
 * allocation happened (and was failed), N - k when the load made only k.
 * Exit status 0, or 1 when the helper itself could not do its job.
 *
 * Everything the load needs is opened before the counter is set, so that
 * between setting and reading it this task makes only the load's call.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int set_nth(int fd, unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	return pwrite(fd, buf, len, 0) == len ? 0 : -1;
}

int main(int argc, char **argv)
{
	char params[1024] = "", buf[16];
	unsigned int nth;
	int nthfd, kofd, i, err;
	ssize_t len;
	long rc;

	if (argc < 3) {
		fprintf(stderr, "usage: failload N MODULE.ko [PARAM...]\n");
		return 1;
	}
	nth = (unsigned int)strtoul(argv[1], NULL, 10);
	for (i = 3; i < argc; i++) {
		if (strlen(params) + strlen(argv[i]) + 2 > sizeof(params)) {
			fprintf(stderr, "failload: parameters too long\n");
			return 1;
		}
		if (i > 3)
			strcat(params, " ");
		strcat(params, argv[i]);
	}
	nthfd = open("/proc/thread-self/fail-nth", O_RDWR);
	if (nthfd < 0) {
		perror("failload: /proc/thread-self/fail-nth");
		return 1;
	}
	kofd = open(argv[2], O_RDONLY);
	if (kofd < 0) {
		perror(argv[2]);
		return 1;
	}

	if (set_nth(nthfd, nth)) {
		perror("failload: setting fail-nth");
		return 1;
	}
	rc = syscall(SYS_finit_module, kofd, params, 0);
	err = rc ? errno : 0;
	len = pread(nthfd, buf, sizeof(buf) - 1, 0);
	if (set_nth(nthfd, 0) || len <= 0) {
		perror("failload: reading fail-nth");
		return 1;
	}
	buf[len] = '\0';
	printf("%d %lu\n", err, strtoul(buf, NULL, 10));
	return 0;
}
