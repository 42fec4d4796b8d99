// SPDX-License-Identifier: GPL-2.0
/*
 * fdraw: drive a device's fault descriptor byte by byte, for tests.
 *   fdraw DEV read N    read N records; print each as hex, then its fields
 *   fdraw DEV bad       read one record, then try every malformed response
 *                       (each must fail with its errno and change nothing),
 *                       then the right one twice in a batch, then it again
 *   fdraw DEV hold FILE read one record, wait until FILE exists, then
 *                       answer it: prints what write() said
 *   fdraw DEV badread FILE
 *                       once FILE exists, read into bad buffers (NULL, an
 *                       unmapped page, a read-only page, two records whose
 *                       second crosses into an unmapped page), then read
 *                       what is left: prints each result and the group
 *                       indexes in the order read, then answers them all
 *   fdraw DEV batch FILE
 *                       once FILE exists, read 3 records and answer them in
 *                       a batch whose second response has a wrong PASID,
 *                       then that one alone, then the right rest
 *   fdraw DEV stale FILE
 *                       read one record (A), wait until FILE exists, read
 *                       another (B), then write A's and B's responses in
 *                       one batch, then A's alone
 * hold and the last three print "open" once the descriptor is open. Each attempt
 * prints one line "WHAT: RESULT": "ok" when write() took everything,
 * "N of M bytes" when it took part, else strerror.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
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

	if (n == (ssize_t)len)
		printf("%s: ok\n", what);
	else if (n >= 0)
		printf("%s: %zd of %zu bytes\n", what, n, len);
	else
		printf("%s: %s\n", what, strerror(errno));
	fflush(stdout);
}

static void wait_file(const char *file)
{
	while (access(file, F_OK))
		usleep(20000);
}

static void say(const char *line)
{
	printf("%s\n", line);
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
	/* The first is applied, the second refused: the count says so. */
	two[0] = good;
	two[1] = good;
	attempt("twice in a batch", fd, two, sizeof(two));
	attempt("again", fd, &good, sizeof(good));
}

/* A read into @buf of @len bytes: "WHAT: N records" or strerror. */
static ssize_t try_read(const char *what, int fd, void *buf, size_t len)
{
	ssize_t n = read(fd, buf, len);

	if (n >= 0)
		printf("%s: %zd records\n", what, n / (ssize_t)sizeof(struct iofault_fault_record));
	else
		printf("%s: %s\n", what, strerror(errno));
	fflush(stdout);
	return n;
}

static void do_badread(int fd, const char *file)
{
	const size_t rec = sizeof(struct iofault_fault_record);
	static struct iofault_fault_record got[IOFAULT_BATCH_MAX + 1];
	static struct iofault_fault_response resp[IOFAULT_BATCH_MAX + 1];
	long page = sysconf(_SC_PAGESIZE);
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	size_t ngot = 0, i;
	char *none, *ro, *two;
	ssize_t n;

	none = mmap(NULL, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ro = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	two = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (none == MAP_FAILED || ro == MAP_FAILED || two == MAP_FAILED ||
	    munmap(two + page, page)) {
		perror("mmap");
		exit(1);
	}
	say("open");
	wait_file(file);
	try_read("null", fd, NULL, rec);
	try_read("unmapped", fd, none, 2 * rec);
	try_read("read-only", fd, ro, rec);
	/* The first record fits, the second crosses into the hole. */
	n = try_read("crossing", fd, two + page - rec - rec / 2, 2 * rec);
	if (n > 0) {
		memcpy(got, two + page - rec - rec / 2, n);
		ngot = n / rec;
	}
	/* What is left, without blocking once it is all read. */
	while (ngot < IOFAULT_BATCH_MAX && poll(&pfd, 1, 500) == 1) {
		n = read(fd, &got[ngot], (IOFAULT_BATCH_MAX - ngot) * rec);
		if (n <= 0)
			break;
		ngot += n / rec;
	}
	printf("order:");
	for (i = 0; i < ngot; i++) {
		printf(" %u", got[i].grpid);
		resp[i] = answer(&got[i]);
	}
	printf("\n");
	if (ngot)
		attempt("answer", fd, resp, ngot * sizeof(resp[0]));
}

static void do_batch(int fd, const char *file)
{
	struct iofault_fault_record r[3];
	struct iofault_fault_response a[3];
	int i;

	say("open");
	wait_file(file);
	for (i = 0; i < 3; i++) {
		read_record(fd, &r[i]);
		a[i] = answer(&r[i]);
	}
	a[1].pasid++;
	attempt("second of three refused", fd, a, sizeof(a));
	attempt("that one alone", fd, &a[1], sizeof(a[1]));
	a[1].pasid--;
	attempt("the rest", fd, &a[1], 2 * sizeof(a[1]));
}

static void do_stale(int fd, const char *file)
{
	struct iofault_fault_record r[2];
	struct iofault_fault_response a[2];

	say("open");
	read_record(fd, &r[0]);
	printf("holding cookie=%#llx\n", (unsigned long long)r[0].cookie);
	fflush(stdout);
	wait_file(file);
	read_record(fd, &r[1]);
	printf("then cookie=%#llx\n", (unsigned long long)r[1].cookie);
	a[0] = answer(&r[0]);
	a[1] = answer(&r[1]);
	attempt("stale then fresh", fd, a, sizeof(a));
	attempt("stale alone", fd, a, sizeof(a[0]));
}

static void do_hold(int fd, const char *file)
{
	struct iofault_fault_record r;
	struct iofault_fault_response a;

	say("open");
	read_record(fd, &r);
	printf("holding cookie=%#llx\n", (unsigned long long)r.cookie);
	fflush(stdout);
	wait_file(file);
	a = answer(&r);
	attempt("late", fd, &a, sizeof(a));
}

int main(int argc, char **argv)
{
	int fd;

	if (argc < 3) {
		fprintf(stderr, "usage: fdraw DEV read N | bad | hold FILE | badread FILE | batch FILE | stale FILE\n");
		return 2;
	}
	fd = open_fd(argv[1]);
	if (!strcmp(argv[2], "read") && argc == 4)
		do_read(fd, atoi(argv[3]));
	else if (!strcmp(argv[2], "bad"))
		do_bad(fd);
	else if (!strcmp(argv[2], "hold") && argc == 4)
		do_hold(fd, argv[3]);
	else if (!strcmp(argv[2], "badread") && argc == 4)
		do_badread(fd, argv[3]);
	else if (!strcmp(argv[2], "batch") && argc == 4)
		do_batch(fd, argv[3]);
	else if (!strcmp(argv[2], "stale") && argc == 4)
		do_stale(fd, argv[3]);
	else
		return 2;
	return 0;
}
