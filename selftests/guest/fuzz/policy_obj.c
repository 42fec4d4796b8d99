// SPDX-License-Identifier: GPL-2.0
/*
 * iofuzz, the policy family's BPF objects. A policy's data fields (target,
 * name, timeout_ms) are found by name in the object's BTF and written into
 * its map's initial value, which libbpf hands to the kernel; its const
 * volatile globals likewise into the .rodata map's.
 *
 * Loading an object costs a parse of the kernel's BTF by libbpf, a second
 * or more under an emulated CPU, and attaching or detaching a policy tens
 * of milliseconds (grace periods, trampolines): a thread spends only a
 * share of its time on either, so that other families' actions, much
 * quicker, keep theirs.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "policy.h"

#define SLOW_SHARE	4	/* slow actions get 1/SLOW_SHARE of the time */
#define LOAD_SHARE	10	/* loads, 1/LOAD_SHARE */

_Thread_local char fzp_libbpf_said[FZ_LINE];

/*
 * Since the thread began: time spent loading, in slow actions; and in a
 * load not counted, for the slow action it is part of.
 */
static _Thread_local uint64_t start_ns, load_ns, slow_ns, free_ns;

uint64_t fzp_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	char *said = fzp_libbpf_said;
	size_t len;

	if (level != LIBBPF_WARN || said[0])
		return 0;
	vsnprintf(said, FZ_LINE, fmt, ap);
	len = strlen(said);
	if (len && said[len - 1] == '\n')
		said[len - 1] = 0;
	return 0;
}

void fzp_thread_init(void)
{
	libbpf_set_print(libbpf_print);
	start_ns = fzp_now_ns();
	load_ns = slow_ns = free_ns = 0;
}

bool fzp_load_allowed(void)
{
	return load_ns <= (fzp_now_ns() - start_ns) / LOAD_SHARE;
}

bool fzp_slow_allowed(void)
{
	return slow_ns <= (fzp_now_ns() - start_ns) / SLOW_SHARE;
}

void fzp_slow_spent(uint64_t since)
{
	slow_ns += fzp_now_ns() - since - free_ns;
	free_ns = 0;
}

struct bpf_object *fzp_open(const char *path)
{
	struct bpf_object *obj;
	struct bpf_map *map;

	fzp_libbpf_said[0] = 0;
	obj = bpf_object__open_file(path, NULL);
	if (!obj)
		return NULL;
	bpf_object__for_each_map(map, obj)
		bpf_map__set_pin_path(map, NULL);
	return obj;
}

int fzp_load(struct bpf_object *obj, bool counted, uint64_t *took_ns)
{
	uint64_t t0 = fzp_now_ns();
	int err;

	fzp_libbpf_said[0] = 0;
	err = bpf_object__load(obj);
	*took_ns = fzp_now_ns() - t0;
	if (counted)
		load_ns += *took_ns;
	else
		free_ns += *took_ns;
	return -err;
}

int fzp_set_global(struct bpf_object *obj, const char *var, uint64_t val)
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

/* The bytes of member name of the policy map's value, and their number. */
static char *member(struct bpf_object *obj, struct bpf_map *map,
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

int fzp_set_str(struct bpf_object *obj, struct bpf_map *map,
		const char *name, const char *val)
{
	size_t size, len = strlen(val);
	char *p = member(obj, map, name, &size);

	if (!p || len >= size)
		return -EINVAL;
	memset(p, 0, size);
	memcpy(p, val, len);
	return 0;
}

int fzp_set_u32(struct bpf_object *obj, struct bpf_map *map,
		const char *name, uint32_t val)
{
	size_t size;
	char *p = member(obj, map, name, &size);

	if (!p || size != sizeof(val))
		return -EINVAL;
	memcpy(p, &val, sizeof(val));
	return 0;
}
