// SPDX-License-Identifier: GPL-2.0
/*
 * iofuzz, the policy family: each thread loads iofault policies (the
 * examples and the guest test programs), attaches them through struct_ops
 * links or registers them without one, to a random device or as the
 * global policy, replaces, detaches and unregisters them; it also loads
 * the programs the verifier must refuse, attaches a tracing program to
 * iofault's tracepoints and reads the policy attributes of sysfs.
 *
 * Every policy a thread loads gets a name of its own, which sysfs shows:
 * what sysfs says can then be checked against what the thread did, while
 * other threads and processes attach theirs. Only an ejection (a policy
 * that may forward or return an invalid verdict) or the removal of its
 * device takes a policy away from the thread that attached it.
 *
 * A verifier load takes tens to hundreds of milliseconds under an emulated
 * CPU: each thread keeps a few loaded policies and attaches them again (a
 * link-mode map can be attached any number of times, with the target it
 * was loaded for), and a worker's threads load new ones within a share of
 * its time only.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "fuzz.h"

#define SLOTS		4	/* loaded policies a thread keeps */
#define LOAD_SHARE	5	/* loads get at most 1/LOAD_SHARE of the time */
#define GONE_WAIT_MS	2000	/* for a link whose last close detaches it */
#define CLEANUP_WAIT_MS	10000	/* for the freed policies to be counted */

/* One policy object file and how to give its globals random values. */
struct prog {
	const char *dir, *file;
	/* Sets its globals; returns whether it may be ejected. */
	bool (*config)(struct fz_thread *t, struct bpf_object *obj,
		       bool *refuses);
};

/* A loaded policy of the thread, attached or not. */
struct slot {
	struct bpf_object *obj;		/* NULL: the slot is free */
	struct bpf_map *map;		/* its struct iofault_ops */
	const struct prog *prog;
	struct bpf_link *link;		/* attached, or registered if linkless */
	char target[IOFAULT_NAME_LEN];	/* "" for the global policy */
	char name[IOFAULT_NAME_LEN];
	unsigned int timeout_ms;
	long dev_id;		/* of the device seen holding it, -1: unsure */
	bool linkless;		/* registered by its map, without a link */
	bool ejectable;		/* may forward, or return an invalid verdict */
	bool refuses;		/* its init refuses to start */
	bool bad_value;		/* the kernel refuses its name or timeout */
};

struct state {
	struct slot slot[SLOTS];
	unsigned int seq;		/* for the policies' names */
	struct bpf_object *trace;	/* trace_responses, loaded */
	struct bpf_link *trace_link[2];
};

/* Time a worker's threads spent loading programs, since the first began. */
static _Atomic uint64_t load_start_ns, load_used_ns;

/* What libbpf said first since the last reset, for failure messages. */
static _Thread_local char libbpf_said[FZ_LINE];

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* libbpf's messages (a verifier log is long) are kept, not printed. */
static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	size_t len;

	if (level != LIBBPF_WARN || libbpf_said[0])
		return 0;
	vsnprintf(libbpf_said, sizeof(libbpf_said), fmt, ap);
	len = strlen(libbpf_said);
	if (len && libbpf_said[len - 1] == '\n')
		libbpf_said[len - 1] = 0;
	return 0;
}

static bool load_allowed(void)
{
	uint64_t start = atomic_load(&load_start_ns);

	return atomic_load(&load_used_ns) <= (now_ns() - start) / LOAD_SHARE;
}

/* ------------------------------------------------------------------ */
/* The policies' globals and data fields, set before loading.          */

/* Give the const volatile global var of obj the value val. */
static int set_global(struct bpf_object *obj, const char *var, uint64_t val)
{
	const struct btf *btf = bpf_object__btf(obj);
	const struct btf_var_secinfo *vi;
	const struct btf_type *sec, *v;
	struct bpf_map *map;
	uint32_t val32 = val;
	size_t size;
	char *data;
	int i;

	bpf_object__for_each_map(map, obj) {
		if (!bpf_map__is_internal(map))
			continue;
		sec = btf__type_by_id(btf, bpf_map__btf_value_type_id(map));
		if (!sec || !btf_is_datasec(sec))
			continue;
		vi = btf_var_secinfos(sec);
		for (i = 0; i < btf_vlen(sec); i++, vi++) {
			v = btf__type_by_id(btf, vi->type);
			if (strcmp(btf__name_by_offset(btf, v->name_off), var))
				continue;
			data = bpf_map__initial_value(map, &size);
			if (!data || vi->offset + vi->size > size)
				return -EINVAL;
			if (vi->size == sizeof(val32))
				memcpy(data + vi->offset, &val32, sizeof(val32));
			else if (vi->size == sizeof(val))
				memcpy(data + vi->offset, &val, sizeof(val));
			else
				return -EINVAL;
			return 0;
		}
	}
	return -ENOENT;
}

/*
 * The bytes of member name in the policy map's value, struct iofault_ops
 * as the object has it, which loading hands to the kernel.
 */
static char *ops_member(struct bpf_object *obj, struct bpf_map *map,
			const char *name, size_t *size)
{
	const struct btf *btf = bpf_object__btf(obj);
	const struct btf_member *m;
	const struct btf_type *t;
	size_t vsize, off;
	char *data = bpf_map__initial_value(map, &vsize);
	long long msize;
	int i, id;

	id = btf__resolve_type(btf, bpf_map__btf_value_type_id(map));
	t = id > 0 ? btf__type_by_id(btf, id) : NULL;
	if (!data || !t || !btf_is_struct(t))
		return NULL;
	m = btf_members(t);
	for (i = 0; i < btf_vlen(t); i++, m++) {
		if (strcmp(btf__name_by_offset(btf, m->name_off), name))
			continue;
		off = btf_member_bit_offset(t, i) / 8;
		msize = btf__resolve_size(btf, m->type);
		if (msize <= 0 || off + msize > vsize)
			return NULL;
		*size = msize;
		return data + off;
	}
	return NULL;
}

static int set_member_str(struct bpf_object *obj, struct bpf_map *map,
			  const char *name, const char *val)
{
	size_t size;
	char *p = ops_member(obj, map, name, &size);

	if (!p || strlen(val) >= size)
		return -EINVAL;
	memset(p, 0, size);
	memcpy(p, val, strlen(val));
	return 0;
}

static int set_member_u32(struct bpf_object *obj, struct bpf_map *map,
			  const char *name, uint32_t val)
{
	size_t size;
	char *p = ops_member(obj, map, name, &size);

	if (!p || size != sizeof(val))
		return -EINVAL;
	memcpy(p, &val, sizeof(val));
	return 0;
}

/* A verdict, now and then one that does not exist (an ejection). */
static uint32_t pick_verdict(struct fz_thread *t)
{
	static const uint32_t invalid[] = { 4, 7, 0x80000000u, 0xffffffffu };

	if (fz_chance(t, 15))
		return invalid[fz_below(t, 4)];
	return fz_below(t, IOFAULT_VERDICT_NR);
}

static bool verdict_ejectable(uint32_t v)
{
	return v == IOFAULT_VERDICT_FORWARD || v >= IOFAULT_VERDICT_NR;
}

/* set_global(), which must work: the programs are ours. */
static void setg(struct fz_thread *t, struct bpf_object *obj, const char *var,
		 uint64_t val)
{
	int err = set_global(obj, var, val);

	if (err)
		fz_fail(t, "%s: cannot set global %s: %s",
			bpf_object__name(obj), var, strerror(-err));
}

/* fail_all, observe: nothing to set, never ejected. */
static bool cfg_steady(struct fz_thread *t, struct bpf_object *obj,
		       bool *refuses)
{
	(void)t, (void)obj, (void)refuses;
	return false;
}

/*
 * default forwards when a descriptor is open; bad_verdict returns 7;
 * linkless returns 7 for PASID 7.
 */
static bool cfg_ejectable(struct fz_thread *t, struct bpf_object *obj,
			  bool *refuses)
{
	(void)t, (void)obj, (void)refuses;
	return true;
}

static bool cfg_fail_writes(struct fz_thread *t, struct bpf_object *obj,
			    bool *refuses)
{
	(void)refuses;
	setg(t, obj, "range_start", fz_edgy(t));
	setg(t, obj, "range_end", fz_edgy(t));
	return false;
}

static bool cfg_rate_limit(struct fz_thread *t, struct bpf_object *obj,
			   bool *refuses)
{
	(void)refuses;
	setg(t, obj, "rate", fz_edgy(t));
	setg(t, obj, "burst", fz_edgy(t));
	return false;
}

/* It forwards the PASIDs of its range: none by default. */
static bool cfg_forward_pasids(struct fz_thread *t, struct bpf_object *obj,
			       bool *refuses)
{
	uint32_t min = fz_below(t, 8);

	(void)refuses;
	if (fz_chance(t, 50))
		return false;
	setg(t, obj, "pasid_min", min);
	setg(t, obj, "pasid_max", min + fz_below(t, 16));
	return true;
}

static bool cfg_lifecycle(struct fz_thread *t, struct bpf_object *obj,
			  bool *refuses)
{
	uint32_t verdict = pick_verdict(t);

	*refuses = fz_chance(t, 10);
	setg(t, obj, "verdict", verdict);
	/* FAILURE stops a PCIe function's page requests: seldom. */
	setg(t, obj, "fail_code", fz_chance(t, 10) ?
	     IOFAULT_RESP_FAILURE : IOFAULT_RESP_INVALID);
	/* IOFAULT_RESP_NR is no code: the group gets INVALID. */
	setg(t, obj, "timeout_code", fz_below(t, IOFAULT_RESP_NR + 1));
	setg(t, obj, "refuse", *refuses);
	return verdict_ejectable(verdict);
}

static bool cfg_respcount(struct fz_thread *t, struct bpf_object *obj,
			  bool *refuses)
{
	uint32_t verdict = pick_verdict(t);

	(void)refuses;
	setg(t, obj, "verdict", verdict);
	setg(t, obj, "row", fz_below(t, 4));
	return verdict_ejectable(verdict);
}

static const struct prog progs[] = {
	{ FZ_BPFDIR, "default", cfg_ejectable },
	{ FZ_BPFDIR, "fail_all", cfg_steady },
	{ FZ_BPFDIR, "fail_writes", cfg_fail_writes },
	{ FZ_BPFDIR, "forward_pasids", cfg_forward_pasids },
	{ FZ_BPFDIR, "rate_limit", cfg_rate_limit },
	{ FZ_BPFDIR, "observe", cfg_steady },
	{ FZ_PROGDIR, "bad_verdict", cfg_ejectable },
	{ FZ_PROGDIR, "linkless", cfg_ejectable },
	{ FZ_PROGDIR, "lifecycle", cfg_lifecycle },
	{ FZ_PROGDIR, "respcount", cfg_respcount },
};

/* Policies the verifier must refuse to load. */
static const char *const bad_progs[] = {
	"bad_fail_code_response", "bad_kfunc", "bad_read_beyond",
	"bad_write_ctx",
};

#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------ */
/* sysfs                                                               */

static const char *target_desc(const struct slot *s)
{
	return s->target[0] ? s->target : "(global)";
}

/* Read an attribute into buf; 0 or an errno. */
static int read_attr(const char *path, char *buf, size_t size)
{
	int n = fz_read_file(path, buf, size);

	return n < 0 ? -n : 0;
}

/* The id of device dev, -1 if it is not there. */
static long dev_id(const char *dev)
{
	char path[128], buf[32];

	if (!dev[0])
		return 0;
	snprintf(path, sizeof(path), FZ_CLASS "/%s/id", dev);
	if (read_attr(path, buf, sizeof(buf)))
		return -1;
	return strtol(buf, NULL, 10);
}

/* What decides for the target: its policy attribute (or global_policy). */
static int read_policy(const char *target, char *buf, size_t size)
{
	char path[128];

	if (target[0])
		snprintf(path, sizeof(path), FZ_CLASS "/%s/policy", target);
	else
		snprintf(path, sizeof(path), FZ_KOBJ "/global_policy");
	return read_attr(path, buf, size);
}

static int read_last_exit(const char *target, char *buf, size_t size)
{
	char path[128];

	if (target[0])
		snprintf(path, sizeof(path), FZ_CLASS "/%s/last_exit", target);
	else
		snprintf(path, sizeof(path), FZ_KOBJ "/global_last_exit");
	return read_attr(path, buf, size);
}

/* Whether sysfs says s decides for its target. */
static bool shown(const struct slot *s)
{
	char buf[96], want[64];

	if (read_policy(s->target, buf, sizeof(buf)))
		return false;
	snprintf(want, sizeof(want), "%s%s\n", s->target[0] ? "device " : "",
		 s->name);
	return !strcmp(buf, want);
}

static void strip_nl(char *buf)
{
	buf[strcspn(buf, "\n")] = 0;
}

/*
 * s was attached (or registered): sysfs must show it, unless it may have
 * been ejected or its device went away (the id then differs from the one
 * of the device seen holding it). Remembers the device seen holding it.
 */
static void check_shown(struct fz_thread *t, struct slot *s, const char *after)
{
	char pol[96] = "", last[192] = "";
	long id0 = dev_id(s->target), id1;
	bool yes = shown(s);

	id1 = dev_id(s->target);
	if (yes) {
		s->dev_id = id0 == id1 ? id1 : -1;
		return;
	}
	if (s->ejectable)
		return;
	if (s->target[0] && (s->dev_id < 0 || id0 != s->dev_id ||
			     id1 != s->dev_id))
		return;
	read_policy(s->target, pol, sizeof(pol));
	read_last_exit(s->target, last, sizeof(last));
	strip_nl(pol);
	strip_nl(last);
	fz_fail(t, "%s: policy %s of %s not shown: policy '%s', last_exit '%s'",
		after, s->name, target_desc(s), pol, last);
}

/*
 * s is detached, or failed to attach: sysfs must not show it, at once or,
 * for a link whose close detaches it, within wait_ms.
 */
static void check_gone(struct fz_thread *t, const struct slot *s,
		       const char *after, unsigned int wait_ms)
{
	unsigned int waited = 0;

	while (shown(s)) {
		if (waited >= wait_ms) {
			fz_fail(t, "%s: policy %s still decides for %s",
				after, s->name, target_desc(s));
			return;
		}
		fz_sleep_ms(10);
		waited += 10;
	}
}

/* ------------------------------------------------------------------ */
/* Slots                                                               */

static void slot_free(struct slot *s)
{
	bpf_object__close(s->obj);
	memset(s, 0, sizeof(*s));
}

static bool is_free(const struct slot *s)
{
	return !s->obj;
}

/* Loaded, attached to nothing, and could be. */
static bool is_idle(const struct slot *s)
{
	return s->obj && !s->link;
}

static bool is_linked(const struct slot *s)
{
	return s->link && !s->linkless;
}

static bool is_registered(const struct slot *s)
{
	return s->link && s->linkless;
}

static bool is_link_mode(const struct slot *s)
{
	return s->obj && !s->linkless;
}

static bool is_held(const struct slot *s)
{
	return s->link;
}

/* A random slot for which ok() holds, other than not; NULL if none. */
static struct slot *pick(struct fz_thread *t, bool (*ok)(const struct slot *),
			 const struct slot *not)
{
	struct state *st = fz_my_state(t);
	struct slot *found[SLOTS];
	int i, n = 0;

	for (i = 0; i < SLOTS; i++)
		if (ok(&st->slot[i]) && &st->slot[i] != not)
			found[n++] = &st->slot[i];
	return n ? found[fz_below(t, n)] : NULL;
}

/* A slot to load into: a free one, or an idle one given up. */
static struct slot *slot_for_load(struct fz_thread *t)
{
	struct slot *s = pick(t, is_free, NULL);

	if (s)
		return s;
	s = pick(t, is_idle, NULL);
	if (s) {
		fz_log(t, "policy: close %s to make room", s->name);
		slot_free(s);
	}
	return s;
}

/* Whether the kernel takes name as a target or policy name. */
static bool name_ok(const char *name)
{
	return strspn(name, "abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.:-") ==
	       strlen(name);
}

static unsigned int pick_timeout(struct fz_thread *t)
{
	if (fz_chance(t, 85))
		return 0;
	if (fz_chance(t, 10))	/* past IOFAULT_TIMEOUT_MAX_MS: refused */
		return 3600001;
	return 50 + fz_below(t, 10000);
}

/* Open path, keeping its maps to itself: some are pinned by name. */
static struct bpf_object *open_obj(struct fz_thread *t, const char *path)
{
	struct bpf_object *obj;
	struct bpf_map *map;

	libbpf_said[0] = 0;
	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		fz_fail(t, "cannot open %s: %s (libbpf: %s)", path,
			strerror(errno), libbpf_said);
		return NULL;
	}
	bpf_object__for_each_map(map, obj)
		bpf_map__set_pin_path(map, NULL);
	return obj;
}

/* Load obj, counting the time against the worker's share; 0 or an errno. */
static int load_obj(struct bpf_object *obj)
{
	uint64_t t0 = now_ns();
	int err;

	libbpf_said[0] = 0;
	err = bpf_object__load(obj);
	atomic_fetch_add(&load_used_ns, now_ns() - t0);
	return -err;
}

static struct bpf_map *ops_map(struct bpf_object *obj)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj)
		if (bpf_map__type(map) == BPF_MAP_TYPE_STRUCT_OPS)
			return map;
	return NULL;
}

/*
 * Load a random policy into s, for twin's target and timeout if twin is
 * given (a replacement), else for a random target. False if it failed.
 */
static bool slot_load(struct fz_thread *t, struct slot *s, bool linkless,
		      const struct slot *twin)
{
	struct state *st = fz_my_state(t);
	const struct prog *p = &progs[fz_below(t, ARRAY_LEN(progs))];
	char path[256];
	__u32 flags;
	int err;

	memset(s, 0, sizeof(*s));
	s->prog = p;
	s->linkless = linkless;
	if (twin) {
		memcpy(s->target, twin->target, sizeof(s->target));
		s->timeout_ms = twin->timeout_ms;
	} else {
		if (!fz_chance(t, 25))
			fz_pick_dev(t, s->target);
		s->timeout_ms = pick_timeout(t);
	}
	if (fz_chance(t, 3)) {	/* not [A-Za-z0-9_.:-]: refused */
		snprintf(s->name, sizeof(s->name), "fz bad/%u", st->seq++);
		s->bad_value = true;
	} else {
		snprintf(s->name, sizeof(s->name), "%.14s.%u.%u.%u", p->file,
			 t->worker, t->index, st->seq++ % 100000);
	}
	/* fz_pick_dev() gives some names no device can have. */
	s->bad_value |= !name_ok(s->target) || s->timeout_ms > 3600000;

	snprintf(path, sizeof(path), "%s/%s.bpf.o", p->dir, p->file);
	s->obj = open_obj(t, path);
	if (!s->obj)
		return false;
	s->map = ops_map(s->obj);
	if (!s->map) {
		fz_fail(t, "%s has no struct_ops map", path);
		slot_free(s);
		return false;
	}
	s->ejectable = p->config(t, s->obj, &s->refuses);
	flags = bpf_map__map_flags(s->map);
	err = set_member_str(s->obj, s->map, "target", s->target) ||
	      set_member_str(s->obj, s->map, "name", s->name) ||
	      set_member_u32(s->obj, s->map, "timeout_ms", s->timeout_ms) ||
	      bpf_map__set_map_flags(s->map, linkless ? flags & ~BPF_F_LINK :
					     flags | BPF_F_LINK);
	if (err) {
		fz_fail(t, "%s: cannot set the policy's fields", path);
		slot_free(s);
		return false;
	}
	fz_log(t, "policy: load %s as %s for %s, timeout %u%s%s%s", p->file,
	       s->name, target_desc(s), s->timeout_ms,
	       linkless ? ", link-less" : "", s->refuses ? ", refusing" : "",
	       s->ejectable ? ", ejectable" : "");
	err = load_obj(s->obj);
	if (!FZ_EXPECT(t, "load a policy", err, 0)) {
		fz_log(t, "policy: libbpf said: %s", libbpf_said);
		slot_free(s);
		return false;
	}
	return true;
}

/*
 * Attach (or register) the idle slot s, and check the outcome: an error
 * the kernel gives for what s is, or one a concurrent action can cause.
 */
static void slot_attach(struct fz_thread *t, struct slot *s)
{
	const char *what = s->linkless ? "register a policy" : "attach a policy";
	struct bpf_link *link;
	bool device = s->target[0];
	int err;

	s->dev_id = dev_id(s->target);
	fz_log(t, "policy: %s %s to %s", s->linkless ? "register" : "attach",
	       s->name, target_desc(s));
	link = bpf_map__attach_struct_ops(s->map);
	err = link ? 0 : errno;

	/*
	 * ENODEV: a device target may be absent, or leave meanwhile (hw,
	 * core); EBUSY: others take targets; a refusing init says EPERM. The
	 * value is checked before any of these: a bad name or timeout, and a
	 * timeout for the global policy, are EINVAL.
	 */
	if (s->bad_value || (!device && s->timeout_ms))
		FZ_EXPECT(t, what, err, EINVAL);
	else if (s->refuses)
		FZ_EXPECT(t, what, err, EPERM, EBUSY, device ? ENODEV : EPERM);
	else
		FZ_EXPECT(t, what, err, 0, EBUSY, device ? ENODEV : 0);
	if (link) {
		s->link = link;
		check_shown(t, s, what);
		return;
	}
	check_gone(t, s, what, 0);
	/* Its value will not do: make room for another. */
	if (s->bad_value)
		slot_free(s);
}

/*
 * Detach s: through its link (BPF_LINK_DETACH, or only closing it, which
 * detaches once nothing else holds it), or by deleting the element of its
 * map if it was registered without one. Then nothing may show it.
 */
static void slot_detach(struct fz_thread *t, struct slot *s)
{
	unsigned int wait_ms = 0;
	int err;

	if (s->linkless) {
		fz_log(t, "policy: unregister %s from %s", s->name,
		       target_desc(s));
		/* Its map is still registered even if it was stopped. */
		err = -bpf_link__destroy(s->link);
		FZ_EXPECT(t, "unregister a policy", err, 0);
		s->link = NULL;
		check_gone(t, s, "unregister", 0);
		/* A map once unregistered cannot register again. */
		slot_free(s);
		return;
	}
	if (fz_chance(t, 70)) {
		fz_log(t, "policy: detach %s from %s", s->name, target_desc(s));
		/* 0 also when the kernel detached it already. */
		err = -bpf_link__detach(s->link);
		FZ_EXPECT(t, "detach a policy link", err, 0);
	} else {
		fz_log(t, "policy: close the link of %s on %s", s->name,
		       target_desc(s));
		/* A child forked meanwhile may hold it until it execs. */
		wait_ms = GONE_WAIT_MS;
	}
	err = -bpf_link__destroy(s->link);
	FZ_EXPECT(t, "close a policy link", err, 0);
	s->link = NULL;
	check_gone(t, s, "detach", wait_ms);
}

/* Whether the struct_ops link still holds a map (is not detached). */
static bool link_alive(struct bpf_link *link)
{
	struct bpf_link_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_link_get_info_by_fd(bpf_link__fd(link), &info, &len))
		return false;
	return info.struct_ops.map_id;
}

/* Whether something else than the thread may have stopped s. */
static bool stoppable(const struct slot *s)
{
	return s->ejectable || s->target[0];
}

/* ------------------------------------------------------------------ */
/* Actions                                                             */

static void act_sysfs(struct fz_thread *t);
static void act_detach(struct fz_thread *t);

/* Load a new policy and attach or register it. */
static void load_and_attach(struct fz_thread *t, bool linkless)
{
	struct slot *s, *twin = NULL;

	if (!load_allowed()) {
		s = pick(t, is_idle, NULL);
		if (s)
			slot_attach(t, s);
		else
			act_sysfs(t);
		return;
	}
	/* Now and then one to replace another by, later. */
	if (!linkless && fz_chance(t, 30))
		twin = pick(t, is_linked, NULL);
	s = slot_for_load(t);
	if (!s) {		/* all are attached */
		act_detach(t);
		return;
	}
	if (slot_load(t, s, linkless, twin))
		slot_attach(t, s);
}

static void act_attach_new(struct fz_thread *t)
{
	load_and_attach(t, false);
}

static void act_register_new(struct fz_thread *t)
{
	load_and_attach(t, true);
}

/*
 * Attach a loaded policy again. Now and then one that is attached
 * already: a map decides in one place only (EBUSY), unless the kernel
 * stopped it meanwhile.
 */
static void act_attach_again(struct fz_thread *t)
{
	const char *what = "attach an attached policy again";
	struct bpf_link *link;
	struct slot *s = NULL;
	int err;

	if (fz_chance(t, 15))
		s = pick(t, is_held, NULL);
	if (!s) {
		s = pick(t, is_idle, NULL);
		if (s)
			slot_attach(t, s);
		else
			load_and_attach(t, false);
		return;
	}
	fz_log(t, "policy: %s %s to %s again",
	       s->linkless ? "register" : "attach", s->name, target_desc(s));
	link = bpf_map__attach_struct_ops(s->map);
	err = link ? 0 : errno;
	if (s->linkless) {
		/* Registered, even stopped, until unregistered. */
		FZ_EXPECT(t, what, err, EBUSY);
	} else if (stoppable(s)) {
		FZ_EXPECT(t, what, err, EBUSY, 0, s->target[0] ? ENODEV : 0);
	} else {
		FZ_EXPECT(t, what, err, EBUSY);
	}
	if (!link)
		return;
	if (s->linkless) {
		/* Never registered twice: leave the kernel's state alone. */
		bpf_link__disconnect(link);
		bpf_link__destroy(link);
		return;
	}
	/* The first link must have been detached: keep the new one. */
	if (link_alive(s->link))
		fz_fail(t, "policy %s attached through two links at once",
			s->name);
	bpf_link__destroy(s->link);
	s->link = link;
	check_shown(t, s, what);
}

/*
 * The policy a replaced one's link should go to: a loaded one for the
 * same target and timeout most of the time, any other loaded one (EINVAL)
 * or itself (EBUSY) now and then, or a new one for its target.
 */
static struct slot *replacement(struct fz_thread *t, struct slot *a)
{
	struct state *st = fz_my_state(t);
	struct slot *match[SLOTS], *s;
	int i, n = 0;

	if (fz_chance(t, 5))
		return a;
	for (i = 0; i < SLOTS; i++) {
		s = &st->slot[i];
		if (s != a && is_link_mode(s) &&
		    !strcmp(s->target, a->target) &&
		    s->timeout_ms == a->timeout_ms)
			match[n++] = s;
	}
	if (n && fz_chance(t, 85))
		return match[fz_below(t, n)];
	if (fz_chance(t, 50) || !load_allowed()) {
		s = pick(t, is_link_mode, a);
		if (s)
			return s;
	}
	if (!load_allowed())
		return NULL;
	s = pick(t, is_free, NULL);
	if (!s)
		s = pick(t, is_idle, a);
	if (!s)
		return NULL;
	if (s->obj) {
		fz_log(t, "policy: close %s to make room", s->name);
		slot_free(s);
	}
	return slot_load(t, s, false, a) ? s : NULL;
}

/* Replace an attached policy through its link (BPF_LINK_UPDATE). */
static void act_replace(struct fz_thread *t)
{
	const char *what = "replace a policy";
	char last[192], want[128];
	struct slot *a = pick(t, is_linked, NULL), *b;
	bool mismatch, busy;
	int err;

	if (!a) {
		act_attach_again(t);
		return;
	}
	b = replacement(t, a);
	if (!b)
		return;
	mismatch = strcmp(a->target, b->target) ||
		   a->timeout_ms != b->timeout_ms;
	busy = b == a || b->link;
	fz_log(t, "policy: replace %s by %s on %s", a->name, b->name,
	       target_desc(a));
	err = -bpf_link__update_map(a->link, b->map);

	/*
	 * b's value is written first (a bad one is EINVAL). Then ENOLINK if
	 * a's link was detached (ejection, device removal); then a target or
	 * timeout that differ (EINVAL), b deciding somewhere (EBUSY), a
	 * stopped (ENODEV), b's init refusing (EPERM).
	 */
	if (b->bad_value && !b->link)
		FZ_EXPECT(t, what, err, EINVAL);
	else if (!stoppable(a))
		FZ_EXPECT(t, what, err, mismatch ? EINVAL : busy ? EBUSY :
			  b->refuses ? EPERM : 0);
	else if (mismatch)
		FZ_EXPECT(t, what, err, EINVAL, ENOLINK);
	else if (busy)
		FZ_EXPECT(t, what, err, EBUSY, ENOLINK);
	else
		FZ_EXPECT(t, what, err, b->refuses ? EPERM : 0, ENOLINK,
			  ENODEV);

	if (err) {
		if (err != ENOLINK && err != ENODEV)
			check_shown(t, a, what);
		if (!b->link)
			check_gone(t, b, what, 0);
		if (b->bad_value && !b->link)
			slot_free(b);
		return;
	}
	if (b == a)		/* said above: no policy replaces itself */
		return;
	b->link = a->link;
	b->dev_id = a->dev_id;
	a->link = NULL;
	check_gone(t, a, what, 0);
	check_shown(t, b, what);
	/*
	 * Nothing else records a stop there while b holds the place: unless
	 * b was ejected, or the device left (its id then differs).
	 */
	read_last_exit(a->target, last, sizeof(last));
	if (b->ejectable || (a->target[0] && (a->dev_id < 0 ||
					      dev_id(a->target) != a->dev_id)))
		return;
	snprintf(want, sizeof(want), "replaced 0 %s: replaced by %s\n",
		 a->name, b->name);
	if (strcmp(last, want)) {
		strip_nl(last);
		fz_fail(t, "after replacing %s by %s on %s: last_exit '%s'",
			a->name, b->name, target_desc(a), last);
	}
}

static void act_detach(struct fz_thread *t)
{
	struct slot *s = pick(t, is_held, NULL);

	if (s)
		slot_detach(t, s);
	else
		act_sysfs(t);
}

/*
 * Unregister a link-less policy; now and then try deleting the element of
 * a link-mode map, which only its link can detach (EOPNOTSUPP).
 */
static void act_unregister(struct fz_thread *t)
{
	struct slot *s;
	__u32 zero = 0;
	int err;

	if (fz_chance(t, 20)) {
		s = pick(t, is_link_mode, NULL);
		if (s) {
			fz_log(t, "policy: delete the element of %s", s->name);
			err = bpf_map_delete_elem(bpf_map__fd(s->map), &zero) ?
			      errno : 0;
			FZ_EXPECT(t, "delete a link-mode policy map's element",
				  err, EOPNOTSUPP);
			return;
		}
	}
	s = pick(t, is_registered, NULL);
	if (s)
		slot_detach(t, s);
	else
		act_register_new(t);
}

/* Whether text, an exit record, reads "KIND CODE POLICY: MSG" or "". */
static bool exit_line_ok(const char *text)
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

/*
 * Read what decides for a random device or globally, and why its last
 * policy stopped; and check that one of the thread's attached policies
 * still shows.
 */
static void act_sysfs(struct fz_thread *t)
{
	char target[IOFAULT_NAME_LEN] = "", pol[96], last[192];
	struct slot *s;
	int err;

	if (!fz_chance(t, 25))
		fz_pick_dev(t, target);
	fz_log(t, "policy: read the policy and last_exit of %s",
	       target[0] ? target : "(global)");
	err = read_policy(target, pol, sizeof(pol));
	/* A device may be absent, or leave between open and read. */
	if (!FZ_EXPECT(t, "read policy", err, 0, target[0] ? ENOENT : 0,
		       target[0] ? ENODEV : 0) || err)
		return;
	if (target[0] ? strcmp(pol, "builtin default\n") &&
			strncmp(pol, "device ", 7) && strncmp(pol, "global ", 7) :
			strchr(pol, ' ') != NULL) {
		strip_nl(pol);
		fz_fail(t, "policy of %s: '%s'", target, pol);
	}
	err = read_last_exit(target, last, sizeof(last));
	if (!FZ_EXPECT(t, "read last_exit", err, 0, target[0] ? ENOENT : 0,
		       target[0] ? ENODEV : 0) || err)
		return;
	if (!exit_line_ok(last)) {
		strip_nl(last);
		fz_fail(t, "last_exit of %s: '%s'",
			target[0] ? target : "(global)", last);
	}
	s = pick(t, is_held, NULL);
	if (s) {
		fz_log(t, "policy: is %s still on %s", s->name, target_desc(s));
		check_shown(t, s, "later");
	}
}

/* Load a program the verifier must refuse: the load fails, that is all. */
static void act_bad_load(struct fz_thread *t)
{
	const char *file = bad_progs[fz_below(t, ARRAY_LEN(bad_progs))];
	struct bpf_object *obj;
	char path[256];
	int err;

	if (!load_allowed()) {
		act_sysfs(t);
		return;
	}
	snprintf(path, sizeof(path), FZ_PROGDIR "/%s.bpf.o", file);
	fz_log(t, "policy: load %s, which the verifier refuses", file);
	obj = open_obj(t, path);
	if (!obj)
		return;
	err = load_obj(obj);
	/* The verifier says EACCES; some of its checks EINVAL. */
	FZ_EXPECT(t, "load a policy the verifier refuses", err, EACCES,
		  EINVAL);
	bpf_object__close(obj);
}

/*
 * Attach trace_responses to iofault's tracepoints, or detach it: a
 * tracing program runs in the fault path's tracepoints.
 */
static void act_trace(struct fz_thread *t)
{
	struct state *st = fz_my_state(t);
	struct bpf_program *prog;
	char path[256];
	int err, i = 0;

	if (st->trace_link[0] || st->trace_link[1]) {
		fz_log(t, "policy: detach trace_responses");
		for (i = 0; i < 2; i++) {
			bpf_link__destroy(st->trace_link[i]);
			st->trace_link[i] = NULL;
		}
		return;
	}
	if (!st->trace) {
		if (!load_allowed()) {
			act_sysfs(t);
			return;
		}
		snprintf(path, sizeof(path), FZ_PROGDIR "/trace_responses.bpf.o");
		fz_log(t, "policy: load trace_responses");
		st->trace = open_obj(t, path);
		if (!st->trace)
			return;
		err = load_obj(st->trace);
		if (!FZ_EXPECT(t, "load trace_responses", err, 0)) {
			fz_log(t, "policy: libbpf said: %s", libbpf_said);
			bpf_object__close(st->trace);
			st->trace = NULL;
			return;
		}
	}
	fz_log(t, "policy: attach trace_responses");
	bpf_object__for_each_program(prog, st->trace) {
		if (i == 2)
			break;
		libbpf_said[0] = 0;
		st->trace_link[i] = bpf_program__attach(prog);
		err = st->trace_link[i] ? 0 : errno;
		if (!FZ_EXPECT(t, "attach trace_responses", err, 0))
			fz_log(t, "policy: libbpf said: %s", libbpf_said);
		i++;
	}
}

/* ------------------------------------------------------------------ */
/* The family                                                          */

static void *policy_init(struct fz_thread *t)
{
	uint64_t zero = 0;

	(void)t;
	libbpf_set_print(libbpf_print);
	atomic_compare_exchange_strong(&load_start_ns, &zero, now_ns());
	return calloc(1, sizeof(struct state));
}

/* Detach what the thread holds: the epoch ends. */
static void policy_drain(struct fz_thread *t, void *state)
{
	struct state *st = state;
	int i;

	for (i = 0; i < SLOTS; i++)
		if (st->slot[i].link)
			slot_detach(t, &st->slot[i]);
	for (i = 0; i < 2; i++) {
		bpf_link__destroy(st->trace_link[i]);
		st->trace_link[i] = NULL;
	}
}

static void policy_fini(struct fz_thread *t, void *state)
{
	struct state *st = state;
	int i;

	if (!st)
		return;
	policy_drain(t, st);
	for (i = 0; i < SLOTS; i++)
		if (st->slot[i].obj)
			slot_free(&st->slot[i]);
	bpf_object__close(st->trace);
	free(st);
}

static const struct fz_action policy_actions[] = {
	{ "attach-new", 2, act_attach_new },
	{ "attach-again", 4, act_attach_again },
	{ "replace", 3, act_replace },
	{ "detach", 4, act_detach },
	{ "register", 1, act_register_new },
	{ "unregister", 1, act_unregister },
	{ "sysfs", 3, act_sysfs },
	{ "bad-load", 1, act_bad_load },
	{ "trace", 1, act_trace },
};

const struct fz_family fz_policy_family = {
	.name = "policy",
	.actions = policy_actions,
	.nr_actions = ARRAY_LEN(policy_actions),
	.init = policy_init,
	.drain = policy_drain,
	.fini = policy_fini,
};

/* ------------------------------------------------------------------ */
/* Between epochs, in the main process                                 */

/* Whether the struct_ops map id is an iofault policy. */
static bool iofault_map(__u32 id, bool *linked)
{
	struct bpf_map_info info;
	struct bpf_btf_info binfo;
	__u32 len = sizeof(info);
	char name[32] = "";
	int fd, bfd;

	fd = bpf_map_get_fd_by_id(id);
	if (fd < 0)
		return false;
	memset(&info, 0, sizeof(info));
	if (bpf_map_get_info_by_fd(fd, &info, &len) ||
	    info.type != BPF_MAP_TYPE_STRUCT_OPS) {
		close(fd);
		return false;
	}
	close(fd);
	*linked = info.map_flags & BPF_F_LINK;
	/* iofault_ops is the only struct_ops type of the module's BTF. */
	bfd = bpf_btf_get_fd_by_id(info.btf_vmlinux_id);
	if (bfd < 0)
		return false;
	memset(&binfo, 0, sizeof(binfo));
	binfo.name = (__u64)(unsigned long)name;
	binfo.name_len = sizeof(name);
	len = sizeof(binfo);
	if (bpf_btf_get_info_by_fd(bfd, &binfo, &len))
		name[0] = 0;
	close(bfd);
	return !strcmp(name, "iofault");
}

/* Detach every link of an iofault policy (pinned ones too). */
static int detach_links(unsigned int *n)
{
	struct bpf_link_info info;
	__u32 id = 0, len;
	bool linked;
	int fd, fails = 0;

	while (!bpf_link_get_next_id(id, &id)) {
		fd = bpf_link_get_fd_by_id(id);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (!bpf_link_get_info_by_fd(fd, &info, &len) &&
		    info.type == BPF_LINK_TYPE_STRUCT_OPS &&
		    info.struct_ops.map_id &&
		    iofault_map(info.struct_ops.map_id, &linked)) {
			if (bpf_link_detach(fd)) {
				fz_main_fail("cannot detach policy link %u: %s",
					     id, strerror(errno));
				fails++;
			} else {
				(*n)++;
			}
		}
		close(fd);
	}
	return fails;
}

/* Unregister every link-less iofault policy: they outlive their process. */
static int unregister_maps(unsigned int *n)
{
	__u32 id = 0, zero = 0;
	bool linked;
	int fd, fails = 0;

	while (!bpf_map_get_next_id(id, &id)) {
		if (!iofault_map(id, &linked) || linked)
			continue;
		fd = bpf_map_get_fd_by_id(id);
		if (fd < 0)
			continue;
		/* ENOENT: not registered; EINPROGRESS: unregistered already. */
		if (!bpf_map_delete_elem(fd, &zero))
			(*n)++;
		else if (errno != ENOENT && errno != EINPROGRESS) {
			fz_main_fail("cannot unregister policy map %u: %s",
				     id, strerror(errno));
			fails++;
		}
		close(fd);
	}
	return fails;
}

int fz_policy_cleanup(void)
{
	unsigned long long left = 0;
	unsigned int links = 0, maps = 0, waited = 0;
	char text[128];
	int fails;

	if (fz_read_file(FZ_KOBJ "/objects", text, sizeof(text)) < 0)
		return 0;	/* iofault is not loaded */
	/* Pinned links (the ctl family's iofaultctl attach), with their pins. */
	fz_run("iofaultctl detach --all >/dev/null 2>&1");
	/* Then any other: unpinned links of a process still alive, none. */
	fails = detach_links(&links) + unregister_maps(&maps);
	if (fz_opts.verbose && (links || maps))
		fprintf(stderr, "iofuzz: policy cleanup detached %u links and unregistered %u maps\n",
			links, maps);
	/* Policies are freed after a grace period. */
	for (;;) {
		if (fz_read_file(FZ_KOBJ "/objects", text, sizeof(text)) < 0 ||
		    !fz_stat(text, "policies", &left)) {
			fz_main_fail("cannot read %s/objects", FZ_KOBJ);
			return fails + 1;
		}
		if (!left)
			return fails;
		if (waited >= CLEANUP_WAIT_MS)
			break;
		fz_sleep_ms(20);
		waited += 20;
	}
	fz_main_fail("%llu iofault policies left %u ms after the cleanup",
		     left, CLEANUP_WAIT_MS);
	return fails + 1;
}
