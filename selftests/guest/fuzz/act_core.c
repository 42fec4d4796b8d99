// SPDX-License-Identifier: GPL-2.0
/*
 * iofuzz: iofault behind the kernel's IOMMU core, fed by iommu_mock.
 *
 * A thread binds its process's memory to PASIDs of the mock's devices
 * (sva0...) through their debugfs files, has the devices access a region
 * of its own (each page not mapped as the access needs is a page request,
 * resolved by the mock's own handler, or by iofault's policies), adopts
 * and releases its binds with IOFAULT_IOC_ADOPT / RELEASE, and tries the
 * same files and ioctls with bad arguments. Checks:
 * - what the hardware recorded: never an answer twice or to a group it
 *   did not issue (duplicate, mismatch), and its counters add up;
 * - a bind, adopt or release that succeeded shows (the bind file, the
 *   iofault device "DEV" or "DEV.pasidN") until undone or the device
 *   goes; a refused one changes nothing;
 * - a page an own handler resolved is resident;
 * - between epochs: every group answered exactly once, each group the
 *   hardware dropped (its PASID stopped, or unplugged) counted by iofault
 *   as freed unanswered ("detached"), no orphan left.
 *
 * Ownership. Each thread has PASIDs of its own on every device (and one
 * thread the device itself, "none"): it alone binds, unbinds, adopts and
 * releases them, so it knows their state. That also keeps to the rule of
 * iofault's adopt (kernel/iopf.c, README): adopt only an attachment that
 * stays, and release it before its owner unbinds, unless on purpose.
 * Unplugging a device unbinds everything on it, so adopt and release
 * take a shared lock that the one thread allowed to unplug takes
 * exclusively. Another thread's PASIDs are only accessed.
 *
 * The mock keeps a bind after its process exits (it holds the mm): a
 * worker sometimes leaves its binds and adoptions to the main process,
 * which releases, unbinds and settles everything between epochs.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core.h"

/*
 * A control file of device k failed with err: whether the device is
 * being unplugged. Its hardware dies first (ENODEV), then its files go
 * (ENOENT at open, EIO for a file open already), its directory last:
 * give the directory a moment to go.
 */
static bool gone_ok(unsigned int k, int err)
{
	unsigned int ms;

	if (err != ENOENT && err != EIO && err != ENODEV)
		return false;
	for (ms = 0; ms < CORE_GONE_MS; ms++) {
		if (!core_dev_present(k))
			return true;
		fz_sleep_ms(1);
	}
	return false;
}

/* "none" or the PASID in decimal, or now and then in hex, into buf. */
const char *core_pasid_word(struct fz_thread *t, unsigned int pasid,
			      char buf[16])
{
	if (pasid)
		snprintf(buf, 16, fz_chance(t, 20) ? "%#x" : "%u", pasid);
	else
		snprintf(buf, 16, "none");
	return buf;
}

/* A present device, picked at random; false if none is. */
bool core_pick_dev(struct fz_thread *t, struct core_state *st,
		     unsigned int *k)
{
	unsigned int i, first;

	if (!st->ndev)
		return false;
	first = fz_below(t, st->ndev);
	for (i = 0; i < st->ndev; i++) {
		*k = (first + i) % st->ndev;
		if (core_dev_present(*k))
			return true;
	}
	return false;
}

static bool slot_is(const struct core_slot *s, enum core_want want)
{
	switch (want) {
	case CORE_FREE:		/* a gone adoption is released first */
		return !s->bound && !s->adopted;
	case CORE_BOUND:
		return s->bound;
	case CORE_ADOPTED:
		return s->adopted;
	default:
		return true;
	}
}

/* A slot of device k in the state wanted; false if none is. */
bool core_pick_slot(struct fz_thread *t, struct core_state *st,
		      unsigned int k, enum core_want want, unsigned int *i)
{
	unsigned int n = core_nslots(st, k), j, first;

	if (!n)
		return false;
	first = fz_below(t, n);
	for (j = 0; j < n; j++) {
		*i = (first + j) % n;
		if (slot_is(&st->slot[k][*i], want))
			return true;
	}
	return false;
}

/* Whether another slot of device k is bound to the domain of slot i. */
bool core_dom_shared(const struct core_state *st, unsigned int k,
		       unsigned int i)
{
	unsigned int j;

	for (j = 0; j < core_nslots(st, k); j++)
		if (j != i && st->slot[k][j].bound &&
		    st->slot[k][j].dom == st->slot[k][i].dom)
			return true;
	return false;
}

/* Whether iofault's handler may be in front of the domain of slot i. */
bool core_dom_adopted(const struct core_state *st, unsigned int k,
			unsigned int i)
{
	unsigned int j;

	for (j = 0; j < core_nslots(st, k); j++)
		if (st->slot[k][j].adopted &&
		    st->slot[k][j].dom == st->slot[k][i].dom)
			return true;
	return false;
}

/*
 * Device k was unplugged: the mock unbound everything on it; iofault's
 * adoptions there ended with their owner gone (orphans, released by name).
 */
void core_dev_lost(struct core_state *st, unsigned int k)
{
	unsigned int i;

	for (i = 0; i < core_nslots(st, k); i++) {
		st->slot[k][i].bound = false;
		if (st->slot[k][i].adopted)
			st->slot[k][i].gone = true;
	}
}

/*
 * The outcome err of a control file of device k: one of ok (a list ending
 * with -1), else the device's unplugging. Returns whether it was one of
 * ok and the device is still there.
 */
bool core_expect(struct fz_thread *t, struct core_state *st,
			unsigned int k, const char *what, int err, const int *ok)
{
	size_t i;

	for (i = 0; ok[i] != -1; i++)
		if (ok[i] == err)
			return fz_expect(t, what, err, err, -1);
	if (gone_ok(k, err)) {
		core_dev_lost(st, k);
		return false;
	}
	return fz_expect(t, what, err, -1);
}

/*
 * Adopt and release take the lock shared, an unplug exclusive: the
 * owner must not detach (as an unplug does for every bind of the device)
 * while iofault reads its attachment and writes its domain (iopf.c).
 * Bounded: false if an unplug holds it for long.
 */
bool core_lock(struct core_state *st, int how)
{
	int i;

	for (i = 0; i < 1000; i++) {
		if (!flock(st->lock_fd, how | LOCK_NB))
			return true;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return false;
		fz_sleep_ms(1);
	}
	return false;
}

void core_unlock(struct core_state *st)
{
	flock(st->lock_fd, LOCK_UN);
}

/* A line to log: as it is, or how long and its end if too long to be read. */
const char *core_brief(const char *line, char buf[64])
{
	size_t len = strlen(line);

	if (len <= 60)
		return line;
	snprintf(buf, 64, "%zu bytes ending %s", len, line + len - 20);
	return buf;
}

const char *core_said(char buf[FZ_LINE], const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, FZ_LINE, fmt, ap);
	va_end(ap);
	return buf;
}

/* Words in random order, spaced by blanks of several kinds. */
void core_join_words(struct fz_thread *t, const char *const *words,
		       unsigned int n, char *line, size_t size)
{
	static const char *const blanks[] = { " ", "  ", "\t", " \t " };
	unsigned int order[8], i, j, tmp;
	size_t len = 0;

	for (i = 0; i < n; i++)
		order[i] = i;
	for (i = n; i > 1; i--) {
		j = fz_below(t, i);
		tmp = order[i - 1];
		order[i - 1] = order[j];
		order[j] = tmp;
	}
	line[0] = '\0';
	for (i = 0; i < n && len < size; i++)
		len += snprintf(line + len, size - len, "%s%s",
				i ? blanks[fz_below(t, 4)] : "", words[order[i]]);
	if (len < size - 1 && fz_chance(t, 50))
		strcat(line, "\n");
}

/* Whether a bind file's line says what slot s is: this process's, how bound. */
static bool bind_line_is(const char *line, const struct core_slot *s)
{
	char l[160], pid[24];
	size_t n = strcspn(line, "\n");

	n = n < sizeof(l) ? n : sizeof(l) - 1;
	memcpy(l, line, n);
	l[n] = '\0';
	snprintf(pid, sizeof(pid), " pid=%d", (int)getpid());
	if (n < strlen(pid) || strcmp(l + n - strlen(pid), pid))
		return false;
	if (s->via_iofault)
		return strstr(l, " via=iofault ");
	return strstr(l, s->now ? " via=own handler=now " :
			      " via=own handler=mm ");
}

/*
 * verify: the bind files list this thread's binds as it made them, and
 * iofault has a device for each of its adoptions and via=iofault binds,
 * and for nothing else of this thread's.
 */
static void core_verify_dev(struct fz_thread *t, struct core_state *st,
			    unsigned int k)
{
	char path[64], text[8192], pw[16];
	const char *line;
	struct core_slot *s;
	bool exists, expect;
	unsigned int i;

	snprintf(path, sizeof(path), FZ_IMOCK "/sva%u/bind", k);
	if (fz_read_file(path, text, sizeof(text)) < 0) {
		if (!core_dev_present(k))
			core_dev_lost(st, k);
		return;
	}
	for (i = 0; i < core_nslots(st, k); i++) {
		s = &st->slot[k][i];
		line = core_bind_line(text, core_slot_pasid(st, i));
		if (!s->bound != !line || (line && !bind_line_is(line, s))) {
			if (core_dev_present(k))
				fz_fail(t, "sva%u bind file: PASID %s %s: %.*s", k,
					core_pasid_text(core_slot_pasid(st, i), pw),
					s->bound ? "bound" : "not bound",
					line ? (int)strcspn(line, "\n") : 10,
					line ? line : "not listed");
			return;
		}
		if (s->gone)
			continue;	/* iofault drops it when it next looks */
		if (s->adopted && s->gen != core_iofault_gen())
			s->adopted = false;	/* iofault went, its adoptions too */
		expect = (s->bound && s->via_iofault) || s->adopted;
		exists = core_class_exists(k, core_slot_pasid(st, i));
		if (exists != expect && core_dev_present(k)) {
			fz_fail(t, "sva%u PASID %s (%s%s): %s iofault device", k,
				core_pasid_text(core_slot_pasid(st, i), pw),
				s->bound ? (s->via_iofault ? "bound via iofault" :
					    "bound") : "not bound",
				s->adopted ? ", adopted" : "",
				exists ? "an" : "no");
			return;
		}
	}
}

static void core_verify(struct fz_thread *t)
{
	struct core_state *st = core_st(t);
	unsigned int k;

	fz_log(t, "core verify binds and iofault devices");
	for (k = 0; k < st->ndev; k++) {
		if (core_dev_present(k))
			core_verify_dev(t, st, k);
		else
			core_dev_lost(st, k);
	}
}

/*
 * unplug: names that are no device's (ENODEV); and for one thread now
 * and then, a device, as long as another stays.
 */
static void core_unplug(struct fz_thread *t)
{
	struct core_state *st = core_st(t);
	unsigned int k, present = 0, i;
	struct core_unplugged u;
	char name[24], why[160];
	int err;

	if (!st->ndev)
		return;		/* iommu_mock is not loaded */
	for (i = 0; i < st->ndev; i++)
		present += core_dev_present(i);
	if (!st->unplugger || present < 2 || !fz_chance(t, 5)) {
		for (i = 0; i < CORE_DEVS * 2 && core_dev_present(i); i++)
			;
		switch (fz_below(t, 3)) {
		case 0:
			snprintf(name, sizeof(name), "sva%u\n", i);
			break;
		case 1:
			snprintf(name, sizeof(name), "nosuch");
			break;
		default:
			snprintf(name, sizeof(name), "sva%uxxxxxxxxxxxxxxxx", fz_below(t, 2));
			break;
		}
		fz_log(t, "core unplug '%s' (no such device)", name);
		err = -fz_write_file(FZ_IMOCK "/unplug", name);
		FZ_EXPECT(t, "unplug of no device", err, ENODEV);
		return;
	}
	if (!core_pick_dev(t, st, &k) || !core_lock(st, LOCK_EX))
		return;
	snprintf(name, sizeof(name), "sva%u%s", k, fz_chance(t, 50) ? "\n" : "");
	fz_log(t, "core unplug sva%u", k);
	err = -fz_write_file(FZ_IMOCK "/unplug", name);
	core_unlock(st);
	if (!FZ_EXPECT(t, "unplug", err, 0) || err)
		return;
	core_dev_lost(st, k);
	if (core_dev_present(k))
		fz_fail(t, "unplugged sva%u: its files stay", k);
	if (core_unplugged_find(k, &u) != 1)
		fz_fail(t, "unplugged sva%u: not in the unplugged file", k);
	else if (!core_unplugged_sane(&u, why, sizeof(why)))
		fz_fail(t, "unplugged sva%u: %s", k, why);
}

/* A platform device with no IOMMU group, for adopt to refuse (ENXIO). */
static void find_noiommu(char name[IOFAULT_NAME_LEN])
{
	DIR *d = opendir("/sys/bus/platform/devices");
	struct dirent *e;
	char path[320];

	name[0] = '\0';
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || strlen(e->d_name) >= IOFAULT_NAME_LEN ||
		    strspn(e->d_name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.:-") !=
		    strlen(e->d_name))
			continue;
		snprintf(path, sizeof(path), "/sys/bus/platform/devices/%s/iommu_group",
			 e->d_name);
		if (access(path, F_OK)) {
			snprintf(name, IOFAULT_NAME_LEN, "%s", e->d_name);
			break;
		}
	}
	closedir(d);
}

static void *core_init(struct fz_thread *t)
{

	struct core_state *st = calloc(1, sizeof(*st));
	unsigned int total = fz_opts.workers * fz_opts.threads;
	unsigned int me = t->worker * fz_opts.threads + t->index, k;
	char text[16];

	if (!st)
		abort();
	st->psz = sysconf(_SC_PAGESIZE);
	st->mem = mmap(NULL, CORE_PAGES * st->psz, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (st->mem == MAP_FAILED)
		abort();
	mprotect(st->mem + CORE_RW * st->psz, CORE_RO * st->psz, PROT_READ);
	mprotect(st->mem + (CORE_RW + CORE_RO) * st->psz,
		 (CORE_PAGES - CORE_RW - CORE_RO) * st->psz, PROT_NONE);
	st->lock_fd = open(CORE_LOCK, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	core_settle_init();
	find_noiommu(st->noiommu);
	if (fz_read_file(CORE_NDEV, text, sizeof(text)) > 0)
		st->ndev = atoi(text) < CORE_DEVS ? atoi(text) : CORE_DEVS;
	if (st->lock_fd < 0)
		st->ndev = 0;	/* no way to keep off unplugs: do nothing */
	st->npasids = (CORE_PASIDS - 1) / total < CORE_SLOTS ?
		      (CORE_PASIDS - 1) / total : CORE_SLOTS;
	st->pasid0 = 1 + me * st->npasids;
	for (k = 0; k < CORE_DEVS; k++)
		st->owns_none[k] = k % total == me;
	st->unplugger = me == 0;
	return st;
}

/* Release this thread's live adoptions: before their owner unbinds. */
static void release_live(struct fz_thread *t, struct core_state *st)
{
	unsigned int k, i;

	for (k = 0; k < st->ndev; k++)
		for (i = 0; i < core_nslots(st, k); i++)
			if (st->slot[k][i].adopted && !st->slot[k][i].gone)
				core_release_slot(t, st, k, i);
}

/*
 * The epoch ends. Now and then the thread leaves its binds and
 * adoptions as they are, for the main process (the process exits with
 * its memory bound); else it releases its adoptions here.
 */
static void core_drain(struct fz_thread *t, void *state)
{
	struct core_state *st = state;

	st->leave = fz_chance(t, 15);
	if (st->leave)
		fz_log(t, "core: binds and adoptions left to the main process");
	else
		release_live(t, st);
}

static void core_fini(struct fz_thread *t, void *state)
{
	struct core_state *st = state;
	char line[32], pw[16];
	unsigned int k, i;
	int err;

	if (!st->leave) {
		release_live(t, st);
		for (k = 0; k < st->ndev; k++) {
			for (i = 0; i < core_nslots(st, k); i++) {
				if (!st->slot[k][i].bound)
					continue;
				snprintf(line, sizeof(line), "pasid=%s",
					 core_pasid_text(core_slot_pasid(st, i), pw));
				fz_log(t, "core unbind sva%u '%s' (the end)", k, line);
				err = core_mock_write(k, "unbind", line);
				if (CORE_EXPECT(t, st, k, "unbind", err, 0) && !err)
					st->slot[k][i].bound = false;
			}
		}
		/* Their domains are gone now: the orphans go by name. */
		for (k = 0; k < st->ndev; k++)
			for (i = 0; i < core_nslots(st, k); i++)
				if (st->slot[k][i].adopted && !st->slot[k][i].bound)
					core_release_slot(t, st, k, i);
	}
	munmap(st->mem, CORE_PAGES * st->psz);
	if (st->lock_fd >= 0)
		close(st->lock_fd);
	free(st);
}

static const struct fz_action core_actions[] = {
	{ "bind", 8, core_bind },
	{ "bind-bad", 3, core_bind_bad },
	{ "unbind", 5, core_unbind },
	{ "access", 10, core_access },
	{ "access-bad", 2, core_access_bad },
	{ "access-check", 3, core_access_check },
	{ "mem", 4, core_mem },
	{ "adopt", 6, core_adopt },
	{ "adopt-bad", 4, core_adopt_bad },
	{ "release", 5, core_release },
	{ "hold", 2, core_hold },
	{ "settle", 2, core_settle },
	{ "hwstats", 3, core_hwstats },
	{ "hwlog", 1, core_hwlog },
	{ "iopf", 1, core_iopf },
	{ "verify", 3, core_verify },
	{ "unplug", 1, core_unplug },
};

const struct fz_family fz_core_family = {
	.name = "core",
	.actions = core_actions,
	.nr_actions = sizeof(core_actions) / sizeof(core_actions[0]),
	.init = core_init,
	.drain = core_drain,
	.fini = core_fini,
};
