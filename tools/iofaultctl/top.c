// SPDX-License-Identifier: GPL-2.0
/*
 * iofaultctl top: a live view of the devices, a frame (top_frame.c) every
 * interval. On a terminal each frame replaces the last; elsewhere frames
 * follow one another, a blank line apart. The first frame comes after a
 * first short reading (FIRST_MS, or the interval if shorter), so that it
 * has rates too; --once prints it alone.
 *
 * SIGINT and SIGTERM stay blocked; the waits between readings take them
 * (sigtimedwait), so a frame is never cut short, and the tool exits 0.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "iofaultctl.h"

#define INTERVAL_MS	1000
#define FIRST_MS	200
#define INTERVAL_MAX	(24LL * 3600 * 1000)

/* ANSI: cursor home, clear the screen. */
#define CLEAR		"\033[H\033[2J"

struct top_args {
	const char *dev;
	long long interval_ms;
	bool interval_set;
	bool once;
};

static double now_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Wait until end; returns true if SIGINT or SIGTERM came meanwhile. */
static bool wait_stop(const sigset_t *stops, double end)
{
	struct timespec ts;
	double left;

	while ((left = end - now_secs()) > 0) {
		ts.tv_sec = (time_t)left;
		ts.tv_nsec = (long)((left - ts.tv_sec) * 1e9);
		if (sigtimedwait(stops, NULL, &ts) > 0)
			return true;
	}
	return false;
}

/* The devices and the global policy, read at *t. Returns 0 or -1. */
static int read_all(const struct top_args *a, struct dev_set *s,
		    char *global, size_t size, double *t)
{
	int err;

	*t = now_secs();
	if (dev_set_read(s, a->dev))
		return -1;
	err = sysfs_read(SYSFS_GLOBAL_POLICY, global, size);
	if (err) {
		errmsg("cannot read %s: %s", SYSFS_GLOBAL_POLICY,
		       strerror(-err));
		return -1;
	}
	return 0;
}

static int top_run(const struct top_args *a, const sigset_t *stops)
{
	struct dev_set prev, cur = { NULL, 0 };
	char global[IOFAULT_NAME_LEN + 1];
	bool tty = isatty(STDOUT_FILENO);
	long long wait = a->interval_ms;
	double t0, t1;
	int err = 0, frames = 0;

	if (a->once ? !a->interval_set : wait > FIRST_MS)
		wait = FIRST_MS;
	err = read_all(a, &prev, global, sizeof(global), &t0);
	/* Each wait counts from the last reading: frames keep the pace. */
	while (!err && !wait_stop(stops, t0 + wait / 1000.0)) {
		err = read_all(a, &cur, global, sizeof(global), &t1);
		if (err)
			break;
		if (tty)
			fputs(CLEAR, stdout);
		else if (frames)
			putchar('\n');
		top_print(&prev, &cur, t1 - t0, global);
		fflush(stdout);
		frames++;
		dev_set_free(&prev);
		prev = cur;
		cur = (struct dev_set) { NULL, 0 };
		t0 = t1;
		if (a->once)
			break;
		wait = a->interval_ms;
	}
	dev_set_free(&prev);
	dev_set_free(&cur);
	return err ? EXIT_FAIL : 0;
}

int cmd_top(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dev", required_argument, NULL, 'd' },
		{ "interval", required_argument, NULL, 'i' },
		{ "once", no_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct top_args a = { .interval_ms = INTERVAL_MS };
	sigset_t stops;
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			a.dev = optarg;
			break;
		case 'i':
			errno = 0;
			a.interval_ms = strtoll(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || errno || *end ||
			    a.interval_ms < 1 || a.interval_ms > INTERVAL_MAX)
				return usage_error("top: --interval takes a number of milliseconds, 1 to %lld, not '%s'",
						   INTERVAL_MAX, optarg);
			a.interval_set = true;
			break;
		case 'o':
			a.once = true;
			break;
		case 'h':
			return help();
		default:
			return bad_option(argv[0], c, argv[optind - 1]);
		}
	}
	if (optind != argc)
		return usage_error("top: unexpected argument '%s'", argv[optind]);
	if (a.dev && !dev_name_ok(a.dev))
		return usage_error("top: bad device name '%s' (1 to %d characters, no '/' or '%%')",
				   a.dev, IOFAULT_NAME_LEN - 1);
	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &stops, NULL)) {
		errmsg("cannot block SIGINT and SIGTERM: %s", strerror(errno));
		return EXIT_FAIL;
	}
	return top_run(&a, &stops);
}
