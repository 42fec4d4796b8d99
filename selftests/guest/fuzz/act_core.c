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
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"

#define CORE_DEVS	4	/* at most, of iommu_mock's ndev */
#define CORE_SLOTS	6	/* PASIDs a thread owns per device, at most */
#define CORE_PASIDS	256	/* the mock's PASIDs have 8 bits */
#define CORE_GRPIDS	512	/* group indexes a device has */
#define CORE_BUSY	256	/* outstanding past which a thread accesses nothing */
#define CORE_PAGES	64	/* the thread's region */
#define CORE_RW		40	/* its read-write pages, then read-only */
#define CORE_RO		8	/* then PROT_NONE to the end */
#define CORE_ACCESS_MAX	16	/* pages an access touches */
#define CORE_UNMAPPED	0x10000UL	/* an address nobody maps */
#define CORE_PRIV_KEY	0x10fa0171c0de5eedULL	/* iommu_mock.h */
#define CORE_LOCK	"/tmp/iofuzz-core.lock"
#define CORE_IOPF	FZ_KOBJ "/iopf"
#define CORE_MODULE	"/sys/module/iofault"
#define CORE_NDEV	"/sys/module/iommu_mock/parameters/ndev"
#define CORE_RESIDENT_MS 10000	/* for the own handler to resolve a page */
#define CORE_GONE_MS	3000	/* for an unplugged device's files to go */
#define CORE_IOCTL_ABSENT (-1)	/* no /dev/iofault: iofault is not loaded */

/* One PASID (or the device itself) a thread owns on one device. */
struct core_slot {
	bool bound;
	bool via_iofault;	/* bound via=iofault: iofault's attachment */
	bool now;		/* own handler=now (its domain's) */
	bool adopted;
	bool gone;		/* adopted, and the owner unbound first */
	unsigned int dom;	/* its domain: shared with share= */
	unsigned long long gen;	/* iofault's load when adopted */
};

struct core_state {
	unsigned int ndev;
	unsigned int pasid0, npasids;	/* the thread's PASIDs */
	bool owns_none[CORE_DEVS];	/* and the device itself */
	/* [k][npasids] is the device itself */
	struct core_slot slot[CORE_DEVS][CORE_SLOTS + 1];
	unsigned int next_dom;
	bool unplugger;		/* the one thread that unplugs devices */
	bool leave;		/* leave the binds to the main process */
	int lock_fd;
	char *mem;
	long psz;
	char noiommu[IOFAULT_NAME_LEN];	/* a platform device behind no IOMMU */
};

/* ---- helpers ------------------------------------------------------------ */

static struct core_state *core_st(struct fz_thread *t)
{
	return fz_my_state(t);
}

/* Which load of iofault this is (its sysfs directory's inode); 0: none. */
static unsigned long long iofault_gen(void)
{
	struct stat s;

	return stat(CORE_MODULE, &s) ? 0 : (unsigned long long)s.st_ino;
}

static bool dev_present(unsigned int k)
{
	char path[64];

	snprintf(path, sizeof(path), FZ_IMOCK "/sva%u", k);
	return access(path, F_OK) == 0;
}

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
		if (!dev_present(k))
			return true;
		fz_sleep_ms(1);
	}
	return false;
}

/* Write text to a device's control file; 0 or an errno. */
static int mock_write(unsigned int k, const char *file, const char *text)
{
	char path[96];

	snprintf(path, sizeof(path), FZ_IMOCK "/sva%u/%s", k, file);
	return -fz_write_file(path, text);
}

static unsigned int slot_pasid(const struct core_state *st, unsigned int i)
{
	return i < st->npasids ? st->pasid0 + i : 0;
}

/* "none" or the PASID in decimal, into buf. */
static const char *pasid_text(unsigned int pasid, char buf[16])
{
	if (pasid)
		snprintf(buf, 16, "%u", pasid);
	else
		snprintf(buf, 16, "none");
	return buf;
}

/* "none" or the PASID in decimal, or now and then in hex, into buf. */
static const char *pasid_word(struct fz_thread *t, unsigned int pasid,
			      char buf[16])
{
	if (pasid)
		snprintf(buf, 16, fz_chance(t, 20) ? "%#x" : "%u", pasid);
	else
		snprintf(buf, 16, "none");
	return buf;
}

/* The iofault device of an adopted or attached PASID. */
static void slot_name(unsigned int k, unsigned int pasid,
		      char name[IOFAULT_NAME_LEN])
{
	if (pasid)
		snprintf(name, IOFAULT_NAME_LEN, "sva%u.pasid%u", k, pasid);
	else
		snprintf(name, IOFAULT_NAME_LEN, "sva%u", k);
}

static bool class_exists(unsigned int k, unsigned int pasid)
{
	char name[IOFAULT_NAME_LEN], path[96];

	slot_name(k, pasid, name);
	snprintf(path, sizeof(path), FZ_CLASS "/%s", name);
	return access(path, F_OK) == 0;
}

/* How many slots device k has for this thread. */
static unsigned int nslots(const struct core_state *st, unsigned int k)
{
	return st->npasids + st->owns_none[k];
}

/* A present device, picked at random; false if none is. */
static bool pick_dev(struct fz_thread *t, struct core_state *st,
		     unsigned int *k)
{
	unsigned int i, first;

	if (!st->ndev)
		return false;
	first = fz_below(t, st->ndev);
	for (i = 0; i < st->ndev; i++) {
		*k = (first + i) % st->ndev;
		if (dev_present(*k))
			return true;
	}
	return false;
}

enum slot_want { WANT_FREE, WANT_BOUND, WANT_ADOPTED, WANT_ANY };

static bool slot_is(const struct core_slot *s, enum slot_want want)
{
	switch (want) {
	case WANT_FREE:		/* a gone adoption is released first */
		return !s->bound && !s->adopted;
	case WANT_BOUND:
		return s->bound;
	case WANT_ADOPTED:
		return s->adopted;
	default:
		return true;
	}
}

/* A slot of device k in the state wanted; false if none is. */
static bool pick_slot(struct fz_thread *t, struct core_state *st,
		      unsigned int k, enum slot_want want, unsigned int *i)
{
	unsigned int n = nslots(st, k), j, first;

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
static bool dom_shared(const struct core_state *st, unsigned int k,
		       unsigned int i)
{
	unsigned int j;

	for (j = 0; j < nslots(st, k); j++)
		if (j != i && st->slot[k][j].bound &&
		    st->slot[k][j].dom == st->slot[k][i].dom)
			return true;
	return false;
}

/* Whether iofault's handler may be in front of the domain of slot i. */
static bool dom_adopted(const struct core_state *st, unsigned int k,
			unsigned int i)
{
	unsigned int j;

	for (j = 0; j < nslots(st, k); j++)
		if (st->slot[k][j].adopted &&
		    st->slot[k][j].dom == st->slot[k][i].dom)
			return true;
	return false;
}

/*
 * Device k was unplugged: the mock unbound everything on it; iofault's
 * adoptions there ended with their owner gone (orphans, released by name).
 */
static void dev_lost(struct core_state *st, unsigned int k)
{
	unsigned int i;

	for (i = 0; i < nslots(st, k); i++) {
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
static bool core_expect(struct fz_thread *t, struct core_state *st,
			unsigned int k, const char *what, int err, const int *ok)
{
	size_t i;

	for (i = 0; ok[i] != -1; i++)
		if (ok[i] == err)
			return fz_expect(t, what, err, err, -1);
	if (gone_ok(k, err)) {
		dev_lost(st, k);
		return false;
	}
	return fz_expect(t, what, err, -1);
}

#define CORE_EXPECT(t, st, k, what, err, ...) \
	core_expect(t, st, k, what, err, (const int[]){ __VA_ARGS__, -1 })

/* Adopt or release (cmd) with the request as it is; an errno or ABSENT. */
static int adopt_ioctl(unsigned long cmd, const void *req)
{
	int fd = open(FZ_CTL, O_RDWR | O_CLOEXEC), err;

	if (fd < 0)
		return CORE_IOCTL_ABSENT;
	err = ioctl(fd, cmd, req) < 0 ? errno : 0;
	close(fd);
	return err;
}

static void adopt_req(struct iofault_adopt_req *req, unsigned int k,
		      unsigned int pasid)
{
	memset(req, 0, sizeof(*req));
	req->size = sizeof(*req);
	if (pasid) {
		req->flags = IOFAULT_ADOPT_PASID;
		req->pasid = pasid;
	}
	snprintf(req->dev, sizeof(req->dev), "sva%u", k);
}

/*
 * Adopt and release take the lock shared, an unplug exclusive: the
 * owner must not detach (as an unplug does for every bind of the device)
 * while iofault reads its attachment and writes its domain (iopf.c).
 * Bounded: false if an unplug holds it for long.
 */
static bool core_lock(struct core_state *st, int how)
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

static void core_unlock(struct core_state *st)
{
	flock(st->lock_fd, LOCK_UN);
}

/* ---- the hardware's record ----------------------------------------------- */

struct hwstats {
	unsigned long long responses, success, invalid, failure, issued,
		answered, unanswered, duplicate, mismatch, requests, hits,
		stopped;
};

static bool hwstats_parse(const char *text, struct hwstats *h)
{
	return fz_stat(text, "responses", &h->responses) &&
	       fz_stat(text, "success", &h->success) &&
	       fz_stat(text, "invalid", &h->invalid) &&
	       fz_stat(text, "failure", &h->failure) &&
	       fz_stat(text, "issued", &h->issued) &&
	       fz_stat(text, "answered", &h->answered) &&
	       fz_stat(text, "unanswered", &h->unanswered) &&
	       fz_stat(text, "duplicate", &h->duplicate) &&
	       fz_stat(text, "mismatch", &h->mismatch) &&
	       fz_stat(text, "requests", &h->requests) &&
	       fz_stat(text, "hits", &h->hits) &&
	       fz_stat(text, "stopped", &h->stopped);
}

/* 0, or an errno (with h unset) */
static int hwstats_read(unsigned int k, struct hwstats *h)
{
	char path[64], text[512];
	int n;

	snprintf(path, sizeof(path), FZ_IMOCK "/sva%u/hwstats", k);
	n = fz_read_file(path, text, sizeof(text));
	if (n < 0)
		return -n;
	return hwstats_parse(text, h) ? 0 : EBADMSG;
}

/*
 * What holds at any time (one snapshot, taken under the device's lock):
 * no answer twice or to a group not issued, each group issued is
 * answered, dropped with its PASID (stopped) or outstanding, each answer
 * has a code. Writes why not into why.
 */
static bool hwstats_sane(const struct hwstats *h, char *why, size_t size)
{
	if (h->duplicate || h->mismatch)
		snprintf(why, size, "duplicate %llu mismatch %llu",
			 h->duplicate, h->mismatch);
	else if (h->issued != h->answered + h->stopped + h->unanswered)
		snprintf(why, size, "issued %llu != answered %llu + stopped %llu + unanswered %llu",
			 h->issued, h->answered, h->stopped, h->unanswered);
	else if (h->responses != h->answered)
		snprintf(why, size, "responses %llu != answered %llu",
			 h->responses, h->answered);
	else if (h->success + h->invalid + h->failure != h->responses)
		snprintf(why, size, "codes %llu+%llu+%llu != responses %llu",
			 h->success, h->invalid, h->failure, h->responses);
	else if (h->unanswered > CORE_GRPIDS)
		snprintf(why, size, "unanswered %llu", h->unanswered);
	else
		return true;
	return false;
}

/* One line of the unplugged file, as the mock's imock_unplug() writes it. */
struct unplugged {
	unsigned int k;
	unsigned long long issued, answered, success, invalid, failure,
		unanswered, duplicate, mismatch;
};

static bool unplugged_parse(const char *line, struct unplugged *u)
{
	return sscanf(line, "sva%u issued %llu answered %llu success %llu invalid %llu failure %llu unanswered %llu duplicate %llu mismatch %llu",
		      &u->k, &u->issued, &u->answered, &u->success,
		      &u->invalid, &u->failure, &u->unanswered,
		      &u->duplicate, &u->mismatch) == 9;
}

/* What holds of an unplugged device's record (its stopped ones not shown). */
static bool unplugged_sane(const struct unplugged *u, char *why, size_t size)
{
	if (u->duplicate || u->mismatch)
		snprintf(why, size, "duplicate %llu mismatch %llu",
			 u->duplicate, u->mismatch);
	else if (u->answered + u->unanswered > u->issued)
		snprintf(why, size, "answered %llu + unanswered %llu > issued %llu",
			 u->answered, u->unanswered, u->issued);
	else if (u->success + u->invalid + u->failure != u->answered)
		snprintf(why, size, "codes %llu+%llu+%llu != answered %llu",
			 u->success, u->invalid, u->failure, u->answered);
	else
		return true;
	return false;
}

/* ---- binds ------------------------------------------------------------------ */

/* A line to log: as it is, or how long and its end if too long to be read. */
static const char *brief(const char *line, char buf[64])
{
	size_t len = strlen(line);

	if (len <= 60)
		return line;
	snprintf(buf, 64, "%zu bytes ending %s", len, line + len - 20);
	return buf;
}

/* What an outcome is of, for its failure message: formatted into buf. */
static const char *said(char buf[FZ_LINE], const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static const char *said(char buf[FZ_LINE], const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, FZ_LINE, fmt, ap);
	va_end(ap);
	return buf;
}

/* Words in random order, spaced by blanks of several kinds. */
static void join_words(struct fz_thread *t, const char *const *words,
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

/* A bound own slot of device k other than i, of the mock's own handler. */
static bool pick_own_root(struct fz_thread *t, struct core_state *st,
			  unsigned int k, unsigned int i, unsigned int *m)
{
	unsigned int n = nslots(st, k), j, first = fz_below(t, n);

	for (j = 0; j < n; j++) {
		*m = (first + j) % n;
		if (*m != i && st->slot[k][*m].bound &&
		    !st->slot[k][*m].via_iofault)
			return true;
	}
	return false;
}

/* bind: a free slot, with the own handler (mm, now), iofault's, or shared. */
static void core_bind(struct fz_thread *t)
{
	char w[FZ_LINE];
	struct core_state *st = core_st(t);
	char line[128], pw[16], sw[16], pword[32], sword[32];
	const char *words[4];
	unsigned int k, i, m = 0, n = 0, kind = fz_below(t, 4);
	unsigned long long gen0;
	struct core_slot *s;
	bool share = false;
	int err;

	if (!pick_dev(t, st, &k) || !pick_slot(t, st, k, WANT_FREE, &i))
		return;
	s = &st->slot[k][i];
	snprintf(pword, sizeof(pword), "pasid=%s",
		 pasid_word(t, slot_pasid(st, i), pw));
	words[n++] = pword;
	if (kind == 0 && pick_own_root(t, st, k, i, &m)) {
		share = true;
		snprintf(sword, sizeof(sword), "share=%s",
			 pasid_word(t, slot_pasid(st, m), sw));
		words[n++] = sword;
		if (fz_chance(t, 30))
			words[n++] = "via=own";
	} else if (kind == 1) {
		words[n++] = "via=iofault";
	} else {
		if (fz_chance(t, 30))
			words[n++] = "via=own";
		if (kind == 2)
			words[n++] = "handler=now";
		else if (fz_chance(t, 30))
			words[n++] = "handler=mm";
	}
	join_words(t, words, n, line, sizeof(line));
	gen0 = iofault_gen();
	fz_log(t, "core bind sva%u '%s'", k, line);
	err = mock_write(k, "bind", line);
	/* via=iofault needs iofault loaded, which it is during an epoch. */
	if (kind == 1 && err == ENOENT && (!gen0 || gen0 != iofault_gen()))
		return;
	if (!CORE_EXPECT(t, st, k, said(w, "bind sva%u '%s'", k, line), err, 0) || err)
		return;
	s->bound = true;
	s->via_iofault = kind == 1 && !share;
	s->now = share ? st->slot[k][m].now : kind == 2;
	s->dom = share ? st->slot[k][m].dom : ++st->next_dom;
	if (s->via_iofault && !class_exists(k, slot_pasid(st, i)) &&
	    dev_present(k))
		fz_fail(t, "bound sva%u PASID %u via iofault: no iofault device",
			k, slot_pasid(st, i));
}

/* The line of the bind file text for a PASID (0: the device), or NULL. */
static const char *bind_line(const char *text, unsigned int pasid)
{
	char want[24], pw[16];
	const char *p;

	snprintf(want, sizeof(want), "pasid=%s ", pasid_text(pasid, pw));
	for (p = text; *p; p += *p == '\n') {
		if (!strncmp(p, want, strlen(want)))
			return p;
		p += strcspn(p, "\n");
	}
	return NULL;
}

/* The bind file of device k lists slot i: 1, not: 0, no file: -1. */
static int bind_listed(const struct core_state *st, unsigned int k,
		       unsigned int i)
{
	char path[64], text[4096];

	snprintf(path, sizeof(path), FZ_IMOCK "/sva%u/bind", k);
	if (fz_read_file(path, text, sizeof(text)) < 0)
		return -1;
	return bind_line(text, slot_pasid(st, i)) != NULL;
}

/*
 * A bind that was to be refused: if it was taken (a failure said so
 * already), undo it; if refused, the slot, free before, must still be.
 */
static void bind_refused(struct fz_thread *t, struct core_state *st,
			 unsigned int k, unsigned int i, const char *line,
			 int err)
{
	char text[32], pw[16];

	if (!err) {
		snprintf(text, sizeof(text), "pasid=%s",
			 pasid_text(slot_pasid(st, i), pw));
		mock_write(k, "unbind", text);
	} else if (bind_listed(st, k, i) == 1) {
		fz_fail(t, "a refused bind sva%u '%s' left a bind", k, line);
	}
}

/* bind with bad words, or of a PASID bound already. */
static void core_bind_bad(struct fz_thread *t)
{
	char w[FZ_LINE];
	struct core_state *st = core_st(t);
	char line[400], pw[16], sw[16], lb[64];
	unsigned int k, i, m, pasid;
	bool iofault = iofault_gen() != 0;
	int err, want = EINVAL, also = EINVAL;

	if (!pick_dev(t, st, &k))
		return;
	if (fz_chance(t, 20) && pick_slot(t, st, k, WANT_BOUND, &i)) {
		snprintf(line, sizeof(line), "pasid=%s%s",
			 pasid_word(t, slot_pasid(st, i), pw),
			 fz_chance(t, 50) ? " via=iofault" : "");
		fz_log(t, "core bind sva%u '%s' (bound already)", k, line);
		err = mock_write(k, "bind", line);
		/* via=iofault without iofault: its lookup fails first */
		CORE_EXPECT(t, st, k, said(w, "bind sva%u '%s', bound", k, line),
			    err, EEXIST,
			    iofault ? EEXIST : ENOENT);
		return;
	}
	if (!pick_slot(t, st, k, WANT_FREE, &i))
		return;
	pasid = slot_pasid(st, i);
	pasid_word(t, pasid, pw);
	switch (fz_below(t, 12)) {
	case 0:
		snprintf(line, sizeof(line), "pasid=0");
		break;
	case 1: {
		static const char *const bad[] = {
			"256", "0x100", "-1", "abc", "", "1x", "none1",
		};

		snprintf(line, sizeof(line), "pasid=%s", bad[fz_below(t, 7)]);
		break;
	}
	case 2:
		snprintf(line, sizeof(line), "pasid=4294967296");
		want = ERANGE;
		break;
	case 3:
		snprintf(line, sizeof(line), "%s",
			 fz_chance(t, 50) ? "via=own" : " \n");
		break;
	case 4: {
		static const char *const bad[] = {
			"bogus", "via=bogus", "handler=bogus", "colour=red",
			"pasid", "via", "handler=", "share",
		};

		snprintf(line, sizeof(line), "pasid=%s %s", pw, bad[fz_below(t, 8)]);
		break;
	}
	case 5:
		snprintf(line, sizeof(line), "pasid=%s via=iofault handler=%s",
			 pw, fz_chance(t, 50) ? "now" : "mm");
		break;
	case 6:
		snprintf(line, sizeof(line), "pasid=%s share=%u handler=%s", pw,
			 1 + fz_below(t, CORE_PASIDS - 1),
			 fz_chance(t, 50) ? "now" : "mm");
		break;
	case 7:
		snprintf(line, sizeof(line), "pasid=%s share=0", pw);
		break;
	case 8:		/* sharing the domain of a free slot of this thread */
		if (!pick_slot(t, st, k, WANT_FREE, &m) || m == i)
			return;
		snprintf(line, sizeof(line), "pasid=%s share=%s", pw,
			 pasid_text(slot_pasid(st, m), sw));
		want = ENOENT;
		also = ENOENT;
		break;
	case 9:		/* iofault takes no domain with another handler */
		if (!pick_own_root(t, st, k, i, &m))
			return;
		snprintf(line, sizeof(line), "pasid=%s via=iofault share=%s",
			 pw, pasid_text(slot_pasid(st, m), sw));
		want = iofault ? EBUSY : ENOENT;
		also = ENOENT;	/* iofault unloaded meanwhile */
		break;
	case 10:	/* longer than a write may be */
		memset(line, ' ', 300);
		snprintf(line + 300, sizeof(line) - 300, "pasid=%s", pw);
		want = E2BIG;
		also = E2BIG;
		break;
	default:
		snprintf(line, sizeof(line), "pasid=%s via=own via=iofault handler=now",
			 pw);	/* via=iofault last: handler= is the own one's */
		break;
	}
	fz_log(t, "core bind sva%u '%s' (bad)", k, brief(line, lb));
	err = mock_write(k, "bind", line);
	if (CORE_EXPECT(t, st, k, said(w, "bind sva%u '%s'", k, brief(line, lb)),
			err, want, also) || dev_present(k))
		bind_refused(t, st, k, i, line, err);
}

/* ---- adopt and release ----------------------------------------------------- */

/*
 * Release the adoption of slot i of device k (live, or its owner gone).
 * Returns false if it could not be tried (an unplug holds the lock).
 */
static bool release_slot(struct fz_thread *t, struct core_state *st,
			 unsigned int k, unsigned int i)
{
	struct core_slot *s = &st->slot[k][i];
	unsigned int pasid = slot_pasid(st, i);
	struct iofault_adopt_req req;
	bool gone = s->gone;
	char pw[16];
	int err;

	if (!core_lock(st, LOCK_SH))
		return false;
	adopt_req(&req, k, pasid);
	fz_log(t, "core release sva%u PASID %s%s", k, pasid_text(pasid, pw),
	       gone ? " (its owner unbound first)" : "");
	err = adopt_ioctl(IOFAULT_IOC_RELEASE, &req);
	core_unlock(st);
	s->adopted = false;
	s->gone = false;
	if (err == CORE_IOCTL_ABSENT)
		return true;	/* iofault went, and its adoptions with it */
	if (!dev_present(k)) {
		/*
		 * Unplugged: the adoption ended with its owner gone, an
		 * orphan released by name (0), unless another adoption of
		 * the domain was the last to end (ENODEV).
		 */
		FZ_EXPECT(t, "release on an unplugged device", err, 0, ENODEV);
	} else if (gone || s->gen != iofault_gen()) {
		/*
		 * The owner went first: the release forgets the orphan (0),
		 * unless an adopt found its record stale first (a new domain
		 * at the freed one's address) and forgot it (ENOENT).
		 */
		FZ_EXPECT(t, "release of an adoption whose owner went", err, 0,
			  ENOENT);
	} else if (FZ_EXPECT(t, "release", err, 0) && class_exists(k, pasid)) {
		fz_fail(t, "released sva%u PASID %s: its iofault device stays",
			k, pasid_text(pasid, pw));
	}
	return true;
}

/* adopt: a bind of this thread; again (EEXIST); a free PASID (ENOENT) */
static void core_adopt(struct fz_thread *t)
{
	char w[FZ_LINE];
	struct core_state *st = core_st(t);
	unsigned int k, i, pasid, r = fz_below(t, 100);
	struct iofault_adopt_req req;
	bool before, after;
	struct core_slot *s;
	int err, want;
	char pw[16];

	if (!pick_dev(t, st, &k))
		return;
	if (r < 70 && pick_slot(t, st, k, WANT_BOUND, &i) &&
	    !st->slot[k][i].adopted)
		want = st->slot[k][i].via_iofault ? EEXIST : 0;
	else if (r < 90 && pick_slot(t, st, k, WANT_ADOPTED, &i) &&
		 !st->slot[k][i].gone)
		want = EEXIST;
	else if (pick_slot(t, st, k, WANT_FREE, &i))
		want = ENOENT;
	else
		return;
	s = &st->slot[k][i];
	pasid = slot_pasid(st, i);
	adopt_req(&req, k, pasid);
	if (!core_lock(st, LOCK_SH))
		return;
	before = class_exists(k, pasid);
	fz_log(t, "core adopt sva%u PASID %s (%s expected)", k,
	       pasid_text(pasid, pw), want ? strerror(want) : "success");
	err = adopt_ioctl(IOFAULT_IOC_ADOPT, &req);
	after = class_exists(k, pasid);
	core_unlock(st);
	if (err == CORE_IOCTL_ABSENT)
		return;
	if (!err) {		/* taken, expected or not: released at the end */
		s->adopted = true;
		s->gone = false;
		s->gen = iofault_gen();
	}
	if (!dev_present(k)) {
		/* Unplugged: the bind went first (ENOENT), or the device (ENODEV). */
		FZ_EXPECT(t, said(w, "adopt sva%u PASID %s, unplugged", k,
				  pasid_text(pasid, pw)), err, want, ENOENT, ENODEV);
		dev_lost(st, k);
	} else if (!FZ_EXPECT(t, said(w, "adopt sva%u PASID %s", k,
					 pasid_text(pasid, pw)), err, want)) {
		return;
	} else if (!err && !after) {
		fz_fail(t, "adopted sva%u PASID %s: no iofault device",
			k, pasid_text(pasid, pw));
	} else if (err && before != after) {
		fz_fail(t, "a refused adopt of sva%u PASID %s %s its iofault device",
			k, pasid_text(pasid, pw), after ? "made" : "removed");
	}
}

/* release: an adoption of this thread, or what is not one (ENOENT) */
static void core_release(struct fz_thread *t)
{
	struct core_state *st = core_st(t);
	struct iofault_adopt_req req;
	unsigned int k, i, j, first;
	bool before, chance = fz_chance(t, 85);
	char pw[16];
	int err;

	if (!st->ndev)
		return;
	first = fz_below(t, st->ndev);
	/* On any device: an unplugged one's adoptions are released by name. */
	for (j = 0; j < st->ndev && chance; j++) {
		k = (first + j) % st->ndev;
		if (pick_slot(t, st, k, WANT_ADOPTED, &i)) {
			release_slot(t, st, k, i);
			return;
		}
	}
	/* Not adopted: free, bound via=own or via=iofault alike. */
	if (!pick_dev(t, st, &k) || !pick_slot(t, st, k, WANT_ANY, &i) ||
	    st->slot[k][i].adopted)
		return;
	adopt_req(&req, k, slot_pasid(st, i));
	if (!core_lock(st, LOCK_SH))
		return;
	before = class_exists(k, slot_pasid(st, i));
	fz_log(t, "core release sva%u PASID %s (not adopted)", k,
	       pasid_text(slot_pasid(st, i), pw));
	err = adopt_ioctl(IOFAULT_IOC_RELEASE, &req);
	if (err != CORE_IOCTL_ABSENT &&
	    CORE_EXPECT(t, st, k, "release of what is not adopted", err,
			ENOENT) &&
	    before != class_exists(k, slot_pasid(st, i)))
		fz_fail(t, "a refused release of sva%u PASID %s changed its iofault device",
			k, pasid_text(slot_pasid(st, i), pw));
	core_unlock(st);
}

/*
 * adopt and release with bad requests: each field wrong in turn, names
 * that are no device or not a device's, PASIDs the device has not.
 */
static void core_adopt_bad(struct fz_thread *t)
{
	char w[FZ_LINE];
	static const char *const badnames[] = {
		"", "sva0 ", "../sva0", "sva0/x", "sva\n0", "sva0.pasid1\t",
	};
	struct core_state *st = core_st(t);
	bool adopt = fz_chance(t, 50), check = false, before = false;
	unsigned int k = fz_below(t, st->ndev ? st->ndev : 1), i = 0;
	const char *cmd = adopt ? "adopt" : "release";
	struct iofault_adopt_req req;
	int err, want = EINVAL, also = EINVAL, also2 = EINVAL;
	const void *arg = &req;
	char what[80];

	if (st->ndev && pick_slot(t, st, k, WANT_ANY, &i)) {
		adopt_req(&req, k, slot_pasid(st, i));
		/* Unless the owner went: then any call may prune it. */
		check = !st->slot[k][i].gone;
	} else {
		adopt_req(&req, 0, 1);
	}
	switch (fz_below(t, 13)) {
	case 0: {
		static const unsigned int sizes[] = {
			0, 1, sizeof(req) - 4, sizeof(req) + 4, 0x80000000U,
		};

		req.size = sizes[fz_below(t, 5)];
		snprintf(what, sizeof(what), "size %u", req.size);
		break;
	}
	case 1:
		req.reserved = 1U << fz_below(t, 32);
		snprintf(what, sizeof(what), "reserved %#x", req.reserved);
		break;
	case 2:
		req.flags |= 2U << fz_below(t, 31);
		snprintf(what, sizeof(what), "flags %#x", req.flags);
		break;
	case 3:
		req.flags = 0;
		req.pasid = 1 + fz_below(t, 1U << 20);
		snprintf(what, sizeof(what), "pasid %u without the flag", req.pasid);
		break;
	case 4:
		req.flags = IOFAULT_ADOPT_PASID;
		req.pasid = fz_chance(t, 50) ? 0 : (1U << 20) +
			    (uint32_t)(fz_edgy(t) % ((1ULL << 32) - (1U << 20)));
		snprintf(what, sizeof(what), "pasid %u", req.pasid);
		break;
	case 5:
		memset(req.dev, fz_chance(t, 50) ? 'a' : '1', sizeof(req.dev));
		memcpy(req.dev, "sva0", 4);
		snprintf(what, sizeof(what), "a name without its NUL");
		break;
	case 6:
		snprintf(req.dev, sizeof(req.dev), "%s", badnames[fz_below(t, 6)]);
		snprintf(what, sizeof(what), "name '%s'", req.dev);
		break;
	case 7:
		snprintf(req.dev, sizeof(req.dev), "nosuch%u", fz_below(t, 10));
		snprintf(what, sizeof(what), "no device %s", req.dev);
		want = also = also2 = ENODEV;
		check = false;
		break;
	case 8:		/* another family's names, none a device behind the mock */
		fz_pick_dev(t, req.dev);
		if (!strncmp(req.dev, "sva", 3))
			return;
		snprintf(what, sizeof(what), "name '%s'", req.dev);
		want = ENODEV;	/* or a bad name (EINVAL) */
		also2 = adopt ? ENXIO : ENOENT;	/* a device behind no IOMMU */
		check = false;
		break;
	case 9:
		if (!st->noiommu[0])
			return;
		snprintf(req.dev, sizeof(req.dev), "%s", st->noiommu);
		snprintf(what, sizeof(what), "%s, behind no IOMMU", req.dev);
		want = also = also2 = adopt ? ENXIO : ENOENT;
		check = false;
		break;
	case 10:	/* a PASID the device has not: nothing attached there */
		req.flags = IOFAULT_ADOPT_PASID;
		req.pasid = CORE_PASIDS + fz_below(t, (1U << 20) - CORE_PASIDS);
		snprintf(what, sizeof(what), "pasid %u of sva%u", req.pasid, k);
		want = also = ENOENT;
		also2 = ENODEV;	/* unplugged */
		check = false;
		break;
	case 11:
		arg = (const void *)(uintptr_t)(fz_chance(t, 50) ? 8 : 4095);
		snprintf(what, sizeof(what), "request at %p", arg);
		want = also = also2 = EFAULT;
		break;
	default:
		req.size = sizeof(req) + fz_below(t, 2);
		req.reserved = fz_below(t, 2);
		req.flags |= fz_below(t, 4) << 1;
		if (req.size == sizeof(req) && !req.reserved &&
		    !(req.flags & ~IOFAULT_ADOPT_PASID))
			req.reserved = 7;
		snprintf(what, sizeof(what), "size %u reserved %u flags %#x",
			 req.size, req.reserved, req.flags);
		break;
	}
	if (!core_lock(st, LOCK_SH))
		return;
	if (check)
		before = class_exists(k, slot_pasid(st, i));
	fz_log(t, "core %s with %s", cmd, what);
	err = adopt_ioctl(adopt ? IOFAULT_IOC_ADOPT : IOFAULT_IOC_RELEASE, arg);
	if (err != CORE_IOCTL_ABSENT &&
	    FZ_EXPECT(t, said(w, "%s with %s", cmd, what), err, want, also,
		      also2) && check &&
	    before != class_exists(k, slot_pasid(st, i)))
		fz_fail(t, "a refused %s (%s) changed the iofault device of sva%u PASID %u",
			cmd, what, k, slot_pasid(st, i));
	core_unlock(st);
}

/* ---- unbind ------------------------------------------------------------------ */

/* unbind: bad words, a free PASID (ENOENT), or a bind of this thread */
static void core_unbind_bad(struct fz_thread *t, struct core_state *st,
			    unsigned int k)
{
	char w[FZ_LINE];
	char line[400], pw[16], lb[64];
	unsigned int i;
	int err, want = EINVAL;
	bool bound = false;

	switch (fz_below(t, 5)) {
	case 0:
		if (!pick_slot(t, st, k, WANT_FREE, &i))
			return;
		snprintf(line, sizeof(line), "pasid=%s",
			 pasid_word(t, slot_pasid(st, i), pw));
		want = ENOENT;
		break;
	case 1:
		snprintf(line, sizeof(line), "%s", fz_chance(t, 50) ? "pasid=0" :
			 fz_chance(t, 50) ? "pasid=256" : "pasid=");
		break;
	case 2:
		snprintf(line, sizeof(line), "%s", fz_chance(t, 50) ? " \n" : "none");
		break;
	case 3:		/* a good PASID with a bad word: nothing happens */
		if (!pick_slot(t, st, k, WANT_BOUND, &i))
			return;
		bound = true;
		snprintf(line, sizeof(line), "pasid=%s %s",
			 pasid_word(t, slot_pasid(st, i), pw),
			 fz_chance(t, 50) ? "via=own" : "now");
		break;
	default:
		memset(line, '\t', 300);
		snprintf(line + 300, sizeof(line) - 300, "pasid=1");
		want = E2BIG;
		break;
	}
	fz_log(t, "core unbind sva%u '%s' (bad)", k, brief(line, lb));
	err = mock_write(k, "unbind", line);
	if (CORE_EXPECT(t, st, k, said(w, "unbind sva%u '%s'", k,
					  brief(line, lb)), err, want) && bound &&
	    bind_listed(st, k, i) == 0 && dev_present(k))
		fz_fail(t, "a refused unbind sva%u '%s' unbound it", k, line);
}

/*
 * unbind a bind of this thread. An adopted one is released first, as the
 * rule goes, or now and then not (the owner goes first: iofault notices
 * later and keeps the domain's record, an orphan, until released) when
 * no other bind shares its domain (else that bind's groups would reach
 * iofault's handler with no record once the orphan is released).
 */
static void core_unbind(struct fz_thread *t)
{
	char w[FZ_LINE];
	struct core_state *st = core_st(t);
	char line[48], pw[16];
	unsigned int k, i;
	struct core_slot *s;
	int err;

	if (!pick_dev(t, st, &k))
		return;
	if (fz_chance(t, 20) || !pick_slot(t, st, k, WANT_BOUND, &i)) {
		core_unbind_bad(t, st, k);
		return;
	}
	s = &st->slot[k][i];
	if (s->adopted && !s->gone && (dom_shared(st, k, i) || fz_chance(t, 70)) &&
	    !release_slot(t, st, k, i))
		return;
	snprintf(line, sizeof(line), "%spasid=%s%s", fz_chance(t, 20) ? " " : "",
		 pasid_word(t, slot_pasid(st, i), pw),
		 fz_chance(t, 50) ? "\n" : "");
	fz_log(t, "core unbind sva%u '%s'%s", k, line,
	       s->adopted ? " (adopted: the owner goes first)" : "");
	err = mock_write(k, "unbind", line);
	if (!CORE_EXPECT(t, st, k, said(w, "unbind sva%u '%s'", k, line), err, 0) ||
	    err)
		return;
	s->bound = false;
	if (s->adopted)
		s->gone = true;
	if (bind_listed(st, k, i) == 1)
		fz_fail(t, "unbound sva%u PASID %s: still in the bind file", k,
			pasid_text(slot_pasid(st, i), pw));
	if (s->via_iofault && class_exists(k, slot_pasid(st, i)) &&
	    dev_present(k))
		fz_fail(t, "unbound sva%u PASID %s: its iofault device stays",
			k, pasid_text(slot_pasid(st, i), pw));
}

/* ---- the device's accesses --------------------------------------------------- */

/* Whether device k has room for more groups (else an access would wait). */
static bool dev_has_room(unsigned int k)
{
	struct hwstats h;

	return !hwstats_read(k, &h) && h.unanswered < CORE_BUSY;
}

/* Make pages of the region non-resident (fresh ones if no madvise()). */
static void drop_pages(struct core_state *st, unsigned int first,
		       unsigned int n, int prot)
{
	char *p = st->mem + first * st->psz;

	if (madvise(p, n * st->psz, MADV_DONTNEED))
		mmap(p, n * st->psz, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
		     -1, 0);
}

/* mem: drop pages of the region, or touch them from the CPU. */
static void core_mem(struct fz_thread *t)
{
	struct core_state *st = core_st(t);
	bool ro = fz_chance(t, 25);
	unsigned int base = ro ? CORE_RW : 0, size = ro ? CORE_RO : CORE_RW;
	unsigned int first = base + fz_below(t, size);
	unsigned int n = 1 + fz_below(t, base + size - first), i;
	volatile char *p;

	if (fz_chance(t, 60)) {
		fz_log(t, "core mem drop pages %u-%u", first, first + n - 1);
		drop_pages(st, first, n, ro ? PROT_READ : PROT_READ | PROT_WRITE);
		return;
	}
	fz_log(t, "core mem %s pages %u-%u", ro ? "read" : "write", first,
	       first + n - 1);
	for (i = 0; i < n; i++) {
		p = st->mem + (first + i) * st->psz;
		if (ro)
			(void)*p;
		else
			*p = 1;
	}
}

/*
 * access: the device reads or writes pages of the region (or of no
 * mapping), through a PASID of this thread, bound or not, or another's.
 */
static void core_access(struct fz_thread *t)
{
	char w[FZ_LINE];
	struct core_state *st = core_st(t);
	unsigned int k, i, pasid, first, n, r = fz_below(t, 100), nw = 0;
	char line[160], pword[32], aword[40], nword[24], pw[16];
	const char *words[6];
	bool mine = true, bound = false;
	uint64_t addr;
	int err;

	if (!pick_dev(t, st, &k))
		return;
	if (r < 60 && pick_slot(t, st, k, WANT_BOUND, &i)) {
		pasid = slot_pasid(st, i);
		bound = true;
	} else if (r < 75 && pick_slot(t, st, k, WANT_ANY, &i)) {
		pasid = slot_pasid(st, i);
		bound = st->slot[k][i].bound;
	} else {
		/* Another's, or the device's: EACCES if another process bound it. */
		pasid = fz_chance(t, 80) ? 1 + fz_below(t, CORE_PASIDS - 1) : 0;
		mine = pasid ? pasid - st->pasid0 < st->npasids : st->owns_none[k];
	}
	if (!dev_has_room(k)) {
		fz_log(t, "core access sva%u: many groups outstanding, not now", k);
		return;
	}
	if (fz_chance(t, 10)) {
		addr = CORE_UNMAPPED;
		n = 1 + fz_below(t, 4);
	} else {
		first = fz_below(t, CORE_PAGES);
		n = 1 + fz_below(t, CORE_PAGES - first < CORE_ACCESS_MAX ?
				    CORE_PAGES - first : CORE_ACCESS_MAX);
		addr = (uintptr_t)st->mem + first * st->psz;
	}
	snprintf(pword, sizeof(pword), "pasid=%s", pasid_word(t, pasid, pw));
	snprintf(aword, sizeof(aword), fz_chance(t, 80) ? "addr=%#llx" : "addr=%llu",
		 (unsigned long long)addr);
	snprintf(nword, sizeof(nword), "pages=%u", n);
	words[nw++] = pword;
	words[nw++] = aword;
	if (n > 1 || fz_chance(t, 50))
		words[nw++] = nword;
	if (fz_chance(t, 30))
		words[nw++] = "write";
	/*
	 * A group only where a handler takes it: for a PASID with none, the
	 * IOMMU core answers each request, the last one or not, and the
	 * hardware records the group's answers past the first as duplicates.
	 */
	if (bound && fz_chance(t, 20))
		words[nw++] = "group";
	if (fz_chance(t, 20))
		words[nw++] = "always";
	join_words(t, words, nw, line, sizeof(line));
	fz_log(t, "core access sva%u '%s'", k, line);
	err = mock_write(k, "access", line);
	if (mine)
		CORE_EXPECT(t, st, k, said(w, "access sva%u '%s'", k, line), err, 0);
	else
		CORE_EXPECT(t, st, k, said(w, "access sva%u '%s', not this thread's",
					 k, line), err, 0, EACCES);
}

/* access with bad words: refused before the device does anything */
static void core_access_bad(struct fz_thread *t)
{
	char w[FZ_LINE];
	struct core_state *st = core_st(t);
	uintptr_t mem = (uintptr_t)st->mem;
	char line[400], lb[64];
	unsigned int k;
	size_t len;
	int want = EINVAL, err;

	if (!pick_dev(t, st, &k))
		return;
	switch (fz_below(t, 12)) {
	case 0:
		snprintf(line, sizeof(line), "pasid=%u addr=%#lx pages=0",
			 st->pasid0, (unsigned long)mem);
		break;
	case 1:
		snprintf(line, sizeof(line), "pasid=%u addr=%#lx pages=65537",
			 st->pasid0, (unsigned long)mem);
		break;
	case 2:
		snprintf(line, sizeof(line), "pasid=%u addr=%#lx",
			 st->pasid0, (unsigned long)mem + 1 + fz_below(t, 4095));
		break;
	case 3:
		snprintf(line, sizeof(line), "pasid=%u addr=%s", st->pasid0,
			 fz_chance(t, 50) ? "0xfffffffffffff000" : "0xffff800000000000");
		break;
	case 4:
		snprintf(line, sizeof(line), "addr=%#lx", (unsigned long)mem);
		break;
	case 5:
		snprintf(line, sizeof(line), "pasid=%u pages=1", st->pasid0);
		break;
	case 6:
		snprintf(line, sizeof(line), "pasid=%s addr=%#lx",
			 fz_chance(t, 50) ? "0" : "256", (unsigned long)mem);
		break;
	case 7:
		snprintf(line, sizeof(line), "pasid=%u addr=%#lx %s", st->pasid0,
			 (unsigned long)mem, fz_chance(t, 50) ? "bogus" : "write=1");
		break;
	case 8:
		snprintf(line, sizeof(line), "pasid=%u addr=%s", st->pasid0,
			 fz_chance(t, 50) ? "0x1000z" : "-4096");
		break;
	case 9:
		snprintf(line, sizeof(line), "pasid=%u addr=%#lx pages=99999999999",
			 st->pasid0, (unsigned long)mem);
		want = ERANGE;
		break;
	case 10:
		snprintf(line, sizeof(line), "pasid=%u addr=%#lx always", st->pasid0,
			 (unsigned long)mem);
		/* past the 256 bytes a write may have (the line is < 50) */
		len = strlen(line);
		memset(line + len, ' ', 300);
		line[len + 300] = '\0';
		want = E2BIG;
		break;
	default:
		snprintf(line, sizeof(line), "pasid=%u addr=0x10000 addr", st->pasid0);
		break;
	}
	fz_log(t, "core access sva%u '%s' (bad)", k, brief(line, lb));
	err = mock_write(k, "access", line);
	CORE_EXPECT(t, st, k, said(w, "access sva%u '%s'", k, brief(line, lb)),
		    err, want);
}

/* How many of n pages of the region from first are resident. */
static unsigned int resident(struct core_state *st, unsigned int first,
			     unsigned int n)
{
	unsigned char vec[CORE_PAGES];
	unsigned int i, in = 0;

	if (mincore(st->mem + first * st->psz, n * st->psz, vec))
		return 0;
	for (i = 0; i < n; i++)
		in += vec[i] & 1;
	return in;
}

/*
 * access-check: pages dropped, then accessed by the device through a
 * bind of this thread whose faults the mock's own handler resolves in
 * this process's memory (handler=mm, its domain never adopted: no policy
 * decides): each becomes resident once its group is answered.
 */
static void core_access_check(struct fz_thread *t)
{
	struct core_state *st = core_st(t);
	unsigned int k, i, j, n, first, waited;
	char line[128], pw[16];
	bool write = fz_chance(t, 50);
	int err;

	if (!pick_dev(t, st, &k))
		return;
	for (j = 0; j < nslots(st, k); j++) {
		i = (j + fz_below(t, nslots(st, k))) % nslots(st, k);
		if (st->slot[k][i].bound && !st->slot[k][i].via_iofault &&
		    !st->slot[k][i].now && !dom_adopted(st, k, i))
			break;
	}
	if (j == nslots(st, k) || !dev_has_room(k))
		return;
	n = 1 + fz_below(t, 8);
	first = fz_below(t, CORE_RW - n + 1);
	drop_pages(st, first, n, PROT_READ | PROT_WRITE);
	snprintf(line, sizeof(line), "pasid=%s addr=%#lx pages=%u%s%s",
		 pasid_text(slot_pasid(st, i), pw),
		 (unsigned long)(uintptr_t)(st->mem + first * st->psz), n,
		 write ? " write" : "", fz_chance(t, 30) ? " group" : "");
	fz_log(t, "core access sva%u '%s', to become resident", k, line);
	err = mock_write(k, "access", line);
	if (!CORE_EXPECT(t, st, k, "access", err, 0) || err)
		return;
	for (waited = 0; resident(st, first, n) < n; waited += 5) {
		if (fz_stopping() || !dev_present(k))
			return;
		if (waited >= CORE_RESIDENT_MS) {
			fz_fail(t, "sva%u PASID %s: %u of %u pages resident %u ms after the access",
				k, pasid_text(slot_pasid(st, i), pw),
				resident(st, first, n), n, waited);
			return;
		}
		fz_sleep_ms(5);
	}
}

/* ---- hold, settle, what the hardware recorded -------------------------------- */

/* hold: the own handler keeps new groups back a few ms, then lets them go. */
static void core_hold(struct fz_thread *t)
{
	/* kstrtobool() reads the first character: "01x" is a 0 */
	static const char *const bad[] = { "2", "x", "-1" };
	struct core_state *st = core_st(t);
	char path[64], val[8];
	unsigned int k, ms = 1 + fz_below(t, 20);
	const char *b;
	int err;

	if (!pick_dev(t, st, &k))
		return;
	if (fz_chance(t, 20)) {
		b = bad[fz_below(t, 3)];
		fz_log(t, "core hold sva%u '%s' (bad)", k, b);
		CORE_EXPECT(t, st, k, "a bad hold", mock_write(k, "hold", b),
			    EINVAL);
		return;
	}
	/* Short: another thread's access may wait for a group index meanwhile. */
	fz_log(t, "core hold sva%u for %u ms", k, ms);
	err = mock_write(k, "hold", fz_chance(t, 50) ? "1" : "y\n");
	if (!CORE_EXPECT(t, st, k, "hold", err, 0) || err)
		return;
	snprintf(path, sizeof(path), FZ_IMOCK "/sva%u/hold", k);
	err = fz_read_file(path, val, sizeof(val));
	if (err >= 0 && strcmp(val, "0\n") && strcmp(val, "1\n"))
		fz_fail(t, "sva%u/hold reads '%s'", k, val);
	fz_sleep_ms(ms);
	fz_log(t, "core hold sva%u off", k);
	err = mock_write(k, "hold", fz_chance(t, 50) ? "0" : "n\n");
	CORE_EXPECT(t, st, k, "hold off", err, 0);
}

static void core_signal(int sig)
{
	(void)sig;
}

/* The signal that cuts a settle short; its handler does nothing. */
static int core_settle_sig(void)
{
	return SIGRTMIN + 4;
}

/*
 * Read or write device k's settle file, for at most ms: a timer signals
 * this thread every 20 ms from then on, which interrupts the wait (EINTR).
 */
static int settle_bounded(unsigned int k, bool rd, unsigned int ms,
			  char *out, size_t size)
{
	struct sigevent sev = {
		.sigev_notify = SIGEV_THREAD_ID,
		.sigev_signo = core_settle_sig(),
	};
	struct itimerspec its = {
		.it_value = { ms / 1000, (ms % 1000) * 1000000L },
		.it_interval = { 0, 20 * 1000000L },
	};
	char path[64];
	timer_t timer;
	ssize_t n;
	int fd, err;

	sev._sigev_un._tid = gettid();
	snprintf(path, sizeof(path), FZ_IMOCK "/sva%u/settle", k);
	fd = open(path, (rd ? O_RDONLY : O_WRONLY) | O_CLOEXEC);
	if (fd < 0)
		return errno;
	if (timer_create(CLOCK_MONOTONIC, &sev, &timer)) {
		err = errno;
		close(fd);
		return err;
	}
	timer_settime(timer, 0, &its, NULL);
	n = rd ? read(fd, out, size - 1) : write(fd, "1\n", 2);
	err = n < 0 ? errno : 0;
	timer_delete(timer);
	close(fd);
	if (rd)
		out[n > 0 ? n : 0] = '\0';
	return err;
}

/* settle: wait a little for the device's groups to be answered. */
static void core_settle(struct fz_thread *t)
{
	struct core_state *st = core_st(t);
	unsigned int k, ms = 10 + fz_below(t, 300), left;
	bool rd = fz_chance(t, 70);
	char out[64];
	int err;

	if (!pick_dev(t, st, &k))
		return;
	fz_log(t, "core settle sva%u (%s, %u ms at most)", k,
	       rd ? "read" : "write", ms);
	err = settle_bounded(k, rd, ms, out, sizeof(out));
	/* EINTR: the groups outstanding took longer (held, forwarded...) */
	if (CORE_EXPECT(t, st, k, "settle", err, 0, EINTR) && !err && rd &&
	    sscanf(out, "unanswered %u\n", &left) != 1)
		fz_fail(t, "sva%u/settle reads '%s'", k, out);
}

/* hwstats: what holds of the hardware's record at any time. */
static void core_hwstats(struct fz_thread *t)
{
	struct core_state *st = core_st(t);
	struct hwstats h;
	char why[160];
	unsigned int k;
	int err;

	if (!pick_dev(t, st, &k))
		return;
	fz_log(t, "core hwstats sva%u", k);
	err = hwstats_read(k, &h);
	if (CORE_EXPECT(t, st, k, "hwstats", err, 0) && !err &&
	    !hwstats_sane(&h, why, sizeof(why)))
		fz_fail(t, "sva%u hwstats: %s", k, why);
}

/* hwlog: each answer the hardware logged was to a group it issued, once. */
static void core_hwlog(struct fz_thread *t)
{
	struct core_state *st = core_st(t);
	const size_t size = 4096 * 96;
	unsigned long long p0, p1;
	char path[64], pasid[16], code[16], *text, *line, *save;
	unsigned int k, grpid;
	int n;

	if (!pick_dev(t, st, &k))
		return;
	text = malloc(size);
	if (!text)
		return;
	snprintf(path, sizeof(path), FZ_IMOCK "/sva%u/hwlog", k);
	fz_log(t, "core hwlog sva%u", k);
	n = fz_read_file(path, text, size);
	if (!CORE_EXPECT(t, st, k, "hwlog", n < 0 ? -n : 0, 0) || n < 0) {
		free(text);
		return;
	}
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "pasid=%15s grpid=%u code=%15s priv=%llx,%llx",
			   pasid, &grpid, code, &p0, &p1) != 5 ||
		    strstr(line, " dup") || strstr(line, " mismatch") ||
		    grpid >= CORE_GRPIDS || p1 != (p0 ^ CORE_PRIV_KEY) ||
		    (strcmp(code, "success") && strcmp(code, "invalid") &&
		     strcmp(code, "failure"))) {
			fz_fail(t, "sva%u hwlog: '%s'", k, line);
			break;
		}
	}
	free(text);
}

/* iopf: iofault's counts behind the IOMMU core. */
static void core_iopf(struct fz_thread *t)
{
	unsigned long long unplaced, detached, orphans;
	char text[256];
	int n;

	fz_log(t, "core read iopf");
	n = fz_read_file(CORE_IOPF, text, sizeof(text));
	if (n < 0) {
		FZ_EXPECT(t, "read of iopf", iofault_gen() ? -n : ENOENT, ENOENT);
		return;
	}
	if (!fz_stat(text, "unplaced", &unplaced) ||
	    !fz_stat(text, "detached", &detached) ||
	    !fz_stat(text, "orphans", &orphans))
		fz_fail(t, "iopf reads '%s'", text);
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
		if (!dev_present(k))
			dev_lost(st, k);
		return;
	}
	for (i = 0; i < nslots(st, k); i++) {
		s = &st->slot[k][i];
		line = bind_line(text, slot_pasid(st, i));
		if (!s->bound != !line || (line && !bind_line_is(line, s))) {
			if (dev_present(k))
				fz_fail(t, "sva%u bind file: PASID %s %s: %.*s", k,
					pasid_text(slot_pasid(st, i), pw),
					s->bound ? "bound" : "not bound",
					line ? (int)strcspn(line, "\n") : 10,
					line ? line : "not listed");
			return;
		}
		if (s->gone)
			continue;	/* iofault drops it when it next looks */
		if (s->adopted && s->gen != iofault_gen())
			s->adopted = false;	/* iofault went, its adoptions too */
		expect = (s->bound && s->via_iofault) || s->adopted;
		exists = class_exists(k, slot_pasid(st, i));
		if (exists != expect && dev_present(k)) {
			fz_fail(t, "sva%u PASID %s (%s%s): %s iofault device", k,
				pasid_text(slot_pasid(st, i), pw),
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
		if (dev_present(k))
			core_verify_dev(t, st, k);
		else
			dev_lost(st, k);
	}
}

/* ---- unplug -------------------------------------------------------------------- */

/* The unplugged file's line of device k: 1, none: 0, unreadable: -1. */
static int unplugged_find(unsigned int k, struct unplugged *u)
{
	char text[4096], *line, *save;

	if (fz_read_file(FZ_IMOCK "/unplugged", text, sizeof(text)) < 0)
		return -1;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (unplugged_parse(line, u) && u->k == k)
			return 1;
	return 0;
}

/*
 * unplug: names that are no device's (ENODEV); and for one thread now
 * and then, a device, as long as another stays.
 */
static void core_unplug(struct fz_thread *t)
{
	struct core_state *st = core_st(t);
	unsigned int k, present = 0, i;
	struct unplugged u;
	char name[24], why[160];
	int err;

	if (!st->ndev)
		return;		/* iommu_mock is not loaded */
	for (i = 0; i < st->ndev; i++)
		present += dev_present(i);
	if (!st->unplugger || present < 2 || !fz_chance(t, 5)) {
		for (i = 0; i < CORE_DEVS * 2 && dev_present(i); i++)
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
	if (!pick_dev(t, st, &k) || !core_lock(st, LOCK_EX))
		return;
	snprintf(name, sizeof(name), "sva%u%s", k, fz_chance(t, 50) ? "\n" : "");
	fz_log(t, "core unplug sva%u", k);
	err = -fz_write_file(FZ_IMOCK "/unplug", name);
	core_unlock(st);
	if (!FZ_EXPECT(t, "unplug", err, 0) || err)
		return;
	dev_lost(st, k);
	if (dev_present(k))
		fz_fail(t, "unplugged sva%u: its files stay", k);
	if (unplugged_find(k, &u) != 1)
		fz_fail(t, "unplugged sva%u: not in the unplugged file", k);
	else if (!unplugged_sane(&u, why, sizeof(why)))
		fz_fail(t, "unplugged sva%u: %s", k, why);
}

/* ---- a thread's start and end ------------------------------------------------------ */

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
	struct sigaction sa = { .sa_handler = core_signal };
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
	/* Not SA_RESTART: the signal is to interrupt the wait. */
	sigemptyset(&sa.sa_mask);
	sigaction(core_settle_sig(), &sa, NULL);
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
		for (i = 0; i < nslots(st, k); i++)
			if (st->slot[k][i].adopted && !st->slot[k][i].gone)
				release_slot(t, st, k, i);
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
			for (i = 0; i < nslots(st, k); i++) {
				if (!st->slot[k][i].bound)
					continue;
				snprintf(line, sizeof(line), "pasid=%s",
					 pasid_text(slot_pasid(st, i), pw));
				fz_log(t, "core unbind sva%u '%s' (the end)", k, line);
				err = mock_write(k, "unbind", line);
				if (CORE_EXPECT(t, st, k, "unbind", err, 0) && !err)
					st->slot[k][i].bound = false;
			}
		}
		/* Their domains are gone now: the orphans go by name. */
		for (k = 0; k < st->ndev; k++)
			for (i = 0; i < nslots(st, k); i++)
				if (st->slot[k][i].adopted && !st->slot[k][i].bound)
					release_slot(t, st, k, i);
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

/* ---- the main process, between epochs ------------------------------------------ */

/* What the epoch started with. */
static struct {
	unsigned int ndev;
	unsigned long long gen;		/* iofault's load */
	unsigned long long unplaced, detached;
	bool counted;			/* the two above were read */
	/* What the settle check found, for its summary line */
	unsigned int adoptions_left, binds_left, orphans, unplugged;
	unsigned long long issued, freed;
} core_epoch;

static bool imock_loaded(void)
{
	return access("/sys/module/iommu_mock", F_OK) == 0;
}

static bool iopf_read(unsigned long long *unplaced,
		      unsigned long long *detached,
		      unsigned long long *orphans)
{
	char text[256];

	return fz_read_file(CORE_IOPF, text, sizeof(text)) > 0 &&
	       fz_stat(text, "unplaced", unplaced) &&
	       fz_stat(text, "detached", detached) &&
	       fz_stat(text, "orphans", orphans);
}

int fz_core_load(uint64_t rng[2])
{
	unsigned long long orphans;
	unsigned int k, bad, ndev;

	if (imock_loaded()) {
		fz_main_fail("iommu_mock is loaded before the epoch");
		return 1;
	}
	/* Parameters the module refuses: no device, more than it has room for. */
	if (fz_next(rng) % 4 == 0) {
		bad = fz_next(rng) % 2 ? 0 : 65;
		if (!fz_run("insmod " FZ_MODDIR "/iommu_mock.ko ndev=%u 2>/dev/null",
			    bad) || imock_loaded()) {
			fz_main_fail("iommu_mock loaded with ndev=%u", bad);
			return 1;
		}
	}
	ndev = 1 + fz_next(rng) % CORE_DEVS;
	if (fz_run("insmod " FZ_MODDIR "/iommu_mock.ko ndev=%u", ndev)) {
		fz_main_fail("insmod iommu_mock.ko ndev=%u failed", ndev);
		return 1;
	}
	for (k = 0; k < ndev; k++) {
		if (!dev_present(k)) {
			fz_main_fail("iommu_mock ndev=%u: no sva%u", ndev, k);
			return 1;
		}
	}
	memset(&core_epoch, 0, sizeof(core_epoch));
	core_epoch.ndev = ndev;
	core_epoch.gen = iofault_gen();
	core_epoch.counted = iopf_read(&core_epoch.unplaced,
				       &core_epoch.detached, &orphans);
	close(open(CORE_LOCK, O_RDWR | O_CREAT | O_CLOEXEC, 0600));
	return 0;
}

/* Apply fn to each bind line of each present device; failures counted. */
static int each_bind(int (*fn)(unsigned int k, unsigned int pasid,
			       bool via_iofault))
{
	char path[64], text[16384], *line, *save;
	unsigned int k, pasid;
	int bad = 0;

	for (k = 0; k < core_epoch.ndev; k++) {
		snprintf(path, sizeof(path), FZ_IMOCK "/sva%u/bind", k);
		if (fz_read_file(path, text, sizeof(text)) < 0)
			continue;
		for (line = strtok_r(text, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			if (!strncmp(line, "pasid=none ", 11))
				pasid = 0;
			else if (sscanf(line, "pasid=%u ", &pasid) != 1)
				continue;
			bad += fn(k, pasid, strstr(line, " via=iofault") != NULL);
		}
	}
	return bad;
}

/* An adoption whose owner is still bound: release it (the original back). */
static int release_bound(unsigned int k, unsigned int pasid, bool via_iofault)
{
	struct iofault_adopt_req req;
	int err;

	if (via_iofault || !class_exists(k, pasid))
		return 0;
	adopt_req(&req, k, pasid);
	err = adopt_ioctl(IOFAULT_IOC_RELEASE, &req);
	if (err && err != CORE_IOCTL_ABSENT) {
		fz_main_fail("release sva%u PASID %u left by a worker: %s", k,
			     pasid, strerror(err));
		return 1;
	}
	core_epoch.adoptions_left += !err;
	return 0;
}

static int unbind_left(unsigned int k, unsigned int pasid, bool via_iofault)
{
	char line[32], pw[16];
	int err;

	(void)via_iofault;
	snprintf(line, sizeof(line), "pasid=%s", pasid_text(pasid, pw));
	err = mock_write(k, "unbind", line);
	if (err) {
		fz_main_fail("unbind sva%u '%s' left by a worker: %s", k, line,
			     strerror(err));
		return 1;
	}
	core_epoch.binds_left++;
	return 0;
}

/*
 * Release what iofault may still hold of every device and PASID, by name:
 * the adoptions whose owner went first (orphans), on present and
 * unplugged devices alike. Every domain is gone by now.
 */
static int release_orphans(void)
{
	struct iofault_adopt_req req;
	unsigned int k, pasid;
	int err, bad = 0;

	for (k = 0; k < core_epoch.ndev; k++) {
		for (pasid = 0; pasid < CORE_PASIDS; pasid++) {
			adopt_req(&req, k, pasid);
			err = adopt_ioctl(IOFAULT_IOC_RELEASE, &req);
			if (err == CORE_IOCTL_ABSENT)
				return bad;
			core_epoch.orphans += !err;
			if (err && err != ENOENT && err != ENODEV) {
				fz_main_fail("release sva%u PASID %u: %s", k,
					     pasid, strerror(err));
				bad++;
			}
		}
	}
	return bad;
}

/*
 * Each device present settled: every group it issued answered once, or
 * dropped with its PASID (stopped). Adds up those dropped.
 */
static int check_present(unsigned long long *dropped)
{
	unsigned int k;
	struct hwstats h;
	char why[160];
	int err, bad = 0;

	for (k = 0; k < core_epoch.ndev; k++) {
		if (!dev_present(k))
			continue;
		err = mock_write(k, "settle", "1");
		if (!err)
			err = hwstats_read(k, &h);
		if (err) {
			fz_main_fail("sva%u: settle or hwstats: %s", k, strerror(err));
			bad++;
		} else if (!hwstats_sane(&h, why, sizeof(why))) {
			fz_main_fail("sva%u once settled: %s", k, why);
			bad++;
		} else if (h.unanswered) {
			fz_main_fail("sva%u: %llu groups unanswered once settled, nothing bound",
				     k, h.unanswered);
			bad++;
		} else {
			*dropped += h.stopped;
			core_epoch.issued += h.issued;
		}
	}
	return bad;
}

/*
 * The devices unplugged: no answer twice; each left unanswered is one
 * iofault held for an adoption whose owner (the mock, unplugging) went
 * first. Adds those up; how many were unplugged in *n.
 */
static int check_unplugged(unsigned long long *dropped, unsigned int *n)
{
	char text[4096], why[160], *line, *save;
	struct unplugged u;
	int bad = 0;

	*n = 0;
	if (fz_read_file(FZ_IMOCK "/unplugged", text, sizeof(text)) < 0)
		return 0;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!unplugged_parse(line, &u)) {
			fz_main_fail("unplugged: '%s'", line);
			bad++;
		} else if (!unplugged_sane(&u, why, sizeof(why))) {
			fz_main_fail("unplugged sva%u: %s", u.k, why);
			bad++;
		} else {
			*dropped += u.unanswered;
			core_epoch.issued += u.issued;
			(*n)++;
		}
	}
	return bad;
}

/*
 * iofault's side: no orphan left; no group it could not place; each
 * group the hardware dropped (stopped, unplugged unanswered) is one
 * iofault freed unanswered because its owner went (detached) - all of
 * them unless a device was unplugged (its stopped ones are not shown).
 */
static int check_iopf(unsigned long long dropped, unsigned int unplugged)
{
	unsigned long long unplaced, detached, orphans;
	int bad = 0;

	if (!iopf_read(&unplaced, &detached, &orphans))
		return 0;	/* iofault is not loaded */
	fz_cat = FZ_CAT_OBJECTS;
	if (orphans) {
		fz_main_fail("iopf: %llu orphans once every adoption was released",
			     orphans);
		bad++;
	}
	fz_cat = FZ_CAT_ONCE;
	if (!core_epoch.counted || core_epoch.gen != iofault_gen())
		return bad;	/* iofault was loaded again: counts restarted */
	detached -= core_epoch.detached;
	core_epoch.freed = detached;
	if (unplaced != core_epoch.unplaced) {
		fz_main_fail("iopf: %llu groups unplaced", unplaced - core_epoch.unplaced);
		bad++;
	}
	if (unplugged ? detached < dropped : detached != dropped) {
		fz_main_fail("iopf: %llu groups detached, the hardware dropped %llu%s",
			     detached, dropped,
			     unplugged ? " (and those of unplugged devices' stopped PASIDs)" : "");
		bad++;
	}
	return bad;
}

/* No iofault device of the mock's left: "svaN" or "svaN.pasidM". */
static int check_no_source(void)
{
	char names[64][IOFAULT_NAME_LEN];
	int n = fz_devices(names, 64), i, bad = 0;
	const char *end;
	size_t digits;

	fz_cat = FZ_CAT_OBJECTS;
	for (i = 0; i < n; i++) {
		digits = strspn(names[i] + 3, "0123456789");
		end = names[i] + 3 + digits;
		if (strncmp(names[i], "sva", 3) || !digits ||
		    (*end && strncmp(end, ".pasid", 6)))
			continue;
		fz_main_fail("iofault device %s stays once everything was released and unbound",
			     names[i]);
		bad++;
	}
	fz_cat = FZ_CAT_ONCE;
	return bad;
}

int fz_core_settle_check(void)
{
	unsigned long long dropped = 0;
	unsigned int k, unplugged;
	int bad = 0;

	if (!imock_loaded())
		return 0;
	for (k = 0; k < core_epoch.ndev; k++)
		if (dev_present(k))
			mock_write(k, "hold", "0");
	/* As the rule goes: release while the owner is bound, then unbind. */
	bad += each_bind(release_bound);
	bad += each_bind(unbind_left);
	bad += release_orphans();
	bad += check_present(&dropped);
	bad += check_unplugged(&dropped, &unplugged);
	bad += check_iopf(dropped, unplugged);
	bad += check_no_source();
	fprintf(stderr, "# iofuzz: core: %u devices, %u unplugged; %llu groups issued, %llu dropped by the hardware, %llu freed unanswered by iofault; left by the workers: %u binds, %u adoptions; %u orphans released by name\n",
		core_epoch.ndev, unplugged, core_epoch.issued, dropped,
		core_epoch.freed, core_epoch.binds_left,
		core_epoch.adoptions_left, core_epoch.orphans);
	return bad;
}

int fz_core_unload(void)
{
	struct unplugged u;
	unsigned int k;
	char name[16], why[160];
	int bad = 0, i;

	if (!imock_loaded())
		return 0;
	/* Each device holds the module: unplug them all first. */
	for (k = 0; k < core_epoch.ndev; k++) {
		if (!dev_present(k))
			continue;
		snprintf(name, sizeof(name), "sva%u", k);
		if (fz_write_file(FZ_IMOCK "/unplug", name)) {
			fz_main_fail("unplug %s at the end: refused", name);
			bad++;
			continue;
		}
		/* Nothing bound any more: every group answered. */
		fz_cat = FZ_CAT_ONCE;
		if (unplugged_find(k, &u) != 1) {
			fz_main_fail("%s unplugged at the end: not in the unplugged file",
				     name);
			bad++;
		} else if (!unplugged_sane(&u, why, sizeof(why)) || u.unanswered) {
			fz_main_fail("%s unplugged at the end: %s",
				     name, u.unanswered ? "groups unanswered" : why);
			bad++;
		}
		fz_cat = FZ_CAT_OBJECTS;
	}
	for (i = 0; i < 50 && imock_loaded(); i++) {
		if (!fz_run("rmmod iommu_mock 2>/dev/null"))
			break;
		fz_sleep_ms(100);
	}
	if (imock_loaded()) {
		fz_main_fail("iommu_mock does not unload");
		bad++;
	}
	return bad;
}
