// SPDX-License-Identifier: GPL-2.0
/* iofuzz: the mock hardware (placeholder until the hw family lands). */
#include "fuzz.h"

const struct fz_family fz_hw_family = { .name = "hw" };

int fz_hw_load(uint64_t rng[2])
{
	(void)rng;
	if (fz_run("insmod " FZ_MODDIR "/iofault_mock.ko")) {
		fz_main_fail("insmod iofault_mock.ko failed");
		return 1;
	}
	return 0;
}

int fz_hw_settle_check(void)
{
	return 0;
}

int fz_hw_unload(void)
{
	return fz_run("rmmod iofault_mock") ? 1 : 0;
}
