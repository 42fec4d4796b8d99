// SPDX-License-Identifier: GPL-2.0
/*
 * iofuzz, the policy family's view of sysfs: what decides for a device
 * (its policy attribute) or globally (global_policy), why the last policy
 * stopped (last_exit), and the checks that a policy of the thread's shows
 * where it was attached, or no longer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

const char *fzp_target_desc(const char *target)
{
	return target[0] ? target : "(global)";
}

/* Read an attribute into buf; 0 or an errno. */
static int read_attr(const char *path, char *buf, size_t size)
{
	int n = fz_read_file(path, buf, size);

	return n < 0 ? -n : 0;
}

/* The id of device dev, -1 if it is not there; 0 for the global slot. */
long fzp_dev_id(const char *dev)
{
	char path[128], buf[32];

	if (!dev[0])
		return 0;
	snprintf(path, sizeof(path), FZ_CLASS "/%s/id", dev);
	if (read_attr(path, buf, sizeof(buf)))
		return -1;
	return strtol(buf, NULL, 10);
}

/* What decides for target: its policy attribute, or global_policy. */
int fzp_read_policy(const char *target, char *buf, size_t size)
{
	char path[128];

	if (target[0])
		snprintf(path, sizeof(path), FZ_CLASS "/%s/policy", target);
	else
		snprintf(path, sizeof(path), FZ_KOBJ "/global_policy");
	return read_attr(path, buf, size);
}

int fzp_read_last_exit(const char *target, char *buf, size_t size)
{
	char path[128];

	if (target[0])
		snprintf(path, sizeof(path), FZ_CLASS "/%s/last_exit", target);
	else
		snprintf(path, sizeof(path), FZ_KOBJ "/global_last_exit");
	return read_attr(path, buf, size);
}

/* Whether sysfs says s decides for its target. */
bool fzp_shown(const struct fzp_slot *s)
{
	char buf[96], want[64];

	if (fzp_read_policy(s->target, buf, sizeof(buf)))
		return false;
	snprintf(want, sizeof(want), "%s%s\n", s->target[0] ? "device " : "",
		 s->name);
	return !strcmp(buf, want);
}

void fzp_strip_nl(char *buf)
{
	buf[strcspn(buf, "\n")] = 0;
}

bool fzp_removed_under(const char *last, const char *name)
{
	char want[64];

	snprintf(want, sizeof(want), "device_removed 0 %s: ", name);
	return !strncmp(last, want, strlen(want));
}

/*
 * s was attached (or registered): sysfs must show it, unless it may have
 * been ejected, or its device went away: the id then differs from that of
 * the device seen holding it, or, while the device is being removed, its
 * last_exit says so. Remembers the device seen holding it.
 */
void fzp_check_shown(struct fz_thread *t, struct fzp_slot *s,
		     const char *after)
{
	char pol[96] = "", last[192] = "";
	long id0 = fzp_dev_id(s->target), id1;
	bool yes = fzp_shown(s);

	if (yes) {
		id1 = fzp_dev_id(s->target);
		s->dev_id = id0 == id1 ? id1 : -1;
		return;
	}
	if (s->ejectable)
		return;
	fzp_read_policy(s->target, pol, sizeof(pol));
	fzp_read_last_exit(s->target, last, sizeof(last));
	id1 = fzp_dev_id(s->target);
	if (s->target[0] && (s->dev_id < 0 || id0 != s->dev_id ||
			     id1 != s->dev_id || fzp_removed_under(last, s->name)))
		return;
	fzp_strip_nl(pol);
	fzp_strip_nl(last);
	fz_fail(t, "%s: %s not shown on %s: policy '%s', last_exit '%s'",
		after, s->name, fzp_target_desc(s->target), pol, last);
}

/*
 * s is detached, or failed to attach: sysfs must not show it, at once or,
 * for a link whose close detaches it, within wait_ms.
 */
void fzp_check_gone(struct fz_thread *t, const struct fzp_slot *s,
		       const char *after, unsigned int wait_ms)
{
	unsigned int waited = 0;

	while (fzp_shown(s)) {
		if (waited >= wait_ms) {
			fz_fail(t, "%s: %s still decides for %s", after,
				s->name, fzp_target_desc(s->target));
			return;
		}
		fz_sleep_ms(10);
		waited += 10;
	}
}

/* Whether text, an exit record, reads "KIND CODE POLICY: MSG", or "". */
bool fzp_exit_line_ok(const char *text)
{
	static const char *const kinds[] = {
		"detached", "replaced", "ejected_invalid_verdict",
		"ejected_timeouts", "device_removed", "init_failed",
	};
	char kind[32];
	size_t i;
	int code, n = 0;

	if (!strcmp(text, "\n"))
		return true;
	if (sscanf(text, "%31s %d %n", kind, &code, &n) != 2 || !n ||
	    !strstr(text + n, ": "))
		return false;
	for (i = 0; i < ARRAY_LEN(kinds); i++)
		if (!strcmp(kind, kinds[i]))
			return true;
	return false;
}
