/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * accmdev migration version strings: format, parse and compare.
 *
 * This header and migver.c are shared, unchanged, by the kernel module,
 * the accctl tool, the user-space unit tests and the libFuzzer target.
 * They must not depend on anything but the few portable types and
 * functions pulled in below.
 *
 * Grammar (see Documentation/admin-guide.rst, "Version string"):
 *
 *   version = "accmdev/" major "." minor *( ";" field )
 *   field   = key "=" value
 *
 * Mandatory fields, each exactly once and in any order:
 *
 *   kind=<name>            engine kind ("zip", "sec")
 *   rev=<1..255>           device model revision
 *   qps=<1..65535>         queue pairs of the device
 *   algs=<name>[,<name>]   algorithms of the device model
 *
 * Keys that start with "x-" are optional and ignored when unknown; any
 * other unknown key makes the string malformed.
 */
#ifndef ACCMDEV_MIGVER_H
#define ACCMDEV_MIGVER_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
typedef __UINT32_TYPE__ u32;	/* the kernel's u32, in user space */
#endif

/* Stream (and version string) format implemented by this build. */
#define ACCMDEV_FORMAT_MAJOR	1
#define ACCMDEV_FORMAT_MINOR	0

/* A version string, without its newline, is always shorter than this. */
#define ACCMDEV_MIGVER_MAX	4096

#define ACCMDEV_REV_MAX		255
#define ACCMDEV_QPS_MAX		65535

enum accmdev_kind {
	ACCMDEV_KIND_NONE = 0,	/* syntactically valid, unknown to this build */
	ACCMDEV_KIND_ZIP,	/* compression engine */
	ACCMDEV_KIND_SEC,	/* crypto (hash) engine */
	ACCMDEV_KIND_COUNT
};

enum accmdev_alg {
	ACCMDEV_ALG_CRC32C,
	ACCMDEV_ALG_ADLER32,
	ACCMDEV_ALG_DEFLATE,
	ACCMDEV_ALG_INFLATE,
	ACCMDEV_ALG_SHA256,
	ACCMDEV_ALG_SHA224,
	ACCMDEV_ALG_COUNT
};

/* The result of a compatibility check, one value per failure class. */
enum accmdev_compat {
	ACCMDEV_COMPAT_OK = 0,
	ACCMDEV_COMPAT_MALFORMED,	/* EINVAL: malformed or foreign string */
	ACCMDEV_COMPAT_KIND,		/* EXDEV: different engine kind */
	ACCMDEV_COMPAT_QPS,		/* ERANGE: different queue-pair count */
	ACCMDEV_COMPAT_FORMAT,		/* EPROTO: stream format version */
	ACCMDEV_COMPAT_REV,		/* ENOEXEC: model revision */
	ACCMDEV_COMPAT_ALGS,		/* EOPNOTSUPP: algorithms */
	ACCMDEV_COMPAT_NOMIG,		/* ENODEV: destination cannot migrate */
	ACCMDEV_COMPAT_COUNT
};

/* What a version string says about a source. */
struct accmdev_migver {
	unsigned int major;
	unsigned int minor;
	unsigned int kind;	/* enum accmdev_kind */
	unsigned int rev;
	unsigned int qps;
	u32 algs;		/* BIT(enum accmdev_alg) of known names */
	bool unknown_algs;	/* names this build does not know */
};

/* What a destination node (type or device) can accept. */
struct accmdev_migver_dst {
	bool migratable;
	unsigned int kind;
	unsigned int qps;
	unsigned int rev;	/* model revision: the source's must be equal */
	u32 algs;		/* model algorithms: a superset of the source's */
};

/*
 * Describe @v in @buf. Returns the length written (without NUL), or a
 * negative errno if @buf is too small or @v holds an unknown kind.
 */
int accmdev_migver_format(const struct accmdev_migver *v, char *buf,
			  size_t size);

/*
 * Parse @len bytes at @s (one trailing newline allowed). Returns
 * ACCMDEV_COMPAT_OK, ACCMDEV_COMPAT_MALFORMED, or ACCMDEV_COMPAT_FORMAT
 * when the format version is not one this build accepts. On
 * ACCMDEV_COMPAT_FORMAT only major and minor of @v are valid.
 */
enum accmdev_compat accmdev_migver_parse(const char *s, size_t len,
					 struct accmdev_migver *v);

/*
 * Can @dst accept a migration from the source described by @s? The check
 * is pure: it parses, compares and reports the first class that fails,
 * in the order NOMIG, MALFORMED, FORMAT, KIND, QPS, REV, ALGS. @src may
 * be NULL; otherwise it receives what was parsed.
 */
enum accmdev_compat accmdev_migver_check(const char *s, size_t len,
					 const struct accmdev_migver_dst *dst,
					 struct accmdev_migver *src);

/* Compare two parsed versions; same order and result as the check. */
enum accmdev_compat accmdev_migver_compare(const struct accmdev_migver *src,
					   const struct accmdev_migver_dst *dst);

/* Positive errno of a class (0 for OK), and the field it names. */
int accmdev_compat_errno(enum accmdev_compat c);
const char *accmdev_compat_field(enum accmdev_compat c);
/* The class of a positive errno, or ACCMDEV_COMPAT_COUNT if none. */
enum accmdev_compat accmdev_compat_from_errno(int err);

/* Kind and algorithm names. NULL for values out of range. */
const char *accmdev_kind_name(unsigned int kind);
unsigned int accmdev_kind_from_name(const char *s, size_t len);
const char *accmdev_alg_name(unsigned int alg);

/* Highest revision defined for @kind, 0 if none. */
unsigned int accmdev_kind_max_rev(unsigned int kind);
/* Algorithms of the native model of @kind at @rev, 0 if undefined. */
u32 accmdev_native_algs(unsigned int kind, unsigned int rev);

/*
 * Algorithm lists: "name,name,..." in enum order. Format returns the
 * length written or a negative errno; parse returns 0 or -EINVAL
 * (empty list, unknown or repeated name, bad character; one trailing
 * newline allowed).
 */
int accmdev_algs_format(u32 algs, char *buf, size_t size);
int accmdev_algs_parse(const char *s, size_t len, u32 *algs);

#endif /* ACCMDEV_MIGVER_H */
