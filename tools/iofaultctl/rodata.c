// SPDX-License-Identifier: GPL-2.0
/*
 * iofaultctl --set NAME=VALUE: give a const volatile global of a policy
 * its value before the object is loaded. Such globals live in the .rodata
 * map (or a .rodata.* one): the variable is found by name in the section's
 * BTF DATASEC, and the value written at its offset in the map's initial
 * value, which the kernel then freezes. The verifier sees it as a
 * constant, as a skeleton's rodata would be.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "iofaultctl.h"

#define RODATA_SEC	".rodata"

/* An integer variable that can be set. */
struct int_var {
	unsigned int size;	/* 1, 2, 4 or 8 bytes */
	bool is_signed;
	bool is_bool;
};

static bool rodata_sec(const char *sec)
{
	size_t len = strlen(RODATA_SEC);

	return !strncmp(sec, RODATA_SEC, len) &&
	       (!sec[len] || sec[len] == '.');
}

/*
 * The DATASEC that holds the variable called name, and the variable's
 * place in it in *vi; 0 if no section has it.
 */
static int find_var(const struct btf *btf, const char *name,
		    const struct btf_var_secinfo **vi)
{
	const struct btf_var_secinfo *v;
	const struct btf_type *t, *vt;
	int id, i, n = btf__type_cnt(btf);

	for (id = 1; id < n; id++) {
		t = btf__type_by_id(btf, id);
		if (!btf_is_datasec(t))
			continue;
		v = btf_var_secinfos(t);
		for (i = 0; i < btf_vlen(t); i++, v++) {
			vt = btf__type_by_id(btf, v->type);
			if (vt && btf_is_var(vt) &&
			    !strcmp(btf__name_by_offset(btf, vt->name_off), name)) {
				*vi = v;
				return id;
			}
		}
	}
	return 0;
}

/* The map libbpf made of the section sec_id. */
static struct bpf_map *sec_map(struct bpf_object *obj, int sec_id)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj)
		if (bpf_map__is_internal(map) &&
		    bpf_map__btf_value_type_id(map) == (__u32)sec_id)
			return map;
	return NULL;
}

/* Whether the variable's type is an integer that can be set, and which. */
static bool int_type(const struct btf *btf, __u32 type_id, struct int_var *iv)
{
	const struct btf_type *t;
	int id = btf__resolve_type(btf, type_id);	/* past const, volatile, typedefs */

	t = id > 0 ? btf__type_by_id(btf, id) : NULL;
	if (!t)
		return false;
	memset(iv, 0, sizeof(*iv));
	iv->size = t->size;
	if (btf_is_int(t)) {
		if (btf_int_offset(t) || btf_int_bits(t) != t->size * 8)
			return false;
		iv->is_signed = btf_int_encoding(t) & BTF_INT_SIGNED;
		iv->is_bool = btf_int_encoding(t) & BTF_INT_BOOL;
	} else if (btf_is_any_enum(t)) {
		iv->is_signed = btf_kflag(t);
	} else {
		return false;
	}
	return iv->size == 1 || iv->size == 2 || iv->size == 4 || iv->size == 8;
}

/*
 * Parse [-](DIGITS | 0xHEXDIGITS): the sign in *neg, the magnitude in
 * *mag. Returns 0, -EINVAL if s is no such integer, -ERANGE if it is past
 * 64 bits.
 */
static int parse_int(const char *s, bool *neg, unsigned long long *mag)
{
	const char *p;
	bool hex;

	*neg = *s == '-';
	if (*neg)
		s++;
	hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	if (hex)
		s += 2;
	if (!*s)
		return -EINVAL;
	for (p = s; *p; p++)
		if (hex ? !isxdigit((unsigned char)*p) : !isdigit((unsigned char)*p))
			return -EINVAL;
	errno = 0;
	*mag = strtoull(s, NULL, hex ? 16 : 10);
	return errno ? -ERANGE : 0;
}

/* The kernel's name of iv's type: u8, s32, bool... */
static const char *int_name(const struct int_var *iv)
{
	static char buf[8];

	if (iv->is_bool)
		return "bool";
	snprintf(buf, sizeof(buf), "%c%u", iv->is_signed ? 's' : 'u',
		 iv->size * 8);
	return buf;
}

/* The value of s for iv, in *v; -1 (said why) if it is none. */
static int int_value(const char *path, const char *name, const char *s,
		     const struct int_var *iv, unsigned long long *v)
{
	unsigned int bits = iv->size * 8;
	unsigned long long mag, max, min_mag = 0;	/* the least is -min_mag */
	bool neg;
	int err = parse_int(s, &neg, &mag);

	if (err == -EINVAL) {
		errmsg("%s: bad value '%s' for %s (%s): not a decimal or 0x hex integer",
		       path, s, name, int_name(iv));
		return -1;
	}
	if (iv->is_bool) {
		max = 1;
	} else if (iv->is_signed) {
		max = (1ULL << (bits - 1)) - 1;
		min_mag = max + 1;
	} else {
		max = bits == 64 ? ~0ULL : (1ULL << bits) - 1;
	}
	if (err || mag > (neg ? min_mag : max)) {
		errmsg("%s: bad value '%s' for %s (%s): out of range, %s%llu to %llu",
		       path, s, name, int_name(iv), min_mag ? "-" : "",
		       min_mag, max);
		return -1;
	}
	*v = neg ? 0 - mag : mag;
	return 0;
}

static void store(void *p, unsigned int size, unsigned long long v)
{
	uint8_t v8 = v;
	uint16_t v16 = v;
	uint32_t v32 = v;
	uint64_t v64 = v;

	switch (size) {
	case 1:
		memcpy(p, &v8, 1);
		break;
	case 2:
		memcpy(p, &v16, 2);
		break;
	case 4:
		memcpy(p, &v32, 4);
		break;
	default:
		memcpy(p, &v64, 8);
	}
}

/*
 * Set a const volatile global of obj (the object file path) as assign,
 * "NAME=VALUE", says. Returns 0 or -1 (said why).
 */
int rodata_set(struct bpf_object *obj, const char *path, const char *assign)
{
	const struct btf *btf = bpf_object__btf(obj);
	const char *eq = strchr(assign, '='), *value = eq + 1, *sec;
	const struct btf_var_secinfo *vi;
	struct bpf_map *map;
	struct int_var iv;
	unsigned long long v;
	size_t size;
	char *name, *data;
	int sec_id, err = -1;

	name = strndup(assign, eq - assign);
	if (!name) {
		errmsg("%s", strerror(ENOMEM));
		return -1;
	}
	sec_id = btf ? find_var(btf, name, &vi) : 0;
	if (!sec_id) {
		errmsg("%s has no variable %s to set", path, name);
		goto out;
	}
	sec = btf__name_by_offset(btf, btf__type_by_id(btf, sec_id)->name_off);
	if (!rodata_sec(sec)) {
		errmsg("%s: cannot set %s: it is in section %s, not %s: only const volatile globals can be set",
		       path, name, sec, RODATA_SEC);
		goto out;
	}
	if (!int_type(btf, btf__type_by_id(btf, vi->type)->type, &iv) ||
	    vi->size != iv.size) {
		errmsg("%s: cannot set %s: only integers of 1, 2, 4 or 8 bytes can be set",
		       path, name);
		goto out;
	}
	map = sec_map(obj, sec_id);
	data = map ? bpf_map__initial_value(map, &size) : NULL;
	if (!data || vi->offset + vi->size > size) {
		errmsg("%s: cannot set %s: libbpf has no map for section %s",
		       path, name, sec);
		goto out;
	}
	if (int_value(path, name, value, &iv, &v))
		goto out;
	store(data + vi->offset, iv.size, v);
	err = 0;
out:
	free(name);
	return err;
}
