// SPDX-License-Identifier: GPL-2.0
/*
 * iofault_mock: per-PASID mock page tables.
 *
 * One sparse xarray holds the pages of every address space of a device:
 * the index is the address space (0: requests without PASID, else the
 * PASID + 1) above the page frame number, the value the permissions the
 * page is mapped with. The device's accesses look pages up without a lock
 * (xa_load() is RCU-safe); the resolver and the respond file map them.
 */
#include "mock.h"

#define MOCK_PT_PFN_BITS	(MOCK_ADDR_BITS - MOCK_PAGE_SHIFT)

static unsigned long mock_pt_index(bool pasid_valid, u32 pasid, u64 addr)
{
	unsigned long space = pasid_valid ? pasid + 1UL : 0;

	return space << MOCK_PT_PFN_BITS | addr >> MOCK_PAGE_SHIFT;
}

/* Whether the page of @addr is mapped with every permission of @perm. */
bool mock_pt_allows(struct mock_dev *md, bool pasid_valid, u32 pasid,
		    u64 addr, u32 perm)
{
	void *entry = xa_load(&md->pt, mock_pt_index(pasid_valid, pasid, addr));

	return entry && (xa_to_value(entry) & perm) == perm;
}

/* Map the page of @addr with @perm, on top of what it had. */
int mock_pt_map(struct mock_dev *md, bool pasid_valid, u32 pasid, u64 addr,
		u32 perm)
{
	unsigned long index = mock_pt_index(pasid_valid, pasid, addr);
	void *old;
	int err;

	mutex_lock(&md->pt_lock);
	old = xa_load(&md->pt, index);
	err = xa_err(xa_store(&md->pt, index,
			      xa_mk_value((old ? xa_to_value(old) : 0) | perm),
			      GFP_KERNEL));
	if (!err && !old)
		WRITE_ONCE(md->mapped, md->mapped + 1);
	mutex_unlock(&md->pt_lock);
	return err;
}

/*
 * Unmap every page (@all), or those of one address space, or (@one) the
 * page of @addr in it.
 */
void mock_pt_unmap(struct mock_dev *md, bool all, bool pasid_valid, u32 pasid,
		   bool one, u64 addr)
{
	unsigned long first = 0, last = ULONG_MAX, index;
	void *entry;

	if (one) {
		first = mock_pt_index(pasid_valid, pasid, addr);
		last = first;
	} else if (!all) {
		first = mock_pt_index(pasid_valid, pasid, 0);
		last = first + BIT(MOCK_PT_PFN_BITS) - 1;
	}
	mutex_lock(&md->pt_lock);
	xa_for_each_range(&md->pt, index, entry, first, last) {
		xa_erase(&md->pt, index);
		WRITE_ONCE(md->mapped, md->mapped - 1);
	}
	mutex_unlock(&md->pt_lock);
}

void mock_pt_destroy(struct mock_dev *md)
{
	xa_destroy(&md->pt);
}
