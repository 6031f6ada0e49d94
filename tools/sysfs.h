/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * accctl: sysfs access under a root that tests can move.
 *
 * Every path the tool touches is built by sysfs_path(), which puts the
 * root (--sysfs-root, ACCCTL_SYSFS_ROOT, or nothing) in front of
 * "/sys/...". All functions here return 0 or a negative errno and record
 * no error text.
 */
#ifndef ACCCTL_SYSFS_H
#define ACCCTL_SYSFS_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* Longest attribute value the tool reads (a sysfs page at most). */
#define SYSFS_VAL_MAX	4096
#define SYSFS_PATH_MAX	512

/* Set the root; NULL, "" or "/" mean the real /sys. */
int sysfs_set_root(const char *root);
/* True when paths are not re-rooted (the kernel answers writes). */
bool sysfs_is_real(void);

/* "<root>/sys/" followed by the formatted rest. */
int sysfs_path(char *buf, size_t size, const char *fmt, ...) ACC_FORMAT(3, 4);

/* Whole file into @buf, NUL-terminated, one trailing newline dropped. */
int sysfs_read(const char *path, char *buf, size_t size);
/* Read @dir/@name; the value is "" on failure. */
int sysfs_read_attr(const char *dir, const char *name, char *buf,
		    size_t size);
/* One write(2) of @val; a short write is -EIO. */
int sysfs_write(const char *path, const char *val);
int sysfs_write_attr(const char *dir, const char *name, const char *val);

/* Basename of the target of the symlink @path. */
int sysfs_link_name(const char *path, char *buf, size_t size);
/* Basename of the directory that contains @path, after resolving it. */
int sysfs_parent_name(const char *path, char *buf, size_t size);
/* Names in the directory @path, sorted, without dot entries. */
int sysfs_list(const char *path, struct strv *out);

bool sysfs_exists(const char *path);
/*
 * Wait until @path exists. 0 or -ETIMEDOUT. All waits share one
 * readiness budget (2 s, or ACCCTL_READY_TIMEOUT_MS), which starts at
 * the first wait that has to sleep, so a command never stalls longer
 * however many files are late. sysfs_wait_reset() starts a new budget
 * (the monitor does, per event).
 */
int sysfs_wait(const char *path);
void sysfs_wait_reset(void);

#endif /* ACCCTL_SYSFS_H */
