// SPDX-License-Identifier: GPL-2.0
/*
 * tracker_cost OUTSTANDING PAIRS [PARTIALS]: drive the tracker (kernel/tracker.c,
 * built for the host against selftests/unit/shim, -O2 as in the kernel)
 * the way the fault path does, for valgrind --tool=callgrind to count the
 * instructions it executes (tools/bench/run.sh).
 *
 * It sets the quota to OUTSTANDING, holds OUTSTANDING - 1 groups pending
 * (never answered), then makes PAIRS report+response pairs: each reports
 * the single request of a new group (LAST_PAGE, with a PASID), takes its
 * cookie as the resolver does, and responds to it, which answers it to the
 * "hardware" (the callback below) and frees it. So each pair finds
 * OUTSTANDING groups pending once its own is admitted.
 *
 * With PARTIALS (1 to 65536), the partial bound is PARTIALS and as many
 * non-last requests of groups that never complete are held first; then
 * each pair begins with one more such request, which finds the pool full
 * and evicts the oldest incomplete group. So each pair costs an overflow,
 * and a last request that looks for its own held requests among PARTIALS.
 *
 * Callgrind counts only inside iofault_tracker_report(),
 * iofault_group_cookie() and iofault_tracker_respond() (with everything
 * they call, inlined or not: the tracker's static helpers, the shim's list
 * operations), minus the answer callback, which is the driver's and not
 * the tracker's (run.sh toggles collection on entering and leaving each of
 * the four). The setup, the held groups and the final flush are counted
 * too, once: run.sh runs two PAIRS counts and divides the difference of
 * the totals by the difference of the pair counts.
 */
#include <stdio.h>
#include <stdlib.h>

#include "tracker.h"

long shim_live_allocs;
long shim_fail_after = -1;
u64 shim_now_ns;

static unsigned long answered;

/* The driver's page_response(): not the tracker's cost (not counted). */
__attribute__((noinline))
static void bench_answer(struct iofault_tracker *t, struct iofault_group *g,
			 u32 code, enum iofault_end end, u64 latency_ns)
{
	(void)t;
	(void)g;
	(void)code;
	(void)end;
	(void)latency_ns;
	answered++;
}

static struct iofault_fault request(u32 pasid, u32 grpid, u64 addr)
{
	return (struct iofault_fault) {
		.type = IOFAULT_FAULT_PAGE_REQ,
		.flags = IOFAULT_PR_PASID_VALID | IOFAULT_PR_LAST_PAGE |
			 IOFAULT_PR_RESP_NEEDS_PASID,
		.pasid = pasid,
		.grpid = grpid,
		.perm = IOFAULT_PERM_READ,
		.addr = addr,
	};
}

static int die(const char *what)
{
	fprintf(stderr, "tracker_cost: %s\n", what);
	return 1;
}

int main(int argc, char **argv)
{
	static struct iofault_tracker t;
	struct iofault_group *g;
	struct iofault_fault f;
	unsigned long held, pairs, partials = 0, i;
	u64 now = 0, cookie;

	if (argc != 3 && argc != 4)
		return die("usage: tracker_cost OUTSTANDING PAIRS [PARTIALS]");
	held = strtoul(argv[1], NULL, 0);
	pairs = strtoul(argv[2], NULL, 0);
	if (argc == 4)
		partials = strtoul(argv[3], NULL, 0);
	if (!held || held > IOFAULT_QUOTA_MAX)
		return die("OUTSTANDING: 1 to 65536");
	if (argc == 4 && (!partials || partials > IOFAULT_PARTIAL_MAX))
		return die("PARTIALS: 1 to 65536");
	if (iofault_tracker_init(&t, 7, bench_answer) ||
	    iofault_tracker_set_quota(&t, held) ||
	    (partials && iofault_tracker_set_partial_max(&t, partials)))
		return die("cannot set the tracker up");
	held--;

	/* Incomplete groups: PASID 3 on, one request each, never completed. */
	for (i = 0; i < partials; i++) {
		f = request(3 + i / 512, i % 512, 0x300000000ULL + (i << 12));
		f.flags &= ~IOFAULT_PR_LAST_PAGE;
		iofault_tracker_report(&t, &f, now, &g);
	}
	if (t.pages_in_use != partials)
		return die("the partial requests were not held");

	/* Held groups: PASID 2, one group index each, as a device's PRGIs. */
	for (i = 0; i < held; i++) {
		f = request(2 + i / 512, i % 512, 0x200000000ULL + (i << 12));
		if (iofault_tracker_report(&t, &f, now, &g) != IOFAULT_ADMIT_GROUP)
			return die("a held group was not admitted");
	}

	/* The measured pairs: PASID 1, group indexes cycling as a PRG's. */
	for (i = 0; i < pairs; i++) {
		now += 1000;
		shim_now_ns = now + 500;
		if (partials) {
			f = request(3 + (partials + i) / 512, (partials + i) % 512,
				    0x300000000ULL + ((partials + i) << 12));
			f.flags &= ~IOFAULT_PR_LAST_PAGE;
			iofault_tracker_report(&t, &f, now, &g);
		}
		f = request(1, i % 512, 0x100000000ULL + ((i % 4096) << 12));
		if (iofault_tracker_report(&t, &f, now, &g) != IOFAULT_ADMIT_GROUP)
			return die("a measured group was not admitted");
		cookie = iofault_group_cookie(&t, g);
		if (iofault_tracker_respond(&t, cookie, f.pasid, f.grpid,
					    IOFAULT_RESP_SUCCESS, NULL))
			return die("a response was refused");
	}

	if (answered != pairs || t.outstanding != held ||
	    t.pages_in_use != partials ||
	    t.stats.partial_evicted != (partials ? pairs : 0))
		return die("the tracker lost count");
	iofault_tracker_flush(&t);
	iofault_tracker_destroy(&t);
	if (shim_live_allocs)
		return die("allocations left");
	return 0;
}
