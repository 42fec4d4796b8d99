// SPDX-License-Identifier: GPL-2.0
/*
 * limitwrite FILE=VALUE[,VALUE...]...: write the values to the files in
 * turn, one open(), write() and close() each, as fast as possible, until
 * every file refuses with ENODEV or ENOENT (its device went away); then
 * print how many writes each file took. For tests that race writes with a
 * device's removal: opening takes the sysfs locks that the removal takes
 * too, so the removal sleeps and the writers run in its midst. Other
 * errors (EPERM, ERANGE...) are counted, not fatal.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_FILES	16
#define MAX_VALUES	8

struct target {
	const char *path;
	const char *vals[MAX_VALUES];
	int nvals, next;
	unsigned long ok, failed;
	int gone;	/* the errno that ended it, or 0 */
};

static int parse(struct target *t, char *arg)
{
	char *eq = strchr(arg, '='), *v;

	if (!eq || eq == arg || !eq[1])
		return -1;
	*eq = '\0';
	t->path = arg;
	for (v = strtok(eq + 1, ","); v && t->nvals < MAX_VALUES;
	     v = strtok(NULL, ","))
		t->vals[t->nvals++] = v;
	return 0;
}

int main(int argc, char **argv)
{
	struct target t[MAX_FILES];
	int n = argc - 1, i, left, fd;
	const char *v;

	if (n < 1 || n > MAX_FILES) {
		fprintf(stderr, "usage: limitwrite FILE=VALUE[,VALUE...]... (at most %d)\n",
			MAX_FILES);
		return 2;
	}
	memset(t, 0, sizeof(t));
	for (i = 0; i < n; i++) {
		if (parse(&t[i], argv[i + 1])) {
			fprintf(stderr, "limitwrite: bad argument '%s'\n",
				argv[i + 1]);
			return 2;
		}
	}
	do {
		left = 0;
		for (i = 0; i < n; i++) {
			if (t[i].gone)
				continue;
			left++;
			v = t[i].vals[t[i].next++ % t[i].nvals];
			fd = open(t[i].path, O_WRONLY);
			if (fd < 0) {
				t[i].gone = errno;
				continue;
			}
			if (write(fd, v, strlen(v)) >= 0)
				t[i].ok++;
			else if (errno == ENODEV || errno == ENOENT)
				t[i].gone = errno;
			else
				t[i].failed++;
			close(fd);
		}
	} while (left);
	for (i = 0; i < n; i++)
		printf("%s: %lu written, %lu refused, then %s\n", t[i].path,
		       t[i].ok, t[i].failed, strerror(t[i].gone));
	return 0;
}
