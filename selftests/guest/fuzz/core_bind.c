// SPDX-License-Identifier: GPL-2.0
/*
 * iofuzz, core family: binding the thread's process memory to its PASIDs
 * of iommu_mock's devices, with the own handler (mm, now), iofault's
 * (via=iofault) or a shared domain (share=), and unbinding; with bad
 * words too.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core.h"

/* A bound own slot of device k other than i, of the mock's own handler. */
static bool pick_own_root(struct fz_thread *t, struct core_state *st,
			  unsigned int k, unsigned int i, unsigned int *m)
{
	unsigned int n = core_nslots(st, k), j, first = fz_below(t, n);

	for (j = 0; j < n; j++) {
		*m = (first + j) % n;
		if (*m != i && st->slot[k][*m].bound &&
		    !st->slot[k][*m].via_iofault)
			return true;
	}
	return false;
}

/* bind: a free slot, with the own handler (mm, now), iofault's, or shared. */
void core_bind(struct fz_thread *t)
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

	if (!core_pick_dev(t, st, &k) || !core_pick_slot(t, st, k, CORE_FREE, &i))
		return;
	s = &st->slot[k][i];
	snprintf(pword, sizeof(pword), "pasid=%s",
		 core_pasid_word(t, core_slot_pasid(st, i), pw));
	words[n++] = pword;
	if (kind == 0 && pick_own_root(t, st, k, i, &m)) {
		share = true;
		snprintf(sword, sizeof(sword), "share=%s",
			 core_pasid_word(t, core_slot_pasid(st, m), sw));
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
	core_join_words(t, words, n, line, sizeof(line));
	gen0 = core_iofault_gen();
	fz_log(t, "core bind sva%u '%s'", k, line);
	err = core_mock_write(k, "bind", line);
	/* via=iofault needs iofault loaded, which it is during an epoch. */
	if (kind == 1 && err == ENOENT && (!gen0 || gen0 != core_iofault_gen()))
		return;
	if (!CORE_EXPECT(t, st, k, core_said(w, "bind sva%u '%s'", k, line), err, 0) || err)
		return;
	s->bound = true;
	s->via_iofault = kind == 1 && !share;
	s->now = share ? st->slot[k][m].now : kind == 2;
	s->dom = share ? st->slot[k][m].dom : ++st->next_dom;
	if (s->via_iofault && !core_class_exists(k, core_slot_pasid(st, i)) &&
	    core_dev_present(k))
		fz_fail(t, "bound sva%u PASID %u via iofault: no iofault device",
			k, core_slot_pasid(st, i));
}

/* The bind file of device k lists slot i: 1, not: 0, no file: -1. */
static int bind_listed(const struct core_state *st, unsigned int k,
		       unsigned int i)
{
	char path[64], text[4096];

	snprintf(path, sizeof(path), FZ_IMOCK "/sva%u/bind", k);
	if (fz_read_file(path, text, sizeof(text)) < 0)
		return -1;
	return core_bind_line(text, core_slot_pasid(st, i)) != NULL;
}

/*
 * A bind that was to be refused: if it was taken (a failure core_said so
 * already), undo it; if refused, the slot, free before, must still be.
 */
static void bind_refused(struct fz_thread *t, struct core_state *st,
			 unsigned int k, unsigned int i, const char *line,
			 int err)
{
	char text[32], pw[16];

	if (!err) {
		snprintf(text, sizeof(text), "pasid=%s",
			 core_pasid_text(core_slot_pasid(st, i), pw));
		core_mock_write(k, "unbind", text);
	} else if (bind_listed(st, k, i) == 1) {
		fz_fail(t, "a refused bind sva%u '%s' left a bind", k, line);
	}
}

/* bind with bad words, or of a PASID bound already. */
void core_bind_bad(struct fz_thread *t)
{
	char w[FZ_LINE];
	struct core_state *st = core_st(t);
	char line[400], pw[16], sw[16], lb[64];
	unsigned int k, i, m, pasid;
	bool iofault = core_iofault_gen() != 0;
	int err, want = EINVAL, also = EINVAL;

	if (!core_pick_dev(t, st, &k))
		return;
	if (fz_chance(t, 20) && core_pick_slot(t, st, k, CORE_BOUND, &i)) {
		snprintf(line, sizeof(line), "pasid=%s%s",
			 core_pasid_word(t, core_slot_pasid(st, i), pw),
			 fz_chance(t, 50) ? " via=iofault" : "");
		fz_log(t, "core bind sva%u '%s' (bound already)", k, line);
		err = core_mock_write(k, "bind", line);
		/* via=iofault without iofault: its lookup fails first */
		CORE_EXPECT(t, st, k, core_said(w, "bind sva%u '%s', bound", k, line),
			    err, EEXIST,
			    iofault ? EEXIST : ENOENT);
		return;
	}
	if (!core_pick_slot(t, st, k, CORE_FREE, &i))
		return;
	pasid = core_slot_pasid(st, i);
	core_pasid_word(t, pasid, pw);
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
		if (!core_pick_slot(t, st, k, CORE_FREE, &m) || m == i)
			return;
		snprintf(line, sizeof(line), "pasid=%s share=%s", pw,
			 core_pasid_text(core_slot_pasid(st, m), sw));
		want = ENOENT;
		also = ENOENT;
		break;
	case 9:		/* iofault takes no domain with another handler */
		if (!pick_own_root(t, st, k, i, &m))
			return;
		snprintf(line, sizeof(line), "pasid=%s via=iofault share=%s",
			 pw, core_pasid_text(core_slot_pasid(st, m), sw));
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
	fz_log(t, "core bind sva%u '%s' (bad)", k, core_brief(line, lb));
	err = core_mock_write(k, "bind", line);
	if (CORE_EXPECT(t, st, k, core_said(w, "bind sva%u '%s'", k, core_brief(line, lb)),
			err, want, also) || core_dev_present(k))
		bind_refused(t, st, k, i, line, err);
}

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
		if (!core_pick_slot(t, st, k, CORE_FREE, &i))
			return;
		snprintf(line, sizeof(line), "pasid=%s",
			 core_pasid_word(t, core_slot_pasid(st, i), pw));
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
		if (!core_pick_slot(t, st, k, CORE_BOUND, &i))
			return;
		bound = true;
		snprintf(line, sizeof(line), "pasid=%s %s",
			 core_pasid_word(t, core_slot_pasid(st, i), pw),
			 fz_chance(t, 50) ? "via=own" : "now");
		break;
	default:
		memset(line, '\t', 300);
		snprintf(line + 300, sizeof(line) - 300, "pasid=1");
		want = E2BIG;
		break;
	}
	fz_log(t, "core unbind sva%u '%s' (bad)", k, core_brief(line, lb));
	err = core_mock_write(k, "unbind", line);
	if (CORE_EXPECT(t, st, k, core_said(w, "unbind sva%u '%s'", k,
					  core_brief(line, lb)), err, want) && bound &&
	    bind_listed(st, k, i) == 0 && core_dev_present(k))
		fz_fail(t, "a refused unbind sva%u '%s' unbound it", k, line);
}

/*
 * unbind a bind of this thread. An adopted one is released first, as the
 * rule goes, or now and then not (the owner goes first: iofault notices
 * later and keeps the domain's record, an orphan, until released) when
 * no other bind shares its domain (else that bind's groups would reach
 * iofault's handler with no record once the orphan is released).
 */
void core_unbind(struct fz_thread *t)
{
	char w[FZ_LINE];
	struct core_state *st = core_st(t);
	char line[48], pw[16];
	unsigned int k, i;
	struct core_slot *s;
	int err;

	if (!core_pick_dev(t, st, &k))
		return;
	if (fz_chance(t, 20) || !core_pick_slot(t, st, k, CORE_BOUND, &i)) {
		core_unbind_bad(t, st, k);
		return;
	}
	s = &st->slot[k][i];
	if (s->adopted && !s->gone && (core_dom_shared(st, k, i) || fz_chance(t, 70)) &&
	    !core_release_slot(t, st, k, i))
		return;
	snprintf(line, sizeof(line), "%spasid=%s%s", fz_chance(t, 20) ? " " : "",
		 core_pasid_word(t, core_slot_pasid(st, i), pw),
		 fz_chance(t, 50) ? "\n" : "");
	fz_log(t, "core unbind sva%u '%s'%s", k, line,
	       s->adopted ? " (adopted: the owner goes first)" : "");
	err = core_mock_write(k, "unbind", line);
	if (!CORE_EXPECT(t, st, k, core_said(w, "unbind sva%u '%s'", k, line), err, 0) ||
	    err)
		return;
	s->bound = false;
	if (s->adopted)
		s->gone = true;
	if (bind_listed(st, k, i) == 1)
		fz_fail(t, "unbound sva%u PASID %s: still in the bind file", k,
			core_pasid_text(core_slot_pasid(st, i), pw));
	if (s->via_iofault && core_class_exists(k, core_slot_pasid(st, i)) &&
	    core_dev_present(k))
		fz_fail(t, "unbound sva%u PASID %s: its iofault device stays",
			k, core_pasid_text(core_slot_pasid(st, i), pw));
}
