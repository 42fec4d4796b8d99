// SPDX-License-Identifier: GPL-2.0
/* iofuzz: policies (placeholder until the policy family lands). */
#include "fuzz.h"

const struct fz_family fz_policy_family = { .name = "policy" };

int fz_policy_cleanup(void)
{
	fz_run("iofaultctl detach --all >/dev/null 2>&1");
	return 0;
}
