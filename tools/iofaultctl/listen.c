// SPDX-License-Identifier: GPL-2.0
/*
 * iofaultctl listen: the user-space handler of forwarded faults, a
 * stand-in for a VMM. It opens a device's fault descriptor, prints the
 * records it reads, a line each, and answers each batch in one write()
 * with the same code. A response the kernel refuses is reported (which one
 * and why), skipped, and the rest of its batch answered; the listener then
 * stops with an error. Closing the descriptor answers what is left.
 *
 * Output: "listening on NAME" on stderr once the descriptor is open (tests
 * wait for it before they make faults), a line a record on stdout,
 * "device NAME is gone" on stdout at the end of file, and a summary on
 * stderr at exit.
 *
 * SIGINT and SIGTERM stay blocked but while ppoll() waits, so a stop
 * request is seen there and never cuts a read or a write short.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "iofaultctl.h"

#define RESPOND_NONE	(-1)	/* read and print, never answer */
#define BATCH_DEFAULT	64

struct listen_args {
	const char *dev;
	int code;			/* enum iofault_resp_code or RESPOND_NONE */
	unsigned int batch;
	unsigned long long count;	/* 0: no limit */
	long long timeout_ms;		/* -1: no limit */
	bool quiet;
};

/* Why the loop ended, or GO_ON while it runs. */
enum stop { GO_ON, STOP_COUNT, STOP_IDLE, STOP_GONE, STOP_SIGNAL, STOP_ERROR };

struct listener {
	const struct listen_args *a;
	int fd;
	unsigned long long records, answered;
	struct timespec last;		/* when the last batch came, or start */
	sigset_t waitmask;		/* the signal mask while ppoll() waits */
	struct iofault_fault_record rec[IOFAULT_BATCH_MAX];
	struct iofault_fault_response resp[IOFAULT_BATCH_MAX];
};

static const char *const code_names[] = {
	[IOFAULT_RESP_SUCCESS] = "success",
	[IOFAULT_RESP_INVALID] = "invalid",
	[IOFAULT_RESP_FAILURE] = "failure",
};

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

/* ---- opening the descriptor ---- */

static void fault_fd_error(const char *dev, int err)
{
	switch (err) {
	case EPERM:
		errmsg("listening on %s needs root (CAP_SYS_ADMIN): %s",
		       dev, strerror(err));
		break;
	case ENODEV:
		errmsg("no iofault device %s: %s", dev, strerror(err));
		break;
	case EBUSY:
		errmsg("device %s already has a listener: %s", dev, strerror(err));
		break;
	case EINVAL:
		errmsg("the kernel refused to open the fault descriptor of %s: %s",
		       dev, strerror(err));
		break;
	case ENOTTY:
		errmsg("the iofault module hands out no fault descriptors (%s): is it older than this iofaultctl?",
		       strerror(err));
		break;
	default:
		errmsg("cannot open the fault descriptor of %s: %s",
		       dev, strerror(err));
	}
}

/* The device's fault descriptor, non-blocking, or -1 (said why). */
static int fault_fd_open(const char *dev)
{
	struct iofault_fault_fd_req req = { .size = sizeof(req) };
	int ctl, fd, err;

	ctl = ctl_open("listening");
	if (ctl < 0)
		return -1;
	snprintf(req.dev, sizeof(req.dev), "%s", dev);
	fd = ioctl(ctl, IOFAULT_IOC_FAULT_FD, &req);
	err = errno;
	close(ctl);
	if (fd < 0) {
		fault_fd_error(dev, err);
		return -1;
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)) {
		errmsg("cannot make the fault descriptor of %s non-blocking: %s",
		       dev, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* Block SIGINT and SIGTERM but in ppoll(); returns 0 or -1 (said why). */
static int signals_setup(sigset_t *waitmask)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t stops;

	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &stops, waitmask) ||
	    sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL)) {
		errmsg("cannot set up SIGINT and SIGTERM: %s", strerror(errno));
		return -1;
	}
	sigdelset(waitmask, SIGINT);
	sigdelset(waitmask, SIGTERM);
	return 0;
}

/* ---- waiting ---- */

static long long ms_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t->tv_sec) * 1000LL +
	       (now.tv_nsec - t->tv_nsec) / 1000000;
}

/* Wait until the descriptor is readable or hung up. */
static enum stop wait_ready(struct listener *l)
{
	struct pollfd pfd = { .fd = l->fd, .events = POLLIN };
	struct timespec ts, *tsp = NULL;
	long long left;
	int n;

	if (l->a->timeout_ms >= 0) {
		left = l->a->timeout_ms - ms_since(&l->last);
		if (left <= 0)
			return STOP_IDLE;
		ts.tv_sec = left / 1000;
		ts.tv_nsec = left % 1000 * 1000000;
		tsp = &ts;
	}
	n = ppoll(&pfd, 1, tsp, &l->waitmask);
	if (n < 0 && errno == EINTR)
		return stop_signal ? STOP_SIGNAL : GO_ON;
	if (n < 0) {
		errmsg("cannot poll the fault descriptor of %s: %s",
		       l->a->dev, strerror(errno));
		return STOP_ERROR;
	}
	if (pfd.revents & POLLNVAL) {
		errmsg("poll: the fault descriptor of %s is not open", l->a->dev);
		return STOP_ERROR;
	}
	return GO_ON;	/* on a timeout, the next call measures again */
}

/* Whether poll() says the device is gone. */
static bool device_gone(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLHUP);
}

/* ---- reading ---- */

/* Every record must be one this tool knows. */
static enum stop check_records(struct listener *l, size_t n)
{
	const struct iofault_fault_record *r;
	size_t i;

	for (i = 0; i < n; i++) {
		r = &l->rec[i];
		if (r->size == sizeof(*r) && r->version == IOFAULT_RECORD_VERSION)
			continue;
		errmsg("record %zu of %zu from %s has version %u and size %u; this iofaultctl reads version %d, size %zu: stopping",
		       i + 1, n, l->a->dev, r->version, r->size,
		       IOFAULT_RECORD_VERSION, sizeof(*r));
		return STOP_ERROR;
	}
	return GO_ON;
}

/* Read up to max records into l->rec: *n of them, 0 when none waited. */
static enum stop read_records(struct listener *l, size_t max, size_t *n)
{
	ssize_t len = read(l->fd, l->rec, max * sizeof(l->rec[0]));

	*n = 0;
	if (len < 0 && (errno == EAGAIN || errno == EINTR))
		return GO_ON;
	if (len < 0) {
		errmsg("cannot read the fault descriptor of %s: %s",
		       l->a->dev, strerror(errno));
		return STOP_ERROR;
	}
	if (!len)
		return STOP_GONE;	/* end of file: the device went away */
	if (len % sizeof(l->rec[0])) {
		errmsg("read %zd bytes from %s, not whole %zu-byte records: stopping",
		       len, l->a->dev, sizeof(l->rec[0]));
		return STOP_ERROR;
	}
	*n = len / sizeof(l->rec[0]);
	return check_records(l, *n);
}

/* ---- printing and answering ---- */

static const char *perm_str(__u32 perm, char buf[5])
{
	char *p = buf;

	if (perm & IOFAULT_PERM_READ)
		*p++ = 'r';
	if (perm & IOFAULT_PERM_WRITE)
		*p++ = 'w';
	if (perm & IOFAULT_PERM_EXEC)
		*p++ = 'x';
	if (perm & IOFAULT_PERM_PRIV)
		*p++ = 'p';
	if (p == buf)
		*p++ = '-';
	*p = '\0';
	return buf;
}

/* A line a record, flushed so that a test can follow the output. */
static void print_records(const struct iofault_fault_record *rec, size_t n)
{
	char perm[5];
	size_t i;

	for (i = 0; i < n; i++)
		printf("dev=%u cookie=0x%llx pasid=%u grpid=%u perm=%s addr=0x%llx npages=%u\n",
		       rec[i].dev_id, (unsigned long long)rec[i].cookie,
		       rec[i].pasid, rec[i].grpid, perm_str(rec[i].perm, perm),
		       (unsigned long long)rec[i].addr, rec[i].npages);
	fflush(stdout);
}

/*
 * The kernel applies a batch's responses in order up to the first one it
 * refuses, and returns the bytes of those before it, or that one's errno
 * when it is the first. Say which was refused and why, skip it and answer
 * the rest: the others' groups must not wait for the timeout.
 */
static void say_refused(const struct listener *l, size_t i, size_t n, int err)
{
	const struct iofault_fault_response *r = &l->resp[i];

	errmsg("the kernel refused response %zu of %zu to %s (cookie 0x%llx pasid %u grpid %u code %s): %s",
	       i + 1, n, l->a->dev, (unsigned long long)r->cookie, r->pasid,
	       r->grpid, code_names[r->code], strerror(err));
}

/* Answer the n records of l->rec, in one write() unless one is refused. */
static enum stop answer_records(struct listener *l, size_t n)
{
	const size_t size = sizeof(l->resp[0]);
	bool refused = false;
	size_t i, done = 0;
	ssize_t len;
	int err;

	for (i = 0; i < n; i++)
		l->resp[i] = (struct iofault_fault_response) {
			.cookie = l->rec[i].cookie,
			.pasid = l->rec[i].pasid,
			.grpid = l->rec[i].grpid,
			.code = l->a->code,
		};
	while (done < n) {
		len = write(l->fd, &l->resp[done], (n - done) * size);
		err = errno;
		if (len < 0 && err == EINTR)
			continue;
		if (len < 0 && device_gone(l->fd))
			return STOP_GONE;	/* it refuses all once gone */
		if (len < 0 && err != EFAULT) {
			/* The first response of what is left was refused. */
			say_refused(l, done, n, err);
			refused = true;
			done++;
			continue;
		}
		if (len < 0) {
			errmsg("cannot answer %zu records of %s: %s",
			       n - done, l->a->dev, strerror(err));
			return STOP_ERROR;
		}
		if (len % size) {
			errmsg("the kernel took %zd bytes of responses from %s, not whole %zu-byte responses",
			       len, l->a->dev, size);
			return STOP_ERROR;
		}
		l->answered += len / size;
		done += len / size;
	}
	return refused ? STOP_ERROR : GO_ON;
}

/* ---- the loop ---- */

static size_t batch_max(const struct listener *l)
{
	unsigned long long left = l->a->count - l->records;

	return l->a->count && left < l->a->batch ? left : l->a->batch;
}

static enum stop listen_once(struct listener *l)
{
	enum stop s = wait_ready(l);
	size_t n;

	if (s == GO_ON)
		s = read_records(l, batch_max(l), &n);
	if (s != GO_ON || !n)
		return s;
	clock_gettime(CLOCK_MONOTONIC, &l->last);
	l->records += n;
	if (!l->a->quiet)
		print_records(l->rec, n);
	if (l->a->code != RESPOND_NONE)
		s = answer_records(l, n);
	if (s == GO_ON && l->a->count && l->records >= l->a->count)
		s = STOP_COUNT;
	return s;
}

/* Say why the loop ended and sum up; returns the exit code. */
static int listen_end(const struct listener *l, enum stop s)
{
	const struct listen_args *a = l->a;
	int ret = s == STOP_ERROR ? EXIT_FAIL : 0;

	if (s == STOP_GONE) {
		printf("device %s is gone\n", a->dev);
		fflush(stdout);
	} else if (s == STOP_IDLE && a->count) {
		errmsg("listen: no record from %s for %lld ms: %llu of %llu records",
		       a->dev, a->timeout_ms, l->records, a->count);
		ret = EXIT_FAIL;
	}
	fprintf(stderr, "listened on %s: %llu records, %llu answered\n",
		a->dev, l->records, l->answered);
	return ret;
}

static int listen_run(const struct listen_args *a)
{
	struct listener *l = calloc(1, sizeof(*l));
	enum stop s;
	int ret;

	if (!l) {
		errmsg("out of memory");
		return EXIT_FAIL;
	}
	l->a = a;
	l->fd = fault_fd_open(a->dev);
	if (l->fd < 0 || signals_setup(&l->waitmask)) {
		if (l->fd >= 0)
			close(l->fd);
		free(l);
		return EXIT_FAIL;
	}
	/* Tests wait for this line before they make faults. */
	fprintf(stderr, "listening on %s\n", a->dev);
	clock_gettime(CLOCK_MONOTONIC, &l->last);
	do
		s = listen_once(l);
	while (s == GO_ON);
	/* This answers the groups read but not answered, with INVALID. */
	close(l->fd);
	ret = listen_end(l, s);
	free(l);
	return ret;
}

/* ---- the command line ---- */

/* A decimal number in [min, max]; returns 0 or -1. */
static int parse_num(const char *s, unsigned long long min,
		     unsigned long long max, unsigned long long *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno || *end || *v < min || *v > max ? -1 : 0;
}

static int parse_code(const char *s)
{
	size_t i;

	if (!strcmp(s, "none"))
		return RESPOND_NONE;
	for (i = 0; i < sizeof(code_names) / sizeof(code_names[0]); i++)
		if (!strcmp(s, code_names[i]))
			return i;
	return -2;
}

/* One option's value into a; returns 0 or the usage error's exit code. */
static int listen_option(struct listen_args *a, int c, const char *arg)
{
	unsigned long long v;

	switch (c) {
	case 'd':
		a->dev = arg;
		return 0;
	case 'r':
		a->code = parse_code(arg);
		if (a->code < RESPOND_NONE)
			return usage_error("listen: --respond takes success, invalid, failure or none, not '%s'",
					   arg);
		return 0;
	case 'b':
		if (parse_num(arg, 1, IOFAULT_BATCH_MAX, &v))
			return usage_error("listen: --batch takes 1 to %d, not '%s'",
					   IOFAULT_BATCH_MAX, arg);
		a->batch = v;
		return 0;
	case 'c':
		if (parse_num(arg, 1, ~0ULL, &v))
			return usage_error("listen: --count takes a number of records, 1 or more, not '%s'",
					   arg);
		a->count = v;
		return 0;
	case 't':
		if (parse_num(arg, 0, 1000LL * 1000 * 1000 * 1000, &v))
			return usage_error("listen: --timeout-ms takes a number of milliseconds, not '%s'",
					   arg);
		a->timeout_ms = v;
		return 0;
	case 'q':
		a->quiet = true;
		return 0;
	}
	return EXIT_USAGE;
}

int cmd_listen(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dev", required_argument, NULL, 'd' },
		{ "respond", required_argument, NULL, 'r' },
		{ "batch", required_argument, NULL, 'b' },
		{ "count", required_argument, NULL, 'c' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct listen_args a = {
		.code = IOFAULT_RESP_SUCCESS,
		.batch = BATCH_DEFAULT,
		.timeout_ms = -1,
	};
	int c, err;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'h')
			return help();
		if (c == '?' || c == ':')
			return bad_option(argv[0], c, argv[optind - 1]);
		err = listen_option(&a, c, optarg);
		if (err)
			return err;
	}
	if (optind != argc)
		return usage_error("listen: unexpected argument '%s'", argv[optind]);
	if (!a.dev)
		return usage_error("listen: give the device with --dev NAME");
	if (!dev_name_ok(a.dev))
		return usage_error("listen: bad device name '%s' (1 to %d characters, no '/' or '%%')",
				   a.dev, IOFAULT_NAME_LEN - 1);
	return listen_run(&a);
}
