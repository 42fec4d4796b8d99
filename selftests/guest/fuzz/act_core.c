// SPDX-License-Identifier: GPL-2.0
/* iofuzz: behind the IOMMU core (placeholder until the core family lands). */
#include "fuzz.h"

const struct fz_family fz_core_family = { .name = "core" };

int fz_core_load(uint64_t rng[2])
{
	(void)rng;
	return 0;
}

int fz_core_settle_check(void)
{
	return 0;
}

int fz_core_unload(void)
{
	return 0;
}
