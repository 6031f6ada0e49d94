/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Small pieces shared by the reliability helpers (sysfuzz, storm,
 * devfuzz, unload): a seeded random generator, sysfs reads and writes
 * that report errno, and the device and parent lists of the running
 * module. Header-only, so that each helper stays one file plus this.
 */
#ifndef FUZZLIB_H
#define FUZZLIB_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The accelerators by name: attributes and a mdev_supported_types link. */
#define FZ_ACC_CLASS	"/sys/class/accmdev"
#define FZ_MDEV_DEVS	"/sys/bus/mdev/devices"
#define FZ_UUID_LEN	36

/* ---- random numbers: splitmix64, reproducible from the seed ----------- */

struct fz_rng {
	uint64_t s;
};

static inline uint64_t fz_next(struct fz_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [0, n); 0 when n is 0. */
static inline uint64_t fz_below(struct fz_rng *r, uint64_t n)
{
	return n ? fz_next(r) % n : 0;
}

/* True with probability pct percent. */
static inline bool fz_pct(struct fz_rng *r, unsigned int pct)
{
	return fz_below(r, 100) < pct;
}

static inline void fz_bytes(struct fz_rng *r, void *buf, size_t len)
{
	uint8_t *p = buf;

	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)fz_next(r);
}

/* A seed from the clock, for runs that are not given one. */
static inline uint64_t fz_time_seed(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((uint64_t)ts.tv_sec * 1000003u) ^ (uint64_t)ts.tv_nsec ^
	       ((uint64_t)getpid() << 32);
}

static inline double fz_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- sysfs ------------------------------------------------------------ */

/*
 * Read a whole small file into @buf (NUL-terminated). Returns the length
 * or a negative errno.
 */
static inline long fz_read(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0) {
		int err = errno;

		close(fd);
		return -err;
	}
	close(fd);
	buf[n] = '\0';
	return n;
}

/* A file holding one decimal number; negative errno on failure. */
static inline long fz_read_num(const char *path)
{
	char buf[64], *end;
	long n = fz_read(path, buf, sizeof(buf));
	long v;

	if (n < 0)
		return n;
	v = strtol(buf, &end, 10);
	if (end == buf || (*end && *end != '\n'))
		return -EPROTO;
	return v;
}

/*
 * One write(2) of @len bytes to a fresh open of @path. Returns what
 * write returned (bytes written) or a negative errno.
 */
static inline long fz_write(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int err;

	if (fd < 0)
		return -errno;
	n = write(fd, buf, len);
	err = errno;
	close(fd);
	return n < 0 ? -err : n;
}

static inline long fz_write_str(const char *path, const char *s)
{
	return fz_write(path, s, strlen(s));
}

/* A random version-4 UUID, lower case, NUL-terminated. */
static inline void fz_uuid(struct fz_rng *r, char out[FZ_UUID_LEN + 1])
{
	uint8_t b[16];

	fz_bytes(r, b, sizeof(b));
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(out, FZ_UUID_LEN + 1,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
		 b[10], b[11], b[12], b[13], b[14], b[15]);
}

/* The errno name, or its number. */
static inline const char *fz_errname(int err)
{
	static _Thread_local char num[16];
	const char *s = err ? strerrorname_np(err) : "OK";

	if (s)
		return s;
	snprintf(num, sizeof(num), "E%d", err);
	return num;
}

/* Hex of at most @max bytes of @buf, for reproducible failure reports. */
static inline void fz_hex(FILE *f, const void *buf, size_t len, size_t max)
{
	const uint8_t *p = buf;

	for (size_t i = 0; i < len && i < max; i++)
		fprintf(f, "%02x", p[i]);
	if (len > max)
		fprintf(f, "...(%zu bytes)", len);
}

/* Devices under /sys/bus/mdev/devices; returns how many. */
static inline int fz_count_devices(void)
{
	DIR *d = opendir(FZ_MDEV_DEVS);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/*
 * The accmdevN name of the accelerator whose PCI function is @fn (a
 * path to it): the one entry of its accmdev directory. 0 or -errno.
 */
static inline int fz_acc_name(const char *fn, char *name, size_t size)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d;
	int ret = -ENOENT;

	if (snprintf(path, sizeof(path), "%s/accmdev", fn) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	d = opendir(path);
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "accmdev", 7))
			continue;
		ret = snprintf(name, size, "%s", e->d_name) < (int)size ?
		      0 : -ENAMETOOLONG;
		break;
	}
	closedir(d);
	return ret;
}

#endif /* FUZZLIB_H */
