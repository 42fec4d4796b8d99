// SPDX-License-Identifier: GPL-2.0
/*
 * iofaultctl: wait until the BPF core has freed detached policies.
 *
 * Detaching a policy's link runs the module's unreg at once, but the BPF
 * core frees the policy's struct_ops map and its programs later, from RCU
 * callbacks and work items, and only then drops the references they hold
 * on the iofault module: `rmmod iofault` right after a detach would fail
 * with EAGAIN. So detach remembers the map and program ids of each policy
 * before detaching it, and returns once none of them resolves any more and
 * the module is held by its dependent modules alone (or, if something else
 * holds it, once its reference count has stopped falling), within a bound.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>

#include "iofaultctl.h"

#define MODULE_REFCNT		"/sys/module/iofault/refcnt"
#define MODULE_HOLDERS		"/sys/module/iofault/holders"
#define FREED_WAIT_MS		10000	/* at most, in all */
#define FREED_POLL_MS		10
#define FREED_STABLE_MS		300	/* refcnt unchanged that long: done */
#define FREED_MAX_IDS		256

static __u32 map_ids[FREED_MAX_IDS], prog_ids[FREED_MAX_IDS];
static size_t nr_maps, nr_progs;
static bool noted;	/* a link was detached, here or by the kernel */

static void add_id(__u32 *ids, size_t *n, __u32 id)
{
	if (id && *n < FREED_MAX_IDS)
		ids[(*n)++] = id;
}

/* The type behind typedefs and qualifiers. */
static const struct btf_type *skip_mods(const struct btf *btf, __u32 id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	while (t && (btf_is_mod(t) || btf_is_typedef(t)))
		t = btf__type_by_id(btf, t->type);
	return t;
}

/*
 * The programs of struct_ops map fd: a lookup returns the value with the
 * id of each callback's program in its function pointer (the kernel's
 * struct_ops value type: "common" then "data", the ops themselves).
 */
static void add_prog_ids(int fd, const struct bpf_map_info *info)
{
	const struct btf_type *vt, *dt, *mt;
	const struct btf_member *m;
	struct btf *vmlinux, *btf;
	size_t data_off = 0;
	__u32 key = 0, i;
	__u64 id;
	char *val;

	vmlinux = btf__load_vmlinux_btf();
	if (!vmlinux)
		return;
	btf = btf__load_from_kernel_by_id_split(info->btf_vmlinux_id, vmlinux);
	val = calloc(1, info->value_size);
	if (!btf || !val || bpf_map_lookup_elem(fd, &key, val))
		goto out;
	vt = skip_mods(btf, info->btf_vmlinux_value_type_id);
	if (!vt || !btf_is_struct(vt))
		goto out;
	dt = NULL;
	for (i = 0, m = btf_members(vt); i < btf_vlen(vt); i++, m++) {
		if (!strcmp(btf__name_by_offset(btf, m->name_off), "data")) {
			dt = skip_mods(btf, m->type);
			data_off = btf_member_bit_offset(vt, i) / 8;
		}
	}
	if (!dt || !btf_is_struct(dt))
		goto out;
	for (i = 0, m = btf_members(dt); i < btf_vlen(dt); i++, m++) {
		size_t off = data_off + btf_member_bit_offset(dt, i) / 8;

		mt = skip_mods(btf, m->type);
		if (!mt || !btf_is_ptr(mt) || off + sizeof(id) > info->value_size)
			continue;
		mt = skip_mods(btf, mt->type);
		if (!mt || !btf_is_func_proto(mt))
			continue;
		memcpy(&id, val + off, sizeof(id));
		add_id(prog_ids, &nr_progs, (__u32)id);
	}
out:
	free(val);
	btf__free(btf);
	btf__free(vmlinux);
}

/*
 * Remember the map and programs of the policy of struct_ops link fd, if it
 * still has one (the kernel empties the link of a device that went away:
 * its policy is being freed too).
 */
void freed_note_link(int link_fd)
{
	struct bpf_link_info linfo;
	struct bpf_map_info minfo;
	__u32 len = sizeof(linfo);
	int fd;

	noted = true;
	memset(&linfo, 0, sizeof(linfo));
	if (bpf_link_get_info_by_fd(link_fd, &linfo, &len) ||
	    linfo.type != BPF_LINK_TYPE_STRUCT_OPS || !linfo.struct_ops.map_id)
		return;
	fd = bpf_map_get_fd_by_id(linfo.struct_ops.map_id);
	if (fd < 0)
		return;
	memset(&minfo, 0, sizeof(minfo));
	len = sizeof(minfo);
	if (!bpf_map_get_info_by_fd(fd, &minfo, &len)) {
		add_id(map_ids, &nr_maps, minfo.id);
		add_prog_ids(fd, &minfo);
	}
	close(fd);
}

/* Whether any remembered id still resolves. */
static bool ids_alive(void)
{
	size_t i;
	int fd;

	for (i = 0; i < nr_maps; i++) {
		fd = bpf_map_get_fd_by_id(map_ids[i]);
		if (fd >= 0 || errno != ENOENT) {
			if (fd >= 0)
				close(fd);
			return true;
		}
	}
	for (i = 0; i < nr_progs; i++) {
		fd = bpf_prog_get_fd_by_id(prog_ids[i]);
		if (fd >= 0 || errno != ENOENT) {
			if (fd >= 0)
				close(fd);
			return true;
		}
	}
	return false;
}

/* The modules that depend on iofault, each of which holds a reference. */
static long nr_holders(void)
{
	struct dirent *d;
	long n = 0;
	DIR *dir;

	dir = sysfs_opendir(MODULE_HOLDERS);
	if (!dir)
		return -1;
	while ((d = readdir(dir)))
		if (strcmp(d->d_name, ".") && strcmp(d->d_name, ".."))
			n++;
	closedir(dir);
	return n;
}

static long refcnt(void)
{
	char buf[32];

	if (sysfs_read(MODULE_REFCNT, buf, sizeof(buf)))
		return -1;
	return strtol(buf, NULL, 10);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/*
 * Wait until the remembered policies are freed and their module references
 * dropped, at most FREED_WAIT_MS. Returns 0, or -1 if that took too long.
 */
int freed_wait(void)
{
	long waited = 0, stable = 0, last = -2, now;

	if (!noted)
		return 0;
	for (; waited < FREED_WAIT_MS; waited += FREED_POLL_MS) {
		if (!ids_alive()) {
			now = refcnt();
			/* No module (a fake sysfs tree), or only its dependents. */
			if (now < 0 || now <= nr_holders())
				return 0;
			stable = now == last ? stable + FREED_POLL_MS : 0;
			if (stable >= FREED_STABLE_MS)
				return 0;
			last = now;
		}
		sleep_ms(FREED_POLL_MS);
	}
	return -1;
}
