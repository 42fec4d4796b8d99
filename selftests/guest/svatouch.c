// SPDX-License-Identifier: GPL-2.0
/*
 * svatouch DEV [OPTION...]: bind this process's memory to a device of
 * iommu_mock, have the device access fresh anonymous pages, wait until
 * the device got every answer, and print which pages are resident:
 *   page 0 resident
 *   ...
 *   resident N absent N unmapped N
 * Options:
 *   --pasid N|none    the PASID (default none: the device itself)
 *   --via own|iofault who handles the faults (default own)
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
#include <unistd.h>

#define MOCK "/sys/kernel/debug/iommu_mock"

static const char *dev;

static void usage(void)
{
	fprintf(stderr, "usage: svatouch DEV [--pasid N|none] [--via own|iofault] [--pages K]\n"
		"  [--group] [--write] [--always] [--rounds R] [--touch]\n"
		"  [--prot rw|r|none] [--unmap] [--nobind] [--unplug]\n");
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
	const char *pasid = "none", *via = "own";
	int group = 0, write = 0, always = 0, touch = 0, unmap = 0;
	int nobind = 0, unplug = 0, prot = PROT_READ | PROT_WRITE;
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
		} else if (!v) {
			usage();
		} else if (!strcmp(a, "--pasid")) {
			pasid = argv[++i];
		} else if (!strcmp(a, "--via")) {
			via = argv[++i];
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
	    (unplug && rounds > 1))
		usage();

	mem = mmap(NULL, pages * psz, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED || (unmap && munmap(mem, pages * psz))) {
		perror("svatouch: mmap");
		return 1;
	}
	if (touch)
		memset(mem, 1, pages * psz);
	if (!nobind) {
		snprintf(line, sizeof(line), "pasid=%s via=%s", pasid, via);
		ctl("bind", line, 1);
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
		ctl("access", line, 1);
		if (unplug)
			ctl("unplug", dev, 0);
		else
			settle();
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
	printf("resident %ld absent %ld unmapped %ld\n", counts[0], counts[1],
	       counts[2]);
	if (!nobind && !unplug) {
		snprintf(line, sizeof(line), "pasid=%s", pasid);
		ctl("unbind", line, 1);
	}
	return 0;
}
