/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space shim: the clock the tracker reads when it answers a group.
 * Tests set shim_now_ns; it never moves by itself.
 */
#ifndef _SHIM_LINUX_TIMEKEEPING_H
#define _SHIM_LINUX_TIMEKEEPING_H

#include <linux/types.h>

extern u64 shim_now_ns;

static inline u64 ktime_get_ns(void)
{
	return shim_now_ns;
}

#endif
