// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for driver/migver.c, built from the very same file the
 * kernel module compiles, judged by an independent reference.
 *
 * Differential: tests/ref/migref.c implements the grammar and the
 * compatibility rules again from the documentation alone. For every
 * input, both parse it and both judge it against every destination node
 * accmdev can have (each type: kind, model revision and shape; each
 * device model, narrowed or not; and a parent that cannot migrate); the
 * input is
 * also cut at NUL bytes into up to MAX_PIECES strings, each parsed by
 * both, and each well-formed piece becomes a device node and a type node
 * that every piece is judged against by both. Any difference in class,
 * errno, log field or parsed content is a crash.
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
#include "migref.h"

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
	/* accmdev-zip-r2-4qp, or a default device of it */
	{ true, ACCMDEV_KIND_ZIP, 4, 2,
	  (1U << ACCMDEV_ALG_CRC32C) | (1U << ACCMDEV_ALG_ADLER32) |
	  (1U << ACCMDEV_ALG_DEFLATE) | (1U << ACCMDEV_ALG_INFLATE) },
	/* accmdev-zip-r1-1qp, or a default device of it */
	{ true, ACCMDEV_KIND_ZIP, 1, 1,
	  (1U << ACCMDEV_ALG_CRC32C) | (1U << ACCMDEV_ALG_DEFLATE) |
	  (1U << ACCMDEV_ALG_INFLATE) },
	/* accmdev-sec-r1-16qp */
	{ true, ACCMDEV_KIND_SEC, 16, 1,
	  (1U << ACCMDEV_ALG_SHA256) | (1U << ACCMDEV_ALG_SHA224) },
	/* a parent that cannot migrate */
	{ false, ACCMDEV_KIND_ZIP, 4, 2, ALGS_ALL },
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


/* ------------------------------------------------------------------ */
/* Differential checks against the reference                          */

#define MAX_PIECES	8

/* The same destination, in the two shapes. */
struct dst_pair {
	struct accmdev_migver_dst k;	/* the module's checker */
	struct migref_dst r;		/* the reference */
};

#define MAX_DSTS	256
static struct dst_pair all_dsts[MAX_DSTS];
static size_t n_dsts;

#define DISAGREE(cond, what, s, len, d)					\
	do {								\
		if (!(cond))						\
			disagree(__LINE__, what, s, len, d);		\
	} while (0)

static void disagree(int line, const char *what, const char *s, size_t len,
		     const struct dst_pair *d)
{
	fprintf(stderr, "fuzz_migver.c:%d: DISAGREEMENT (%s) on \"", line,
		what);
	for (size_t i = 0; i < len && i < 300; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			fputc(c, stderr);
		else
			fprintf(stderr, "\\x%02x", c);
	}
	fprintf(stderr, "\" (%zu bytes)", len);
	if (d)
		fprintf(stderr, " on %s node migratable=%d kind=%s rev=%u "
			"qps=%u algs=0x%x", d->r.node == MIGREF_TYPE ?
			"type" : "device", d->r.migratable, d->r.kind,
			d->r.rev, d->r.qps, d->r.algs);
	fputc('\n', stderr);
	abort();
}

/* Reference kind name -> module kind number (by name, no shared table). */
static unsigned int kind_num(const char *name)
{
	return accmdev_kind_from_name(name, strlen(name));
}

/* Reference algorithm bit set -> module bit set, by name. */
static u32 algs_to_module(unsigned int ref)
{
	u32 out = 0;

	for (unsigned int i = 0; i < MIGREF_NR_ALGS; i++) {
		if (!(ref & (1u << i)))
			continue;
		for (unsigned int a = 0; a < ACCMDEV_ALG_COUNT; a++)
			if (!strcmp(accmdev_alg_name(a), migref_alg_names[i]))
				out |= 1U << a;
	}
	return out;
}

static void dst_make(struct dst_pair *d, enum migref_node node,
		     bool migratable, const char *kind, unsigned int rev,
		     unsigned int qps, unsigned int algs)
{
	d->r.node = node;
	d->r.migratable = migratable;
	d->r.kind = kind;
	d->r.rev = rev;
	d->r.qps = qps;
	d->r.algs = algs;
	d->k.migratable = migratable;
	d->k.kind = kind_num(kind);
	d->k.rev = rev;
	d->k.qps = qps;
	d->k.algs = algs_to_module(algs);
	INVARIANT(d->k.kind != ACCMDEV_KIND_NONE);
}

/*
 * Every node accmdev can have: for each kind and model revision, the
 * type of each shape (its model: that revision's native algorithms), and
 * a device of it with each non-empty subset of them (a resume narrows a
 * device's algorithms to its source's); and the same nodes on a parent
 * that cannot migrate (one type per kind is enough there).
 */
static void dsts_init(void)
{
	static const char *const kinds[] = { "zip", "sec" };
	static const unsigned int shapes[] = { 1, 2, 4, 8, 16 };

	for (size_t k = 0; k < 2; k++) {
		unsigned int max = migref_max_rev(kinds[k]);

		for (unsigned int mr = 1; mr <= max; mr++) {
			unsigned int nat = migref_native(kinds[k], mr);

			for (size_t q = 0; q < 5; q++) {
				INVARIANT(n_dsts < MAX_DSTS);
				dst_make(&all_dsts[n_dsts++], MIGREF_TYPE, true,
					 kinds[k], mr, shapes[q], nat);
			}
			/* every non-empty subset of nat */
			for (unsigned int sub = nat; sub; sub = (sub - 1) & nat) {
				/* two shapes keep the count down */
				INVARIANT(n_dsts + 2 <= MAX_DSTS);
				dst_make(&all_dsts[n_dsts++], MIGREF_DEVICE,
					 true, kinds[k], mr, 1, sub);
				dst_make(&all_dsts[n_dsts++], MIGREF_DEVICE,
					 true, kinds[k], mr, 4, sub);
			}
		}
		INVARIANT(n_dsts + 2 <= MAX_DSTS);
		dst_make(&all_dsts[n_dsts++], MIGREF_TYPE, false, kinds[k],
			 max, 4, migref_native(kinds[k], max));
		dst_make(&all_dsts[n_dsts++], MIGREF_DEVICE, false, kinds[k],
			 max, 4, migref_native(kinds[k], max));
	}
}

static enum accmdev_compat class_of_ref(int r)
{
	return r ? accmdev_compat_from_errno(-r) : ACCMDEV_COMPAT_OK;
}

/* Both parse s; the results must agree. Returns the reference's answer. */
static int diff_parse(const char *s, size_t len, struct migref_ver *rv,
		      struct accmdev_migver *kv)
{
	enum accmdev_compat c = accmdev_migver_parse(s, len, kv);
	int r = migref_parse(s, len, rv);
	unsigned int i, bit;
	u32 algs = 0;
	bool unknown = false;

	DISAGREE(c == class_of_ref(r), "parse class", s, len, NULL);
	if (r == -EPROTO)
		DISAGREE(kv->major == rv->major && kv->minor == rv->minor,
			 "format numbers", s, len, NULL);
	if (r)
		return r;
	DISAGREE(kv->major == rv->major && kv->minor == rv->minor,
		 "format numbers", s, len, NULL);
	if (kv->kind == ACCMDEV_KIND_NONE)
		DISAGREE(migref_max_rev(rv->kind) == 0, "unknown kind", s,
			 len, NULL);
	else
		DISAGREE(!strcmp(accmdev_kind_name(kv->kind), rv->kind),
			 "kind", s, len, NULL);
	DISAGREE(kv->rev == rv->rev && kv->qps == rv->qps, "rev or qps", s,
		 len, NULL);
	for (i = 0; i < rv->nalgs; i++) {
		for (bit = 0; bit < MIGREF_NR_ALGS; bit++)
			if (!strcmp(migref_alg_names[bit], rv->algs[i]))
				break;
		if (bit == MIGREF_NR_ALGS)
			unknown = true;
		else
			algs |= algs_to_module(1u << bit);
	}
	DISAGREE(kv->algs == algs && kv->unknown_algs == unknown, "algs", s,
		 len, NULL);
	return 0;
}

/* Both judge s on d; class, errno and log field must agree. */
static void diff_check(const char *s, size_t len, const struct dst_pair *d)
{
	enum accmdev_compat c = accmdev_migver_check(s, len, &d->k, NULL);
	const char *field = NULL;
	int r = migref_judge(&d->r, s, len, &field);

	if (accmdev_compat_errno(c) != -r) {
		fprintf(stderr, "module: %s, reference: %s\n",
			accmdev_compat_field(c), migref_errname(r));
		disagree(__LINE__, "errno", s, len, d);
	}
	if (r)
		DISAGREE(field && !strcmp(accmdev_compat_field(c), field),
			 "log field", s, len, d);
}

/*
 * Both compare a parsed source with d (rules 4 to 7); for a string both
 * parsed alike this is what the check does after parsing, at a fraction
 * of the cost.
 */
static void diff_compare(const char *s, size_t len,
			 const struct accmdev_migver *kv,
			 const struct migref_ver *rv, const struct dst_pair *d)
{
	enum accmdev_compat c;
	const char *field = NULL;
	int r;

	if (!d->r.migratable)
		return;
	c = accmdev_migver_compare(kv, &d->k);
	r = migref_compare(&d->r, rv, &field);
	if (accmdev_compat_errno(c) != -r) {
		fprintf(stderr, "module: %s, reference: %s\n",
			accmdev_compat_field(c), migref_errname(r));
		disagree(__LINE__, "compare", s, len, d);
	}
	if (r)
		DISAGREE(field && !strcmp(accmdev_compat_field(c), field),
			 "log field", s, len, d);
}

static void fuzz_diff(const char *s, size_t len)
{
	struct {
		const char *s;
		size_t len;
		int parsed;
		struct migref_ver rv;
	} piece[MAX_PIECES];
	struct accmdev_migver kv;
	struct dst_pair pd[2];
	size_t n = 0, i, j, start = 0;
	int parsed;

	if (!n_dsts)
		dsts_init();

	/*
	 * The whole input: the full check on every eighth node and on the
	 * nodes that cannot migrate, the comparison of
	 * the parsed source on all of them.
	 */
	parsed = diff_parse(s, len, &piece[0].rv, &kv);
	for (i = 0; i < n_dsts; i++) {
		if (i % 8 == 0 || !all_dsts[i].r.migratable)
			diff_check(s, len, &all_dsts[i]);
		if (!parsed)
			diff_compare(s, len, &kv, &piece[0].rv, &all_dsts[i]);
	}

	/* Pieces between NUL bytes; every pair they form. */
	for (i = 0; i <= len && n < MAX_PIECES; i++) {
		if (i < len && s[i] != '\0')
			continue;
		piece[n].s = s + start;
		piece[n].len = i - start;
		piece[n].parsed = diff_parse(piece[n].s, piece[n].len,
					     &piece[n].rv, &kv);
		n++;
		start = i + 1;
	}
	if (n < 2)
		return;
	for (j = 0; j < n; j++) {
		const struct migref_ver *v = &piece[j].rv;
		unsigned int algs = 0, bit, a, known;

		if (piece[j].parsed || v->rev > migref_max_rev(v->kind))
			continue;
		for (a = 0, known = 0; a < v->nalgs; a++)
			for (bit = 0; bit < MIGREF_NR_ALGS; bit++)
				if (!strcmp(migref_alg_names[bit], v->algs[a])) {
					algs |= 1u << bit;
					known++;
				}
		/*
		 * Only nodes that can exist: a device whose model is piece j
		 * (known names, all native to its revision: a device of that
		 * revision's type, narrowed by a resume), and the type of
		 * its kind, revision and shape.
		 */
		if (known != v->nalgs || (algs & ~migref_native(v->kind, v->rev)))
			algs = 0;
		dst_make(&pd[0], MIGREF_DEVICE, true, v->kind, v->rev, v->qps,
			 algs);
		dst_make(&pd[1], MIGREF_TYPE, true, v->kind, v->rev, v->qps,
			 migref_native(v->kind, v->rev));
		for (i = 0; i < n; i++) {
			if (algs)
				diff_check(piece[i].s, piece[i].len, &pd[0]);
			diff_check(piece[i].s, piece[i].len, &pd[1]);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;

	fuzz_diff(s, size);
	fuzz_migver(s, size);
	fuzz_algs(s, size);
	fuzz_kind(s, size);
	return 0;
}
