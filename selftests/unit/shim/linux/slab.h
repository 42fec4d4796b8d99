/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space shim: allocation. Tests can make the next allocations fail
 * (shim_fail_after) and count what is live (shim_live_allocs).
 */
#ifndef _SHIM_LINUX_SLAB_H
#define _SHIM_LINUX_SLAB_H

#include <stdlib.h>

#define GFP_KERNEL 0
#define __GFP_NOWARN 0

extern long shim_live_allocs;
extern long shim_fail_after;	/* < 0: never fail */

static inline void *kvcalloc(size_t n, size_t size, int gfp)
{
	void *p;

	(void)gfp;
	if (shim_fail_after == 0)
		return NULL;
	if (shim_fail_after > 0)
		shim_fail_after--;
	p = calloc(n, size);
	if (p)
		shim_live_allocs++;
	return p;
}

static inline void kvfree(void *p)
{
	if (p)
		shim_live_allocs--;
	free(p);
}

#endif
