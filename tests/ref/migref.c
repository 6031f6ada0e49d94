// SPDX-License-Identifier: GPL-2.0-only
/*
 * migref: an independent reference for migration_version, written from
 * the documentation only. See migref.h.
 *
 * Style, on purpose unlike a hand-written scanner: the grammar is a set
 * of tables (character classes, field specifications, the native
 * algorithm table, the ordered rule list) walked by small generic
 * functions over (pointer, length) spans. Each table row cites the
 * sentence of Documentation/admin-guide.rst or sysfs-abi it encodes.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "migref.h"

/* ------------------------------------------------------------------ */
/* Spans                                                               */

struct span {
	const char *p;
	size_t n;
};

/* Cut s at the first sep: head gets what is before, s what is after. */
static bool span_cut(struct span *s, char sep, struct span *head)
{
	const char *hit = s->n ? memchr(s->p, sep, s->n) : NULL;

	if (!hit) {
		*head = *s;
		s->p += s->n;
		s->n = 0;
		return false;
	}
	head->p = s->p;
	head->n = (size_t)(hit - s->p);
	s->n -= head->n + 1;
	s->p = hit + 1;
	return true;
}

static bool span_is(struct span s, const char *lit)
{
	return s.n == strlen(lit) && memcmp(s.p, lit, s.n) == 0;
}

static bool span_starts(struct span s, const char *lit)
{
	size_t l = strlen(lit);

	return s.n >= l && memcmp(s.p, lit, l) == 0;
}

/* ------------------------------------------------------------------ */
/* Character classes (admin-guide, "Grammar")                          */

enum cclass {
	C_DIGIT = 1 << 0,	/* DIGIT */
	C_LC = 1 << 1,		/* lc = %x61-7A */
	C_DASH = 1 << 2,	/* "-" */
	C_XCHAR = 1 << 3,	/* ALPHA / DIGIT / "." / "_" / "," / ":" / "+" / "-" */
	C_PRINT = 1 << 4,	/* printable ASCII, 0x20 to 0x7E */
};

static unsigned int cclass_of(unsigned char c)
{
	static const char xpunct[] = "._,:+-";
	unsigned int m = 0;

	if (c >= 0x20 && c <= 0x7e)
		m |= C_PRINT;
	if (c >= '0' && c <= '9')
		m |= C_DIGIT | C_XCHAR;
	if (c >= 'a' && c <= 'z')
		m |= C_LC | C_XCHAR;
	if (c >= 'A' && c <= 'Z')
		m |= C_XCHAR;
	if (c == '-')
		m |= C_DASH;
	if (c && strchr(xpunct, c))
		m |= C_XCHAR;
	return m;
}

/* Every byte of s is in one of the classes of mask, and min <= n <= max. */
static bool span_all(struct span s, unsigned int mask, size_t min, size_t max)
{
	size_t i;

	if (s.n < min || s.n > max)
		return false;
	for (i = 0; i < s.n; i++)
		if (!(cclass_of((unsigned char)s.p[i]) & mask))
			return false;
	return true;
}

/*
 * number = "0" / ( %x31-39 *DIGIT ), at most 65535, then the field's
 * own range [lo, hi].
 */
static bool span_number(struct span s, unsigned long lo, unsigned long hi,
			unsigned int *out)
{
	unsigned long v = 0;
	size_t i;

	if (!span_all(s, C_DIGIT, 1, 5))	/* 65535 has five digits */
		return false;
	if (s.n > 1 && s.p[0] == '0')
		return false;
	for (i = 0; i < s.n; i++)
		v = v * 10 + (unsigned long)(s.p[i] - '0');
	if (v > 65535 || v < lo || v > hi)
		return false;
	*out = (unsigned int)v;
	return true;
}

/* ------------------------------------------------------------------ */
/* Kinds, revisions and algorithms (admin-guide table; sysfs-class)    */

const char *const migref_alg_names[MIGREF_NR_ALGS] = {
	[MIGREF_CRC32C] = "crc32c",
	[MIGREF_ADLER32] = "adler32",
	[MIGREF_DEFLATE] = "deflate",
	[MIGREF_INFLATE] = "inflate",
	[MIGREF_SHA256] = "sha256",
	[MIGREF_SHA224] = "sha224",
};

#define A(x) (1u << MIGREF_##x)
static const struct {
	const char *kind;
	unsigned int rev;
	unsigned int algs;
} native_table[] = {
	{ "zip", 1, A(CRC32C) | A(DEFLATE) | A(INFLATE) },
	{ "zip", 2, A(CRC32C) | A(ADLER32) | A(DEFLATE) | A(INFLATE) },
	{ "sec", 1, A(SHA256) | A(SHA224) },
};
#undef A

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

unsigned int migref_native(const char *kind, unsigned int rev)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(native_table); i++)
		if (!strcmp(native_table[i].kind, kind) &&
		    native_table[i].rev == rev)
			return native_table[i].algs;
	return 0;
}

unsigned int migref_max_rev(const char *kind)
{
	unsigned int max = 0;
	size_t i;

	for (i = 0; i < ARRAY_LEN(native_table); i++)
		if (!strcmp(native_table[i].kind, kind) &&
		    native_table[i].rev > max)
			max = native_table[i].rev;
	return max;
}

/* Bit of a known algorithm name, or 0 for a name this build lacks. */
static unsigned int alg_bit(const char *name)
{
	unsigned int i;

	for (i = 0; i < MIGREF_NR_ALGS; i++)
		if (!strcmp(migref_alg_names[i], name))
			return 1u << i;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Fields (admin-guide, "Grammar")                                     */

static bool val_kind(struct span s, struct migref_ver *v)
{
	/* name = 1*15( lc / DIGIT ) */
	if (!span_all(s, C_LC | C_DIGIT, 1, MIGREF_NAME_MAX))
		return false;
	memcpy(v->kind, s.p, s.n);
	v->kind[s.n] = '\0';
	return true;
}

static bool val_rev(struct span s, struct migref_ver *v)
{
	return span_number(s, 1, 255, &v->rev);		/* ; 1..255 */
}

static bool val_qps(struct span s, struct migref_ver *v)
{
	return span_number(s, 1, 65535, &v->qps);	/* ; 1..65535 */
}

static bool val_algs(struct span s, struct migref_ver *v)
{
	/* "algs=" alg *( "," alg ); 1..32 names, none twice */
	struct span name;
	bool more = true;
	unsigned int i;

	v->nalgs = 0;
	while (more) {
		more = span_cut(&s, ',', &name);
		/* alg = 1*15( lc / DIGIT / "-" ) */
		if (!span_all(name, C_LC | C_DIGIT | C_DASH, 1, MIGREF_NAME_MAX))
			return false;
		if (v->nalgs == MIGREF_ALGS_MAX)
			return false;
		for (i = 0; i < v->nalgs; i++)
			if (span_is(name, v->algs[i]))
				return false;
		memcpy(v->algs[v->nalgs], name.p, name.n);
		v->algs[v->nalgs][name.n] = '\0';
		v->nalgs++;
	}
	return true;
}

static const struct field_spec {
	const char *key;
	bool (*value)(struct span s, struct migref_ver *v);
} field_table[] = {
	{ "kind", val_kind },
	{ "rev", val_rev },
	{ "qps", val_qps },
	{ "algs", val_algs },
};

/* "x-" 1*( lc / DIGIT / "-" ) "=" 1*xchar: optional and ignored */
static bool x_field(struct span key, struct span val)
{
	struct span rest;

	if (!span_starts(key, "x-"))
		return false;
	rest.p = key.p + 2;
	rest.n = key.n - 2;
	return span_all(rest, C_LC | C_DIGIT | C_DASH, 1, (size_t)-1) &&
	       span_all(val, C_XCHAR, 1, (size_t)-1);
}

/* ------------------------------------------------------------------ */
/* The parser                                                          */

/*
 * "accmdev/" number "." number: the header. On success rest is what
 * follows the minor; it is empty or starts at a ";".
 */
static bool parse_header(struct span line, struct migref_ver *v,
			 struct span *rest)
{
	struct span num;
	size_t i;

	if (!span_starts(line, "accmdev/"))
		return false;
	line.p += 8;
	line.n -= 8;
	if (!span_cut(&line, '.', &num) ||
	    !span_number(num, 0, 65535, &v->major))
		return false;
	/* the minor runs to the first ";" or the end of the line */
	for (i = 0; i < line.n && line.p[i] != ';'; i++)
		;
	num.p = line.p;
	num.n = i;
	if (!span_number(num, 0, 65535, &v->minor))
		return false;
	rest->p = line.p + i;
	rest->n = line.n - i;
	return true;
}

int migref_parse(const char *buf, size_t len, struct migref_ver *v)
{
	struct span line = { buf, len }, rest, field, key;
	bool seen[ARRAY_LEN(field_table)] = { false };
	bool more;
	size_t i;

	memset(v, 0, sizeof(*v));

	/* One trailing newline is allowed and nothing else after it. */
	if (line.n && line.p[line.n - 1] == '\n')
		line.n--;
	/* Printable ASCII, shorter than 4096 bytes; not empty. */
	if (!span_all(line, C_PRINT, 1, MIGREF_LINE_MAX))
		return -EINVAL;

	if (!parse_header(line, v, &rest))
		return -EINVAL;
	/*
	 * Another format is refused without looking at its fields: a
	 * later format may have other ones.
	 */
	if (v->major != 1 || v->minor > 0)
		return -EPROTO;

	/* *( ";" field ): rest is empty or starts at a ";" */
	more = rest.n != 0;
	if (more) {
		rest.p++;
		rest.n--;
	}
	while (more) {
		more = span_cut(&rest, ';', &field);
		if (!span_cut(&field, '=', &key))
			return -EINVAL;		/* no "=", or an empty field */
		for (i = 0; i < ARRAY_LEN(field_table); i++)
			if (span_is(key, field_table[i].key))
				break;
		if (i < ARRAY_LEN(field_table)) {
			/* mandatory fields appear exactly once */
			if (seen[i] || !field_table[i].value(field, v))
				return -EINVAL;
			seen[i] = true;
		} else if (!x_field(key, field)) {
			return -EINVAL;		/* any other key */
		}
	}
	for (i = 0; i < ARRAY_LEN(field_table); i++)
		if (!seen[i])
			return -EINVAL;
	return 0;
}

/* ------------------------------------------------------------------ */
/* The compatibility rules (admin-guide, "Compatibility rules")        */

/* Source algorithms as a bit set; false if one is unknown here. */
static bool src_algs(const struct migref_ver *v, unsigned int *set)
{
	unsigned int i, b;

	*set = 0;
	for (i = 0; i < v->nalgs; i++) {
		b = alg_bit(v->algs[i]);
		if (!b)
			return false;
		*set |= b;
	}
	return true;
}

static bool rule_kind(const struct migref_dst *d, const struct migref_ver *v)
{
	return !strcmp(v->kind, d->kind);
}

static bool rule_qps(const struct migref_dst *d, const struct migref_ver *v)
{
	return v->qps == d->qps;
}

static bool rule_rev(const struct migref_dst *d, const struct migref_ver *v)
{
	return v->rev == d->rev;		/* the same model revision */
}

static bool rule_algs(const struct migref_dst *d, const struct migref_ver *v)
{
	unsigned int need;

	if (!src_algs(v, &need))
		return false;
	/* the destination's model offers every algorithm the source's did */
	return (need & ~d->algs) == 0;
}

static const struct rule {
	bool (*holds)(const struct migref_dst *d, const struct migref_ver *v);
	int err;
	const char *field;
} rule_table[] = {
	/* rules 1 to 3 are decided by migref_judge() and migref_parse() */
	{ rule_kind, EXDEV, "kind" },		/* 4 same kind */
	{ rule_qps, ERANGE, "qps" },		/* 5 same queue-pair count */
	{ rule_rev, ENOEXEC, "rev" },		/* 6 model revision */
	{ rule_algs, EOPNOTSUPP, "algs" },	/* 7 algorithms */
};

static int refuse(int err, const char *name, const char **field)
{
	if (field)
		*field = err ? name : NULL;
	return -err;
}

int migref_compare(const struct migref_dst *dst, const struct migref_ver *v,
		   const char **field)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(rule_table); i++)
		if (!rule_table[i].holds(dst, v))
			return refuse(rule_table[i].err, rule_table[i].field,
				      field);
	return refuse(0, NULL, field);
}

int migref_store(const struct migref_dst *dst, const char *buf, size_t count,
		 const char **field)
{
	/*
	 * Rule 1 first; then a write of a full page or more is refused as
	 * malformed (rule 2): sysfs passed only its first page.
	 */
	if (dst->migratable && count >= MIGREF_PAGE)
		return refuse(EINVAL, "version", field);
	return migref_judge(dst, buf, count, field);
}

int migref_judge(const struct migref_dst *dst, const char *buf, size_t len,
		 const char **field)
{
	struct migref_ver v;
	int r;

	if (!dst->migratable)				/* 1 */
		return refuse(ENODEV, "migratable", field);
	r = migref_parse(buf, len, &v);
	if (r == -EINVAL)				/* 2 */
		return refuse(EINVAL, "version", field);
	if (r == -EPROTO)				/* 3 */
		return refuse(EPROTO, "format", field);
	return migref_compare(dst, &v, field);		/* 4 to 7 */
}

/* ------------------------------------------------------------------ */
/* The read                                                            */

int migref_format(const struct migref_dst *dst, char *out, size_t size)
{
	size_t n;
	int r;
	unsigned int i;
	bool first = true;

	if (!dst->migratable)
		return -ENODEV;
	if (!migref_max_rev(dst->kind) || !dst->algs ||
	    (dst->algs & ~((1u << MIGREF_NR_ALGS) - 1)))
		return -EINVAL;
	r = snprintf(out, size, "accmdev/1.0;kind=%s;rev=%u;qps=%u;algs=",
		     dst->kind, dst->rev, dst->qps);
	if (r < 0 || (size_t)r >= size)
		return -ENOSPC;
	n = (size_t)r;
	for (i = 0; i < MIGREF_NR_ALGS; i++) {
		if (!(dst->algs & (1u << i)))
			continue;
		r = snprintf(out + n, size - n, "%s%s", first ? "" : ",",
			     migref_alg_names[i]);
		if (r < 0 || (size_t)r >= size - n)
			return -ENOSPC;
		n += (size_t)r;
		first = false;
	}
	return (int)n;
}

const char *migref_errname(int err)
{
	static const struct {
		int e;
		const char *name;
	} names[] = {
		{ 0, "0" }, { EINVAL, "EINVAL" }, { ENODEV, "ENODEV" },
		{ EPROTO, "EPROTO" }, { EXDEV, "EXDEV" }, { ERANGE, "ERANGE" },
		{ ENOEXEC, "ENOEXEC" }, { EOPNOTSUPP, "EOPNOTSUPP" },
		{ ENOSPC, "ENOSPC" },
	};
	size_t i;

	if (err < 0)
		err = -err;
	for (i = 0; i < ARRAY_LEN(names); i++)
		if (names[i].e == err)
			return names[i].name;
	return "E?";
}
