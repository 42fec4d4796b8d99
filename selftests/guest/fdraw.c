// SPDX-License-Identifier: GPL-2.0
/*
 * fdraw: drive a device's fault descriptor byte by byte, for tests.
 *   fdraw DEV read N    read N records; print each as hex, then its fields
 *   fdraw DEV bad       read one record, then try every malformed response
 *                       (each must fail with EINVAL and change nothing),
 *                       then the right one, then it again
 *   fdraw DEV hold FILE read one record, wait until FILE exists, then
 *                       answer it: prints what write() said
 * Each attempt prints one line "WHAT: RESULT" (RESULT "ok" or strerror).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/iofault.h>

static int open_fd(const char *dev)
{
	struct iofault_fault_fd_req req = { .size = sizeof(req) };
	int ctl, fd;

	ctl = open("/dev/iofault", O_RDWR);
	if (ctl < 0) {
		perror("/dev/iofault");
		exit(1);
	}
	snprintf(req.dev, sizeof(req.dev), "%s", dev);
	fd = ioctl(ctl, IOFAULT_IOC_FAULT_FD, &req);
	if (fd < 0) {
		perror("IOFAULT_IOC_FAULT_FD");
		exit(1);
	}
	close(ctl);
	return fd;
}

static void read_record(int fd, struct iofault_fault_record *r)
{
	if (read(fd, r, sizeof(*r)) != sizeof(*r)) {
		perror("read");
		exit(1);
	}
}

static void attempt(const char *what, int fd, const void *buf, size_t len)
{
	ssize_t n = write(fd, buf, len);

	printf("%s: %s\n", what, n == (ssize_t)len ? "ok" : strerror(errno));
	fflush(stdout);
}

static struct iofault_fault_response answer(const struct iofault_fault_record *r)
{
	return (struct iofault_fault_response) {
		.cookie = r->cookie, .pasid = r->pasid, .grpid = r->grpid,
		.code = IOFAULT_RESP_SUCCESS,
	};
}

static void do_read(int fd, int n)
{
	struct iofault_fault_record r;
	const unsigned char *b = (const void *)&r;
	size_t i;

	while (n--) {
		read_record(fd, &r);
		for (i = 0; i < sizeof(r); i++)
			printf("%02x", b[i]);
		printf("\nsize=%u version=%u cookie=%#llx pasid=%u grpid=%u npages=%u\n",
		       r.size, r.version, (unsigned long long)r.cookie, r.pasid,
		       r.grpid, r.npages);
	}
}

static void do_bad(int fd)
{
	struct iofault_fault_record r;
	struct iofault_fault_response good, bad, two[2];

	read_record(fd, &r);
	good = answer(&r);
	attempt("short", fd, &good, sizeof(good) - 1);
	attempt("one and a half", fd, two, sizeof(good) * 3 / 2);
	bad = good;
	bad.reserved = 1;
	attempt("reserved set", fd, &bad, sizeof(bad));
	bad = good;
	bad.code = IOFAULT_RESP_NR;
	attempt("bad code", fd, &bad, sizeof(bad));
	bad = good;
	bad.cookie ^= 0x40000;
	attempt("unknown cookie", fd, &bad, sizeof(bad));
	bad = good;
	bad.pasid++;
	attempt("wrong pasid", fd, &bad, sizeof(bad));
	bad = good;
	bad.cookie ^= 1ULL << 50;
	attempt("wrong device", fd, &bad, sizeof(bad));
	two[0] = good;
	two[1] = good;
	attempt("twice in a batch", fd, two, sizeof(two));
	attempt("right", fd, &good, sizeof(good));
	attempt("again", fd, &good, sizeof(good));
}

static void do_hold(int fd, const char *file)
{
	struct iofault_fault_record r;
	struct iofault_fault_response a;

	read_record(fd, &r);
	printf("holding cookie=%#llx\n", (unsigned long long)r.cookie);
	fflush(stdout);
	while (access(file, F_OK))
		usleep(20000);
	a = answer(&r);
	attempt("late", fd, &a, sizeof(a));
}

int main(int argc, char **argv)
{
	int fd;

	if (argc < 3) {
		fprintf(stderr, "usage: fdraw DEV read N | bad | hold FILE\n");
		return 2;
	}
	fd = open_fd(argv[1]);
	if (!strcmp(argv[2], "read") && argc == 4)
		do_read(fd, atoi(argv[3]));
	else if (!strcmp(argv[2], "bad"))
		do_bad(fd);
	else if (!strcmp(argv[2], "hold") && argc == 4)
		do_hold(fd, argv[3]);
	else
		return 2;
	return 0;
}
