// SPDX-License-Identifier: GPL-2.0
/*
 * iofuzz: fault descriptors. A thread opens descriptors on random devices
 * and reads, answers, polls and closes them with good and bad arguments.
 *
 * Only the thread that opened a descriptor uses it, so it knows exactly
 * which groups it holds (read, not answered), and checks:
 * - no record comes twice, and every record is well formed;
 * - the kernel holds no group for it that it never got (fdinfo "held" is
 *   at most what it holds: more is a record lost, e.g. on a failed copy);
 * - a valid response is never refused (only ENODEV once the device is
 *   gone: late ones are skipped, not refused);
 * - a refused response changes nothing: the group it named is still
 *   there, and its valid response is taken afterwards;
 * - a bad buffer or a bad length is refused whole.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

#define FDS		2	/* descriptors a thread keeps open */
#define HELD_MAX	1024	/* records a descriptor holds unanswered */
#define DONE_MAX	256	/* answered cookies remembered */
#define REC		sizeof(struct iofault_fault_record)
#define RESP		sizeof(struct iofault_fault_response)

struct fz_fd {
	int fd;				/* -1: none */
	bool lazy;			/* never read: a handler that hangs */
	bool gone;			/* read said end of file */
	char dev[IOFAULT_NAME_LEN];
	unsigned int dev_id;		/* of its records; 0: none read yet */
	size_t nheld;
	struct iofault_fault_record held[HELD_MAX];
	unsigned long long done[DONE_MAX];
	size_t ndone;
};

struct fd_state {
	int ctl;
	struct fz_fd f[FDS];
	char *guard;	/* two read-write pages, then one inaccessible */
	long page;
};

static struct fd_state *st(struct fz_thread *t)
{
	return fz_my_state(t);
}

static void *fd_init(struct fz_thread *t)
{
	struct fd_state *s = calloc(1, sizeof(*s));
	int i;

	(void)t;
	if (!s)
		abort();
	s->ctl = -1;
	for (i = 0; i < FDS; i++)
		s->f[i].fd = -1;
	s->page = sysconf(_SC_PAGESIZE);
	s->guard = mmap(NULL, 3 * s->page, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s->guard == MAP_FAILED)
		abort();
	/*
	 * Inaccessible, but not unmapped: another thread's mapping (libbpf's,
	 * a thread stack) could take an unmapped page's place.
	 */
	mprotect(s->guard + 2 * s->page, s->page, PROT_NONE);
	return s;
}

static int ctl_fd(struct fd_state *s)
{
	if (s->ctl < 0)
		s->ctl = open(FZ_CTL, O_RDWR | O_CLOEXEC);
	return s->ctl;
}

/* One of the thread's descriptors, open or not. */
static struct fz_fd *pick(struct fz_thread *t, bool open)
{
	struct fz_fd *f = &st(t)->f[fz_below(t, FDS)];

	if ((f->fd >= 0) == open)
		return f;
	f = &st(t)->f[(f - st(t)->f + 1) % FDS];
	return (f->fd >= 0) == open ? f : NULL;
}

static bool was_answered(const struct fz_fd *f, unsigned long long cookie)
{
	size_t i, n = f->ndone < DONE_MAX ? f->ndone : DONE_MAX;

	for (i = 0; i < n; i++)
		if (f->done[i] == cookie)
			return true;
	return false;
}

static void forget(struct fz_fd *f, size_t i)
{
	f->done[f->ndone++ % DONE_MAX] = f->held[i].cookie;
	f->held[i] = f->held[--f->nheld];
}

/*
 * fdinfo "held": the groups the kernel counts as read by this descriptor
 * and not answered. It cannot exceed what the thread holds: only this
 * thread reads, and a timeout or the removal only lowers it.
 */
static void check_held(struct fz_thread *t, struct fz_fd *f)
{
	char path[64], text[256], *p;
	unsigned long held;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", f->fd);
	if (fz_read_file(path, text, sizeof(text)) < 0) {
		fz_fail(t, "fdinfo of %s's descriptor: %s", f->dev,
			strerror(errno));
		return;
	}
	p = strstr(text, "iofault-device:");
	if (!p || strncmp(p + 16, f->dev, strlen(f->dev)) ||
	    p[16 + strlen(f->dev)] != '\n') {
		fz_fail(t, "fdinfo names another device than %s", f->dev);
		return;
	}
	p = strstr(text, "\nheld:");
	if (!p || sscanf(p + 6, "%lu", &held) != 1) {
		fz_fail(t, "fdinfo of %s's descriptor has no held count", f->dev);
		return;
	}
	__atomic_fetch_add(&fz->checks, 1, __ATOMIC_RELAXED);
	if (held > f->nheld)
		fz_fail(t, "%s: the kernel holds %lu groups for the descriptor, which got %zu: a record was lost",
			f->dev, held, f->nheld);
}

static void fd_open(struct fz_thread *t)
{
	struct iofault_fault_fd_req req = { .size = sizeof(req) };
	struct fd_state *s = st(t);
	struct fz_fd *f = pick(t, false);
	int kind = fz_below(t, 10), fd, err;
	void *arg = &req;
	const char *what;

	if (!f || ctl_fd(s) < 0)
		return;
	fz_pick_dev(t, req.dev);
	switch (kind) {
	case 0:
		what = "bad size";
		req.size = fz_chance(t, 50) ? 0 : sizeof(req) + 1;
		break;
	case 1:
		what = "flags set";
		req.flags = 1U << fz_below(t, 32);
		break;
	case 2:
		what = "name with no NUL";
		memset(req.dev, 'v', sizeof(req.dev));
		break;
	case 3:
		what = "bad pointer";
		arg = fz_chance(t, 50) ? NULL : st(t)->guard + 2 * s->page;
		break;
	default:
		what = "good";
		break;
	}
	fz_log(t, "fd open %s (%s)", req.dev, what);
	fd = ioctl(s->ctl, IOFAULT_IOC_FAULT_FD, arg);
	err = fd < 0 ? errno : 0;
	if (kind == 3) {
		FZ_EXPECT(t, "fault fd with a bad pointer", err, EFAULT);
	} else if (kind <= 2) {
		FZ_EXPECT(t, "fault fd with a bad request", err, EINVAL);
	} else {
		/*
		 * No such device (never, or unplugged meanwhile), an odd
		 * name, or a descriptor already open on it, ours or not.
		 */
		FZ_EXPECT(t, "fault fd", err, 0, ENODEV, EINVAL, EBUSY);
	}
	if (fd < 0)
		return;
	if (kind <= 3) {
		fz_fail(t, "a bad fault fd request gave a descriptor");
		close(fd);
		return;
	}
	memset(f, 0, sizeof(*f));
	f->fd = fd;
	f->lazy = fz_chance(t, 15);
	snprintf(f->dev, sizeof(f->dev), "%s", req.dev);
	if (fcntl(fd, F_SETFL, O_NONBLOCK))
		fz_fail(t, "O_NONBLOCK on a fault fd: %s", strerror(errno));
}

/* Check a record just read and keep it. */
static void take_record(struct fz_thread *t, struct fz_fd *f,
			const struct iofault_fault_record *r)
{
	size_t i;

	if (r->size != REC || r->version != IOFAULT_RECORD_VERSION ||
	    !r->npages || r->reserved || r->pasid >> 20 ||
	    (r->cookie >> 44) != r->dev_id || (f->dev_id && r->dev_id != f->dev_id)) {
		fz_fail(t, "%s: bad record: size %u version %u dev %u cookie %#llx npages %u pasid %u",
			f->dev, r->size, r->version, r->dev_id,
			(unsigned long long)r->cookie, r->npages, r->pasid);
		return;
	}
	f->dev_id = r->dev_id;
	for (i = 0; i < f->nheld; i++) {
		if (f->held[i].cookie == r->cookie) {
			fz_fail(t, "%s: group %#llx delivered twice",
				f->dev, (unsigned long long)r->cookie);
			return;
		}
	}
	if (was_answered(f, r->cookie)) {
		fz_fail(t, "%s: group %#llx delivered again after its answer",
			f->dev, (unsigned long long)r->cookie);
		return;
	}
	f->held[f->nheld++] = *r;
}

static void fd_read(struct fz_thread *t)
{
	struct fd_state *s = st(t);
	struct fz_fd *f = pick(t, true);
	struct iofault_fault_record *buf;
	size_t room, len, i, fit = 0;
	int kind = fz_below(t, 10), err;
	const char *what;
	ssize_t n;

	if (!f || f->lazy || f->gone)
		return;
	room = HELD_MAX - f->nheld;
	if (!room)
		return;
	len = (1 + fz_below(t, IOFAULT_BATCH_MAX + 8)) * REC;
	if (len / REC > room)
		len = room * REC;
	switch (kind) {
	case 0:
		what = "short buffer";
		len = fz_below(t, REC);
		break;
	case 1:
		what = "unmapped buffer";
		break;
	case 2:
		what = "buffer crossing into an unmapped page";
		fit = fz_below(t, 4);
		if (fit > room)
			fit = room;
		len = fit * REC + REC / 2 + fz_below(t, 3 * REC);
		break;
	default:
		what = "good";
		break;
	}
	buf = malloc(len + 4 * REC);
	if (!buf)
		abort();
	fz_log(t, "fd read %s %zu bytes (%s)", f->dev, len, what);
	if (kind == 1) {
		n = read(f->fd, fz_chance(t, 50) ? NULL : s->guard + 2 * s->page, len);
	} else if (kind == 2) {
		char *at = s->guard + 2 * s->page - fit * REC - REC / 2;

		n = read(f->fd, at, len);
		if (n > 0)
			memcpy(buf, at, n);
	} else {
		n = read(f->fd, buf, len);
	}
	err = n < 0 ? errno : 0;
	if (kind == 0) {
		FZ_EXPECT(t, "read into less than a record", err, EINVAL);
	} else if (kind == 1) {
		/* Nothing queued: EAGAIN comes before the copy. */
		FZ_EXPECT(t, "read into an unmapped buffer", err, EFAULT, EAGAIN, 0);
		if (n > 0)
			fz_fail(t, "read into an unmapped buffer returned %zd", n);
	} else if (kind == 2 && len < REC) {
		FZ_EXPECT(t, "read into less than a record", err, EINVAL);
	} else if (kind == 2) {
		FZ_EXPECT(t, "read into a buffer that ends unmapped", err,
			  0, EFAULT, EAGAIN);
		if (n > 0 && (size_t)n > fit * REC)
			fz_fail(t, "read copied %zd bytes into %zu mapped",
				n, fit * REC + REC / 2);
		if (err == EFAULT && fit)
			fz_fail(t, "read returned EFAULT with room for %zu records", fit);
	} else {
		FZ_EXPECT(t, "read", err, 0, EAGAIN);
	}
	if (n == 0 && kind != 0)
		f->gone = true;		/* end of file: the device went away */
	if (n > 0 && n % REC)
		fz_fail(t, "read returned %zd bytes, not whole records", n);
	for (i = 0; n > 0 && i < (size_t)n / REC; i++)
		take_record(t, f, &buf[i]);
	free(buf);
	check_held(t, f);
}

/* How a response may be spoiled; each is refused with its errno. */
enum spoil {
	SPOIL_NONE, SPOIL_PASID, SPOIL_GRPID, SPOIL_CODE, SPOIL_RESERVED,
	SPOIL_COOKIE, SPOIL_OTHER_DEV, SPOIL_TWICE, SPOIL_NR,
};

static const char *const spoil_names[SPOIL_NR] = {
	"none", "wrong pasid", "wrong grpid", "bad code", "reserved set",
	"forged cookie", "another device's cookie", "named twice",
};

static void respond_to(struct iofault_fault_response *r,
		       const struct iofault_fault_record *rec, uint32_t code)
{
	*r = (struct iofault_fault_response) {
		.cookie = rec->cookie,
		.pasid = rec->pasid,
		.grpid = rec->grpid,
		.code = code,
	};
}

/*
 * Spoil response r; false if it cannot be. Returns in
 * *skippable whether the tracker may skip it as a late answer instead of
 * refusing it (its group timed out: the checks after the code's come
 * after that one).
 */
static bool spoil(struct fz_thread *t, struct fz_fd *f, enum spoil how,
		  struct iofault_fault_response *r, bool *skippable)
{
	struct fz_fd *other = &st(t)->f[(f - st(t)->f + 1) % FDS];

	*skippable = false;
	switch (how) {
	case SPOIL_PASID:
		r->pasid ^= 1 + fz_below(t, 0xfffff);
		*skippable = true;
		return true;
	case SPOIL_GRPID:
		r->grpid ^= 1 + fz_below(t, 0x1ff);
		*skippable = true;
		return true;
	case SPOIL_CODE:
		r->code = IOFAULT_RESP_NR + fz_below(t, 1000);
		return true;
	case SPOIL_RESERVED:
		r->reserved = 1 + fz_below(t, 0xffff);
		return true;
	case SPOIL_COOKIE:
		/* This device's, another slot or generation. */
		r->cookie ^= 1 + (fz_rand(t) & ((1ULL << 44) - 1));
		*skippable = true;
		return true;
	case SPOIL_OTHER_DEV:
		if (other->fd < 0 || !other->nheld || other->dev_id == f->dev_id)
			return false;
		respond_to(r, &other->held[fz_below(t, other->nheld)], r->code);
		return true;
	case SPOIL_TWICE:
		*skippable = true;
		return true;
	default:
		return false;
	}
}

static int spoil_errno(enum spoil how)
{
	switch (how) {
	case SPOIL_PASID:
	case SPOIL_GRPID:
		return EPROTO;
	case SPOIL_CODE:
	case SPOIL_RESERVED:
		return EINVAL;
	case SPOIL_OTHER_DEV:
		return EXDEV;
	case SPOIL_TWICE:
		return EALREADY;
	default:
		return 0;	/* forged: depends on what the slot holds */
	}
}

static void fd_write(struct fz_thread *t)
{
	struct fd_state *s = st(t);
	struct fz_fd *f = pick(t, true);
	struct iofault_fault_response r[16];
	size_t n, k, i;
	enum spoil how = SPOIL_NONE;
	bool skippable = false;
	ssize_t ret;
	int err;

	if (!f || !f->nheld)
		return;
	n = 1 + fz_below(t, f->nheld < 16 ? f->nheld : 16);
	/* n distinct held records, from the front of a shuffled pick */
	for (i = 0; i < n; i++) {
		size_t j = i + fz_below(t, f->nheld - i);
		struct iofault_fault_record tmp = f->held[i];

		f->held[i] = f->held[j];
		f->held[j] = tmp;
		respond_to(&r[i], &f->held[i], fz_below(t, IOFAULT_RESP_NR));
	}
	k = fz_below(t, n);
	if (fz_chance(t, 30)) {
		how = 1 + fz_below(t, SPOIL_NR - 1);
		if (how == SPOIL_TWICE) {
			if (!k) {
				how = SPOIL_NONE;
			} else {
				r[k] = r[fz_below(t, k)];
			}
		}
		if (how != SPOIL_NONE && !spoil(t, f, how, &r[k], &skippable))
			how = SPOIL_NONE;
	}
	if (fz_chance(t, 5)) {
		/* A bad buffer or a bad length: refused whole. */
		int bad = fz_below(t, 3);

		fz_log(t, "fd write %s: %zu responses, %s", f->dev, n,
		       bad == 0 ? "unmapped buffer" : bad == 1 ? "length not whole" : "too many");
		if (bad == 0)
			ret = write(f->fd, s->guard + 2 * s->page - RESP * (n / 2),
				    n * RESP);
		else if (bad == 1)
			ret = write(f->fd, r, n * RESP - 1 - fz_below(t, RESP - 1));
		else
			ret = write(f->fd, s->guard, (IOFAULT_BATCH_MAX + 1) * RESP);
		err = ret < 0 ? errno : 0;
		if (bad == 0)
			FZ_EXPECT(t, "write from a bad buffer", err, EFAULT);
		else
			FZ_EXPECT(t, "write of a bad length", err, EINVAL);
		return;
	}
	fz_log(t, "fd write %s: %zu responses, #%zu spoiled: %s", f->dev, n, k,
	       spoil_names[how]);
	ret = write(f->fd, r, n * RESP);
	err = ret < 0 ? errno : 0;
	__atomic_fetch_add(&fz->checks, 1, __ATOMIC_RELAXED);
	if (err == ENODEV) {
		/* The device is gone: nothing can be answered any more. */
	} else if (how == SPOIL_NONE) {
		if (ret != (ssize_t)(n * RESP)) {
			__atomic_fetch_add(&fz->refused_valid, 1, __ATOMIC_RELAXED);
			fz_fail(t, "%s: valid responses refused: %zd of %zu bytes (%s)",
				f->dev, ret, n * RESP, err ? strerror(err) : "short");
		}
	} else if (how == SPOIL_RESERVED && !k) {
		FZ_EXPECT(t, "a response with a reserved field set", err, EINVAL);
	} else if (k && ret == (ssize_t)(k * RESP)) {
		/* refused where it should be */
	} else if (!k && err && (err == spoil_errno(how) ||
				 (how == SPOIL_COOKIE &&
				  (err == ENOENT || err == EACCES || err == EALREADY ||
				   err == EPROTO || err == EXDEV)))) {
		/* refused with its reason */
	} else if (skippable && ret == (ssize_t)(n * RESP)) {
		/* skipped as a late answer: its group timed out */
	} else {
		fz_fail(t, "%s: %zu responses, #%zu %s: write returned %zd (%s)",
			f->dev, n, k, spoil_names[how], ret,
			err ? strerror(err) : "-");
	}
	/* Forget what was answered: all before k, or all if all went. */
	if (err == ENODEV) {
		f->gone = true;
		return;
	}
	if (ret > 0) {
		size_t done = ret / RESP;

		/*
		 * The records at 0..done-1 were answered (or skipped as
		 * late), but for a spoiled response that named another
		 * group than its record's.
		 */
		for (i = done; i-- > 0; ) {
			if (i == k && (how == SPOIL_TWICE || how == SPOIL_OTHER_DEV ||
				       how == SPOIL_COOKIE))
				continue;
			forget(f, i);
		}
	}
	check_held(t, f);
}

/* A response for a group answered already: late or a duplicate. */
static void fd_write_again(struct fz_thread *t)
{
	struct fz_fd *f = pick(t, true);
	struct iofault_fault_response r;
	ssize_t ret;

	if (!f || !f->ndone)
		return;
	r = (struct iofault_fault_response) {
		.cookie = f->done[fz_below(t, f->ndone < DONE_MAX ? f->ndone : DONE_MAX)],
	};
	/* The pasid and grpid are not checked for an answered group. */
	fz_log(t, "fd write %s: an answered group again", f->dev);
	ret = write(f->fd, &r, sizeof(r));
	FZ_EXPECT(t, "a response to an answered group", ret < 0 ? errno : 0,
		  0, EALREADY, ENODEV);
}

static void fd_poll(struct fz_thread *t)
{
	struct fz_fd *f = pick(t, true);
	struct pollfd p;
	int n;

	if (!f)
		return;
	p = (struct pollfd){ .fd = f->fd, .events = POLLIN | POLLOUT };
	fz_log(t, "fd poll %s", f->dev);
	n = poll(&p, 1, fz_below(t, 20));
	if (n < 0)
		fz_fail(t, "poll: %s", strerror(errno));
	else if (p.revents & ~(POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM | POLLHUP))
		fz_fail(t, "poll of %s: unexpected events %#x", f->dev, p.revents);
	else if (!(p.revents & POLLOUT))
		fz_fail(t, "poll of %s: not writable", f->dev);
}

/* What a fault descriptor is not: an ioctl target, seekable, mappable. */
static void fd_misuse(struct fz_thread *t)
{
	struct fz_fd *f = pick(t, true);
	void *p;

	if (!f)
		return;
	fz_log(t, "fd misuse %s", f->dev);
	FZ_EXPECT(t, "ioctl on a fault fd",
		  ioctl(f->fd, IOFAULT_IOC_FAULT_FD, NULL) < 0 ? errno : 0, ENOTTY);
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, f->fd, 0);
	FZ_EXPECT(t, "mmap of a fault fd", p == MAP_FAILED ? errno : 0, ENODEV);
	if (p != MAP_FAILED)
		munmap(p, 4096);
}

static void fd_close(struct fz_thread *t)
{
	struct fz_fd *f = pick(t, true);

	if (!f)
		return;
	/* Closing answers what it holds with INVALID: lose nothing. */
	fz_log(t, "fd close %s (held %zu)", f->dev, f->nheld);
	if (close(f->fd))
		fz_fail(t, "close of a fault fd: %s", strerror(errno));
	f->fd = -1;
}

/* Answer all it holds, read until empty; then it must hold nothing. */
static void fd_drain(struct fz_thread *t, void *state)
{
	struct fd_state *s = state;
	struct iofault_fault_record rec[64];
	struct iofault_fault_response r;
	int i, round;
	ssize_t n = 0;

	for (i = 0; i < FDS; i++) {
		struct fz_fd *f = &s->f[i];

		if (f->fd < 0 || f->lazy)
			continue;
		fz_log(t, "fd drain %s (held %zu)", f->dev, f->nheld);
		for (round = 0; round < 64; round++) {
			while (f->nheld) {
				respond_to(&r, &f->held[f->nheld - 1],
					   IOFAULT_RESP_SUCCESS);
				n = write(f->fd, &r, sizeof(r));
				if (n < 0 && errno == ENODEV)
					break;
				if (n != sizeof(r))
					fz_fail(t, "drain %s: a valid response refused: %s",
						f->dev, n < 0 ? strerror(errno) : "short");
				forget(f, f->nheld - 1);
			}
			n = read(f->fd, rec, sizeof(rec));
			if (n <= 0)
				break;
			for (size_t j = 0; j < (size_t)n / REC; j++)
				take_record(t, f, &rec[j]);
		}
		if (n < 0 && errno == ENODEV)
			continue;
		if (!f->nheld)
			check_held(t, f);
	}
}

static void fd_fini(struct fz_thread *t, void *state)
{
	struct fd_state *s = state;
	int i;

	(void)t;
	for (i = 0; i < FDS; i++)
		if (s->f[i].fd >= 0)
			close(s->f[i].fd);
	if (s->ctl >= 0)
		close(s->ctl);
	munmap(s->guard, 3 * s->page);
	free(s);
}

static const struct fz_action fd_actions[] = {
	{ "open", 4, fd_open },
	{ "read", 12, fd_read },
	{ "write", 12, fd_write },
	{ "write-again", 2, fd_write_again },
	{ "poll", 2, fd_poll },
	{ "misuse", 1, fd_misuse },
	{ "close", 2, fd_close },
};

const struct fz_family fz_fd_family = {
	.name = "fd",
	.actions = fd_actions,
	.nr_actions = sizeof(fd_actions) / sizeof(fd_actions[0]),
	.init = fd_init,
	.drain = fd_drain,
	.fini = fd_fini,
};
