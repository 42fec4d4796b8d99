// SPDX-License-Identifier: GPL-2.0
/*
 * iofuzz: iofault_mock between epochs, in the main process. Load it with
 * random parameters; once the workers are gone, let each device finish
 * (its driver unpaused, its resolver mapping, every deferred group
 * answered, its queue drained) and check that its hardware got exactly
 * one answer for each group it issued, and that iofault counted the same
 * groups and answers; the same for the devices unplugged meanwhile, from
 * the unplugged file; unload, and check the record each device left in
 * the kernel log.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hw.h"

#define DEVS_MAX	128	/* vtd0-63 and smmu0-63 */
#define SETTLE_ROUNDS	50

static unsigned int below(uint64_t rng[2], unsigned int n)
{
	return (uint32_t)(fz_next(rng) >> 32) % n;
}

/* A queue size from 2 to 256, the smallest and largest often. */
static unsigned int queue_size(uint64_t rng[2])
{
	switch (below(rng, 4)) {
	case 0:
		return 2;
	case 1:
		return 256;
	case 2:
		return 2 + below(rng, 15);
	default:
		return 2 + below(rng, 255);
	}
}

int fz_hw_load(uint64_t rng[2])
{
	static const unsigned int timeouts[] = { 0, 20, 200, 2000 };
	struct hw_params *p = &hw_params;

	p->vtd = 1 + below(rng, 3);
	p->smmu = below(rng, 3);
	p->prq_size = queue_size(rng);
	p->evtq_size = queue_size(rng);
	p->timeout_ms = timeouts[below(rng, 4)];
	p->resolver = below(rng, 4) != 0;
	fprintf(stderr, "# iofuzz: iofault_mock vtd=%u smmu=%u prq_size=%u evtq_size=%u timeout_ms=%u resolver=%d\n",
		p->vtd, p->smmu, p->prq_size, p->evtq_size, p->timeout_ms,
		p->resolver);
	if (fz_run("insmod " FZ_MODDIR "/iofault_mock.ko vtd=%u smmu=%u prq_size=%u evtq_size=%u timeout_ms=%u resolver=%d",
		   p->vtd, p->smmu, p->prq_size, p->evtq_size, p->timeout_ms,
		   p->resolver)) {
		fz_main_fail("insmod iofault_mock.ko failed");
		return 1;
	}
	return 0;
}

/* The mock's devices now (its directories); how many. */
static int mock_devices(char names[][IOFAULT_NAME_LEN], int max)
{
	DIR *d = opendir(FZ_MOCK);
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while (n < max && (e = readdir(d)))
		if (e->d_type == DT_DIR && e->d_name[0] != '.' &&
		    strlen(e->d_name) < IOFAULT_NAME_LEN)
			memcpy(names[n++], e->d_name, strlen(e->d_name) + 1);
	closedir(d);
	return n;
}

/* Answer what the resolver deferred; how many were listed, or -1. */
static int answer_deferred(const char *dev)
{
	struct hw_deferred d[HW_DEFERRED_MAX];
	char path[128];
	int n, i, err;

	n = hw_read_deferred(dev, d, HW_DEFERRED_MAX);
	if (n < 0) {
		fz_main_fail("%s: deferred: %s", dev, strerror(-n));
		return -1;
	}
	hw_path(path, sizeof(path), dev, "respond");
	for (i = 0; i < n; i++) {
		err = -fz_write_filef(path, "cookie=%#llx pasid=%u grpid=%u code=success",
				      d[i].cookie, d[i].pasid, d[i].grpid);
		/*
		 * The timeout may answer it first; a group can stay listed
		 * after its answer while the hardware has another of its key
		 * (VT-d: a group index reused) unanswered.
		 */
		if (err && err != ETIMEDOUT && err != EALREADY && err != ESTALE) {
			fz_main_fail("%s: answering deferred group %#llx: %s",
				     dev, d[i].cookie, strerror(err));
			return -1;
		}
	}
	return n;
}

/* The value of "KEY VALUE" in @text, if there. */
static void hw_stat_line(const char *text, const char *key,
			 unsigned long long *val)
{
	if (!fz_stat(text, key, val))
		*val = 0;
}

/* Let @dev finish: 0 once nothing is unanswered, else 1 (said). */
static int settle(const char *dev)
{
	unsigned long long left = 0, queued = 0, deferred = 0, out;
	char path[128], text[4096];
	int round, n;

	hw_path(path, sizeof(path), dev, "pause");
	if (fz_write_file(path, "0")) {
		fz_main_fail("%s: cannot unpause", dev);
		return 1;
	}
	hw_path(path, sizeof(path), dev, "resolve");
	if (fz_write_file(path, "map")) {
		fz_main_fail("%s: cannot set resolve map", dev);
		return 1;
	}
	hw_path(path, sizeof(path), dev, "settle");
	/*
	 * settle waits (30 s at most) until all but the deferred groups are
	 * answered: what is left then is deferred, to be answered here. A
	 * resolver that ran before "map" was set may defer one more
	 * meanwhile: hence rounds, each listing anew.
	 */
	for (round = 0; round < SETTLE_ROUNDS; round++) {
		if (fz_read_file(path, text, sizeof(text)) < 0 ||
		    sscanf(text, "unanswered %llu", &left) != 1) {
			fz_main_fail("%s: settle: %s", dev, text);
			return 1;
		}
		if (!left)
			return 0;
		n = answer_deferred(dev);
		if (n < 0)
			return 1;
		if (!n)
			break;
	}
	/* Where they are: in the hardware's queue, deferred, or in iofault. */
	hw_path(path, sizeof(path), dev, "hwstats");
	fz_read_file(path, text, sizeof(text));
	hw_stat_line(text, "queued", &queued);
	hw_stat_line(text, "deferred", &deferred);
	snprintf(path, sizeof(path), FZ_CLASS "/%.31s/stats", dev);
	if (fz_read_file(path, text, sizeof(text)) < 0 ||
	    !fz_stat(text, "outstanding", &out))
		out = ~0ULL;
	fz_main_fail("%s: never settled: %llu groups unanswered (hardware queue %llu, deferred %llu, outstanding in iofault %lld)",
		     dev, left, queued, deferred, (long long)out);
	return 1;
}

/*
 * A settled device: its hardware got one answer a group, and iofault saw
 * each group it issued but those it answered itself (VT-d's overflow),
 * and sent each answer it got.
 */
static int check_device(const char *dev, struct hw_record *r)
{
	unsigned long long queued, held = 0, resp, groups, quota, dup, c[3];
	char path[128], text[2048], iof[8192], why[160];
	enum fz_cat cat = fz_cat;
	int bad = 0;

	hw_path(path, sizeof(path), dev, "hwstats");
	if (fz_read_file(path, text, sizeof(text)) < 0) {
		fz_main_fail("%s: hwstats unreadable", dev);
		return 1;
	}
	memcpy(r->name, dev, strlen(dev) + 1);
	if (!hw_stats_ok(text, why, sizeof(why)) ||
	    !fz_stat(text, "issued", &r->issued) ||
	    !fz_stat(text, "answered", &r->answered) ||
	    !fz_stat(text, "auto", &r->autoresp) ||
	    !fz_stat(text, "unanswered", &r->unanswered) ||
	    !fz_stat(text, "duplicate", &r->duplicate) ||
	    !fz_stat(text, "queued", &queued) ||
	    !fz_stat(text, "responses", &resp) ||
	    !hw_record_ok(r, why, sizeof(why))) {
		fz_main_fail("%s: hwstats: %s", dev, why);
		return 1;
	}
	fz_stat(text, "held", &held);
	if (queued || held) {
		fz_main_fail("%s: settled with %llu requests queued, %llu held",
			     dev, queued, held);
		bad++;
	}
	snprintf(path, sizeof(path), FZ_CLASS "/%.31s/stats", dev);
	if (fz_read_file(path, iof, sizeof(iof)) < 0 ||
	    !fz_stat(iof, "groups", &groups) ||
	    !fz_stat(iof, "ended_quota", &quota) ||
	    !fz_stat(iof, "ended_duplicate", &dup) ||
	    !fz_stat(iof, "code_success", &c[0]) ||
	    !fz_stat(iof, "code_invalid", &c[1]) ||
	    !fz_stat(iof, "code_failure", &c[2])) {
		fz_main_fail("%s: iofault's stats unreadable", dev);
		return bad + 1;
	}
	fz_cat = FZ_CAT_COUNTERS;
	if (groups + quota + dup != r->issued - r->autoresp) {
		fz_main_fail("%s: iofault saw %llu groups + %llu quota + %llu duplicate, the hardware issued %llu (auto %llu)",
			     dev, groups, quota, dup, r->issued, r->autoresp);
		bad++;
	}
	if (c[0] + c[1] + c[2] != resp) {
		fz_main_fail("%s: iofault sent %llu answers, the hardware got %llu",
			     dev, c[0] + c[1] + c[2], resp);
		bad++;
	}
	fz_cat = cat;
	return bad;
}

/* What each device present at the settle check should leave at unload. */
static struct hw_record expected[DEVS_MAX];
static int nexpected;

int fz_hw_settle_check(void)
{
	char names[DEVS_MAX][IOFAULT_NAME_LEN], why[160];
	int n = mock_devices(names, DEVS_MAX), i, bad = 0, b, unplugged;
	unsigned long long issued = 0, autoresp = 0;

	nexpected = 0;
	for (i = 0; i < n; i++) {
		b = settle(names[i]);
		if (!b)
			b = check_device(names[i], &expected[nexpected]);
		if (!b) {
			issued += expected[nexpected].issued;
			autoresp += expected[nexpected++].autoresp;
		}
		bad += b;
	}
	unplugged = hw_unplugged_check(why, sizeof(why));
	if (unplugged < 0) {
		fz_main_fail("unplugged: %s", why);
		bad++;
	}
	if (!bad)
		fprintf(stderr, "# iofuzz: hw: %d devices settled, %llu groups issued (%llu answered by the hardware), %d devices unplugged\n",
			nexpected, issued, autoresp, unplugged);
	return bad;
}

static bool same_record(const struct hw_record *a, const struct hw_record *b)
{
	return a->issued == b->issued && a->answered == b->answered &&
	       a->autoresp == b->autoresp && a->unanswered == b->unanswered &&
	       a->duplicate == b->duplicate;
}

/*
 * The kernel log since @kmsg was opened: each device checked settled has
 * left exactly the record its hardware had then, and every other record
 * (a device that did not settle) is still exactly once.
 */
static int check_unload_records(int kmsg)
{
	char rec[2048], why[160], *p;
	bool seen[DEVS_MAX] = { false };
	struct hw_record r;
	int bad = 0, i;
	ssize_t len;

	while ((len = read(kmsg, rec, sizeof(rec) - 1)) != 0) {
		if (len < 0 && errno == EPIPE)	/* overwritten: go on */
			continue;
		if (len < 0)
			break;			/* EAGAIN: all read */
		rec[len] = '\0';
		p = strstr(rec, "iofault_mock: unloaded ");
		if (!p)
			continue;
		p += strlen("iofault_mock: unloaded ");
		if (!hw_parse_record(p, &r)) {
			fz_main_fail("a bad unload record: %s", p);
			bad++;
			continue;
		}
		for (i = 0; i < nexpected; i++)
			if (!strcmp(expected[i].name, r.name))
				break;
		if (i == nexpected) {
			if (!hw_record_ok(&r, why, sizeof(why))) {
				fz_main_fail("unload record: %s", why);
				bad++;
			}
			continue;
		}
		if (seen[i] || !same_record(&r, &expected[i])) {
			fz_main_fail("%s: unload record %s: issued %llu answered %llu auto %llu unanswered %llu duplicate %llu",
				     r.name, seen[i] ? "twice" : "differs",
				     r.issued, r.answered, r.autoresp,
				     r.unanswered, r.duplicate);
			bad++;
		}
		seen[i] = true;
	}
	for (i = 0; i < nexpected; i++) {
		if (!seen[i]) {
			fz_main_fail("%s: no unload record", expected[i].name);
			bad++;
		}
	}
	return bad;
}

int fz_hw_unload(void)
{
	enum fz_cat cat = fz_cat;
	int kmsg, bad;

	if (access("/sys/module/iofault_mock", F_OK))
		return 0;
	kmsg = fz_kmsg_open();
	if (fz_run("rmmod iofault_mock")) {
		fz_main_fail("rmmod iofault_mock failed");
		if (kmsg >= 0)
			close(kmsg);
		return 1;
	}
	if (kmsg < 0) {
		fprintf(stderr, "# iofuzz: no /dev/kmsg: unload records not checked\n");
		return 0;
	}
	fz_cat = FZ_CAT_ONCE;
	bad = check_unload_records(kmsg);
	fz_cat = cat;
	close(kmsg);
	return bad;
}
