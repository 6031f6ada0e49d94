/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * migref: an independent reference for migration_version.
 *
 * Written from the documentation only (sysfs-abi/sysfs-bus-mdev-accmdev,
 * Documentation/admin-guide.rst, migration.rst, driver.rst), never from
 * the module's checker, and sharing no code or header with it. The
 * libFuzzer target, the unit tests and the sysfs fuzzer use it as the
 * judge of the module's answers.
 *
 * Plain C11, libc only (string.h, errno.h, stdio.h); no state, no
 * allocation.
 */
#ifndef MIGREF_H
#define MIGREF_H

#include <stdbool.h>
#include <stddef.h>

/* sysfs hands a store at most one page; x86-64 pages are 4096 bytes. */
#define MIGREF_PAGE 4096u
/* A line is shorter than 4096 bytes, newline excluded. */
#define MIGREF_LINE_MAX 4095u
#define MIGREF_NAME_MAX 15u
#define MIGREF_ALGS_MAX 32u

/* Where a write lands. */
enum migref_node { MIGREF_TYPE, MIGREF_DEVICE };

/* The algorithms this build knows, in the parent's fixed order. */
enum migref_alg {
	MIGREF_CRC32C, MIGREF_ADLER32, MIGREF_DEFLATE, MIGREF_INFLATE,
	MIGREF_SHA256, MIGREF_SHA224, MIGREF_NR_ALGS
};
extern const char *const migref_alg_names[MIGREF_NR_ALGS];

/*
 * A destination node. For a type node, rev, algs and qps are the type's
 * model revision, algorithms and shape (its description); for a device
 * node, those of the device (its type's revision and shape, and the
 * algorithms its migration_version reads). Both nodes judge alike: a
 * type node answers for a device of the type created now. algs is a bit
 * set of enum migref_alg.
 */
struct migref_dst {
	enum migref_node node;
	bool migratable;
	const char *kind;
	unsigned int rev;
	unsigned int qps;
	unsigned int algs;
};

/* A parsed source string. Names are NUL-terminated copies. */
struct migref_ver {
	unsigned int major, minor;
	char kind[MIGREF_NAME_MAX + 1];
	unsigned int rev, qps;
	unsigned int nalgs;
	char algs[MIGREF_ALGS_MAX][MIGREF_NAME_MAX + 1];
};

/*
 * Parse a version string (buf, len: not NUL-terminated, one trailing
 * newline allowed; the grammar alone, any length).
 * 0 for a well-formed string of format 1.0, -EPROTO for a well-formed
 * header of another format (its fields unread: v holds only major and
 * minor), -EINVAL for anything malformed or foreign.
 */
int migref_parse(const char *buf, size_t len, struct migref_ver *v);

/*
 * Judge the string (buf, len) on the node: 0 (accepted) or the negative
 * errno of the first rule that fails. *field, if field is not NULL, gets
 * the log field of the refusal ("version", "migratable", "format",
 * "kind", "qps", "rev", "algs") or NULL when accepted.
 */
int migref_judge(const struct migref_dst *dst, const char *buf, size_t len,
		 const char **field);

/*
 * Judge a write(2) of count bytes to the node's sysfs file, as the
 * driver sees it: migref_judge() plus the page rule (a store of
 * MIGREF_PAGE bytes or more is refused with EINVAL after rule 1). A
 * zero-byte write never reaches the driver; do not pass one.
 */
int migref_store(const struct migref_dst *dst, const char *buf, size_t count,
		 const char **field);

/* Judge an already parsed, well-formed 1.0 string (rules 4 to 7 only). */
int migref_compare(const struct migref_dst *dst, const struct migref_ver *v,
		   const char **field);

/*
 * The line a read of the node gives, without its newline, into out
 * (size bytes). Returns its length, -ENODEV on a parent that cannot
 * migrate, -ENOSPC if out is too small, -EINVAL if the node's kind or
 * algorithms are not ones this build could present.
 */
int migref_format(const struct migref_dst *dst, char *out, size_t size);

/* Native algorithms (bit set) of a kind at a revision; 0 if none. */
unsigned int migref_native(const char *kind, unsigned int rev);

/* Highest hardware revision of a kind; 0 for an unknown kind. */
unsigned int migref_max_rev(const char *kind);

/* errno name for messages ("EINVAL"), "0" for 0. */
const char *migref_errname(int err);

#endif /* MIGREF_H */
