// SPDX-License-Identifier: GPL-2.0
/*
 * iofaultctl: the latency histogram, as stats and top show it. Bucket i
 * counts the groups answered LOW_NS(i) to LOW_NS(i+1) ns after their
 * report; the kernel counts in the last bucket all that came later still.
 * Times are in binary units, the ones the power-of-two buckets fall on:
 * 1us = 1024ns, 1ms = 1024us, 1s = 1024ms.
 */
#include <stdio.h>

#include "iofaultctl.h"

/* The percentiles stats and top estimate. */
const unsigned int lat_pcts[NR_LAT_PCTS] = { 50, 90, 99 };

void ns_str(unsigned long long ns, char *buf, size_t size)
{
	static const char *const units[] = { "ns", "us", "ms", "s" };
	size_t u = 0;

	if (!ns) {
		snprintf(buf, size, "0");
		return;
	}
	while (u < 3 && !(ns & 1023)) {
		ns >>= 10;
		u++;
	}
	snprintf(buf, size, "%llu%s", ns, units[u]);
}

/* "1us-2us", or ">=512s" for the last bucket, which has no end. */
void lat_range_str(const struct lat_bucket *lat, size_t n, size_t i,
		   char *buf, size_t size)
{
	char lo[32], hi[32];

	ns_str(lat[i].low_ns, lo, sizeof(lo));
	if (i + 1 == n) {
		snprintf(buf, size, ">=%s", lo);
		return;
	}
	ns_str(lat[i + 1].low_ns, hi, sizeof(hi));
	snprintf(buf, size, "%s-%s", lo, hi);
}

unsigned long long lat_total(const struct lat_bucket *lat, size_t n)
{
	unsigned long long sum = 0;
	size_t i;

	for (i = 0; i < n; i++)
		sum += lat[i].count;
	return sum;
}

/*
 * The bucket that holds the pct-th percentile (the ceil(pct% of N)-th of
 * the N counted groups), or -1 when the histogram is empty.
 */
int lat_percentile(const struct lat_bucket *lat, size_t n, unsigned int pct)
{
	unsigned long long total = lat_total(lat, n), rank, seen = 0;
	size_t i;

	if (!total)
		return -1;
	rank = total / 100 * pct + (total % 100 * pct + 99) / 100;
	if (!rank)
		rank = 1;
	for (i = 0; i < n; i++) {
		seen += lat[i].count;
		if (seen >= rank)
			return i;
	}
	return n - 1;
}

/*
 * The percentile's estimate: the upper bound of its bucket, in ns; false
 * if there is none (an empty histogram, or the last bucket, unbounded).
 */
bool lat_percentile_ns(const struct lat_bucket *lat, size_t n,
		       unsigned int pct, unsigned long long *ns)
{
	int i = lat_percentile(lat, n, pct);

	if (i < 0 || (size_t)i + 1 == n)
		return false;
	*ns = lat[i + 1].low_ns;
	return true;
}

/* "<=4us", ">=512s" in the last bucket, or "n/a" when empty. */
void lat_percentile_str(const struct lat_bucket *lat, size_t n,
			unsigned int pct, char *buf, size_t size)
{
	int i = lat_percentile(lat, n, pct);
	char t[32];

	if (i < 0) {
		snprintf(buf, size, "n/a");
	} else if ((size_t)i + 1 == n) {
		ns_str(lat[i].low_ns, t, sizeof(t));
		snprintf(buf, size, ">=%s", t);
	} else {
		ns_str(lat[i + 1].low_ns, t, sizeof(t));
		snprintf(buf, size, "<=%s", t);
	}
}
