// SPDX-License-Identifier: GPL-2.0
/*
 * iofuzz, the policies' side between epochs, in the main process once the
 * workers are gone: detach every iofault policy still attached. A worker
 * detaches its own before it exits, but a link pinned by iofaultctl stays,
 * and a policy registered without a link outlives the process that
 * registered it, until its map's element is deleted.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "fuzz.h"

#define CLEANUP_WAIT_MS	10000	/* for the policies to be freed */

/*
 * Whether map id is a struct_ops map of iofault (its only struct_ops type
 * is iofault_ops); whether it has links (BPF_F_LINK) in *linked.
 */
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

/* Detach every link of an iofault policy; how many in *n. */
static int detach_links(unsigned int *n)
{
	struct bpf_link_info info;
	__u32 id = 0, len;
	bool linked;
	int fd, bad = 0;

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
				bad++;
			} else {
				(*n)++;
			}
		}
		close(fd);
	}
	return bad;
}

/* Unregister every link-less iofault policy; how many in *n. */
static int unregister_maps(unsigned int *n)
{
	__u32 id = 0, zero = 0;
	bool linked;
	int fd, bad = 0;

	while (!bpf_map_get_next_id(id, &id)) {
		if (!iofault_map(id, &linked) || linked)
			continue;
		fd = bpf_map_get_fd_by_id(id);
		if (fd < 0)
			continue;
		/* ENOENT: not registered; EINPROGRESS: unregistered already. */
		if (!bpf_map_delete_elem(fd, &zero)) {
			(*n)++;
		} else if (errno != ENOENT && errno != EINPROGRESS) {
			fz_main_fail("cannot unregister policy map %u: %s",
				     id, strerror(errno));
			bad++;
		}
		close(fd);
	}
	return bad;
}

int fz_policy_cleanup(void)
{
	unsigned long long left = 0;
	unsigned int links = 0, maps = 0, waited = 0;
	char text[128];
	int bad;

	if (fz_read_file(FZ_KOBJ "/objects", text, sizeof(text)) < 0)
		return 0;	/* iofault is not loaded */
	/* Pinned links (iofaultctl attach), and their pins. */
	fz_run("iofaultctl detach --all >/dev/null 2>&1");
	bad = detach_links(&links) + unregister_maps(&maps);
	if (fz_opts.verbose && (links || maps))
		fprintf(stderr, "# iofuzz: policy cleanup: detached %u links, unregistered %u maps\n",
			links, maps);
	/* A detached policy is freed after a grace period. */
	for (;;) {
		if (fz_read_file(FZ_KOBJ "/objects", text, sizeof(text)) < 0 ||
		    !fz_stat(text, "policies", &left)) {
			fz_main_fail("cannot read " FZ_KOBJ "/objects");
			return bad + 1;
		}
		if (!left)
			return bad;
		if (waited >= CLEANUP_WAIT_MS)
			break;
		fz_sleep_ms(20);
		waited += 20;
	}
	fz_main_fail("%llu iofault policies left %u ms after the cleanup",
		     left, CLEANUP_WAIT_MS);
	return bad + 1;
}
