// SPDX-License-Identifier: GPL-2.0
/*
 * iofuzz: iofault_mock's files, read and checked. The hardware counts, in
 * one snapshot under its lock, every group it issued that needs an answer
 * and every response it got; nothing the fuzzer does clears the counters
 * (a write to hwlog would: no action writes it), so they keep
 *   issued = answered + auto + unanswered, duplicate = 0,
 *   responses = answered + duplicate = success + invalid + failure.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw.h"

struct hw_params hw_params;

void hw_path(char *buf, size_t size, const char *dev, const char *file)
{
	snprintf(buf, size, FZ_MOCK "/%.*s/%s", IOFAULT_NAME_LEN, dev, file);
}

int hw_kind(const char *dev)
{
	if (!strncmp(dev, "vtd", 3))
		return HW_VTD;
	if (!strncmp(dev, "smmu", 4))
		return HW_SMMU;
	return HW_NONE;
}

/* Group indexes of a kind: a 9-bit PRG index, a 16-bit stall tag. */
unsigned int hw_grpid_limit(int kind)
{
	return kind == HW_SMMU ? 65536 : 512;
}

/* One line of a deferred file; false if it is not one. */
static bool parse_deferred(const char *line, struct hw_deferred *d)
{
	return sscanf(line, "cookie=%llx pasid=%u grpid=%u addr=%llx",
		      &d->cookie, &d->pasid, &d->grpid, &d->addr) == 4;
}

/*
 * The first groups of a device's deferred file; how many, or -errno.
 * Lines are "cookie=X pasid=N grpid=N addr=X"; one cut short is left out.
 */
int hw_read_deferred(const char *dev, struct hw_deferred *d, int max)
{
	char path[128], text[8192], *line, *next;
	int n = 0, len;

	hw_path(path, sizeof(path), dev, "deferred");
	len = fz_read_file(path, text, sizeof(text));
	if (len < 0)
		return len;
	for (line = text; n < max && (next = strchr(line, '\n')); line = next + 1) {
		*next = '\0';
		if (parse_deferred(line, &d[n]))
			n++;
	}
	return n;
}

/* iofault's id of a device; false if it has none (gone). */
bool hw_dev_id(const char *dev, unsigned long long *id)
{
	char path[128], text[32];

	snprintf(path, sizeof(path), FZ_CLASS "/%.*s/id", IOFAULT_NAME_LEN, dev);
	return fz_read_file(path, text, sizeof(text)) > 0 &&
	       sscanf(text, "%llu", id) == 1;
}

bool hw_stats_ok(const char *text, char *why, size_t size)
{
	static const char *const keys[] = {
		"responses", "success", "invalid", "failure", "issued",
		"answered", "unanswered", "duplicate", "auto",
	};
	unsigned long long v[9];
	size_t i;

	for (i = 0; i < 9; i++) {
		if (!fz_stat(text, keys[i], &v[i])) {
			snprintf(why, size, "no %s", keys[i]);
			return false;
		}
	}
	if (v[4] != v[5] + v[8] + v[6]) {
		snprintf(why, size, "issued %llu != answered %llu + auto %llu + unanswered %llu",
			 v[4], v[5], v[8], v[6]);
		return false;
	}
	if (v[7]) {
		snprintf(why, size, "%llu responses matched no group issued", v[7]);
		return false;
	}
	if (v[0] != v[5] + v[7] || v[0] != v[1] + v[2] + v[3]) {
		snprintf(why, size, "responses %llu: answered %llu, duplicate %llu, by code %llu+%llu+%llu",
			 v[0], v[5], v[7], v[1], v[2], v[3]);
		return false;
	}
	return true;
}

/*
 * Each whole line of a device's hwlog is a response of its kind, and
 * none matched no group (" dup").
 */
bool hw_log_ok(const char *dev, const char *text, char *why, size_t size)
{
	const char *prefix = hw_kind(dev) == HW_VTD ? "pasid=" : "stag=";
	const char *line, *end;

	for (line = text; (end = strchr(line, '\n')); line = end + 1) {
		if (strncmp(line, prefix, strlen(prefix)) ||
		    (end - line >= 4 && !strncmp(end - 4, " dup", 4))) {
			snprintf(why, size, "%.*s", (int)(end - line), line);
			return false;
		}
	}
	return true;
}

/* Each whole line of a deferred file is a group with a cookie. */
bool hw_deferred_ok(const char *text, char *why, size_t size)
{
	const char *line, *end;
	struct hw_deferred d;

	for (line = text; (end = strchr(line, '\n')); line = end + 1) {
		if (!parse_deferred(line, &d) || !d.cookie) {
			snprintf(why, size, "%.*s", (int)(end - line), line);
			return false;
		}
	}
	return true;
}

/* "NAME issued N answered N auto N unanswered N duplicate N" */
bool hw_parse_record(const char *line, struct hw_record *r)
{
	char name[64];

	if (sscanf(line, "%63s issued %llu answered %llu auto %llu unanswered %llu duplicate %llu",
		   name, &r->issued, &r->answered, &r->autoresp,
		   &r->unanswered, &r->duplicate) != 6 ||
	    strlen(name) >= IOFAULT_NAME_LEN)
		return false;
	memcpy(r->name, name, strlen(name) + 1);
	return true;
}

/* A device that is gone got exactly one answer for each group it issued. */
bool hw_record_ok(const struct hw_record *r, char *why, size_t size)
{
	if (r->issued == r->answered + r->autoresp && !r->unanswered &&
	    !r->duplicate)
		return true;
	snprintf(why, size, "%s issued %llu answered %llu auto %llu unanswered %llu duplicate %llu",
		 r->name, r->issued, r->answered, r->autoresp, r->unanswered,
		 r->duplicate);
	return false;
}

/* Check every line of unplugged: how many there are, or -1 and why. */
int hw_unplugged_check(char *why, size_t size)
{
	char *text = malloc(HW_LOG_TEXT), *line, *next;
	struct hw_record r;
	int len, n = 0;

	if (!text)
		abort();
	len = fz_read_file(FZ_MOCK "/unplugged", text, HW_LOG_TEXT);
	if (len < 0) {
		snprintf(why, size, "cannot read it: %s", strerror(-len));
		n = -1;
	}
	for (line = text; n >= 0 && (next = strchr(line, '\n')); line = next + 1) {
		*next = '\0';
		if (!hw_parse_record(line, &r)) {
			snprintf(why, size, "a bad line: %s", line);
			n = -1;
		} else if (!hw_record_ok(&r, why, size)) {
			n = -1;
		} else {
			n++;
		}
	}
	free(text);
	return n;
}
