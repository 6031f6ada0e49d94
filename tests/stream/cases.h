/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Hand-built migration streams: a valid stream for a device model, and
 * a table of streams that each break exactly one rule of the format
 * (Documentation/migration.rst), with the errno and the log reason the
 * parser must give. The streams are built here, from the format and the
 * device description, without any driver code: their CRC32C comes from
 * tests/bin/accref.h. The host unit test (tests/stream/test_stream.c)
 * runs the table against driver/mig_stream.c, and tests/bin/streamcases.c
 * against the module in a guest.
 */
#ifndef ACCMDEV_STREAM_CASES_H
#define ACCMDEV_STREAM_CASES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uapi/accmdev_mig.h"
#include "uapi/accmdev_regs.h"

/* The destination device a stream is built for. */
struct sc_model {
	uint16_t device_id;	/* ACCMDEV_PCI_DEVICE_ZIP or _SEC */
	uint32_t rev;
	uint32_t algs;		/* BIT(ACCMDEV_OP_*) */
	uint32_t nqps;		/* 1..ACCMDEV_QP_MAX */
};

#define SC_VERSION_MAX	4100
#define SC_RECS		(ACCMDEV_QP_MAX + 8)
#define SC_PCI_MAX	(ACCMDEV_MIG_PCI_CFG + ACCMDEV_QP_MAX * ACCMDEV_MIG_MSIX_ENTRY)
/* Room for any stream of the table, the oversized one included. */
#define SC_STREAM_MAX	(ACCMDEV_MIG_MAX + 4096)

/* One record as it goes out: a header and a body of len bytes. */
struct sc_rec {
	uint32_t tag, flags, len, rsvd;
	const void *body;
	uint8_t pad;		/* the padding bytes' value (0: valid) */
};

/* A stream before it is laid out: content and records, then END. */
struct sc_stream {
	struct sc_model m;
	struct accmdev_mig_preamble pre;
	char version[SC_VERSION_MAX];
	size_t vlen;
	struct accmdev_mig_device dev;
	uint8_t pci[SC_PCI_MAX];
	struct accmdev_mig_qp qp[ACCMDEV_QP_MAX];
	uint8_t extra[16];		/* body of an added record */
	struct sc_rec rec[SC_RECS];
	unsigned int nrec;
	bool no_end;
	uint32_t end_len;		/* 8 */
	uint32_t end_flags;
	int32_t end_count_delta;	/* added to the true record count */
	uint32_t crc_xor;		/* applied to the true CRC32C */
	size_t trailing;		/* zero bytes after END */
	size_t cut;			/* keep only this many bytes, 0: all */
};

/* Where a refusal shows on a device: the write, or leaving RESUMING. */
enum sc_stage { SC_LOAD, SC_WRITE };

struct sc_case {
	const char *name;
	int err;		/* positive errno; 0: the stream is accepted */
	const char *why;	/* the reason logged; NULL when accepted */
	int qp;			/* the QP record the reason names, or -1 */
	enum sc_stage stage;
	uint32_t needs;		/* algorithms the model must have */
	uint32_t min_qps;	/* queue pairs the model must have */
	void (*edit)(struct sc_stream *s);
};

/* Models the host tests use: every kind, one QP and the most QPs. */
extern const struct sc_model sc_models[];
extern const unsigned int sc_nmodels;

extern const struct sc_case sc_cases[];
extern const unsigned int sc_ncases;

/* Does case @c apply to model @m? */
bool sc_applies(const struct sc_case *c, const struct sc_model *m);

/* The valid stream of @m, as content and records. */
void sc_init(struct sc_stream *s, const struct sc_model *m);

/* Lay @s out in @out (SC_STREAM_MAX bytes); returns its length. */
size_t sc_layout(const struct sc_stream *s, uint8_t *out);

/* sc_init, the case's edit, sc_layout. */
size_t sc_build(const struct sc_model *m, const struct sc_case *c,
		uint8_t *out);

/* The version string of @m, as the device-level migration_version. */
int sc_version(const struct sc_model *m, char *buf, size_t size);

/* "EINVAL" for EINVAL, ... for the errnos of the table. */
const char *sc_errname(int err);

#endif /* ACCMDEV_STREAM_CASES_H */
