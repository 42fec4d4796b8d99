/* SPDX-License-Identifier: GPL-2.0 */
/* iofaultctl: what the command files share. */
#ifndef IOFAULTCTL_H
#define IOFAULTCTL_H

#include <dirent.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <linux/iofault.h>

struct bpf_object;
struct bpf_map;

/*
 * Where the module shows its devices and its global policy. sysfs.c puts
 * $IOFAULTCTL_SYSFS before these paths, if set.
 */
#define SYSFS_CLASS_DIR		"/sys/class/iofault"
#define SYSFS_KERNEL_DIR	"/sys/kernel/iofault"
#define SYSFS_GLOBAL_POLICY	SYSFS_KERNEL_DIR "/global_policy"
#define SYSFS_GLOBAL_LAST_EXIT	SYSFS_KERNEL_DIR "/global_last_exit"

/* Where attached policies keep their links. */
#define BPFFS_DIR		"/sys/fs/bpf"
#define PIN_DIR			BPFFS_DIR "/iofault"
#define PIN_DEV_DIR		PIN_DIR "/dev"
#define PIN_GLOBAL		PIN_DIR "/global"

/* Exit codes: 0 is success. */
#define EXIT_FAIL	1
#define EXIT_USAGE	2

/* main.c */
void errmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int bad_option(const char *cmd, int c, const char *arg);
int help(void);

/* sysfs.c */
int sysfs_read(const char *path, char *buf, size_t size);
int sysfs_read_all(const char *path, char **text);
DIR *sysfs_opendir(const char *path);
bool sysfs_exists(const char *path);
int module_check(void);
bool device_registered(const char *name);

/* ctl.c */
#define CTL_DEV			"/dev/iofault"
int ctl_open(const char *what);

/* pin.c */
bool dev_name_ok(const char *name);
void pin_name(char *buf, size_t size, const char *dev, bool to_pin);
void pin_path(const char *dev, char *buf, size_t size);
int bpffs_check(void);
int pin_mkdirs(void);
int pin_open(const char *path, bool *alive);

/* freed.c */
void freed_note_link(int link_fd);
int freed_wait(void);

/* policy.c */
struct bpf_map *policy_select(struct bpf_object *obj, const char *path,
			      const char *want);
int policy_prepare(struct bpf_object *obj, struct bpf_map *map,
		   const char *path, const char *target,
		   char name[IOFAULT_NAME_LEN]);
bool policy_has_callback(struct bpf_object *obj, const struct bpf_map *map,
			 const char *name);
int policy_write_value(struct bpf_object *obj, struct bpf_map *map,
		       const char *path);

/* rodata.c */
int rodata_set(struct bpf_object *obj, const char *path, const char *assign);

/* load.c: what attach and replace share */
struct policy_args {
	const char *obj;
	const char *dev;	/* NULL: the global policy */
	const char *map;
	const char **sets;	/* the NAME=VALUE of each --set */
	size_t nr_sets;
};

int policy_args_parse(int argc, char **argv, struct policy_args *a);
void policy_args_free(struct policy_args *a);
struct bpf_object *policy_open(const struct policy_args *a,
			       struct bpf_map **map,
			       char name[IOFAULT_NAME_LEN]);
int policy_load(struct bpf_object *obj, const char *path);
const char *lerr(int err);
void perm_error(const char *obj);
int priv_check(const char *obj);
void nodev_error(const char *dev);

/* stats_read.c: one device's sysfs files, for stats and top */
#define LAT_BUCKETS_MAX	64

struct stat_kv {
	const char *key;
	unsigned long long val;
};

struct lat_bucket {
	unsigned long long low_ns, count;
};

struct dev_stats {
	char name[NAME_MAX + 1];
	unsigned long id;
	char driver[64];
	char policy[2 * IOFAULT_NAME_LEN];
	char last_exit[IOFAULT_EXIT_MSG_LEN + 3 * IOFAULT_NAME_LEN];
	unsigned long long quota, partial_max, timeout_ms;
	struct stat_kv *kv;		/* the stats file, in its order */
	size_t nr_kv;
	char *stats_text;		/* what the keys point into */
	struct lat_bucket lat[LAT_BUCKETS_MAX];	/* the latency file */
	size_t nr_lat;
};

struct dev_set {
	struct dev_stats *v;
	size_t n;
};

int dev_set_read(struct dev_set *s, const char *only);
void dev_set_free(struct dev_set *s);
bool dev_stat(const struct dev_stats *d, const char *key,
	      unsigned long long *val);
bool dev_stat_sum(const struct dev_stats *d, const char *prefix,
		  unsigned long long *sum);

/* latency.c */
#define NR_LAT_PCTS	3
extern const unsigned int lat_pcts[NR_LAT_PCTS];

void ns_str(unsigned long long ns, char *buf, size_t size);
void lat_range_str(const struct lat_bucket *lat, size_t n, size_t i,
		   char *buf, size_t size);
unsigned long long lat_total(const struct lat_bucket *lat, size_t n);
int lat_percentile(const struct lat_bucket *lat, size_t n, unsigned int pct);
bool lat_percentile_ns(const struct lat_bucket *lat, size_t n,
		       unsigned int pct, unsigned long long *ns);
void lat_percentile_str(const struct lat_bucket *lat, size_t n,
			unsigned int pct, char *buf, size_t size);

/* stats_json.c */
void stats_json(const struct dev_set *s);

/* top_frame.c */
void top_print(const struct dev_set *prev, const struct dev_set *cur,
	       double secs, const char *global);

/* The commands: argv[0] is the command's name. */
int cmd_list(int argc, char **argv);
int cmd_attach(int argc, char **argv);
int cmd_replace(int argc, char **argv);
int cmd_detach(int argc, char **argv);
int cmd_listen(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_adopt(int argc, char **argv);
int cmd_release(int argc, char **argv);

#endif /* IOFAULTCTL_H */
