// SPDX-License-Identifier: GPL-2.0-only
/*
 * accmdev migration version strings: format, parse and compare.
 *
 * This file is built unchanged by the kernel module and in user space
 * (unit tests, libFuzzer target, tools). It uses nothing but memcmp,
 * memchr, memcpy, strlen and snprintf, allocates nothing and has no
 * writable state, so every function is safe to call from any context.
 *
 * The parser never trusts its input: the buffer is not NUL-terminated
 * and is never read past @len, and every malformed string is reported
 * as ACCMDEV_COMPAT_MALFORMED.
 */
#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>
#else
#include <errno.h>
#include <stdio.h>
#include <string.h>
#endif

#include "migver.h"

#define MIGVER_PREFIX		"accmdev/"
#define MIGVER_PREFIX_LEN	(sizeof(MIGVER_PREFIX) - 1)

/* Longest kind or algorithm name a version string may carry. */
#define MIGVER_NAME_MAX		15
/* Most algorithm names in one list. */
#define MIGVER_ALGS_ITEMS_MAX	32
/* Highest revision of any native model in the table below. */
#define MIGVER_MODEL_REV_MAX	2
/* Largest number any field holds; see migver_parse_uint(). */
#define MIGVER_NUM_MAX		65535

#define ALG(name)		(1U << ACCMDEV_ALG_##name)
#define ALGS_ALL		((1U << ACCMDEV_ALG_COUNT) - 1)

/* Mandatory fields, as bits of the "seen" mask of the parser. */
enum migver_field {
	MIGVER_FIELD_KIND,
	MIGVER_FIELD_REV,
	MIGVER_FIELD_QPS,
	MIGVER_FIELD_ALGS,
	MIGVER_FIELD_COUNT
};

#define MIGVER_FIELDS_ALL	((1U << MIGVER_FIELD_COUNT) - 1)

static const char * const migver_field_keys[MIGVER_FIELD_COUNT] = {
	[MIGVER_FIELD_KIND] = "kind",
	[MIGVER_FIELD_REV] = "rev",
	[MIGVER_FIELD_QPS] = "qps",
	[MIGVER_FIELD_ALGS] = "algs",
};

static const char * const migver_kind_names[ACCMDEV_KIND_COUNT] = {
	[ACCMDEV_KIND_ZIP] = "zip",
	[ACCMDEV_KIND_SEC] = "sec",
};

static const char * const migver_alg_names[ACCMDEV_ALG_COUNT] = {
	[ACCMDEV_ALG_CRC32C] = "crc32c",
	[ACCMDEV_ALG_ADLER32] = "adler32",
	[ACCMDEV_ALG_DEFLATE] = "deflate",
	[ACCMDEV_ALG_INFLATE] = "inflate",
	[ACCMDEV_ALG_SHA256] = "sha256",
	[ACCMDEV_ALG_SHA224] = "sha224",
};

static const unsigned int migver_kind_max_rev[ACCMDEV_KIND_COUNT] = {
	[ACCMDEV_KIND_ZIP] = 2,
	[ACCMDEV_KIND_SEC] = 1,
};

/* Algorithms of the native model of each kind and revision. */
static const u32
migver_native_algs[ACCMDEV_KIND_COUNT][MIGVER_MODEL_REV_MAX + 1] = {
	[ACCMDEV_KIND_ZIP] = {
		[1] = ALG(CRC32C) | ALG(DEFLATE) | ALG(INFLATE),
		[2] = ALG(CRC32C) | ALG(ADLER32) | ALG(DEFLATE) | ALG(INFLATE),
	},
	[ACCMDEV_KIND_SEC] = {
		[1] = ALG(SHA256) | ALG(SHA224),
	},
};

static const int migver_compat_errnos[ACCMDEV_COMPAT_COUNT] = {
	[ACCMDEV_COMPAT_OK] = 0,
	[ACCMDEV_COMPAT_MALFORMED] = EINVAL,
	[ACCMDEV_COMPAT_KIND] = EXDEV,
	[ACCMDEV_COMPAT_QPS] = ERANGE,
	[ACCMDEV_COMPAT_FORMAT] = EPROTO,
	[ACCMDEV_COMPAT_REV] = ENOEXEC,
	[ACCMDEV_COMPAT_ALGS] = EOPNOTSUPP,
	[ACCMDEV_COMPAT_NOMIG] = ENODEV,
};

static const char * const migver_compat_fields[ACCMDEV_COMPAT_COUNT] = {
	[ACCMDEV_COMPAT_OK] = "",
	[ACCMDEV_COMPAT_MALFORMED] = "version",
	[ACCMDEV_COMPAT_KIND] = "kind",
	[ACCMDEV_COMPAT_QPS] = "qps",
	[ACCMDEV_COMPAT_FORMAT] = "format",
	[ACCMDEV_COMPAT_REV] = "rev",
	[ACCMDEV_COMPAT_ALGS] = "algs",
	[ACCMDEV_COMPAT_NOMIG] = "migratable",
};

/* Character classes, locale independent and safe for any byte. */
static bool migver_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool migver_is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || migver_is_digit(c);
}

/* Kind names, algorithm names and extension keys. */
static bool migver_is_name_char(char c, bool dash)
{
	return migver_is_lower_alnum(c) || (dash && c == '-');
}

/* Values of extension fields. */
static bool migver_is_xval_char(char c)
{
	return migver_is_lower_alnum(c) || (c >= 'A' && c <= 'Z') ||
	       c == '.' || c == '_' || c == ',' || c == ':' || c == '+' ||
	       c == '-';
}

/* Is @s[0..@len) a name of 1..MIGVER_NAME_MAX allowed characters? */
static bool migver_name_ok(const char *s, size_t len, bool dash)
{
	size_t i;

	if (!len || len > MIGVER_NAME_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (!migver_is_name_char(s[i], dash))
			return false;
	return true;
}

/* Does @s[0..@len) spell exactly the NUL-terminated @word? */
static bool migver_word_eq(const char *s, size_t len, const char *word)
{
	return len == strlen(word) && !memcmp(s, word, len);
}

/*
 * Strict decimal in [@min, @max]: digits only, no sign, no leading zero
 * (except "0" itself). @max is at most MIGVER_NUM_MAX, so the running
 * value is checked before it can grow large enough to overflow.
 */
static bool migver_parse_uint(const char *s, size_t len, unsigned int min,
			      unsigned int max, unsigned int *out)
{
	unsigned int val = 0;
	size_t i;

	if (!len || (len > 1 && s[0] == '0'))
		return false;
	for (i = 0; i < len; i++) {
		if (!migver_is_digit(s[i]))
			return false;
		val = val * 10 + (unsigned int)(s[i] - '0');
		if (val > max)
			return false;
	}
	if (val < min)
		return false;
	*out = val;
	return true;
}

/*
 * Drop the one trailing newline a sysfs write carries, then check that
 * what is left is a non-empty line of printable ASCII shorter than
 * ACCMDEV_MIGVER_MAX. Embedded NULs, CRs and further newlines fail here.
 */
static bool migver_line_ok(const char *s, size_t *len)
{
	unsigned char c;
	size_t i;

	if (!s)
		return false;
	if (*len && s[*len - 1] == '\n')
		(*len)--;
	if (!*len || *len >= ACCMDEV_MIGVER_MAX)
		return false;
	for (i = 0; i < *len; i++) {
		c = (unsigned char)s[i];
		if (c < 0x20 || c > 0x7e)
			return false;
	}
	return true;
}

static unsigned int migver_alg_from_name(const char *s, size_t len)
{
	unsigned int i;

	for (i = 0; i < ACCMDEV_ALG_COUNT; i++)
		if (migver_word_eq(s, len, migver_alg_names[i]))
			return i;
	return ACCMDEV_ALG_COUNT;
}

/*
 * Is @name[0..@n) one of the items of the list @s[0..@len)? The items
 * there are already validated, so they are simply split at commas.
 */
static bool migver_list_has(const char *s, size_t len, const char *name,
			    size_t n)
{
	const char *comma;
	size_t item;

	while (len) {
		comma = memchr(s, ',', len);
		item = comma ? (size_t)(comma - s) : len;
		if (item == n && !memcmp(s, name, n))
			return true;
		if (!comma)
			break;
		s += item + 1;
		len -= item + 1;
	}
	return false;
}

/*
 * Parse the algorithm list @s[0..@len): 1..MIGVER_ALGS_ITEMS_MAX names
 * separated by single commas, no name twice. Known names become bits of
 * *@algs. Well-formed names this build does not know set *@unknown, or
 * fail the list if @unknown is NULL.
 */
static bool migver_parse_alg_list(const char *s, size_t len, u32 *algs,
				  bool *unknown)
{
	const char *comma;
	unsigned int items = 0;
	unsigned int alg;
	size_t start = 0;
	size_t stop;

	*algs = 0;
	if (unknown)
		*unknown = false;
	for (;;) {
		comma = memchr(s + start, ',', len - start);
		stop = comma ? (size_t)(comma - s) : len;
		if (!migver_name_ok(s + start, stop - start, true))
			return false;
		if (++items > MIGVER_ALGS_ITEMS_MAX)
			return false;
		if (start &&
		    migver_list_has(s, start - 1, s + start, stop - start))
			return false;
		alg = migver_alg_from_name(s + start, stop - start);
		if (alg < ACCMDEV_ALG_COUNT)
			*algs |= 1U << alg;
		else if (unknown)
			*unknown = true;
		else
			return false;
		if (stop == len)
			return true;
		start = stop + 1;
	}
}

/* An ignored extension field: "x-" [a-z0-9-]+ "=" [A-Za-z0-9._,:+-]+ */
static bool migver_xfield_ok(const char *key, size_t klen, const char *val,
			     size_t vlen)
{
	size_t i;

	if (klen < 3 || key[0] != 'x' || key[1] != '-')
		return false;
	for (i = 2; i < klen; i++)
		if (!migver_is_name_char(key[i], true))
			return false;
	if (!vlen)
		return false;
	for (i = 0; i < vlen; i++)
		if (!migver_is_xval_char(val[i]))
			return false;
	return true;
}

/* Parse one "key=value" field of @flen bytes at @f into @v. */
static bool migver_parse_field(const char *f, size_t flen,
			       struct accmdev_migver *v, unsigned int *seen)
{
	const char *eq = memchr(f, '=', flen);
	const char *val;
	size_t klen, vlen;
	unsigned int i;

	if (!eq)
		return false;
	klen = (size_t)(eq - f);
	val = eq + 1;
	vlen = flen - klen - 1;

	for (i = 0; i < MIGVER_FIELD_COUNT; i++)
		if (migver_word_eq(f, klen, migver_field_keys[i]))
			break;
	if (i == MIGVER_FIELD_COUNT)
		return migver_xfield_ok(f, klen, val, vlen);
	if (*seen & (1U << i))
		return false;
	*seen |= 1U << i;

	switch (i) {
	case MIGVER_FIELD_KIND:
		if (!migver_name_ok(val, vlen, false))
			return false;
		v->kind = accmdev_kind_from_name(val, vlen);
		return true;
	case MIGVER_FIELD_REV:
		return migver_parse_uint(val, vlen, 1, ACCMDEV_REV_MAX,
					 &v->rev);
	case MIGVER_FIELD_QPS:
		return migver_parse_uint(val, vlen, 1, ACCMDEV_QPS_MAX,
					 &v->qps);
	default:
		return migver_parse_alg_list(val, vlen, &v->algs,
					     &v->unknown_algs);
	}
}

enum accmdev_compat accmdev_migver_parse(const char *s, size_t len,
					 struct accmdev_migver *v)
{
	unsigned int major, minor, seen = 0;
	const char *end, *p, *q, *next;

	memset(v, 0, sizeof(*v));
	if (!migver_line_ok(s, &len))
		return ACCMDEV_COMPAT_MALFORMED;
	if (len < MIGVER_PREFIX_LEN ||
	    memcmp(s, MIGVER_PREFIX, MIGVER_PREFIX_LEN))
		return ACCMDEV_COMPAT_MALFORMED;
	end = s + len;

	/* "<major>.<minor>", ended by the first ';' or the end. */
	p = s + MIGVER_PREFIX_LEN;
	for (q = p; q < end && migver_is_digit(*q); q++)
		;
	if (q == end || *q != '.' ||
	    !migver_parse_uint(p, (size_t)(q - p), 0, MIGVER_NUM_MAX, &major))
		return ACCMDEV_COMPAT_MALFORMED;
	p = q + 1;
	for (q = p; q < end && migver_is_digit(*q); q++)
		;
	if ((q != end && *q != ';') ||
	    !migver_parse_uint(p, (size_t)(q - p), 0, MIGVER_NUM_MAX, &minor))
		return ACCMDEV_COMPAT_MALFORMED;

	/* Another format may have other fields: do not look at them. */
	v->major = major;
	v->minor = minor;
	if (major != ACCMDEV_FORMAT_MAJOR || minor > ACCMDEV_FORMAT_MINOR)
		return ACCMDEV_COMPAT_FORMAT;

	/* Here q is at a ';' that starts a field, or at the end. */
	while (q < end) {
		p = q + 1;
		next = memchr(p, ';', (size_t)(end - p));
		q = next ? next : end;
		if (q == p || !migver_parse_field(p, (size_t)(q - p), v, &seen))
			goto malformed;
	}
	if (seen != MIGVER_FIELDS_ALL)
		goto malformed;
	return ACCMDEV_COMPAT_OK;

malformed:
	memset(v, 0, sizeof(*v));
	return ACCMDEV_COMPAT_MALFORMED;
}

int accmdev_migver_format(const struct accmdev_migver *v, char *buf,
			  size_t size)
{
	const char *kind = accmdev_kind_name(v->kind);
	int n, m;

	if (size)
		buf[0] = '\0';
	if (!kind || v->rev < 1 || v->rev > ACCMDEV_REV_MAX ||
	    v->qps < 1 || v->qps > ACCMDEV_QPS_MAX ||
	    !v->algs || (v->algs & ~ALGS_ALL) || v->unknown_algs)
		return -EINVAL;

	/* The string always fits in this, and int arithmetic stays safe. */
	if (size > ACCMDEV_MIGVER_MAX)
		size = ACCMDEV_MIGVER_MAX;
	n = snprintf(buf, size, "%s%u.%u;kind=%s;rev=%u;qps=%u;algs=",
		     MIGVER_PREFIX, ACCMDEV_FORMAT_MAJOR, ACCMDEV_FORMAT_MINOR,
		     kind, v->rev, v->qps);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= size)
		goto nospc;
	m = accmdev_algs_format(v->algs, buf + n, size - (size_t)n);
	if (m < 0)
		goto nospc;
	return n + m;

nospc:
	if (size)
		buf[0] = '\0';
	return -ENOSPC;
}

enum accmdev_compat accmdev_migver_compare(const struct accmdev_migver *src,
					   const struct accmdev_migver_dst *dst)
{
	if (!dst->migratable)
		return ACCMDEV_COMPAT_NOMIG;
	if (!accmdev_kind_name(src->kind) || src->kind != dst->kind)
		return ACCMDEV_COMPAT_KIND;
	if (src->qps != dst->qps)
		return ACCMDEV_COMPAT_QPS;
	if (src->rev != dst->rev)
		return ACCMDEV_COMPAT_REV;
	/* The destination's model offers every algorithm the source's did. */
	if (src->unknown_algs || (src->algs & ~dst->algs))
		return ACCMDEV_COMPAT_ALGS;
	return ACCMDEV_COMPAT_OK;
}

enum accmdev_compat accmdev_migver_check(const char *s, size_t len,
					 const struct accmdev_migver_dst *dst,
					 struct accmdev_migver *src)
{
	struct accmdev_migver parsed;
	enum accmdev_compat c;

	if (!src)
		src = &parsed;
	if (!dst->migratable) {
		memset(src, 0, sizeof(*src));
		return ACCMDEV_COMPAT_NOMIG;
	}
	c = accmdev_migver_parse(s, len, src);
	if (c != ACCMDEV_COMPAT_OK)
		return c;
	return accmdev_migver_compare(src, dst);
}

int accmdev_compat_errno(enum accmdev_compat c)
{
	/* A class out of range is reported like a malformed string. */
	if ((unsigned int)c >= ACCMDEV_COMPAT_COUNT)
		c = ACCMDEV_COMPAT_MALFORMED;
	return migver_compat_errnos[c];
}

const char *accmdev_compat_field(enum accmdev_compat c)
{
	if ((unsigned int)c >= ACCMDEV_COMPAT_COUNT)
		return NULL;
	return migver_compat_fields[c];
}

enum accmdev_compat accmdev_compat_from_errno(int err)
{
	unsigned int c;

	for (c = 0; c < ACCMDEV_COMPAT_COUNT; c++)
		if (migver_compat_errnos[c] == err)
			return (enum accmdev_compat)c;
	return ACCMDEV_COMPAT_COUNT;
}

const char *accmdev_kind_name(unsigned int kind)
{
	if (kind >= ACCMDEV_KIND_COUNT)
		return NULL;
	return migver_kind_names[kind];
}

unsigned int accmdev_kind_from_name(const char *s, size_t len)
{
	unsigned int i;

	if (!s)
		return ACCMDEV_KIND_NONE;
	for (i = ACCMDEV_KIND_NONE + 1; i < ACCMDEV_KIND_COUNT; i++)
		if (migver_word_eq(s, len, migver_kind_names[i]))
			return i;
	return ACCMDEV_KIND_NONE;
}

const char *accmdev_alg_name(unsigned int alg)
{
	if (alg >= ACCMDEV_ALG_COUNT)
		return NULL;
	return migver_alg_names[alg];
}

unsigned int accmdev_kind_max_rev(unsigned int kind)
{
	if (kind >= ACCMDEV_KIND_COUNT)
		return 0;
	return migver_kind_max_rev[kind];
}

u32 accmdev_native_algs(unsigned int kind, unsigned int rev)
{
	if (rev < 1 || rev > accmdev_kind_max_rev(kind) ||
	    rev > MIGVER_MODEL_REV_MAX)
		return 0;
	return migver_native_algs[kind][rev];
}

int accmdev_algs_format(u32 algs, char *buf, size_t size)
{
	size_t pos = 0, n;
	unsigned int i;

	if (size)
		buf[0] = '\0';
	if (!algs || (algs & ~ALGS_ALL))
		return -EINVAL;
	for (i = 0; i < ACCMDEV_ALG_COUNT; i++) {
		if (!(algs & (1U << i)))
			continue;
		n = strlen(migver_alg_names[i]);
		if (pos + (pos ? 1 : 0) + n >= size) {
			if (size)
				buf[0] = '\0';
			return -ENOSPC;
		}
		if (pos)
			buf[pos++] = ',';
		memcpy(buf + pos, migver_alg_names[i], n);
		pos += n;
	}
	buf[pos] = '\0';
	return (int)pos;
}

int accmdev_algs_parse(const char *s, size_t len, u32 *algs)
{
	u32 parsed;

	if (!s)
		return -EINVAL;
	if (len && s[len - 1] == '\n')
		len--;
	if (!len || !migver_parse_alg_list(s, len, &parsed, NULL))
		return -EINVAL;
	*algs = parsed;
	return 0;
}
