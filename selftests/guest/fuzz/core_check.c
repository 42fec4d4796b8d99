// SPDX-License-Identifier: GPL-2.0
/*
 * iofuzz, core family: the main process's side, between epochs. Load
 * iommu_mock with random parameters; once the workers are gone, release
 * and unbind what they left, settle every device and check that each
 * group its hardware issued was answered exactly once, or dropped with
 * its PASID and then counted by iofault; unplug everything and unload.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core.h"

/* What the epoch started with. */
static struct {
	unsigned int ndev;
	unsigned long long gen;		/* iofault's load */
	unsigned long long unplaced, detached;
	bool counted;			/* the two above were read */
	/* What the settle check found, for its summary line */
	unsigned int adoptions_left, binds_left, orphans, unplugged;
	unsigned long long issued, freed;
} core_epoch;

static bool imock_loaded(void)
{
	return access("/sys/module/iommu_mock", F_OK) == 0;
}

static bool iopf_read(unsigned long long *unplaced,
		      unsigned long long *detached,
		      unsigned long long *orphans)
{
	char text[256];

	return fz_read_file(CORE_IOPF, text, sizeof(text)) > 0 &&
	       fz_stat(text, "unplaced", unplaced) &&
	       fz_stat(text, "detached", detached) &&
	       fz_stat(text, "orphans", orphans);
}

int fz_core_load(uint64_t rng[2])
{
	unsigned long long orphans;
	unsigned int k, bad, ndev;

	if (imock_loaded()) {
		fz_main_fail("iommu_mock is loaded before the epoch");
		return 1;
	}
	/* Parameters the module refuses: no device, more than it has room for. */
	if (fz_next(rng) % 4 == 0) {
		bad = fz_next(rng) % 2 ? 0 : 65;
		if (!fz_run("insmod " FZ_MODDIR "/iommu_mock.ko ndev=%u 2>/dev/null",
			    bad) || imock_loaded()) {
			fz_main_fail("iommu_mock loaded with ndev=%u", bad);
			return 1;
		}
	}
	ndev = 1 + fz_next(rng) % CORE_DEVS;
	if (fz_run("insmod " FZ_MODDIR "/iommu_mock.ko ndev=%u", ndev)) {
		fz_main_fail("insmod iommu_mock.ko ndev=%u failed", ndev);
		return 1;
	}
	for (k = 0; k < ndev; k++) {
		if (!core_dev_present(k)) {
			fz_main_fail("iommu_mock ndev=%u: no sva%u", ndev, k);
			return 1;
		}
	}
	memset(&core_epoch, 0, sizeof(core_epoch));
	core_epoch.ndev = ndev;
	core_epoch.gen = core_iofault_gen();
	core_epoch.counted = iopf_read(&core_epoch.unplaced,
				       &core_epoch.detached, &orphans);
	close(open(CORE_LOCK, O_RDWR | O_CREAT | O_CLOEXEC, 0600));
	return 0;
}

/* Apply fn to each bind line of each present device; failures counted. */
static int each_bind(int (*fn)(unsigned int k, unsigned int pasid,
			       bool via_iofault))
{
	char path[64], text[16384], *line, *save;
	unsigned int k, pasid;
	int bad = 0;

	for (k = 0; k < core_epoch.ndev; k++) {
		snprintf(path, sizeof(path), FZ_IMOCK "/sva%u/bind", k);
		if (fz_read_file(path, text, sizeof(text)) < 0)
			continue;
		for (line = strtok_r(text, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			if (!strncmp(line, "pasid=none ", 11))
				pasid = 0;
			else if (sscanf(line, "pasid=%u ", &pasid) != 1)
				continue;
			bad += fn(k, pasid, strstr(line, " via=iofault") != NULL);
		}
	}
	return bad;
}

/* An adoption whose owner is still bound: release it (the original back). */
static int release_bound(unsigned int k, unsigned int pasid, bool via_iofault)
{
	struct iofault_adopt_req req;
	int err;

	if (via_iofault || !core_class_exists(k, pasid))
		return 0;
	core_adopt_req(&req, k, pasid);
	err = core_adopt_ioctl(IOFAULT_IOC_RELEASE, &req);
	if (err && err != CORE_IOCTL_ABSENT) {
		fz_main_fail("release sva%u PASID %u left by a worker: %s", k,
			     pasid, strerror(err));
		return 1;
	}
	core_epoch.adoptions_left += !err;
	return 0;
}

static int unbind_left(unsigned int k, unsigned int pasid, bool via_iofault)
{
	char line[32], pw[16];
	int err;

	(void)via_iofault;
	snprintf(line, sizeof(line), "pasid=%s", core_pasid_text(pasid, pw));
	err = core_mock_write(k, "unbind", line);
	if (err) {
		fz_main_fail("unbind sva%u '%s' left by a worker: %s", k, line,
			     strerror(err));
		return 1;
	}
	core_epoch.binds_left++;
	return 0;
}

/*
 * Release what iofault may still hold of every device and PASID, by name:
 * the adoptions whose owner went first (orphans), on present and
 * unplugged devices alike. Every domain is gone by now.
 */
static int release_orphans(void)
{
	struct iofault_adopt_req req;
	unsigned int k, pasid;
	int err, bad = 0;

	for (k = 0; k < core_epoch.ndev; k++) {
		for (pasid = 0; pasid < CORE_PASIDS; pasid++) {
			core_adopt_req(&req, k, pasid);
			err = core_adopt_ioctl(IOFAULT_IOC_RELEASE, &req);
			if (err == CORE_IOCTL_ABSENT)
				return bad;
			core_epoch.orphans += !err;
			if (err && err != ENOENT && err != ENODEV) {
				fz_main_fail("release sva%u PASID %u: %s", k,
					     pasid, strerror(err));
				bad++;
			}
		}
	}
	return bad;
}

/*
 * Each device present settled: every group it issued answered once, or
 * dropped with its PASID (stopped). Adds up those dropped.
 */
static int check_present(unsigned long long *dropped)
{
	unsigned int k;
	struct core_hw h;
	char why[160];
	int err, bad = 0;

	for (k = 0; k < core_epoch.ndev; k++) {
		if (!core_dev_present(k))
			continue;
		err = core_mock_write(k, "settle", "1");
		if (!err)
			err = core_hw_read(k, &h);
		if (err) {
			fz_main_fail("sva%u: settle or hwstats: %s", k, strerror(err));
			bad++;
		} else if (!core_hw_sane(&h, why, sizeof(why))) {
			fz_main_fail("sva%u once settled: %s", k, why);
			bad++;
		} else if (h.unanswered) {
			fz_main_fail("sva%u: %llu groups unanswered once settled, nothing bound",
				     k, h.unanswered);
			bad++;
		} else {
			*dropped += h.stopped;
			core_epoch.issued += h.issued;
		}
	}
	return bad;
}

/*
 * The devices unplugged: no answer twice; each left unanswered is one
 * iofault held for an adoption whose owner (the mock, unplugging) went
 * first. Adds those up; how many were unplugged in *n.
 */
static int check_unplugged(unsigned long long *dropped, unsigned int *n)
{
	char text[4096], why[160], *line, *save;
	struct core_unplugged u;
	int bad = 0;

	*n = 0;
	if (fz_read_file(FZ_IMOCK "/unplugged", text, sizeof(text)) < 0)
		return 0;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!core_unplugged_parse(line, &u)) {
			fz_main_fail("unplugged: '%s'", line);
			bad++;
		} else if (!core_unplugged_sane(&u, why, sizeof(why))) {
			fz_main_fail("unplugged sva%u: %s", u.k, why);
			bad++;
		} else {
			*dropped += u.unanswered;
			core_epoch.issued += u.issued;
			(*n)++;
		}
	}
	return bad;
}

/*
 * iofault's side: no orphan left; no group it could not place; each
 * group the hardware dropped (stopped, unplugged unanswered) is one
 * iofault freed unanswered because its owner went (detached) - all of
 * them unless a device was unplugged (its stopped ones are not shown).
 */
static int check_iopf(unsigned long long dropped, unsigned int unplugged)
{
	unsigned long long unplaced, detached, orphans;
	int bad = 0;

	if (!iopf_read(&unplaced, &detached, &orphans))
		return 0;	/* iofault is not loaded */
	fz_cat = FZ_CAT_OBJECTS;
	if (orphans) {
		fz_main_fail("iopf: %llu orphans once every adoption was released",
			     orphans);
		bad++;
	}
	fz_cat = FZ_CAT_ONCE;
	if (!core_epoch.counted || core_epoch.gen != core_iofault_gen())
		return bad;	/* iofault was loaded again: counts restarted */
	detached -= core_epoch.detached;
	core_epoch.freed = detached;
	if (unplaced != core_epoch.unplaced) {
		fz_main_fail("iopf: %llu groups unplaced", unplaced - core_epoch.unplaced);
		bad++;
	}
	if (unplugged ? detached < dropped : detached != dropped) {
		fz_main_fail("iopf: %llu groups detached, the hardware dropped %llu%s",
			     detached, dropped,
			     unplugged ? " (and those of unplugged devices' stopped PASIDs)" : "");
		bad++;
	}
	return bad;
}

/* No iofault device of the mock's left: "svaN" or "svaN.pasidM". */
static int check_no_source(void)
{
	char names[64][IOFAULT_NAME_LEN];
	int n = fz_devices(names, 64), i, bad = 0;
	const char *end;
	size_t digits;

	fz_cat = FZ_CAT_OBJECTS;
	for (i = 0; i < n; i++) {
		digits = strspn(names[i] + 3, "0123456789");
		end = names[i] + 3 + digits;
		if (strncmp(names[i], "sva", 3) || !digits ||
		    (*end && strncmp(end, ".pasid", 6)))
			continue;
		fz_main_fail("iofault device %s stays once everything was released and unbound",
			     names[i]);
		bad++;
	}
	fz_cat = FZ_CAT_ONCE;
	return bad;
}

int fz_core_settle_check(void)
{
	unsigned long long dropped = 0;
	unsigned int k, unplugged;
	int bad = 0;

	if (!imock_loaded())
		return 0;
	for (k = 0; k < core_epoch.ndev; k++)
		if (core_dev_present(k))
			core_mock_write(k, "hold", "0");
	/* As the rule goes: release while the owner is bound, then unbind. */
	bad += each_bind(release_bound);
	bad += each_bind(unbind_left);
	bad += release_orphans();
	bad += check_present(&dropped);
	bad += check_unplugged(&dropped, &unplugged);
	bad += check_iopf(dropped, unplugged);
	bad += check_no_source();
	fprintf(stderr, "# iofuzz: core: %u devices, %u unplugged; %llu groups issued, %llu dropped by the hardware, %llu freed unanswered by iofault; left by the workers: %u binds, %u adoptions; %u orphans released by name\n",
		core_epoch.ndev, unplugged, core_epoch.issued, dropped,
		core_epoch.freed, core_epoch.binds_left,
		core_epoch.adoptions_left, core_epoch.orphans);
	return bad;
}

int fz_core_unload(void)
{
	struct core_unplugged u;
	unsigned int k;
	char name[16], why[160];
	int bad = 0, i;

	if (!imock_loaded())
		return 0;
	/* Each device holds the module: unplug them all first. */
	for (k = 0; k < core_epoch.ndev; k++) {
		if (!core_dev_present(k))
			continue;
		snprintf(name, sizeof(name), "sva%u", k);
		if (fz_write_file(FZ_IMOCK "/unplug", name)) {
			fz_main_fail("unplug %s at the end: refused", name);
			bad++;
			continue;
		}
		/* Nothing bound any more: every group answered. */
		fz_cat = FZ_CAT_ONCE;
		if (core_unplugged_find(k, &u) != 1) {
			fz_main_fail("%s unplugged at the end: not in the unplugged file",
				     name);
			bad++;
		} else if (!core_unplugged_sane(&u, why, sizeof(why)) || u.unanswered) {
			fz_main_fail("%s unplugged at the end: %s",
				     name, u.unanswered ? "groups unanswered" : why);
			bad++;
		}
		fz_cat = FZ_CAT_OBJECTS;
	}
	for (i = 0; i < 50 && imock_loaded(); i++) {
		if (!fz_run("rmmod iommu_mock 2>/dev/null"))
			break;
		fz_sleep_ms(100);
	}
	if (imock_loaded()) {
		fz_main_fail("iommu_mock does not unload");
		bad++;
	}
	return bad;
}
