/* SPDX-License-Identifier: GPL-2.0 */
/* User-space shim: errno values, the same numbers as the kernel's. */
#include_next <linux/errno.h>
