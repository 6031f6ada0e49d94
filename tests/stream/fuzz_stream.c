// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target of driver/mig_stream.c, the migration stream parser,
 * built from the very files the module compiles.
 *
 * Input: one mode byte, then a stream. Bits 0-1 of the mode pick the
 * destination from sc_models[]; with bit 2 set, a stream that ends in
 * what looks like an END record gets the CRC32C that makes it valid
 * (tests/bin/accref.h), so that mutations reach the content checks
 * behind the CRC. Besides the sanitizers, it judges:
 *
 *   - a refusal is a known errno with a reason, and names a QP only
 *     below the destination's count;
 *   - an accepted stream passed the early check, and decodes to state
 *     that meets the device rules, checked here again from
 *     Documentation/device.rst (not with driver code);
 *   - an accepted stream, written again by the encoder and parsed
 *     again, gives the same image.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "accref.h"
#include "cases.h"
#include "mig_stream.h"
#include "target.h"

#define END_SIZE	(sizeof(struct accmdev_mig_rec) + sizeof(struct accmdev_mig_end))

static bool pow2_ring(uint32_t n)
{
	return n >= ACCMDEV_RING_MIN && n <= ACCMDEV_RING_MAX && !(n & (n - 1));
}

/* The device rules an accepted QP must meet, written from device.rst. */
static bool qp_sane(const struct accmdev_mig_qp_state *q, uint32_t algs)
{
	unsigned __int128 sq_end, cq_end;

	if (q->enabled > 1 || q->cq_phase > 1 || q->error > 8)
		return false;
	if (q->ctx_op && (q->ctx_op > ACCMDEV_OP_COUNT || !q->enabled ||
			  !(algs & 1u << (q->ctx_op - 1))))
		return false;
	if (!q->enabled)
		return !q->sq_tail && !q->sq_head && !q->cq_tail && !q->cq_head &&
		       !q->seq && q->cq_phase == 1;
	if (!pow2_ring(q->sq_size) || !pow2_ring(q->cq_size) ||
	    q->sq_base % 64 || q->cq_base % 64)
		return false;
	sq_end = (unsigned __int128)q->sq_base + (uint64_t)q->sq_size * 64;
	cq_end = (unsigned __int128)q->cq_base + (uint64_t)q->cq_size * 64;
	if (sq_end > (unsigned __int128)1 << 64 ||
	    cq_end > (unsigned __int128)1 << 64)
		return false;
	if (q->sq_base < cq_end && q->cq_base < sq_end)
		return false;
	return q->sq_tail < q->sq_size && q->sq_head < q->sq_size &&
	       q->cq_tail < q->cq_size && q->cq_head < q->cq_size;
}

static bool known_errno(int err)
{
	switch (err) {
	case EINVAL: case EPROTO: case EXDEV: case ERANGE: case ENOEXEC:
	case EOPNOTSUPP: case ENODATA: case EBADMSG: case EFBIG:
		return true;
	}
	return false;
}

/* Write @img again with the encoder; parse it; it must be the same. */
static void round_trip(const uint8_t *s, const struct sc_model *m,
		       const struct accmdev_mig_target *t,
		       const struct accmdev_mig_image *img, uint32_t algs)
{
	static uint8_t out[ACCMDEV_MIG_MAX];
	static struct accmdev_mig_image again;
	struct accmdev_mig_out o = { .buf = out, .size = sizeof(out) };
	const struct accmdev_mig_rec *vrec = (const void *)(s + 16);
	/* DEVICE's algs are VERSION's, which the parser checked. */
	struct accmdev_mig_dev_state d = {
		.device_id = m->device_id, .rev = m->rev, .nqps = m->nqps,
		.rr = img->rr, .algs = algs,
	};
	struct accmdev_mig_verdict v;
	bool ok;

	ok = accmdev_mig_put_header(&o, (const char *)s + 32, le32toh(vrec->len)) &&
	     accmdev_mig_put_device(&o, &d) &&
	     accmdev_mig_put_pci(&o, &img->pci, m->nqps);
	for (uint32_t i = 0; ok && i < m->nqps; i++)
		ok = accmdev_mig_put_qp(&o, i, &img->qp[i]);
	ok = ok && accmdev_mig_put_end(&o, 3 + m->nqps);
	if (!ok || accmdev_mig_parse(out, o.filled, t, &again, &v) ||
	    memcmp(&again, img, sizeof(again)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct accmdev_mig_image img;
	const struct sc_model *m;
	struct accmdev_mig_target t;
	struct accmdev_mig_verdict v, h;
	uint8_t *s;
	size_t len;
	int ret;

	if (!size)
		return 0;
	m = &sc_models[data[0] % sc_nmodels];
	len = size - 1;
	s = malloc(len ? len : 1);
	if (!s)
		abort();
	memcpy(s, data + 1, len);
	if (data[0] & 4 && len >= 16 + END_SIZE) {
		struct accmdev_mig_rec e;

		memcpy(&e, s + len - END_SIZE, sizeof(e));
		if (le32toh(e.tag) == ACCMDEV_MIG_TAG_END) {
			uint32_t crc = htole32(ref_crc32c(s, len - END_SIZE));

			memcpy(s + len - 4, &crc, sizeof(crc));
		}
	}
	target_of(m, &t);
	ret = accmdev_mig_parse(s, len, &t, &img, &v);
	if (ret) {
		if (ret > 0 || !known_errno(-ret) || !v.why ||
		    v.qp < -1 || v.qp >= (int)m->nqps)
			abort();
	} else {
		if (accmdev_mig_parse_header(s, len, &t, &h) != 1 ||
		    img.rr >= m->nqps)
			abort();
		for (uint32_t i = 0; i < m->nqps; i++)
			if (!qp_sane(&img.qp[i], m->algs))
				abort();
		round_trip(s, m, &t, &img, v.src.algs);
	}
	free(s);
	return 0;
}
