// SPDX-License-Identifier: GPL-2.0-only
/*
 * accctl: sysfs access under a root that tests can move.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sysfs.h"

/* Readiness bound: how long a file may lag behind its uevent. */
#define READY_TIMEOUT_MS	2000
#define READY_POLL_MS		10

static char root[SYSFS_PATH_MAX];

int sysfs_set_root(const char *r)
{
	size_t len;

	if (!r)
		r = "";
	len = strlen(r);
	while (len && r[len - 1] == '/')
		len--;
	if (len >= sizeof(root) - 64)
		return -ENAMETOOLONG;
	memcpy(root, r, len);
	root[len] = '\0';
	return 0;
}

bool sysfs_is_real(void)
{
	return !root[0];
}

int sysfs_path(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n, m;

	n = snprintf(buf, size, "%s/sys/", root);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	va_start(ap, fmt);
	m = vsnprintf(buf + n, size - (size_t)n, fmt, ap);
	va_end(ap);
	if (m < 0 || (size_t)m >= size - (size_t)n)
		return -ENAMETOOLONG;
	return 0;
}

int sysfs_read(const char *path, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;
	int fd, err = 0;

	buf[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		if (len + 1 >= size) {
			err = -EFBIG;
			break;
		}
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			break;
		}
		if (!n)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (err) {
		buf[0] = '\0';
		return err;
	}
	if (len && buf[len - 1] == '\n')
		len--;
	buf[len] = '\0';
	if (strlen(buf) != len) {	/* an embedded NUL */
		buf[0] = '\0';
		return -EINVAL;
	}
	return 0;
}

static int attr_path(char *buf, size_t size, const char *dir,
		     const char *name)
{
	int n = snprintf(buf, size, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int sysfs_read_attr(const char *dir, const char *name, char *buf,
		    size_t size)
{
	char path[SYSFS_PATH_MAX];
	int err = attr_path(path, sizeof(path), dir, name);

	buf[0] = '\0';
	return err ? err : sysfs_read(path, buf, size);
}

int sysfs_write(const char *path, const char *val)
{
	size_t len = strlen(val);
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do
		n = write(fd, val, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		err = -errno;
	else if ((size_t)n != len)
		err = -EIO;
	/* sysfs reports nothing at close, but a plain file could. */
	if (close(fd) && !err)
		err = -errno;
	return err;
}

int sysfs_write_attr(const char *dir, const char *name, const char *val)
{
	char path[SYSFS_PATH_MAX];
	int err = attr_path(path, sizeof(path), dir, name);

	return err ? err : sysfs_write(path, val);
}

static int copy_base(const char *path, char *buf, size_t size)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;

	if (!*base || strlen(base) >= size)
		return -ENAMETOOLONG;
	strcpy(buf, base);
	return 0;
}

int sysfs_link_name(const char *path, char *buf, size_t size)
{
	char target[PATH_MAX];
	ssize_t n;

	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	return copy_base(target, buf, size);
}

int sysfs_parent_name(const char *path, char *buf, size_t size)
{
	char *real = realpath(path, NULL);
	char *slash;
	int err;

	if (!real)
		return -errno;
	slash = strrchr(real, '/');
	if (!slash || slash == real) {
		free(real);
		return -ENOENT;
	}
	*slash = '\0';
	err = copy_base(real, buf, size);
	free(real);
	return err;
}

int sysfs_list(const char *path, struct strv *out)
{
	struct dirent *de;
	DIR *d;
	int err = 0;

	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (strv_add(out, de->d_name)) {
			err = -ENOMEM;
			break;
		}
	}
	closedir(d);
	strv_sort(out);
	return err;
}

bool sysfs_exists(const char *path)
{
	return !access(path, F_OK);
}

static long ready_timeout_ms(void)
{
	const char *s = getenv("ACCCTL_READY_TIMEOUT_MS");
	unsigned long ms;

	if (s && !parse_uint(s, 600000, &ms))
		return (long)ms;
	return READY_TIMEOUT_MS;
}

/* End of the current readiness budget, in CLOCK_MONOTONIC ms; 0 if none. */
static long ready_deadline;

static long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

void sysfs_wait_reset(void)
{
	ready_deadline = 0;
}

int sysfs_wait(const char *path)
{
	const struct timespec pause = { 0, READY_POLL_MS * 1000000L };

	for (;;) {
		if (sysfs_exists(path))
			return 0;
		if (!ready_deadline)
			ready_deadline = mono_ms() + ready_timeout_ms();
		if (mono_ms() >= ready_deadline)
			return -ETIMEDOUT;
		nanosleep(&pause, NULL);
	}
}
