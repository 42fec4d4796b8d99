// SPDX-License-Identifier: GPL-2.0
/*
 * iofaultctl stats --json: one JSON document, an array of the devices:
 *
 *   [{"name": "vtd0", "id": 0, "driver": "iofault_mock",
 *     "policy": "builtin default", "last_exit": null,
 *     "limits": {"quota": N, "partial_max": N, "timeout_ms": N},
 *     "stats": {"reported": N, ...every key of the stats file...},
 *     "latency": [{"low_ns": 0, "count": N}, ...every bucket...],
 *     "percentiles_ns": {"p50": N, "p90": N, "p99": N}}]
 *
 * A percentile is its bucket's upper bound, null when no group was
 * answered or when it falls in the last bucket, which has no bound.
 */
#include <stdio.h>

#include "iofaultctl.h"

/* The length of the UTF-8 sequence at s, or 0 if it is not one. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* No overlong forms, surrogates or code points past U+10FFFF. */
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
		return 0;
	return n;
}

/* s as a JSON string; a byte that is not UTF-8 becomes U+FFFD. */
static void json_str(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;

	putchar('"');
	while (*s) {
		if (*s == '"' || *s == '\\') {
			printf("\\%c", *s++);
		} else if (*s < 0x20 || *s == 0x7f) {
			printf("\\u%04x", *s++);
		} else if (*s < 0x80) {
			putchar(*s++);
		} else if ((n = utf8_len(s))) {
			fwrite(s, 1, n, stdout);
			s += n;
		} else {
			fputs("\\ufffd", stdout);
			s++;
		}
	}
	putchar('"');
}

static void json_device(const struct dev_stats *d)
{
	unsigned long long ns;
	size_t i;

	printf("  {\n    \"name\": ");
	json_str(d->name);
	printf(",\n    \"id\": %lu,\n    \"driver\": ", d->id);
	json_str(d->driver);
	printf(",\n    \"policy\": ");
	json_str(d->policy);
	printf(",\n    \"last_exit\": ");
	if (d->last_exit[0])
		json_str(d->last_exit);
	else
		printf("null");
	printf(",\n    \"limits\": {\"quota\": %llu, \"partial_max\": %llu, \"timeout_ms\": %llu},\n",
	       d->quota, d->partial_max, d->timeout_ms);
	printf("    \"stats\": {");
	for (i = 0; i < d->nr_kv; i++) {
		printf("%s\n      ", i ? "," : "");
		json_str(d->kv[i].key);
		printf(": %llu", d->kv[i].val);
	}
	printf("\n    },\n    \"latency\": [");
	for (i = 0; i < d->nr_lat; i++)
		printf("%s\n      {\"low_ns\": %llu, \"count\": %llu}",
		       i ? "," : "", d->lat[i].low_ns, d->lat[i].count);
	printf("\n    ],\n    \"percentiles_ns\": {");
	for (i = 0; i < NR_LAT_PCTS; i++) {
		printf("%s\"p%u\": ", i ? ", " : "", lat_pcts[i]);
		if (lat_percentile_ns(d->lat, d->nr_lat, lat_pcts[i], &ns))
			printf("%llu", ns);
		else
			printf("null");
	}
	printf("}\n  }");
}

void stats_json(const struct dev_set *s)
{
	size_t i;

	printf("[");
	for (i = 0; i < s->n; i++) {
		printf("%s\n", i ? "," : "");
		json_device(&s->v[i]);
	}
	printf("\n]\n");
}
