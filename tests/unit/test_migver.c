// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of driver/migver.c, in user space. Prints TAP on stdout and
 * exits non-zero if any test fails.
 *
 * Every string handed to the code under test is first copied into a heap
 * buffer of exactly its length, without a terminating NUL, so that
 * AddressSanitizer catches any read past @len.
 *
 * The plan is printed first, computed from the tables and the fixed
 * number of tests of each group (groups[] below); a group that prints
 * another number of tests than it declares is itself a failure, and the
 * exit status is non-zero if any test failed or the count is off. A
 * sanitizer abort stops the program with a non-zero status and a short
 * TAP stream.
 *
 * The tables are judged twice: by the code under test, and by the
 * independent reference in tests/ref (written from the documentation,
 * sharing no code with driver/migver.c), so a wrong expectation in a
 * table cannot hide a wrong answer.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migver.h"
#include "migref.h"
#include "tap.h"


/* A TAP comment, only in the printing pass. */
static void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* ---- helpers --------------------------------------------------------- */

#define BIT(n)		(1U << (n))
#define ALG(name)	BIT(ACCMDEV_ALG_##name)
#define ALGS_ALL	(BIT(ACCMDEV_ALG_COUNT) - 1)

#define ZIP1_ALGS	(ALG(CRC32C) | ALG(DEFLATE) | ALG(INFLATE))
#define ZIP2_ALGS	(ZIP1_ALGS | ALG(ADLER32))
#define SEC1_ALGS	(ALG(SHA256) | ALG(SHA224))

/* A string literal and its length, embedded NULs included. */
#define S(lit)		lit, sizeof(lit) - 1

#define VALID		"accmdev/1.0;kind=zip;rev=1;qps=4;algs=crc32c,deflate,inflate"

static char *dup_exact(const char *s, size_t len)
{
	/* malloc(0) gives a pointer ASan treats as 0 bytes long. */
	char *p = malloc(len);

	if (!p && len) {
		perror("malloc");
		exit(2);
	}
	if (len)
		memcpy(p, s, len);
	return p;
}

static enum accmdev_compat parse_exact(const char *s, size_t len,
				       struct accmdev_migver *v)
{
	char *p = dup_exact(s, len);
	enum accmdev_compat c = accmdev_migver_parse(p, len, v);

	free(p);
	return c;
}

static enum accmdev_compat check_exact(const char *s, size_t len,
				       const struct accmdev_migver_dst *dst,
				       struct accmdev_migver *src)
{
	char *p = dup_exact(s, len);
	enum accmdev_compat c = accmdev_migver_check(p, len, dst, src);

	free(p);
	return c;
}

static int algs_parse_exact(const char *s, size_t len, uint32_t *algs)
{
	char *p = dup_exact(s, len);
	int ret = accmdev_algs_parse(p, len, algs);

	free(p);
	return ret;
}

static bool migver_eq(const struct accmdev_migver *a,
		      const struct accmdev_migver *b)
{
	return a->major == b->major && a->minor == b->minor &&
	       a->kind == b->kind && a->rev == b->rev && a->qps == b->qps &&
	       a->algs == b->algs && a->unknown_algs == b->unknown_algs;
}

static bool migver_is_zero(const struct accmdev_migver *v)
{
	static const struct accmdev_migver zero;

	return migver_eq(v, &zero);
}

static const char *compat_name(enum accmdev_compat c)
{
	static const char * const names[] = {
		"OK", "MALFORMED", "KIND", "QPS", "FORMAT", "REV", "ALGS",
		"NOMIG",
	};

	if ((unsigned int)c < sizeof(names) / sizeof(names[0]))
		return names[c];
	return "?";
}

static void diag_migver(const char *what, const struct accmdev_migver *v)
{
	diag("%s: %u.%u kind=%u rev=%u qps=%u algs=%#x unknown=%d", what,
	     v->major, v->minor, v->kind, v->rev, v->qps, v->algs,
	     v->unknown_algs);
}

/* ---- parse: good, format and malformed strings ----------------------- */

struct parse_case {
	const char *desc;
	const char *s;
	size_t len;
	enum accmdev_compat want;
	/* Expected result for OK (all fields) and FORMAT (major, minor). */
	struct accmdev_migver v;
};

#define OK_V(k, r, q, a, u) \
	ACCMDEV_COMPAT_OK, { 1, 0, ACCMDEV_KIND_##k, r, q, a, u }
#define FMT_V(ma, mi) \
	ACCMDEV_COMPAT_FORMAT, { ma, mi, 0, 0, 0, 0, false }
#define BAD \
	ACCMDEV_COMPAT_MALFORMED, { 0, 0, 0, 0, 0, 0, false }

static const struct parse_case parse_cases[] = {
	/* good */
	{ "canonical zip rev1", S(VALID), OK_V(ZIP, 1, 4, ZIP1_ALGS, false) },
	{ "one trailing newline", S(VALID "\n"),
	  OK_V(ZIP, 1, 4, ZIP1_ALGS, false) },
	{ "canonical zip rev2",
	  S("accmdev/1.0;kind=zip;rev=2;qps=16;algs=crc32c,adler32,deflate,inflate"),
	  OK_V(ZIP, 2, 16, ZIP2_ALGS, false) },
	{ "canonical sec rev1",
	  S("accmdev/1.0;kind=sec;rev=1;qps=1;algs=sha256,sha224"),
	  OK_V(SEC, 1, 1, SEC1_ALGS, false) },
	{ "fields in reverse order",
	  S("accmdev/1.0;algs=sha224;qps=2;rev=1;kind=sec"),
	  OK_V(SEC, 1, 2, ALG(SHA224), false) },
	{ "fields shuffled",
	  S("accmdev/1.0;qps=8;kind=zip;algs=deflate;rev=2"),
	  OK_V(ZIP, 2, 8, ALG(DEFLATE), false) },
	{ "algs not in enum order",
	  S("accmdev/1.0;kind=zip;rev=1;qps=4;algs=inflate,crc32c"),
	  OK_V(ZIP, 1, 4, ALG(INFLATE) | ALG(CRC32C), false) },
	{ "all six algorithms",
	  S("accmdev/1.0;kind=zip;rev=2;qps=4;algs=crc32c,adler32,deflate,inflate,sha256,sha224"),
	  OK_V(ZIP, 2, 4, ALGS_ALL, false) },
	{ "limits rev=255 qps=65535",
	  S("accmdev/1.0;kind=zip;rev=255;qps=65535;algs=crc32c"),
	  OK_V(ZIP, 255, 65535, ALG(CRC32C), false) },
	{ "unknown kind is valid, kind NONE",
	  S("accmdev/1.0;kind=foo;rev=1;qps=4;algs=crc32c"),
	  OK_V(NONE, 1, 4, ALG(CRC32C), false) },
	{ "kind with digits, 15 chars",
	  S("accmdev/1.0;kind=abcdefghijklm09;rev=1;qps=4;algs=crc32c"),
	  OK_V(NONE, 1, 4, ALG(CRC32C), false) },
	{ "unknown alg sets unknown_algs",
	  S("accmdev/1.0;kind=zip;rev=1;qps=4;algs=crc32c,lz4"),
	  OK_V(ZIP, 1, 4, ALG(CRC32C), true) },
	{ "only unknown algs",
	  S("accmdev/1.0;kind=zip;rev=1;qps=4;algs=zstd-fast,lz4"),
	  OK_V(ZIP, 1, 4, 0, true) },
	{ "alg name of 15 chars with dash",
	  S("accmdev/1.0;kind=zip;rev=1;qps=4;algs=abcdefghijk-mno"),
	  OK_V(ZIP, 1, 4, 0, true) },
	{ "extension field ignored",
	  S("accmdev/1.0;kind=zip;rev=1;qps=4;algs=crc32c;x-vendor=acme"),
	  OK_V(ZIP, 1, 4, ALG(CRC32C), false) },
	{ "extension fields first and between",
	  S("accmdev/1.0;x-a=1;kind=zip;x-b-c=Z.9_,:+-;rev=1;qps=4;algs=crc32c"),
	  OK_V(ZIP, 1, 4, ALG(CRC32C), false) },
	{ "repeated extension key ignored",
	  S("accmdev/1.0;x-a=1;x-a=2;kind=zip;rev=1;qps=4;algs=crc32c"),
	  OK_V(ZIP, 1, 4, ALG(CRC32C), false) },
	{ "extension key named like a field",
	  S("accmdev/1.0;x-kind=sec;kind=zip;rev=1;qps=4;algs=crc32c"),
	  OK_V(ZIP, 1, 4, ALG(CRC32C), false) },

	/* format version */
	{ "major 2 is FORMAT",
	  S("accmdev/2.0;kind=zip;rev=1;qps=4;algs=crc32c"), FMT_V(2, 0) },
	{ "minor 1 is FORMAT", S("accmdev/1.1;kind=zip;rev=1;qps=4;algs=crc32c"),
	  FMT_V(1, 1) },
	{ "major 0 is FORMAT", S("accmdev/0.0"), FMT_V(0, 0) },
	{ "FORMAT without fields", S("accmdev/2.0"), FMT_V(2, 0) },
	{ "FORMAT with newline", S("accmdev/3.7\n"), FMT_V(3, 7) },
	{ "FORMAT does not parse fields", S("accmdev/2.0;;what=ever;"),
	  FMT_V(2, 0) },
	{ "FORMAT even if fields would be bad",
	  S("accmdev/1.1;kind=ZIP;rev=0"), FMT_V(1, 1) },
	{ "FORMAT at 65535.65535", S("accmdev/65535.65535"),
	  FMT_V(65535, 65535) },
	{ "FORMAT at 1.65535", S("accmdev/1.65535;x"), FMT_V(1, 65535) },

	/* line */
	{ "empty string", S(""), BAD },
	{ "newline only", S("\n"), BAD },
	{ "two trailing newlines", S(VALID "\n\n"), BAD },
	{ "CRLF", S(VALID "\r\n"), BAD },
	{ "trailing CR", S(VALID "\r"), BAD },
	{ "leading newline", S("\n" VALID), BAD },
	{ "embedded NUL in a field",
	  S("accmdev/1.0;kind=zip\0;rev=1;qps=4;algs=crc32c"), BAD },
	{ "trailing NUL", S(VALID "\0"), BAD },
	{ "NUL before newline", S(VALID "\0\n"), BAD },
	{ "NUL only", S("\0"), BAD },
	{ "tab inside", S("accmdev/1.0;kind=zip;rev=1;\tqps=4;algs=crc32c"),
	  BAD },
	{ "DEL in extension value", S(VALID ";x-a=\x7f"), BAD },
	{ "UTF-8 in extension value", S(VALID ";x-a=caf\xc3\xa9"), BAD },
	{ "byte 0xff", S(VALID "\xff"), BAD },
	{ "escape sequence", S("\x1b[0m" VALID), BAD },

	/* prefix */
	{ "foreign prefix", S("vfio/1.0;kind=zip;rev=1;qps=4;algs=crc32c"),
	  BAD },
	{ "uppercase prefix",
	  S("Accmdev/1.0;kind=zip;rev=1;qps=4;algs=crc32c"), BAD },
	{ "prefix without slash",
	  S("accmdev1.0;kind=zip;rev=1;qps=4;algs=crc32c"), BAD },
	{ "leading space", S(" " VALID), BAD },
	{ "prefix only", S("accmdev/"), BAD },
	{ "prefix truncated", S("accmde"), BAD },
	{ "prefix twice", S("accmdev/accmdev/1.0"), BAD },

	/* version numbers */
	{ "major only", S("accmdev/1"), BAD },
	{ "major and dot", S("accmdev/1."), BAD },
	{ "dot and minor", S("accmdev/.0"), BAD },
	{ "version without fields", S("accmdev/1.0"), BAD },
	{ "version then newline only", S("accmdev/1.0\n"), BAD },
	{ "leading zero major",
	  S("accmdev/01.0;kind=zip;rev=1;qps=4;algs=crc32c"), BAD },
	{ "leading zero minor",
	  S("accmdev/1.00;kind=zip;rev=1;qps=4;algs=crc32c"), BAD },
	{ "signed major", S("accmdev/+1.0;kind=zip;rev=1;qps=4;algs=crc32c"),
	  BAD },
	{ "negative major",
	  S("accmdev/-1.0;kind=zip;rev=1;qps=4;algs=crc32c"), BAD },
	{ "space before major",
	  S("accmdev/ 1.0;kind=zip;rev=1;qps=4;algs=crc32c"), BAD },
	{ "three-part version",
	  S("accmdev/1.0.0;kind=zip;rev=1;qps=4;algs=crc32c"), BAD },
	{ "junk after minor",
	  S("accmdev/1.0x;kind=zip;rev=1;qps=4;algs=crc32c"), BAD },
	{ "junk after a foreign minor is not FORMAT", S("accmdev/2.0x"), BAD },
	{ "major 65536", S("accmdev/65536.0"), BAD },
	{ "minor 65536", S("accmdev/1.65536"), BAD },
	{ "major overflows 64 bits", S("accmdev/99999999999999999999.0"),
	  BAD },
	{ "minor overflows 32 bits", S("accmdev/1.4294967296"), BAD },
	{ "hex major", S("accmdev/0x1.0"), BAD },

	/* field separators */
	{ "trailing semicolon", S(VALID ";"), BAD },
	{ "trailing semicolon and newline", S(VALID ";\n"), BAD },
	{ "empty field", S("accmdev/1.0;kind=zip;;rev=1;qps=4;algs=crc32c"),
	  BAD },
	{ "empty first field", S("accmdev/1.0;;kind=zip;rev=1;qps=4;algs=crc32c"),
	  BAD },
	{ "comma as separator",
	  S("accmdev/1.0,kind=zip;rev=1;qps=4;algs=crc32c"), BAD },
	{ "space after separator",
	  S("accmdev/1.0; kind=zip;rev=1;qps=4;algs=crc32c"), BAD },
	{ "space around equals",
	  S("accmdev/1.0;kind = zip;rev=1;qps=4;algs=crc32c"), BAD },
	{ "trailing space", S(VALID " "), BAD },

	/* missing and duplicate fields */
	{ "missing kind", S("accmdev/1.0;rev=1;qps=4;algs=crc32c"), BAD },
	{ "missing rev", S("accmdev/1.0;kind=zip;qps=4;algs=crc32c"), BAD },
	{ "missing qps", S("accmdev/1.0;kind=zip;rev=1;algs=crc32c"), BAD },
	{ "missing algs", S("accmdev/1.0;kind=zip;rev=1;qps=4"), BAD },
	{ "only extensions", S("accmdev/1.0;x-a=1;x-b=2"), BAD },
	{ "duplicate kind, same value", S(VALID ";kind=zip"), BAD },
	{ "duplicate kind, other value", S(VALID ";kind=sec"), BAD },
	{ "duplicate rev", S(VALID ";rev=1"), BAD },
	{ "duplicate qps", S(VALID ";qps=4"), BAD },
	{ "duplicate algs", S(VALID ";algs=crc32c"), BAD },

	/* truncated fields and keys */
	{ "kind= without value",
	  S("accmdev/1.0;kind=;rev=1;qps=4;algs=crc32c"), BAD },
	{ "kind without =", S("accmdev/1.0;kind;rev=1;qps=4;algs=crc32c"),
	  BAD },
	{ "=zip without key", S("accmdev/1.0;=zip;rev=1;qps=4;algs=crc32c"),
	  BAD },
	{ "lone =", S(VALID ";="), BAD },
	{ "kind==zip", S("accmdev/1.0;kind==zip;rev=1;qps=4;algs=crc32c"),
	  BAD },
	{ "kind=zip=1", S("accmdev/1.0;kind=zip=1;rev=1;qps=4;algs=crc32c"),
	  BAD },
	{ "unknown key", S(VALID ";foo=1"), BAD },
	{ "uppercase key", S("accmdev/1.0;KIND=zip;rev=1;qps=4;algs=crc32c"),
	  BAD },
	{ "key prefix of a field", S("accmdev/1.0;kin=zip;rev=1;qps=4;algs=crc32c"),
	  BAD },
	{ "key longer than a field",
	  S("accmdev/1.0;kinds=zip;rev=1;qps=4;algs=crc32c"), BAD },

	/* kind */
	{ "uppercase kind", S("accmdev/1.0;kind=ZIP;rev=1;qps=4;algs=crc32c"),
	  BAD },
	{ "kind of 16 chars",
	  S("accmdev/1.0;kind=abcdefghijklmnop;rev=1;qps=4;algs=crc32c"), BAD },
	{ "dash in kind", S("accmdev/1.0;kind=zip-2;rev=1;qps=4;algs=crc32c"),
	  BAD },
	{ "space in kind", S("accmdev/1.0;kind=zi p;rev=1;qps=4;algs=crc32c"),
	  BAD },

	/* rev */
	{ "rev=0", S("accmdev/1.0;kind=zip;rev=0;qps=4;algs=crc32c"), BAD },
	{ "rev=256", S("accmdev/1.0;kind=zip;rev=256;qps=4;algs=crc32c"), BAD },
	{ "rev=01", S("accmdev/1.0;kind=zip;rev=01;qps=4;algs=crc32c"), BAD },
	{ "rev=+1", S("accmdev/1.0;kind=zip;rev=+1;qps=4;algs=crc32c"), BAD },
	{ "rev=-1", S("accmdev/1.0;kind=zip;rev=-1;qps=4;algs=crc32c"), BAD },
	{ "rev=1a", S("accmdev/1.0;kind=zip;rev=1a;qps=4;algs=crc32c"), BAD },
	{ "rev=0x1", S("accmdev/1.0;kind=zip;rev=0x1;qps=4;algs=crc32c"), BAD },
	{ "rev=1.0", S("accmdev/1.0;kind=zip;rev=1.0;qps=4;algs=crc32c"), BAD },
	{ "rev= empty", S("accmdev/1.0;kind=zip;rev=;qps=4;algs=crc32c"), BAD },
	{ "rev overflows 64 bits",
	  S("accmdev/1.0;kind=zip;rev=99999999999999999999;qps=4;algs=crc32c"),
	  BAD },
	{ "rev wraps to 1 mod 2^32",
	  S("accmdev/1.0;kind=zip;rev=4294967297;qps=4;algs=crc32c"), BAD },

	/* qps */
	{ "qps=0", S("accmdev/1.0;kind=zip;rev=1;qps=0;algs=crc32c"), BAD },
	{ "qps=65536", S("accmdev/1.0;kind=zip;rev=1;qps=65536;algs=crc32c"),
	  BAD },
	{ "qps=007", S("accmdev/1.0;kind=zip;rev=1;qps=007;algs=crc32c"), BAD },
	{ "qps wraps to 4 mod 2^32",
	  S("accmdev/1.0;kind=zip;rev=1;qps=4294967300;algs=crc32c"), BAD },
	{ "qps wraps to 1 mod 2^64",
	  S("accmdev/1.0;kind=zip;rev=1;qps=18446744073709551617;algs=crc32c"),
	  BAD },
	{ "qps with space", S("accmdev/1.0;kind=zip;rev=1;qps= 4;algs=crc32c"),
	  BAD },

	/* algs */
	{ "algs= empty", S("accmdev/1.0;kind=zip;rev=1;qps=4;algs="), BAD },
	{ "algs=,", S("accmdev/1.0;kind=zip;rev=1;qps=4;algs=,"), BAD },
	{ "algs trailing comma",
	  S("accmdev/1.0;kind=zip;rev=1;qps=4;algs=crc32c,"), BAD },
	{ "algs leading comma",
	  S("accmdev/1.0;kind=zip;rev=1;qps=4;algs=,crc32c"), BAD },
	{ "algs empty item",
	  S("accmdev/1.0;kind=zip;rev=1;qps=4;algs=crc32c,,deflate"), BAD },
	{ "algs duplicate known",
	  S("accmdev/1.0;kind=zip;rev=1;qps=4;algs=crc32c,crc32c"), BAD },
	{ "algs duplicate known, apart",
	  S("accmdev/1.0;kind=zip;rev=1;qps=4;algs=deflate,crc32c,deflate"),
	  BAD },
	{ "algs duplicate unknown",
	  S("accmdev/1.0;kind=zip;rev=1;qps=4;algs=lz4,crc32c,lz4"), BAD },
	{ "algs uppercase",
	  S("accmdev/1.0;kind=zip;rev=1;qps=4;algs=CRC32C"), BAD },
	{ "algs space separated",
	  S("accmdev/1.0;kind=zip;rev=1;qps=4;algs=crc32c deflate"), BAD },
	{ "algs name of 16 chars",
	  S("accmdev/1.0;kind=zip;rev=1;qps=4;algs=abcdefghijklmnop"), BAD },
	{ "algs underscore",
	  S("accmdev/1.0;kind=zip;rev=1;qps=4;algs=crc_32c"), BAD },

	/* extension fields */
	{ "extension key x- alone", S(VALID ";x-=1"), BAD },
	{ "extension value empty", S(VALID ";x-vendor="), BAD },
	{ "extension without =", S(VALID ";x-vendor"), BAD },
	{ "extension uppercase key", S(VALID ";x-Vendor=1"), BAD },
	{ "extension key underscore", S(VALID ";x-a_b=1"), BAD },
	{ "x_ is not an extension", S(VALID ";x_a=1"), BAD },
	{ "X- is not an extension", S(VALID ";X-a=1"), BAD },
	{ "extension value with space", S(VALID ";x-a=b c"), BAD },
	{ "extension value with =", S(VALID ";x-a=b=c"), BAD },
	{ "extension value with slash", S(VALID ";x-a=b/c"), BAD },
	{ "extension value split by ;", S(VALID ";x-a=b;c"), BAD },
};

static void test_parse_cases(void)
{
	size_t i;

	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		const struct parse_case *t = &parse_cases[i];
		struct accmdev_migver v;
		enum accmdev_compat c;
		bool good;

		memset(&v, 0xa5, sizeof(v));
		c = parse_exact(t->s, t->len, &v);
		good = c == t->want;
		if (good && c == ACCMDEV_COMPAT_OK)
			good = migver_eq(&v, &t->v);
		else if (good && c == ACCMDEV_COMPAT_FORMAT)
			good = v.major == t->v.major && v.minor == t->v.minor;
		else if (good)
			good = migver_is_zero(&v);
		if (!tap(good, "parse %s: %s", compat_name(t->want), t->desc)) {
			diag("got %s", compat_name(c));
			diag_migver("parsed", &v);
		}
	}
}

/* ---- parse: lengths and truncation ----------------------------------- */

#define LONG_HEAD	"accmdev/1.0;kind=zip;rev=1;qps=4;algs=crc32c;x-pad="

/* A valid string of exactly @len bytes (>= strlen(LONG_HEAD) + 1). */
static char *make_long(size_t len, size_t extra, const char *tail)
{
	size_t head = strlen(LONG_HEAD);
	char *s = malloc(len + extra);

	if (!s) {
		perror("malloc");
		exit(2);
	}
	memcpy(s, LONG_HEAD, head);
	memset(s + head, 'A', len - head);
	memcpy(s + len, tail, extra);
	return s;
}

static const struct {
	size_t len;
	const char *tail;
	size_t extra;
	enum accmdev_compat want;
} length_cases[] = {
	{ ACCMDEV_MIGVER_MAX - 1, "", 0, ACCMDEV_COMPAT_OK },
	{ ACCMDEV_MIGVER_MAX - 1, "\n", 1, ACCMDEV_COMPAT_OK },
	{ ACCMDEV_MIGVER_MAX, "", 0, ACCMDEV_COMPAT_MALFORMED },
	{ ACCMDEV_MIGVER_MAX, "\n", 1, ACCMDEV_COMPAT_MALFORMED },
	{ ACCMDEV_MIGVER_MAX + 1, "", 0, ACCMDEV_COMPAT_MALFORMED },
	{ 3 * ACCMDEV_MIGVER_MAX, "", 0, ACCMDEV_COMPAT_MALFORMED },
};

static void test_lengths(void)
{
	struct accmdev_migver v;
	size_t i;

	for (i = 0; i < sizeof(length_cases) / sizeof(length_cases[0]); i++) {
		char *s = make_long(length_cases[i].len, length_cases[i].extra,
				    length_cases[i].tail);
		enum accmdev_compat c;

		c = parse_exact(s, length_cases[i].len + length_cases[i].extra, &v);
		free(s);
		tap(c == length_cases[i].want, "parse %s: %zu bytes%s",
		    compat_name(length_cases[i].want), length_cases[i].len,
		    length_cases[i].extra ? " plus newline" : "");
	}
}

/*
 * Every proper prefix of a valid string: those that stop before the first
 * algorithm name or after the last mandatory field are all malformed
 * (names cut short in between are merely unknown algorithms).
 */
static void test_truncations(void)
{
	static const char full[] = "accmdev/1.0;kind=zip;rev=1;qps=4;algs=crc32c;x-e=1";
	const char *algs = strstr(full, "algs=") + strlen("algs=");
	size_t first = (size_t)(algs - full);
	size_t last = first + strlen("crc32c");
	size_t len = sizeof(full) - 1, n;
	struct accmdev_migver v;
	unsigned int bad = 0, seen = 0;

	for (n = 0; n < len; n++) {
		if (n > first && n <= last)
			continue;
		seen++;
		if (parse_exact(full, n, &v) != ACCMDEV_COMPAT_MALFORMED) {
			diag("prefix of %zu bytes not malformed", n);
			bad++;
		}
	}
	tap(!bad && parse_exact(full, len, &v) == ACCMDEV_COMPAT_OK,
	    "parse MALFORMED: %u truncations of a valid string", seen);
}

/* Up to 32 algorithm names, and not one more. */
static void test_alg_count(void)
{
	char s[1024];
	struct accmdev_migver v;
	enum accmdev_compat c32, c33;
	int n, i;

	n = snprintf(s, sizeof(s), "accmdev/1.0;kind=zip;rev=1;qps=4;algs=crc32c");
	for (i = 2; i <= 32; i++)
		n += snprintf(s + n, sizeof(s) - (size_t)n, ",n%d", i);
	c32 = parse_exact(s, (size_t)n, &v);
	tap(c32 == ACCMDEV_COMPAT_OK && v.algs == ALG(CRC32C) &&
	    v.unknown_algs, "parse OK: 32 algorithm names");
	n += snprintf(s + n, sizeof(s) - (size_t)n, ",n33");
	c33 = parse_exact(s, (size_t)n, &v);
	tap(c33 == ACCMDEV_COMPAT_MALFORMED, "parse MALFORMED: 33 algorithm names");
}

/* Garbage must never crash and only yield MALFORMED. */
static void test_parse_robust(void)
{
	struct accmdev_migver v;
	unsigned int seed = 12345, bad = 0;
	char buf[64];
	int round;
	size_t i, len;

	for (round = 0; round < 20000; round++) {
		seed = seed * 1103515245 + 12345;
		len = (seed >> 16) % sizeof(buf);
		for (i = 0; i < len; i++) {
			seed = seed * 1103515245 + 12345;
			buf[i] = (char)(seed >> 16);
		}
		if (parse_exact(buf, len, &v) != ACCMDEV_COMPAT_MALFORMED)
			bad++;
	}
	tap(!bad, "parse MALFORMED: 20000 random byte strings");

	/* Every single byte appended to a valid string. */
	bad = 0;
	for (i = 0; i < 256; i++) {
		char s[sizeof(VALID) + 1];
		enum accmdev_compat c;

		memcpy(s, VALID, sizeof(VALID) - 1);
		s[sizeof(VALID) - 1] = (char)i;
		c = parse_exact(s, sizeof(VALID), &v);
		if (c != (i == '\n' ? ACCMDEV_COMPAT_OK :
			  (i >= 'a' && i <= 'z') || (i >= '0' && i <= '9') ||
			  i == '-' ? ACCMDEV_COMPAT_OK :
			  ACCMDEV_COMPAT_MALFORMED)) {
			diag("byte %#zx appended: %s", i, compat_name(c));
			bad++;
		}
	}
	tap(!bad, "parse: every byte appended to a valid string");
}

/* NULL input and the output struct on failure. */
static void test_parse_null(void)
{
	struct accmdev_migver v;

	memset(&v, 0xa5, sizeof(v));
	tap(accmdev_migver_parse(NULL, 0, &v) == ACCMDEV_COMPAT_MALFORMED &&
	    migver_is_zero(&v), "parse MALFORMED: NULL string, result zeroed");
}

/* ---- check and compare ----------------------------------------------- */

/*
 * Destination nodes. A type node and a device node judge alike (the
 * type answers for a device of the type created now), so the module's
 * struct does not say which it is; the reference is told, for its
 * messages (struct node).
 */
struct node {
	enum migref_node node;
	struct accmdev_migver_dst d;
};

/* accmdev-zip-r2-4qp (on a rev-2 parent) and a default device of it */
static const struct node dst_zip_type2 = { MIGREF_TYPE, {
	.migratable = true, .kind = ACCMDEV_KIND_ZIP,
	.qps = 4, .rev = 2, .algs = ZIP2_ALGS,
} };

/* accmdev-zip-r1-4qp, on a rev-1 or a rev-2 parent alike */
static const struct node dst_zip_type1 = { MIGREF_TYPE, {
	.migratable = true, .kind = ACCMDEV_KIND_ZIP,
	.qps = 4, .rev = 1, .algs = ZIP1_ALGS,
} };

static const struct node dst_zip_dev1 = { MIGREF_DEVICE, {
	.migratable = true, .kind = ACCMDEV_KIND_ZIP,
	.qps = 4, .rev = 1, .algs = ZIP1_ALGS,
} };

static const struct node dst_zip_dev2 = { MIGREF_DEVICE, {
	.migratable = true, .kind = ACCMDEV_KIND_ZIP,
	.qps = 4, .rev = 2, .algs = ZIP2_ALGS,
} };

/* an r1 device whose resume narrowed it to a source's crc32c,deflate */
static const struct node dst_zip_dev1_narrow = { MIGREF_DEVICE, {
	.migratable = true, .kind = ACCMDEV_KIND_ZIP,
	.qps = 4, .rev = 1, .algs = ALG(CRC32C) | ALG(DEFLATE),
} };

/* accmdev-sec-r1-16qp */
static const struct node dst_sec_type = { MIGREF_TYPE, {
	.migratable = true, .kind = ACCMDEV_KIND_SEC,
	.qps = 16, .rev = 1, .algs = SEC1_ALGS,
} };

/* accmdev-zip-r1-4qp-nomig */
static const struct node dst_zip_nomig = { MIGREF_TYPE, {
	.migratable = false, .kind = ACCMDEV_KIND_ZIP,
	.qps = 4, .rev = 1, .algs = ZIP1_ALGS,
} };

struct check_case {
	const char *desc;
	const struct node *dst;
	const char *s;
	size_t len;
	enum accmdev_compat want;
};

#define ZIP1_4	"accmdev/1.0;kind=zip;rev=1;qps=4;algs=crc32c,deflate,inflate"
#define ZIP2_4	"accmdev/1.0;kind=zip;rev=2;qps=4;algs=crc32c,adler32,deflate,inflate"

static const struct check_case check_cases[] = {
	/* type node: its own model revision, algs a subset of its model's */
	{ "type r1: zip rev1 source", &dst_zip_type1, S(ZIP1_4),
	  ACCMDEV_COMPAT_OK },
	{ "type r2: zip rev2 source", &dst_zip_type2, S(ZIP2_4 "\n"),
	  ACCMDEV_COMPAT_OK },
	{ "type r2: zip rev1 native source (rev is exact)", &dst_zip_type2,
	  S(ZIP1_4), ACCMDEV_COMPAT_REV },
	{ "type r1: zip rev2 source", &dst_zip_type1, S(ZIP2_4),
	  ACCMDEV_COMPAT_REV },
	{ "type r2: algs subset", &dst_zip_type2,
	  S("accmdev/1.0;kind=zip;rev=2;qps=4;algs=adler32"), ACCMDEV_COMPAT_OK },
	{ "type r1: algs subset", &dst_zip_type1,
	  S("accmdev/1.0;kind=zip;rev=1;qps=4;algs=inflate,crc32c"),
	  ACCMDEV_COMPAT_OK },
	{ "type r1: adler32 at rev1", &dst_zip_type1,
	  S("accmdev/1.0;kind=zip;rev=1;qps=4;algs=crc32c,adler32"),
	  ACCMDEV_COMPAT_ALGS },
	{ "type: extension field", &dst_zip_type1, S(ZIP1_4 ";x-a=1"),
	  ACCMDEV_COMPAT_OK },
	{ "type: rev3 source", &dst_zip_type2,
	  S("accmdev/1.0;kind=zip;rev=3;qps=4;algs=crc32c"), ACCMDEV_COMPAT_REV },
	{ "type: rev255 source", &dst_zip_type2,
	  S("accmdev/1.0;kind=zip;rev=255;qps=4;algs=crc32c"),
	  ACCMDEV_COMPAT_REV },
	{ "type: qps 8 vs 4", &dst_zip_type2,
	  S("accmdev/1.0;kind=zip;rev=1;qps=8;algs=crc32c"), ACCMDEV_COMPAT_QPS },
	{ "type: qps 1 vs 4", &dst_zip_type2,
	  S("accmdev/1.0;kind=zip;rev=1;qps=1;algs=crc32c"), ACCMDEV_COMPAT_QPS },
	{ "type: sec source", &dst_zip_type2,
	  S("accmdev/1.0;kind=sec;rev=1;qps=4;algs=sha256"),
	  ACCMDEV_COMPAT_KIND },
	{ "type: unknown kind", &dst_zip_type2,
	  S("accmdev/1.0;kind=foo;rev=1;qps=4;algs=crc32c"),
	  ACCMDEV_COMPAT_KIND },
	{ "type: alg the model lacks", &dst_zip_type1,
	  S("accmdev/1.0;kind=zip;rev=1;qps=4;algs=crc32c,sha256"),
	  ACCMDEV_COMPAT_ALGS },
	{ "type: unknown alg", &dst_zip_type1,
	  S("accmdev/1.0;kind=zip;rev=1;qps=4;algs=crc32c,lz4"),
	  ACCMDEV_COMPAT_ALGS },
	{ "type: format 2.0", &dst_zip_type2,
	  S("accmdev/2.0;kind=zip;rev=1;qps=4;algs=crc32c"),
	  ACCMDEV_COMPAT_FORMAT },
	{ "type: format 1.1", &dst_zip_type2, S("accmdev/1.1"),
	  ACCMDEV_COMPAT_FORMAT },
	{ "type: malformed", &dst_zip_type2, S(ZIP1_4 ";"),
	  ACCMDEV_COMPAT_MALFORMED },
	{ "type: empty", &dst_zip_type2, S(""), ACCMDEV_COMPAT_MALFORMED },
	{ "type: not migratable, valid source", &dst_zip_nomig, S(ZIP1_4),
	  ACCMDEV_COMPAT_NOMIG },
	{ "type: not migratable, malformed source", &dst_zip_nomig,
	  S("garbage\0\xff"), ACCMDEV_COMPAT_NOMIG },
	{ "type: not migratable, empty source", &dst_zip_nomig, S(""),
	  ACCMDEV_COMPAT_NOMIG },
	{ "type: sec on sec", &dst_sec_type,
	  S("accmdev/1.0;kind=sec;rev=1;qps=16;algs=sha224,sha256"),
	  ACCMDEV_COMPAT_OK },
	{ "type: sec rev2", &dst_sec_type,
	  S("accmdev/1.0;kind=sec;rev=2;qps=16;algs=sha256"),
	  ACCMDEV_COMPAT_REV },
	{ "type: sec with deflate", &dst_sec_type,
	  S("accmdev/1.0;kind=sec;rev=1;qps=16;algs=sha256,deflate"),
	  ACCMDEV_COMPAT_ALGS },
	{ "type: zip on sec", &dst_sec_type,
	  S("accmdev/1.0;kind=zip;rev=1;qps=16;algs=crc32c"),
	  ACCMDEV_COMPAT_KIND },

	/* order of the classes */
	{ "order: FORMAT before KIND", &dst_zip_type2,
	  S("accmdev/2.0;kind=sec;rev=9;qps=9;algs=lz4"),
	  ACCMDEV_COMPAT_FORMAT },
	{ "order: MALFORMED before KIND", &dst_zip_type2,
	  S("accmdev/1.0;kind=sec;rev=0;qps=9;algs=lz4"),
	  ACCMDEV_COMPAT_MALFORMED },
	{ "order: NOMIG before FORMAT", &dst_zip_nomig, S("accmdev/2.0"),
	  ACCMDEV_COMPAT_NOMIG },
	{ "order: KIND before QPS, REV, ALGS", &dst_zip_type2,
	  S("accmdev/1.0;kind=sec;rev=9;qps=9;algs=lz4"), ACCMDEV_COMPAT_KIND },
	{ "order: QPS before REV, ALGS", &dst_zip_type2,
	  S("accmdev/1.0;kind=zip;rev=9;qps=9;algs=lz4"), ACCMDEV_COMPAT_QPS },
	{ "order: REV before ALGS", &dst_zip_type2,
	  S("accmdev/1.0;kind=zip;rev=9;qps=4;algs=lz4"), ACCMDEV_COMPAT_REV },

	/* device node: the same rules, on its model */
	{ "device: rev1 model on rev1 device", &dst_zip_dev1, S(ZIP1_4),
	  ACCMDEV_COMPAT_OK },
	{ "device: algs subset of the model", &dst_zip_dev1,
	  S("accmdev/1.0;kind=zip;rev=1;qps=4;algs=deflate"), ACCMDEV_COMPAT_OK },
	{ "device: rev2 model on rev1 device", &dst_zip_dev1, S(ZIP2_4),
	  ACCMDEV_COMPAT_REV },
	{ "device: rev1 model on rev2 device", &dst_zip_dev2, S(ZIP1_4),
	  ACCMDEV_COMPAT_REV },
	{ "device: rev2 model on rev2 device", &dst_zip_dev2, S(ZIP2_4),
	  ACCMDEV_COMPAT_OK },
	{ "device: adler32 on rev1 model", &dst_zip_dev1,
	  S("accmdev/1.0;kind=zip;rev=1;qps=4;algs=crc32c,adler32"),
	  ACCMDEV_COMPAT_ALGS },
	{ "device: unknown alg", &dst_zip_dev2,
	  S("accmdev/1.0;kind=zip;rev=2;qps=4;algs=zstd"), ACCMDEV_COMPAT_ALGS },
	{ "device: qps", &dst_zip_dev1,
	  S("accmdev/1.0;kind=zip;rev=1;qps=2;algs=crc32c"), ACCMDEV_COMPAT_QPS },
	{ "device: kind", &dst_zip_dev1,
	  S("accmdev/1.0;kind=sec;rev=1;qps=4;algs=sha256"),
	  ACCMDEV_COMPAT_KIND },
	{ "device: format", &dst_zip_dev1, S("accmdev/1.1;kind=zip"),
	  ACCMDEV_COMPAT_FORMAT },
	{ "device: malformed", &dst_zip_dev1, S("accmdev/1.0;kind=zip\n\n"),
	  ACCMDEV_COMPAT_MALFORMED },
	{ "device narrowed: its type's full model", &dst_zip_dev1_narrow,
	  S(ZIP1_4), ACCMDEV_COMPAT_ALGS },
	{ "device narrowed: the narrow source", &dst_zip_dev1_narrow,
	  S("accmdev/1.0;kind=zip;rev=1;qps=4;algs=deflate,crc32c"),
	  ACCMDEV_COMPAT_OK },
	{ "device narrowed: inflate", &dst_zip_dev1_narrow,
	  S("accmdev/1.0;kind=zip;rev=1;qps=4;algs=inflate"),
	  ACCMDEV_COMPAT_ALGS },
};

static void test_check_cases(void)
{
	size_t i;

	for (i = 0; i < sizeof(check_cases) / sizeof(check_cases[0]); i++) {
		const struct check_case *t = &check_cases[i];
		struct accmdev_migver src, parsed;
		enum accmdev_compat c, c_null, c_parse, c_cmp;
		bool good;

		c = check_exact(t->s, t->len, &t->dst->d, &src);
		c_null = check_exact(t->s, t->len, &t->dst->d, NULL);
		good = c == t->want && c_null == t->want;
		/* check == NOMIG, else parse, then compare */
		c_parse = parse_exact(t->s, t->len, &parsed);
		if (!t->dst->d.migratable) {
			good = good && migver_is_zero(&src);
		} else if (c_parse != ACCMDEV_COMPAT_OK) {
			good = good && c == c_parse;
		} else {
			c_cmp = accmdev_migver_compare(&parsed, &t->dst->d);
			good = good && c == c_cmp && migver_eq(&src, &parsed);
		}
		if (!tap(good, "check %s: %s", compat_name(t->want), t->desc))
			diag("got %s (NULL src: %s, parse: %s)", compat_name(c),
			     compat_name(c_null), compat_name(c_parse));
	}
}

/* compare on hand-made structs, including things parse never yields */
static void test_compare(void)
{
	const struct accmdev_migver_dst *type1 = &dst_zip_type1.d;
	const struct accmdev_migver_dst *type2 = &dst_zip_type2.d;
	struct accmdev_migver src = {
		.major = 1, .kind = ACCMDEV_KIND_ZIP, .rev = 1, .qps = 4,
		.algs = ZIP1_ALGS,
	};
	struct accmdev_migver s;

	tap(accmdev_migver_compare(&src, type1) == ACCMDEV_COMPAT_OK,
	    "compare OK: zip rev1 on the zip r1 type");
	tap(accmdev_migver_compare(&src, &dst_zip_nomig.d) ==
	    ACCMDEV_COMPAT_NOMIG, "compare NOMIG: not migratable");
	s = src;
	s.kind = ACCMDEV_KIND_NONE;
	tap(accmdev_migver_compare(&s, type1) == ACCMDEV_COMPAT_KIND,
	    "compare KIND: kind NONE");
	s.kind = ACCMDEV_KIND_COUNT;
	tap(accmdev_migver_compare(&s, type1) == ACCMDEV_COMPAT_KIND,
	    "compare KIND: kind out of range");
	s = src;
	{
		struct accmdev_migver_dst d = *type1;

		/* An unknown source kind never matches, not even NONE. */
		d.kind = ACCMDEV_KIND_NONE;
		s.kind = ACCMDEV_KIND_NONE;
		tap(accmdev_migver_compare(&s, &d) == ACCMDEV_COMPAT_KIND,
		    "compare KIND: NONE against NONE");
	}
	s = src;
	s.algs = 0;
	s.unknown_algs = true;
	tap(accmdev_migver_compare(&s, type1) == ACCMDEV_COMPAT_ALGS,
	    "compare ALGS: only unknown algs");
	s = src;
	s.rev = 0;
	tap(accmdev_migver_compare(&s, &dst_zip_dev1.d) == ACCMDEV_COMPAT_REV &&
	    accmdev_migver_compare(&s, type1) == ACCMDEV_COMPAT_REV &&
	    accmdev_migver_compare(&s, type2) == ACCMDEV_COMPAT_REV,
	    "compare REV: rev 0 on device and type nodes alike");
	/* The source claims rev1 with the rev2 algorithms (adler32). */
	s = src;
	s.algs = accmdev_native_algs(ACCMDEV_KIND_ZIP, 2);
	tap(accmdev_migver_compare(&s, type1) == ACCMDEV_COMPAT_ALGS,
	    "compare ALGS: an r1 type lacks adler32, whatever the parent");
	/* No type takes a revision other than its own, lower or higher. */
	tap(accmdev_migver_compare(&src, type2) == ACCMDEV_COMPAT_REV,
	    "compare REV: an r2 type refuses the rev1 native model");
}

/* ---- format ---------------------------------------------------------- */

struct model {
	unsigned int kind;
	const char *kind_name;
	unsigned int rev;
	uint32_t algs;
	const char *algs_str;
};

static const struct model models[] = {
	{ ACCMDEV_KIND_ZIP, "zip", 1, ZIP1_ALGS, "crc32c,deflate,inflate" },
	{ ACCMDEV_KIND_ZIP, "zip", 2, ZIP2_ALGS,
	  "crc32c,adler32,deflate,inflate" },
	{ ACCMDEV_KIND_SEC, "sec", 1, SEC1_ALGS, "sha256,sha224" },
};

static const unsigned int qps_shapes[] = { 1, 2, 4, 8, 16 };

/* Round trip of every native model of every kind, rev and qps shape. */
static void test_round_trips(void)
{
	size_t m, q;

	for (m = 0; m < sizeof(models) / sizeof(models[0]); m++) {
		for (q = 0; q < sizeof(qps_shapes) / sizeof(qps_shapes[0]); q++) {
			const struct model *md = &models[m];
			struct accmdev_migver v = {
				.major = ACCMDEV_FORMAT_MAJOR,
				.minor = ACCMDEV_FORMAT_MINOR,
				.kind = md->kind, .rev = md->rev,
				.qps = qps_shapes[q],
				.algs = accmdev_native_algs(md->kind, md->rev),
			};
			struct accmdev_migver back;
			/* the type of this model and a device of it */
			struct accmdev_migver_dst type = {
				.migratable = true, .kind = md->kind,
				.qps = v.qps, .rev = md->rev, .algs = md->algs,
			};
			/* the same kind and shape, every other revision */
			struct accmdev_migver_dst other = type;
			unsigned int r;
			char buf[ACCMDEV_MIGVER_MAX], want[256];
			int n, wn;
			bool good;

			wn = snprintf(want, sizeof(want),
				      "accmdev/1.0;kind=%s;rev=%u;qps=%u;algs=%s",
				      md->kind_name, md->rev, v.qps,
				      md->algs_str);
			n = accmdev_migver_format(&v, buf, sizeof(buf));
			good = v.algs == md->algs && n == wn &&
			       !strcmp(buf, want) &&
			       parse_exact(buf, (size_t)n, &back) ==
			       ACCMDEV_COMPAT_OK && migver_eq(&back, &v) &&
			       check_exact(buf, (size_t)n, &type, NULL) ==
			       ACCMDEV_COMPAT_OK;
			for (r = 1; r <= accmdev_kind_max_rev(md->kind); r++) {
				if (r == md->rev)
					continue;
				other.rev = r;
				other.algs = accmdev_native_algs(md->kind, r);
				good = good &&
				       check_exact(buf, (size_t)n, &other, NULL) ==
				       ACCMDEV_COMPAT_REV;
			}
			if (!tap(good, "round trip %s rev%u qps%u",
				 md->kind_name, md->rev, v.qps))
				diag("format %d: \"%s\" want \"%s\"", n,
				     n >= 0 ? buf : "", want);
		}
	}
}

/* Every algorithm subset and some revs and qps values round trip. */
static void test_round_trip_sweep(void)
{
	static const unsigned int revs[] = { 1, 2, 9, 10, 99, 100, 254, 255 };
	static const unsigned int qps[] = { 1, 9, 10, 100, 1000, 65534, 65535 };
	unsigned int bad = 0, runs = 0, kind;
	uint32_t algs;
	size_t r, q;

	for (kind = ACCMDEV_KIND_ZIP; kind < ACCMDEV_KIND_COUNT; kind++)
	for (algs = 1; algs <= ALGS_ALL; algs++)
	for (r = 0; r < sizeof(revs) / sizeof(revs[0]); r++)
	for (q = 0; q < sizeof(qps) / sizeof(qps[0]); q++) {
		struct accmdev_migver v = {
			.major = 1, .kind = kind, .rev = revs[r],
			.qps = qps[q], .algs = algs,
		}, back;
		char buf[256];
		int n = accmdev_migver_format(&v, buf, sizeof(buf));

		runs++;
		if (n < 0 || (size_t)n != strlen(buf) ||
		    parse_exact(buf, (size_t)n, &back) != ACCMDEV_COMPAT_OK ||
		    !migver_eq(&back, &v))
			bad++;
	}
	tap(!bad, "round trip sweep: %u kind/algs/rev/qps combinations", runs);
}

static const struct {
	const char *desc;
	struct accmdev_migver v;
} format_error_cases[] = {
	{ "kind NONE", { 1, 0, ACCMDEV_KIND_NONE, 1, 4, ZIP1_ALGS, false } },
	{ "kind out of range",
	  { 1, 0, ACCMDEV_KIND_COUNT, 1, 4, ZIP1_ALGS, false } },
	{ "kind huge", { 1, 0, 0xffffffffu, 1, 4, ZIP1_ALGS, false } },
	{ "rev 0", { 1, 0, ACCMDEV_KIND_ZIP, 0, 4, ZIP1_ALGS, false } },
	{ "rev 256", { 1, 0, ACCMDEV_KIND_ZIP, 256, 4, ZIP1_ALGS, false } },
	{ "qps 0", { 1, 0, ACCMDEV_KIND_ZIP, 1, 0, ZIP1_ALGS, false } },
	{ "qps 65536",
	  { 1, 0, ACCMDEV_KIND_ZIP, 1, 65536, ZIP1_ALGS, false } },
	{ "algs empty", { 1, 0, ACCMDEV_KIND_ZIP, 1, 4, 0, false } },
	{ "algs bit out of range",
	  { 1, 0, ACCMDEV_KIND_ZIP, 1, 4,
	    ZIP1_ALGS | BIT(ACCMDEV_ALG_COUNT), false } },
	{ "unknown algs", { 1, 0, ACCMDEV_KIND_ZIP, 1, 4, ZIP1_ALGS, true } },
};

static void test_format_errors(void)
{
	size_t i;

	for (i = 0; i < sizeof(format_error_cases) / sizeof(format_error_cases[0]); i++) {
		char buf[256];
		int n;

		memset(buf, 'Z', sizeof(buf));
		n = accmdev_migver_format(&format_error_cases[i].v, buf, sizeof(buf));
		tap(n == -EINVAL && buf[0] == '\0',
		    "format -EINVAL: %s", format_error_cases[i].desc);
	}
}

/* Every buffer size below the length needed gives -ENOSPC. */
static void test_format_nospc(void)
{
	const struct accmdev_migver v = {
		.kind = ACCMDEV_KIND_ZIP, .rev = 2, .qps = 16, .algs = ZIP2_ALGS,
	};
	const char *want =
		"accmdev/1.0;kind=zip;rev=2;qps=16;algs=crc32c,adler32,deflate,inflate";
	size_t len = strlen(want), size;
	unsigned int bad = 0;
	char *buf;
	int n;

	n = accmdev_migver_format(&v, NULL, 0);
	tap(n == -ENOSPC, "format -ENOSPC: NULL buffer of size 0");
	for (size = 1; size <= len; size++) {
		buf = malloc(size);
		n = accmdev_migver_format(&v, buf, size);
		if (n != -ENOSPC || buf[0] != '\0')
			bad++;
		free(buf);
	}
	tap(!bad, "format -ENOSPC: every size from 1 to %zu", len);
	buf = malloc(len + 1);
	n = accmdev_migver_format(&v, buf, len + 1);
	tap(n == (int)len && !memcmp(buf, want, len + 1),
	    "format: exact size %zu fits", len + 1);
	free(buf);
}

/* format writes this build's format version, whatever @v says. */
static void test_format_version(void)
{
	struct accmdev_migver v = {
		.major = 7, .minor = 3, .kind = ACCMDEV_KIND_SEC, .rev = 1,
		.qps = 2, .algs = ALG(SHA256),
	};
	char buf[128];
	int n = accmdev_migver_format(&v, buf, sizeof(buf));

	tap(n > 0 && !strcmp(buf, "accmdev/1.0;kind=sec;rev=1;qps=2;algs=sha256"),
	    "format: writes format 1.0 regardless of major/minor");
}

/* ---- errno and field tables ------------------------------------------ */

static const struct {
	enum accmdev_compat c;
	int err;
	const char *field;
} compat_table[] = {
	{ ACCMDEV_COMPAT_OK, 0, "" },
	{ ACCMDEV_COMPAT_MALFORMED, EINVAL, "version" },
	{ ACCMDEV_COMPAT_KIND, EXDEV, "kind" },
	{ ACCMDEV_COMPAT_QPS, ERANGE, "qps" },
	{ ACCMDEV_COMPAT_FORMAT, EPROTO, "format" },
	{ ACCMDEV_COMPAT_REV, ENOEXEC, "rev" },
	{ ACCMDEV_COMPAT_ALGS, EOPNOTSUPP, "algs" },
	{ ACCMDEV_COMPAT_NOMIG, ENODEV, "migratable" },
};

static void test_compat_tables(void)
{
	size_t i;

	tap(sizeof(compat_table) / sizeof(compat_table[0]) == ACCMDEV_COMPAT_COUNT,
	    "compat: table covers every class");
	for (i = 0; i < sizeof(compat_table) / sizeof(compat_table[0]); i++) {
		enum accmdev_compat c = compat_table[i].c;
		const char *field = accmdev_compat_field(c);

		tap(accmdev_compat_errno(c) == compat_table[i].err && field &&
		    !strcmp(field, compat_table[i].field) &&
		    accmdev_compat_from_errno(compat_table[i].err) == c,
		    "compat %s: errno %d, field \"%s\", round trip",
		    compat_name(c), compat_table[i].err, compat_table[i].field);
	}
	tap(accmdev_compat_from_errno(EPERM) == ACCMDEV_COMPAT_COUNT &&
	    accmdev_compat_from_errno(-EINVAL) == ACCMDEV_COMPAT_COUNT &&
	    accmdev_compat_from_errno(ENOSPC) == ACCMDEV_COMPAT_COUNT,
	    "compat: unknown errnos map to COUNT");
	tap(accmdev_compat_field(ACCMDEV_COMPAT_COUNT) == NULL &&
	    accmdev_compat_errno(ACCMDEV_COMPAT_COUNT) == EINVAL,
	    "compat: COUNT has no field and reports EINVAL");
}

/* ---- names and native models ----------------------------------------- */

static void test_names(void)
{
	static const char * const algs[] = {
		"crc32c", "adler32", "deflate", "inflate", "sha256", "sha224",
	};
	unsigned int i, bad = 0;

	tap(accmdev_kind_name(ACCMDEV_KIND_NONE) == NULL &&
	    !strcmp(accmdev_kind_name(ACCMDEV_KIND_ZIP), "zip") &&
	    !strcmp(accmdev_kind_name(ACCMDEV_KIND_SEC), "sec") &&
	    accmdev_kind_name(ACCMDEV_KIND_COUNT) == NULL &&
	    accmdev_kind_name(0xffffffffu) == NULL,
	    "names: kind names");
	tap(accmdev_kind_from_name(S("zip")) == ACCMDEV_KIND_ZIP &&
	    accmdev_kind_from_name(S("sec")) == ACCMDEV_KIND_SEC &&
	    accmdev_kind_from_name("zipper", 3) == ACCMDEV_KIND_ZIP &&
	    accmdev_kind_from_name(S("zi")) == ACCMDEV_KIND_NONE &&
	    accmdev_kind_from_name(S("zipx")) == ACCMDEV_KIND_NONE &&
	    accmdev_kind_from_name(S("ZIP")) == ACCMDEV_KIND_NONE &&
	    accmdev_kind_from_name(S("zip\n")) == ACCMDEV_KIND_NONE &&
	    accmdev_kind_from_name(S("")) == ACCMDEV_KIND_NONE &&
	    accmdev_kind_from_name(NULL, 0) == ACCMDEV_KIND_NONE,
	    "names: kind from name, exact match only");
	for (i = 0; i < ACCMDEV_ALG_COUNT; i++)
		if (!accmdev_alg_name(i) || strcmp(accmdev_alg_name(i), algs[i]))
			bad++;
	tap(!bad && accmdev_alg_name(ACCMDEV_ALG_COUNT) == NULL &&
	    accmdev_alg_name(0xffffffffu) == NULL,
	    "names: algorithm names in enum order");
	tap(accmdev_kind_max_rev(ACCMDEV_KIND_ZIP) == 2 &&
	    accmdev_kind_max_rev(ACCMDEV_KIND_SEC) == 1 &&
	    accmdev_kind_max_rev(ACCMDEV_KIND_NONE) == 0 &&
	    accmdev_kind_max_rev(ACCMDEV_KIND_COUNT) == 0,
	    "names: max revisions");
	tap(accmdev_native_algs(ACCMDEV_KIND_ZIP, 1) == ZIP1_ALGS &&
	    accmdev_native_algs(ACCMDEV_KIND_ZIP, 2) == ZIP2_ALGS &&
	    accmdev_native_algs(ACCMDEV_KIND_SEC, 1) == SEC1_ALGS,
	    "native: algorithms of the native models");
	tap(accmdev_native_algs(ACCMDEV_KIND_ZIP, 0) == 0 &&
	    accmdev_native_algs(ACCMDEV_KIND_ZIP, 3) == 0 &&
	    accmdev_native_algs(ACCMDEV_KIND_SEC, 0) == 0 &&
	    accmdev_native_algs(ACCMDEV_KIND_SEC, 2) == 0 &&
	    accmdev_native_algs(ACCMDEV_KIND_NONE, 1) == 0 &&
	    accmdev_native_algs(ACCMDEV_KIND_COUNT, 1) == 0 &&
	    accmdev_native_algs(0xffffffffu, 1) == 0 &&
	    accmdev_native_algs(ACCMDEV_KIND_ZIP, 0xffffffffu) == 0,
	    "native: undefined models have no algorithms");
	bad = 0;
	for (i = 0; i <= ACCMDEV_KIND_COUNT; i++) {
		unsigned int rev, max = accmdev_kind_max_rev(i);

		for (rev = 1; rev <= max; rev++)
			if (!accmdev_native_algs(i, rev))
				bad++;
		if (accmdev_native_algs(i, max + 1))
			bad++;
	}
	tap(!bad, "native: defined for exactly revs 1..max of each kind");
}

/* ---- algorithm lists ------------------------------------------------- */

struct algs_case {
	const char *desc;
	const char *s;
	size_t len;
	int ret;
	uint32_t algs;
};

static const struct algs_case algs_parse_cases[] = {
	{ "two names", S("crc32c,deflate"), 0, ALG(CRC32C) | ALG(DEFLATE) },
	{ "trailing newline", S("crc32c,deflate\n"), 0,
	  ALG(CRC32C) | ALG(DEFLATE) },
	{ "any order", S("sha224,crc32c"), 0, ALG(SHA224) | ALG(CRC32C) },
	{ "single", S("adler32"), 0, ALG(ADLER32) },
	{ "all", S("crc32c,adler32,deflate,inflate,sha256,sha224"), 0,
	  ALGS_ALL },
	{ "empty", S(""), -EINVAL, 0 },
	{ "newline only", S("\n"), -EINVAL, 0 },
	{ "two newlines", S("crc32c\n\n"), -EINVAL, 0 },
	{ "CRLF", S("crc32c\r\n"), -EINVAL, 0 },
	{ "unknown name", S("crc32c,lz4"), -EINVAL, 0 },
	{ "repeated name", S("crc32c,deflate,crc32c"), -EINVAL, 0 },
	{ "empty item", S("crc32c,,deflate"), -EINVAL, 0 },
	{ "trailing comma", S("crc32c,"), -EINVAL, 0 },
	{ "leading comma", S(",crc32c"), -EINVAL, 0 },
	{ "uppercase", S("CRC32C"), -EINVAL, 0 },
	{ "space", S("crc32c, deflate"), -EINVAL, 0 },
	{ "embedded NUL", S("crc32c\0,deflate"), -EINVAL, 0 },
	{ "trailing NUL", S("crc32c\0"), -EINVAL, 0 },
	{ "prefix of a name", S("crc32"), -EINVAL, 0 },
	{ "name and more", S("crc32cc"), -EINVAL, 0 },
	{ "non-ASCII", S("crc32c,\xe9"), -EINVAL, 0 },
};

static void test_algs_parse(void)
{
	size_t i;

	for (i = 0; i < sizeof(algs_parse_cases) / sizeof(algs_parse_cases[0]); i++) {
		const struct algs_case *t = &algs_parse_cases[i];
		uint32_t algs = 0xdeadbeef;
		int ret = algs_parse_exact(t->s, t->len, &algs);

		/* On error the output is left alone. */
		if (!tap(ret == t->ret &&
			 algs == (t->ret ? 0xdeadbeef : t->algs),
			 "algs parse %s: %s", t->ret ? "-EINVAL" : "0", t->desc))
			diag("got %d, %#x", ret, algs);
	}
	{
		uint32_t algs = 1;

		tap(accmdev_algs_parse(NULL, 0, &algs) == -EINVAL && algs == 1,
		    "algs parse -EINVAL: NULL");
	}
}

static const struct {
	uint32_t algs;
	int ret;
	const char *want;
} algs_format_cases[] = {
	{ ALG(CRC32C) | ALG(DEFLATE), 14, "crc32c,deflate" },
	{ ALG(SHA224), 6, "sha224" },
	{ ZIP1_ALGS, 22, "crc32c,deflate,inflate" },
	{ ALGS_ALL, 44, "crc32c,adler32,deflate,inflate,sha256,sha224" },
	{ 0, -EINVAL, "" },
	{ BIT(ACCMDEV_ALG_COUNT), -EINVAL, "" },
	{ ALG(CRC32C) | 0x80000000u, -EINVAL, "" },
};

static void test_algs_format(void)
{
	unsigned int bad = 0;
	uint32_t algs, back;
	size_t i, size;
	char buf[128];
	int n;

	for (i = 0; i < sizeof(algs_format_cases) / sizeof(algs_format_cases[0]); i++) {
		memset(buf, 'Z', sizeof(buf));
		n = accmdev_algs_format(algs_format_cases[i].algs, buf, sizeof(buf));
		if (!tap(n == algs_format_cases[i].ret && !strcmp(buf, algs_format_cases[i].want),
			 "algs format %#x: \"%s\"", algs_format_cases[i].algs,
			 algs_format_cases[i].want))
			diag("got %d \"%.*s\"", n, 60, buf);
	}

	/* Sizes below the length: -ENOSPC and an empty string. */
	for (size = 1; size <= 22; size++) {
		char *b = malloc(size);

		n = accmdev_algs_format(ZIP1_ALGS, b, size);
		if (n != -ENOSPC || b[0] != '\0')
			bad++;
		free(b);
	}
	n = accmdev_algs_format(ZIP1_ALGS, NULL, 0);
	tap(!bad && n == -ENOSPC, "algs format -ENOSPC: sizes 0 to 22");

	/* Every subset round trips through its text. */
	bad = 0;
	for (algs = 1; algs <= ALGS_ALL; algs++) {
		n = accmdev_algs_format(algs, buf, sizeof(buf));
		back = 0;
		if (n < 0 || algs_parse_exact(buf, (size_t)n, &back) ||
		    back != algs)
			bad++;
	}
	tap(!bad, "algs round trip: all %u subsets", ALGS_ALL);
}

/* ---- the tables, judged by the reference ----------------------------- */

/*
 * The test's own names for the module's enums (test_names() checks them
 * against the module), so that nothing of the module's is used to turn a
 * table row into the reference's terms.
 */
static const char *const kind_names[ACCMDEV_KIND_COUNT] = {
	[ACCMDEV_KIND_ZIP] = "zip", [ACCMDEV_KIND_SEC] = "sec",
};
static const char *const alg_names[ACCMDEV_ALG_COUNT] = {
	[ACCMDEV_ALG_CRC32C] = "crc32c", [ACCMDEV_ALG_ADLER32] = "adler32",
	[ACCMDEV_ALG_DEFLATE] = "deflate", [ACCMDEV_ALG_INFLATE] = "inflate",
	[ACCMDEV_ALG_SHA256] = "sha256", [ACCMDEV_ALG_SHA224] = "sha224",
};

/* Module algorithm bits -> the reference's, by name. */
static unsigned int ref_algs(uint32_t algs)
{
	unsigned int out = 0, a, r;

	for (a = 0; a < ACCMDEV_ALG_COUNT; a++) {
		if (!(algs & BIT(a)))
			continue;
		for (r = 0; r < MIGREF_NR_ALGS; r++)
			if (!strcmp(migref_alg_names[r], alg_names[a]))
				out |= 1u << r;
	}
	return out;
}

static struct migref_dst ref_dst(const struct node *n)
{
	const struct accmdev_migver_dst *d = &n->d;
	struct migref_dst r = {
		.node = n->node,
		.migratable = d->migratable,
		.kind = d->kind < ACCMDEV_KIND_COUNT && kind_names[d->kind] ?
			kind_names[d->kind] : "",
		.rev = d->rev, .qps = d->qps, .algs = ref_algs(d->algs),
	};

	return r;
}

/* The errno the table expects for a class (negative, 0 for OK). */
static int want_errno(enum accmdev_compat c)
{
	static const int err[ACCMDEV_COMPAT_COUNT] = {
		[ACCMDEV_COMPAT_OK] = 0,
		[ACCMDEV_COMPAT_MALFORMED] = -EINVAL,
		[ACCMDEV_COMPAT_KIND] = -EXDEV,
		[ACCMDEV_COMPAT_QPS] = -ERANGE,
		[ACCMDEV_COMPAT_FORMAT] = -EPROTO,
		[ACCMDEV_COMPAT_REV] = -ENOEXEC,
		[ACCMDEV_COMPAT_ALGS] = -EOPNOTSUPP,
		[ACCMDEV_COMPAT_NOMIG] = -ENODEV,
	};

	return err[c];
}

/* Does the reference's parse of a row match the row's expectation? */
static bool ref_parse_matches(const char *s, size_t len,
			      enum accmdev_compat want,
			      const struct accmdev_migver *wv, int *got)
{
	char *p = dup_exact(s, len);
	struct migref_ver v;
	unsigned int i, r;
	uint32_t algs = 0;
	bool unknown = false;

	*got = migref_parse(p, len, &v);
	free(p);
	if (*got != want_errno(want))
		return false;
	if (want == ACCMDEV_COMPAT_FORMAT || want == ACCMDEV_COMPAT_OK) {
		if (!wv)
			return true;
		if (v.major != wv->major || v.minor != wv->minor)
			return false;
	}
	if (want != ACCMDEV_COMPAT_OK || !wv)
		return true;
	if (wv->kind == ACCMDEV_KIND_NONE ? migref_max_rev(v.kind) != 0 :
	    strcmp(v.kind, kind_names[wv->kind]))
		return false;
	for (i = 0; i < v.nalgs; i++) {
		for (r = 0; r < ACCMDEV_ALG_COUNT; r++)
			if (!strcmp(alg_names[r], v.algs[i]))
				break;
		if (r == ACCMDEV_ALG_COUNT)
			unknown = true;
		else
			algs |= BIT(r);
	}
	return v.rev == wv->rev && v.qps == wv->qps && algs == wv->algs &&
	       unknown == wv->unknown_algs;
}

static void test_ref_parse_cases(void)
{
	size_t i;
	int got;

	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		const struct parse_case *t = &parse_cases[i];

		if (!tap(ref_parse_matches(t->s, t->len, t->want, &t->v, &got),
			 "reference parse %s: %s", compat_name(t->want),
			 t->desc))
			diag("reference: %s", migref_errname(got));
	}
	for (i = 0; i < sizeof(length_cases) / sizeof(length_cases[0]); i++) {
		char *s = make_long(length_cases[i].len, length_cases[i].extra,
				    length_cases[i].tail);
		bool good = ref_parse_matches(s, length_cases[i].len +
					      length_cases[i].extra,
					      length_cases[i].want, NULL, &got);

		free(s);
		if (!tap(good, "reference parse %s: %zu bytes%s",
			 compat_name(length_cases[i].want), length_cases[i].len,
			 length_cases[i].extra ? " plus newline" : ""))
			diag("reference: %s", migref_errname(got));
	}
}

static void test_ref_check_cases(void)
{
	size_t i;

	for (i = 0; i < sizeof(check_cases) / sizeof(check_cases[0]); i++) {
		const struct check_case *t = &check_cases[i];
		struct migref_dst d = ref_dst(t->dst);
		const char *field = NULL;
		char *p = dup_exact(t->s, t->len);
		int got = migref_judge(&d, p, t->len, &field);

		free(p);
		if (!tap(got == want_errno(t->want) &&
			 (!got || !strcmp(field, accmdev_compat_field(t->want))),
			 "reference check %s: %s", compat_name(t->want),
			 t->desc))
			diag("reference: %s (%s)", migref_errname(got),
			     field ? field : "accepted");
	}
}

/* What a read of each node gives: the module's format vs the reference. */
static void test_ref_format(void)
{
	size_t m, q;

	for (m = 0; m < sizeof(models) / sizeof(models[0]); m++) {
		for (q = 0; q < sizeof(qps_shapes) / sizeof(qps_shapes[0]); q++) {
			const struct model *md = &models[m];
			struct accmdev_migver v = {
				.major = 1, .kind = md->kind, .rev = md->rev,
				.qps = qps_shapes[q], .algs = md->algs,
			};
			struct migref_dst d = {
				.node = MIGREF_DEVICE, .migratable = true,
				.kind = md->kind_name, .rev = md->rev,
				.qps = qps_shapes[q], .algs = ref_algs(md->algs),
			};
			char kbuf[256], rbuf[256];
			int kn = accmdev_migver_format(&v, kbuf, sizeof(kbuf));
			int rn = migref_format(&d, rbuf, sizeof(rbuf));

			if (!tap(kn > 0 && kn == rn && !strcmp(kbuf, rbuf),
				 "reference format %s rev%u qps%u",
				 md->kind_name, md->rev, v.qps))
				diag("module \"%s\", reference \"%s\"",
				     kn > 0 ? kbuf : "", rn > 0 ? rbuf : "");
		}
	}
}

/* ---- main ------------------------------------------------------------ */

#define N(a)	(sizeof(a) / sizeof((a)[0]))

/* Each group and the number of tests it prints. */
static const struct group {
	const char *name;
	void (*run)(void);
	size_t tests;
} groups[] = {
	{ "parse cases", test_parse_cases, N(parse_cases) },
	{ "lengths", test_lengths, N(length_cases) },
	{ "truncations", test_truncations, 1 },
	{ "algorithm count", test_alg_count, 2 },
	{ "robustness", test_parse_robust, 2 },
	{ "NULL", test_parse_null, 1 },
	{ "check cases", test_check_cases, N(check_cases) },
	{ "compare", test_compare, 9 },
	{ "round trips", test_round_trips, N(models) * N(qps_shapes) },
	{ "round trip sweep", test_round_trip_sweep, 1 },
	{ "format errors", test_format_errors, N(format_error_cases) },
	{ "format ENOSPC", test_format_nospc, 3 },
	{ "format version", test_format_version, 1 },
	{ "compat tables", test_compat_tables, N(compat_table) + 3 },
	{ "names", test_names, 7 },
	{ "algs parse", test_algs_parse, N(algs_parse_cases) + 1 },
	{ "algs format", test_algs_format, N(algs_format_cases) + 2 },
	{ "reference parse", test_ref_parse_cases,
	  N(parse_cases) + N(length_cases) },
	{ "reference check", test_ref_check_cases, N(check_cases) },
	{ "reference format", test_ref_format, N(models) * N(qps_shapes) },
};

int main(void)
{
	size_t plan = 0, g;
	unsigned int before, off = 0;

	for (g = 0; g < N(groups); g++)
		plan += groups[g].tests;
	printf("1..%zu\n", plan);
	fflush(stdout);
	for (g = 0; g < N(groups); g++) {
		before = tap_n;
		groups[g].run();
		if (tap_n - before != groups[g].tests) {
			printf("# group \"%s\" ran %u tests, declared %zu\n",
			       groups[g].name, tap_n - before,
			       groups[g].tests);
			off++;
		}
	}
	if (tap_failed)
		printf("# %u of %zu tests failed\n", tap_failed, plan);
	if (off || tap_n != plan)
		printf("# ran %u tests, planned %zu\n", tap_n, plan);
	return tap_failed || off || tap_n != plan ? 1 : 0;
}
