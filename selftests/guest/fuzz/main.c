// SPDX-License-Identifier: GPL-2.0
/*
 * iofuzz: a fuzzer over iofault's whole user surface, for the test guest.
 *
 *   iofuzz [--seconds N] [--seed S] [--epoch N] [--workers N] [--threads N]
 *          [--families fd,ctl,...] [--verbose]
 *
 * Runs epochs of random actions (fuzz.h) for N seconds in all, then prints
 * one TAP line per property it checked, and exits with 1 if one broke. A
 * failure also prints the seed and the last actions of every thread. The
 * same seed with the same options replays the same choices in every
 * thread; how the threads interleave is up to the scheduler.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"

#define WORKER_GRACE	120	/* s a worker may take to drain and exit */

struct fz_shared *fz;
struct fz_opts fz_opts = {
	.seconds = 60, .epoch = 20, .workers = 3, .threads = 2,
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: iofuzz [--seconds N] [--seed S] [--epoch N] [--workers N (1-%d)]\n"
		"              [--threads N (1-%d)] [--families F,F...] [--verbose]\n",
		FZ_MAX_WORKERS, FZ_MAX_THREADS);
	return 2;
}

static int parse_families(char *list)
{
	char *name;
	unsigned int f;

	fz_enabled = 0;
	for (name = strtok(list, ","); name; name = strtok(NULL, ",")) {
		for (f = 0; f < FZ_NR_FAMILIES; f++)
			if (!strcmp(name, fz_families[f]->name))
				break;
		if (f == FZ_NR_FAMILIES) {
			fprintf(stderr, "iofuzz: no family %s\n", name);
			return -1;
		}
		fz_enabled |= 1U << f;
	}
	return 0;
}

static int parse(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seconds", required_argument, NULL, 's' },
		{ "seed", required_argument, NULL, 'S' },
		{ "epoch", required_argument, NULL, 'e' },
		{ "workers", required_argument, NULL, 'w' },
		{ "threads", required_argument, NULL, 't' },
		{ "families", required_argument, NULL, 'f' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	bool seeded = false;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			fz_opts.seconds = strtoul(optarg, NULL, 0);
			break;
		case 'S':
			fz_opts.seed = strtoull(optarg, NULL, 0);
			seeded = true;
			break;
		case 'e':
			fz_opts.epoch = strtoul(optarg, NULL, 0);
			break;
		case 'w':
			fz_opts.workers = strtoul(optarg, NULL, 0);
			break;
		case 't':
			fz_opts.threads = strtoul(optarg, NULL, 0);
			break;
		case 'f':
			if (parse_families(optarg))
				return -1;
			break;
		case 'v':
			fz_opts.verbose = true;
			break;
		default:
			return -1;
		}
	}
	if (optind != argc || !fz_opts.seconds || !fz_opts.epoch ||
	    !fz_opts.workers || fz_opts.workers > FZ_MAX_WORKERS ||
	    !fz_opts.threads || fz_opts.threads > FZ_MAX_THREADS)
		return -1;
	if (!seeded) {
		int fd = open("/dev/urandom", O_RDONLY);

		if (fd < 0 || read(fd, &fz_opts.seed, sizeof(fz_opts.seed)) !=
		    sizeof(fz_opts.seed))
			fz_opts.seed = (unsigned long long)time(NULL);
		if (fd >= 0)
			close(fd);
	}
	return 0;
}

static void families_str(char *buf, size_t size)
{
	unsigned int f;
	size_t len = 0;

	buf[0] = '\0';
	for (f = 0; f < FZ_NR_FAMILIES; f++)
		if (fz_enabled & (1U << f))
			len += snprintf(buf + len, size - len, "%s%s",
					len ? "," : "", fz_families[f]->name);
}

/*
 * The workers of one epoch: run them for secs, watching the kernel log,
 * then have them drain and exit. Returns 0, or 1 if one did not finish.
 */
static int run_epoch(unsigned int epoch, double secs, int kmsg)
{
	pid_t pids[FZ_MAX_WORKERS];
	unsigned int w, left;
	double end = now() + secs;
	int status, bad = 0;

	fz->stop = 0;
	for (w = 0; w < fz_opts.workers; w++) {
		pids[w] = fork();
		if (pids[w] == 0)
			fz_worker(epoch, w);
		if (pids[w] < 0) {
			fz_cat = FZ_CAT_RUN;
			fz_main_fail("fork: %s", strerror(errno));
			pids[w] = 0;
		}
	}
	while (now() < end && !fz->failed) {
		fz_sleep_ms(100);
		if (fz_kmsg_scan(kmsg, false)) {
			fz_cat = FZ_CAT_KLOG;
			fz_main_fail("the kernel logged a problem in epoch %u", epoch);
		}
	}
	fz->stop = 1;
	end = now() + WORKER_GRACE;
	do {
		left = 0;
		for (w = 0; w < fz_opts.workers; w++) {
			if (!pids[w])
				continue;
			if (waitpid(pids[w], &status, WNOHANG) == pids[w]) {
				if (!WIFEXITED(status) || WEXITSTATUS(status)) {
					fz_cat = FZ_CAT_RUN;
					fz_main_fail("worker %u died (status %#x)", w, status);
					bad = 1;
				}
				pids[w] = 0;
			} else {
				left++;
			}
		}
		if (left)
			fz_sleep_ms(50);
	} while (left && now() < end);
	for (w = 0; w < fz_opts.workers; w++) {
		if (!pids[w])
			continue;
		fz_cat = FZ_CAT_RUN;
		fz_main_fail("worker %u did not finish its epoch in %d s: killed",
			     w, WORKER_GRACE);
		kill(pids[w], SIGKILL);
		waitpid(pids[w], &status, 0);
		bad = 1;
	}
	return bad;
}

static void tap(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s - ", ok ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

int main(int argc, char **argv)
{
	double start, left;
	unsigned int epoch = 0;
	char families[128];
	uint64_t rng[2];
	int kmsg;

	if (parse(argc, argv))
		return usage();
	fz = mmap(NULL, sizeof(*fz), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (fz == MAP_FAILED) {
		perror("iofuzz: mmap");
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	families_str(families, sizeof(families));
	fprintf(stderr, "# iofuzz: seed %llu, %u s; replay: iofuzz --seed %llu --seconds %u --epoch %u --workers %u --threads %u --families %s\n",
		fz_opts.seed, fz_opts.seconds, fz_opts.seed, fz_opts.seconds,
		fz_opts.epoch, fz_opts.workers, fz_opts.threads, families);
	kmsg = fz_kmsg_open();
	fz_trace_open();
	fz_seed(rng, fz_opts.seed, 0, 0);
	start = now();
	while (!fz->failed && (left = fz_opts.seconds - (now() - start)) > 1) {
		if (fz_epoch_setup(rng, epoch))
			break;
		run_epoch(epoch, left < fz_opts.epoch ? left : fz_opts.epoch, kmsg);
		fz_epoch_check(epoch);
		if (fz_kmsg_scan(kmsg, false)) {
			fz_cat = FZ_CAT_KLOG;
			fz_main_fail("the kernel logged a problem in epoch %u", epoch);
		}
		fprintf(stderr, "# iofuzz: epoch %u done, %llu actions so far\n",
			epoch, fz->actions);
		epoch++;
	}
	fprintf(stderr, "# iofuzz: actions by family:");
	for (unsigned int f = 0; f < FZ_NR_FAMILIES; f++)
		if (fz_enabled & (1U << f))
			fprintf(stderr, " %s %llu", fz_families[f]->name,
				fz->by_family[f]);
	fputc('\n', stderr);
	if (fz->failed) {
		fz_dump_rings();
		fprintf(stderr, "# iofuzz: FAILED in epoch %u; replay: iofuzz --seed %llu --seconds %u --epoch %u --workers %u --threads %u --families %s\n",
			epoch, fz_opts.seed, fz_opts.seconds, fz_opts.epoch,
			fz_opts.workers, fz_opts.threads, families);
	}
	tap(fz->actions && !fz_cat_fails[FZ_CAT_RUN],
	    "ran %llu actions in %u epochs (seed %llu)", fz->actions, epoch,
	    fz_opts.seed);
	tap(!fz->thread_fails, "every outcome kept its contract (%llu checked)", fz->checks);
	tap(!fz_cat_fails[FZ_CAT_ONCE],
	    "every group the hardware issued was answered exactly once");
	tap(!fz_cat_fails[FZ_CAT_COUNTERS], "every device's counters add up");
	tap(!fz_cat_fails[FZ_CAT_OBJECTS],
	    "each epoch ends with no object left and the modules unloaded");
	tap(!fz_cat_fails[FZ_CAT_KLOG], "the kernel log stayed clean");
	return fz->failed ? 1 : 0;
}
