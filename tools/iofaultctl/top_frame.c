// SPDX-License-Identifier: GPL-2.0
/*
 * iofaultctl top: one frame, from two readings of the devices. A line a
 * device with its rates per second between the readings, its outstanding
 * groups now and its policy; under it, the latency histogram of the
 * groups answered between the readings, a character a bucket, and its
 * percentiles; then the totals.
 */
#include <stdio.h>
#include <string.h>

#include "iofaultctl.h"

/* A rate column: a stats key, or the sum of the keys with a prefix. */
struct rate_col {
	const char *head;
	const char *key;
	bool prefix;
};

static const struct rate_col cols[] = {
	{ "REPORT/s", "reported", false },
	{ "GROUPS/s", "groups", false },
	{ "RESOLVE/s", "resolved", false },
	{ "FORWARD/s", "forwarded", false },
	{ "FAIL/s", "failed", false },
	{ "TIMEOUT/s", "ended_timeout", false },
	{ "REJECT/s", "rejected_", true },
};

#define NR_COLS		(sizeof(cols) / sizeof(cols[0]))
#define COL_WIDTH	9

/* Bucket counts, from nothing to the most of the row. */
static const char levels[] = " .:-=+*#%@";
#define NR_LEVELS	(sizeof(levels) - 1)

/* A chunk of the histogram row: the buckets of one unit. */
#define CHUNK		10
static const char *const chunk_units[] = {
	"ns", "us", "ms", "s", "ks", "Ms", "Gs",
};
#define NR_CHUNK_UNITS	(sizeof(chunk_units) / sizeof(chunk_units[0]))

/* What a frame shows of a device: its rates and latencies meanwhile. */
struct row {
	const char *name;
	const char *policy;
	bool have_rate[NR_COLS];
	double rate[NR_COLS];
	bool have_out;
	unsigned long long outstanding;
	bool have_lat;
	struct lat_bucket lat[LAT_BUCKETS_MAX];
	size_t nr_lat;
};

static bool col_value(const struct dev_stats *d, const struct rate_col *c,
		      unsigned long long *v)
{
	if (c->prefix)
		return dev_stat_sum(d, c->key, v);
	return dev_stat(d, c->key, v);
}

/* The same device in the previous reading, or NULL. */
static const struct dev_stats *find_prev(const struct dev_set *prev,
					 const struct dev_stats *d)
{
	size_t i;

	for (i = 0; i < prev->n; i++)
		if (prev->v[i].id == d->id && !strcmp(prev->v[i].name, d->name))
			return &prev->v[i];
	return NULL;
}

/* The latency buckets filled between p and d, if both have the same. */
static bool lat_delta(const struct dev_stats *p, const struct dev_stats *d,
		      struct row *r)
{
	size_t i;

	if (p->nr_lat != d->nr_lat)
		return false;
	for (i = 0; i < d->nr_lat; i++) {
		if (p->lat[i].low_ns != d->lat[i].low_ns ||
		    p->lat[i].count > d->lat[i].count)
			return false;
		r->lat[i].low_ns = d->lat[i].low_ns;
		r->lat[i].count = d->lat[i].count - p->lat[i].count;
	}
	r->nr_lat = d->nr_lat;
	return true;
}

/* Device d's row; p is its previous reading, NULL if it is new. */
static void make_row(const struct dev_stats *p, const struct dev_stats *d,
		     double secs, struct row *r)
{
	unsigned long long now, before;
	size_t i;

	memset(r, 0, sizeof(*r));
	r->name = d->name;
	r->policy = d->policy;
	for (i = 0; p && i < NR_COLS; i++) {
		/* A counter that went back: the device was made anew. */
		if (!col_value(d, &cols[i], &now) ||
		    !col_value(p, &cols[i], &before) || now < before)
			continue;
		r->have_rate[i] = true;
		r->rate[i] = (now - before) / secs;
	}
	r->have_out = dev_stat(d, "outstanding", &r->outstanding);
	r->have_lat = p && lat_delta(p, d, r);
}

/* Add row r into the totals t. */
static void add_row(struct row *t, const struct row *r, bool first)
{
	size_t i;

	if (first)
		memset(t, 0, sizeof(*t));
	for (i = 0; i < NR_COLS; i++) {
		t->have_rate[i] = (first || t->have_rate[i]) && r->have_rate[i];
		t->rate[i] += r->rate[i];
	}
	t->have_out = (first || t->have_out) && r->have_out;
	t->outstanding += r->outstanding;
	if (first) {
		memcpy(t->lat, r->lat, sizeof(t->lat));
		t->nr_lat = r->nr_lat;
		t->have_lat = r->have_lat;
		return;
	}
	t->have_lat = t->have_lat && r->have_lat && t->nr_lat == r->nr_lat;
	for (i = 0; t->have_lat && i < t->nr_lat; i++)
		t->lat[i].count += r->lat[i].count;
}

/* Whether bucket i starts at 2^i ns (the first at 0): the row has units. */
static bool lat_pow2(const struct row *r)
{
	size_t i;

	for (i = 0; i < r->nr_lat; i++)
		if (r->lat[i].low_ns != (i ? 1ULL << i : 0))
			return false;
	return r->nr_lat <= CHUNK * NR_CHUNK_UNITS;
}

/* "ns[ .:#@     ]us[...]": a character a bucket, CHUNK a unit. */
static void print_lat_row(const struct row *r)
{
	unsigned long long max = 0;
	bool units = lat_pow2(r);
	size_t i, lvl;

	for (i = 0; i < r->nr_lat; i++)
		max = r->lat[i].count > max ? r->lat[i].count : max;
	for (i = 0; i < r->nr_lat; i++) {
		if (i % CHUNK == 0)
			printf("%s%s[", i ? "]" : "",
			       units ? chunk_units[i / CHUNK] : "");
		lvl = 0;
		if (r->lat[i].count)
			lvl = 1 + (size_t)((long double)r->lat[i].count *
					   (NR_LEVELS - 2) / max);
		putchar(levels[lvl < NR_LEVELS ? lvl : NR_LEVELS - 1]);
	}
	printf("]");
}

static void print_row(const struct row *r, int wn)
{
	char pct[32];
	size_t i;

	printf("%-*s", wn, r->name);
	for (i = 0; i < NR_COLS; i++)
		if (r->have_rate[i])
			printf(" %*.1f", COL_WIDTH, r->rate[i]);
		else
			printf(" %*s", COL_WIDTH, "n/a");
	if (r->have_out)
		printf(" %*llu", COL_WIDTH, r->outstanding);
	else
		printf(" %*s", COL_WIDTH, "n/a");
	printf("%s%s\n", r->policy ? "  " : "", r->policy ? r->policy : "");
	printf("%-*s latency ", wn, "");
	if (!r->have_lat) {
		printf("n/a\n");
		return;
	}
	print_lat_row(r);
	for (i = 0; i < NR_LAT_PCTS; i++) {
		lat_percentile_str(r->lat, r->nr_lat, lat_pcts[i], pct,
				   sizeof(pct));
		printf(" p%u %s", lat_pcts[i], pct);
	}
	putchar('\n');
}

/* A frame: cur against prev, read secs apart. */
void top_print(const struct dev_set *prev, const struct dev_set *cur,
	       double secs, const char *global)
{
	int wn = strlen("DEVICE"), len;
	struct row r, total;
	size_t i;

	printf("iofault top: rates per second over %.2f s; global policy: %s\n",
	       secs, global[0] ? global : "none");
	if (!cur->n) {
		printf("no iofault devices\n");
		return;
	}
	for (i = 0; i < cur->n; i++) {
		len = strlen(cur->v[i].name);
		wn = len > wn ? len : wn;
	}
	printf("%-*s", wn, "DEVICE");
	for (i = 0; i < NR_COLS; i++)
		printf(" %*s", COL_WIDTH, cols[i].head);
	printf(" %*s  %s\n", COL_WIDTH, "OUTSTAND", "POLICY");
	for (i = 0; i < cur->n; i++) {
		make_row(find_prev(prev, &cur->v[i]), &cur->v[i], secs, &r);
		print_row(&r, wn);
		add_row(&total, &r, !i);
	}
	if (cur->n > 1) {
		total.name = "total";
		total.policy = NULL;
		print_row(&total, wn);
	}
}
