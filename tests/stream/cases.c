// SPDX-License-Identifier: GPL-2.0-only
/*
 * Hand-built migration streams; see cases.h. Everything here follows
 * Documentation/migration.rst, Documentation/device.rst and the uAPI
 * headers, not the driver's code.
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/pci_regs.h>

#include "accref.h"
#include "cases.h"

#define OP(name)	(1u << ACCMDEV_OP_##name)

static const char * const alg_names[ACCMDEV_OP_COUNT] = {
	"crc32c", "adler32", "deflate", "inflate", "sha256", "sha224",
};

int sc_version(const struct sc_model *m, char *buf, size_t size)
{
	const char *kind = m->device_id == ACCMDEV_PCI_DEVICE_SEC ? "sec" : "zip";
	int n = snprintf(buf, size, "accmdev/1.0;kind=%s;rev=%u;qps=%u;algs=",
			 kind, m->rev, m->nqps);
	const char *sep = "";

	for (unsigned int i = 0; i < ACCMDEV_OP_COUNT; i++) {
		if (!(m->algs & 1u << i))
			continue;
		n += snprintf(buf + n, size - n, "%s%s", sep, alg_names[i]);
		sep = ",";
	}
	return n;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v & 0xff;
	p[1] = v >> 8;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v & 0xffff);
	put16(p + 2, v >> 16);
}

/*
 * Config space as a driver leaves it: power-on values (device.rst) with
 * the writable bits a driver sets (command, BARs, interrupt line, MSI-X
 * enable), and an MSI-X entry per QP, QP 0's unmasked.
 */
static void init_pci(struct sc_stream *s)
{
	uint8_t *c = s->pci, *e;

	put16(c + PCI_VENDOR_ID, ACCMDEV_PCI_VENDOR_ID);
	put16(c + PCI_DEVICE_ID, s->m.device_id);
	put16(c + PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	put16(c + PCI_STATUS, PCI_STATUS_CAP_LIST);
	c[PCI_REVISION_ID] = s->m.rev;
	put32(c + PCI_CLASS_REVISION, ACCMDEV_PCI_CLASS << 8 | s->m.rev);
	c[PCI_CACHE_LINE_SIZE] = 0x10;
	put32(c + PCI_BASE_ADDRESS_0, 0xfebf0000);
	put32(c + PCI_BASE_ADDRESS_2, 0xfebf4000);
	put16(c + PCI_SUBSYSTEM_VENDOR_ID, ACCMDEV_PCI_VENDOR_ID);
	put16(c + PCI_SUBSYSTEM_ID, s->m.device_id);
	c[PCI_CAPABILITY_LIST] = ACCMDEV_MSIX_CAP_OFFSET;
	c[PCI_INTERRUPT_LINE] = 11;
	c += ACCMDEV_MSIX_CAP_OFFSET;
	c[PCI_CAP_LIST_ID] = PCI_CAP_ID_MSIX;
	put16(c + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE | (s->m.nqps - 1));
	put32(c + PCI_MSIX_TABLE, ACCMDEV_MSIX_TABLE_OFFSET | ACCMDEV_MSIX_BAR);
	put32(c + PCI_MSIX_PBA, ACCMDEV_MSIX_PBA_OFFSET | ACCMDEV_MSIX_BAR);
	for (uint32_t i = 0; i < s->m.nqps; i++) {
		e = s->pci + ACCMDEV_MIG_PCI_CFG + i * ACCMDEV_MIG_MSIX_ENTRY;
		put32(e + PCI_MSIX_ENTRY_LOWER_ADDR, 0xfee00000 + 0x1000 * i);
		put32(e + PCI_MSIX_ENTRY_DATA, 0x4020 + i);
		put32(e + PCI_MSIX_ENTRY_VECTOR_CTRL,
		      i ? PCI_MSIX_ENTRY_CTRL_MASKBIT : 0);
	}
}

/* A disabled QP that was never enabled, or reset. */
static void init_qp_off(struct accmdev_mig_qp *q, uint32_t i)
{
	memset(q, 0, sizeof(*q));
	q->index = htole32(i);
	q->cq_phase = htole32(1);
}

/*
 * QP 0: enabled, work pending on the SQ, completions unread, and an
 * open stream: SHA-256 on a hash engine, CRC32C on a compression one.
 * QP 1: disabled, with ring programming, a stale ring error and counts.
 * QP 2: enabled, on its second pass over the CQ, no stream open.
 */
static void init_qps(struct sc_stream *s)
{
	struct accmdev_mig_qp *q = &s->qp[0];

	for (uint32_t i = 0; i < s->m.nqps; i++)
		init_qp_off(&s->qp[i], i);

	q->enabled = htole32(1);
	q->sq_base = htole64(0x100000);
	q->cq_base = htole64(0x200000);
	q->sq_size = htole32(16);
	q->cq_size = htole32(32);
	q->sq_tail = htole32(5);
	q->sq_head = htole32(3);
	q->cq_tail = htole32(3);
	q->cq_head = htole32(1);
	q->seq = htole32(3);
	q->irq_count = htole32(2);
	q->done_count = htole32(3);
	if (s->m.algs & OP(SHA256)) {
		q->ctx_op = htole32(ACCMDEV_OP_SHA256 + 1);
		q->ctx_bytes = htole64(100);
		q->sha_count = htole64(100);
		for (unsigned int i = 0; i < 8; i++)
			q->sha_state[i] = htole32(0x01010101u * (i + 1));
		memset(q->sha_buf, 0x5a, 36);
	} else if (s->m.algs & OP(CRC32C)) {
		q->ctx_op = htole32(ACCMDEV_OP_CRC32C + 1);
		q->ctx_sum = htole32(0x12345678);
		q->ctx_bytes = htole64(100);
	}

	if (s->m.nqps > 1) {
		q = &s->qp[1];
		q->sq_base = htole64(0x300000);
		q->cq_base = htole64(0x300000);
		q->sq_size = htole32(3);
		q->error = htole32(ACCMDEV_QP_ERR_RING_SIZE);
		q->done_count = htole32(7);
		q->fail_count = htole32(1);
	}
	if (s->m.nqps > 2) {
		q = &s->qp[2];
		q->enabled = htole32(1);
		q->sq_base = htole64(0x400000);
		q->cq_base = htole64(0x500000);
		q->sq_size = htole32(ACCMDEV_RING_MIN);
		q->cq_size = htole32(ACCMDEV_RING_MAX);
		q->cq_tail = htole32(40 % ACCMDEV_RING_MAX);
		q->cq_head = htole32(40 % ACCMDEV_RING_MAX);
		q->cq_phase = 0;
		q->seq = htole32(40);
	}
}

static void add_rec(struct sc_stream *s, uint32_t tag, const void *body,
		    uint32_t len)
{
	s->rec[s->nrec++] = (struct sc_rec){ .tag = tag, .body = body, .len = len };
}

void sc_init(struct sc_stream *s, const struct sc_model *m)
{
	memset(s, 0, sizeof(*s));
	s->m = *m;
	s->pre.magic = htole64(ACCMDEV_MIG_MAGIC);
	s->pre.major = htole16(1);
	s->vlen = sc_version(m, s->version, sizeof(s->version));
	s->dev.device_id = htole16(m->device_id);
	s->dev.rev = htole32(m->rev);
	s->dev.algs = htole32(m->algs);
	s->dev.nqps = htole32(m->nqps);
	s->dev.rr = htole32(m->nqps - 1);
	init_pci(s);
	init_qps(s);
	add_rec(s, ACCMDEV_MIG_TAG_VERSION, s->version, s->vlen);
	add_rec(s, ACCMDEV_MIG_TAG_DEVICE, &s->dev, sizeof(s->dev));
	add_rec(s, ACCMDEV_MIG_TAG_PCI, s->pci, ACCMDEV_MIG_PCI_CFG +
		m->nqps * ACCMDEV_MIG_MSIX_ENTRY);
	for (uint32_t i = 0; i < m->nqps; i++)
		add_rec(s, ACCMDEV_MIG_TAG_QP, &s->qp[i], sizeof(s->qp[i]));
	s->end_len = sizeof(struct accmdev_mig_end);
}

static size_t put_rec(uint8_t *out, size_t at, const struct sc_rec *r,
		      uint32_t body_len)
{
	struct accmdev_mig_rec h = {
		.tag = htole32(r->tag), .flags = htole32(r->flags),
		.len = htole32(r->len), .rsvd = htole32(r->rsvd),
	};
	size_t padded = (body_len + 7) & ~(size_t)7;

	memcpy(out + at, &h, sizeof(h));
	at += sizeof(h);
	memset(out + at, r->pad, padded);
	if (r->body)
		memcpy(out + at, r->body, body_len);
	return at + padded;
}

size_t sc_layout(const struct sc_stream *s, uint8_t *out)
{
	size_t len = sizeof(s->pre);
	struct accmdev_mig_end end;
	struct sc_rec e = {
		.tag = ACCMDEV_MIG_TAG_END, .flags = s->end_flags,
		.len = s->end_len, .body = &end,
	};
	uint8_t end_body[32] = {0};

	memcpy(out, &s->pre, sizeof(s->pre));
	for (unsigned int i = 0; i < s->nrec; i++) {
		const struct sc_rec *r = &s->rec[i];
		/* A length past the end of the stream is only claimed. */
		uint32_t body = r->len > 8192 ? 0 : r->len;

		len = put_rec(out, len, r, body);
	}
	if (!s->no_end) {
		end.records = htole32(s->nrec + s->end_count_delta);
		end.crc32c = htole32(ref_crc32c(out, len) ^ s->crc_xor);
		memcpy(end_body, &end, sizeof(end));
		e.body = end_body;
		len = put_rec(out, len, &e, s->end_len <= sizeof(end_body) ?
			      s->end_len : 0);
	}
	memset(out + len, 0, s->trailing);
	len += s->trailing;
	return s->cut && s->cut < len ? s->cut : len;
}

const struct sc_model sc_models[] = {
	{ ACCMDEV_PCI_DEVICE_ZIP, 2, OP(CRC32C) | OP(ADLER32) | OP(DEFLATE) |
	  OP(INFLATE), 2 },
	{ ACCMDEV_PCI_DEVICE_SEC, 1, OP(SHA256) | OP(SHA224), 4 },
	{ ACCMDEV_PCI_DEVICE_ZIP, 1, OP(CRC32C) | OP(DEFLATE) | OP(INFLATE), 1 },
	{ ACCMDEV_PCI_DEVICE_ZIP, 2, OP(CRC32C) | OP(ADLER32) | OP(DEFLATE) |
	  OP(INFLATE), ACCMDEV_QP_MAX },
};

const unsigned int sc_nmodels = sizeof(sc_models) / sizeof(sc_models[0]);

bool sc_applies(const struct sc_case *c, const struct sc_model *m)
{
	return (m->algs & c->needs) == c->needs && m->nqps >= c->min_qps;
}

size_t sc_build(const struct sc_model *m, const struct sc_case *c,
		uint8_t *out)
{
	static struct sc_stream s;

	sc_init(&s, m);
	if (c->edit)
		c->edit(&s);
	return sc_layout(&s, out);
}

const char *sc_errname(int err)
{
	switch (err) {
	case 0: return "0";
	case EINVAL: return "EINVAL";
	case EPROTO: return "EPROTO";
	case EXDEV: return "EXDEV";
	case ERANGE: return "ERANGE";
	case ENOEXEC: return "ENOEXEC";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ENODATA: return "ENODATA";
	case EBADMSG: return "EBADMSG";
	case EFBIG: return "EFBIG";
	case ENODEV: return "ENODEV";
	default: return "?";
	}
}

/* ---- the edits ------------------------------------------------------- */

static struct sc_rec *rec_of(struct sc_stream *s, uint32_t tag)
{
	for (unsigned int i = 0; i < s->nrec; i++)
		if (s->rec[i].tag == tag)
			return &s->rec[i];
	return NULL;
}

static void drop_rec(struct sc_stream *s, struct sc_rec *r)
{
	unsigned int i = r - s->rec;

	memmove(r, r + 1, (s->nrec - i - 1) * sizeof(*r));
	s->nrec--;
}

/* Insert @r before record @at. */
static void insert_rec(struct sc_stream *s, unsigned int at, struct sc_rec r)
{
	memmove(&s->rec[at + 1], &s->rec[at], (s->nrec - at) * sizeof(r));
	s->rec[at] = r;
	s->nrec++;
}

static void set_version(struct sc_stream *s, const char *v)
{
	s->vlen = strlen(v);
	memcpy(s->version, v, s->vlen);
	rec_of(s, ACCMDEV_MIG_TAG_VERSION)->len = s->vlen;
}

/* The model's version with one field changed. */
static void version_of(struct sc_stream *s, struct sc_model m)
{
	char v[256];

	sc_version(&m, v, sizeof(v));
	set_version(s, v);
}

/* A streaming opcode outside the model. */
static uint32_t op_out(const struct sc_model *m)
{
	return m->algs & OP(SHA256) ? ACCMDEV_OP_CRC32C : ACCMDEV_OP_SHA256;
}

static uint32_t other_alg(const struct sc_model *m)
{
	return op_out(m);
}

#define EDIT(fn)	static void fn(struct sc_stream *s)

EDIT(e_magic) { s->pre.magic ^= htole64(1); }
EDIT(e_pre_rsvd) { s->pre.rsvd = htole32(1); }
EDIT(e_major) { s->pre.major = htole16(2); }
EDIT(e_device_first)
{
	struct sc_rec t = s->rec[0];

	s->rec[0] = s->rec[1];
	s->rec[1] = t;
}
EDIT(e_version_flags) { s->rec[0].flags = ACCMDEV_MIG_F_OPTIONAL; }
EDIT(e_version_rsvd) { s->rec[0].rsvd = 1; }
EDIT(e_version_empty) { s->rec[0].len = 0; }
EDIT(e_version_long)
{
	memset(s->version, 'x', 4096);
	s->vlen = 4096;
	s->rec[0].len = 4096;
}
EDIT(e_version_kind)
{
	struct sc_model m = s->m;

	m.device_id = m.device_id == ACCMDEV_PCI_DEVICE_SEC ?
		      ACCMDEV_PCI_DEVICE_ZIP : ACCMDEV_PCI_DEVICE_SEC;
	m.rev = 1;
	m.algs = m.device_id == ACCMDEV_PCI_DEVICE_SEC ? OP(SHA256) : OP(CRC32C);
	version_of(s, m);
}
EDIT(e_version_qps) { struct sc_model m = s->m; m.nqps++; version_of(s, m); }
EDIT(e_version_rev) { struct sc_model m = s->m; m.rev++; version_of(s, m); }
EDIT(e_version_algs)
{
	struct sc_model m = s->m;

	m.algs |= 1u << other_alg(&m);
	version_of(s, m);
}
EDIT(e_version_format)
{
	char v[256];

	sc_version(&s->m, v, sizeof(v));
	v[8] = '2';	/* "accmdev/2.0;..." */
	set_version(s, v);
}
EDIT(e_version_malformed) { set_version(s, "accmdev/1.0;kind=zip"); }

EDIT(e_rec_rsvd) { s->rec[1].rsvd = 1; }
EDIT(e_rec_flags) { s->rec[1].flags = 2; }
EDIT(e_rec_len_past) { s->rec[s->nrec - 1].len = 0x10000; }
EDIT(e_cut)
{
	static uint8_t buf[SC_STREAM_MAX];

	s->cut = sc_layout(s, buf) - 10;
}
EDIT(e_no_end) { s->no_end = true; }
EDIT(e_padding)
{
	memcpy(s->extra, "future data!", 12);
	insert_rec(s, 1, (struct sc_rec){ .tag = 0x4242,
		   .flags = ACCMDEV_MIG_F_OPTIONAL, .len = 12, .body = s->extra,
		   .pad = 1 });
}
EDIT(e_optional)
{
	memcpy(s->extra, "future data!", 12);
	insert_rec(s, 1, (struct sc_rec){ .tag = 0x4242,
		   .flags = ACCMDEV_MIG_F_OPTIONAL, .len = 12, .body = s->extra });
}
EDIT(e_mandatory)
{
	memcpy(s->extra, "future data!", 12);
	insert_rec(s, 1, (struct sc_rec){ .tag = 0x4242, .len = 12,
		   .body = s->extra });
}
EDIT(e_version_twice) { s->rec[s->nrec++] = s->rec[0]; }
EDIT(e_device_twice) { s->rec[s->nrec++] = s->rec[1]; }
EDIT(e_device_size) { s->rec[1].len = 20; }
EDIT(e_pci_twice) { s->rec[s->nrec++] = s->rec[2]; }
EDIT(e_qp_size) { s->rec[3].len = sizeof(struct accmdev_mig_qp) - 8; }
EDIT(e_qp_twice) { insert_rec(s, 4, s->rec[3]); }
EDIT(e_qp_index) { s->qp[s->m.nqps - 1].index = htole32(s->m.nqps); }
EDIT(e_qp_index_far) { s->qp[s->m.nqps - 1].index = htole32(0xffffffff); }
EDIT(e_end_len) { s->end_len = 16; }
EDIT(e_end_flags) { s->end_flags = ACCMDEV_MIG_F_OPTIONAL; }
EDIT(e_trailing) { s->trailing = 8; }
EDIT(e_end_count) { s->end_count_delta = 1; }
EDIT(e_crc) { s->crc_xor = 1; }
EDIT(e_too_long) { s->trailing = ACCMDEV_MIG_MAX; }

EDIT(e_no_device) { drop_rec(s, rec_of(s, ACCMDEV_MIG_TAG_DEVICE)); }
EDIT(e_no_pci) { drop_rec(s, rec_of(s, ACCMDEV_MIG_TAG_PCI)); }
EDIT(e_no_qp) { s->nrec--; }
EDIT(e_dev_rsvd0) { s->dev.rsvd0 = htole16(1); }
EDIT(e_dev_rsvd1) { s->dev.rsvd1 = htole32(1); }
EDIT(e_dev_id) { s->dev.device_id ^= htole16(3); }
EDIT(e_dev_rev) { s->dev.rev = htole32(s->m.rev + 1); }
EDIT(e_dev_nqps) { s->dev.nqps = htole32(s->m.nqps + 1); }
EDIT(e_dev_algs) { s->dev.algs = htole32(s->m.algs & (s->m.algs - 1)); }
EDIT(e_dev_rr) { s->dev.rr = htole32(s->m.nqps); }
EDIT(e_pci_size) { s->rec[2].len -= ACCMDEV_MIG_MSIX_ENTRY; }
EDIT(e_pci_vendor) { s->pci[PCI_VENDOR_ID] ^= 1; }
EDIT(e_pci_revision) { s->pci[PCI_REVISION_ID] ^= 1; }
EDIT(e_pci_msix_size) { s->pci[ACCMDEV_MSIX_CAP_OFFSET + PCI_MSIX_FLAGS] ^= 1; }
EDIT(e_pci_io) { s->pci[PCI_COMMAND] |= PCI_COMMAND_IO; }
EDIT(e_pci_bar_low) { s->pci[PCI_BASE_ADDRESS_0 + 1] |= 0x20; }
EDIT(e_msix_addr) { s->pci[ACCMDEV_MIG_PCI_CFG + PCI_MSIX_ENTRY_LOWER_ADDR] |= 2; }
EDIT(e_msix_ctrl) { s->pci[ACCMDEV_MIG_PCI_CFG + PCI_MSIX_ENTRY_VECTOR_CTRL] |= 2; }

#define Q0	(&s->qp[0])
#define Q1	(&s->qp[1])
EDIT(e_enabled) { Q0->enabled = htole32(2); }
EDIT(e_phase) { Q0->cq_phase = htole32(2); }
EDIT(e_error) { Q0->error = htole32(ACCMDEV_QP_ERR_CQ_WRITE + 1); }
EDIT(e_sq_npot) { Q0->sq_size = htole32(12); }
EDIT(e_cq_big) { Q0->cq_size = htole32(ACCMDEV_RING_MAX * 2); }
EDIT(e_sq_small) { Q0->sq_size = htole32(1); Q0->sq_tail = 0; Q0->sq_head = 0; }
EDIT(e_sq_align) { Q0->sq_base = htole64(0x100000 + 8); }
EDIT(e_cq_align) { Q0->cq_base = htole64(0x200000 + 32); }
EDIT(e_sq_wrap) { Q0->sq_base = htole64(0xffffffffffffff00ull); }
EDIT(e_cq_wrap) { Q0->cq_base = htole64(0xfffffffffffffc00ull); }
EDIT(e_overlap) { Q0->cq_base = htole64(0x100000 + 15 * ACCMDEV_SQE_SIZE); }
EDIT(e_overlap_same) { Q0->cq_base = Q0->sq_base; }
EDIT(e_sq_tail) { Q0->sq_tail = htole32(16); }
EDIT(e_sq_head) { Q0->sq_head = htole32(0xffffffff); }
EDIT(e_cq_tail) { Q0->cq_tail = htole32(32); }
EDIT(e_cq_head) { Q0->cq_head = htole32(33); }
EDIT(e_off_tail) { Q1->sq_tail = htole32(1); }
EDIT(e_off_cq_head) { Q1->cq_head = htole32(1); }
EDIT(e_off_seq) { Q1->seq = htole32(1); }
EDIT(e_off_phase) { Q1->cq_phase = 0; }
EDIT(e_ctx_none) { Q1->ctx_bytes = htole64(5); }
EDIT(e_ctx_none_sha) { Q1->sha_buf[63] = 1; }
EDIT(e_ctx_op_big) { Q0->ctx_op = htole32(ACCMDEV_OP_COUNT + 1); }
EDIT(e_ctx_op_deflate)
{
	Q0->ctx_op = htole32(ACCMDEV_OP_DEFLATE + 1);
	Q0->ctx_sum = 0;
	Q0->sha_count = 0;
	memset(Q0->sha_state, 0, sizeof(Q0->sha_state));
	memset(Q0->sha_buf, 0, sizeof(Q0->sha_buf));
}
EDIT(e_ctx_op_out)
{
	uint32_t op = op_out(&s->m);

	Q0->ctx_op = htole32(op + 1);
	if (op == ACCMDEV_OP_CRC32C) {
		Q0->sha_count = 0;
		memset(Q0->sha_state, 0, sizeof(Q0->sha_state));
		memset(Q0->sha_buf, 0, sizeof(Q0->sha_buf));
	} else {
		Q0->ctx_sum = 0;
		Q0->sha_count = Q0->ctx_bytes;
	}
}
EDIT(e_ctx_disabled)
{
	init_qp_off(Q1, 1);
	Q1->ctx_op = Q0->ctx_op;
	Q1->ctx_sum = Q0->ctx_sum;
	Q1->ctx_bytes = Q0->ctx_bytes;
	Q1->sha_count = Q0->sha_count;
	memcpy(Q1->sha_state, Q0->sha_state, sizeof(Q1->sha_state));
	memcpy(Q1->sha_buf, Q0->sha_buf, sizeof(Q1->sha_buf));
}
EDIT(e_sha_sum) { Q0->ctx_sum = htole32(1); }
EDIT(e_sha_count) { Q0->sha_count = htole64(101); }
EDIT(e_crc_sha) { Q0->sha_state[3] = htole32(1); }
EDIT(e_adler)
{
	Q0->ctx_op = htole32(ACCMDEV_OP_ADLER32 + 1);
	Q0->ctx_sum = htole32(65521);
}
EDIT(e_adler_ok)
{
	Q0->ctx_op = htole32(ACCMDEV_OP_ADLER32 + 1);
	Q0->ctx_sum = htole32(65520u << 16 | 65520u);
}
EDIT(e_sha224_ok) { Q0->ctx_op = htole32(ACCMDEV_OP_SHA224 + 1); }

#define OK(n, fn, nd, q)	{ n, 0, NULL, -1, SC_LOAD, nd, q, fn }
#define W(n, e, w, fn)		{ n, e, w, -1, SC_WRITE, 0, 1, fn }
#define L(n, e, w, fn)		{ n, e, w, -1, SC_LOAD, 0, 1, fn }
#define LQ(n, w, fn, nd)	{ n, EINVAL, w, 0, SC_LOAD, nd, 1, fn }
#define LQ1(n, w, fn, nd)	{ n, EINVAL, w, 1, SC_LOAD, nd, 2, fn }

const struct sc_case sc_cases[] = {
	/* Streams the destination must take. */
	OK("the valid stream", NULL, 0, 1),
	OK("an unknown optional record", e_optional, 0, 1),
	OK("an Adler-32 sum at its largest", e_adler_ok, OP(ADLER32), 1),
	OK("an open SHA-224 stream", e_sha224_ok, OP(SHA224), 1),

	/* The header: judged on the write that completes it. */
	W("preamble: magic", EINVAL, "preamble", e_magic),
	W("preamble: reserved word set", EINVAL, "preamble", e_pre_rsvd),
	W("preamble: format major 2", EPROTO, "preamble format major", e_major),
	W("DEVICE before VERSION", EINVAL, "VERSION not first", e_device_first),
	W("VERSION record flags", EINVAL, "VERSION record header", e_version_flags),
	W("VERSION record reserved word", EINVAL, "VERSION record header", e_version_rsvd),
	W("VERSION empty", EINVAL, "VERSION length", e_version_empty),
	W("VERSION of 4096 bytes", EINVAL, "VERSION length", e_version_long),
	W("VERSION of the other kind", EXDEV, "VERSION refused", e_version_kind),
	W("VERSION with one QP more", ERANGE, "VERSION refused", e_version_qps),
	W("VERSION of the next revision", ENOEXEC, "VERSION refused", e_version_rev),
	W("VERSION with an algorithm the model lacks", EOPNOTSUPP, "VERSION refused",
	  e_version_algs),
	W("VERSION of format 2.0", EPROTO, "VERSION refused", e_version_format),
	W("VERSION malformed", EINVAL, "VERSION refused", e_version_malformed),
	W("stream longer than ACCMDEV_MIG_MAX", EFBIG, "stream too long", e_too_long),

	/* Framing. */
	L("record header reserved word", EINVAL, "record header", e_rec_rsvd),
	L("record flags unknown", EINVAL, "record header", e_rec_flags),
	L("record length past the end", ENODATA, "stream truncated", e_rec_len_past),
	L("stream cut inside END", ENODATA, "stream truncated", e_cut),
	L("stream without END", ENODATA, "stream truncated", e_no_end),
	L("record padding not zero", EINVAL, "record padding", e_padding),
	L("unknown mandatory record", EOPNOTSUPP, "unknown mandatory record", e_mandatory),
	L("VERSION twice", EINVAL, "VERSION repeated", e_version_twice),
	L("DEVICE twice", EINVAL, "DEVICE repeated", e_device_twice),
	L("DEVICE of 20 bytes", EINVAL, "DEVICE sized wrong", e_device_size),
	L("PCI twice", EINVAL, "PCI repeated", e_pci_twice),
	L("QP of 184 bytes", EINVAL, "QP sized wrong", e_qp_size),
	L("QP 0 twice", EINVAL, "QP repeated", e_qp_twice),
	L("QP index nqps", EINVAL, "QP index out of range", e_qp_index),
	L("QP index 0xffffffff", EINVAL, "QP index out of range", e_qp_index_far),
	L("END of 16 bytes", EINVAL, "END sized wrong", e_end_len),
	L("END flags", EINVAL, "END sized wrong", e_end_flags),
	L("bytes after END", EINVAL, "bytes after END", e_trailing),
	L("END record count one high", EINVAL, "END record count", e_end_count),
	L("CRC32C off by one bit", EBADMSG, "CRC32C mismatch", e_crc),

	/* Records missing, and DEVICE against VERSION and the device. */
	L("no DEVICE", EINVAL, "DEVICE missing", e_no_device),
	L("no PCI", EINVAL, "PCI missing", e_no_pci),
	L("the last QP missing", EINVAL, "QP missing", e_no_qp),
	L("DEVICE rsvd0 set", EINVAL, "DEVICE reserved field set", e_dev_rsvd0),
	L("DEVICE rsvd1 set", EINVAL, "DEVICE reserved field set", e_dev_rsvd1),
	L("DEVICE of another PCI device ID", EINVAL, "DEVICE device_id differs", e_dev_id),
	L("DEVICE rev not VERSION's", EINVAL, "DEVICE rev disagrees with VERSION", e_dev_rev),
	L("DEVICE nqps not VERSION's", EINVAL, "DEVICE nqps disagrees with VERSION",
	  e_dev_nqps),
	L("DEVICE algs not VERSION's", EINVAL, "DEVICE algs disagree with VERSION",
	  e_dev_algs),
	L("DEVICE rr = nqps", EINVAL, "DEVICE rr out of range", e_dev_rr),

	/* PCI: read-only config bits, MSI-X entries. */
	L("PCI one MSI-X entry short", EINVAL, "PCI sized wrong", e_pci_size),
	L("PCI vendor ID", EINVAL, "PCI read-only config bits differ", e_pci_vendor),
	L("PCI revision ID", EINVAL, "PCI read-only config bits differ", e_pci_revision),
	L("PCI MSI-X table size", EINVAL, "PCI read-only config bits differ",
	  e_pci_msix_size),
	L("PCI command: I/O space enable", EINVAL, "PCI read-only config bits differ",
	  e_pci_io),
	L("PCI BAR0 bit inside its size", EINVAL, "PCI read-only config bits differ",
	  e_pci_bar_low),
	L("MSI-X entry 0 address not dword aligned", EINVAL, "PCI MSI-X entry impossible",
	  e_msix_addr),
	L("MSI-X entry 0 reserved control bit", EINVAL, "PCI MSI-X entry impossible",
	  e_msix_ctrl),

	/* QP records: each field out of range. */
	LQ("QP enabled = 2", "QP enabled not 0 or 1", e_enabled, 0),
	LQ("QP cq_phase = 2", "QP cq_phase not 0 or 1", e_phase, 0),
	LQ("QP error code past the last", "QP error code unknown", e_error, 0),
	LQ("SQ of 12 entries", "QP ring size", e_sq_npot, 0),
	LQ("CQ above ACCMDEV_RING_MAX", "QP ring size", e_cq_big, 0),
	LQ("SQ below ACCMDEV_RING_MIN", "QP ring size", e_sq_small, 0),
	LQ("SQ base not 64-byte aligned", "QP ring alignment", e_sq_align, 0),
	LQ("CQ base not 64-byte aligned", "QP ring alignment", e_cq_align, 0),
	LQ("SQ ring past 2^64", "QP ring wraps the IOVA space", e_sq_wrap, 0),
	LQ("CQ ring past 2^64", "QP ring wraps the IOVA space", e_cq_wrap, 0),
	LQ("CQ inside the SQ's last entry", "QP rings overlap", e_overlap, 0),
	LQ("SQ and CQ at one base", "QP rings overlap", e_overlap_same, 0),
	LQ("sq_tail = sq_size", "QP sq_tail beyond the ring", e_sq_tail, 0),
	LQ("sq_head = 0xffffffff", "QP sq_head beyond the ring", e_sq_head, 0),
	LQ("cq_tail = cq_size", "QP cq_tail beyond the ring", e_cq_tail, 0),
	LQ("cq_head = cq_size + 1", "QP cq_head beyond the ring", e_cq_head, 0),
	LQ1("disabled QP with an SQ tail", "QP disabled with run state", e_off_tail, 0),
	LQ1("disabled QP with a CQ head", "QP disabled with run state", e_off_cq_head, 0),
	LQ1("disabled QP with completions", "QP disabled with run state", e_off_seq, 0),
	LQ1("disabled QP in phase 0", "QP disabled with run state", e_off_phase, 0),
	LQ1("no stream but bytes counted", "QP context without an open stream",
	    e_ctx_none, 0),
	LQ1("no stream but SHA bytes buffered", "QP context without an open stream",
	    e_ctx_none_sha, 0),
	LQ("stream opcode past the last", "QP context opcode does not stream",
	   e_ctx_op_big, 0),
	LQ("stream of deflate", "QP context opcode does not stream",
	   e_ctx_op_deflate, 0),
	LQ("stream of an algorithm outside the model", "QP context opcode not in the model",
	   e_ctx_op_out, 0),
	LQ1("open stream on a disabled QP", "QP context on a disabled QP",
	    e_ctx_disabled, 0),
	LQ("SHA-256 stream with a checksum", "QP SHA context inconsistent", e_sha_sum,
	   OP(SHA256)),
	LQ("SHA-256 count not its byte count", "QP SHA context inconsistent",
	   e_sha_count, OP(SHA256)),
	LQ("CRC32C stream with SHA state", "QP checksum context holds SHA state",
	   e_crc_sha, OP(CRC32C)),
	LQ("Adler-32 sum of 65521", "QP Adler-32 sum out of range", e_adler,
	   OP(ADLER32)),
};

const unsigned int sc_ncases = sizeof(sc_cases) / sizeof(sc_cases[0]);
