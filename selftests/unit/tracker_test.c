// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the tracker (kernel/tracker.c, built against the shim):
 * one test per rule of docs/design.md "The tracker". Prints TAP.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tracker.h"

long shim_live_allocs;
long shim_fail_after = -1;
u64 shim_now_ns;

#define MS 1000000ULL

/* What the "hardware" received. */
struct hw_answer {
	u32 pasid, grpid, code, npages;
	enum iofault_end end;
	u64 priv0, latency;
};
static struct hw_answer hw[70000];
static unsigned int nhw;

static void hw_answer(struct iofault_tracker *t, struct iofault_group *g,
		      u32 code, enum iofault_end end, u64 latency)
{
	(void)t;
	if (nhw < sizeof(hw) / sizeof(hw[0]))
		hw[nhw] = (struct hw_answer) {
			.pasid = g->last.pasid, .grpid = g->last.grpid,
			.code = code, .end = end, .npages = g->npages,
			.priv0 = g->last.private_data[0], .latency = latency,
		};
	nhw++;
}

static int ntest, nfail;

static void ok(int cond, const char *what)
{
	ntest++;
	if (!cond)
		nfail++;
	printf("%sok %d - %s\n", cond ? "" : "not ", ntest, what);
}

static struct iofault_fault pr(u32 pasid, u32 grpid, bool last)
{
	return (struct iofault_fault) {
		.type = IOFAULT_FAULT_PAGE_REQ,
		.flags = IOFAULT_PR_PASID_VALID | (last ? IOFAULT_PR_LAST_PAGE : 0),
		.pasid = pasid, .grpid = grpid, .perm = IOFAULT_PERM_READ,
		.addr = 0x1000ULL * grpid,
	};
}

static struct iofault_tracker t;

static void fresh(void)
{
	nhw = 0;
	shim_now_ns = 0;
	if (iofault_tracker_init(&t, 7, hw_answer))
		printf("Bail out! tracker init failed\n");
}

/* Flush, check nothing is left in use, destroy, check nothing leaked. */
static void done(const char *what)
{
	char msg[160];

	iofault_tracker_flush(&t);
	snprintf(msg, sizeof(msg), "%s: objects back to zero after flush", what);
	ok(t.outstanding == 0 && t.groups_in_use == 0 && t.pages_in_use == 0, msg);
	iofault_tracker_destroy(&t);
	snprintf(msg, sizeof(msg), "%s: no allocation left", what);
	ok(shim_live_allocs == 0, msg);
}

static struct iofault_group *admit(u32 pasid, u32 grpid, u64 now)
{
	struct iofault_fault f = pr(pasid, grpid, true);
	struct iofault_group *g = NULL;

	if (iofault_tracker_report(&t, &f, now, &g) != IOFAULT_ADMIT_GROUP)
		return NULL;
	return g;
}

static void test_single_group(void)
{
	struct iofault_fault f = pr(3, 9, true);
	struct iofault_group *g;
	u64 cookie;

	fresh();
	f.flags |= IOFAULT_PR_PRIV_DATA;
	f.private_data[0] = 0xfeed;
	ok(iofault_tracker_report(&t, &f, 0, &g) == IOFAULT_ADMIT_GROUP,
	   "a last request makes a pending group");
	cookie = iofault_group_cookie(&t, g);
	ok(cookie >> 44 == 7, "its cookie names the device");
	ok(nhw == 0 && t.outstanding == 1, "nothing is answered before a verdict");
	shim_now_ns = 5 * MS;
	ok(iofault_tracker_respond(&t, cookie, 3, 9, IOFAULT_RESP_SUCCESS, NULL) == 0,
	   "a correct response is accepted");
	ok(nhw == 1 && hw[0].code == IOFAULT_RESP_SUCCESS && hw[0].end == IOFAULT_END_RESPONSE,
	   "the hardware gets it once");
	ok(hw[0].priv0 == 0xfeed, "with the request's private data");
	ok(hw[0].latency == 5 * MS, "and its latency");
	/* 5 ms is in [2^22, 2^23) ns. */
	ok(t.stats.latency[22] == 1, "the latency histogram counts it in its log2 bucket");
	done("single group");
}

static void test_assembly(void)
{
	struct iofault_fault f;
	struct iofault_group *g;
	int i;

	fresh();
	for (i = 0; i < 3; i++) {
		f = pr(1, 4, false);
		f.addr += i * 0x1000;
		ok(iofault_tracker_report(&t, &f, 0, &g) == IOFAULT_ADMIT_HELD,
		   "a non-last request is held");
	}
	f = pr(2, 4, false);
	iofault_tracker_report(&t, &f, 0, &g);
	ok(nhw == 0 && t.pages_in_use == 4, "nothing is dispatched before the last request");
	g = admit(1, 4, 0);
	ok(g && g->npages == 4, "the last request completes the group with its pages");
	ok(t.pages_in_use == 4, "another PASID's request stays held");
	iofault_tracker_answer(&t, g, IOFAULT_RESP_SUCCESS, IOFAULT_END_RESPONSE);
	ok(nhw == 1 && hw[0].npages == 4, "the group is answered once, as a whole");
	ok(t.pages_in_use == 1, "its pages return to the pool");
	done("assembly");
	ok(t.stats.partial_discarded == 1, "flush discards held requests and counts them");
}

static void hold(u32 rid, u32 pasid, u32 grpid, u64 addr, u64 now)
{
	struct iofault_fault f = pr(pasid, grpid, false);
	struct iofault_group *g;

	f.rid = rid;
	f.addr = addr;
	iofault_tracker_report(&t, &f, now, &g);
}

static void test_partial_bound(void)
{
	struct iofault_group *g;
	u32 i;

	fresh();
	ok(iofault_tracker_set_partial_max(&t, 4) == 0, "the partial bound can be set");
	hold(0, 1, 0, 0x1000, 0);	/* the oldest group: (1, 0), 2 requests */
	hold(0, 2, 0, 0x2000, 0);
	hold(0, 1, 0, 0x3000, 0);
	hold(0, 1, 1, 0x4000, 0);
	hold(0, 1, 9, 0x5000, 0);
	ok(t.pages_in_use == 3, "overflow drops the oldest incomplete group only");
	ok(t.stats.partial_discarded == 2 && t.stats.partial_evicted == 2,
	   "and counts its requests as evicted");
	g = admit(1, 0, 0);
	ok(g && g->npages == 1, "the evicted group completes without them");
	g = admit(2, 0, 0);
	ok(g && g->npages == 2, "another PASID's request was kept");
	g = admit(1, 1, 0);
	ok(g && g->npages == 2, "as was a newer group of the same PASID");
	ok(nhw == 0, "held requests are never answered by themselves");
	iofault_tracker_discard_partial(&t);
	ok(t.stats.partial_discarded == 3 && t.pages_in_use == 2,
	   "a queue overflow discards every held request");
	ok(nhw == 0, "answering nothing");
	ok(iofault_tracker_set_partial_max(&t, IOFAULT_PARTIAL_MAX + 1) == -EINVAL,
	   "a partial bound above the maximum is refused");
	done("partial bound");

	/* A device that never sends a last request cannot pin the pool. */
	fresh();
	for (i = 0; i < 3 * IOFAULT_PARTIAL_DEFAULT; i++)
		hold(0, 1, i, 0x1000ULL * i, 0);
	ok(t.pages_in_use == IOFAULT_PARTIAL_DEFAULT,
	   "endless incomplete groups keep the pool full, no more");
	hold(0, 2, 0, 0x1000, 0);
	g = admit(2, 0, 0);
	ok(g && g->npages == 2, "and another PASID's group still completes");
	done("partial eviction");
}

static void test_partial_age(void)
{
	struct iofault_group *g;

	fresh();
	hold(0, 1, 1, 0x1000, 0);
	hold(0, 1, 2, 0x2000, 2000 * MS);
	hold(0, 1, 1, 0x3000, 4000 * MS);
	ok(t.pages_in_use == 3, "requests are held within the timeout");
	hold(0, 3, 3, 0x4000, IOFAULT_TIMEOUT_DEFAULT_MS * MS);
	ok(t.pages_in_use == 2 && t.stats.partial_expired == 2 &&
	   t.stats.partial_discarded == 2,
	   "a group whose first request is older than the timeout is dropped whole");
	g = admit(1, 1, 5000 * MS);
	ok(g && g->npages == 1, "its last request then makes a group of one");
	iofault_tracker_set_timeout(&t, 1000);
	g = admit(3, 3, 5500 * MS);
	ok(g && g->npages == 2 && t.pages_in_use == 1,
	   "a held request younger than the timeout completes its group");
	ok(t.stats.partial_expired == 3, "while older ones expire at the next report");
	ok(nhw == 0, "expiry answers nothing");
	done("partial age");
}

static void test_partial_order(void)
{
	struct iofault_page *p;
	struct iofault_group *g;
	u64 want = 0x1000;
	u32 i;
	bool in_order = true;

	fresh();
	/* Interleaved with other groups that share and grow the index. */
	for (i = 0; i < 100; i++) {
		hold(0, 8, 8, 0x1000ULL * (i + 1), i);
		hold(i + 1, 8, 8 + i % 3, 0x90000000ULL, i);
		if (i == 50)
			ok(iofault_tracker_set_partial_max(&t, 4096) == 0,
			   "the partial bound grows while requests are held");
	}
	g = admit(8, 8, 100);
	ok(g && g->npages == 101, "a group collects its 100 held requests");
	list_for_each_entry(p, &g->pages, node) {
		in_order &= p->fault.addr == want && p->fault.pasid == 8 &&
			    p->fault.grpid == 8 && p->fault.rid == 0;
		want += 0x1000;
	}
	ok(in_order && want == 0x1000 * 101, "in arrival order, and only its own");
	done("partial order");
}

static void test_rid(void)
{
	struct iofault_fault f = pr(4, 4, true);
	struct iofault_group *g, *h;

	fresh();
	hold(1, 4, 4, 0x1000, 0);
	hold(2, 4, 4, 0x2000, 0);
	hold(2, 4, 4, 0x3000, 0);
	f.rid = 1;
	ok(iofault_tracker_report(&t, &f, 0, &g) == IOFAULT_ADMIT_GROUP && g->npages == 2,
	   "a group collects its own requester's held requests");
	f.rid = 2;
	ok(iofault_tracker_report(&t, &f, 0, &h) == IOFAULT_ADMIT_GROUP && h->npages == 3,
	   "the same PASID and index from another requester is another group");
	ok(nhw == 0, "not a duplicate");
	ok(iofault_tracker_report(&t, &f, 0, &h) == IOFAULT_ADMIT_ANSWERED &&
	   nhw == 1 && hw[0].end == IOFAULT_END_DUPLICATE,
	   "the same key again is a duplicate");
	done("requester id");
}

static void test_stale(void)
{
	struct iofault_group *g, *h;
	u64 c, later;
	u32 i;

	fresh();
	g = admit(5, 1, 0);
	c = iofault_group_cookie(&t, g);
	iofault_tracker_answer(&t, iofault_tracker_expired(&t, 6000 * MS),
			       IOFAULT_RESP_INVALID, IOFAULT_END_TIMEOUT);
	/* Every slot of the pool is used once more: g's slot too. */
	for (i = 0; i < IOFAULT_QUOTA_DEFAULT; i++) {
		h = admit(6, i, 6000 * MS);
		later = iofault_group_cookie(&t, h);
		if (h->slot != g->slot)
			iofault_tracker_answer(&t, h, IOFAULT_RESP_SUCCESS,
					       IOFAULT_END_RESPONSE);
		else
			break;
	}
	ok(h->slot == g->slot && later != c, "the slot goes to a newer group");
	ok(iofault_tracker_respond(&t, c, 5, 1, 0, NULL) == -ESTALE,
	   "a response to the slot's older group: ESTALE");
	ok(t.stats.rejected[IOFAULT_REJECT_STALE] == 1 &&
	   t.stats.rejected[IOFAULT_REJECT_UNKNOWN] == 0, "counted as stale, not unknown");
	ok(iofault_tracker_respond(&t, later + (1ULL << IOFAULT_COOKIE_SLOT_BITS),
				   6, h->last.grpid, 0, NULL) == -ENOENT,
	   "a generation the slot never had: ENOENT");
	ok(iofault_tracker_respond(&t, c - (1ULL << IOFAULT_COOKIE_SLOT_BITS),
				   5, 1, 0, NULL) == -ENOENT,
	   "nor one before its first group");
	ok(iofault_tracker_respond(&t, later, 6, h->last.grpid, 0, NULL) == 0,
	   "the slot's group is answered as usual");
	done("stale cookie");
}

static void test_latency(void)
{
	struct iofault_group *g;
	int owner;

	fresh();
	iofault_tracker_set_quota(&t, 2);
	g = admit(1, 1, 100);
	shim_now_ns = 400;
	iofault_tracker_answer(&t, g, IOFAULT_RESP_INVALID, IOFAULT_END_RESPONSE);
	ok(nhw == 1 && hw[0].latency == 300,
	   "a verdict's answer: the time since the report, not 0");
	g = admit(1, 2, 400);
	g->owner = &owner;
	admit(1, 3, 450);
	shim_now_ns = 1000;
	ok(!admit(1, 4, 900) && hw[1].end == IOFAULT_END_QUOTA && hw[1].latency == 100,
	   "an answer at once: the time since the report");
	ok(!admit(1, 3, 950) && hw[2].end == IOFAULT_END_DUPLICATE && hw[2].latency == 50,
	   "a duplicate too");
	shim_now_ns = 2400;
	iofault_tracker_answer_owned(&t, &owner, IOFAULT_RESP_INVALID, IOFAULT_END_CLOSE);
	ok(hw[3].end == IOFAULT_END_CLOSE && hw[3].latency == 2000, "a close");
	shim_now_ns = 3450;
	iofault_tracker_flush(&t);
	ok(hw[4].end == IOFAULT_END_FLUSH && hw[4].latency == 3000, "a removal");
	ok(t.stats.latency[0] == 0 && t.stats.latency[8] == 1 && t.stats.latency[6] == 1 &&
	   t.stats.latency[5] == 1 && t.stats.latency[10] == 1 && t.stats.latency[11] == 1,
	   "the histogram counts every answer by its real latency");
	done("latency");
}

static void test_rejects(void)
{
	struct iofault_group *g, *h;
	u64 c, ch;
	int owner;

	fresh();
	g = admit(5, 1, 0);
	c = iofault_group_cookie(&t, g);
	ok(iofault_tracker_respond(&t, c + 1000, 5, 1, 0, NULL) == -ENOENT,
	   "unknown cookie: ENOENT");
	ok(iofault_tracker_respond(&t, c ^ (1ULL << 44), 5, 1, 0, NULL) == -EXDEV,
	   "another device's cookie: EXDEV");
	ok(iofault_tracker_respond(&t, c, 6, 1, 0, NULL) == -EPROTO,
	   "wrong PASID: EPROTO");
	ok(iofault_tracker_respond(&t, c, 5, 2, 0, NULL) == -EPROTO,
	   "wrong group index: EPROTO");
	ok(iofault_tracker_respond(&t, c, 5, 1, IOFAULT_RESP_NR, NULL) == -EINVAL,
	   "bad code: EINVAL");
	ok(iofault_tracker_respond(&t, c, 5, 1, 0, &owner) == -EACCES,
	   "not the group's owner: EACCES");
	ok(nhw == 0, "no refused response reaches the hardware");
	ok(iofault_tracker_respond(&t, c, 5, 1, IOFAULT_RESP_INVALID, NULL) == 0,
	   "then the right one is accepted");
	ok(iofault_tracker_respond(&t, c, 5, 1, IOFAULT_RESP_INVALID, NULL) == -EALREADY,
	   "a duplicate: EALREADY");
	h = admit(5, 2, 0);
	ch = iofault_group_cookie(&t, h);
	h->owner = &owner;
	ok(iofault_tracker_respond(&t, ch, 5, 2, 0, &owner) == 0,
	   "an owner answers its own group");
	g = admit(5, 3, 0);
	c = iofault_group_cookie(&t, g);
	while ((g = iofault_tracker_expired(&t, 6000 * MS)))
		iofault_tracker_answer(&t, g, IOFAULT_RESP_INVALID, IOFAULT_END_TIMEOUT);
	ok(iofault_tracker_respond(&t, c, 5, 3, 0, NULL) == -ETIMEDOUT,
	   "after the timeout: ETIMEDOUT");
	g = admit(5, 4, 0);
	c = iofault_group_cookie(&t, g);
	iofault_tracker_flush(&t);
	ok(iofault_tracker_respond(&t, c, 5, 4, 0, NULL) == -ENODEV,
	   "after removal: ENODEV");
	ok(t.stats.rejected[IOFAULT_REJECT_UNKNOWN] == 1 &&
	   t.stats.rejected[IOFAULT_REJECT_WRONG_DEVICE] == 1 &&
	   t.stats.rejected[IOFAULT_REJECT_WRONG_PASID] == 2 &&
	   t.stats.rejected[IOFAULT_REJECT_BAD_CODE] == 1 &&
	   t.stats.rejected[IOFAULT_REJECT_NOT_OWNER] == 1 &&
	   t.stats.rejected[IOFAULT_REJECT_DUPLICATE] == 1 &&
	   t.stats.rejected[IOFAULT_REJECT_TIMED_OUT] == 1 &&
	   t.stats.rejected[IOFAULT_REJECT_REMOVED] == 1,
	   "every refusal is counted by its reason");
	ok(nhw == 4, "each group reached the hardware exactly once");
	done("rejects");
}

static void test_quota(void)
{
	struct iofault_group *g[5];
	u32 i;

	fresh();
	ok(iofault_tracker_set_quota(&t, 0) == -EINVAL &&
	   iofault_tracker_set_quota(&t, IOFAULT_QUOTA_MAX + 1) == -EINVAL,
	   "a quota of 0 or above the maximum is refused");
	ok(iofault_tracker_set_quota(&t, 4) == 0, "the quota can be set");
	for (i = 0; i < 5; i++)
		g[i] = admit(1, i, 0);
	ok(g[3] && !g[4], "past the quota a group is not admitted");
	ok(nhw == 1 && hw[0].end == IOFAULT_END_QUOTA && hw[0].code == IOFAULT_RESP_INVALID &&
	   hw[0].grpid == 4, "it is answered at once, INVALID");
	ok(t.stats.ended[IOFAULT_END_QUOTA] == 1, "and counted");
	iofault_tracker_answer(&t, g[0], 0, IOFAULT_END_RESPONSE);
	ok(admit(1, 5, 0) != NULL, "an answered group frees its place");
	ok(iofault_tracker_set_quota(&t, 2) == 0 && !admit(1, 6, 0),
	   "a lower quota stops new groups while more are outstanding");
	ok(t.outstanding == 4, "and leaves the outstanding ones alone");
	done("quota");
}

static void test_timeout(void)
{
	struct iofault_group *g;

	fresh();
	admit(1, 1, 0);
	admit(1, 2, 1000 * MS);
	ok(iofault_tracker_next_deadline(&t) == IOFAULT_TIMEOUT_DEFAULT_MS * MS,
	   "the deadline is arrival + the default timeout");
	ok(!iofault_tracker_expired(&t, IOFAULT_TIMEOUT_DEFAULT_MS * MS - 1),
	   "nothing expires early");
	g = iofault_tracker_expired(&t, IOFAULT_TIMEOUT_DEFAULT_MS * MS);
	ok(g && g->last.grpid == 1, "the oldest group expires first");
	iofault_tracker_answer(&t, g, IOFAULT_RESP_INVALID, IOFAULT_END_TIMEOUT);
	ok(nhw == 1 && hw[0].end == IOFAULT_END_TIMEOUT, "it is answered once by the timeout");
	ok(iofault_tracker_set_timeout(&t, 0) == -EINVAL, "a zero timeout is refused");
	ok(iofault_tracker_set_timeout(&t, 100) == 0 &&
	   iofault_tracker_next_deadline(&t) == 1100 * MS,
	   "a new timeout applies to outstanding groups too");
	done("timeout");
}

static void test_held(void)
{
	struct iofault_group *g;
	u64 c;

	fresh();
	g = admit(2, 2, 0);
	c = iofault_group_cookie(&t, g);
	g->held = true;
	iofault_tracker_answer(&t, iofault_tracker_expired(&t, 10000 * MS),
			       IOFAULT_RESP_INVALID, IOFAULT_END_TIMEOUT);
	ok(t.outstanding == 0 && t.groups_in_use == 1,
	   "a group its resolver holds stays allocated after the timeout");
	ok(iofault_tracker_respond(&t, c, 2, 2, 0, NULL) == -ETIMEDOUT,
	   "the resolver's late answer is refused");
	iofault_tracker_unhold(&t, g);
	ok(t.groups_in_use == 0 && nhw == 1, "and the group is freed when it lets go");
	done("held");
}

static void test_duplicate_group(void)
{
	fresh();
	admit(4, 4, 0);
	ok(!admit(4, 4, 0), "the same PASID and index while outstanding is not admitted");
	ok(nhw == 1 && hw[0].end == IOFAULT_END_DUPLICATE, "it is answered at once");
	ok(admit(5, 4, 0) != NULL, "the same index on another PASID is a new group");
	done("duplicate group");
}

static void test_handoff(void)
{
	struct iofault_fault f = pr(3, 9, false);
	struct iofault_group *g;
	u64 c;

	fresh();
	iofault_tracker_report(&t, &f, 0, &g);
	g = admit(3, 9, 0);
	c = iofault_group_cookie(&t, g);
	iofault_tracker_handoff(&t, g);
	ok(nhw == 0 && t.outstanding == 0 && t.groups_in_use == 0 &&
	   t.pages_in_use == 0,
	   "a group handed off leaves unanswered, its requests with it");
	ok(t.stats.ended[IOFAULT_END_HANDOFF] == 1 && t.stats.codes[0] == 0,
	   "counted as handed off, with no code");
	ok(iofault_tracker_respond(&t, c, 3, 9, 0, NULL) == -EALREADY,
	   "a response to it is refused");
	ok(iofault_tracker_expired(&t, 10000 * MS) == NULL,
	   "and no timeout answers it");
	ok(admit(3, 9, 0) != NULL, "its PASID and index are free again");
	done("handoff");
}

static void test_flush(void)
{
	struct iofault_fault f = pr(1, 1, false);
	struct iofault_group *g;
	u32 i;

	fresh();
	for (i = 0; i < 100; i++)
		admit(1, 100 + i, 0);
	iofault_tracker_report(&t, &f, 0, &g);
	iofault_tracker_flush(&t);
	ok(nhw == 100 && t.stats.ended[IOFAULT_END_FLUSH] == 100,
	   "removal answers every outstanding group once");
	f = pr(1, 1, true);
	ok(iofault_tracker_report(&t, &f, 0, &g) == IOFAULT_ADMIT_ANSWERED && nhw == 101,
	   "a group reported during removal is answered at once");
	done("flush");
}

static void test_big_quota(void)
{
	struct iofault_group *g = NULL;
	u32 i, n = 0;

	fresh();
	ok(iofault_tracker_set_quota(&t, IOFAULT_QUOTA_MAX) == 0,
	   "the pool grows to the maximum quota");
	for (i = 0; i < IOFAULT_QUOTA_MAX; i++)
		n += admit(i & 0xff, i >> 8, 0) != NULL;
	ok(n == IOFAULT_QUOTA_MAX, "65536 groups are outstanding at once");
	g = admit(1000, 0, 0);
	ok(!g && t.stats.ended[IOFAULT_END_QUOTA] == 1, "and the next one is over quota");
	done("big quota");
	ok(nhw == IOFAULT_QUOTA_MAX + 1, "all of them answered exactly once");
}

static void test_alloc_failure(void)
{
	fresh();
	shim_fail_after = 0;
	ok(iofault_tracker_set_quota(&t, 4096) == -ENOMEM,
	   "a failed allocation fails the quota change");
	shim_fail_after = 3;
	ok(iofault_tracker_set_quota(&t, 4096) == -ENOMEM,
	   "as does one failing half way");
	shim_fail_after = -1;
	ok(t.quota == IOFAULT_QUOTA_DEFAULT, "the quota is unchanged");
	ok(admit(1, 1, 0) != NULL, "and the tracker still works");
	done("allocation failure");
	shim_fail_after = 1;
	ok(iofault_tracker_init(&t, 1, hw_answer) == -ENOMEM && shim_live_allocs == 0,
	   "a failed init leaks nothing");
	shim_fail_after = -1;
}

int main(void)
{
	test_single_group();
	test_assembly();
	test_partial_bound();
	test_partial_age();
	test_partial_order();
	test_rid();
	test_stale();
	test_latency();
	test_rejects();
	test_quota();
	test_timeout();
	test_held();
	test_duplicate_group();
	test_handoff();
	test_flush();
	test_big_quota();
	test_alloc_failure();
	printf("1..%d\n", ntest);
	return nfail != 0;
}
