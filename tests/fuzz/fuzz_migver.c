// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for driver/migver.c, built from the very same file the
 * kernel module compiles.
 *
 * libFuzzer hands over a heap buffer of exactly @size bytes without a
 * terminating NUL, so AddressSanitizer reports any read past the length.
 * Besides "no crash, no undefined behaviour", every input is held to
 * these invariants (abort() on violation):
 *
 *  - parse returns OK, MALFORMED or FORMAT; on MALFORMED the result is
 *    zeroed, on OK every field is in range;
 *  - one appended newline changes nothing, two make the string malformed;
 *  - if parse says OK and the source is one format can describe (known
 *    kind, no unknown algorithms), format(parse(x)) parses back to the
 *    same struct and formats to the same text again;
 *  - check == NOMIG for a destination that cannot migrate, else the parse
 *    result when that is not OK, else compare(parse(x), dst);
 *  - algs_parse accepts only non-empty sets of known algorithms, and they
 *    round trip through algs_format.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migver.h"

#define ALGS_ALL	((1U << ACCMDEV_ALG_COUNT) - 1)

#define INVARIANT(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: invariant failed: %s\n",	\
				__FILE__, __LINE__, #cond);		\
			abort();					\
		}							\
	} while (0)

static bool migver_eq(const struct accmdev_migver *a,
		      const struct accmdev_migver *b)
{
	return a->major == b->major && a->minor == b->minor &&
	       a->kind == b->kind && a->rev == b->rev && a->qps == b->qps &&
	       a->algs == b->algs && a->unknown_algs == b->unknown_algs;
}

static const struct accmdev_migver_dst dsts[] = {
	/* zip type node on a rev2 parent, 4 queue pairs */
	{ true, false, ACCMDEV_KIND_ZIP, 4, 2,
	  (1U << ACCMDEV_ALG_CRC32C) | (1U << ACCMDEV_ALG_ADLER32) |
	  (1U << ACCMDEV_ALG_DEFLATE) | (1U << ACCMDEV_ALG_INFLATE) },
	/* zip device node, rev1 model, 1 queue pair */
	{ true, true, ACCMDEV_KIND_ZIP, 1, 1,
	  (1U << ACCMDEV_ALG_CRC32C) | (1U << ACCMDEV_ALG_DEFLATE) |
	  (1U << ACCMDEV_ALG_INFLATE) },
	/* sec type node, 16 queue pairs */
	{ true, false, ACCMDEV_KIND_SEC, 16, 1,
	  (1U << ACCMDEV_ALG_SHA256) | (1U << ACCMDEV_ALG_SHA224) },
	/* a parent that cannot migrate */
	{ false, false, ACCMDEV_KIND_ZIP, 4, 2, ALGS_ALL },
};

static void fuzz_migver(const char *s, size_t len)
{
	struct accmdev_migver v, v2, src;
	char buf[ACCMDEV_MIGVER_MAX], buf2[ACCMDEV_MIGVER_MAX];
	enum accmdev_compat c, c2;
	char *nl;
	size_t i;
	int n, n2;

	c = accmdev_migver_parse(s, len, &v);
	INVARIANT(c == ACCMDEV_COMPAT_OK || c == ACCMDEV_COMPAT_MALFORMED ||
		  c == ACCMDEV_COMPAT_FORMAT);

	/* The same bytes followed by one, then two newlines. */
	nl = malloc(len + 2);
	INVARIANT(nl);
	if (len)
		memcpy(nl, s, len);
	nl[len] = '\n';
	nl[len + 1] = '\n';
	if (!len || s[len - 1] != '\n') {
		c2 = accmdev_migver_parse(nl, len + 1, &v2);
		INVARIANT(c2 == c && migver_eq(&v2, &v));
	}
	INVARIANT(accmdev_migver_parse(nl, len + 2, &v2) ==
		  ACCMDEV_COMPAT_MALFORMED);
	free(nl);

	switch (c) {
	case ACCMDEV_COMPAT_MALFORMED: {
		static const struct accmdev_migver zero;

		INVARIANT(migver_eq(&v, &zero));
		break;
	}
	case ACCMDEV_COMPAT_FORMAT:
		INVARIANT(v.major != ACCMDEV_FORMAT_MAJOR ||
			  v.minor > ACCMDEV_FORMAT_MINOR);
		INVARIANT(v.major <= 65535 && v.minor <= 65535);
		break;
	default:
		INVARIANT(v.major == ACCMDEV_FORMAT_MAJOR &&
			  v.minor <= ACCMDEV_FORMAT_MINOR);
		INVARIANT(v.kind < ACCMDEV_KIND_COUNT);
		INVARIANT(v.rev >= 1 && v.rev <= ACCMDEV_REV_MAX);
		INVARIANT(v.qps >= 1 && v.qps <= ACCMDEV_QPS_MAX);
		INVARIANT(!(v.algs & ~ALGS_ALL));
		INVARIANT(v.algs || v.unknown_algs);

		n = accmdev_migver_format(&v, buf, sizeof(buf));
		if (v.kind == ACCMDEV_KIND_NONE || v.unknown_algs) {
			/* Not describable: format must refuse, not drop. */
			INVARIANT(n == -EINVAL && buf[0] == '\0');
			break;
		}
		INVARIANT(n > 0 && (size_t)n == strlen(buf) &&
			  n < ACCMDEV_MIGVER_MAX);
		c2 = accmdev_migver_parse(buf, (size_t)n, &v2);
		INVARIANT(c2 == ACCMDEV_COMPAT_OK);
		/* This build has one format version, so major/minor match. */
		INVARIANT(migver_eq(&v2, &v));
		n2 = accmdev_migver_format(&v2, buf2, sizeof(buf2));
		INVARIANT(n2 == n && !memcmp(buf, buf2, (size_t)n + 1));
		/* One byte short never fits. */
		INVARIANT(accmdev_migver_format(&v, buf2, (size_t)n) ==
			  -ENOSPC);
		break;
	}

	for (i = 0; i < sizeof(dsts) / sizeof(dsts[0]); i++) {
		c2 = accmdev_migver_check(s, len, &dsts[i], &src);
		INVARIANT(c2 == accmdev_migver_check(s, len, &dsts[i], NULL));
		if (!dsts[i].migratable)
			INVARIANT(c2 == ACCMDEV_COMPAT_NOMIG);
		else if (c != ACCMDEV_COMPAT_OK)
			INVARIANT(c2 == c);
		else
			INVARIANT(c2 == accmdev_migver_compare(&v, &dsts[i]) &&
				  migver_eq(&src, &v));
		INVARIANT(accmdev_compat_from_errno(accmdev_compat_errno(c2)) ==
			  c2);
		INVARIANT(accmdev_compat_field(c2) != NULL);
	}
}

static void fuzz_algs(const char *s, size_t len)
{
	uint32_t algs = 0xdeadbeef, back = 0;
	char buf[256];
	int ret, n;

	ret = accmdev_algs_parse(s, len, &algs);
	if (ret) {
		INVARIANT(ret == -EINVAL && algs == 0xdeadbeef);
		return;
	}
	INVARIANT(algs && !(algs & ~ALGS_ALL));
	n = accmdev_algs_format(algs, buf, sizeof(buf));
	INVARIANT(n > 0 && (size_t)n == strlen(buf));
	INVARIANT(accmdev_algs_parse(buf, (size_t)n, &back) == 0 &&
		  back == algs);
}

static void fuzz_kind(const char *s, size_t len)
{
	unsigned int kind = accmdev_kind_from_name(s, len);
	const char *name;

	INVARIANT(kind < ACCMDEV_KIND_COUNT);
	if (kind == ACCMDEV_KIND_NONE)
		return;
	name = accmdev_kind_name(kind);
	INVARIANT(name && strlen(name) == len && !memcmp(name, s, len));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;

	fuzz_migver(s, size);
	fuzz_algs(s, size);
	fuzz_kind(s, size);
	return 0;
}
