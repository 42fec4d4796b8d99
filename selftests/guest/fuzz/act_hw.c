// SPDX-License-Identifier: GPL-2.0
/*
 * iofuzz: the mock hardware (iofault_mock's debugfs files). Threads make
 * the devices send requests (inject, storm), pause their drivers, change
 * how their resolvers answer, answer deferred groups right and wrong,
 * unmap pages, read what the hardware recorded, unplug and plug devices.
 *
 * What holds whatever the other threads do:
 * - every snapshot of a device's hardware counters adds up (hwstats is
 *   read under the device's lock, and nothing clears the counters): each
 *   group issued is answered, answered by the hardware itself or still
 *   unanswered, and no response ever matches no group;
 * - each thread has a device of its own (vtdN or smmuN, N from 32 up),
 *   into which no other thread sends: a write to its inject or storm
 *   file sends exactly the requests it says, and a refused one none;
 * - a deferred group's right answer is taken unless the group was
 *   answered meanwhile (the timeout, another thread) or its device went.
 * A write that sends requests can wait for answers that only others can
 * give (a handler that never reads, a long timeout): a watchdog thread
 * pauses the device after 100 ms (a paused driver lets the device
 * overflow its queue instead of waiting), and unplugs it after 2 s.
 *
 * Between epochs (hw_epoch.c) the main process settles every device and
 * checks that each group was answered exactly once.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"
#include "hw.h"

#define LINE		512
#define PAUSE_AFTER_MS	100	/* a write that sends waits no longer... */
#define UNPLUG_AFTER_MS	2000	/* ...and its device goes after this */

/* Unblocks a write of its thread that waits too long for its device. */
struct watchdog {
	pthread_t tid;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool armed, quit;
	char dev[IOFAULT_NAME_LEN];
	struct timespec since;
	struct fz_thread *t;
};

struct hw_state {
	struct watchdog wd;
	char own[IOFAULT_NAME_LEN];	/* the thread's own device */
};

static struct hw_state *st(struct fz_thread *t)
{
	return fz_my_state(t);
}

static long long ms_since(const struct timespec *ts)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - ts->tv_sec) * 1000LL +
	       (now.tv_nsec - ts->tv_nsec) / 1000000;
}

static void *watchdog_main(void *arg)
{
	struct watchdog *wd = arg;
	char path[128], dev[IOFAULT_NAME_LEN];
	struct timespec wake;
	long long ms;
	bool unplug;

	pthread_mutex_lock(&wd->lock);
	while (!wd->quit) {
		if (!wd->armed) {
			pthread_cond_wait(&wd->cond, &wd->lock);
			continue;
		}
		clock_gettime(CLOCK_MONOTONIC, &wake);
		wake.tv_nsec += PAUSE_AFTER_MS * 1000000L;
		if (wake.tv_nsec >= 1000000000L) {
			wake.tv_sec++;
			wake.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&wd->cond, &wd->lock, &wake);
		ms = ms_since(&wd->since);
		if (!wd->armed || ms < PAUSE_AFTER_MS)
			continue;
		/*
		 * The thread is blocked in its write: its ring is ours to log
		 * to until it disarms, which it does under the lock.
		 */
		unplug = ms >= UNPLUG_AFTER_MS;
		memcpy(dev, wd->dev, sizeof(dev));
		fz_log(wd->t, "hw watchdog: %s blocked %lld ms: %s", dev, ms,
		       unplug ? "unplug" : "pause 1");
		pthread_mutex_unlock(&wd->lock);
		if (unplug) {
			fz_write_file(FZ_MOCK "/unplug", dev);
		} else {
			hw_path(path, sizeof(path), dev, "pause");
			fz_write_file(path, "1");
		}
		pthread_mutex_lock(&wd->lock);
	}
	pthread_mutex_unlock(&wd->lock);
	return NULL;
}

static void watch(struct watchdog *wd, const char *dev)
{
	pthread_mutex_lock(&wd->lock);
	snprintf(wd->dev, sizeof(wd->dev), "%s", dev);
	clock_gettime(CLOCK_MONOTONIC, &wd->since);
	wd->armed = true;
	pthread_cond_signal(&wd->cond);
	pthread_mutex_unlock(&wd->lock);
}

static void unwatch(struct watchdog *wd)
{
	pthread_mutex_lock(&wd->lock);
	wd->armed = false;
	pthread_mutex_unlock(&wd->lock);
}

static void *hw_init(struct fz_thread *t)
{
	struct hw_state *s = calloc(1, sizeof(*s));
	pthread_condattr_t ca;

	if (!s)
		abort();
	/* Own devices: vtd32... or smmu32..., one index a thread. */
	snprintf(s->own, sizeof(s->own), "%s%u",
		 fz_chance(t, 50) ? "vtd" : "smmu",
		 HW_OWN_BASE + t->worker * FZ_MAX_THREADS + t->index);
	s->wd.t = t;
	pthread_mutex_init(&s->wd.lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->wd.cond, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&s->wd.tid, NULL, watchdog_main, &s->wd))
		abort();
	return s;
}

static void hw_fini(struct fz_thread *t, void *state)
{
	struct hw_state *s = state;

	(void)t;
	pthread_mutex_lock(&s->wd.lock);
	s->wd.quit = true;
	pthread_cond_signal(&s->wd.cond);
	pthread_mutex_unlock(&s->wd.lock);
	pthread_join(s->wd.tid, NULL);
	pthread_mutex_destroy(&s->wd.lock);
	pthread_cond_destroy(&s->wd.cond);
	free(s);
}

/* The index of an own device's name (N of vtdN, smmuN from 32), or -1. */
static int own_index(const char *dev)
{
	unsigned int n;
	char c;

	if ((sscanf(dev, "vtd%u%c", &n, &c) == 1 ||
	     sscanf(dev, "smmu%u%c", &n, &c) == 1) &&
	    n >= HW_OWN_BASE && n < HW_OWN_BASE + FZ_MAX_WORKERS * FZ_MAX_THREADS)
		return n;
	return -1;
}

/*
 * A device to act on: mostly one iofault has (any, for actions that send
 * nothing), else any name. Those that send requests or take devices away
 * leave other threads' own devices alone.
 */
static void pick(struct fz_thread *t, char dev[IOFAULT_NAME_LEN], bool sends)
{
	fz_pick_dev(t, dev);
	if (sends && own_index(dev) >= 0 && strcmp(dev, st(t)->own))
		snprintf(dev, IOFAULT_NAME_LEN, "%s%u",
			 fz_chance(t, 50) ? "vtd" : "smmu", fz_below(t, 4));
}

/* The thread's own device, plugged in if it is not there. */
static bool own_device(struct fz_thread *t, char dev[IOFAULT_NAME_LEN])
{
	char path[128];
	int err;

	memcpy(dev, st(t)->own, IOFAULT_NAME_LEN);
	hw_path(path, sizeof(path), dev, "inject");
	if (!access(path, F_OK))
		return true;
	fz_log(t, "hw plug %s (own)", dev);
	err = -fz_write_file(FZ_MOCK "/plug", dev);
	return FZ_EXPECT(t, "plugging the thread's own device", err, 0);
}

/* Requests and hits of a device's hardware so far; false if it is gone. */
static bool sent_so_far(const char *dev, unsigned long long *req,
			unsigned long long *hits)
{
	char path[128], text[1024];

	hw_path(path, sizeof(path), dev, "hwstats");
	return fz_read_file(path, text, sizeof(text)) > 0 &&
	       fz_stat(text, "requests", req) && fz_stat(text, "hits", hits);
}

/*
 * On the thread's own device, a write that returned @err sent exactly
 * @n requests (@access: some may have hit mapped pages instead; a held
 * SMMU stall retried later may hit too): none if it was refused.
 */
static void check_sent(struct fz_thread *t, const char *dev, int err,
		       unsigned long long req0, unsigned long long hits0,
		       unsigned long long n, bool access)
{
	unsigned long long req, hits;

	if ((err && err != EINVAL && err != ERANGE) ||
	    !sent_so_far(dev, &req, &hits))
		return;
	__atomic_fetch_add(&fz->checks, 1, __ATOMIC_RELAXED);
	if (err) {
		if (req != req0)
			fz_fail(t, "%s: a refused write sent %llu requests",
				dev, req - req0);
	} else if (access ? req - req0 > n || (req - req0) + (hits - hits0) < n :
			    req - req0 != n) {
		fz_fail(t, "%s: %llu requests and %llu hits for %llu pages",
			dev, req - req0, hits - hits0, n);
	}
}

/* Something near the edges more often than not, below @limit. */
static unsigned long long edgy_below(struct fz_thread *t,
				     unsigned long long limit)
{
	unsigned long long v = fz_chance(t, 50) ? fz_below(t, 16) : fz_edgy(t);

	return v % limit;
}

/* A valid inject line for a device of @kind; *n: the requests it sends. */
static void valid_inject(struct fz_thread *t, int kind, char *line,
			 size_t size, unsigned long long *n, bool *access)
{
	unsigned int count = 1 + fz_below(t, fz_chance(t, 70) ? 2 : 8);
	unsigned int pages = 1 + fz_below(t, fz_chance(t, 70) ? 2 : 8);
	unsigned long long span = (unsigned long long)count * pages * HW_PAGE;
	unsigned long long addr;
	static const char *const perms[] = {
		"r", "w", "rw", "rx", "wp", "rwxp", "rp", "wx",
	};
	size_t len = 0;

	addr = fz_chance(t, 80) ? (unsigned long long)fz_below(t, 4096) * HW_PAGE :
				  edgy_below(t, HW_ADDR_LIMIT - span + 1);
	if (fz_chance(t, 10))
		addr = HW_ADDR_LIMIT - span;
	*access = fz_chance(t, 25);
	len += snprintf(line + len, size - len, "addr=%#llx", addr);
	if (fz_chance(t, 80))
		len += snprintf(line + len, size - len, " pasid=%llu",
				edgy_below(t, HW_PASID_LIMIT));
	if (fz_chance(t, 40))
		len += snprintf(line + len, size - len, " grpid=%llu",
				edgy_below(t, hw_grpid_limit(kind)));
	if (fz_chance(t, 70))
		len += snprintf(line + len, size - len, " perm=%s",
				perms[fz_below(t, 8)]);
	if (fz_chance(t, 50))
		len += snprintf(line + len, size - len, " last");
	if (count > 1 || fz_chance(t, 20))
		len += snprintf(line + len, size - len, " count=%u", count);
	if (pages > 1 || fz_chance(t, 20))
		len += snprintf(line + len, size - len, " pages=%u", pages);
	if (kind == HW_VTD && fz_chance(t, 15))
		len += snprintf(line + len, size - len, " priv=%#llx,%llu",
				(unsigned long long)fz_edgy(t),
				(unsigned long long)fz_edgy(t));
	if (fz_chance(t, 10))
		len += snprintf(line + len, size - len, " dma");
	if (*access)
		snprintf(line + len, size - len, " access");
	*n = (unsigned long long)count * pages;
}

/* A malformed inject line: its errno (the mock sends none of it). */
static int bad_inject(struct fz_thread *t, int kind, char *line, size_t size)
{
	static const struct {
		const char *text;
		int err;
	} bad[] = {
		{ "bogus", EINVAL }, { "pasid", EINVAL }, { "foo=1", EINVAL },
		{ "pasid=0x100000 last", EINVAL }, { "pasid=zz", EINVAL },
		{ "pasid=4294967296", ERANGE }, { "count=0", EINVAL },
		{ "pages=0", EINVAL }, { "pages=65537", EINVAL },
		{ "count=99999999999", ERANGE }, { "perm=x last", EINVAL },
		{ "perm=rq", EINVAL }, { "perm=", EINVAL }, { "priv=1", EINVAL },
		{ "priv=1,zz", EINVAL }, { "addr=0x80000000000000", EINVAL },
		{ "addr=0x7ffffffffff000 count=2", EINVAL },
		{ "addr=0x7ffffffffff000 pages=2", EINVAL },
	};
	unsigned int i = fz_below(t, sizeof(bad) / sizeof(bad[0]) + 2);
	const char *pre = fz_chance(t, 50) ? "pasid=1 addr=0x1000 " : "";

	if (i > sizeof(bad) / sizeof(bad[0]) && kind == HW_SMMU) {
		/* SMMU records carry no private data. */
		snprintf(line, size, "%spriv=1,2", pre);
		return EINVAL;
	}
	if (i >= sizeof(bad) / sizeof(bad[0])) {
		snprintf(line, size, "%sgrpid=%u last", pre, hw_grpid_limit(kind));
		return EINVAL;
	}
	snprintf(line, size, "%s%s", pre, bad[i].text);
	return bad[i].err;
}

/*
 * A write to a file that sends requests, watched. What any of them may
 * meet: the device unplugged (ENODEV from the mock, ENOENT at the open,
 * EIO from debugfs once the file is gone).
 */
static int send_write(struct fz_thread *t, const char *dev, const char *file,
		      const char *text)
{
	char path[128];
	int err;

	hw_path(path, sizeof(path), dev, file);
	watch(&st(t)->wd, dev);
	err = -fz_write_file(path, text);
	unwatch(&st(t)->wd);
	return err;
}

static void hw_inject(struct fz_thread *t)
{
	char dev[IOFAULT_NAME_LEN], line[LINE];
	unsigned long long n = 0, req0 = 0, hits0 = 0;
	bool own = fz_chance(t, 40), access = false, counted;
	int kind, ok, err;

	if (!own || !own_device(t, dev))
		pick(t, dev, true);
	own = !strcmp(dev, st(t)->own);
	kind = hw_kind(dev);
	if (fz_chance(t, 20)) {
		ok = bad_inject(t, kind, line, sizeof(line));
	} else {
		valid_inject(t, kind, line, sizeof(line), &n, &access);
		ok = 0;
	}
	counted = own && sent_so_far(dev, &req0, &hits0);
	fz_log(t, "hw inject %s: %s", dev, line);
	err = send_write(t, dev, "inject", line);
	/*
	 * SMMU: a stall tag asked for (grpid) is busy while its stall is
	 * outstanding, and a device holds at most 65536 stalls.
	 */
	if (kind == HW_SMMU && !ok && err == EBUSY)
		return;
	if (!FZ_EXPECT(t, "an inject write", err, ok, ENODEV, ENOENT, EIO))
		return;
	if (counted)
		check_sent(t, dev, err, req0, hits0, ok ? 0 : n, access);
}

static void hw_storm(struct fz_thread *t)
{
	unsigned int groups = 1 + fz_below(t, fz_chance(t, 80) ? 100 : 1000);
	unsigned int pasids = 1 + fz_below(t, 8);
	unsigned int pages = 1 + fz_below(t, fz_chance(t, 80) ? 1 : 4);
	unsigned long long req0 = 0, hits0 = 0;
	char dev[IOFAULT_NAME_LEN], line[LINE];
	bool own = fz_chance(t, 30), counted;
	int kind, ok = 0, err;

	if (!own || !own_device(t, dev))
		pick(t, dev, true);
	own = !strcmp(dev, st(t)->own);
	kind = hw_kind(dev);
	switch (fz_below(t, 12)) {
	case 0:
		snprintf(line, sizeof(line), "groups=0 pasids=%u", pasids);
		ok = EINVAL;
		break;
	case 1:
		snprintf(line, sizeof(line), "groups=%u pages=%u", groups,
			 fz_chance(t, 50) ? 0 : 513);
		ok = EINVAL;
		break;
	case 2:
		snprintf(line, sizeof(line), "groups=%u pasids=%s", groups,
			 fz_chance(t, 50) ? "0" : "0x100000");
		ok = EINVAL;
		break;
	case 3:
		snprintf(line, sizeof(line), "groups=%u %s", groups,
			 fz_chance(t, 50) ? "fast" : "burst=2");
		ok = EINVAL;
		break;
	case 4:
		snprintf(line, sizeof(line), "groups=4294967296");
		ok = ERANGE;
		break;
	default:
		if (fz_chance(t, 10))
			pasids = HW_PASID_LIMIT - 1;
		snprintf(line, sizeof(line), "groups=%u pasids=%u pages=%u",
			 groups, pasids, pages);
		break;
	}
	counted = own && sent_so_far(dev, &req0, &hits0);
	fz_log(t, "hw storm %s: %s", dev, line);
	err = send_write(t, dev, "storm", line);
	/* SMMU: at most 65536 stalls held while its queue is paused. */
	if (kind == HW_SMMU && !ok && err == EBUSY)
		return;
	if (!FZ_EXPECT(t, "a storm write", err, ok, ENODEV, ENOENT, EIO))
		return;
	if (counted)
		check_sent(t, dev, err, req0, hits0,
			   ok ? 0 : (unsigned long long)groups * pages, false);
}

/* A write to a device file that sends nothing; @ok: its errno if there. */
static void plain_write(struct fz_thread *t, const char *dev, const char *file,
			const char *text, int ok, const char *what)
{
	char path[128];

	hw_path(path, sizeof(path), dev, file);
	fz_log(t, "hw %s %s: %s", file, dev, text);
	/* ENOENT: no such device; EIO: unplugged while the file was open. */
	FZ_EXPECT(t, what, -fz_write_file(path, text), ok, ENOENT, EIO);
}

static void hw_pause(struct fz_thread *t)
{
	static const char *const good[] = { "0", "1", "1\n", "0\n", "y", "n", "on", "off" };
	static const char *const bad[] = { "2", "x", "-1" };
	char dev[IOFAULT_NAME_LEN];

	pick(t, dev, false);
	if (fz_chance(t, 10))
		plain_write(t, dev, "pause", bad[fz_below(t, 3)], EINVAL,
			    "a bad pause write");
	else
		plain_write(t, dev, "pause", good[fz_below(t, 8)], 0,
			    "a pause write");
}

static void hw_resolve(struct fz_thread *t)
{
	static const char *const good[] = { "map", "fail", "defer", "defer\n" };
	static const char *const bad[] = { "MAP", "mapp", "deferdeferdeferdefer" };
	char dev[IOFAULT_NAME_LEN];

	pick(t, dev, false);
	if (fz_chance(t, 10))
		plain_write(t, dev, "resolve", bad[fz_below(t, 3)], EINVAL,
			    "a bad resolve write");
	else
		plain_write(t, dev, "resolve", good[fz_below(t, 4)], 0,
			    "a resolve write");
}

static void hw_unmap(struct fz_thread *t)
{
	static const char *const bad[] = {
		"all pasid=1", "bogus", "pasid", "pasid=0x100000",
		"addr=0x80000000000000", "all=1",
	};
	char dev[IOFAULT_NAME_LEN], line[LINE];

	pick(t, dev, false);
	switch (fz_below(t, 5)) {
	case 0:
		plain_write(t, dev, "unmap", "all", 0, "an unmap write");
		break;
	case 1:
		snprintf(line, sizeof(line), "pasid=%llu",
			 edgy_below(t, HW_PASID_LIMIT));
		plain_write(t, dev, "unmap", line, 0, "an unmap write");
		break;
	case 2:
		snprintf(line, sizeof(line), "%saddr=%#llx",
			 fz_chance(t, 50) ? "pasid=1 " : "",
			 (unsigned long long)fz_below(t, 4096) * HW_PAGE);
		plain_write(t, dev, "unmap", line, 0, "an unmap write");
		break;
	case 3:
		plain_write(t, dev, "unmap", "pasid=4294967296", ERANGE,
			    "an unmap write of a PASID too big");
		break;
	default:
		plain_write(t, dev, "unmap", bad[fz_below(t, 6)], EINVAL,
			    "a bad unmap write");
		break;
	}
}

/*
 * Answer a group the resolver of a device deferred, with its own fields
 * or spoiled ones. Between the read of deferred and the answer, others
 * may answer the group (EALREADY; ESTALE once its slot went to a newer
 * group), its timeout may (ETIMEDOUT), and the device may go (ENOENT,
 * EIO), even come back (EXDEV: the cookie is the old device's). ENODEV
 * never: the respond file goes before iofault's device.
 */
static void hw_respond(struct fz_thread *t)
{
	static const char *const codes[] = { "success", "invalid", "failure", "0", "2" };
	struct hw_deferred d[HW_DEFERRED_MAX];
	char dev[IOFAULT_NAME_LEN], line[LINE], path[128];
	unsigned long long cookie = fz_edgy(t), id;
	unsigned int pasid = 0, grpid = 0, how = fz_below(t, 10);
	int nd, err;
	bool real;

	pick(t, dev, false);
	nd = hw_read_deferred(dev, d, HW_DEFERRED_MAX);
	real = nd > 0;
	if (real) {
		nd = fz_below(t, nd);
		cookie = d[nd].cookie;
		pasid = d[nd].pasid;
		grpid = d[nd].grpid;
	}
	if (!real && how < 5)
		how = 5 + fz_below(t, 5);
	switch (how) {
	case 3:		/* another PASID or group index */
		if (fz_chance(t, 50))
			pasid ^= 1 + fz_below(t, 7);
		else
			grpid ^= 1 + fz_below(t, 7);
		break;
	case 4:		/* a slot no tracker has */
		cookie |= HW_COOKIE_SLOT_MASK;
		break;
	case 5:		/* no device has id 0 */
		cookie &= ~HW_COOKIE_DEV_MASK;
		break;
	}
	if (how == 6)
		snprintf(line, sizeof(line), "cookie=%#llx pasid=%u grpid=%u code=%u",
			 cookie, pasid, grpid, 3 + fz_below(t, 100));
	else if (how == 7)
		snprintf(line, sizeof(line), "cookie=%#llx pasid=%u grpid=%u",
			 cookie, pasid, grpid);
	else if (how == 8)
		snprintf(line, sizeof(line), "pasid=%u code=success", pasid);
	else if (how == 9)
		snprintf(line, sizeof(line), "cookie=%#llx code=maybe", cookie);
	else
		snprintf(line, sizeof(line), "cookie=%#llx pasid=%u grpid=%u code=%s",
			 cookie, pasid, grpid, codes[fz_below(t, 5)]);
	hw_path(path, sizeof(path), dev, "respond");
	fz_log(t, "hw respond %s: %s (%s)", dev, line,
	       real ? "a deferred group" : "no deferred group");
	err = -fz_write_file(path, line);
	if (err == EXDEV && how != 5 &&
	    hw_dev_id(dev, &id) && id == cookie >> HW_COOKIE_DEV_SHIFT)
		fz_fail(t, "%s: EXDEV for a cookie of its own id %llu", dev, id);
	if (how >= 7) {
		FZ_EXPECT(t, "a respond line without a cookie or a code", err,
			  EINVAL, ENOENT, EIO);
	} else if (how == 6) {
		FZ_EXPECT(t, "an answer with a bad code", err, EINVAL, EXDEV,
			  ENOENT, EIO);
	} else if (how == 5) {
		FZ_EXPECT(t, "an answer with no device's cookie", err, EXDEV,
			  ENOENT, EIO);
	} else if (how == 4) {
		FZ_EXPECT(t, "an answer with an unknown cookie", err, ENOENT,
			  EXDEV, EIO);
	} else if (how == 3) {
		FZ_EXPECT(t, "an answer with another PASID or index", err,
			  EPROTO, EALREADY, ETIMEDOUT, ESTALE, EXDEV, ENOENT,
			  EIO);
	} else {
		FZ_EXPECT(t, "a deferred group's answer", err, 0, EALREADY,
			  ETIMEDOUT, ESTALE, EXDEV, ENOENT, EIO);
	}
}

/* What a device file said must make sense. */
static void check_read(struct fz_thread *t, const char *dev, const char *file,
		       const char *text)
{
	char why[160];

	__atomic_fetch_add(&fz->checks, 1, __ATOMIC_RELAXED);
	if (!strcmp(file, "hwstats") && !hw_stats_ok(text, why, sizeof(why)))
		fz_fail(t, "%s hwstats: %s", dev, why);
	else if (!strcmp(file, "hwlog") && !hw_log_ok(dev, text, why, sizeof(why)))
		fz_fail(t, "%s hwlog: %s", dev, why);
	else if (!strcmp(file, "deferred") && !hw_deferred_ok(text, why, sizeof(why)))
		fz_fail(t, "%s deferred: %s", dev, why);
	else if (!strcmp(file, "pause") && strcmp(text, "0\n") && strcmp(text, "1\n"))
		fz_fail(t, "%s pause reads '%s'", dev, text);
	else if (!strcmp(file, "resolve") && strcmp(text, "map\n") &&
		 strcmp(text, "fail\n") && strcmp(text, "defer\n"))
		fz_fail(t, "%s resolve reads '%s'", dev, text);
}

/* Read one of a device's files, and check what it says. */
static void hw_read(struct fz_thread *t)
{
	static const char *const files[] = {
		"hwstats", "hwstats", "hwlog", "deferred", "pause", "resolve",
	};
	const char *file = files[fz_below(t, 6)];
	char dev[IOFAULT_NAME_LEN], path[128], *text;
	int n;

	pick(t, dev, false);
	hw_path(path, sizeof(path), dev, file);
	text = malloc(HW_LOG_TEXT);
	if (!text)
		abort();
	fz_log(t, "hw read %s", path);
	n = fz_read_file(path, text, HW_LOG_TEXT);
	if (FZ_EXPECT(t, "a read of a device file", n < 0 ? -n : 0, 0, ENOENT,
		      EIO) && n >= 0)
		check_read(t, dev, file, text);
	free(text);
}

/* Every device unplugged so far got exactly one answer a group. */
static void hw_read_unplugged(struct fz_thread *t)
{
	char why[160];

	fz_log(t, "hw read unplugged");
	__atomic_fetch_add(&fz->checks, 1, __ATOMIC_RELAXED);
	if (hw_unplugged_check(why, sizeof(why)) < 0)
		fz_fail(t, "unplugged: %s", why);
}

static void hw_unplug(struct fz_thread *t)
{
	char dev[IOFAULT_NAME_LEN];
	int err;

	pick(t, dev, true);
	fz_log(t, "hw unplug %s", dev);
	err = -fz_write_file(FZ_MOCK "/unplug", dev);
	/* ENODEV: no such device, never or not any more. */
	FZ_EXPECT(t, "an unplug", err, 0, ENODEV);
}

static void hw_plug(struct fz_thread *t)
{
	static const char *const bad[] = {
		"vtd64", "smmu64", "vtd01", "vtd", "smmu", "vtd+1", "vtd-1",
		"vtd1x", "VTD1", "sva0", "vtd4294967296", "vtd1 x",
	};
	char dev[IOFAULT_NAME_LEN];
	int err;

	if (fz_chance(t, 15)) {
		snprintf(dev, sizeof(dev), "%s", bad[fz_below(t, 12)]);
		fz_log(t, "hw plug %s (bad name)", dev);
		FZ_EXPECT(t, "a plug of a bad name",
			  -fz_write_file(FZ_MOCK "/plug", dev), EINVAL);
		return;
	}
	snprintf(dev, sizeof(dev), "%s%u", fz_chance(t, 60) ? "vtd" : "smmu",
		 fz_below(t, 4));
	fz_log(t, "hw plug %s", dev);
	err = -fz_write_file(FZ_MOCK "/plug", dev);
	FZ_EXPECT(t, "a plug", err, 0, EEXIST);
}

static const struct fz_action hw_actions[] = {
	{ "inject", 10, hw_inject },
	{ "storm", 3, hw_storm },
	{ "pause", 3, hw_pause },
	{ "resolve", 4, hw_resolve },
	{ "respond", 8, hw_respond },
	{ "unmap", 2, hw_unmap },
	{ "read", 5, hw_read },
	{ "read-unplugged", 1, hw_read_unplugged },
	{ "unplug", 1, hw_unplug },
	{ "plug", 2, hw_plug },
};

const struct fz_family fz_hw_family = {
	.name = "hw",
	.actions = hw_actions,
	.nr_actions = sizeof(hw_actions) / sizeof(hw_actions[0]),
	.init = hw_init,
	.fini = hw_fini,
};
