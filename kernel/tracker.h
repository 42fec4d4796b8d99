/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iofault tracker: the outstanding page request groups of one device.
 *
 * It assembles groups from their page requests, admits them within a quota,
 * hands out cookies, checks every response against what is outstanding,
 * finds expired groups, and answers each group to the hardware exactly once
 * through one callback. It allocates only when its limits are raised; the
 * fault path (report, answer, respond) takes objects from its pools.
 *
 * A group is named by its key: the requester (rid), PASID and group index
 * of its requests. Requests of a group that is not complete yet are held,
 * indexed by key, and age: past the timeout, or when room is needed for
 * newer ones, the oldest such group's requests are dropped (counted).
 *
 * Report-to-answer latency is measured for every answer: the report's
 * time is the caller's @now, the answer's is read from the clock
 * (ktime_get_ns()) just before the answer callback runs.
 *
 * The caller serialises all calls on one tracker (the core holds the
 * device's mutex). The code uses nothing but lists, allocation and the
 * types below, so it also builds in user space against a thin shim for
 * unit tests and fuzzing (selftests/unit).
 */
#ifndef _IOFAULT_TRACKER_H
#define _IOFAULT_TRACKER_H

#include <linux/iofault.h>
#include <linux/list.h>
#include <linux/types.h>

/* Defaults and bounds of the per-device limits. */
#define IOFAULT_QUOTA_DEFAULT		1024	/* outstanding groups */
#define IOFAULT_QUOTA_MAX		65536
#define IOFAULT_PARTIAL_DEFAULT		256	/* held non-last requests */
#define IOFAULT_PARTIAL_MAX		65536
#define IOFAULT_TIMEOUT_DEFAULT_MS	5000
#define IOFAULT_TIMEOUT_MAX_MS		3600000

/* A cookie: device id, generation of its slot, slot. */
#define IOFAULT_COOKIE_SLOT_BITS	20
#define IOFAULT_COOKIE_GEN_BITS		24
#define IOFAULT_COOKIE_DEV_BITS		20
#define IOFAULT_DEV_ID_MAX		((1U << IOFAULT_COOKIE_DEV_BITS) - 1)

/* How a group came to be answered. */
enum iofault_end {
	IOFAULT_END_NONE,	/* still outstanding */
	IOFAULT_END_RESPONSE,	/* a verdict, the resolver or a responder */
	IOFAULT_END_TIMEOUT,	/* its deadline passed */
	IOFAULT_END_FLUSH,	/* its device went away */
	IOFAULT_END_CLOSE,	/* its user-space handler closed its descriptor */
	IOFAULT_END_QUOTA,	/* at once: the device had too many outstanding */
	IOFAULT_END_DUPLICATE,	/* at once: a group of the same key outstanding */
	IOFAULT_END_HANDOFF,	/* unanswered: given back to whoever answers it */
	IOFAULT_END_NR,
};

enum iofault_group_state {
	IOFAULT_GROUP_FREE,
	IOFAULT_GROUP_PENDING,
	IOFAULT_GROUP_ANSWERED,	/* answered, but still held by its resolver */
};

/* A request of a group whose last request has not arrived yet. */
struct iofault_page {
	struct iofault_fault fault;
	u64 arrival;			/* ns, when it was reported */
	struct hlist_node hnode;	/* partial index by key, while held */
	struct list_head node;	/* partial list, a group's pages or free list */
};

struct iofault_group {
	struct iofault_fault last;	/* private data included: never copied out */
	struct list_head pages;		/* the group's earlier requests */
	u32 npages;			/* requests in the group, last included */
	u32 slot;
	u32 gen;			/* groups the slot had; cookies carry 24 bits */
	u8 state;			/* enum iofault_group_state */
	u8 end;				/* enum iofault_end of the latest group */
	bool held;			/* a resolver still reads it */
	const void *owner;		/* who may respond; NULL: the kernel */
	u64 decider;			/* id of the policy that decided; 0: none */
	u64 arrival;			/* ns, when the last request was reported */
	struct hlist_node hnode;	/* by (rid, pasid, grpid), while pending */
	struct list_head node;		/* pending list by arrival, or free list */
	struct list_head qnode;		/* the queue of whoever works on it */
};

/* Latency histogram: bucket i counts answers after [2^i, 2^(i+1)) ns. */
#define IOFAULT_LAT_BUCKETS	40

struct iofault_tracker_stats {
	u64 requests;			/* page requests reported */
	u64 groups;			/* groups admitted */
	u64 partial_discarded;		/* non-last requests dropped, all causes */
	u64 partial_evicted;		/* of those: their group was the oldest */
	u64 partial_expired;		/* of those: held longer than the timeout */
	u64 ended[IOFAULT_END_NR];	/* groups answered, by how */
	u64 codes[IOFAULT_RESP_NR];	/* groups answered, by code */
	u64 rejected[IOFAULT_REJECT_NR];	/* responses refused, by reason */
	u64 latency[IOFAULT_LAT_BUCKETS];	/* every answer, report to answer */
};

struct iofault_tracker;

/* Send @code for @group to the hardware: called exactly once per group. */
typedef void (*iofault_answer_fn)(struct iofault_tracker *t,
				  struct iofault_group *group, u32 code,
				  enum iofault_end end, u64 latency_ns);

/* Told of each refused response (for tracing); may be NULL. */
typedef void (*iofault_reject_fn)(struct iofault_tracker *t, u64 cookie,
				  enum iofault_reject_reason why, int err);

struct iofault_tracker {
	u32 dev_id;
	u32 quota;
	u32 partial_max;
	u64 timeout_ns;
	bool dead;			/* flushed: the device is going away */
	iofault_answer_fn answer;
	iofault_reject_fn reject;

	u32 outstanding;		/* pending groups */
	u32 groups_in_use;		/* group objects not free */
	u32 pages_in_use;		/* page objects not free */

	/* Pools: chunks of objects, grown when a limit is raised. */
	struct iofault_group **group_chunks;
	u32 group_capacity;
	struct list_head free_groups;	/* FIFO: a slot is reused late */
	struct iofault_page **page_chunks;
	u32 page_capacity;
	struct list_head free_pages;

	struct hlist_head *buckets;	/* pending groups by key */
	u32 bucket_mask;
	struct list_head pending;	/* by arrival, hence by deadline */
	/*
	 * Held non-last requests: all by arrival (the oldest group's first
	 * request first), and by key, newest first in their bucket.
	 */
	struct list_head partial;
	struct hlist_head *partial_buckets;
	u32 partial_mask;

	struct iofault_tracker_stats stats;
};

/* What iofault_tracker_report() did with a request. */
enum iofault_admit {
	IOFAULT_ADMIT_HELD,	/* a non-last request, held (or dropped) */
	IOFAULT_ADMIT_ANSWERED,	/* its group was answered at once */
	IOFAULT_ADMIT_GROUP,	/* a new pending group, for the policy */
};

int iofault_tracker_init(struct iofault_tracker *t, u32 dev_id,
			 iofault_answer_fn answer);
void iofault_tracker_destroy(struct iofault_tracker *t);

int iofault_tracker_set_quota(struct iofault_tracker *t, u32 quota);
int iofault_tracker_set_partial_max(struct iofault_tracker *t, u32 max);
int iofault_tracker_set_timeout(struct iofault_tracker *t, u64 timeout_ms);

enum iofault_admit iofault_tracker_report(struct iofault_tracker *t,
					  const struct iofault_fault *fault,
					  u64 now, struct iofault_group **group);
void iofault_tracker_answer(struct iofault_tracker *t,
			    struct iofault_group *group, u32 code,
			    enum iofault_end end);
int iofault_tracker_check(struct iofault_tracker *t, u64 cookie, u32 pasid,
			  u32 grpid, u32 code, const void *owner,
			  struct iofault_group **group,
			  enum iofault_reject_reason *why);
int iofault_tracker_reject(struct iofault_tracker *t, u64 cookie,
			   enum iofault_reject_reason why, int err);
int iofault_tracker_respond(struct iofault_tracker *t, u64 cookie, u32 pasid,
			    u32 grpid, u32 code, const void *owner);
u32 iofault_tracker_count_owned(const struct iofault_tracker *t,
				const void *owner);
void iofault_tracker_answer_owned(struct iofault_tracker *t, const void *owner,
				  u32 code, enum iofault_end end);
void iofault_tracker_handoff(struct iofault_tracker *t,
			     struct iofault_group *group);
void iofault_tracker_unhold(struct iofault_tracker *t,
			    struct iofault_group *group);

struct iofault_group *iofault_tracker_expired(struct iofault_tracker *t,
					      u64 now);
u64 iofault_tracker_next_deadline(const struct iofault_tracker *t);
void iofault_tracker_discard_partial(struct iofault_tracker *t);
void iofault_tracker_flush(struct iofault_tracker *t);

u64 iofault_group_cookie(const struct iofault_tracker *t,
			 const struct iofault_group *group);

#endif /* _IOFAULT_TRACKER_H */
