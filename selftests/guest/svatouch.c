// SPDX-License-Identifier: GPL-2.0
/*
 * svatouch DEV [OPTION...]: bind this process's memory to a device of
 * iommu_mock, have the device access fresh anonymous pages, wait until
 * the device got every answer, and print which pages are resident:
 *   page 0 resident
 *   ...
 *   resident N absent N unmapped N
 * With --time, one more line before the last:
 *   time_ns N groups G requests R
 * N: the sum over rounds of the time (CLOCK_MONOTONIC) from just before
 * the device's access to just after the last answer, page replacement
 * between rounds left out; G, R: the groups the device issued and the
 * requests it sent meanwhile (the deltas of its hwstats).
 * Options:
 *   --pasid N|none    the PASID (default none: the device itself)
 *   --via own|iofault who handles the faults (default own)
 *   --handler mm|now  with via own: resolve in this process's memory
 *                     (default), or answer SUCCESS at once
 *   --pages K         pages mapped and accessed (default 1)
 *   --group           all faulting pages of an access form one group
 *   --write           the device writes (default: reads)
 *   --always          every page faults, even a resident one
 *   --rounds R        R accesses, the pages replaced by fresh ones in
 *                     between (default 1)
 *   --touch           this process writes the pages first
 *   --prot rw|r|none  protection of the mapping (default rw)
 *   --unmap           unmap the pages before the access: no VMA holds them
 *   --nobind          access without binding
 *   --then CMD        once bound, before the first access, run CMD with
 *                     /bin/sh -c and wait; svatouch fails if CMD does
 *   --time            time the rounds (see above)
 *   --unplug          unplug DEV right after the access, instead of
 *                     waiting for the answers (the bind goes with DEV)
 * Exits with 1 if a step fails (the file's errno is printed), 2 on usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MOCK "/sys/kernel/debug/iommu_mock"

static const char *dev;

static void usage(void)
{
	fprintf(stderr, "usage: svatouch DEV [--pasid N|none] [--via own|iofault]\n"
		"  [--handler mm|now] [--pages K] [--group] [--write] [--always]\n"
		"  [--rounds R] [--touch] [--prot rw|r|none] [--unmap] [--nobind]\n"
		"  [--then CMD] [--time] [--unplug]\n");
	exit(2);
}

/* Write @line to the file @name of the device, or of iommu_mock's root. */
static void ctl(const char *name, const char *line, int in_dev)
{
	char path[256];
	ssize_t n;
	int fd;

	if (in_dev)
		snprintf(path, sizeof(path), MOCK "/%s/%s", dev, name);
	else
		snprintf(path, sizeof(path), MOCK "/%s", name);
	fd = open(path, O_WRONLY);
	if (fd < 0) {
		fprintf(stderr, "svatouch: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	n = write(fd, line, strlen(line));
	if (n < 0) {
		fprintf(stderr, "svatouch: %s: %s: %s\n", path, line,
			strerror(errno));
		exit(1);
	}
	close(fd);
}

/* Wait until the device got an answer for every group it issued. */
static void settle(void)
{
	char path[256], buf[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), MOCK "/%s/settle", dev);
	fd = open(path, O_RDONLY);
	n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (n < 0) {
		fprintf(stderr, "svatouch: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	buf[n] = '\0';
	if (strcmp(buf, "unanswered 0\n"))
		fprintf(stderr, "svatouch: %s: %s", path, buf);
	close(fd);
}

/* The counter @key of the device's hwstats. */
static long long hwstat(const char *key)
{
	char path[256], name[32];
	long long v;
	FILE *f;

	snprintf(path, sizeof(path), MOCK "/%s/hwstats", dev);
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "svatouch: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	while (fscanf(f, "%31s %lld", name, &v) == 2) {
		if (!strcmp(name, key)) {
			fclose(f);
			return v;
		}
	}
	fprintf(stderr, "svatouch: %s: no %s\n", path, key);
	exit(1);
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Run @cmd with /bin/sh -c; whether it exited with 0. */
static int run(const char *cmd)
{
	pid_t pid = fork();
	int status;

	if (pid < 0) {
		perror("svatouch: fork");
		return 0;
	}
	if (!pid) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		perror("svatouch: /bin/sh");
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0) {
		perror("svatouch: waitpid");
		return 0;
	}
	if (WIFEXITED(status) && !WEXITSTATUS(status))
		return 1;
	if (WIFEXITED(status))
		fprintf(stderr, "svatouch: --then '%s' exited with %d\n", cmd,
			WEXITSTATUS(status));
	else
		fprintf(stderr, "svatouch: --then '%s' was killed by signal %d\n",
			cmd, WTERMSIG(status));
	return 0;
}

static long number(const char *s)
{
	char *end;
	long v = strtol(s, &end, 0);

	if (!*s || *end || v <= 0)
		usage();
	return v;
}

int main(int argc, char **argv)
{
	const char *pasid = "none", *via = "own", *handler = NULL, *then = NULL;
	int group = 0, write = 0, always = 0, touch = 0, unmap = 0, timed = 0;
	int nobind = 0, unplug = 0, prot = PROT_READ | PROT_WRITE;
	long long ns = 0, issued = 0, requests = 0, t0;
	long pages = 1, rounds = 1, psz = sysconf(_SC_PAGESIZE), i, r;
	long counts[3] = { 0 };
	static const char * const state[] = { "resident", "absent", "unmapped" };
	char line[256];
	char *mem;

	if (argc < 2 || argv[1][0] == '-')
		usage();
	dev = argv[1];
	for (i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--group")) {
			group = 1;
		} else if (!strcmp(a, "--write")) {
			write = 1;
		} else if (!strcmp(a, "--always")) {
			always = 1;
		} else if (!strcmp(a, "--touch")) {
			touch = 1;
		} else if (!strcmp(a, "--unmap")) {
			unmap = 1;
		} else if (!strcmp(a, "--nobind")) {
			nobind = 1;
		} else if (!strcmp(a, "--unplug")) {
			unplug = 1;
		} else if (!strcmp(a, "--time")) {
			timed = 1;
		} else if (!v) {
			usage();
		} else if (!strcmp(a, "--pasid")) {
			pasid = argv[++i];
		} else if (!strcmp(a, "--via")) {
			via = argv[++i];
		} else if (!strcmp(a, "--handler")) {
			handler = argv[++i];
		} else if (!strcmp(a, "--then")) {
			then = argv[++i];
		} else if (!strcmp(a, "--pages")) {
			pages = number(argv[++i]);
		} else if (!strcmp(a, "--rounds")) {
			rounds = number(argv[++i]);
		} else if (!strcmp(a, "--prot")) {
			i++;
			if (!strcmp(v, "r"))
				prot = PROT_READ;
			else if (!strcmp(v, "none"))
				prot = PROT_NONE;
			else if (strcmp(v, "rw"))
				usage();
		} else {
			usage();
		}
	}
	if ((touch && (prot != (PROT_READ | PROT_WRITE) || unmap)) ||
	    (unplug && (rounds > 1 || timed)))
		usage();

	mem = mmap(NULL, pages * psz, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED || (unmap && munmap(mem, pages * psz))) {
		perror("svatouch: mmap");
		return 1;
	}
	if (touch)
		memset(mem, 1, pages * psz);
	if (!nobind) {
		snprintf(line, sizeof(line), "pasid=%s via=%s%s%s", pasid, via,
			 handler ? " handler=" : "", handler ? handler : "");
		ctl("bind", line, 1);
	}
	if (then && !run(then)) {
		if (!nobind) {
			snprintf(line, sizeof(line), "pasid=%s", pasid);
			ctl("unbind", line, 1);
		}
		return 1;
	}
	if (timed) {
		issued = hwstat("issued");
		requests = hwstat("requests");
	}
	snprintf(line, sizeof(line), "pasid=%s addr=%p pages=%ld%s%s%s",
		 pasid, (void *)mem, pages, write ? " write" : "",
		 group ? " group" : "", always ? " always" : "");
	for (r = 0; r < rounds; r++) {
		/* Fresh pages in place (the debug kernel has no madvise()). */
		if (r && !unmap &&
		    mmap(mem, pages * psz, prot, MAP_PRIVATE | MAP_ANONYMOUS |
			 MAP_FIXED, -1, 0) == MAP_FAILED) {
			perror("svatouch: mmap");
			return 1;
		}
		t0 = now_ns();
		ctl("access", line, 1);
		if (unplug)
			ctl("unplug", dev, 0);
		else
			settle();
		ns += now_ns() - t0;
	}

	for (i = 0; i < pages; i++) {
		unsigned char vec;
		int s = 0;

		if (mincore(mem + i * psz, psz, &vec))
			s = errno == ENOMEM ? 2 : -1;
		else if (!(vec & 1))
			s = 1;
		if (s < 0) {
			perror("svatouch: mincore");
			return 1;
		}
		counts[s]++;
		printf("page %ld %s\n", i, state[s]);
	}
	if (timed)
		printf("time_ns %lld groups %lld requests %lld\n", ns,
		       hwstat("issued") - issued, hwstat("requests") - requests);
	printf("resident %ld absent %ld unmapped %ld\n", counts[0], counts[1],
	       counts[2]);
	if (!nobind && !unplug) {
		snprintf(line, sizeof(line), "pasid=%s", pasid);
		ctl("unbind", line, 1);
	}
	return 0;
}
