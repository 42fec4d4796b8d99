// SPDX-License-Identifier: GPL-2.0
/*
 * mapread MAP: print a BPF map whose keys are u32 and values u64 words,
 * one line per entry, "KEY WORD0 WORD1 ...", in key order. MAP is a pinned
 * path (starting with /) or the name of a live map.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

static int open_by_name(const char *name)
{
	struct bpf_map_info info;
	__u32 id = 0, len;
	int fd;

	while (!bpf_map_get_next_id(id, &id)) {
		fd = bpf_map_get_fd_by_id(id);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (!bpf_map_get_info_by_fd(fd, &info, &len) &&
		    !strcmp(info.name, name))
			return fd;
		close(fd);
	}
	errno = ENOENT;
	return -1;
}

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info), key, *keys = NULL, n = 0, i, w;
	__u64 *value;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: mapread PINNED-PATH|MAP-NAME\n");
		return 2;
	}
	fd = argv[1][0] == '/' ? bpf_obj_get(argv[1]) : open_by_name(argv[1]);
	if (fd < 0 || bpf_map_get_info_by_fd(fd, &info, &len)) {
		fprintf(stderr, "mapread: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (info.key_size != 4 || info.value_size % 8) {
		fprintf(stderr, "mapread: %s: keys must be u32, values u64 words\n",
			argv[1]);
		return 1;
	}
	keys = calloc(info.max_entries, sizeof(*keys));
	value = calloc(info.value_size / 8, sizeof(*value));
	if (!keys || !value)
		return 1;
	for (int err = bpf_map_get_next_key(fd, NULL, &key); !err && n < info.max_entries;
	     err = bpf_map_get_next_key(fd, &key, &key))
		keys[n++] = key;
	qsort(keys, n, sizeof(*keys), cmp_u32);
	for (i = 0; i < n; i++) {
		if (bpf_map_lookup_elem(fd, &keys[i], value))
			continue;
		printf("%u", keys[i]);
		for (w = 0; w < info.value_size / 8; w++)
			printf(" %llu", (unsigned long long)value[w]);
		printf("\n");
	}
	return 0;
}
