/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * accmdev migration stream, format 1 (Documentation/migration.rst).
 *
 * The stream a saving data fd produces and a resuming data fd takes is
 * a preamble followed by records. Everything is little endian. Each
 * record is a struct accmdev_mig_rec, then len bytes of payload, then
 * zero bytes up to the next multiple of 8.
 *
 *   preamble          magic, format major.minor
 *   VERSION  record   the source device's migration_version string
 *   DEVICE   record   the device model and the worker's position
 *   PCI      record   config space, then one MSI-X entry per QP
 *   QP       record   one per queue pair, in index order
 *   END      record   record count and CRC32C of every byte before it
 *
 * The preamble and the VERSION record are the first bytes a source
 * produces (its pre-copy data where the kernel has PRE_COPY); the rest
 * follows at stop-copy. A destination checks them on the write that
 * completes them, as a write to its migration_version would, and fails
 * that write with the same errno. The rest is validated as a whole when
 * the device leaves RESUMING, before anything is applied.
 *
 * Records with ACCMDEV_MIG_F_OPTIONAL set and an unknown tag are
 * skipped; an unknown mandatory tag fails the load with EOPNOTSUPP.
 */
#ifndef ACCMDEV_UAPI_MIG_H
#define ACCMDEV_UAPI_MIG_H

#include <linux/types.h>

#define ACCMDEV_MIG_MAGIC	0x53564544434341ULL	/* "ACCDEVS\0" */

/* A stream is never larger than this; a longer one is refused. */
#define ACCMDEV_MIG_MAX		(64 * 1024)
#define ACCMDEV_MIG_ALIGN	8

struct accmdev_mig_preamble {
	__le64 magic;
	__le16 major;		/* ACCMDEV_FORMAT_MAJOR (migver.h) */
	__le16 minor;
	__le32 rsvd;		/* 0 */
};

struct accmdev_mig_rec {
	__le32 tag;		/* ACCMDEV_MIG_TAG_* */
	__le32 flags;		/* ACCMDEV_MIG_F_* */
	__le32 len;		/* payload bytes, without padding */
	__le32 rsvd;		/* 0 */
};

#define ACCMDEV_MIG_F_OPTIONAL	(1u << 0)

#define ACCMDEV_MIG_TAG_VERSION	1	/* string, no newline, no NUL */
#define ACCMDEV_MIG_TAG_DEVICE	2	/* struct accmdev_mig_device */
#define ACCMDEV_MIG_TAG_PCI	3	/* cfg[256] + nqps * 16 MSI-X bytes */
#define ACCMDEV_MIG_TAG_QP	4	/* struct accmdev_mig_qp */
#define ACCMDEV_MIG_TAG_END	0xffff	/* struct accmdev_mig_end */

struct accmdev_mig_device {
	__le16 device_id;	/* PCI device ID of the model */
	__le16 rsvd0;		/* 0 */
	__le32 rev;		/* model revision */
	__le32 algs;		/* BIT(ACCMDEV_OP_*) of the model */
	__le32 nqps;		/* queue pairs */
	__le32 rr;		/* QP the worker serves first next */
	__le32 rsvd1;		/* 0 */
};

#define ACCMDEV_MIG_PCI_CFG	256
#define ACCMDEV_MIG_MSIX_ENTRY	16

/* A queue pair: its registers, ring positions and open stream. */
struct accmdev_mig_qp {
	__le32 index;
	__le32 enabled;		/* 0 or 1 */
	__le64 sq_base;
	__le64 cq_base;
	__le32 sq_size;
	__le32 cq_size;
	__le32 error;		/* ACCMDEV_QP_ERR_* */
	__le32 sq_tail;
	__le32 sq_head;
	__le32 cq_tail;
	__le32 cq_head;
	__le32 cq_phase;	/* 0 or 1 */
	__le32 seq;
	__le32 irq_count;
	__le32 done_count;
	__le32 fail_count;
	/* The open stream (a CRC, Adler-32 or SHA-2 in progress). */
	__le32 ctx_op;		/* ACCMDEV_OP_* + 1, 0: none */
	__le32 ctx_sum;
	__le64 ctx_bytes;
	__le32 sha_state[8];
	__le64 sha_count;
	__u8 sha_buf[64];
};

/*
 * crc32c is the CRC32C (as iSCSI: seed ~0, result inverted) of every
 * stream byte before the END record, preamble included.
 */
struct accmdev_mig_end {
	__le32 records;		/* records before END, VERSION included */
	__le32 crc32c;
};

#endif /* ACCMDEV_UAPI_MIG_H */
