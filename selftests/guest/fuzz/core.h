/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iofuzz: the core family (act_core.c: a thread's PASIDs; core_bind.c,
 * core_adopt.c, core_access.c: its actions; core_check.c: the main
 * process's side; core_util.c: iommu_mock's files, iofault's ioctls and
 * the hardware's record, for both).
 */
#ifndef IOFUZZ_CORE_H
#define IOFUZZ_CORE_H

#include "fuzz.h"

#define CORE_DEVS	4	/* at most, of iommu_mock's ndev */
#define CORE_SLOTS	6	/* PASIDs a thread owns per device, at most */
#define CORE_PASIDS	256	/* the mock's PASIDs have 8 bits */
#define CORE_GRPIDS	512	/* group indexes a device has */
#define CORE_BUSY	256	/* outstanding past which a thread accesses nothing */
#define CORE_PAGES	64	/* the thread's region */
#define CORE_RW		40	/* its read-write pages, then read-only */
#define CORE_RO		8	/* then PROT_NONE to the end */
#define CORE_ACCESS_MAX	16	/* pages an access touches */
#define CORE_UNMAPPED	0x10000UL	/* an address nobody maps */
#define CORE_PRIV_KEY	0x10fa0171c0de5eedULL	/* iommu_mock.h */
#define CORE_LOCK	"/tmp/iofuzz-core.lock"
#define CORE_IOPF	FZ_KOBJ "/iopf"
#define CORE_MODULE	"/sys/module/iofault"
#define CORE_NDEV	"/sys/module/iommu_mock/parameters/ndev"
#define CORE_RESIDENT_MS 10000	/* for the own handler to resolve a page */
#define CORE_GONE_MS	3000	/* for an unplugged device's files to go */
#define CORE_IOCTL_ABSENT (-1)	/* no /dev/iofault: iofault is not loaded */

/* One PASID (or the device itself) a thread owns on one device. */
struct core_slot {
	bool bound;
	bool via_iofault;	/* bound via=iofault: iofault's attachment */
	bool now;		/* own handler=now (its domain's) */
	bool adopted;
	bool gone;		/* adopted, and the owner unbound first */
	unsigned int dom;	/* its domain: shared with share= */
	unsigned long long gen;	/* iofault's load when adopted */
};

struct core_state {
	unsigned int ndev;
	unsigned int pasid0, npasids;	/* the thread's PASIDs */
	bool owns_none[CORE_DEVS];	/* and the device itself */
	/* [k][npasids] is the device itself */
	struct core_slot slot[CORE_DEVS][CORE_SLOTS + 1];
	unsigned int next_dom;
	bool unplugger;		/* the one thread that unplugs devices */
	bool leave;		/* leave the binds to the main process */
	int lock_fd;
	char *mem;
	long psz;
	char noiommu[IOFAULT_NAME_LEN];	/* a platform device behind no IOMMU */
};

static inline struct core_state *core_st(struct fz_thread *t)
{
	return fz_my_state(t);
}

/* The PASID of slot i, 0 for the device itself. */
static inline unsigned int core_slot_pasid(const struct core_state *st,
					   unsigned int i)
{
	return i < st->npasids ? st->pasid0 + i : 0;
}

/* How many slots device k has for this thread. */
static inline unsigned int core_nslots(const struct core_state *st,
				       unsigned int k)
{
	return st->npasids + st->owns_none[k];
}

/* Which slot core_pick_slot() looks for. */
enum core_want { CORE_FREE, CORE_BOUND, CORE_ADOPTED, CORE_ANY };

/* What device k's hwstats say, read at once. */
struct core_hw {
	unsigned long long responses, success, invalid, failure, issued,
		answered, unanswered, duplicate, mismatch, requests, hits,
		stopped;
};

/* One line of the unplugged file, as iommu_mock's imock_unplug() writes it. */
struct core_unplugged {
	unsigned int k;
	unsigned long long issued, answered, success, invalid, failure,
		unanswered, duplicate, mismatch;
};

/* core_util.c */
unsigned long long core_iofault_gen(void);
bool core_dev_present(unsigned int k);
int core_mock_write(unsigned int k, const char *file, const char *text);
const char *core_pasid_text(unsigned int pasid, char buf[16]);
bool core_class_exists(unsigned int k, unsigned int pasid);
void core_adopt_req(struct iofault_adopt_req *req, unsigned int k,
		    unsigned int pasid);
int core_adopt_ioctl(unsigned long cmd, const void *req);
const char *core_bind_line(const char *text, unsigned int pasid);
int core_hw_read(unsigned int k, struct core_hw *h);
bool core_hw_sane(const struct core_hw *h, char *why, size_t size);
bool core_unplugged_parse(const char *line, struct core_unplugged *u);
bool core_unplugged_sane(const struct core_unplugged *u, char *why,
			 size_t size);
int core_unplugged_find(unsigned int k, struct core_unplugged *u);

/* act_core.c */
const char *core_pasid_word(struct fz_thread *t, unsigned int pasid,
			    char buf[16]);
bool core_pick_dev(struct fz_thread *t, struct core_state *st,
		   unsigned int *k);
bool core_pick_slot(struct fz_thread *t, struct core_state *st,
		    unsigned int k, enum core_want want, unsigned int *i);
bool core_dom_shared(const struct core_state *st, unsigned int k,
		     unsigned int i);
bool core_dom_adopted(const struct core_state *st, unsigned int k,
		      unsigned int i);
void core_dev_lost(struct core_state *st, unsigned int k);
bool core_expect(struct fz_thread *t, struct core_state *st,
		 unsigned int k, const char *what, int err, const int *ok);
#define CORE_EXPECT(t, st, k, what, err, ...) \
	core_expect(t, st, k, what, err, (const int[]){ __VA_ARGS__, -1 })
bool core_lock(struct core_state *st, int how);
void core_unlock(struct core_state *st);
const char *core_brief(const char *line, char buf[64]);
/* What an outcome is of, for its failure message: formatted into buf. */
const char *core_said(char buf[FZ_LINE], const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void core_join_words(struct fz_thread *t, const char *const *words,
		     unsigned int n, char *line, size_t size);

/* The actions: core_bind.c */
void core_bind(struct fz_thread *t);
void core_bind_bad(struct fz_thread *t);
void core_unbind(struct fz_thread *t);
/* core_adopt.c */
bool core_release_slot(struct fz_thread *t, struct core_state *st,
		       unsigned int k, unsigned int i);
void core_adopt(struct fz_thread *t);
void core_adopt_bad(struct fz_thread *t);
void core_release(struct fz_thread *t);
/* core_access.c */
void core_settle_init(void);
void core_access(struct fz_thread *t);
void core_access_bad(struct fz_thread *t);
void core_access_check(struct fz_thread *t);
void core_mem(struct fz_thread *t);
void core_hold(struct fz_thread *t);
void core_settle(struct fz_thread *t);
void core_hwstats(struct fz_thread *t);
void core_hwlog(struct fz_thread *t);
void core_iopf(struct fz_thread *t);

#endif /* IOFUZZ_CORE_H */
