// SPDX-License-Identifier: GPL-2.0
/*
 * iofuzz: sysfs. Reads of every attribute of every device and of the
 * module, with the identities the counters keep in every snapshot; writes
 * of the limits, good and bad.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

static const char *const ends[] = {
	"ended_response", "ended_timeout", "ended_flush", "ended_close",
	"ended_quota", "ended_duplicate", "ended_handoff",
};

/*
 * The identities of one stats snapshot (read under the device's lock).
 * Groups admitted are those the tracker took; a request it answers at
 * once (its quota reached, a duplicate of a pending group, a device gone)
 * ends without being one. So: every group admitted got exactly one
 * verdict; every group admitted is outstanding or ended, and what ended
 * besides is quota, duplicates and (once the device is gone) requests
 * flushed at once; and every answer iofault sent carried one code.
 * Returns false, and why, if one does not hold.
 */
bool fz_stats_check(const char *text, char *why, size_t size)
{
	unsigned long long groups, out, resolved, fwd, failed, v, ended = 0;
	unsigned long long codes = 0, handoff, quota, dup, flush, extra;
	static const char *const codes_k[] = {
		"code_success", "code_invalid", "code_failure",
	};
	size_t i;

	if (!fz_stat(text, "groups", &groups) || !fz_stat(text, "outstanding", &out) ||
	    !fz_stat(text, "resolved", &resolved) || !fz_stat(text, "forwarded", &fwd) ||
	    !fz_stat(text, "failed", &failed) || !fz_stat(text, "ended_handoff", &handoff) ||
	    !fz_stat(text, "ended_quota", &quota) ||
	    !fz_stat(text, "ended_duplicate", &dup) ||
	    !fz_stat(text, "ended_flush", &flush)) {
		snprintf(why, size, "a counter is missing");
		return false;
	}
	for (i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
		if (!fz_stat(text, ends[i], &v)) {
			snprintf(why, size, "%s is missing", ends[i]);
			return false;
		}
		ended += v;
	}
	for (i = 0; i < 3; i++) {
		if (!fz_stat(text, codes_k[i], &v)) {
			snprintf(why, size, "%s is missing", codes_k[i]);
			return false;
		}
		codes += v;
	}
	if (resolved + fwd + failed != groups) {
		snprintf(why, size, "verdicts %llu+%llu+%llu != groups %llu",
			 resolved, fwd, failed, groups);
		return false;
	}
	extra = ended + out - quota - dup - groups;
	if (ended + out < groups + quota + dup || extra > flush) {
		snprintf(why, size,
			 "groups %llu + quota %llu + duplicate %llu != ended %llu + outstanding %llu (less at most %llu flushed at once)",
			 groups, quota, dup, ended, out, flush);
		return false;
	}
	if (codes != ended - handoff) {
		snprintf(why, size, "answers by code %llu != ended %llu - handed off %llu",
			 codes, ended, handoff);
		return false;
	}
	return true;
}

static void sysfs_read_dev(struct fz_thread *t)
{
	static const char *const attrs[] = {
		"id", "driver", "policy", "last_exit", "stats", "latency",
		"quota", "partial_max", "timeout_ms", "uevent",
	};
	char dev[IOFAULT_NAME_LEN], path[128], text[8192], why[160];
	const char *attr = attrs[fz_below(t, sizeof(attrs) / sizeof(attrs[0]))];
	int n;

	fz_pick_dev(t, dev);
	snprintf(path, sizeof(path), FZ_CLASS "/%s/%s", dev, attr);
	fz_log(t, "sysfs read %s", path);
	n = fz_read_file(path, text, sizeof(text));
	/* ENOENT: no such device; ENODEV: it went away while open. */
	FZ_EXPECT(t, "a device attribute read", n < 0 ? -n : 0,
		  0, ENOENT, ENODEV);
	if (n >= 0 && !strcmp(attr, "stats") && !fz_stats_check(text, why, sizeof(why)))
		fz_fail(t, "%s stats do not add up: %s", dev, why);
}

static void sysfs_read_global(struct fz_thread *t)
{
	static const char *const attrs[] = {
		"global_policy", "global_last_exit", "objects", "iopf",
	};
	const char *attr = attrs[fz_below(t, sizeof(attrs) / sizeof(attrs[0]))];
	char path[128], text[1024];
	int n;

	snprintf(path, sizeof(path), FZ_KOBJ "/%s", attr);
	fz_log(t, "sysfs read %s", path);
	n = fz_read_file(path, text, sizeof(text));
	FZ_EXPECT(t, "a module attribute read", n < 0 ? -n : 0, 0, ENOENT);
}

static void sysfs_write_limit(struct fz_thread *t)
{
	static const struct {
		const char *name;
		unsigned long long max;
	} limits[] = {
		{ "quota", 65536 }, { "partial_max", 65536 },
		{ "timeout_ms", 3600000 },
	};
	unsigned int l = fz_below(t, 3);
	char dev[IOFAULT_NAME_LEN], path[128], val[64];
	int kind = fz_below(t, 8), err, ok;
	unsigned long long v;

	fz_pick_dev(t, dev);
	snprintf(path, sizeof(path), FZ_CLASS "/%s/%s", dev, limits[l].name);
	switch (kind) {
	case 0:		/* out of bounds */
		v = fz_chance(t, 50) ? 0 : limits[l].max + 1 + fz_below(t, 1000);
		snprintf(val, sizeof(val), "%llu", v);
		ok = ERANGE;
		break;
	case 1:
		snprintf(val, sizeof(val), "-%u", 1 + fz_below(t, 100));
		ok = ERANGE;
		break;
	case 2:
		snprintf(val, sizeof(val), "%s",
			 fz_chance(t, 50) ? "lots" : "12abc");
		ok = EINVAL;
		break;
	case 3:		/* too big for a long long */
		snprintf(val, sizeof(val), "99999999999999999999999");
		ok = ERANGE;
		break;
	default:
		/*
		 * Good values; short timeouts and small quotas make the
		 * timeout and the quota answer groups, as they should.
		 */
		if (l == 2)
			v = fz_chance(t, 30) ? 1 + fz_below(t, 50) : 100 + fz_below(t, 5000);
		else if (fz_chance(t, 30))
			v = 1 + fz_below(t, 8);
		else
			v = 1 + fz_below(t, (unsigned int)limits[l].max);
		if (v == FZ_PRIV_MARK)	/* only unprivileged writers try it */
			v++;
		snprintf(val, sizeof(val), fz_chance(t, 20) ? "%#llx\n" : "%llu\n", v);
		ok = 0;
		break;
	}
	fz_log(t, "sysfs write %s %s", path, val);
	err = -fz_write_file(path, val);
	/* ENOENT: no such device; ENODEV: it went away meanwhile. */
	FZ_EXPECT(t, "a limit write", err, ok, ENOENT, ENODEV);
}

static const struct fz_action sysfs_actions[] = {
	{ "read-dev", 6, sysfs_read_dev },
	{ "read-global", 2, sysfs_read_global },
	{ "write-limit", 3, sysfs_write_limit },
};

const struct fz_family fz_sysfs_family = {
	.name = "sysfs",
	.actions = sysfs_actions,
	.nr_actions = sizeof(sysfs_actions) / sizeof(sysfs_actions[0]),
};
