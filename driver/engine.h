/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * accmdev engine: the algorithms behind the opcodes of
 * uapi/accmdev_regs.h. The engine reads and writes user memory only
 * through vfio_dma_rw() and keeps nothing between requests except the
 * queue pair's stream context, which is plain data.
 */
#ifndef ACCMDEV_ENGINE_H
#define ACCMDEV_ENGINE_H

#include <linux/types.h>
#include <linux/zlib.h>
#include <crypto/sha2.h>

#include "rules.h"
#include "uapi/accmdev_regs.h"

struct vfio_device;

/* Requests are read and written in chunks of this size. */
#define ACCMDEV_CHUNK		(64 * 1024)

/*
 * A queue pair's open stream. Plain data with no pointers, so that
 * migration can carry it as it is.
 */
struct accmdev_ctx {
	u32 op;				/* ACCMDEV_OP_* + 1, 0: none open */
	u32 sum;			/* crc32c (uninverted) or adler32 */
	u64 bytes;			/* fed since FIRST */
	struct sha256_state sha;	/* sha256 and sha224 */
};

/*
 * Per-device scratch of the worker, allocated at open. Only the device's
 * work item uses it, and a work item never runs twice at once.
 */
struct accmdev_engine {
	u8 *in;				/* ACCMDEV_CHUNK of input */
	u8 *out;			/* ACCMDEV_CHUNK of output */
	void *deflate_ws;		/* zlib workspaces, if in the model */
	void *inflate_ws;
	struct z_stream_s zs;
};

/* One decoded, validated request. */
struct accmdev_req {
	u8 op;
	u8 flags;
	u32 param;
	u64 src;
	u64 dst;
	u32 src_len;
	u32 dst_len;
};

int accmdev_engine_alloc(struct accmdev_engine *e, u32 algs);
void accmdev_engine_free(struct accmdev_engine *e);
u16 accmdev_engine_exec(struct vfio_device *vdev, struct accmdev_engine *e,
			struct accmdev_ctx *ctx, const struct accmdev_req *req,
			struct accmdev_cqe *cqe);

#endif /* ACCMDEV_ENGINE_H */
