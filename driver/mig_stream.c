// SPDX-License-Identifier: GPL-2.0-only
/*
 * accmdev migration stream codec; see mig_stream.h for the contract and
 * uapi/accmdev_mig.h for the format. Built unchanged into the module
 * and into the host tests of tests/stream.
 *
 * The parser has three passes over a stream it never trusts: the header
 * (preamble and VERSION, as the early check of a resuming write), the
 * framing (every record fits, has zero padding and known flags, END is
 * last with the right count and CRC), and the content (every record
 * against the target and the device rules of rules.c). Each refusal
 * names the one rule broken; the table in tests/stream/cases.c holds a
 * stream for each.
 */
#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "compat.h"
#endif

#include "mig_stream.h"

static_assert(sizeof(struct accmdev_mig_preamble) == 16);
static_assert(sizeof(struct accmdev_mig_rec) == 16);
static_assert(sizeof(struct accmdev_mig_device) == 24);
static_assert(sizeof(struct accmdev_mig_qp) == 192);
static_assert(sizeof(struct accmdev_mig_end) == 8);
static_assert(ACCMDEV_MIG_PCI_CFG == PCI_CFG_SPACE_SIZE);
static_assert(ACCMDEV_MIG_MSIX_ENTRY == PCI_MSIX_ENTRY_SIZE);

/* The last QP error code a device can latch. */
#define ACCMDEV_QP_ERR_LAST	ACCMDEV_QP_ERR_CQ_WRITE

#define PREAMBLE_SIZE		sizeof(struct accmdev_mig_preamble)
#define REC_HDR_SIZE		sizeof(struct accmdev_mig_rec)

/* Where each record of a stream is, once the framing holds. */
struct accmdev_mig_recs {
	const u8 *version;
	u32 version_len;
	const struct accmdev_mig_device *device;
	const u8 *pci;
	u32 pci_len;
	const struct accmdev_mig_qp *qp[ACCMDEV_QP_MAX];
	unsigned int nr_qp;
};

static int accmdev_mig_bad(struct accmdev_mig_verdict *v, int err,
			   const char *why)
{
	v->why = why;
	return err;
}

/* Bytes a record with @len bytes of payload takes in the stream. */
static size_t accmdev_mig_rec_size(size_t len)
{
	return REC_HDR_SIZE + ALIGN(len, ACCMDEV_MIG_ALIGN);
}

static size_t accmdev_mig_pci_len(u32 nqps)
{
	return ACCMDEV_MIG_PCI_CFG + (size_t)nqps * ACCMDEV_MIG_MSIX_ENTRY;
}

size_t accmdev_mig_stream_size(u32 nqps, size_t vlen)
{
	return PREAMBLE_SIZE + accmdev_mig_rec_size(vlen) +
	       accmdev_mig_rec_size(sizeof(struct accmdev_mig_device)) +
	       accmdev_mig_rec_size(accmdev_mig_pci_len(nqps)) +
	       nqps * accmdev_mig_rec_size(sizeof(struct accmdev_mig_qp)) +
	       accmdev_mig_rec_size(sizeof(struct accmdev_mig_end));
}

static u32 accmdev_mig_crc(const u8 *p, size_t len)
{
	return ~accmdev_crc32c(~0u, p, len);
}

/* ---- writing ------------------------------------------------------------ */

/* Append a record header for @len bytes; returns where the payload goes. */
static void *accmdev_mig_put(struct accmdev_mig_out *o, u32 tag, size_t len)
{
	struct accmdev_mig_rec *rec = (void *)(o->buf + o->filled);

	if (o->filled > o->size ||
	    accmdev_mig_rec_size(len) > o->size - o->filled)
		return NULL;
	memset(rec, 0, accmdev_mig_rec_size(len));
	rec->tag = cpu_to_le32(tag);
	rec->len = cpu_to_le32(len);
	o->filled += accmdev_mig_rec_size(len);
	return rec + 1;
}

bool accmdev_mig_put_header(struct accmdev_mig_out *o, const char *version,
			    size_t vlen)
{
	struct accmdev_mig_preamble *pre = (void *)o->buf;
	u8 *v;

	if (o->size < PREAMBLE_SIZE + accmdev_mig_rec_size(vlen))
		return false;
	pre->magic = cpu_to_le64(ACCMDEV_MIG_MAGIC);
	pre->major = cpu_to_le16(ACCMDEV_FORMAT_MAJOR);
	pre->minor = cpu_to_le16(ACCMDEV_FORMAT_MINOR);
	pre->rsvd = 0;
	o->filled = PREAMBLE_SIZE;
	v = accmdev_mig_put(o, ACCMDEV_MIG_TAG_VERSION, vlen);
	memcpy(v, version, vlen);
	return true;
}

bool accmdev_mig_put_device(struct accmdev_mig_out *o,
			    const struct accmdev_mig_dev_state *d)
{
	struct accmdev_mig_device *r;

	r = accmdev_mig_put(o, ACCMDEV_MIG_TAG_DEVICE, sizeof(*r));
	if (!r)
		return false;
	r->device_id = cpu_to_le16(d->device_id);
	r->rev = cpu_to_le32(d->rev);
	r->algs = cpu_to_le32(d->algs);
	r->nqps = cpu_to_le32(d->nqps);
	r->rr = cpu_to_le32(d->rr);
	return true;
}

bool accmdev_mig_put_pci(struct accmdev_mig_out *o,
			 const struct accmdev_pci *pci, u32 nqps)
{
	u8 *r;

	if (nqps > ACCMDEV_QP_MAX)
		return false;
	r = accmdev_mig_put(o, ACCMDEV_MIG_TAG_PCI, accmdev_mig_pci_len(nqps));
	if (!r)
		return false;
	memcpy(r, pci->cfg, ACCMDEV_MIG_PCI_CFG);
	memcpy(r + ACCMDEV_MIG_PCI_CFG, pci->msix,
	       (size_t)nqps * ACCMDEV_MIG_MSIX_ENTRY);
	return true;
}

bool accmdev_mig_put_qp(struct accmdev_mig_out *o, u32 index,
			const struct accmdev_mig_qp_state *q)
{
	struct accmdev_mig_qp *r;
	unsigned int i;

	r = accmdev_mig_put(o, ACCMDEV_MIG_TAG_QP, sizeof(*r));
	if (!r)
		return false;
	r->index = cpu_to_le32(index);
	r->enabled = cpu_to_le32(q->enabled);
	r->sq_base = cpu_to_le64(q->sq_base);
	r->cq_base = cpu_to_le64(q->cq_base);
	r->sq_size = cpu_to_le32(q->sq_size);
	r->cq_size = cpu_to_le32(q->cq_size);
	r->error = cpu_to_le32(q->error);
	r->sq_tail = cpu_to_le32(q->sq_tail);
	r->sq_head = cpu_to_le32(q->sq_head);
	r->cq_tail = cpu_to_le32(q->cq_tail);
	r->cq_head = cpu_to_le32(q->cq_head);
	r->cq_phase = cpu_to_le32(q->cq_phase);
	r->seq = cpu_to_le32(q->seq);
	r->irq_count = cpu_to_le32(q->irq_count);
	r->done_count = cpu_to_le32(q->done_count);
	r->fail_count = cpu_to_le32(q->fail_count);
	r->ctx_op = cpu_to_le32(q->ctx_op);
	r->ctx_sum = cpu_to_le32(q->ctx_sum);
	r->ctx_bytes = cpu_to_le64(q->ctx_bytes);
	for (i = 0; i < ARRAY_SIZE(r->sha_state); i++)
		r->sha_state[i] = cpu_to_le32(q->sha_state[i]);
	r->sha_count = cpu_to_le64(q->sha_count);
	memcpy(r->sha_buf, q->sha_buf, sizeof(r->sha_buf));
	return true;
}

bool accmdev_mig_put_end(struct accmdev_mig_out *o, u32 records)
{
	size_t crc_len = o->filled;
	struct accmdev_mig_end *end;

	end = accmdev_mig_put(o, ACCMDEV_MIG_TAG_END, sizeof(*end));
	if (!end)
		return false;
	end->records = cpu_to_le32(records);
	end->crc32c = cpu_to_le32(accmdev_mig_crc(o->buf, crc_len));
	return true;
}

/* ---- the header --------------------------------------------------------- */

static void accmdev_mig_verdict_init(struct accmdev_mig_verdict *v)
{
	memset(v, 0, sizeof(*v));
	v->qp = -1;
	v->compat = ACCMDEV_COMPAT_OK;
}

int accmdev_mig_parse_header(const u8 *buf, size_t len,
			     const struct accmdev_mig_target *t,
			     struct accmdev_mig_verdict *v)
{
	const struct accmdev_mig_preamble *pre = (const void *)buf;
	const size_t hdr = PREAMBLE_SIZE + REC_HDR_SIZE;
	const struct accmdev_mig_rec *rec;
	u32 vlen;

	accmdev_mig_verdict_init(v);
	if (len < PREAMBLE_SIZE)
		return 0;
	if (le64_to_cpu(pre->magic) != ACCMDEV_MIG_MAGIC || pre->rsvd)
		return accmdev_mig_bad(v, -EINVAL, "preamble");
	if (le16_to_cpu(pre->major) != ACCMDEV_FORMAT_MAJOR)
		return accmdev_mig_bad(v, -EPROTO, "preamble format major");
	if (len < hdr)
		return 0;
	rec = (const void *)(buf + PREAMBLE_SIZE);
	vlen = le32_to_cpu(rec->len);
	if (le32_to_cpu(rec->tag) != ACCMDEV_MIG_TAG_VERSION)
		return accmdev_mig_bad(v, -EINVAL, "VERSION not first");
	if (rec->flags || rec->rsvd)
		return accmdev_mig_bad(v, -EINVAL, "VERSION record header");
	if (!vlen || vlen >= ACCMDEV_MIGVER_MAX)
		return accmdev_mig_bad(v, -EINVAL, "VERSION length");
	if (len - hdr < vlen)
		return 0;
	v->compat = accmdev_migver_check((const char *)buf + hdr, vlen,
					 &t->dst, &v->src);
	if (v->compat != ACCMDEV_COMPAT_OK)
		return accmdev_mig_bad(v, -accmdev_compat_errno(v->compat),
				       "VERSION refused");
	return 1;
}

/* ---- framing ------------------------------------------------------------ */

static int accmdev_mig_note(struct accmdev_mig_recs *r, u32 nqps, u32 tag,
			    u32 flags, const u8 *body, u32 len,
			    struct accmdev_mig_verdict *v)
{
	const struct accmdev_mig_qp *q;
	u32 index;

	switch (tag) {
	case ACCMDEV_MIG_TAG_VERSION:
		if (r->version)
			return accmdev_mig_bad(v, -EINVAL, "VERSION repeated");
		r->version = body;
		r->version_len = len;
		return 0;
	case ACCMDEV_MIG_TAG_DEVICE:
		if (r->device)
			return accmdev_mig_bad(v, -EINVAL, "DEVICE repeated");
		if (len != sizeof(*r->device))
			return accmdev_mig_bad(v, -EINVAL, "DEVICE sized wrong");
		r->device = (const void *)body;
		return 0;
	case ACCMDEV_MIG_TAG_PCI:
		if (r->pci)
			return accmdev_mig_bad(v, -EINVAL, "PCI repeated");
		r->pci = body;
		r->pci_len = len;
		return 0;
	case ACCMDEV_MIG_TAG_QP:
		q = (const void *)body;
		if (len != sizeof(*q))
			return accmdev_mig_bad(v, -EINVAL, "QP sized wrong");
		index = le32_to_cpu(q->index);
		if (index >= nqps)
			return accmdev_mig_bad(v, -EINVAL,
					       "QP index out of range");
		if (r->qp[index])
			return accmdev_mig_bad(v, -EINVAL, "QP repeated");
		r->qp[index] = q;
		r->nr_qp++;
		return 0;
	}
	if (flags & ACCMDEV_MIG_F_OPTIONAL)
		return 0;
	return accmdev_mig_bad(v, -EOPNOTSUPP, "unknown mandatory record");
}

/*
 * Every record fits, has zero padding and known flags, and END comes
 * last, with the right record count and CRC over everything before it,
 * and nothing after it. The header was checked.
 */
static int accmdev_mig_frame(const u8 *buf, size_t len, u32 nqps,
			     struct accmdev_mig_recs *r,
			     struct accmdev_mig_verdict *v)
{
	size_t off = PREAMBLE_SIZE, body, padded;
	const struct accmdev_mig_rec *rec;
	const struct accmdev_mig_end *end;
	unsigned int records = 0;
	u32 tag, flags, rlen;
	int ret;

	for (;;) {
		if (len - off < REC_HDR_SIZE)
			return accmdev_mig_bad(v, -ENODATA, "stream truncated");
		rec = (const void *)(buf + off);
		tag = le32_to_cpu(rec->tag);
		flags = le32_to_cpu(rec->flags);
		rlen = le32_to_cpu(rec->len);
		body = off + REC_HDR_SIZE;
		if (rec->rsvd || flags & ~ACCMDEV_MIG_F_OPTIONAL)
			return accmdev_mig_bad(v, -EINVAL, "record header");
		padded = ALIGN((size_t)rlen, ACCMDEV_MIG_ALIGN);
		if (padded > len - body)
			return accmdev_mig_bad(v, -ENODATA, "stream truncated");
		if (memchr_inv(buf + body + rlen, 0, padded - rlen))
			return accmdev_mig_bad(v, -EINVAL, "record padding");
		if (tag == ACCMDEV_MIG_TAG_END)
			break;
		ret = accmdev_mig_note(r, nqps, tag, flags, buf + body, rlen, v);
		if (ret)
			return ret;
		records++;
		off = body + padded;
	}

	end = (const void *)(buf + body);
	if (rlen != sizeof(*end) || flags)
		return accmdev_mig_bad(v, -EINVAL, "END sized wrong");
	if (body + padded != len)
		return accmdev_mig_bad(v, -EINVAL, "bytes after END");
	if (le32_to_cpu(end->records) != records)
		return accmdev_mig_bad(v, -EINVAL, "END record count");
	if (le32_to_cpu(end->crc32c) != accmdev_mig_crc(buf, off))
		return accmdev_mig_bad(v, -EBADMSG, "CRC32C mismatch");
	return 0;
}

/* ---- content ------------------------------------------------------------ */

static bool accmdev_adler_ok(u32 sum)
{
	return (sum & 0xffff) < 65521 && (sum >> 16) < 65521;
}

static bool accmdev_mig_sha_zero(const struct accmdev_mig_qp_state *q)
{
	return !q->sha_count &&
	       !memchr_inv(q->sha_state, 0, sizeof(q->sha_state)) &&
	       !memchr_inv(q->sha_buf, 0, sizeof(q->sha_buf));
}

/* A QP's open stream: only what the engine can leave. NULL if it can. */
static const char *accmdev_mig_ctx_rule(const struct accmdev_mig_qp_state *q,
					u32 algs)
{
	u32 op = q->ctx_op;

	if (!op) {
		if (q->ctx_sum || q->ctx_bytes || !accmdev_mig_sha_zero(q))
			return "QP context without an open stream";
		return NULL;
	}
	if (op > ACCMDEV_OP_COUNT || !accmdev_op_streams(op - 1))
		return "QP context opcode does not stream";
	if (!(algs & BIT(op - 1)))
		return "QP context opcode not in the model";
	if (!q->enabled)
		return "QP context on a disabled QP";
	if (op - 1 == ACCMDEV_OP_SHA256 || op - 1 == ACCMDEV_OP_SHA224) {
		if (q->ctx_sum || q->sha_count != q->ctx_bytes)
			return "QP SHA context inconsistent";
		return NULL;
	}
	if (!accmdev_mig_sha_zero(q))
		return "QP checksum context holds SHA state";
	if (op - 1 == ACCMDEV_OP_ADLER32 && !accmdev_adler_ok(q->ctx_sum))
		return "QP Adler-32 sum out of range";
	return NULL;
}

static const char * const accmdev_mig_ring_rules[] = {
	[ACCMDEV_QP_ERR_RING_SIZE]	= "QP ring size",
	[ACCMDEV_QP_ERR_RING_ALIGN]	= "QP ring alignment",
	[ACCMDEV_QP_ERR_RING_RANGE]	= "QP ring wraps the IOVA space",
	[ACCMDEV_QP_ERR_RING_OVERLAP]	= "QP rings overlap",
};

/* The rule a QP state breaks, or NULL if the device could hold it. */
static const char *accmdev_mig_qp_rule(const struct accmdev_mig_qp_state *q,
				       u32 algs)
{
	u32 ring;

	if (q->enabled > 1)
		return "QP enabled not 0 or 1";
	if (q->cq_phase > 1)
		return "QP cq_phase not 0 or 1";
	if (q->error > ACCMDEV_QP_ERR_LAST)
		return "QP error code unknown";
	if (q->enabled) {
		/* Enabled rings passed these checks when they were enabled. */
		ring = accmdev_rings_check(q->sq_base, q->sq_size, q->cq_base,
					   q->cq_size);
		if (ring != ACCMDEV_QP_ERR_NONE)
			return accmdev_mig_ring_rules[ring];
		if (q->sq_tail >= q->sq_size)
			return "QP sq_tail beyond the ring";
		if (q->sq_head >= q->sq_size)
			return "QP sq_head beyond the ring";
		if (q->cq_tail >= q->cq_size)
			return "QP cq_tail beyond the ring";
		if (q->cq_head >= q->cq_size)
			return "QP cq_head beyond the ring";
	} else if (q->sq_tail || q->sq_head || q->cq_tail || q->cq_head ||
		   q->seq || q->cq_phase != 1) {
		/* Disabling a QP clears its run state. */
		return "QP disabled with run state";
	}
	return accmdev_mig_ctx_rule(q, algs);
}

static void accmdev_mig_take_qp(struct accmdev_mig_qp_state *q,
				const struct accmdev_mig_qp *r)
{
	unsigned int i;

	q->enabled = le32_to_cpu(r->enabled);
	q->sq_base = le64_to_cpu(r->sq_base);
	q->cq_base = le64_to_cpu(r->cq_base);
	q->sq_size = le32_to_cpu(r->sq_size);
	q->cq_size = le32_to_cpu(r->cq_size);
	q->error = le32_to_cpu(r->error);
	q->sq_tail = le32_to_cpu(r->sq_tail);
	q->sq_head = le32_to_cpu(r->sq_head);
	q->cq_tail = le32_to_cpu(r->cq_tail);
	q->cq_head = le32_to_cpu(r->cq_head);
	q->cq_phase = le32_to_cpu(r->cq_phase);
	q->seq = le32_to_cpu(r->seq);
	q->irq_count = le32_to_cpu(r->irq_count);
	q->done_count = le32_to_cpu(r->done_count);
	q->fail_count = le32_to_cpu(r->fail_count);
	q->ctx_op = le32_to_cpu(r->ctx_op);
	q->ctx_sum = le32_to_cpu(r->ctx_sum);
	q->ctx_bytes = le64_to_cpu(r->ctx_bytes);
	for (i = 0; i < ARRAY_SIZE(q->sha_state); i++)
		q->sha_state[i] = le32_to_cpu(r->sha_state[i]);
	q->sha_count = le64_to_cpu(r->sha_count);
	memcpy(q->sha_buf, r->sha_buf, sizeof(q->sha_buf));
}

/* The DEVICE record describes the device its VERSION announced. */
static int accmdev_mig_take_device(const struct accmdev_mig_device *d,
				   const struct accmdev_mig_target *t,
				   const struct accmdev_migver *src,
				   struct accmdev_mig_image *img,
				   struct accmdev_mig_verdict *v)
{
	if (d->rsvd0 || d->rsvd1)
		return accmdev_mig_bad(v, -EINVAL, "DEVICE reserved field set");
	if (le16_to_cpu(d->device_id) != t->device_id)
		return accmdev_mig_bad(v, -EINVAL, "DEVICE device_id differs");
	if (le32_to_cpu(d->rev) != src->rev || src->rev != t->dst.rev)
		return accmdev_mig_bad(v, -EINVAL,
				       "DEVICE rev disagrees with VERSION");
	if (le32_to_cpu(d->nqps) != src->qps || src->qps != t->dst.qps)
		return accmdev_mig_bad(v, -EINVAL,
				       "DEVICE nqps disagrees with VERSION");
	if (le32_to_cpu(d->algs) != src->algs || src->algs & ~t->dst.algs)
		return accmdev_mig_bad(v, -EINVAL,
				       "DEVICE algs disagree with VERSION");
	if (le32_to_cpu(d->rr) >= t->dst.qps)
		return accmdev_mig_bad(v, -EINVAL, "DEVICE rr out of range");
	img->rr = le32_to_cpu(d->rr);
	return 0;
}

/*
 * Config space keeps every bit a write cannot change at its power-on
 * value; each MSI-X entry of the first nqps holds only what a write can
 * leave there. Entries beyond nqps are not carried: power-on values.
 */
static int accmdev_mig_take_pci(const u8 *p, u32 len,
				const struct accmdev_mig_target *t,
				struct accmdev_mig_image *img,
				struct accmdev_mig_verdict *v)
{
	struct accmdev_pci *pci = &img->pci;
	u32 nqps = t->dst.qps;
	unsigned int i;

	if (len != accmdev_mig_pci_len(nqps))
		return accmdev_mig_bad(v, -EINVAL, "PCI sized wrong");
	accmdev_pci_defaults(pci, t->device_id, t->dst.rev, nqps);
	for (i = 0; i < ACCMDEV_MIG_PCI_CFG; i++)
		if ((p[i] ^ pci->cfg[i]) & ~accmdev_cfg_wmask[i])
			return accmdev_mig_bad(v, -EINVAL,
					       "PCI read-only config bits differ");
	memcpy(pci->cfg, p, ACCMDEV_MIG_PCI_CFG);
	memcpy(pci->msix, p + ACCMDEV_MIG_PCI_CFG,
	       (size_t)nqps * ACCMDEV_MIG_MSIX_ENTRY);
	for (i = 0; i < nqps; i++) {
		const __le32 *e = pci->msix[i];

		if (le32_to_cpu(e[PCI_MSIX_ENTRY_LOWER_ADDR / 4]) & 3 ||
		    le32_to_cpu(e[PCI_MSIX_ENTRY_VECTOR_CTRL / 4]) &
		    ~PCI_MSIX_ENTRY_CTRL_MASKBIT)
			return accmdev_mig_bad(v, -EINVAL,
					       "PCI MSI-X entry impossible");
	}
	return 0;
}

static int accmdev_mig_decode(const struct accmdev_mig_recs *r,
			      const struct accmdev_mig_target *t,
			      struct accmdev_mig_image *img,
			      struct accmdev_mig_verdict *v)
{
	unsigned int i;
	const char *why;
	int ret;

	if (!r->device)
		return accmdev_mig_bad(v, -EINVAL, "DEVICE missing");
	if (!r->pci)
		return accmdev_mig_bad(v, -EINVAL, "PCI missing");
	/* Each index below nqps at most once: fewer means one is missing. */
	if (r->nr_qp != t->dst.qps)
		return accmdev_mig_bad(v, -EINVAL, "QP missing");

	memset(img, 0, sizeof(*img));
	ret = accmdev_mig_take_device(r->device, t, &v->src, img, v);
	if (!ret)
		ret = accmdev_mig_take_pci(r->pci, r->pci_len, t, img, v);
	if (ret)
		return ret;
	for (i = 0; i < t->dst.qps; i++) {
		accmdev_mig_take_qp(&img->qp[i], r->qp[i]);
		why = accmdev_mig_qp_rule(&img->qp[i], v->src.algs);
		if (why) {
			v->qp = i;
			return accmdev_mig_bad(v, -EINVAL, why);
		}
	}
	return 0;
}

int accmdev_mig_parse(const u8 *buf, size_t len,
		      const struct accmdev_mig_target *t,
		      struct accmdev_mig_image *img,
		      struct accmdev_mig_verdict *v)
{
	struct accmdev_mig_recs r = {};
	int ret;

	if (len > ACCMDEV_MIG_MAX) {
		accmdev_mig_verdict_init(v);
		return accmdev_mig_bad(v, -EFBIG, "stream too long");
	}
	ret = accmdev_mig_parse_header(buf, len, t, v);
	if (ret < 0)
		return ret;
	if (!ret)
		return accmdev_mig_bad(v, -ENODATA, "stream truncated");
	if (!t->dst.qps || t->dst.qps > ACCMDEV_QP_MAX)
		return accmdev_mig_bad(v, -EINVAL, "no such destination");
	ret = accmdev_mig_frame(buf, len, t->dst.qps, &r, v);
	if (ret)
		return ret;
	return accmdev_mig_decode(&r, t, img, v);
}
