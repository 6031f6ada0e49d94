/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * accmdev register ABI: what a user-space (or guest) driver of an accmdev
 * device sees. Shared, unchanged, by the kernel module (driver/) and the
 * user-space library and tests (tools/vfio/, tests/bin/). Described in
 * Documentation/device.rst; this header is the reference.
 *
 * Every multi-byte field, in registers and in memory, is little-endian.
 */
#ifndef ACCMDEV_UAPI_REGS_H
#define ACCMDEV_UAPI_REGS_H

#include <linux/types.h>

/* ---- PCI identity --------------------------------------------------- */

/*
 * 0xacce is not a PCI-SIG assigned vendor ID. It is used only by this
 * emulation, which never appears on a physical bus; do not bind a real
 * driver to it.
 */
#define ACCMDEV_PCI_VENDOR_ID		0xacce
#define ACCMDEV_PCI_DEVICE_ZIP		0x0001	/* compression engine */
#define ACCMDEV_PCI_DEVICE_SEC		0x0002	/* hash engine */
#define ACCMDEV_PCI_CLASS		0x120000 /* processing accelerator */
/* The revision ID is the device model revision (the type's). */

/* ---- BARs ------------------------------------------------------------ */

#define ACCMDEV_REGS_BAR		0	/* registers, below */
#define ACCMDEV_REGS_BAR_SIZE		0x4000
#define ACCMDEV_MSIX_BAR		2	/* MSI-X table and PBA */
#define ACCMDEV_MSIX_BAR_SIZE		0x1000
#define ACCMDEV_MSIX_TABLE_OFFSET	0x000
#define ACCMDEV_MSIX_PBA_OFFSET		0x800
#define ACCMDEV_MSIX_CAP_OFFSET		0x40	/* in config space */

/* ---- device registers (BAR0) ------------------------------------------ */

#define ACCMDEV_REG_ID			0x000	/* RO vendor << 16 | device */
#define ACCMDEV_REG_VERSION		0x004	/* RO ACCMDEV_ABI_VERSION */
#define ACCMDEV_REG_REVISION		0x008	/* RO device model revision */
#define ACCMDEV_REG_ALGS		0x00c	/* RO model: BIT(ACCMDEV_OP_*) */
#define ACCMDEV_REG_NUM_QPS		0x010	/* RO queue pairs */
#define ACCMDEV_REG_MAX_SRC		0x014	/* RO ACCMDEV_MAX_SRC_LEN */
#define ACCMDEV_REG_MAX_RING		0x018	/* RO ACCMDEV_RING_MAX */
#define ACCMDEV_REG_STATUS		0x01c	/* RO ACCMDEV_STATUS_* */
#define ACCMDEV_REG_MAX_DST		0x020	/* RO ACCMDEV_MAX_DST_LEN */

#define ACCMDEV_ABI_VERSION		1

#define ACCMDEV_STATUS_READY		(1u << 0) /* open and running */
#define ACCMDEV_STATUS_QP_ERROR		(1u << 1) /* some QP halted */
#define ACCMDEV_STATUS_BUSY		(1u << 2) /* some QP has work */

/* ---- queue-pair registers (BAR0) -------------------------------------- */

#define ACCMDEV_QP_REGS_OFFSET		0x1000
#define ACCMDEV_QP_REGS_STRIDE		0x100
#define ACCMDEV_QP_MAX			16
#define ACCMDEV_QP_REG(qp, reg)		(ACCMDEV_QP_REGS_OFFSET + \
					 (qp) * ACCMDEV_QP_REGS_STRIDE + (reg))

/* Ring programming: writable only while the QP is disabled. */
#define ACCMDEV_QP_SQ_BASE_LO		0x00	/* RW SQ ring IOVA */
#define ACCMDEV_QP_SQ_BASE_HI		0x04
#define ACCMDEV_QP_CQ_BASE_LO		0x08	/* RW CQ ring IOVA */
#define ACCMDEV_QP_CQ_BASE_HI		0x0c
#define ACCMDEV_QP_SQ_SIZE		0x10	/* RW entries, power of two */
#define ACCMDEV_QP_CQ_SIZE		0x14	/* RW entries, power of two */
/* Control and state. */
#define ACCMDEV_QP_ENABLE		0x18	/* RW 1 enable, 0 disable */
#define ACCMDEV_QP_STATUS		0x1c	/* RO ACCMDEV_QP_ST_* */
#define ACCMDEV_QP_ERROR		0x20	/* RO ACCMDEV_QP_ERR_* */
#define ACCMDEV_QP_SQ_TAIL		0x24	/* RW doorbell: next free SQ slot */
#define ACCMDEV_QP_SQ_HEAD		0x28	/* RO next SQ slot to consume */
#define ACCMDEV_QP_CQ_TAIL		0x2c	/* RO next CQ slot to fill */
#define ACCMDEV_QP_CQ_HEAD		0x30	/* RW next CQ slot to read */
#define ACCMDEV_QP_CTX			0x34	/* RW streaming context */
#define ACCMDEV_QP_IRQ_COUNT		0x38	/* RO interrupts raised */
#define ACCMDEV_QP_DONE_COUNT		0x3c	/* RO completions written */
#define ACCMDEV_QP_FAIL_COUNT		0x40	/* RO ... with status != OK */

#define ACCMDEV_QP_ST_ENABLED		(1u << 0)
#define ACCMDEV_QP_ST_ERROR		(1u << 1) /* halted, see ERROR */
#define ACCMDEV_QP_ST_BUSY		(1u << 2) /* SQ_HEAD != SQ_TAIL */
#define ACCMDEV_QP_ST_CQ_FULL		(1u << 3) /* waits for CQ_HEAD */

/*
 * ACCMDEV_QP_CTX reads the opcode of the open stream plus one (0: none).
 * Writing ACCMDEV_QP_CTX_CLEAR closes the stream; other values are
 * ignored.
 */
#define ACCMDEV_QP_CTX_CLEAR		1

/* QP errors: the QP halts until it is disabled and enabled again. */
#define ACCMDEV_QP_ERR_NONE		0
#define ACCMDEV_QP_ERR_RING_SIZE	1 /* size not a power of two in range */
#define ACCMDEV_QP_ERR_RING_ALIGN	2 /* base not ACCMDEV_RING_ALIGN aligned */
#define ACCMDEV_QP_ERR_RING_RANGE	3 /* ring wraps the IOVA space */
#define ACCMDEV_QP_ERR_RING_OVERLAP	4 /* SQ and CQ rings overlap */
#define ACCMDEV_QP_ERR_SQ_TAIL		5 /* doorbell value >= SQ size */
#define ACCMDEV_QP_ERR_CQ_HEAD		6 /* CQ_HEAD value >= CQ size */
#define ACCMDEV_QP_ERR_SQ_READ		7 /* SQ ring not readable */
#define ACCMDEV_QP_ERR_CQ_WRITE		8 /* CQ ring not writable */

/* ---- rings ------------------------------------------------------------ */

#define ACCMDEV_RING_MIN		2
#define ACCMDEV_RING_MAX		4096
#define ACCMDEV_RING_ALIGN		64
/*
 * Largest src_len and dst_len of one request. dst may be larger than src
 * so that deflate of incompressible input (which grows a little) fits.
 */
#define ACCMDEV_MAX_SRC_LEN		(1u << 20)
#define ACCMDEV_MAX_DST_LEN		(2u << 20)

/* Opcodes; ACCMDEV_REG_ALGS has bit n set when opcode n is in the model. */
#define ACCMDEV_OP_CRC32C		0	/* streaming, result __le32 */
#define ACCMDEV_OP_ADLER32		1	/* streaming, result __le32 */
#define ACCMDEV_OP_DEFLATE		2	/* one-shot, zlib format (RFC 1950) */
#define ACCMDEV_OP_INFLATE		3	/* one-shot, zlib format */
#define ACCMDEV_OP_SHA256		4	/* streaming, 32-byte digest */
#define ACCMDEV_OP_SHA224		5	/* streaming, 28-byte digest */
#define ACCMDEV_OP_COUNT		6

/*
 * Streaming opcodes: FIRST opens the QP's stream (closing any open one),
 * no flag continues it, FINAL closes it and returns the digest. Checksums
 * return their value over all data so far in every completion. One-shot
 * opcodes need FIRST | FINAL.
 */
#define ACCMDEV_SQE_F_FIRST		(1u << 0)
#define ACCMDEV_SQE_F_FINAL		(1u << 1)
#define ACCMDEV_SQE_F_ONESHOT		(ACCMDEV_SQE_F_FIRST | ACCMDEV_SQE_F_FINAL)

/* Submission queue entry, 64 bytes. Reserved fields must be zero. */
struct accmdev_sqe {
	__u8	opcode;		/* ACCMDEV_OP_* */
	__u8	flags;		/* ACCMDEV_SQE_F_* */
	__le16	rsvd0;
	__le32	param;		/* deflate: level 1..9, 0 = 6; else 0 */
	__le64	tag;		/* returned in the completion */
	__le64	src;		/* IOVA of the input */
	__le64	dst;		/* IOVA of the output (deflate, inflate), else 0 */
	__le32	src_len;	/* 0..ACCMDEV_MAX_SRC_LEN */
	__le32	dst_len;	/* 0..ACCMDEV_MAX_DST_LEN, 0 unless dst used */
	__le64	rsvd1[3];
};

/*
 * Completion queue entry, 64 bytes. The device writes the entry, then its
 * flags word: an entry is new when its phase bit equals the phase of the
 * current pass over the ring (1 on the first pass, flipped on each wrap).
 */
struct accmdev_cqe {
	__le64	tag;		/* from the SQE */
	__le32	result_len;	/* bytes in result[], or written to dst */
	__le16	status;		/* ACCMDEV_ST_* */
	__le16	flags;		/* ACCMDEV_CQE_F_* */
	__le16	sq_head;	/* SQ_HEAD after this entry was consumed */
	__u8	opcode;		/* from the SQE */
	__u8	rsvd0;
	__le32	seq;		/* completion number since enable, from 1 */
	__le64	rsvd1;
	__u8	result[32];	/* checksum (__le32) or digest */
};

#define ACCMDEV_CQE_F_PHASE		(1u << 0)

#define ACCMDEV_SQE_SIZE		64
#define ACCMDEV_CQE_SIZE		64

/* Completion status. */
#define ACCMDEV_ST_OK			0
#define ACCMDEV_ST_BAD_OPCODE		1  /* unknown opcode */
#define ACCMDEV_ST_UNSUPPORTED		2  /* opcode outside the device model */
#define ACCMDEV_ST_BAD_FLAGS		3  /* unknown or invalid flags */
#define ACCMDEV_ST_BAD_FIELD		4  /* reserved or unused field set */
#define ACCMDEV_ST_BAD_LENGTH		5  /* src_len or dst_len above limit */
#define ACCMDEV_ST_BAD_ADDR		6  /* range wraps or dst overlaps */
#define ACCMDEV_ST_SRC_FAULT		7  /* src not mapped readable */
#define ACCMDEV_ST_DST_FAULT		8  /* dst not mapped writable */
#define ACCMDEV_ST_DST_FULL		9  /* output longer than dst_len */
#define ACCMDEV_ST_DATA_ERROR		10 /* inflate: corrupt or truncated */
#define ACCMDEV_ST_NO_CONTEXT		11 /* no open stream of this opcode */
#define ACCMDEV_ST_INTERNAL		12 /* engine failure (a driver bug) */

#endif /* ACCMDEV_UAPI_REGS_H */
