// SPDX-License-Identifier: GPL-2.0
/*
 * iofuzz, core family: iommu_mock's files, iofault's adopt and release
 * ioctls, and what the mock's hardware recorded (hwstats, unplugged).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core.h"

/* Which load of iofault this is (its sysfs directory's inode); 0: none. */
unsigned long long core_iofault_gen(void)
{
	struct stat s;

	return stat(CORE_MODULE, &s) ? 0 : (unsigned long long)s.st_ino;
}

bool core_dev_present(unsigned int k)
{
	char path[64];

	snprintf(path, sizeof(path), FZ_IMOCK "/sva%u", k);
	return access(path, F_OK) == 0;
}

/* Write text to a device's control file; 0 or an errno. */
int core_mock_write(unsigned int k, const char *file, const char *text)
{
	char path[96];

	snprintf(path, sizeof(path), FZ_IMOCK "/sva%u/%s", k, file);
	return -fz_write_file(path, text);
}

/* "none" or the PASID in decimal, into buf. */
const char *core_pasid_text(unsigned int pasid, char buf[16])
{
	if (pasid)
		snprintf(buf, 16, "%u", pasid);
	else
		snprintf(buf, 16, "none");
	return buf;
}

/* The iofault device of an adopted or attached PASID. */
static void slot_name(unsigned int k, unsigned int pasid,
		      char name[IOFAULT_NAME_LEN])
{
	if (pasid)
		snprintf(name, IOFAULT_NAME_LEN, "sva%u.pasid%u", k, pasid);
	else
		snprintf(name, IOFAULT_NAME_LEN, "sva%u", k);
}

bool core_class_exists(unsigned int k, unsigned int pasid)
{
	char name[IOFAULT_NAME_LEN], path[96];

	slot_name(k, pasid, name);
	snprintf(path, sizeof(path), FZ_CLASS "/%s", name);
	return access(path, F_OK) == 0;
}

/* Adopt or release (cmd) with the request as it is; an errno or ABSENT. */
int core_adopt_ioctl(unsigned long cmd, const void *req)
{
	int fd = open(FZ_CTL, O_RDWR | O_CLOEXEC), err;

	if (fd < 0)
		return CORE_IOCTL_ABSENT;
	err = ioctl(fd, cmd, req) < 0 ? errno : 0;
	close(fd);
	return err;
}

void core_adopt_req(struct iofault_adopt_req *req, unsigned int k,
		      unsigned int pasid)
{
	memset(req, 0, sizeof(*req));
	req->size = sizeof(*req);
	if (pasid) {
		req->flags = IOFAULT_ADOPT_PASID;
		req->pasid = pasid;
	}
	snprintf(req->dev, sizeof(req->dev), "sva%u", k);
}

/* The line of the bind file text for a PASID (0: the device), or NULL. */
const char *core_bind_line(const char *text, unsigned int pasid)
{
	char want[24], pw[16];
	const char *p;

	snprintf(want, sizeof(want), "pasid=%s ", core_pasid_text(pasid, pw));
	for (p = text; *p; p += *p == '\n') {
		if (!strncmp(p, want, strlen(want)))
			return p;
		p += strcspn(p, "\n");
	}
	return NULL;
}

static bool hw_parse(const char *text, struct core_hw *h)
{
	return fz_stat(text, "responses", &h->responses) &&
	       fz_stat(text, "success", &h->success) &&
	       fz_stat(text, "invalid", &h->invalid) &&
	       fz_stat(text, "failure", &h->failure) &&
	       fz_stat(text, "issued", &h->issued) &&
	       fz_stat(text, "answered", &h->answered) &&
	       fz_stat(text, "unanswered", &h->unanswered) &&
	       fz_stat(text, "duplicate", &h->duplicate) &&
	       fz_stat(text, "mismatch", &h->mismatch) &&
	       fz_stat(text, "requests", &h->requests) &&
	       fz_stat(text, "hits", &h->hits) &&
	       fz_stat(text, "stopped", &h->stopped);
}

/* 0, or an errno (with h unset) */
int core_hw_read(unsigned int k, struct core_hw *h)
{
	char path[64], text[512];
	int n;

	snprintf(path, sizeof(path), FZ_IMOCK "/sva%u/hwstats", k);
	n = fz_read_file(path, text, sizeof(text));
	if (n < 0)
		return -n;
	return hw_parse(text, h) ? 0 : EBADMSG;
}

/*
 * What holds at any time (one snapshot, taken under the device's lock):
 * no answer twice or to a group not issued, each group issued is
 * answered, dropped with its PASID (stopped) or outstanding, each answer
 * has a code. Writes why not into why.
 */
bool core_hw_sane(const struct core_hw *h, char *why, size_t size)
{
	if (h->duplicate || h->mismatch)
		snprintf(why, size, "duplicate %llu mismatch %llu",
			 h->duplicate, h->mismatch);
	else if (h->issued != h->answered + h->stopped + h->unanswered)
		snprintf(why, size, "issued %llu != answered %llu + stopped %llu + unanswered %llu",
			 h->issued, h->answered, h->stopped, h->unanswered);
	else if (h->responses != h->answered)
		snprintf(why, size, "responses %llu != answered %llu",
			 h->responses, h->answered);
	else if (h->success + h->invalid + h->failure != h->responses)
		snprintf(why, size, "codes %llu+%llu+%llu != responses %llu",
			 h->success, h->invalid, h->failure, h->responses);
	else if (h->unanswered > CORE_GRPIDS)
		snprintf(why, size, "unanswered %llu", h->unanswered);
	else
		return true;
	return false;
}

bool core_unplugged_parse(const char *line, struct core_unplugged *u)
{
	return sscanf(line, "sva%u issued %llu answered %llu success %llu invalid %llu failure %llu unanswered %llu duplicate %llu mismatch %llu",
		      &u->k, &u->issued, &u->answered, &u->success,
		      &u->invalid, &u->failure, &u->unanswered,
		      &u->duplicate, &u->mismatch) == 9;
}

/* What holds of an unplugged device's record (its stopped ones not shown). */
bool core_unplugged_sane(const struct core_unplugged *u, char *why, size_t size)
{
	if (u->duplicate || u->mismatch)
		snprintf(why, size, "duplicate %llu mismatch %llu",
			 u->duplicate, u->mismatch);
	else if (u->answered + u->unanswered > u->issued)
		snprintf(why, size, "answered %llu + unanswered %llu > issued %llu",
			 u->answered, u->unanswered, u->issued);
	else if (u->success + u->invalid + u->failure != u->answered)
		snprintf(why, size, "codes %llu+%llu+%llu != answered %llu",
			 u->success, u->invalid, u->failure, u->answered);
	else
		return true;
	return false;
}

/* The unplugged file's line of device k: 1, none: 0, unreadable: -1. */
int core_unplugged_find(unsigned int k, struct core_unplugged *u)
{
	char text[4096], *line, *save;

	if (fz_read_file(FZ_IMOCK "/unplugged", text, sizeof(text)) < 0)
		return -1;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (core_unplugged_parse(line, u) && u->k == k)
			return 1;
	return 0;
}
