/* SPDX-License-Identifier: GPL-2.0 */
/* Shim of <linux/bits.h> for building the tracker in user space. */
#ifndef _SHIM_LINUX_BITS_H
#define _SHIM_LINUX_BITS_H

#define BIT(nr)		(1UL << (nr))

#endif
