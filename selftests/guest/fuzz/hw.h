/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iofuzz: iofault_mock's files and what they must say, for the hardware
 * family's actions (act_hw.c) and its checks between epochs (hw_epoch.c).
 */
#ifndef IOFUZZ_HW_H
#define IOFUZZ_HW_H

#include <stdbool.h>
#include <stddef.h>

#include "fuzz.h"

/* From kernel/mock/ (mock.h, debugfs.c, vtd.c, smmu.c). */
#define HW_PAGE		4096ULL
#define HW_ADDR_LIMIT	(1ULL << 55)	/* addresses the mock takes */
#define HW_PASID_LIMIT	(1U << 20)

/* Cookies, as kernel/tracker.h makes them: device id, generation, slot. */
#define HW_COOKIE_DEV_SHIFT	44
#define HW_COOKIE_DEV_MASK	(0xfffffULL << HW_COOKIE_DEV_SHIFT)
#define HW_COOKIE_SLOT_MASK	0xfffffULL

/* Each thread's own device: vtdN or smmuN from this N on (below 64). */
#define HW_OWN_BASE	32

#define HW_DEFERRED_MAX	64		/* deferred groups a thread looks at */
#define HW_LOG_TEXT	(1 << 20)	/* room for a whole hwlog */

enum { HW_NONE, HW_VTD, HW_SMMU };

/* The module's parameters of this epoch (set before the workers fork). */
struct hw_params {
	unsigned int vtd, smmu, prq_size, evtq_size, timeout_ms;
	bool resolver;
};

extern struct hw_params hw_params;

/* One line of a device's deferred file. */
struct hw_deferred {
	unsigned long long cookie, addr;
	unsigned int pasid, grpid;
};

/* One hardware record: a line of unplugged, or of the kernel log. */
struct hw_record {
	char name[IOFAULT_NAME_LEN];
	unsigned long long issued, answered, autoresp, unanswered, duplicate;
};

void hw_path(char *buf, size_t size, const char *dev, const char *file);
int hw_kind(const char *dev);
unsigned int hw_grpid_limit(int kind);
int hw_read_deferred(const char *dev, struct hw_deferred *d, int max);
bool hw_dev_id(const char *dev, unsigned long long *id);
bool hw_stats_ok(const char *text, char *why, size_t size);
bool hw_log_ok(const char *dev, const char *text, char *why, size_t size);
bool hw_deferred_ok(const char *text, char *why, size_t size);
bool hw_parse_record(const char *line, struct hw_record *r);
bool hw_record_ok(const struct hw_record *r, char *why, size_t size);
int hw_unplugged_check(char *why, size_t size);

#endif /* IOFUZZ_HW_H */
