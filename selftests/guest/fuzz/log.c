// SPDX-License-Identifier: GPL-2.0
/*
 * iofuzz: what each thread did last, and what went wrong.
 *
 * Every action is logged before it runs, into the thread's ring in shared
 * memory (the main process prints the last ones on a failure) and into
 * the kernel's trace buffer through trace_marker: a kernel that oopses
 * dumps that buffer to the console (ftrace_dump_on_oops), so even a crash
 * shows the actions that led to it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

#define TRACING		"/sys/kernel/tracing"
#define DUMP_LAST	48	/* actions printed on a failure */

/* The problems a kernel log may not show (tools/vm/run.sh's, and KASAN's). */
static const char *const kmsg_problems[] = {
	"WARNING:", "BUG:", "Oops", "Call Trace", "soft lockup",
	"hard LOCKUP", "detected stall", "KASAN", "UBSAN",
	"possible circular locking", "possible recursive locking",
	"inconsistent lock state", "suspicious RCU usage",
	"general protection fault", "list_add corruption",
	"list_del corruption", "refcount_t:", "unreferenced object",
};

static int trace_fd = -1;
enum fz_cat fz_cat;
unsigned int fz_cat_fails[FZ_CAT_NR];

/*
 * The trace buffer keeps the last actions only (a small buffer), and is
 * dumped on an oops. Without tracefs the ring alone remembers.
 */
int fz_trace_open(void)
{
	fz_write_file(TRACING "/buffer_size_kb", "64");
	fz_write_file("/proc/sys/kernel/ftrace_dump_on_oops", "1");
	trace_fd = open(TRACING "/trace_marker", O_WRONLY | O_CLOEXEC);
	return trace_fd;
}

static void ring_put(struct fz_thread *t, const char *prefix,
		     const char *fmt, va_list ap)
{
	struct fz_ring *r = t->ring;
	unsigned int i = r->n % FZ_RING;
	char *line = r->line[i];
	int n;

	n = snprintf(line, FZ_LINE, "w%u.%u %s", t->worker, t->index, prefix);
	if (n >= 0 && n < FZ_LINE)
		vsnprintf(line + n, FZ_LINE - n, fmt, ap);
	r->seq[i] = __atomic_fetch_add(&fz->seq, 1, __ATOMIC_RELAXED);
	r->n++;
	if (trace_fd >= 0 && write(trace_fd, line, strlen(line)) < 0)
		trace_fd = -1;
	if (fz_opts.verbose)
		fprintf(stderr, "# %s\n", line);
}

void fz_log(struct fz_thread *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ring_put(t, "", fmt, ap);
	va_end(ap);
}

void fz_fail(struct fz_thread *t, const char *fmt, ...)
{
	char msg[FZ_LINE];
	va_list ap;

	va_start(ap, fmt);
	ring_put(t, "FAIL: ", fmt, ap);
	va_end(ap);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "# iofuzz: FAIL in worker %u thread %u (seed %llu): %s\n",
		t->worker, t->index, fz_opts.seed, msg);
	__atomic_fetch_add(&fz->thread_fails, 1, __ATOMIC_RELAXED);
	fz->failed = 1;
}

void fz_main_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "# iofuzz: FAIL (seed %llu): ", fz_opts.seed);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fz_cat_fails[fz_cat]++;
	fz->failed = 1;
}

bool fz_expect(struct fz_thread *t, const char *what, int err, ...)
{
	va_list ap;
	int ok;

	__atomic_fetch_add(&fz->checks, 1, __ATOMIC_RELAXED);
	va_start(ap, err);
	while ((ok = va_arg(ap, int)) != -1)
		if (ok == err)
			break;
	va_end(ap);
	if (ok != -1)
		return true;
	fz_fail(t, "%s: got %s", what, err ? strerror(err) : "success");
	return false;
}

struct dump_line {
	unsigned long long seq;
	const char *line;
};

static int by_seq(const void *a, const void *b)
{
	const struct dump_line *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The last actions of all threads, in the order they were logged. */
void fz_dump_rings(void)
{
	static struct dump_line all[FZ_MAX_WORKERS * FZ_MAX_THREADS * FZ_RING];
	unsigned int w, th, i, n = 0, from;

	for (w = 0; w < fz_opts.workers; w++) {
		for (th = 0; th < fz_opts.threads; th++) {
			struct fz_ring *r = &fz->ring[w][th];
			unsigned long long k = r->n > FZ_RING ? r->n - FZ_RING : 0;

			for (; k < r->n; k++) {
				all[n].seq = r->seq[k % FZ_RING];
				all[n++].line = r->line[k % FZ_RING];
			}
		}
	}
	qsort(all, n, sizeof(all[0]), by_seq);
	from = n > DUMP_LAST ? n - DUMP_LAST : 0;
	fprintf(stderr, "# iofuzz: the last %u actions (wW.T: worker, thread), seed %llu:\n",
		n - from, fz_opts.seed);
	for (i = from; i < n; i++)
		fprintf(stderr, "#   %s\n", all[i].line);
}

/* /dev/kmsg from now on: what the kernel logs from here is scanned. */
int fz_kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

/*
 * Read what the kernel logged since the last call: the number of lines
 * showing a problem, each printed (unless quiet) as a diagnostic.
 */
int fz_kmsg_scan(int fd, bool quiet)
{
	char rec[2048];
	ssize_t n;
	size_t i;
	int bad = 0;

	while ((n = read(fd, rec, sizeof(rec) - 1)) != 0) {
		if (n < 0) {
			if (errno == EPIPE)	/* overwritten: go on */
				continue;
			break;			/* EAGAIN: all read */
		}
		rec[n] = '\0';
		for (i = 0; i < sizeof(kmsg_problems) / sizeof(kmsg_problems[0]); i++) {
			if (!strstr(rec, kmsg_problems[i]))
				continue;
			bad++;
			if (!quiet)
				fprintf(stderr, "# iofuzz: kernel log: %s",
					strchr(rec, ';') ? strchr(rec, ';') + 1 : rec);
			break;
		}
	}
	return bad;
}
