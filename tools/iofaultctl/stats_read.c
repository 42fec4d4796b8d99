// SPDX-License-Identifier: GPL-2.0
/*
 * iofaultctl: read each device's sysfs files into a struct dev_stats, for
 * stats and top. The stats file is read generically, "KEY VALUE" a line,
 * so that keys a newer module adds show up as they come; the latency file
 * is "LOW_NS COUNT" a line, LOW_NS rising.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iofaultctl.h"

/* What dev_stats_read() returns for a device that went away meanwhile. */
#define DEV_GONE	1

/* A decimal number that is all of s; returns 0 or -1. */
static int parse_ull(const char *s, unsigned long long *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno || *end ? -1 : 0;
}

static void attr_path(const char *dev, const char *attr, char *buf,
		      size_t size)
{
	snprintf(buf, size, SYSFS_CLASS_DIR "/%s/%s", dev, attr);
}

/*
 * A file that cannot be read: DEV_GONE if the device went away meanwhile
 * (not said), else the error, said.
 */
static int read_error(const char *dev, const char *attr, int err)
{
	char path[PATH_MAX];

	if ((err == -ENOENT || err == -ENODEV) && !device_registered(dev))
		return DEV_GONE;
	attr_path(dev, attr, path, sizeof(path));
	errmsg("cannot read %s: %s", path, strerror(-err));
	return err;
}

static int format_error(const char *dev, const char *attr, const char *line)
{
	char path[PATH_MAX];

	attr_path(dev, attr, path, sizeof(path));
	errmsg("%s: unexpected line '%s'", path, line);
	return -EINVAL;
}

static int read_line(struct dev_stats *d, const char *attr, char *buf,
		     size_t size)
{
	char path[PATH_MAX];
	int err;

	attr_path(d->name, attr, path, sizeof(path));
	err = sysfs_read(path, buf, size);
	return err ? read_error(d->name, attr, err) : 0;
}

static int read_number(struct dev_stats *d, const char *attr,
		       unsigned long long *v)
{
	char buf[32];
	int err = read_line(d, attr, buf, sizeof(buf));

	if (!err && parse_ull(buf, v))
		err = format_error(d->name, attr, buf);
	return err;
}

static int read_text(struct dev_stats *d, const char *attr, char **text)
{
	char path[PATH_MAX];
	int err;

	attr_path(d->name, attr, path, sizeof(path));
	err = sysfs_read_all(path, text);
	return err ? read_error(d->name, attr, err) : 0;
}

/* "KEY VALUE" lines; the keys point into d->stats_text. */
static int parse_stats(struct dev_stats *d)
{
	char *line, *next, *sp;
	struct stat_kv *kv;
	size_t cap = 0;

	for (line = d->stats_text; *line; line = next) {
		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = '\0';
		sp = strchr(line, ' ');
		if (!sp || sp == line)
			return format_error(d->name, "stats", line);
		*sp = '\0';
		if (d->nr_kv == cap) {
			cap = cap ? 2 * cap : 32;
			kv = realloc(d->kv, cap * sizeof(*kv));
			if (!kv) {
				errmsg("%s", strerror(ENOMEM));
				return -ENOMEM;
			}
			d->kv = kv;
		}
		kv = &d->kv[d->nr_kv];
		kv->key = line;
		if (parse_ull(sp + 1, &kv->val)) {
			*sp = ' ';
			return format_error(d->name, "stats", line);
		}
		d->nr_kv++;
	}
	return 0;
}

/* "LOW_NS COUNT" lines, LOW_NS rising. */
static int parse_latency(struct dev_stats *d, char *text)
{
	char *line, *next, *sp;
	struct lat_bucket *b;

	for (line = text; *line; line = next) {
		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = '\0';
		sp = strchr(line, ' ');
		if (!sp || d->nr_lat == LAT_BUCKETS_MAX)
			return format_error(d->name, "latency", line);
		*sp = '\0';
		b = &d->lat[d->nr_lat];
		if (parse_ull(line, &b->low_ns) ||
		    parse_ull(sp + 1, &b->count) ||
		    (d->nr_lat && b->low_ns <= b[-1].low_ns)) {
			*sp = ' ';
			return format_error(d->name, "latency", line);
		}
		d->nr_lat++;
	}
	return 0;
}

/*
 * Read device name's files into d. Returns 0, DEV_GONE if the device went
 * away meanwhile (not said), or a negative errno (said).
 */
static int dev_stats_read(const char *name, struct dev_stats *d)
{
	unsigned long long id;
	char *lat = NULL;
	int err;

	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%s", name);
	err = read_number(d, "id", &id);
	if (!err)
		err = read_line(d, "driver", d->driver, sizeof(d->driver));
	if (!err)
		err = read_line(d, "policy", d->policy, sizeof(d->policy));
	if (!err)
		err = read_line(d, "last_exit", d->last_exit,
				sizeof(d->last_exit));
	if (!err)
		err = read_number(d, "quota", &d->quota);
	if (!err)
		err = read_number(d, "partial_max", &d->partial_max);
	if (!err)
		err = read_number(d, "timeout_ms", &d->timeout_ms);
	if (!err)
		err = read_text(d, "stats", &d->stats_text);
	if (!err)
		err = parse_stats(d);
	if (!err)
		err = read_text(d, "latency", &lat);
	if (!err)
		err = parse_latency(d, lat);
	free(lat);
	d->id = id;
	return err;
}

static void dev_stats_free(struct dev_stats *d)
{
	free(d->kv);
	free(d->stats_text);
	d->kv = NULL;
	d->stats_text = NULL;
}

static int by_id(const void *a, const void *b)
{
	const struct dev_stats *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

/* Add device name to s; one that went away meanwhile is left out. */
static int dev_set_add(struct dev_set *s, const char *name, size_t *cap)
{
	struct dev_stats *v;
	int err;

	if (s->n == *cap) {
		*cap = *cap ? 2 * *cap : 16;
		v = realloc(s->v, *cap * sizeof(*v));
		if (!v) {
			errmsg("%s", strerror(ENOMEM));
			return -ENOMEM;
		}
		s->v = v;
	}
	err = dev_stats_read(name, &s->v[s->n]);
	if (!err)
		s->n++;
	else
		dev_stats_free(&s->v[s->n]);
	return err == DEV_GONE ? 0 : err;
}

static int dev_set_scan(struct dev_set *s)
{
	struct dirent *de;
	size_t cap = 0;
	DIR *dir;
	int err = 0;

	dir = sysfs_opendir(SYSFS_CLASS_DIR);
	if (!dir) {
		if (errno == ENOENT)
			return module_check();
		errmsg("cannot read %s: %s", SYSFS_CLASS_DIR, strerror(errno));
		return -1;
	}
	while (!err && (de = readdir(dir)))
		if (de->d_name[0] != '.')
			err = dev_set_add(s, de->d_name, &cap);
	closedir(dir);
	if (!err)
		qsort(s->v, s->n, sizeof(*s->v), by_id);
	return err;
}

/*
 * Read every device, sorted by id, or only device only. Returns 0 or -1
 * (said why: the module is not loaded, no device only, a file unread).
 * dev_set_free() frees s either way.
 */
int dev_set_read(struct dev_set *s, const char *only)
{
	size_t cap = 0;
	int err;

	s->v = NULL;
	s->n = 0;
	if (module_check())
		return -1;
	if (!only)
		return dev_set_scan(s) ? -1 : 0;
	err = device_registered(only) ? dev_set_add(s, only, &cap) : 0;
	if (!err && !s->n) {
		nodev_error(only);
		return -1;
	}
	return err ? -1 : 0;
}

void dev_set_free(struct dev_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		dev_stats_free(&s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

/* The value of stats key key of d; returns false if d has no such key. */
bool dev_stat(const struct dev_stats *d, const char *key,
	      unsigned long long *val)
{
	size_t i;

	for (i = 0; i < d->nr_kv; i++)
		if (!strcmp(d->kv[i].key, key)) {
			*val = d->kv[i].val;
			return true;
		}
	return false;
}

/* The sum of d's stats keys that begin with prefix; false if none does. */
bool dev_stat_sum(const struct dev_stats *d, const char *prefix,
		  unsigned long long *sum)
{
	size_t i, len = strlen(prefix);
	bool found = false;

	*sum = 0;
	for (i = 0; i < d->nr_kv; i++)
		if (!strncmp(d->kv[i].key, prefix, len)) {
			*sum += d->kv[i].val;
			found = true;
		}
	return found;
}
