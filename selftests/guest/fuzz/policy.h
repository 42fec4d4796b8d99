/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iofuzz, the policy family (act_policy.c) and its parts: the programs
 * (policy_progs.c), sysfs (policy_sysfs.c), the BPF objects and the share
 * of a thread's time its slow actions may take (policy_obj.c).
 */
#ifndef IOFUZZ_POLICY_H
#define IOFUZZ_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "fuzz.h"

#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

struct bpf_link;
struct bpf_map;
struct bpf_object;
struct fzp_obj;

/* What the globals chosen for an object make of its policies. */
struct fzp_knobs {
	bool ejectable;		/* an example's policy may be ejected */
	uint32_t verdict;	/* fuzz_verdict's */
	int refuse_err;		/* errno the refusing init gives, 0: none */
};

/* An object file and how to give its globals random values. */
struct fzp_prog {
	const char *dir, *file;
	void (*config)(struct fz_thread *t, struct bpf_object *obj,
		       struct fzp_knobs *k);
	bool multi;		/* several policies, fuzz_policies.bpf.c */
};

/* A loaded policy of the thread, attached or not. */
struct fzp_slot {
	struct fzp_obj *obj;		/* NULL: the slot is free */
	struct bpf_map *map;		/* its struct iofault_ops */
	struct bpf_link *link;		/* attached, or registered if linkless */
	char target[IOFAULT_NAME_LEN];	/* "" for the global policy */
	char name[IOFAULT_NAME_LEN];
	unsigned int timeout_ms;
	long dev_id;		/* of the device seen holding it, -1: unsure */
	int refuse_err;		/* errno its init refuses with, 0: starts */
	bool linkless;		/* registered by its map, without a link */
	bool ejectable;		/* may forward, or return an invalid verdict */
	bool bad_value;		/* its target, name or timeout is refused */
	bool never;		/* it cannot attach: that, or a global timeout */
	bool lingering;		/* its link was closed, not detached: someone
				 * else's reference may keep it registered */
};

/* policy_progs.c */
extern const struct fzp_prog fzp_progs[], fzp_fuzz_prog;
extern const unsigned int fzp_nr_progs;
extern const char *const fzp_bad_progs[];
extern const unsigned int fzp_nr_bad_progs;
/* What the policy of map in an object of p does, given the knobs. */
void fzp_traits(const struct fzp_prog *p, const struct fzp_knobs *k,
		struct bpf_map *map, struct fzp_slot *s);

/* policy_sysfs.c */
const char *fzp_target_desc(const char *target);
/* The id of device dev, -1 if it is not there; 0 for the global slot. */
long fzp_dev_id(const char *dev);
/*
 * What decides for target (its policy attribute, or global_policy), and
 * why the last policy there stopped: 0 or an errno.
 */
int fzp_read_policy(const char *target, char *buf, size_t size);
int fzp_read_last_exit(const char *target, char *buf, size_t size);
void fzp_strip_nl(char *buf);
/* Whether sysfs says s decides for its target. */
bool fzp_shown(const struct fzp_slot *s);
void fzp_check_shown(struct fz_thread *t, struct fzp_slot *s,
		     const char *after);
void fzp_check_gone(struct fz_thread *t, const struct fzp_slot *s,
		    const char *after, unsigned int wait_ms);
/*
 * Whether last, a last_exit, says policy name stopped as its device went:
 * the device stays in sysfs, with its id, a while after.
 */
bool fzp_removed_under(const char *last, const char *name);
/* Whether text, an exit record, reads "KIND CODE POLICY: MSG", or "". */
bool fzp_exit_line_ok(const char *text);

/* policy_obj.c */
/* What libbpf said first since the last open or load, for a failure. */
extern _Thread_local char fzp_libbpf_said[FZ_LINE];

/*
 * Before the thread's first action: keep libbpf's messages (a verifier
 * log is long) from the output, and start counting the thread's time.
 */
void fzp_thread_init(void);
uint64_t fzp_now_ns(void);
/* Whether the thread may spend time loading another object. */
bool fzp_load_allowed(void);
/* Whether it may spend time in a slow action; which then took since..now. */
bool fzp_slow_allowed(void);
void fzp_slow_spent(uint64_t since);

/* Open path, its maps kept to itself (some are pinned by name); errno. */
struct bpf_object *fzp_open(const char *path);
/*
 * Load obj: 0 or an errno; the time it took in *took_ns, counted against
 * the thread's shares unless not counted (its first load: without one, a
 * thread can do nothing).
 */
int fzp_load(struct bpf_object *obj, bool counted, uint64_t *took_ns);

/* Set the const volatile global var of obj: 0 or -errno. */
int fzp_set_global(struct bpf_object *obj, const char *var, uint64_t val);
/* Set a member of the struct iofault_ops of policy map: 0 or -errno. */
int fzp_set_str(struct bpf_object *obj, struct bpf_map *map,
		const char *member, const char *val);
int fzp_set_u32(struct bpf_object *obj, struct bpf_map *map,
		const char *member, uint32_t val);

#endif /* IOFUZZ_POLICY_H */
