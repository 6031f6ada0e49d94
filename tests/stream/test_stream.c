// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host unit test of driver/mig_stream.c, the migration stream codec,
 * built from the very files the module compiles. Prints TAP on stdout,
 * the plan first, and exits non-zero if any test fails.
 *
 *   test_stream                 run every test
 *   test_stream --corpus DIR    write the fuzzer's seed corpus to DIR
 *
 * Every stream is built by tests/stream/cases.c, from the format, not by
 * the code under test, and handed to the parser in a heap buffer of
 * exactly its length, so that AddressSanitizer catches any read past it.
 * For each model of sc_models[] and each case of sc_cases[] that applies
 * to it: the errno, the reason and the QP the parser names must be the
 * table's; an accepted stream must decode to the values the case built.
 * Then, per model: the encoder writes the valid stream byte for byte as
 * the builder does, the early check waits for the whole header, and
 * every proper prefix of the valid stream is refused.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases.h"
#include "tap.h"
#include "mig_stream.h"
#include "target.h"

static uint8_t stream[SC_STREAM_MAX];
static struct accmdev_mig_image img;
static struct sc_stream built;

/* Parse @len bytes of stream[] from an exact-size heap copy. */
static int parse(const struct sc_model *m, size_t len,
		 struct accmdev_mig_verdict *v)
{
	struct accmdev_mig_target t;
	uint8_t *copy = malloc(len ? len : 1);
	int ret;

	if (!copy)
		abort();
	memcpy(copy, stream, len);
	target_of(m, &t);
	ret = accmdev_mig_parse(copy, len, &t, &img, v);
	free(copy);
	return ret;
}

/* The image holds what @s built, decoded here from the wire structs. */
static const char *image_differs(const struct sc_stream *s)
{
	const struct accmdev_pci *pci = &img.pci;

	if (img.rr != le32toh(s->dev.rr))
		return "rr";
	if (memcmp(pci->cfg, s->pci, ACCMDEV_MIG_PCI_CFG))
		return "config space";
	for (uint32_t i = 0; i < ACCMDEV_QP_MAX; i++) {
		uint8_t want[ACCMDEV_MIG_MSIX_ENTRY] = {0};

		if (i < s->m.nqps)
			memcpy(want, s->pci + ACCMDEV_MIG_PCI_CFG +
			       i * ACCMDEV_MIG_MSIX_ENTRY, sizeof(want));
		else
			want[12] = 1;	/* vector control: masked */
		if (memcmp(pci->msix[i], want, sizeof(want)))
			return "an MSI-X entry";
	}
	for (uint32_t i = 0; i < s->m.nqps; i++) {
		const struct accmdev_mig_qp *w = &s->qp[i];
		const struct accmdev_mig_qp_state *q = &img.qp[i];

		if (q->enabled != le32toh(w->enabled) ||
		    q->sq_base != le64toh(w->sq_base) ||
		    q->cq_base != le64toh(w->cq_base) ||
		    q->sq_size != le32toh(w->sq_size) ||
		    q->cq_size != le32toh(w->cq_size) ||
		    q->error != le32toh(w->error) ||
		    q->sq_tail != le32toh(w->sq_tail) ||
		    q->sq_head != le32toh(w->sq_head) ||
		    q->cq_tail != le32toh(w->cq_tail) ||
		    q->cq_head != le32toh(w->cq_head) ||
		    q->cq_phase != le32toh(w->cq_phase) ||
		    q->seq != le32toh(w->seq) ||
		    q->irq_count != le32toh(w->irq_count) ||
		    q->done_count != le32toh(w->done_count) ||
		    q->fail_count != le32toh(w->fail_count))
			return "a QP's registers";
		if (q->ctx_op != le32toh(w->ctx_op) ||
		    q->ctx_sum != le32toh(w->ctx_sum) ||
		    q->ctx_bytes != le64toh(w->ctx_bytes) ||
		    q->sha_count != le64toh(w->sha_count) ||
		    memcmp(q->sha_buf, w->sha_buf, sizeof(q->sha_buf)))
			return "a QP's stream context";
		for (unsigned int k = 0; k < 8; k++)
			if (q->sha_state[k] != le32toh(w->sha_state[k]))
				return "a QP's SHA state";
	}
	return NULL;
}

static void run_case(const struct sc_model *m, unsigned int mi,
		     const struct sc_case *c)
{
	struct accmdev_mig_verdict v;
	size_t len;
	const char *bad = NULL;
	int ret;

	sc_init(&built, m);
	if (c->edit)
		c->edit(&built);
	len = sc_layout(&built, stream);
	ret = parse(m, len, &v);
	if (!c->err) {
		if (!ret)
			bad = image_differs(&built);
		tap(!ret && !bad, "model %u: %s: accepted%s%s%s%s", mi, c->name,
		    ret ? ", but refused: " : "", ret ? v.why : "",
		    bad ? ", but decoded wrong: " : "", bad ? bad : "");
		return;
	}
	tap(ret == -c->err && v.why && !strcmp(v.why, c->why) && v.qp == c->qp,
	    "model %u: %s: %s \"%s\" QP %d (got %s \"%s\" QP %d)", mi, c->name,
	    sc_errname(c->err), c->why, c->qp, sc_errname(-ret),
	    v.why ? v.why : "(none)", v.qp);
}

/* The driver's encoder writes the valid stream as the builder lays it out. */
static void test_encoder(const struct sc_model *m, unsigned int mi)
{
	static uint8_t out[SC_STREAM_MAX];
	struct accmdev_mig_out o = { .buf = out, .size = sizeof(out) };
	struct accmdev_mig_dev_state d = {
		.device_id = m->device_id, .rev = m->rev, .algs = m->algs,
		.nqps = m->nqps, .rr = m->nqps - 1,
	};
	struct accmdev_pci pci;
	size_t len;
	bool ok;

	sc_init(&built, m);
	len = sc_layout(&built, stream);
	memset(&pci, 0, sizeof(pci));
	memcpy(pci.cfg, built.pci, ACCMDEV_MIG_PCI_CFG);
	memcpy(pci.msix, built.pci + ACCMDEV_MIG_PCI_CFG,
	       m->nqps * ACCMDEV_MIG_MSIX_ENTRY);
	ok = accmdev_mig_put_header(&o, built.version, built.vlen) &&
	     accmdev_mig_put_device(&o, &d) &&
	     accmdev_mig_put_pci(&o, &pci, m->nqps);
	/* The QPs through the parser's decoding of the builder's stream. */
	ok = ok && parse(m, len, &(struct accmdev_mig_verdict){0}) == 0;
	for (uint32_t i = 0; ok && i < m->nqps; i++)
		ok = accmdev_mig_put_qp(&o, i, &img.qp[i]);
	ok = ok && accmdev_mig_put_end(&o, 3 + m->nqps);
	tap(ok && o.filled == len && !memcmp(out, stream, len) &&
	    accmdev_mig_stream_size(m->nqps, built.vlen) == len,
	    "model %u: the encoder writes the valid stream, %zu bytes, as built",
	    mi, len);

	o.size = len - 1;
	o.filled = 0;
	ok = accmdev_mig_put_header(&o, built.version, built.vlen) &&
	     accmdev_mig_put_device(&o, &d) &&
	     accmdev_mig_put_pci(&o, &pci, m->nqps);
	for (uint32_t i = 0; ok && i < m->nqps; i++)
		ok = accmdev_mig_put_qp(&o, i, &img.qp[i]);
	ok = ok && accmdev_mig_put_end(&o, 3 + m->nqps);
	tap(!ok && o.filled <= len - 1,
	    "model %u: the encoder refuses a buffer one byte short", mi);
}

/* The early check: 0 until the header is whole, then 1. */
static void test_header(const struct sc_model *m, unsigned int mi)
{
	struct accmdev_mig_verdict v;
	struct accmdev_mig_target t;
	size_t hdr, bad = 0;

	sc_init(&built, m);
	sc_layout(&built, stream);
	target_of(m, &t);
	hdr = sizeof(struct accmdev_mig_preamble) +
	      sizeof(struct accmdev_mig_rec) + built.vlen;
	for (size_t n = 0; n <= hdr + 64; n++) {
		uint8_t *copy = malloc(n ? n : 1);
		int ret;

		memcpy(copy, stream, n);
		ret = accmdev_mig_parse_header(copy, n, &t, &v);
		free(copy);
		if (ret != (n >= hdr))
			bad++;
	}
	tap(!bad, "model %u: the early check waits for all %zu header bytes (%zu wrong)",
	    mi, hdr, bad);
}

/* Every proper prefix of the valid stream is refused as truncated. */
static void test_prefixes(const struct sc_model *m, unsigned int mi)
{
	struct accmdev_mig_verdict v;
	size_t len, bad = 0;

	sc_init(&built, m);
	len = sc_layout(&built, stream);
	for (size_t n = 0; n < len; n++)
		if (parse(m, n, &v) != -ENODATA)
			bad++;
	tap(!bad, "model %u: all %zu proper prefixes refused with ENODATA (%zu not)",
	    mi, len, bad);
}

/*
 * A destination with more QPs than a device can have (no device does;
 * the parser refuses rather than index past its tables).
 */
static void test_no_destination(void)
{
	struct sc_model m = sc_models[0];
	struct accmdev_mig_verdict v;
	char ver[256];
	size_t len;
	int ret;

	sc_init(&built, &m);
	m.nqps = ACCMDEV_QP_MAX + 1;
	built.vlen = sc_version(&m, ver, sizeof(ver));
	memcpy(built.version, ver, built.vlen);
	built.rec[0].len = built.vlen;
	len = sc_layout(&built, stream);
	ret = parse(&m, len, &v);
	tap(ret == -EINVAL && v.why && !strcmp(v.why, "no such destination"),
	    "a destination of %u QPs: EINVAL \"no such destination\" (got %s \"%s\")",
	    m.nqps, sc_errname(-ret), v.why ? v.why : "(none)");
}

/* Seeds: a mode byte (fuzz_stream.c) and a stream, per model and case. */
static int write_corpus(const char *dir)
{
	char path[4096];
	unsigned int n = 0;

	for (unsigned int mi = 0; mi < sc_nmodels; mi++) {
		for (unsigned int ci = 0; ci < sc_ncases; ci++) {
			const struct sc_case *c = &sc_cases[ci];
			size_t len;
			uint8_t mode = mi | 4;
			FILE *f;

			if (!sc_applies(c, &sc_models[mi]) || c->err == EFBIG)
				continue;
			len = sc_build(&sc_models[mi], c, stream);
			snprintf(path, sizeof(path), "%s/m%u-c%02u", dir, mi, ci);
			f = fopen(path, "wb");
			if (!f || fwrite(&mode, 1, 1, f) != 1 ||
			    fwrite(stream, 1, len, f) != len || fclose(f)) {
				perror(path);
				return 1;
			}
			n++;
		}
	}
	fprintf(stderr, "test_stream: %u seeds in %s\n", n, dir);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int plan = 0;

	if (argc == 3 && !strcmp(argv[1], "--corpus"))
		return write_corpus(argv[2]);
	if (argc != 1) {
		fprintf(stderr, "usage: test_stream [--corpus DIR]\n");
		return 2;
	}

	/* The plan, from the tables alone: one line per case a model takes. */
	for (unsigned int ci = 0; ci < sc_ncases; ci++) {
		plan++;		/* the case runs on some model */
		for (unsigned int mi = 0; mi < sc_nmodels; mi++)
			plan += sc_applies(&sc_cases[ci], &sc_models[mi]);
	}
	plan += 4 * sc_nmodels + 1;
	printf("1..%u\n", plan);

	for (unsigned int ci = 0; ci < sc_ncases; ci++) {
		const struct sc_case *c = &sc_cases[ci];
		unsigned int ran = 0;

		for (unsigned int mi = 0; mi < sc_nmodels; mi++) {
			if (!sc_applies(c, &sc_models[mi]))
				continue;
			run_case(&sc_models[mi], mi, c);
			ran++;
		}
		tap(ran, "case %u (%s) ran on %u of %u models", ci, c->name, ran,
		    sc_nmodels);
	}
	for (unsigned int mi = 0; mi < sc_nmodels; mi++) {
		test_encoder(&sc_models[mi], mi);
		test_header(&sc_models[mi], mi);
		test_prefixes(&sc_models[mi], mi);
	}
	test_no_destination();
	printf("# %u cases, %u models, %u tests, %u failed\n", sc_ncases,
	       sc_nmodels, tap_n, tap_failed);
	if (tap_n != plan) {
		printf("# ran %u tests, planned %u\n", tap_n, plan);
		return 1;
	}
	return tap_failed ? 1 : 0;
}
