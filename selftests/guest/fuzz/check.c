// SPDX-License-Identifier: GPL-2.0
/*
 * iofuzz: between epochs, in the main process. Load the modules; once the
 * workers are gone, have every device finish and check what must hold
 * whatever the workers did; then unload everything, which must succeed
 * and leave no object behind.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

static bool iofault_loaded(void)
{
	return access("/sys/module/iofault", F_OK) == 0;
}

int fz_epoch_setup(uint64_t rng[2], unsigned int epoch)
{
	int bad = 0;

	(void)epoch;
	fz_cat = FZ_CAT_RUN;
	if (!iofault_loaded() && fz_run("insmod " FZ_MODDIR "/iofault.ko")) {
		fz_main_fail("insmod iofault.ko failed");
		return 1;
	}
	bad += fz_hw_load(rng);
	bad += fz_core_load(rng);
	return bad;
}

/* Every device's counters, now that nothing is outstanding. */
static int check_counters(void)
{
	char names[64][IOFAULT_NAME_LEN], path[128], text[8192], why[160];
	unsigned long long out;
	int n = fz_devices(names, 64), i, bad = 0;

	fz_cat = FZ_CAT_COUNTERS;
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), FZ_CLASS "/%.*s/stats",
			 IOFAULT_NAME_LEN, names[i]);
		if (fz_read_file(path, text, sizeof(text)) < 0)
			continue;
		if (!fz_stats_check(text, why, sizeof(why))) {
			fz_main_fail("%s: stats do not add up: %s", names[i], why);
			bad++;
		} else if (fz_stat(text, "outstanding", &out) && out) {
			fz_main_fail("%s: %llu groups outstanding once settled",
				     names[i], out);
			bad++;
		}
	}
	return bad;
}

/* iofault's objects drop to none once every driver and policy is gone. */
static int check_objects(void)
{
	char text[128] = "";
	int i;

	for (i = 0; i < 100; i++) {
		if (fz_read_file(FZ_KOBJ "/objects", text, sizeof(text)) < 0)
			break;
		if (!strcmp(text, "devices 0\npolicies 0\n"))
			return 0;
		fz_sleep_ms(50);
	}
	fz_main_fail("objects not back to zero: %s", text);
	return 1;
}

static int unload_iofault(void)
{
	int i;

	for (i = 0; i < 100; i++) {
		if (!iofault_loaded() || !fz_run("rmmod iofault 2>/dev/null"))
			return 0;
		fz_sleep_ms(100);
	}
	fz_main_fail("iofault does not unload (references held)");
	return 1;
}

int fz_epoch_check(unsigned int epoch)
{
	int bad = 0;

	(void)epoch;
	fz_cat = FZ_CAT_OBJECTS;
	bad += fz_policy_cleanup();
	fz_cat = FZ_CAT_ONCE;
	bad += fz_hw_settle_check();
	bad += fz_core_settle_check();
	bad += check_counters();
	fz_cat = FZ_CAT_OBJECTS;
	bad += fz_hw_unload();
	bad += fz_core_unload();
	fz_cat = FZ_CAT_OBJECTS;
	bad += check_objects();
	bad += unload_iofault();
	return bad;
}
