// SPDX-License-Identifier: GPL-2.0
/* iofuzz: files, devices, commands. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "fuzz.h"

/* Read a whole (small) file; the bytes read, or -errno. */
int fz_read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err;
	ssize_t n = 0, len = 0;

	if (fd < 0)
		return -errno;
	while ((size_t)len < size - 1 &&
	       (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += n;
	err = n < 0 ? -errno : 0;
	close(fd);
	buf[len] = '\0';
	return err ?: len;
}

/* Write text in one write(); 0 or -errno. */
int fz_write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;
	size_t len = strlen(text);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, len);
	if (n < 0)
		err = -errno;
	else if ((size_t)n != len)
		err = -EIO;
	close(fd);
	return err;
}

int fz_write_filef(const char *path, const char *fmt, ...)
{
	char text[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	return fz_write_file(path, text);
}

/* The value of the line "KEY VALUE" of text. */
bool fz_stat(const char *text, const char *key, unsigned long long *val)
{
	size_t klen = strlen(key);
	const char *p = text;

	while (p && *p) {
		if (!strncmp(p, key, klen) && (p[klen] == ' ' || p[klen] == '\t'))
			return sscanf(p + klen, "%llu", val) == 1;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return false;
}

/* The names of iofault's devices now; how many (at most max). */
int fz_devices(char names[][IOFAULT_NAME_LEN], int max)
{
	DIR *d = opendir(FZ_CLASS);
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while (n < max && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (strlen(e->d_name) < IOFAULT_NAME_LEN)
			memcpy(names[n++], e->d_name, strlen(e->d_name) + 1);
	}
	closedir(d);
	return n;
}

/*
 * A device name to act on: mostly one of those present, else one that
 * may come back (unplugged, another epoch's) or never existed.
 */
void fz_pick_dev(struct fz_thread *t, char name[IOFAULT_NAME_LEN])
{
	static const char *const others[] = {
		"vtd0", "vtd1", "vtd2", "smmu0", "smmu1", "sva0", "sva1",
		"sva0.pasid1", "nosuch", "", "vtd0 ", "../vtd0",
	};
	char present[16][IOFAULT_NAME_LEN];
	int n = 0;

	if (fz_chance(t, 85))
		n = fz_devices(present, 16);
	if (n) {
		memcpy(name, present[fz_below(t, n)], IOFAULT_NAME_LEN);
		return;
	}
	snprintf(name, IOFAULT_NAME_LEN, "%s",
		 others[fz_below(t, sizeof(others) / sizeof(others[0]))]);
}

bool fz_stopping(void)
{
	return fz->stop || fz->failed;
}

/* Run a shell command line, its output discarded; its exit status. */
int fz_run(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	return rc == -1 ? -1 : WEXITSTATUS(rc);
}

void fz_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}
