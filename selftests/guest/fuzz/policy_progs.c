// SPDX-License-Identifier: GPL-2.0
/*
 * iofuzz, the policy family's programs: the example policies, the guest
 * test programs and fuzz_policies (several policies in one object), with
 * random values for their globals, and what those make of each policy:
 * whether it may be ejected, whether its init refuses. And the programs
 * the verifier must refuse.
 */
#include <errno.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "policy.h"

/* fzp_set_global(), which must work: the programs are ours. */
static void setg(struct fz_thread *t, struct bpf_object *obj, const char *var,
		 uint64_t val)
{
	int err = fzp_set_global(obj, var, val);

	if (err)
		fz_fail(t, "%s: cannot set global %s: %s",
			bpf_object__name(obj), var, strerror(-err));
}

/* A verdict, now and then one that does not exist (an ejection). */
static uint32_t pick_verdict(struct fz_thread *t)
{
	static const uint32_t invalid[] = { 4, 7, 0x80000000u, 0xffffffffu };

	if (fz_chance(t, 15))
		return invalid[fz_below(t, ARRAY_LEN(invalid))];
	return fz_below(t, IOFAULT_VERDICT_NR);
}

static bool verdict_ejectable(uint32_t v)
{
	return v == IOFAULT_VERDICT_FORWARD || v >= IOFAULT_VERDICT_NR;
}

/* fail_all, observe: nothing to set, never ejected. */
static void cfg_steady(struct fz_thread *t, struct bpf_object *obj,
		       struct fzp_knobs *k)
{
	(void)t, (void)obj, (void)k;
}

/*
 * default forwards when a descriptor is open; bad_verdict returns 7;
 * linkless returns 7 for PASID 7.
 */
static void cfg_ejectable(struct fz_thread *t, struct bpf_object *obj,
			  struct fzp_knobs *k)
{
	(void)t, (void)obj;
	k->ejectable = true;
}

static void cfg_fail_writes(struct fz_thread *t, struct bpf_object *obj,
			    struct fzp_knobs *k)
{
	(void)k;
	setg(t, obj, "range_start", fz_edgy(t));
	setg(t, obj, "range_end", fz_edgy(t));
}

static void cfg_rate_limit(struct fz_thread *t, struct bpf_object *obj,
			   struct fzp_knobs *k)
{
	(void)k;
	setg(t, obj, "rate", fz_edgy(t));
	setg(t, obj, "burst", fz_edgy(t));
}

/* It forwards the PASIDs of its range: none by default. */
static void cfg_forward_pasids(struct fz_thread *t, struct bpf_object *obj,
			       struct fzp_knobs *k)
{
	uint32_t min = fz_below(t, 8);

	if (fz_chance(t, 50))
		return;
	setg(t, obj, "pasid_min", min);
	setg(t, obj, "pasid_max", min + fz_below(t, 16));
	k->ejectable = true;
}

/* A fail code: FAILURE stops a PCIe function's page requests, so seldom. */
static uint32_t pick_fail_code(struct fz_thread *t)
{
	if (fz_chance(t, 5))	/* no code: the kfunc refuses it */
		return IOFAULT_RESP_NR + fz_below(t, 4);
	return fz_chance(t, 10) ? IOFAULT_RESP_FAILURE : IOFAULT_RESP_INVALID;
}

static void cfg_lifecycle(struct fz_thread *t, struct bpf_object *obj,
			  struct fzp_knobs *k)
{
	bool refuse = fz_chance(t, 10);

	k->verdict = pick_verdict(t);
	k->ejectable = verdict_ejectable(k->verdict);
	k->refuse_err = refuse ? EPERM : 0;	/* its init returns -1 */
	setg(t, obj, "verdict", k->verdict);
	setg(t, obj, "fail_code", pick_fail_code(t));
	/* IOFAULT_RESP_NR is no code: the group gets INVALID. */
	setg(t, obj, "timeout_code", fz_below(t, IOFAULT_RESP_NR + 1));
	setg(t, obj, "refuse", refuse);
}

static void cfg_respcount(struct fz_thread *t, struct bpf_object *obj,
			  struct fzp_knobs *k)
{
	k->verdict = pick_verdict(t);
	k->ejectable = verdict_ejectable(k->verdict);
	setg(t, obj, "verdict", k->verdict);
	setg(t, obj, "row", fz_below(t, 4));
}

/*
 * fuzz_policies: what fuzz_refuse's init returns, and the errno that
 * gives: a negative errno is the errno, anything else EINVAL.
 */
static void cfg_fuzz(struct fz_thread *t, struct bpf_object *obj,
		     struct fzp_knobs *k)
{
	static const struct { int32_t ret; int err; } refusals[] = {
		{ 0, 0 }, { 0, 0 }, { 0, 0 }, { -EPERM, EPERM },
		{ -EACCES, EACCES }, { -EAGAIN, EAGAIN }, { 1, EINVAL },
		{ -5000, EINVAL },
	};
	unsigned int r = fz_below(t, ARRAY_LEN(refusals));

	k->verdict = pick_verdict(t);
	k->refuse_err = refusals[r].err;
	setg(t, obj, "verdict", k->verdict);
	setg(t, obj, "fail_code", pick_fail_code(t));
	setg(t, obj, "timeout_code", fz_below(t, IOFAULT_RESP_NR + 1));
	setg(t, obj, "refuse", (uint32_t)refusals[r].ret);
}

const struct fzp_prog fzp_progs[] = {
	{ FZ_BPFDIR, "default", cfg_ejectable, false },
	{ FZ_BPFDIR, "fail_all", cfg_steady, false },
	{ FZ_BPFDIR, "fail_writes", cfg_fail_writes, false },
	{ FZ_BPFDIR, "forward_pasids", cfg_forward_pasids, false },
	{ FZ_BPFDIR, "rate_limit", cfg_rate_limit, false },
	{ FZ_BPFDIR, "observe", cfg_steady, false },
	{ FZ_PROGDIR, "bad_verdict", cfg_ejectable, false },
	{ FZ_PROGDIR, "linkless", cfg_ejectable, false },
	{ FZ_PROGDIR, "lifecycle", cfg_lifecycle, false },
	{ FZ_PROGDIR, "respcount", cfg_respcount, false },
};

const unsigned int fzp_nr_progs = ARRAY_LEN(fzp_progs);

const struct fzp_prog fzp_fuzz_prog = {
	FZ_PROGDIR, "fuzz_policies", cfg_fuzz, true,
};

/* Policies the verifier must refuse to load. */
const char *const fzp_bad_progs[] = {
	"bad_fail_code_response", "bad_kfunc", "bad_read_beyond",
	"bad_write_ctx",
};

const unsigned int fzp_nr_bad_progs = ARRAY_LEN(fzp_bad_progs);

/* What the policy of map in an object of p does, given the knobs. */
void fzp_traits(const struct fzp_prog *p, const struct fzp_knobs *k,
		struct bpf_map *map, struct fzp_slot *s)
{
	const char *name = bpf_map__name(map);

	if (!p->multi) {
		s->ejectable = k->ejectable;
		s->refuse_err = k->refuse_err;
		return;
	}
	s->ejectable = !strcmp(name, "fuzz_forward") ||
		       (!strcmp(name, "fuzz_verdict") &&
			verdict_ejectable(k->verdict));
	s->refuse_err = !strcmp(name, "fuzz_refuse") ? k->refuse_err : 0;
}
