// SPDX-License-Identifier: GPL-2.0
/*
 * iofuzz, the policy family: each thread loads iofault policies (the
 * examples, the guest test programs, and fuzz_policies, several in one
 * object), attaches them through struct_ops links or registers them
 * without one, to a random device or as the global policy, replaces,
 * detaches and unregisters them; it also loads the programs the verifier
 * must refuse, attaches a tracing program to iofault's tracepoints and
 * reads the policy attributes of sysfs.
 *
 * Every policy a thread loads gets a name of its own, which sysfs shows:
 * what sysfs says can then be checked against what the thread did while
 * other threads and processes attach theirs. Only an ejection (of a policy
 * that may forward or return an invalid verdict) or the removal of its
 * device takes a policy away from the thread that attached it.
 *
 * Loading is slow (policy_obj.c): a thread keeps its loaded policies and
 * attaches them again; a link-mode map can be attached any number of
 * times, to the target it was loaded for.
 *
 * The programs and their globals are in policy_progs.c, the sysfs checks
 * in policy_sysfs.c, the cleanup between epochs in policy_cleanup.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "fuzz.h"
#include "policy.h"

#define SLOTS		8	/* loaded policies a thread keeps */
#define GONE_WAIT_MS	2000	/* for a link whose last close detaches it */
#define TIMEOUT_MAX_MS	3600000	/* a policy's timeout_ms, at most */

/* A loaded object, shared by the slots of its policies. */
struct fzp_obj {
	struct bpf_object *bpf;
	unsigned int users;
};

struct state {
	struct fzp_slot slot[SLOTS];
	unsigned int seq;		/* for the policies' names */
	struct bpf_object *trace;	/* trace_responses, loaded */
	struct bpf_link *trace_link[2];
};

/* ------------------------------------------------------------------ */
/* Slots                                                               */

static void obj_put(struct fzp_obj *o)
{
	if (--o->users)
		return;
	bpf_object__close(o->bpf);
	free(o);
}

/* Give up s, which holds no link. */
static void slot_free(struct fzp_slot *s)
{
	if (s->obj)
		obj_put(s->obj);
	memset(s, 0, sizeof(*s));
}

static bool is_free(const struct fzp_slot *s)
{
	return !s->obj;
}

/* Loaded, attached to nothing. */
static bool is_idle(const struct fzp_slot *s)
{
	return s->obj && !s->link;
}

static bool is_linked(const struct fzp_slot *s)
{
	return s->link && !s->linkless;
}

static bool is_registered(const struct fzp_slot *s)
{
	return s->link && s->linkless;
}

static bool is_link_mode(const struct fzp_slot *s)
{
	return s->obj && !s->linkless;
}

static bool is_held(const struct fzp_slot *s)
{
	return s->link;
}

/* A random slot for which ok() holds, other than not; NULL if none. */
static struct fzp_slot *pick(struct fz_thread *t,
			     bool (*ok)(const struct fzp_slot *),
			     const struct fzp_slot *not)
{
	struct state *st = fz_my_state(t);
	struct fzp_slot *found[SLOTS];
	int i, n = 0;

	for (i = 0; i < SLOTS; i++)
		if (ok(&st->slot[i]) && &st->slot[i] != not)
			found[n++] = &st->slot[i];
	return n ? found[fz_below(t, n)] : NULL;
}

/* Whether sysfs shows no policy on s's target now. */
static bool target_free(const struct fzp_slot *s)
{
	char buf[96];

	if (fzp_read_policy(s->target, buf, sizeof(buf)))
		return false;
	return s->target[0] ? strncmp(buf, "device ", 7) : !strcmp(buf, "\n");
}

/*
 * An idle slot to attach: mostly one whose target looks free (it may be
 * taken by the time it attaches), else any; NULL if none is idle.
 */
static struct fzp_slot *pick_idle(struct fz_thread *t)
{
	struct state *st = fz_my_state(t);
	struct fzp_slot *found[SLOTS];
	int i, n = 0;

	if (fz_chance(t, 70))
		for (i = 0; i < SLOTS; i++)
			if (is_idle(&st->slot[i]) && target_free(&st->slot[i]))
				found[n++] = &st->slot[i];
	return n ? found[fz_below(t, n)] : pick(t, is_idle, NULL);
}

/*
 * A slot to load a policy of o into: a free one, or an idle one given up
 * (not one of o's, being set up); or NULL.
 */
static struct fzp_slot *slot_for_load(struct fz_thread *t,
				      const struct fzp_obj *o)
{
	struct state *st = fz_my_state(t);
	struct fzp_slot *s = pick(t, is_free, NULL), *found[SLOTS];
	int i, n = 0;

	if (s)
		return s;
	for (i = 0; i < SLOTS; i++)
		if (is_idle(&st->slot[i]) && st->slot[i].obj != o)
			found[n++] = &st->slot[i];
	if (!n)
		return NULL;
	s = found[fz_below(t, n)];
	fz_log(t, "policy: give up %s to make room", s->name);
	slot_free(s);
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
	if (fz_chance(t, 10))	/* too long: refused */
		return TIMEOUT_MAX_MS + 1;
	return 50 + fz_below(t, 10000);
}

/*
 * Make s the policy of map, for twin's target and timeout if twin is
 * given (to replace it), else for a random one; name it.
 */
static bool slot_setup(struct fz_thread *t, struct fzp_slot *s,
		       struct fzp_obj *o, struct bpf_map *map, bool linkless,
		       const struct fzp_slot *twin)
{
	struct state *st = fz_my_state(t);
	__u32 flags = bpf_map__map_flags(map);

	memset(s, 0, sizeof(*s));
	s->obj = o;
	o->users++;
	s->map = map;
	s->linkless = linkless;
	if (twin) {
		memcpy(s->target, twin->target, sizeof(s->target));
		s->timeout_ms = twin->timeout_ms;
	} else {
		if (!fz_chance(t, 25))
			fz_pick_dev(t, s->target);
		s->timeout_ms = pick_timeout(t);
	}
	if (fz_chance(t, 3))	/* not [A-Za-z0-9_.:-]: refused */
		snprintf(s->name, sizeof(s->name), "fz bad/%u", st->seq++);
	else
		snprintf(s->name, sizeof(s->name), "%.14s.%u.%u.%u",
			 bpf_map__name(map), t->worker, t->index,
			 st->seq++ % 100000);
	/*
	 * The kernel refuses the value of a policy with a bad target (some
	 * fz_pick_dev() names), name or timeout when it is written, before
	 * anything else; a global policy with a timeout, when it attaches.
	 */
	s->bad_value = !name_ok(s->target) || !name_ok(s->name) ||
		       s->timeout_ms > TIMEOUT_MAX_MS;
	s->never = s->bad_value || (!s->target[0] && s->timeout_ms);
	if (fzp_set_str(o->bpf, map, "target", s->target) ||
	    fzp_set_str(o->bpf, map, "name", s->name) ||
	    fzp_set_u32(o->bpf, map, "timeout_ms", s->timeout_ms) ||
	    bpf_map__set_map_flags(map, linkless ? flags & ~BPF_F_LINK :
						   flags | BPF_F_LINK)) {
		fz_fail(t, "%s: cannot set the fields of %s",
			bpf_object__name(o->bpf), bpf_map__name(map));
		return false;
	}
	return true;
}

static unsigned int nr_policies(struct bpf_object *obj)
{
	struct bpf_map *map;
	unsigned int n = 0;

	bpf_object__for_each_map(map, obj)
		n += bpf_map__type(map) == BPF_MAP_TYPE_STRUCT_OPS;
	return n;
}

/*
 * Load an object: an example, or fuzz_policies, of which some policies at
 * random (all for a thread that has none), each into a slot, for random
 * targets or for twin's. The first is link-less if asked, the others now
 * and then. Returns the first policy's slot, NULL if none was loaded.
 */
static struct fzp_slot *load(struct fz_thread *t, bool linkless,
			     const struct fzp_slot *twin)
{
	bool none = !pick(t, is_idle, NULL) && !pick(t, is_held, NULL);
	const struct fzp_prog *p = none || fz_chance(t, 60) ? &fzp_fuzz_prog :
			       &fzp_progs[fz_below(t, fzp_nr_progs)];
	unsigned int n = 0, want = 1, left;
	struct state *st = fz_my_state(t);
	struct fzp_slot *s, *first = NULL;
	struct fzp_knobs k = { 0 };
	uint64_t took;
	struct bpf_map *map;
	struct fzp_obj *o;
	char path[256];
	int err;

	snprintf(path, sizeof(path), "%s/%s.bpf.o", p->dir, p->file);
	o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	o->bpf = fzp_open(path);
	if (!o->bpf) {
		fz_fail(t, "cannot open %s: %s (libbpf: %s)", path,
			strerror(errno), fzp_libbpf_said);
		free(o);
		return NULL;
	}
	o->users = 1;		/* ours, while we set it up */
	p->config(t, o->bpf, &k);
	left = nr_policies(o->bpf);
	if (p->multi)
		want = none ? left : 1 + fz_below(t, left);
	bpf_object__for_each_map(map, o->bpf) {
		if (bpf_map__type(map) != BPF_MAP_TYPE_STRUCT_OPS)
			continue;
		/* want of the left ones, each as likely */
		s = fz_below(t, left--) < want - n ? slot_for_load(t, o) :
		    NULL;
		if (!s) {
			bpf_map__set_autocreate(map, false);
			continue;
		}
		if (!slot_setup(t, s, o, map, n ? fz_chance(t, 25) : linkless,
				n && fz_chance(t, 40) ? first : twin)) {
			slot_free(s);
			continue;
		}
		fzp_traits(p, &k, map, s);
		fz_log(t, "policy: %s is %s for %s, timeout %u%s%s%s%s",
		       s->name, bpf_map__name(map), fzp_target_desc(s->target),
		       s->timeout_ms, s->linkless ? ", link-less" : "",
		       s->refuse_err ? ", refusing" : "",
		       s->ejectable ? ", ejectable" : "",
		       s->never ? ", refused" : "");
		if (!first)
			first = s;
		n++;
	}
	if (first) {
		fz_log(t, "policy: load %s (%u policies)", p->file, n);
		err = fzp_load(o->bpf, !none, &took);
		if (!FZ_EXPECT(t, "load a policy", err, 0)) {
			fz_log(t, "policy: libbpf said: %s", fzp_libbpf_said);
			first = NULL;
		} else {
			fz_log(t, "policy: loaded %s in %llu ms", p->file,
			       (unsigned long long)took / 1000000);
		}
	}
	if (!first) {
		for (s = st->slot; s < st->slot + SLOTS; s++)
			if (s->obj == o)
				slot_free(s);
	}
	obj_put(o);
	return first;
}

/* After an unexpected outcome: what sysfs says of target, for the log. */
static void explain(struct fz_thread *t, const char *target)
{
	char pol[96] = "", last[192] = "";

	fzp_read_policy(target, pol, sizeof(pol));
	fzp_read_last_exit(target, last, sizeof(last));
	fzp_strip_nl(pol);
	fzp_strip_nl(last);
	fz_log(t, "policy: %s has '%s', last_exit '%s'",
	       fzp_target_desc(target), pol, last);
}

/*
 * Attach (or register) the idle slot s, and check the outcome: the error
 * the kernel gives for what s is, or one a concurrent action can cause.
 */
static void slot_attach(struct fz_thread *t, struct fzp_slot *s)
{
	struct bpf_link *link;
	bool device = s->target[0], ok;
	char what[FZ_LINE];
	int err;

	s->dev_id = fzp_dev_id(s->target);
	snprintf(what, sizeof(what), "%s %s to %s",
		 s->linkless ? "register" : "attach", s->name,
		 fzp_target_desc(s->target));
	fz_log(t, "policy: %s", what);
	link = bpf_map__attach_struct_ops(s->map);
	err = link ? 0 : errno;

	/*
	 * The value is checked first (EINVAL). Then ENODEV: a device target
	 * may be absent, or leave meanwhile (hw, core families); EBUSY:
	 * others take the targets; then the policy's init may refuse.
	 */
	if (s->never)
		ok = FZ_EXPECT(t, what, err, EINVAL);
	else if (s->refuse_err)
		ok = FZ_EXPECT(t, what, err, s->refuse_err, EBUSY,
			       device ? ENODEV : EBUSY);
	else
		ok = FZ_EXPECT(t, what, err, 0, EBUSY, device ? ENODEV : EBUSY);
	if (!ok)
		explain(t, s->target);
	if (link) {
		s->link = link;
		s->lingering = false;
		fzp_check_shown(t, s, what);
		return;
	}
	fzp_check_gone(t, s, what, 0);
	/* Make room for another: it never attaches, or may not for long. */
	if (s->never || (err == ENODEV && fz_chance(t, 10))) {
		fz_log(t, "policy: give up %s", s->name);
		slot_free(s);
	}
}

/*
 * Detach s: through its link (BPF_LINK_DETACH, or only closing it, which
 * detaches once nothing else holds it), or by deleting its map's element
 * if it was registered without one. Then sysfs may not show it.
 */
static void slot_detach(struct fz_thread *t, struct fzp_slot *s)
{
	unsigned int wait_ms = 0;
	int err;

	if (s->linkless) {
		fz_log(t, "policy: unregister %s from %s", s->name,
		       fzp_target_desc(s->target));
		/* Registered until now, even if stopped meanwhile. */
		err = -bpf_link__destroy(s->link);
		FZ_EXPECT(t, "unregister a policy", err, 0);
		s->link = NULL;
		fzp_check_gone(t, s, "unregister", 0);
		/* A map once unregistered cannot register again. */
		slot_free(s);
		return;
	}
	if (fz_chance(t, 70)) {
		fz_log(t, "policy: detach %s from %s", s->name,
		       fzp_target_desc(s->target));
		/* 0 also when the kernel detached it already. */
		err = -bpf_link__detach(s->link);
		FZ_EXPECT(t, "detach a policy link", err, 0);
	} else {
		fz_log(t, "policy: close the link of %s on %s", s->name,
		       fzp_target_desc(s->target));
		/*
		 * A child forked meanwhile holds it until it execs; the
		 * kernel's eject work, while it detaches it.
		 */
		wait_ms = GONE_WAIT_MS;
		s->lingering = true;
	}
	err = -bpf_link__destroy(s->link);
	FZ_EXPECT(t, "close a policy link", err, 0);
	s->link = NULL;
	fzp_check_gone(t, s, "detach", wait_ms);
}

/* Whether the struct_ops link still holds a map (was not detached). */
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
static bool stoppable(const struct fzp_slot *s)
{
	return s->ejectable || s->target[0];
}

/* ------------------------------------------------------------------ */
/* Actions                                                             */

static void act_sysfs(struct fz_thread *t);

/*
 * Whether the thread may load policies: within its share of time, or if
 * it has none at all.
 */
static bool may_load(struct fz_thread *t)
{
	return fzp_load_allowed() ||
	       (!pick(t, is_idle, NULL) && !pick(t, is_held, NULL));
}

/* Load new policies and attach or register one. */
static void load_and_attach(struct fz_thread *t, bool linkless)
{
	struct fzp_slot *s, *twin = NULL;

	if (!may_load(t)) {
		s = pick_idle(t);
		if (s) {
			slot_attach(t, s);
			return;
		}
		s = pick(t, is_held, NULL);
		if (s)
			slot_detach(t, s);
		else
			act_sysfs(t);
		return;
	}
	/* Now and then a replacement for an attached one, for later. */
	if (!linkless && fz_chance(t, 30))
		twin = pick(t, is_linked, NULL);
	s = load(t, linkless, twin);
	if (s)
		slot_attach(t, s);
	else if ((s = pick(t, is_held, NULL)))	/* all slots are held */
		slot_detach(t, s);
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
	struct fzp_slot *s = NULL;
	struct bpf_link *link;
	char what[FZ_LINE];
	bool ok;
	int err;

	if (fz_chance(t, 15))
		s = pick(t, is_held, NULL);
	if (!s) {
		s = pick_idle(t);
		if (s)
			slot_attach(t, s);
		else
			load_and_attach(t, false);
		return;
	}
	snprintf(what, sizeof(what), "%s %s to %s again",
		 s->linkless ? "register" : "attach", s->name,
		 fzp_target_desc(s->target));
	fz_log(t, "policy: %s", what);
	link = bpf_map__attach_struct_ops(s->map);
	err = link ? 0 : errno;
	if (s->linkless || !stoppable(s))
		/* A link-less one is registered, even stopped, until unregistered. */
		ok = FZ_EXPECT(t, what, err, EBUSY);
	else
		ok = FZ_EXPECT(t, what, err, EBUSY, 0, s->target[0] ? ENODEV : 0);
	if (!ok)
		explain(t, s->target);
	if (!link)
		return;
	if (s->linkless) {
		/* Registered twice: leave the kernel's state as it is. */
		bpf_link__disconnect(link);
		bpf_link__destroy(link);
		return;
	}
	/* The first link must have been detached: keep the new one. */
	if (link_alive(s->link))
		fz_fail(t, "%s attached through two links at once", s->name);
	bpf_link__destroy(s->link);
	s->link = link;
	s->lingering = false;
	fzp_check_shown(t, s, what);
}

/*
 * The policy a's link should go to: a loaded one for the same target and
 * timeout most of the time; any other loaded one (EINVAL) or a itself
 * (EBUSY) now and then; or a new one for a's target.
 */
static struct fzp_slot *replacement(struct fz_thread *t, struct fzp_slot *a)
{
	struct state *st = fz_my_state(t);
	struct fzp_slot *match[SLOTS], *s;
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
	if (fz_chance(t, 50) || !fzp_load_allowed()) {
		s = pick(t, is_link_mode, a);
		if (s || !fzp_load_allowed())
			return s;
	}
	return load(t, false, a);
}

/* Replace an attached policy through its link (BPF_LINK_UPDATE). */
static void act_replace(struct fz_thread *t)
{
	char what[FZ_LINE], last[192] = "", want[128];
	struct fzp_slot *a = pick(t, is_linked, NULL), *b;
	int err, ok[5] = { -1, -1, -1, -1, -1 }, n = 0;

	if (!a) {
		act_attach_again(t);
		return;
	}
	b = replacement(t, a);
	if (!b)
		return;
	snprintf(what, sizeof(what), "replace %s by %s on %s", a->name,
		 b->name, fzp_target_desc(a->target));
	fz_log(t, "policy: %s", what);
	err = -bpf_link__update_map(a->link, b->map);

	/*
	 * b's value is written first (EINVAL if bad). Then ENOLINK if a's
	 * link was detached (ejection, device removal); then a target or
	 * timeout that differ (EINVAL); b deciding (EBUSY: a itself, or b
	 * attached and not stopped since); a stopped but not yet detached
	 * (ENODEV); b's init refusing.
	 */
	if (b->bad_value && !b->link) {
		ok[n++] = EINVAL;
	} else {
		if (stoppable(a))
			ok[n++] = ENOLINK;
		if (strcmp(a->target, b->target) ||
		    a->timeout_ms != b->timeout_ms) {
			ok[n++] = EINVAL;
		} else if (b == a) {
			ok[n++] = EBUSY;
		} else {
			if (b->link || b->lingering)
				ok[n++] = EBUSY;
			if (!b->link || stoppable(b)) {
				ok[n++] = b->refuse_err;
				if (stoppable(a))
					ok[n++] = ENODEV;
			}
		}
	}
	if (!FZ_EXPECT(t, what, err, ok[0], ok[1], ok[2], ok[3], ok[4]))
		explain(t, a->target);

	if (err) {
		if (err != ENOLINK && err != ENODEV)
			fzp_check_shown(t, a, what);
		if (!b->link)
			fzp_check_gone(t, b, what, 0);
		if (b->never)	/* make room for another */
			slot_free(b);
		return;
	}
	if (b == a)		/* failed above: a policy cannot replace itself */
		return;
	if (b->link) {
		/* b's own link must have been detached (ejection, removal). */
		if (link_alive(b->link))
			fz_fail(t, "%s decides through two links at once",
				b->name);
		bpf_link__destroy(b->link);
	}
	b->link = a->link;
	b->lingering = false;
	b->dev_id = a->dev_id;
	a->link = NULL;
	fzp_check_gone(t, a, what, 0);
	fzp_check_shown(t, b, what);
	/*
	 * Nothing else records a stop there while b holds the place: unless
	 * b was ejected, or the device went (last_exit says so while it goes,
	 * its id differs after).
	 */
	fzp_read_last_exit(a->target, last, sizeof(last));
	if (b->ejectable || fzp_removed_under(last, b->name) ||
	    (a->target[0] && (a->dev_id < 0 ||
			      fzp_dev_id(a->target) != a->dev_id)))
		return;
	snprintf(want, sizeof(want), "replaced 0 %s: replaced by %s\n",
		 a->name, b->name);
	if (strcmp(last, want)) {
		fzp_strip_nl(last);
		fz_fail(t, "after replacing %s by %s on %s: last_exit '%s'",
			a->name, b->name, fzp_target_desc(a->target), last);
	}
}

static void act_detach(struct fz_thread *t)
{
	struct fzp_slot *s = pick(t, is_held, NULL);

	if (s)
		slot_detach(t, s);
	else if ((s = pick_idle(t)))
		slot_attach(t, s);
	else
		act_sysfs(t);
}

/*
 * Unregister a link-less policy; now and then try deleting the element of
 * a link-mode map instead, which only a link can detach (EOPNOTSUPP).
 */
static void act_unregister(struct fz_thread *t)
{
	struct fzp_slot *s = fz_chance(t, 20) ? pick(t, is_link_mode, NULL) : NULL;
	__u32 zero = 0;
	int err;

	if (s) {
		fz_log(t, "policy: delete the element of %s", s->name);
		err = bpf_map_delete_elem(bpf_map__fd(s->map), &zero) ? errno : 0;
		FZ_EXPECT(t, "delete a link-mode policy map's element", err,
			  EOPNOTSUPP);
		return;
	}
	s = pick(t, is_registered, NULL);
	if (s)
		slot_detach(t, s);
	else
		act_register_new(t);
}

/*
 * Read what decides for a random device, or globally, and why its last
 * policy stopped; and check that one of the thread's attached policies
 * still shows.
 */
static void act_sysfs(struct fz_thread *t)
{
	char target[IOFAULT_NAME_LEN] = "", pol[96], last[192];
	bool device;
	struct fzp_slot *s;
	int err;

	if (!fz_chance(t, 25))
		fz_pick_dev(t, target);
	device = target[0];
	fz_log(t, "policy: read the policy and last_exit of %s",
	       fzp_target_desc(target));
	err = fzp_read_policy(target, pol, sizeof(pol));
	/* A device may be absent, or leave between open and read. */
	if (!FZ_EXPECT(t, "read policy", err, 0, device ? ENOENT : 0,
		       device ? ENODEV : 0) || err)
		return;
	if (device ? strcmp(pol, "builtin default\n") &&
		     strncmp(pol, "device ", 7) && strncmp(pol, "global ", 7) :
		     strchr(pol, ' ') != NULL) {
		fzp_strip_nl(pol);
		fz_fail(t, "policy of %s: '%s'", fzp_target_desc(target), pol);
	}
	err = fzp_read_last_exit(target, last, sizeof(last));
	if (!FZ_EXPECT(t, "read last_exit", err, 0, device ? ENOENT : 0,
		       device ? ENODEV : 0) || err)
		return;
	if (!fzp_exit_line_ok(last)) {
		fzp_strip_nl(last);
		fz_fail(t, "last_exit of %s: '%s'", fzp_target_desc(target), last);
	}
	s = pick(t, is_held, NULL);
	if (s) {
		fz_log(t, "policy: is %s still on %s", s->name,
		       fzp_target_desc(s->target));
		fzp_check_shown(t, s, "later");
	}
}

/* Load a program the verifier must refuse: the load fails, that is all. */
static void act_bad_load(struct fz_thread *t)
{
	const char *file = fzp_bad_progs[fz_below(t, fzp_nr_bad_progs)];
	struct bpf_object *obj;
	char path[256];
	uint64_t took;
	int err;

	if (!fzp_load_allowed()) {
		act_sysfs(t);
		return;
	}
	snprintf(path, sizeof(path), FZ_PROGDIR "/%s.bpf.o", file);
	fz_log(t, "policy: load %s, which the verifier refuses", file);
	obj = fzp_open(path);
	if (!obj) {
		fz_fail(t, "cannot open %s: %s (libbpf: %s)", path,
			strerror(errno), fzp_libbpf_said);
		return;
	}
	err = fzp_load(obj, true, &took);
	/* The verifier says EACCES, or EINVAL for some of its checks. */
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
	uint64_t took;
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
		if (!fzp_load_allowed()) {
			act_sysfs(t);
			return;
		}
		fz_log(t, "policy: load trace_responses");
		st->trace = fzp_open(FZ_PROGDIR "/trace_responses.bpf.o");
		err = st->trace ? fzp_load(st->trace, true, &took) : errno;
		if (!FZ_EXPECT(t, "load trace_responses", err, 0)) {
			fz_log(t, "policy: libbpf said: %s", fzp_libbpf_said);
			bpf_object__close(st->trace);
			st->trace = NULL;
			return;
		}
	}
	fz_log(t, "policy: attach trace_responses");
	bpf_object__for_each_program(prog, st->trace) {
		if (i == 2)
			break;
		fzp_libbpf_said[0] = 0;
		st->trace_link[i] = bpf_program__attach(prog);
		err = st->trace_link[i] ? 0 : errno;
		if (!FZ_EXPECT(t, "attach trace_responses", err, 0))
			fz_log(t, "policy: libbpf said: %s", fzp_libbpf_said);
		i++;
	}
}

/* ------------------------------------------------------------------ */
/* The family                                                          */

static void *policy_init(struct fz_thread *t)
{
	struct state *st = calloc(1, sizeof(*st));

	(void)t;
	if (!st)
		abort();
	fzp_thread_init();
	return st;
}

/* The epoch ends: detach what the thread holds. */
static void policy_drain(struct fz_thread *t, void *state)
{
	struct state *st = state;
	int i;

	if (!st)
		return;
	for (i = 0; i < SLOTS; i++)
		if (st->slot[i].link)
			slot_detach(t, &st->slot[i]);
	for (i = 0; i < 2; i++) {
		bpf_link__destroy(st->trace_link[i]);
		st->trace_link[i] = NULL;
	}
}

/* The worker exits: what a failure kept from draining goes too. */
static void policy_fini(struct fz_thread *t, void *state)
{
	struct state *st = state;
	int i;

	if (!st)
		return;
	policy_drain(t, st);
	for (i = 0; i < SLOTS; i++)
		slot_free(&st->slot[i]);
	bpf_object__close(st->trace);
	free(st);
}

/*
 * Attaching, detaching, loading take tens of milliseconds or more, other
 * families' actions about one: beyond its share of the thread's time, a
 * slow action reads sysfs instead.
 */
static void slow(struct fz_thread *t, void (*act)(struct fz_thread *t))
{
	uint64_t since = fzp_now_ns();

	if (!fzp_slow_allowed()) {
		act_sysfs(t);
		return;
	}
	act(t);
	fzp_slow_spent(since);
}

#define SLOW(act)						\
	static void slow_##act(struct fz_thread *t)		\
	{							\
		slow(t, act);					\
	}
SLOW(act_attach_new)
SLOW(act_attach_again)
SLOW(act_replace)
SLOW(act_detach)
SLOW(act_register_new)
SLOW(act_unregister)
SLOW(act_bad_load)
SLOW(act_trace)

static const struct fz_action policy_actions[] = {
	{ "attach-new", 2, slow_act_attach_new },
	{ "attach-again", 4, slow_act_attach_again },
	{ "replace", 3, slow_act_replace },
	{ "detach", 4, slow_act_detach },
	{ "register", 1, slow_act_register_new },
	{ "unregister", 1, slow_act_unregister },
	{ "sysfs", 3, act_sysfs },
	{ "bad-load", 1, slow_act_bad_load },
	{ "trace", 1, slow_act_trace },
};

const struct fz_family fz_policy_family = {
	.name = "policy",
	.actions = policy_actions,
	.nr_actions = ARRAY_LEN(policy_actions),
	.init = policy_init,
	.drain = policy_drain,
	.fini = policy_fini,
};
