// SPDX-License-Identifier: GPL-2.0
/*
 * iofuzz, core family: IOFAULT_IOC_ADOPT and IOFAULT_IOC_RELEASE on the
 * thread's binds, and with bad requests.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>

#include "core.h"

/*
 * Release the adoption of slot i of device k (live, or its owner gone).
 * Returns false if it could not be tried (an unplug holds the lock).
 */
bool core_release_slot(struct fz_thread *t, struct core_state *st,
			 unsigned int k, unsigned int i)
{
	struct core_slot *s = &st->slot[k][i];
	unsigned int pasid = core_slot_pasid(st, i);
	struct iofault_adopt_req req;
	bool gone = s->gone;
	char pw[16];
	int err;

	if (!core_lock(st, LOCK_SH))
		return false;
	core_adopt_req(&req, k, pasid);
	fz_log(t, "core release sva%u PASID %s%s", k, core_pasid_text(pasid, pw),
	       gone ? " (its owner unbound first)" : "");
	err = core_adopt_ioctl(IOFAULT_IOC_RELEASE, &req);
	core_unlock(st);
	s->adopted = false;
	s->gone = false;
	if (err == CORE_IOCTL_ABSENT)
		return true;	/* iofault went, and its adoptions with it */
	if (!core_dev_present(k)) {
		/*
		 * Unplugged: the adoption ended with its owner gone, an
		 * orphan released by name (0), unless another adoption of
		 * the domain was the last to end (ENODEV).
		 */
		FZ_EXPECT(t, "release on an unplugged device", err, 0, ENODEV);
	} else if (gone || s->gen != core_iofault_gen()) {
		/*
		 * The owner went first: the release forgets the orphan (0),
		 * unless an adopt found its record stale first (a new domain
		 * at the freed one's address) and forgot it (ENOENT).
		 */
		FZ_EXPECT(t, "release of an adoption whose owner went", err, 0,
			  ENOENT);
	} else if (FZ_EXPECT(t, "release", err, 0) && core_class_exists(k, pasid)) {
		fz_fail(t, "released sva%u PASID %s: its iofault device stays",
			k, core_pasid_text(pasid, pw));
	}
	return true;
}

/* adopt: a bind of this thread; again (EEXIST); a free PASID (ENOENT) */
void core_adopt(struct fz_thread *t)
{
	char w[FZ_LINE];
	struct core_state *st = core_st(t);
	unsigned int k, i, pasid, r = fz_below(t, 100);
	struct iofault_adopt_req req;
	bool before, after;
	struct core_slot *s;
	int err, want;
	char pw[16];

	if (!core_pick_dev(t, st, &k))
		return;
	if (r < 70 && core_pick_slot(t, st, k, CORE_BOUND, &i) &&
	    !st->slot[k][i].adopted)
		want = st->slot[k][i].via_iofault ? EEXIST : 0;
	else if (r < 90 && core_pick_slot(t, st, k, CORE_ADOPTED, &i) &&
		 !st->slot[k][i].gone)
		want = EEXIST;
	else if (core_pick_slot(t, st, k, CORE_FREE, &i))
		want = ENOENT;
	else
		return;
	s = &st->slot[k][i];
	pasid = core_slot_pasid(st, i);
	core_adopt_req(&req, k, pasid);
	if (!core_lock(st, LOCK_SH))
		return;
	before = core_class_exists(k, pasid);
	fz_log(t, "core adopt sva%u PASID %s (%s expected)", k,
	       core_pasid_text(pasid, pw), want ? strerror(want) : "success");
	err = core_adopt_ioctl(IOFAULT_IOC_ADOPT, &req);
	after = core_class_exists(k, pasid);
	core_unlock(st);
	if (err == CORE_IOCTL_ABSENT)
		return;
	if (!err) {		/* taken, expected or not: released at the end */
		s->adopted = true;
		s->gone = false;
		s->gen = core_iofault_gen();
	}
	if (!core_dev_present(k)) {
		/* Unplugged: the bind went first (ENOENT), or the device (ENODEV). */
		FZ_EXPECT(t, core_said(w, "adopt sva%u PASID %s, unplugged", k,
				  core_pasid_text(pasid, pw)), err, want, ENOENT, ENODEV);
		core_dev_lost(st, k);
	} else if (!FZ_EXPECT(t, core_said(w, "adopt sva%u PASID %s", k,
					 core_pasid_text(pasid, pw)), err, want)) {
		return;
	} else if (!err && !after) {
		fz_fail(t, "adopted sva%u PASID %s: no iofault device",
			k, core_pasid_text(pasid, pw));
	} else if (err && before != after) {
		fz_fail(t, "a refused adopt of sva%u PASID %s %s its iofault device",
			k, core_pasid_text(pasid, pw), after ? "made" : "removed");
	}
}

/* release: an adoption of this thread, or what is not one (ENOENT) */
void core_release(struct fz_thread *t)
{
	struct core_state *st = core_st(t);
	struct iofault_adopt_req req;
	unsigned int k, i, j, first;
	bool before, chance = fz_chance(t, 85);
	char pw[16];
	int err;

	if (!st->ndev)
		return;
	first = fz_below(t, st->ndev);
	/* On any device: an unplugged one's adoptions are released by name. */
	for (j = 0; j < st->ndev && chance; j++) {
		k = (first + j) % st->ndev;
		if (core_pick_slot(t, st, k, CORE_ADOPTED, &i)) {
			core_release_slot(t, st, k, i);
			return;
		}
	}
	/* Not adopted: free, bound via=own or via=iofault alike. */
	if (!core_pick_dev(t, st, &k) || !core_pick_slot(t, st, k, CORE_ANY, &i) ||
	    st->slot[k][i].adopted)
		return;
	core_adopt_req(&req, k, core_slot_pasid(st, i));
	if (!core_lock(st, LOCK_SH))
		return;
	before = core_class_exists(k, core_slot_pasid(st, i));
	fz_log(t, "core release sva%u PASID %s (not adopted)", k,
	       core_pasid_text(core_slot_pasid(st, i), pw));
	err = core_adopt_ioctl(IOFAULT_IOC_RELEASE, &req);
	if (err != CORE_IOCTL_ABSENT &&
	    CORE_EXPECT(t, st, k, "release of what is not adopted", err,
			ENOENT) &&
	    before != core_class_exists(k, core_slot_pasid(st, i)))
		fz_fail(t, "a refused release of sva%u PASID %s changed its iofault device",
			k, core_pasid_text(core_slot_pasid(st, i), pw));
	core_unlock(st);
}

/*
 * adopt and release with bad requests: each field wrong in turn, names
 * that are no device or not a device's, PASIDs the device has not.
 */
void core_adopt_bad(struct fz_thread *t)
{
	char w[FZ_LINE];
	static const char *const badnames[] = {
		"", "sva0 ", "../sva0", "sva0/x", "sva\n0", "sva0.pasid1\t",
	};
	struct core_state *st = core_st(t);
	bool adopt = fz_chance(t, 50), check = false, before = false;
	unsigned int k = fz_below(t, st->ndev ? st->ndev : 1), i = 0;
	const char *cmd = adopt ? "adopt" : "release";
	struct iofault_adopt_req req;
	int err, want = EINVAL, also = EINVAL, also2 = EINVAL;
	const void *arg = &req;
	char what[80];

	if (st->ndev && core_pick_slot(t, st, k, CORE_ANY, &i)) {
		core_adopt_req(&req, k, core_slot_pasid(st, i));
		/* Unless the owner went: then any call may prune it. */
		check = !st->slot[k][i].gone;
	} else {
		core_adopt_req(&req, 0, 1);
	}
	switch (fz_below(t, 13)) {
	case 0: {
		static const unsigned int sizes[] = {
			0, 1, sizeof(req) - 4, sizeof(req) + 4, 0x80000000U,
		};

		req.size = sizes[fz_below(t, 5)];
		snprintf(what, sizeof(what), "size %u", req.size);
		break;
	}
	case 1:
		req.reserved = 1U << fz_below(t, 32);
		snprintf(what, sizeof(what), "reserved %#x", req.reserved);
		break;
	case 2:
		req.flags |= 2U << fz_below(t, 31);
		snprintf(what, sizeof(what), "flags %#x", req.flags);
		break;
	case 3:
		req.flags = 0;
		req.pasid = 1 + fz_below(t, 1U << 20);
		snprintf(what, sizeof(what), "pasid %u without the flag", req.pasid);
		break;
	case 4:
		req.flags = IOFAULT_ADOPT_PASID;
		req.pasid = fz_chance(t, 50) ? 0 : (1U << 20) +
			    (uint32_t)(fz_edgy(t) % ((1ULL << 32) - (1U << 20)));
		snprintf(what, sizeof(what), "pasid %u", req.pasid);
		break;
	case 5:
		memset(req.dev, fz_chance(t, 50) ? 'a' : '1', sizeof(req.dev));
		memcpy(req.dev, "sva0", 4);
		snprintf(what, sizeof(what), "a name without its NUL");
		break;
	case 6:
		snprintf(req.dev, sizeof(req.dev), "%s", badnames[fz_below(t, 6)]);
		snprintf(what, sizeof(what), "name '%s'", req.dev);
		break;
	case 7:
		snprintf(req.dev, sizeof(req.dev), "nosuch%u", fz_below(t, 10));
		snprintf(what, sizeof(what), "no device %s", req.dev);
		want = also = also2 = ENODEV;
		check = false;
		break;
	case 8:		/* another family's names, none a device behind the mock */
		fz_pick_dev(t, req.dev);
		if (!strncmp(req.dev, "sva", 3))
			return;
		snprintf(what, sizeof(what), "name '%s'", req.dev);
		want = ENODEV;	/* or a bad name (EINVAL) */
		also2 = adopt ? ENXIO : ENOENT;	/* a device behind no IOMMU */
		check = false;
		break;
	case 9:
		if (!st->noiommu[0])
			return;
		snprintf(req.dev, sizeof(req.dev), "%s", st->noiommu);
		snprintf(what, sizeof(what), "%s, behind no IOMMU", req.dev);
		want = also = also2 = adopt ? ENXIO : ENOENT;
		check = false;
		break;
	case 10:	/* a PASID the device has not: nothing attached there */
		req.flags = IOFAULT_ADOPT_PASID;
		req.pasid = CORE_PASIDS + fz_below(t, (1U << 20) - CORE_PASIDS);
		snprintf(what, sizeof(what), "pasid %u of sva%u", req.pasid, k);
		want = also = ENOENT;
		also2 = ENODEV;	/* unplugged */
		check = false;
		break;
	case 11:
		arg = (const void *)(uintptr_t)(fz_chance(t, 50) ? 8 : 4095);
		snprintf(what, sizeof(what), "request at %p", arg);
		want = also = also2 = EFAULT;
		break;
	default:
		req.size = sizeof(req) + fz_below(t, 2);
		req.reserved = fz_below(t, 2);
		req.flags |= fz_below(t, 4) << 1;
		if (req.size == sizeof(req) && !req.reserved &&
		    !(req.flags & ~IOFAULT_ADOPT_PASID))
			req.reserved = 7;
		snprintf(what, sizeof(what), "size %u reserved %u flags %#x",
			 req.size, req.reserved, req.flags);
		break;
	}
	if (!core_lock(st, LOCK_SH))
		return;
	if (check)
		before = core_class_exists(k, core_slot_pasid(st, i));
	fz_log(t, "core %s with %s", cmd, what);
	err = core_adopt_ioctl(adopt ? IOFAULT_IOC_ADOPT : IOFAULT_IOC_RELEASE, arg);
	if (err != CORE_IOCTL_ABSENT &&
	    FZ_EXPECT(t, core_said(w, "%s with %s", cmd, what), err, want, also,
		      also2) && check &&
	    before != core_class_exists(k, core_slot_pasid(st, i)))
		fz_fail(t, "a refused %s (%s) changed the iofault device of sva%u PASID %u",
			cmd, what, k, core_slot_pasid(st, i));
	core_unlock(st);
}
