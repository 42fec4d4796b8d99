/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iofuzz, the policy family's BPF objects (policy_obj.c): opening them,
 * setting a policy's fields and globals before loading; and the share of
 * a thread's time its slow actions and loads may take.
 */
#ifndef IOFUZZ_POLICY_H
#define IOFUZZ_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "fuzz.h"

struct bpf_map;
struct bpf_object;

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
