// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the tracker: the input is a program of operations
 * (report, respond with good and garbage responses, resolver hold and
 * release, time passing, limit changes, device removal), run against a
 * model of what must have happened. Invariants, checked after every step:
 *   - every admitted group is answered to the hardware exactly once (or
 *     handed off to another handler, and then never), and only groups
 *     that were reported are answered;
 *   - a group answered at once is answered during its own report;
 *   - the private data of an answer is the one its last request carried;
 *   - the quota holds when a group is admitted;
 *   - a refused response changes nothing, and a cookie of a slot's older
 *     group is refused as stale, never taken for the slot's newer one;
 *   - a group's pages are its own (same requester, PASID and index) and in
 *     arrival order, and the latency it is answered with is the clock's
 *     time since its report;
 *   - held requests never exceed the partial bound (unless it was lowered
 *     while groups held them), nor outlive the timeout past a report;
 *   - after removal nothing is outstanding, and after destroy nothing is
 *     allocated.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tracker.h"

long shim_live_allocs;
long shim_fail_after = -1;
u64 shim_now_ns;

#define MAX_LIVE	256	/* groups the model tracks */

struct model_group {
	u64 cookie;
	u32 rid, pasid, grpid;
	u64 priv;
	struct iofault_group *g;
	bool answered;
	bool held;
};

static struct iofault_tracker t;
static struct model_group live[MAX_LIVE];
static unsigned int nlive;
static unsigned int answers;		/* answer callbacks seen */
static const struct iofault_fault *reporting;	/* the report being made */
static u64 now;
static u64 old_cookies[64];		/* of groups answered, the latest */
static unsigned int nold;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "invariant broken: %s (line %d)\n",	\
			#cond, __LINE__);				\
		abort();						\
	}								\
} while (0)

/* A group's pages: its own key, in arrival order, and as many as it says. */
static void check_pages(const struct iofault_group *g)
{
	const struct iofault_page *p;
	u64 last = 0;
	u32 n = 1;

	list_for_each_entry(p, &g->pages, node) {
		CHECK(p->fault.rid == g->last.rid && p->fault.pasid == g->last.pasid &&
		      p->fault.grpid == g->last.grpid);
		CHECK(p->arrival >= last && p->arrival <= g->arrival);
		last = p->arrival;
		n++;
	}
	CHECK(n == g->npages);
}

static struct model_group *model_find(const struct iofault_group *g)
{
	unsigned int i;

	for (i = 0; i < nlive; i++)
		if (live[i].g == g && !live[i].answered &&
		    live[i].cookie == iofault_group_cookie(&t, g))
			return &live[i];
	return NULL;
}

static void on_answer(struct iofault_tracker *tr, struct iofault_group *g,
		      u32 code, enum iofault_end end, u64 latency)
{
	struct model_group *m;

	CHECK(tr == &t);
	CHECK(code < IOFAULT_RESP_NR);
	CHECK(latency == (shim_now_ns > g->arrival ? shim_now_ns - g->arrival : 0));
	answers++;
	if (end == IOFAULT_END_QUOTA || end == IOFAULT_END_DUPLICATE ||
	    (end == IOFAULT_END_FLUSH && reporting)) {
		/* At once: only for the request being reported right now. */
		CHECK(reporting && g->last.pasid == reporting->pasid &&
		      g->last.grpid == reporting->grpid &&
		      g->last.private_data[0] == reporting->private_data[0]);
		return;
	}
	check_pages(g);
	m = model_find(g);
	CHECK(m);		/* a known group, not answered before */
	CHECK(g->last.private_data[0] == m->priv);
	m->answered = true;
	old_cookies[nold++ % 64] = m->cookie;
}

/* Forget answered groups that nothing holds any more. */
static void model_compact(void)
{
	unsigned int i, j = 0;

	for (i = 0; i < nlive; i++)
		if (!live[i].answered || live[i].held)
			live[j++] = live[i];
	nlive = j;
}

static void check_counts(void)
{
	unsigned int i, pending = 0;

	for (i = 0; i < nlive; i++)
		pending += !live[i].answered;
	CHECK(t.outstanding == pending);
}

static u32 count_held(void)
{
	const struct iofault_page *p;
	u32 held = 0;

	list_for_each_entry(p, &t.partial, node)
		held++;
	CHECK(held <= t.pages_in_use);
	return held;
}

struct input {
	const u8 *p;
	size_t n;
};

static u32 take(struct input *in, u32 bound)
{
	u32 v = 0;

	if (in->n) {
		v = in->p[0];
		in->p++;
		in->n--;
	}
	return bound ? v % bound : v;
}

static void op_report(struct input *in, bool last)
{
	struct iofault_fault f = {
		.type = IOFAULT_FAULT_PAGE_REQ,
		.flags = IOFAULT_PR_PASID_VALID | (last ? IOFAULT_PR_LAST_PAGE : 0),
		.pasid = take(in, 4),
		.grpid = take(in, 16),
		.rid = take(in, 2),
		.private_data = { take(in, 0) | (u64)now << 8 },
	};
	const struct iofault_page *p;
	struct iofault_group *g = NULL;
	unsigned int before = answers;
	enum iofault_admit r;

	/* Answers at once come a little after the report. */
	shim_now_ns = now + take(in, 4);
	reporting = &f;
	r = iofault_tracker_report(&t, &f, now, &g);
	reporting = NULL;
	/* What is still held after a report is younger than the timeout. */
	p = list_empty(&t.partial) ? NULL :
	    list_first_entry(&t.partial, struct iofault_page, node);
	CHECK(!p || now < p->arrival + t.timeout_ns);
	if (!last) {
		CHECK(r == IOFAULT_ADMIT_HELD && answers == before);
		/* Room is made for a new request, within the bound. */
		CHECK(!count_held() || t.pages_in_use <= t.partial_max);
		return;
	}
	if (r == IOFAULT_ADMIT_ANSWERED) {
		CHECK(answers == before + 1);
		return;
	}
	CHECK(r == IOFAULT_ADMIT_GROUP && answers == before);
	CHECK(t.outstanding <= t.quota);
	if (!take(in, 8)) {
		/* Resolved by a handler outside iofault: it leaves unanswered. */
		u64 handoffs = t.stats.ended[IOFAULT_END_HANDOFF];

		iofault_tracker_handoff(&t, g);
		CHECK(answers == before &&
		      t.stats.ended[IOFAULT_END_HANDOFF] == handoffs + 1);
		return;
	}
	if (nlive == MAX_LIVE) {
		/* The model is full: answer it at once to keep it exact. */
		iofault_tracker_answer(&t, g, IOFAULT_RESP_SUCCESS,
				       IOFAULT_END_RESPONSE);
		return;
	}
	live[nlive++] = (struct model_group) {
		.cookie = iofault_group_cookie(&t, g),
		.rid = f.rid, .pasid = f.pasid, .grpid = f.grpid,
		.priv = f.private_data[0], .g = g,
	};
	/* Track it before its answer arrives: an owner the model knows. */
	CHECK(model_find(g) == &live[nlive - 1]);
}

static void op_respond(struct input *in)
{
	unsigned int before = answers, kind = take(in, 7);
	struct model_group *m;
	u64 cookie;
	u32 pasid, grpid, code = take(in, IOFAULT_RESP_NR + 1);
	bool may_accept;
	int err;

	if (!nlive || kind == 5) {
		/* Garbage from nowhere. */
		cookie = (u64)take(in, 0) << 40 | take(in, 0) << 8 | take(in, 0);
		err = iofault_tracker_respond(&t, cookie, take(in, 4), take(in, 16),
					      code, NULL);
		/* Accepted only if it happened to name a pending group. */
		CHECK(answers == before + !err);
		return;
	}
	if (kind == 6 && nold) {
		/* An answered group's cookie: refused, stale once reused. */
		u32 slot, gen;
		const struct iofault_group *g;

		cookie = old_cookies[take(in, nold < 64 ? nold : 64)];
		slot = cookie & ((1U << IOFAULT_COOKIE_SLOT_BITS) - 1);
		gen = (cookie >> IOFAULT_COOKIE_SLOT_BITS) &
		      ((1U << IOFAULT_COOKIE_GEN_BITS) - 1);
		g = &t.group_chunks[slot / 64][slot % 64];
		err = iofault_tracker_respond(&t, cookie, take(in, 4), take(in, 16),
					      code, NULL);
		CHECK(err && answers == before);
		if (!t.dead && (g->gen & ((1U << IOFAULT_COOKIE_GEN_BITS) - 1)) != gen &&
		    code < IOFAULT_RESP_NR)
			CHECK(err == -ESTALE);
		return;
	}
	m = &live[take(in, nlive)];
	cookie = m->cookie;
	pasid = m->pasid;
	grpid = m->grpid;
	if (kind == 1)
		pasid ^= 1;
	if (kind == 2)
		cookie ^= 1ULL << 60;
	may_accept = !m->answered && kind != 1 && kind != 2 &&
		     code < IOFAULT_RESP_NR;
	err = iofault_tracker_respond(&t, cookie, pasid, grpid, code, NULL);
	if (may_accept && !t.dead)
		CHECK(err == 0 && m->answered && answers == before + 1);
	else
		CHECK(err != 0 && answers == before);
}

static void op_hold(struct input *in)
{
	struct model_group *m;

	if (!nlive)
		return;
	m = &live[take(in, nlive)];
	if (!m->held && !m->answered) {
		m->g->held = true;
		m->held = true;
	} else if (m->held) {
		m->held = false;
		iofault_tracker_unhold(&t, m->g);
	}
}

static void op_expire(struct input *in)
{
	struct iofault_group *g;

	now += (u64)take(in, 0) * 50000000;	/* up to 12.75 s */
	shim_now_ns = now;
	while ((g = iofault_tracker_expired(&t, now))) {
		CHECK(model_find(g));
		iofault_tracker_answer(&t, g, IOFAULT_RESP_INVALID,
				       IOFAULT_END_TIMEOUT);
	}
	CHECK(!iofault_tracker_next_deadline(&t) ||
	      iofault_tracker_next_deadline(&t) > now);
}

static void op_limits(struct input *in)
{
	switch (take(in, 3)) {
	case 0:
		iofault_tracker_set_quota(&t, 1 + take(in, 0));
		break;
	case 1:
		iofault_tracker_set_partial_max(&t, take(in, 0));
		break;
	default:
		iofault_tracker_set_timeout(&t, 1 + take(in, 0) * 40);
		break;
	}
}

/* Device removal: everything answered, held groups released, no leaks. */
static void op_remove(void)
{
	unsigned int i;

	iofault_tracker_flush(&t);
	CHECK(t.outstanding == 0);
	for (i = 0; i < nlive; i++) {
		CHECK(live[i].answered);
		if (live[i].held)
			iofault_tracker_unhold(&t, live[i].g);
	}
	CHECK(t.groups_in_use == 0 && t.pages_in_use == 0);
	iofault_tracker_destroy(&t);
	CHECK(shim_live_allocs == 0);
	nlive = 0;
	nold = 0;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct input in = { data, size };

	answers = 0;
	nold = 0;
	now = 0;
	shim_now_ns = 0;
	nlive = 0;
	CHECK(iofault_tracker_init(&t, 1 + take(&in, 8), on_answer) == 0);
	iofault_tracker_set_quota(&t, 1 + take(&in, 64));
	iofault_tracker_set_partial_max(&t, take(&in, 32));
	while (in.n) {
		switch (take(&in, 8)) {
		case 0: op_report(&in, false); break;
		case 1:
		case 2: op_report(&in, true); break;
		case 3:
		case 4: op_respond(&in); break;
		case 5: op_hold(&in); break;
		case 6: op_expire(&in); break;
		default:
			if (take(&in, 4))
				op_limits(&in);
			else {
				op_remove();
				CHECK(iofault_tracker_init(&t, 1, on_answer) == 0);
			}
			break;
		}
		check_counts();
		model_compact();
	}
	op_remove();
	return 0;
}
