// SPDX-License-Identifier: GPL-2.0
/*
 * iofaultctl stats: each device's identity, limits, every key of its stats
 * file (whatever keys the module gives) and its latency histogram, as text
 * or as one JSON document (stats_json.c).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "iofaultctl.h"

static int digits(unsigned long long v)
{
	int n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

static void print_stats(const struct dev_stats *d)
{
	int wk = 0, wv = 0, len;
	size_t i;

	for (i = 0; i < d->nr_kv; i++) {
		len = strlen(d->kv[i].key);
		wk = len > wk ? len : wk;
		len = digits(d->kv[i].val);
		wv = len > wv ? len : wv;
	}
	printf("  stats:\n");
	for (i = 0; i < d->nr_kv; i++)
		printf("    %-*s %*llu\n", wk, d->kv[i].key, wv, d->kv[i].val);
}

static void print_latency(const struct dev_stats *d)
{
	unsigned long long total = lat_total(d->lat, d->nr_lat);
	char range[64], pct[32];
	int wr = 0, wc = 0, len;
	size_t i;

	if (!total) {
		printf("  latency: no group answered\n");
		return;
	}
	for (i = 0; i < d->nr_lat; i++) {
		if (!d->lat[i].count)
			continue;
		lat_range_str(d->lat, d->nr_lat, i, range, sizeof(range));
		len = strlen(range);
		wr = len > wr ? len : wr;
		len = digits(d->lat[i].count);
		wc = len > wc ? len : wc;
	}
	printf("  latency, report to answer (%llu groups):\n", total);
	for (i = 0; i < d->nr_lat; i++) {
		if (!d->lat[i].count)
			continue;
		lat_range_str(d->lat, d->nr_lat, i, range, sizeof(range));
		printf("    %-*s %*llu\n", wr, range, wc, d->lat[i].count);
	}
	printf("   ");
	for (i = 0; i < NR_LAT_PCTS; i++) {
		lat_percentile_str(d->lat, d->nr_lat, lat_pcts[i], pct,
				   sizeof(pct));
		printf(" p%u %s", lat_pcts[i], pct);
	}
	printf(" (bucket upper bounds)\n");
}

static void print_device(const struct dev_stats *d)
{
	printf("%s: id %lu, driver %s\n", d->name, d->id, d->driver);
	printf("  policy: %s\n", d->policy);
	/* Why the last policy stopped: "KIND CODE POLICY: MESSAGE". */
	if (d->last_exit[0])
		printf("  last stop: %s\n", d->last_exit);
	printf("  limits: quota %llu, partial_max %llu, timeout_ms %llu\n",
	       d->quota, d->partial_max, d->timeout_ms);
	print_stats(d);
	print_latency(d);
}

static void print_text(const struct dev_set *s)
{
	size_t i;

	if (!s->n) {
		printf("no iofault devices\n");
		return;
	}
	for (i = 0; i < s->n; i++) {
		if (i)
			putchar('\n');
		print_device(&s->v[i]);
	}
}

int cmd_stats(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dev", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct dev_set s;
	const char *dev = NULL;
	bool json = false;
	int c, err;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dev = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			return help();
		default:
			return bad_option(argv[0], c, argv[optind - 1]);
		}
	}
	if (optind != argc)
		return usage_error("stats: unexpected argument '%s'",
				   argv[optind]);
	if (dev && !dev_name_ok(dev))
		return usage_error("stats: bad device name '%s' (1 to %d characters, no '/' or '%%')",
				   dev, IOFAULT_NAME_LEN - 1);
	err = dev_set_read(&s, dev);
	if (!err && json)
		stats_json(&s);
	else if (!err)
		print_text(&s);
	dev_set_free(&s);
	return err ? EXIT_FAIL : 0;
}
