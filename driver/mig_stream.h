/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * accmdev migration stream codec: the stream of uapi/accmdev_mig.h,
 * written from a decoded device state and parsed, with every rule
 * checked, back into one (Documentation/migration.rst, "The stream").
 *
 * Pure: no device, no locks, no allocation beyond what the caller hands
 * in, no writable state. The parser reads only the @len bytes it is
 * given, trusts none of them, and either fills a decoded image that the
 * destination can apply as it is, or returns a negative errno and says
 * which rule the stream broke. This header and mig_stream.c are built
 * unchanged into the module (mig.c) and, on a host, into the unit test
 * and libFuzzer target of tests/stream.
 */
#ifndef ACCMDEV_MIG_STREAM_H
#define ACCMDEV_MIG_STREAM_H

#include "migver.h"
#include "rules.h"
#include "uapi/accmdev_mig.h"

/* A queue pair as a stream carries it, in CPU byte order. */
struct accmdev_mig_qp_state {
	u64 sq_base;
	u64 cq_base;
	u32 sq_size;
	u32 cq_size;
	u32 enabled;
	u32 error;
	u32 sq_tail;
	u32 sq_head;
	u32 cq_tail;
	u32 cq_head;
	u32 cq_phase;
	u32 seq;
	u32 irq_count;
	u32 done_count;
	u32 fail_count;
	/* The open stream; the SHA-2 fields are the stream's, not a kernel struct. */
	u32 ctx_op;			/* ACCMDEV_OP_* + 1, 0: none */
	u32 ctx_sum;
	u64 ctx_bytes;
	u32 sha_state[8];
	u64 sha_count;
	u8 sha_buf[64];
};

/* The device model and the worker's position (the DEVICE record). */
struct accmdev_mig_dev_state {
	u16 device_id;
	u32 rev;
	u32 algs;			/* BIT(ACCMDEV_OP_*) */
	u32 nqps;
	u32 rr;
};

/* The destination: the device an incoming stream must describe. */
struct accmdev_mig_target {
	struct accmdev_migver_dst dst;	/* what its migration_version takes */
	u16 device_id;			/* PCI device ID of its model */
};

/* A validated stream, decoded: what the destination applies. */
struct accmdev_mig_image {
	u32 rr;
	struct accmdev_pci pci;		/* MSI-X beyond nqps at power-on */
	struct accmdev_mig_qp_state qp[ACCMDEV_QP_MAX];	/* the first nqps */
};

/* Why a stream was refused, for the caller to log. */
struct accmdev_mig_verdict {
	const char *why;		/* the rule broken, a short phrase */
	int qp;				/* index of the QP record, or -1 */
	enum accmdev_compat compat;	/* "VERSION refused": the class */
	struct accmdev_migver src;	/* what VERSION said, if parsed */
};

/* Bytes of the stream of a device with @nqps QPs and a version of @vlen. */
size_t accmdev_mig_stream_size(u32 nqps, size_t vlen);

/*
 * The early check, on the first bytes of a stream: the preamble and the
 * VERSION record, judged as a write to the target's migration_version.
 * Returns 0 while more bytes are needed, 1 once they are accepted, or a
 * negative errno with @v filled.
 */
int accmdev_mig_parse_header(const u8 *buf, size_t len,
			     const struct accmdev_mig_target *t,
			     struct accmdev_mig_verdict *v);

/*
 * The whole stream: framing, CRC32C, then every record against @t.
 * Returns 0 with @img filled, or a negative errno with @v filled (and
 * @img in an unspecified state).
 */
int accmdev_mig_parse(const u8 *buf, size_t len,
		      const struct accmdev_mig_target *t,
		      struct accmdev_mig_image *img,
		      struct accmdev_mig_verdict *v);

/*
 * Writing. Each put appends to @o and returns false, writing nothing,
 * if the record does not fit. END takes the number of records before it
 * and the CRC32C of every byte before it.
 */
struct accmdev_mig_out {
	u8 *buf;
	size_t size;
	size_t filled;
};

bool accmdev_mig_put_header(struct accmdev_mig_out *o, const char *version,
			    size_t vlen);
bool accmdev_mig_put_device(struct accmdev_mig_out *o,
			    const struct accmdev_mig_dev_state *d);
bool accmdev_mig_put_pci(struct accmdev_mig_out *o,
			 const struct accmdev_pci *pci, u32 nqps);
bool accmdev_mig_put_qp(struct accmdev_mig_out *o, u32 index,
			const struct accmdev_mig_qp_state *q);
bool accmdev_mig_put_end(struct accmdev_mig_out *o, u32 records);

#endif /* ACCMDEV_MIG_STREAM_H */
