/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iofuzz: random sequences of every user action on iofault, from several
 * processes and threads at once, checking invariants as it goes.
 *
 * A run is a series of epochs. In each, the main process loads the modules
 * with random parameters and forks the workers; each worker runs threads,
 * and each thread picks actions at random from the families (act_*.c),
 * with its own random stream derived from the seed. When the epoch's time
 * is up the threads drain what they hold and the workers exit; the main
 * process then settles the hardware, checks that every group was answered
 * exactly once and that the counters add up, and unloads the modules.
 */
#ifndef IOFUZZ_H
#define IOFUZZ_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/iofault.h>

#define FZ_MODDIR	"/lib/iofault"
#define FZ_BPFDIR	"/usr/share/iofault/bpf"
#define FZ_PROGDIR	"/usr/share/iofault/progs"
#define FZ_CLASS	"/sys/class/iofault"
#define FZ_KOBJ		"/sys/kernel/iofault"
#define FZ_MOCK		"/sys/kernel/debug/iofault_mock"
#define FZ_IMOCK	"/sys/kernel/debug/iommu_mock"
#define FZ_CTL		"/dev/iofault"

#define FZ_MAX_WORKERS	8
#define FZ_MAX_THREADS	4
#define FZ_RING		64	/* actions remembered per thread */
#define FZ_LINE		160	/* bytes of one remembered action */

/* One thread's last actions, in memory shared with the main process. */
struct fz_ring {
	unsigned long long n;		/* actions logged so far */
	unsigned long long seq[FZ_RING];	/* run-wide order of each */
	char line[FZ_RING][FZ_LINE];
};

/* What the main process and the workers share (MAP_SHARED). */
struct fz_shared {
	volatile int stop;		/* 1: drain, 2: clean up and exit */
	volatile int failed;		/* an invariant broke */
	unsigned long long seq;		/* actions logged, all threads */
	unsigned long long actions;	/* done in all epochs */
	unsigned long long checks;	/* outcomes checked */
	unsigned long long refused_valid; /* valid responses refused */
	unsigned long long thread_fails;	/* broken by an action's outcome */
	unsigned long long by_family[16];
	struct fz_ring ring[FZ_MAX_WORKERS][FZ_MAX_THREADS];
};

extern struct fz_shared *fz;

/* The run's options, the same in every process. */
struct fz_opts {
	unsigned long long seed;
	unsigned int seconds;		/* whole run */
	unsigned int epoch;		/* seconds an epoch */
	unsigned int workers;
	unsigned int threads;
	bool verbose;
};

extern struct fz_opts fz_opts;

struct fz_thread;

/* One kind of user action; weight: how often it is picked. */
struct fz_action {
	const char *name;
	unsigned int weight;
	void (*run)(struct fz_thread *t);
};

/*
 * A family of actions, with what it holds per thread: init() before the
 * first action, drain() when the epoch ends (answer what it holds, the
 * devices still there), fini() before the worker exits (close, detach).
 */
struct fz_family {
	const char *name;
	const struct fz_action *actions;
	size_t nr_actions;
	void *(*init)(struct fz_thread *t);
	void (*drain)(struct fz_thread *t, void *state);
	void (*fini)(struct fz_thread *t, void *state);
};

extern const struct fz_family fz_fd_family;	/* act_fd.c */
extern const struct fz_family fz_ctl_family;	/* act_ctl.c */
extern const struct fz_family fz_sysfs_family;	/* act_sysfs.c */
extern const struct fz_family fz_priv_family;	/* act_priv.c */
extern const struct fz_family fz_policy_family;	/* act_policy.c */
extern const struct fz_family fz_hw_family;	/* act_hw.c */
extern const struct fz_family fz_core_family;	/* act_core.c */

#define FZ_NR_FAMILIES	7
extern const struct fz_family *const fz_families[FZ_NR_FAMILIES];

struct fz_thread {
	unsigned int worker, index;
	uint64_t rng[2];
	struct fz_ring *ring;
	void *state[FZ_NR_FAMILIES];
	unsigned int family;		/* of the action running */
};

/* The state of the family whose action runs, as its init() made it. */
static inline void *fz_my_state(struct fz_thread *t)
{
	return t->state[t->family];
}

/* worker.c */
extern unsigned int fz_enabled;	/* a bit per family of fz_families */
void fz_worker(unsigned int epoch, unsigned int w) __attribute__((noreturn));

/* rng.c: xoroshiro128+, seeded per thread from the run's seed */
void fz_seed(uint64_t s[2], unsigned long long seed, unsigned int a,
	     unsigned int b);
uint64_t fz_next(uint64_t s[2]);
static inline uint64_t fz_rand(struct fz_thread *t)
{
	return fz_next(t->rng);
}

/* A number in [0, n), n > 0. */
static inline uint32_t fz_below(struct fz_thread *t, uint32_t n)
{
	return (uint32_t)(fz_rand(t) >> 32) % n;
}

/* True pct times in 100. */
static inline bool fz_chance(struct fz_thread *t, unsigned int pct)
{
	return fz_below(t, 100) < pct;
}

/* A value near the edges of its type more often than not. */
uint64_t fz_edgy(struct fz_thread *t);

/* What a failure of the main process's checks is about (its TAP line). */
enum fz_cat {
	FZ_CAT_RUN,		/* workers, modules loading */
	FZ_CAT_ONCE,		/* exactly one answer per group */
	FZ_CAT_COUNTERS,	/* stats add up */
	FZ_CAT_OBJECTS,		/* objects back to baseline, unload */
	FZ_CAT_KLOG,		/* kernel log clean */
	FZ_CAT_NR,
};

/* log.c */
extern enum fz_cat fz_cat;		/* what fz_main_fail() counts as */
extern unsigned int fz_cat_fails[FZ_CAT_NR];
void fz_log(struct fz_thread *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void fz_fail(struct fz_thread *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void fz_main_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fz_dump_rings(void);
int fz_trace_open(void);
int fz_kmsg_open(void);
int fz_kmsg_scan(int fd, bool quiet);

/*
 * fz_expect(t, what, err, ok...): err (0 or an errno) must be one of the
 * listed values, a list ending with -1; else an invariant broke.
 */
bool fz_expect(struct fz_thread *t, const char *what, int err, ...);
#define FZ_EXPECT(t, what, err, ...) \
	fz_expect(t, what, err, __VA_ARGS__, -1)

/* util.c */
int fz_read_file(const char *path, char *buf, size_t size);
int fz_write_file(const char *path, const char *text);
int fz_write_filef(const char *path, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
bool fz_stat(const char *text, const char *key, unsigned long long *val);
int fz_devices(char names[][IOFAULT_NAME_LEN], int max);
void fz_pick_dev(struct fz_thread *t, char name[IOFAULT_NAME_LEN]);
bool fz_stopping(void);
int fz_run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fz_sleep_ms(unsigned int ms);

/*
 * The hardware's side, between epochs, in the main process (no worker
 * runs): load the mock drivers with random parameters; once the workers
 * are gone, let every device finish (unpause, answer what a resolver
 * deferred, settle) and check that its hardware got exactly one answer for
 * each group it issued, the devices unplugged meanwhile included; unload.
 * Each returns the number of broken invariants (said with fz_main_fail).
 */
int fz_hw_load(uint64_t rng[2]);		/* act_hw.c: iofault_mock */
int fz_hw_settle_check(void);
int fz_hw_unload(void);
int fz_core_load(uint64_t rng[2]);		/* act_core.c: iommu_mock */
int fz_core_settle_check(void);
int fz_core_unload(void);
/* And the policies' side: detach what the workers left (link-less ones). */
int fz_policy_cleanup(void);			/* act_policy.c */

/* A limit value only unprivileged writers use: it must never show. */
#define FZ_PRIV_MARK	4243

/* act_sysfs.c: whether a device's stats add up, and if not why */
bool fz_stats_check(const char *text, char *why, size_t size);

/* check.c: the main process's work between epochs */
int fz_epoch_setup(uint64_t rng[2], unsigned int epoch);
int fz_epoch_check(unsigned int epoch);
int fz_teardown(void);

#endif /* IOFUZZ_H */
