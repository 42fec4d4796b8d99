// SPDX-License-Identifier: GPL-2.0
/*
 * iofault tracker: see tracker.h. Builds unchanged in the kernel and in
 * user space (selftests/unit/shim), so it includes nothing else.
 */
#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>

#include "tracker.h"

/*
 * Pools are sized by limits a user sets: a failed allocation is an errno
 * for that user, not a warning in the kernel log.
 */
#define POOL_GFP	(GFP_KERNEL | __GFP_NOWARN)

#define CHUNK_SHIFT	6		/* 64 objects a chunk */
#define CHUNK_SIZE	BIT(CHUNK_SHIFT)
#define CHUNK_MASK	(CHUNK_SIZE - 1)

#define SLOT_MASK	((1U << IOFAULT_COOKIE_SLOT_BITS) - 1)
#define GEN_MASK	((1U << IOFAULT_COOKIE_GEN_BITS) - 1)

static struct iofault_group *group_at(const struct iofault_tracker *t, u32 slot)
{
	return &t->group_chunks[slot >> CHUNK_SHIFT][slot & CHUNK_MASK];
}

u64 iofault_group_cookie(const struct iofault_tracker *t,
			 const struct iofault_group *group)
{
	return (u64)t->dev_id << (IOFAULT_COOKIE_GEN_BITS + IOFAULT_COOKIE_SLOT_BITS) |
	       (u64)(group->gen & GEN_MASK) << IOFAULT_COOKIE_SLOT_BITS |
	       group->slot;
}

/* A group's key: its requester, PASID and group index. */
static u32 group_hash(const struct iofault_fault *f)
{
	return (f->pasid * 0x9e3779b1U) ^ (f->grpid * 0x85ebca6bU) ^
	       (f->rid * 0xc2b2ae35U);
}

static bool same_group(const struct iofault_fault *a,
		       const struct iofault_fault *b)
{
	return a->pasid == b->pasid && a->grpid == b->grpid && a->rid == b->rid;
}

static struct hlist_head *bucket_of(const struct iofault_tracker *t,
				    const struct iofault_fault *f)
{
	return &t->buckets[group_hash(f) & t->bucket_mask];
}

static struct hlist_head *partial_bucket_of(const struct iofault_tracker *t,
					    const struct iofault_fault *f)
{
	return &t->partial_buckets[group_hash(f) & t->partial_mask];
}

/* Round up to a power of two, at least 2. */
static u32 pow2_above(u32 n)
{
	u32 p = 2;

	while (p < n)
		p <<= 1;
	return p;
}

/* Grow the chunk pointer array @chunks from @have to @want chunks. */
static int grow_chunk_array(void ***chunks, u32 have, u32 want)
{
	void **bigger;
	u32 i;

	bigger = kvcalloc(want, sizeof(*bigger), POOL_GFP);
	if (!bigger)
		return -ENOMEM;
	for (i = 0; i < have; i++)
		bigger[i] = (*chunks)[i];
	kvfree(*chunks);
	*chunks = bigger;
	return 0;
}

/*
 * Grow the group pool to @capacity. On failure the pool keeps the chunks it
 * got, and the tracker stays consistent.
 */
static int grow_groups(struct iofault_tracker *t, u32 capacity)
{
	u32 have = t->group_capacity >> CHUNK_SHIFT;
	u32 want = (capacity + CHUNK_MASK) >> CHUNK_SHIFT;
	struct hlist_head *buckets, *old = t->buckets;
	u32 old_mask = t->bucket_mask, c, i;
	int err = 0;

	if (want <= have)
		return 0;
	buckets = kvcalloc(pow2_above(want << CHUNK_SHIFT), sizeof(*buckets),
			   POOL_GFP);
	if (!buckets)
		return -ENOMEM;
	if (grow_chunk_array((void ***)&t->group_chunks, have, want)) {
		kvfree(buckets);
		return -ENOMEM;
	}
	for (c = have; c < want; c++) {
		t->group_chunks[c] = kvcalloc(CHUNK_SIZE, sizeof(struct iofault_group),
					      POOL_GFP);
		if (!t->group_chunks[c]) {
			err = -ENOMEM;
			break;
		}
		for (i = 0; i < CHUNK_SIZE; i++) {
			struct iofault_group *g = &t->group_chunks[c][i];

			g->slot = (c << CHUNK_SHIFT) | i;
			INIT_LIST_HEAD(&g->pages);
			INIT_LIST_HEAD(&g->qnode);
			list_add_tail(&g->node, &t->free_groups);
		}
		t->group_capacity += CHUNK_SIZE;
	}

	/* Move what is pending into the bigger table. */
	t->buckets = buckets;
	t->bucket_mask = pow2_above(want << CHUNK_SHIFT) - 1;
	for (i = 0; old && i <= old_mask; i++) {
		struct iofault_group *g;
		struct hlist_node *n;

		hlist_for_each_entry_safe(g, n, &old[i], hnode) {
			hlist_del(&g->hnode);
			hlist_add_head(&g->hnode, bucket_of(t, &g->last));
		}
	}
	kvfree(old);
	return err;
}

/*
 * Grow the page pool to @capacity, and the partial index with it (at least
 * one bucket a page). On failure the pool keeps the chunks it got.
 */
static int grow_pages(struct iofault_tracker *t, u32 capacity)
{
	u32 have = t->page_capacity >> CHUNK_SHIFT;
	u32 want = (capacity + CHUNK_MASK) >> CHUNK_SHIFT;
	struct hlist_head *buckets;
	struct iofault_page *p;
	u32 c, i;

	if (want <= have)
		return 0;
	buckets = kvcalloc(pow2_above(want << CHUNK_SHIFT), sizeof(*buckets),
			   POOL_GFP);
	if (!buckets)
		return -ENOMEM;
	if (grow_chunk_array((void ***)&t->page_chunks, have, want)) {
		kvfree(buckets);
		return -ENOMEM;
	}
	/* Index what is held again, oldest first: newest first a bucket. */
	kvfree(t->partial_buckets);
	t->partial_buckets = buckets;
	t->partial_mask = pow2_above(want << CHUNK_SHIFT) - 1;
	list_for_each_entry(p, &t->partial, node)
		hlist_add_head(&p->hnode, partial_bucket_of(t, &p->fault));
	for (c = have; c < want; c++) {
		t->page_chunks[c] = kvcalloc(CHUNK_SIZE, sizeof(struct iofault_page),
					     POOL_GFP);
		if (!t->page_chunks[c])
			return -ENOMEM;
		for (i = 0; i < CHUNK_SIZE; i++)
			list_add_tail(&t->page_chunks[c][i].node, &t->free_pages);
		t->page_capacity += CHUNK_SIZE;
	}
	return 0;
}

int iofault_tracker_init(struct iofault_tracker *t, u32 dev_id,
			 iofault_answer_fn answer)
{
	int err;

	*t = (struct iofault_tracker) {
		.dev_id = dev_id,
		.answer = answer,
		.timeout_ns = (u64)IOFAULT_TIMEOUT_DEFAULT_MS * 1000000,
	};
	INIT_LIST_HEAD(&t->free_groups);
	INIT_LIST_HEAD(&t->free_pages);
	INIT_LIST_HEAD(&t->pending);
	INIT_LIST_HEAD(&t->partial);
	if (dev_id > IOFAULT_DEV_ID_MAX)
		return -EINVAL;
	err = iofault_tracker_set_quota(t, IOFAULT_QUOTA_DEFAULT);
	if (!err)
		err = iofault_tracker_set_partial_max(t, IOFAULT_PARTIAL_DEFAULT);
	if (err)
		iofault_tracker_destroy(t);
	return err;
}

/* Frees the pools: the caller flushed the tracker and nothing is held. */
void iofault_tracker_destroy(struct iofault_tracker *t)
{
	u32 c;

	for (c = 0; c < t->group_capacity >> CHUNK_SHIFT; c++)
		kvfree(t->group_chunks[c]);
	kvfree(t->group_chunks);
	for (c = 0; c < t->page_capacity >> CHUNK_SHIFT; c++)
		kvfree(t->page_chunks[c]);
	kvfree(t->page_chunks);
	kvfree(t->buckets);
	kvfree(t->partial_buckets);
	t->group_chunks = NULL;
	t->page_chunks = NULL;
	t->buckets = NULL;
	t->partial_buckets = NULL;
	t->group_capacity = 0;
	t->page_capacity = 0;
}

/*
 * A lower quota applies to new groups only: those outstanding keep their
 * objects, and the pools never shrink while the device lives.
 */
int iofault_tracker_set_quota(struct iofault_tracker *t, u32 quota)
{
	int err;

	if (!quota || quota > IOFAULT_QUOTA_MAX)
		return -EINVAL;
	err = grow_groups(t, quota);
	if (!err)
		t->quota = quota;
	return err;
}

int iofault_tracker_set_partial_max(struct iofault_tracker *t, u32 max)
{
	int err;

	if (max > IOFAULT_PARTIAL_MAX)
		return -EINVAL;
	err = grow_pages(t, max);
	if (!err)
		t->partial_max = max;
	return err;
}

/* Deadlines are arrival + timeout, so a new timeout applies to all at once. */
int iofault_tracker_set_timeout(struct iofault_tracker *t, u64 timeout_ms)
{
	if (!timeout_ms || timeout_ms > IOFAULT_TIMEOUT_MAX_MS)
		return -EINVAL;
	t->timeout_ns = timeout_ms * 1000000;
	return 0;
}

static void drop_page(struct iofault_tracker *t, struct iofault_page *p)
{
	list_move(&p->node, &t->free_pages);
	t->pages_in_use--;
}

/* Drop a held request, counting it. */
static void drop_partial(struct iofault_tracker *t, struct iofault_page *p)
{
	hlist_del(&p->hnode);
	drop_page(t, p);
	t->stats.partial_discarded++;
}

/*
 * Drop the held requests of @key's group; returns how many. Its bucket
 * holds few others: the cost is the group's own requests, O(1) expected.
 */
static u32 drop_partial_group(struct iofault_tracker *t,
			      const struct iofault_fault *key)
{
	struct iofault_page *p;
	struct hlist_node *n;
	u32 dropped = 0;

	hlist_for_each_entry_safe(p, n, partial_bucket_of(t, key), hnode) {
		if (same_group(&p->fault, key)) {
			drop_partial(t, p);
			dropped++;
		}
	}
	return dropped;
}

/* The group whose first held request is the oldest. */
static struct iofault_page *oldest_partial(const struct iofault_tracker *t)
{
	if (list_empty(&t->partial))
		return NULL;
	return list_first_entry(&t->partial, struct iofault_page, node);
}

/*
 * Drop the incomplete groups held longer than the timeout: a device that
 * never sends their last request must not pin the pool. Checked at each
 * report, the oldest first, so it costs O(1) when nothing expired.
 */
static void age_partial(struct iofault_tracker *t, u64 now)
{
	struct iofault_page *p;
	struct iofault_fault key;

	while ((p = oldest_partial(t)) && now >= p->arrival &&
	       now - p->arrival >= t->timeout_ns) {
		key = p->fault;
		t->stats.partial_expired += drop_partial_group(t, &key);
	}
}

/*
 * Hold a non-last request. When the pool is full the oldest incomplete
 * group makes room (all its requests go): the one least likely to complete,
 * and the cost is its own requests. Pages of outstanding groups are not
 * taken back: with none held, the new request is dropped.
 */
static void hold_partial(struct iofault_tracker *t,
			 const struct iofault_fault *fault, u64 now)
{
	struct iofault_page *p;
	struct iofault_fault key;

	while ((t->pages_in_use >= t->partial_max ||
		list_empty(&t->free_pages)) && (p = oldest_partial(t))) {
		key = p->fault;
		t->stats.partial_evicted += drop_partial_group(t, &key);
	}
	if (t->pages_in_use >= t->partial_max || list_empty(&t->free_pages)) {
		t->stats.partial_discarded++;
		return;
	}
	p = list_first_entry(&t->free_pages, struct iofault_page, node);
	p->fault = *fault;
	p->arrival = now;
	list_move_tail(&p->node, &t->partial);
	hlist_add_head(&p->hnode, partial_bucket_of(t, fault));
	t->pages_in_use++;
}

/*
 * Move @g's held requests to its pages. The bucket has them newest first,
 * so adding each at the head leaves them in arrival order.
 */
static void collect_partial(struct iofault_tracker *t, struct iofault_group *g)
{
	struct iofault_page *p;
	struct hlist_node *n;

	hlist_for_each_entry_safe(p, n, partial_bucket_of(t, &g->last), hnode) {
		if (same_group(&p->fault, &g->last)) {
			hlist_del(&p->hnode);
			list_move(&p->node, &g->pages);
			g->npages++;
		}
	}
}

static struct iofault_group *find_pending(const struct iofault_tracker *t,
					  const struct iofault_fault *fault)
{
	struct iofault_group *g;

	hlist_for_each_entry(g, bucket_of(t, fault), hnode)
		if (same_group(&g->last, fault))
			return g;
	return NULL;
}

/* The histogram bucket of a latency: floor(log2(ns)), 0 for 0 and 1. */
static u32 latency_bucket(u64 ns)
{
	u32 b = ns ? 63 - __builtin_clzll(ns) : 0;

	return b < IOFAULT_LAT_BUCKETS ? b : IOFAULT_LAT_BUCKETS - 1;
}

/* Report-to-answer time of a group that arrived at @arrival. */
static u64 latency_since(u64 arrival)
{
	u64 now = ktime_get_ns();

	return now > arrival ? now - arrival : 0;
}

/* Release a group that is answered and no longer held. */
static void release_group(struct iofault_tracker *t, struct iofault_group *g)
{
	struct iofault_page *p, *n;

	list_for_each_entry_safe(p, n, &g->pages, node)
		drop_page(t, p);
	g->state = IOFAULT_GROUP_FREE;
	list_add_tail(&g->node, &t->free_groups);
	t->groups_in_use--;
}

/*
 * Answer a group that never became pending (quota, duplicate, removal):
 * the hardware gets its response, and its held requests are dropped.
 */
static void answer_at_once(struct iofault_tracker *t,
			   const struct iofault_fault *fault,
			   enum iofault_end end, u64 now)
{
	struct iofault_group g = { .last = *fault, .npages = 1, .arrival = now };
	u64 latency;

	if (!list_empty(&t->partial))
		drop_partial_group(t, fault);
	latency = latency_since(now);
	t->stats.ended[end]++;
	t->stats.codes[IOFAULT_RESP_INVALID]++;
	t->stats.latency[latency_bucket(latency)]++;
	t->answer(t, &g, IOFAULT_RESP_INVALID, end, latency);
}

enum iofault_admit iofault_tracker_report(struct iofault_tracker *t,
					  const struct iofault_fault *fault,
					  u64 now, struct iofault_group **group)
{
	struct iofault_group *g;

	t->stats.requests++;
	if (!list_empty(&t->partial))
		age_partial(t, now);
	if (!(fault->flags & IOFAULT_PR_LAST_PAGE)) {
		if (t->dead)
			t->stats.partial_discarded++;
		else
			hold_partial(t, fault, now);
		return IOFAULT_ADMIT_HELD;
	}
	if (t->dead) {
		answer_at_once(t, fault, IOFAULT_END_FLUSH, now);
		return IOFAULT_ADMIT_ANSWERED;
	}
	if (find_pending(t, fault)) {
		answer_at_once(t, fault, IOFAULT_END_DUPLICATE, now);
		return IOFAULT_ADMIT_ANSWERED;
	}
	if (t->outstanding >= t->quota || list_empty(&t->free_groups)) {
		answer_at_once(t, fault, IOFAULT_END_QUOTA, now);
		return IOFAULT_ADMIT_ANSWERED;
	}

	g = list_first_entry(&t->free_groups, struct iofault_group, node);
	list_move_tail(&g->node, &t->pending);
	g->last = *fault;
	g->npages = 1;
	g->gen++;
	g->state = IOFAULT_GROUP_PENDING;
	g->end = IOFAULT_END_NONE;
	g->held = false;
	g->owner = NULL;
	g->decider = 0;		/* set by the caller that dispatches it */
	g->arrival = now;
	hlist_add_head(&g->hnode, bucket_of(t, fault));
	if (!list_empty(&t->partial))
		collect_partial(t, g);
	t->outstanding++;
	t->groups_in_use++;
	t->stats.groups++;
	*group = g;
	return IOFAULT_ADMIT_GROUP;
}

/* Answer a pending group: the one place a tracked group reaches hardware. */
void iofault_tracker_answer(struct iofault_tracker *t,
			    struct iofault_group *g, u32 code,
			    enum iofault_end end)
{
	u64 latency = latency_since(g->arrival);

	g->state = IOFAULT_GROUP_ANSWERED;
	g->end = end;
	hlist_del(&g->hnode);
	list_del_init(&g->node);
	list_del_init(&g->qnode);
	t->outstanding--;
	t->stats.ended[end]++;
	t->stats.codes[code]++;
	t->stats.latency[latency_bucket(latency)]++;
	t->answer(t, g, code, end, latency);
	if (!g->held)
		release_group(t, g);
}

/*
 * A pending group leaves the tracker unanswered: its requests went back to
 * their other handler (behind the IOMMU core, the domain's own iopf
 * handler), which answers them itself. Counted; no code, no latency.
 */
void iofault_tracker_handoff(struct iofault_tracker *t,
			     struct iofault_group *g)
{
	g->state = IOFAULT_GROUP_ANSWERED;
	g->end = IOFAULT_END_HANDOFF;
	hlist_del(&g->hnode);
	list_del_init(&g->node);
	list_del_init(&g->qnode);
	t->outstanding--;
	t->stats.ended[IOFAULT_END_HANDOFF]++;
	release_group(t, g);
}

/*
 * Whether a cookie's generation @gen (24 bits) names a group @g's slot had
 * before its latest: one of the @g->gen issued so far, and within half the
 * range behind the latest (further back reads as never issued, which only
 * a slot reused 2^23 times since could make wrong).
 */
static bool gen_older(u32 gen, const struct iofault_group *g)
{
	u32 behind = (g->gen - gen) & GEN_MASK;

	return behind && behind < g->gen &&
	       behind < 1U << (IOFAULT_COOKIE_GEN_BITS - 1);
}

/*
 * Whether a response would be accepted, with no side effect: 0 and the
 * group, or an errno and *why. Accepted only for a pending group of this
 * device, from its owner, with its PASID and group index and a valid code.
 */
int iofault_tracker_check(struct iofault_tracker *t, u64 cookie, u32 pasid,
			  u32 grpid, u32 code, const void *owner,
			  struct iofault_group **group,
			  enum iofault_reject_reason *why)
{
	u32 slot = cookie & SLOT_MASK;
	u32 gen = (cookie >> IOFAULT_COOKIE_SLOT_BITS) & GEN_MASK;
	u64 dev = cookie >> (IOFAULT_COOKIE_GEN_BITS + IOFAULT_COOKIE_SLOT_BITS);
	struct iofault_group *g;

	if (t->dead) {
		*why = IOFAULT_REJECT_REMOVED;
		return -ENODEV;
	}
	if (dev != t->dev_id) {
		*why = IOFAULT_REJECT_WRONG_DEVICE;
		return -EXDEV;
	}
	if (code >= IOFAULT_RESP_NR) {
		*why = IOFAULT_REJECT_BAD_CODE;
		return -EINVAL;
	}
	g = slot < t->group_capacity ? group_at(t, slot) : NULL;
	if (g && (g->gen & GEN_MASK) != gen && gen_older(gen, g)) {
		/*
		 * The slot went to newer groups since: the cookie's group was
		 * answered (how, the slot no longer says). A late answer.
		 */
		*why = IOFAULT_REJECT_STALE;
		return -ESTALE;
	}
	if (!g || (g->gen & GEN_MASK) != gen ||
	    (g->state == IOFAULT_GROUP_FREE && g->end == IOFAULT_END_NONE)) {
		*why = IOFAULT_REJECT_UNKNOWN;
		return -ENOENT;
	}
	if (g->state != IOFAULT_GROUP_PENDING) {
		switch (g->end) {
		case IOFAULT_END_TIMEOUT:
			*why = IOFAULT_REJECT_TIMED_OUT;
			return -ETIMEDOUT;
		case IOFAULT_END_FLUSH:
			*why = IOFAULT_REJECT_REMOVED;
			return -ENODEV;
		default:
			*why = IOFAULT_REJECT_DUPLICATE;
			return -EALREADY;
		}
	}
	if (g->owner != owner) {
		*why = IOFAULT_REJECT_NOT_OWNER;
		return -EACCES;
	}
	if (g->last.pasid != pasid || g->last.grpid != grpid) {
		*why = IOFAULT_REJECT_WRONG_PASID;
		return -EPROTO;
	}
	*group = g;
	return 0;
}

/* Count a refused response, and tell whoever listens. Returns @err. */
int iofault_tracker_reject(struct iofault_tracker *t, u64 cookie,
			   enum iofault_reject_reason why, int err)
{
	t->stats.rejected[why]++;
	if (t->reject)
		t->reject(t, cookie, why, err);
	return err;
}

/* A response from a responder: answered, or refused and counted. */
int iofault_tracker_respond(struct iofault_tracker *t, u64 cookie, u32 pasid,
			    u32 grpid, u32 code, const void *owner)
{
	enum iofault_reject_reason why;
	struct iofault_group *g;
	int err;

	err = iofault_tracker_check(t, cookie, pasid, grpid, code, owner, &g, &why);
	if (err)
		return iofault_tracker_reject(t, cookie, why, err);
	iofault_tracker_answer(t, g, code, IOFAULT_END_RESPONSE);
	return 0;
}

/* Answer every pending group of @owner: its handler went away. */
void iofault_tracker_answer_owned(struct iofault_tracker *t, const void *owner,
				  u32 code, enum iofault_end end)
{
	struct iofault_group *g, *n;

	list_for_each_entry_safe(g, n, &t->pending, node)
		if (g->owner == owner)
			iofault_tracker_answer(t, g, code, end);
}

/* How many pending groups @owner may answer. */
u32 iofault_tracker_count_owned(const struct iofault_tracker *t,
				const void *owner)
{
	const struct iofault_group *g;
	u32 n = 0;

	list_for_each_entry(g, &t->pending, node)
		n += g->owner == owner;
	return n;
}

/* A resolver is done reading @g; it may have been answered meanwhile. */
void iofault_tracker_unhold(struct iofault_tracker *t, struct iofault_group *g)
{
	g->held = false;
	if (g->state == IOFAULT_GROUP_ANSWERED)
		release_group(t, g);
}

/* The oldest pending group if its deadline has passed, else NULL. */
struct iofault_group *iofault_tracker_expired(struct iofault_tracker *t, u64 now)
{
	struct iofault_group *g;

	if (list_empty(&t->pending))
		return NULL;
	g = list_first_entry(&t->pending, struct iofault_group, node);
	return now >= g->arrival + t->timeout_ns ? g : NULL;
}

/* When the oldest pending group expires; 0 if none is pending. */
u64 iofault_tracker_next_deadline(const struct iofault_tracker *t)
{
	const struct iofault_group *g;

	if (list_empty(&t->pending))
		return 0;
	g = list_first_entry(&t->pending, struct iofault_group, node);
	return g->arrival + t->timeout_ns;
}

/* The hardware lost requests: no held request can complete its group. */
void iofault_tracker_discard_partial(struct iofault_tracker *t)
{
	struct iofault_page *p, *n;

	list_for_each_entry_safe(p, n, &t->partial, node)
		drop_partial(t, p);
}

/*
 * The device is going away: answer every pending group, drop every held
 * request, and refuse what comes later. Groups a resolver still holds are
 * released when it lets go.
 */
void iofault_tracker_flush(struct iofault_tracker *t)
{
	struct iofault_group *g, *n;

	t->dead = true;
	list_for_each_entry_safe(g, n, &t->pending, node)
		iofault_tracker_answer(t, g, IOFAULT_RESP_INVALID,
				       IOFAULT_END_FLUSH);
	iofault_tracker_discard_partial(t);
}
