// SPDX-License-Identifier: GPL-2.0
/*
 * iofuzz, core family: the devices' accesses of the thread's memory,
 * that memory made non-resident, the own handler held back, settle, and
 * reads of what the hardware recorded and of iofault's iopf counts.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "core.h"

/* Whether device k has room for more groups (else an access would wait). */
static bool dev_has_room(unsigned int k)
{
	struct core_hw h;

	return !core_hw_read(k, &h) && h.unanswered < CORE_BUSY;
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
void core_mem(struct fz_thread *t)
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
void core_access(struct fz_thread *t)
{
	char w[FZ_LINE];
	struct core_state *st = core_st(t);
	unsigned int k, i, pasid, first, n, r = fz_below(t, 100), nw = 0;
	char line[160], pword[32], aword[40], nword[24], pw[16];
	const char *words[6];
	bool mine = true, bound = false;
	uint64_t addr;
	int err;

	if (!core_pick_dev(t, st, &k))
		return;
	if (r < 60 && core_pick_slot(t, st, k, CORE_BOUND, &i)) {
		pasid = core_slot_pasid(st, i);
		bound = true;
	} else if (r < 75 && core_pick_slot(t, st, k, CORE_ANY, &i)) {
		pasid = core_slot_pasid(st, i);
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
	snprintf(pword, sizeof(pword), "pasid=%s", core_pasid_word(t, pasid, pw));
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
	core_join_words(t, words, nw, line, sizeof(line));
	fz_log(t, "core access sva%u '%s'", k, line);
	err = core_mock_write(k, "access", line);
	if (mine)
		CORE_EXPECT(t, st, k, core_said(w, "access sva%u '%s'", k, line), err, 0);
	else
		CORE_EXPECT(t, st, k, core_said(w, "access sva%u '%s', not this thread's",
					 k, line), err, 0, EACCES);
}

/* access with bad words: refused before the device does anything */
void core_access_bad(struct fz_thread *t)
{
	char w[FZ_LINE];
	struct core_state *st = core_st(t);
	uintptr_t mem = (uintptr_t)st->mem;
	char line[400], lb[64];
	unsigned int k;
	size_t len;
	int want = EINVAL, err;

	if (!core_pick_dev(t, st, &k))
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
	fz_log(t, "core access sva%u '%s' (bad)", k, core_brief(line, lb));
	err = core_mock_write(k, "access", line);
	CORE_EXPECT(t, st, k, core_said(w, "access sva%u '%s'", k, core_brief(line, lb)),
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
void core_access_check(struct fz_thread *t)
{
	struct core_state *st = core_st(t);
	unsigned int k, i, j, n, first, waited;
	char line[128], pw[16];
	bool write = fz_chance(t, 50);
	int err;

	if (!core_pick_dev(t, st, &k))
		return;
	for (j = 0; j < core_nslots(st, k); j++) {
		i = (j + fz_below(t, core_nslots(st, k))) % core_nslots(st, k);
		if (st->slot[k][i].bound && !st->slot[k][i].via_iofault &&
		    !st->slot[k][i].now && !core_dom_adopted(st, k, i))
			break;
	}
	if (j == core_nslots(st, k) || !dev_has_room(k))
		return;
	n = 1 + fz_below(t, 8);
	first = fz_below(t, CORE_RW - n + 1);
	drop_pages(st, first, n, PROT_READ | PROT_WRITE);
	snprintf(line, sizeof(line), "pasid=%s addr=%#lx pages=%u%s%s",
		 core_pasid_text(core_slot_pasid(st, i), pw),
		 (unsigned long)(uintptr_t)(st->mem + first * st->psz), n,
		 write ? " write" : "", fz_chance(t, 30) ? " group" : "");
	fz_log(t, "core access sva%u '%s', to become resident", k, line);
	err = core_mock_write(k, "access", line);
	if (!CORE_EXPECT(t, st, k, "access", err, 0) || err)
		return;
	for (waited = 0; resident(st, first, n) < n; waited += 5) {
		if (fz_stopping() || !core_dev_present(k))
			return;
		if (waited >= CORE_RESIDENT_MS) {
			fz_fail(t, "sva%u PASID %s: %u of %u pages resident %u ms after the access",
				k, core_pasid_text(core_slot_pasid(st, i), pw),
				resident(st, first, n), n, waited);
			return;
		}
		fz_sleep_ms(5);
	}
}

/* hold: the own handler keeps new groups back a few ms, then lets them go. */
void core_hold(struct fz_thread *t)
{
	/* kstrtobool() reads the first character: "01x" is a 0 */
	static const char *const bad[] = { "2", "x", "-1" };
	struct core_state *st = core_st(t);
	char path[64], val[8];
	unsigned int k, ms = 1 + fz_below(t, 20);
	const char *b;
	int err;

	if (!core_pick_dev(t, st, &k))
		return;
	if (fz_chance(t, 20)) {
		b = bad[fz_below(t, 3)];
		fz_log(t, "core hold sva%u '%s' (bad)", k, b);
		CORE_EXPECT(t, st, k, "a bad hold", core_mock_write(k, "hold", b),
			    EINVAL);
		return;
	}
	/* Short: another thread's access may wait for a group index meanwhile. */
	fz_log(t, "core hold sva%u for %u ms", k, ms);
	err = core_mock_write(k, "hold", fz_chance(t, 50) ? "1" : "y\n");
	if (!CORE_EXPECT(t, st, k, "hold", err, 0) || err)
		return;
	snprintf(path, sizeof(path), FZ_IMOCK "/sva%u/hold", k);
	err = fz_read_file(path, val, sizeof(val));
	if (err >= 0 && strcmp(val, "0\n") && strcmp(val, "1\n"))
		fz_fail(t, "sva%u/hold reads '%s'", k, val);
	fz_sleep_ms(ms);
	fz_log(t, "core hold sva%u off", k);
	err = core_mock_write(k, "hold", fz_chance(t, 50) ? "0" : "n\n");
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

/* Once per thread, before a settle: the signal's handler (process-wide). */
void core_settle_init(void)
{
	struct sigaction sa = { .sa_handler = core_signal };

	/* Not SA_RESTART: the signal is to interrupt the wait. */
	sigemptyset(&sa.sa_mask);
	sigaction(core_settle_sig(), &sa, NULL);
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
void core_settle(struct fz_thread *t)
{
	struct core_state *st = core_st(t);
	unsigned int k, ms = 10 + fz_below(t, 300), left;
	bool rd = fz_chance(t, 70);
	char out[64];
	int err;

	if (!core_pick_dev(t, st, &k))
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
void core_hwstats(struct fz_thread *t)
{
	struct core_state *st = core_st(t);
	struct core_hw h;
	char why[160];
	unsigned int k;
	int err;

	if (!core_pick_dev(t, st, &k))
		return;
	fz_log(t, "core hwstats sva%u", k);
	err = core_hw_read(k, &h);
	if (CORE_EXPECT(t, st, k, "hwstats", err, 0) && !err &&
	    !core_hw_sane(&h, why, sizeof(why)))
		fz_fail(t, "sva%u hwstats: %s", k, why);
}

/* hwlog: each answer the hardware logged was to a group it issued, once. */
void core_hwlog(struct fz_thread *t)
{
	struct core_state *st = core_st(t);
	const size_t size = 4096 * 96;
	unsigned long long p0, p1;
	char path[64], pasid[16], code[16], *text, *line, *save;
	unsigned int k, grpid;
	int n;

	if (!core_pick_dev(t, st, &k))
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
void core_iopf(struct fz_thread *t)
{
	unsigned long long unplaced, detached, orphans;
	char text[256];
	int n;

	fz_log(t, "core read iopf");
	n = fz_read_file(CORE_IOPF, text, sizeof(text));
	if (n < 0) {
		FZ_EXPECT(t, "read of iopf", core_iofault_gen() ? -n : ENOENT, ENOENT);
		return;
	}
	if (!fz_stat(text, "unplaced", &unplaced) ||
	    !fz_stat(text, "detached", &detached) ||
	    !fz_stat(text, "orphans", &orphans))
		fz_fail(t, "iopf reads '%s'", text);
}
