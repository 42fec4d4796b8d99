// SPDX-License-Identifier: GPL-2.0
/*
 * iofaultctl: the policy in a BPF object, a struct_ops map whose value is a
 * struct iofault_ops. Its data fields are found by name in the object's BTF
 * and written into the map's initial value; libbpf copies them, member by
 * member, into the kernel's struct iofault_ops when it loads the object.
 * For a link update, the value the kernel gets is built here the same way.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "iofaultctl.h"

#define POLICY_TYPE	"iofault_ops"

static const struct btf_type *value_type(const struct btf *btf,
					 const struct bpf_map *map)
{
	const struct btf_type *t;
	int id;

	if (!btf || bpf_map__type(map) != BPF_MAP_TYPE_STRUCT_OPS)
		return NULL;
	id = btf__resolve_type(btf, bpf_map__btf_value_type_id(map));
	t = id > 0 ? btf__type_by_id(btf, id) : NULL;
	return t && btf_is_struct(t) ? t : NULL;
}

static bool is_policy(const struct btf *btf, const struct bpf_map *map)
{
	const struct btf_type *t = value_type(btf, map);

	return t && !strcmp(btf__name_by_offset(btf, t->name_off), POLICY_TYPE);
}

static void list_policies(struct bpf_object *obj, const char *path)
{
	const struct btf *btf = bpf_object__btf(obj);
	struct bpf_map *map;

	fprintf(stderr, "iofaultctl: %s has several %s policies, choose one with --map:",
		path, POLICY_TYPE);
	bpf_object__for_each_map(map, obj)
		if (is_policy(btf, map))
			fprintf(stderr, " %s", bpf_map__name(map));
	fputc('\n', stderr);
}

/*
 * The policy to attach: the only iofault_ops map of obj, or the one called
 * want. No other struct_ops map of obj will be created.
 */
struct bpf_map *policy_select(struct bpf_object *obj, const char *path,
			      const char *want)
{
	const struct btf *btf = bpf_object__btf(obj);
	struct bpf_map *map, *found = NULL;
	int n = 0;

	bpf_object__for_each_map(map, obj) {
		if (!is_policy(btf, map))
			continue;
		if (want && strcmp(bpf_map__name(map), want))
			continue;
		found = map;
		n++;
	}
	if (n == 0 && want)
		errmsg("%s has no %s policy named %s", path, POLICY_TYPE, want);
	else if (n == 0)
		errmsg("%s has no %s policy", path, POLICY_TYPE);
	else if (n > 1)
		list_policies(obj, path);
	if (n != 1)
		return NULL;

	bpf_object__for_each_map(map, obj)
		if (map != found && bpf_map__type(map) == BPF_MAP_TYPE_STRUCT_OPS)
			bpf_map__set_autocreate(map, false);
	return found;
}

/*
 * The bytes of the char array member called name in the map's initial
 * value, and their number in *size; NULL if there is no such member.
 */
static char *member(const struct btf *btf, const struct bpf_map *map,
		    const char *name, size_t *size)
{
	const struct btf_type *t = value_type(btf, map);
	const struct btf_member *m = btf_members(t);
	const struct btf_type *mt;
	size_t data_size, off;
	char *data;
	__s64 msize;
	int i, id;

	data = bpf_map__initial_value(map, &data_size);
	if (!t || !data)
		return NULL;
	for (i = 0; i < btf_vlen(t); i++, m++) {
		if (strcmp(btf__name_by_offset(btf, m->name_off), name))
			continue;
		off = btf_member_bit_offset(t, i);
		id = btf__resolve_type(btf, m->type);
		mt = id > 0 ? btf__type_by_id(btf, id) : NULL;
		msize = btf__resolve_size(btf, m->type);
		if (btf_member_bitfield_size(t, i) || off % 8 || !mt ||
		    !btf_is_array(mt) || msize <= 0 ||
		    off / 8 + msize > data_size)
			return NULL;
		*size = msize;
		return data + off / 8;
	}
	return NULL;
}

/* member(), saying so when the object's struct lacks it. */
static char *need_member(const struct btf *btf, const struct bpf_map *map,
			 const char *path, const char *name, size_t *size)
{
	char *p = member(btf, map, name, size);

	if (!p)
		errmsg("%s: struct %s has no char array member '%s'",
		       path, POLICY_TYPE, name);
	return p;
}

/* Zero-fill member and copy the string value into it. */
static int set_member(const struct btf *btf, const struct bpf_map *map,
		      const char *path, const char *name, const char *value)
{
	size_t size, len = strlen(value);
	char *p = need_member(btf, map, path, name, &size);

	if (!p)
		return -1;
	if (len >= size) {
		errmsg("%s: '%s' does not fit in member '%s' (%zu bytes)",
		       path, value, name, size);
		return -1;
	}
	memset(p, 0, size);
	memcpy(p, value, len);
	return 0;
}

/*
 * Make the policy map ready to load for target (the device's name, "" for
 * the global policy): set its target, give it the map's name if it has
 * none, and ask for a real link, which can be pinned. The policy's name
 * is copied to name.
 */
int policy_prepare(struct bpf_object *obj, struct bpf_map *map,
		   const char *path, const char *target,
		   char name[IOFAULT_NAME_LEN])
{
	const struct btf *btf = bpf_object__btf(obj);
	size_t size;
	char *p;

	if (set_member(btf, map, path, "target", target))
		return -1;
	p = need_member(btf, map, path, "name", &size);
	if (!p)
		return -1;
	if (!p[0])
		snprintf(p, size, "%s", bpf_map__name(map));
	snprintf(name, IOFAULT_NAME_LEN, "%.*s", (int)size, p);
	return bpf_map__set_map_flags(map, bpf_map__map_flags(map) | BPF_F_LINK);
}

/* The member of struct t called name, its index in *idx; NULL if none. */
static const struct btf_member *find_member(const struct btf *btf,
					    const struct btf_type *t,
					    const char *name, int *idx)
{
	const struct btf_member *m = btf_members(t);
	int i;

	for (i = 0; i < btf_vlen(t); i++, m++)
		if (!strcmp(btf__name_by_offset(btf, m->name_off), name)) {
			*idx = i;
			return m;
		}
	return NULL;
}

/*
 * Whether the policy has a callback for member name: libbpf keeps each
 * callback's program in the map's initial value, as skeletons see it.
 */
bool policy_has_callback(struct bpf_object *obj, const struct bpf_map *map,
			 const char *name)
{
	const struct btf *btf = bpf_object__btf(obj);
	const struct btf_type *t = value_type(btf, map);
	const struct btf_member *m;
	struct bpf_program *prog;
	size_t size, off;
	char *data;
	int idx;

	data = bpf_map__initial_value(map, &size);
	m = t && data ? find_member(btf, t, name, &idx) : NULL;
	if (!m)
		return false;
	off = btf_member_bit_offset(t, idx) / 8;
	if (off + sizeof(prog) > size)
		return false;
	memcpy(&prog, data + off, sizeof(prog));
	return prog != NULL;
}

static bool zeroed(const char *p, size_t size)
{
	while (size--)
		if (*p++)
			return false;
	return true;
}

/*
 * The kernel BTF that has the type of a struct_ops map's value: vmlinux's
 * (*base), or the module's that id names, split on it (*mod).
 */
static int kernel_btf(__u32 id, struct btf **base, struct btf **mod)
{
	struct bpf_btf_info info;
	__u32 len = sizeof(info);
	char name[64];
	int fd, err;

	*base = btf__load_vmlinux_btf();
	if (!*base)
		return -errno;
	fd = bpf_btf_get_fd_by_id(id);
	if (fd < 0)
		return -errno;
	memset(&info, 0, sizeof(info));
	info.name = (__u64)(unsigned long)name;
	info.name_len = sizeof(name);
	err = bpf_btf_get_info_by_fd(fd, &info, &len) ? -errno : 0;
	close(fd);
	if (err || (info.kernel_btf && !strcmp(name, "vmlinux")))
		return err;
	*mod = btf__load_from_kernel_by_id_split(id, *base);
	return *mod ? 0 : -errno;
}

/*
 * Fill value, the kernel's struct bpf_struct_ops_<type> (vtype_id in kbtf),
 * from the map's initial value, the object's struct: each data member is
 * copied by name into the kernel's struct (its "data" member) and each
 * callback gets the fd of its program, which libbpf keeps in the initial
 * value (as it does for skeletons) once it has loaded it.
 */
static int fill_value(const struct btf *btf, const struct bpf_map *map,
		      const struct btf *kbtf, __u32 vtype_id,
		      char *value, size_t vsize)
{
	const struct btf_type *ut = value_type(btf, map), *vt, *kt, *mt;
	const struct btf_member *um, *km;
	struct bpf_program *prog;
	unsigned long prog_fd;
	size_t usize, uoff, koff, doff;
	__s64 size;
	char *udata;
	int i, idx, id;

	udata = bpf_map__initial_value(map, &usize);
	vt = btf__type_by_id(kbtf, vtype_id);
	if (!ut || !udata || !vt || !btf_is_struct(vt))
		return -EINVAL;
	km = find_member(kbtf, vt, "data", &idx);
	id = km ? btf__resolve_type(kbtf, km->type) : -1;
	kt = id > 0 ? btf__type_by_id(kbtf, id) : NULL;
	if (!kt || !btf_is_struct(kt))
		return -EINVAL;
	doff = btf_member_bit_offset(vt, idx) / 8;

	um = btf_members(ut);
	for (i = 0; i < btf_vlen(ut); i++, um++) {
		uoff = btf_member_bit_offset(ut, i) / 8;
		size = btf__resolve_size(btf, um->type);
		if (size < 0 || uoff + size > usize)
			return -EINVAL;
		km = find_member(kbtf, kt, btf__name_by_offset(btf, um->name_off),
				 &idx);
		if (!km) {	/* libbpf skips it too, if it is zero */
			if (!zeroed(udata + uoff, size))
				return -EOPNOTSUPP;
			continue;
		}
		koff = doff + btf_member_bit_offset(kt, idx) / 8;
		id = btf__resolve_type(btf, um->type);
		mt = id > 0 ? btf__type_by_id(btf, id) : NULL;
		if (mt && btf_is_ptr(mt)) {
			memcpy(&prog, udata + uoff, sizeof(prog));
			if (!prog)
				continue;
			if (bpf_program__fd(prog) < 0 ||
			    koff + sizeof(prog_fd) > vsize)
				return -EINVAL;
			prog_fd = bpf_program__fd(prog);
			memcpy(value + koff, &prog_fd, sizeof(prog_fd));
		} else {
			if (btf__resolve_size(kbtf, km->type) != size ||
			    koff + size > vsize)
				return -EINVAL;
			memcpy(value + koff, udata + uoff, size);
		}
	}
	return 0;
}

/*
 * Give the loaded policy map its value, as the kernel wants it, before a
 * link is updated to it. libbpf writes it when it attaches a map, and in
 * bpf_link__update_map(), but the latter takes only the links libbpf made
 * itself, not one opened from a pin, and libbpf keeps the value it would
 * write to itself: so it is built here, from the kernel's BTF, the same
 * way. EBUSY means the value was written already.
 */
int policy_write_value(struct bpf_object *obj, struct bpf_map *map,
		       const char *path)
{
	struct btf *base = NULL, *mod = NULL;
	struct bpf_map_info info;
	__u32 len = sizeof(info), zero = 0;
	char *value = NULL;
	int fd = bpf_map__fd(map), err;

	memset(&info, 0, sizeof(info));
	err = bpf_map_get_info_by_fd(fd, &info, &len) ? -errno : 0;
	if (!err)
		err = kernel_btf(info.btf_vmlinux_id, &base, &mod);
	if (!err) {
		value = calloc(1, info.value_size);
		err = value ? 0 : -ENOMEM;
	}
	if (!err)
		err = fill_value(bpf_object__btf(obj), map, mod ? mod : base,
				 info.btf_vmlinux_value_type_id, value,
				 info.value_size);
	if (!err && bpf_map_update_elem(fd, &zero, value, 0) && errno != EBUSY)
		err = -errno;
	if (err == -EPERM)
		perm_error(path);
	else if (err)
		errmsg("%s: cannot give policy map %s its value: %s",
		       path, bpf_map__name(map), lerr(-err));
	free(value);
	btf__free(mod);
	btf__free(base);
	return err ? -1 : 0;
}
