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
#include "compat.h"
#include "rules.h"
#include "uapi/accmdev_regs.h"

struct vfio_device;

/*
 * Requests are read and written in chunks of this size, and a request
 * is bounded between preemption points by bytes: the engine yields and
 * asks whether to stop (struct accmdev_engine's stop) after each step.
 * A step is one chunk of input for crc32c, adler32 and the SHAs (well
 * under a millisecond of CPU each), at most one chunk of output for
 * inflate, and ACCMDEV_DEFLATE_STEP bytes of input for deflate: level 9
 * on adversarial input (random bytes from a two-letter alphabet) costs
 * about 5.5 us a byte (user-space zlib on the build host), so 4 KiB is
 * some 20 ms, about one scheduler period, where a whole chunk would be
 * 350 ms. 64 KiB
 * keeps the vfio_dma_rw() calls per request few and the bounce buffers
 * small enough for kmalloc.
 */
#define ACCMDEV_CHUNK		(64 * 1024)
#define ACCMDEV_DEFLATE_STEP	(4 * 1024)

/*
 * Not a device status: the request was stopped between two steps. It
 * left nothing the device publishes (no completion, no stream context
 * change) and runs again from its descriptor (Documentation/device.rst).
 */
#define ACCMDEV_ST_STOPPED	0xffff

/*
 * A queue pair's open stream. Plain data with no pointers, so that
 * migration can carry it as it is.
 */
struct accmdev_ctx {
	u32 op;				/* ACCMDEV_OP_* + 1, 0: none open */
	u32 sum;			/* crc32c (uninverted) or adler32 */
	u64 bytes;			/* fed since FIRST */
	union accmdev_sha2 sha;		/* sha256 and sha224 */
};

/*
 * Per-device scratch of the worker, allocated at open. Only the device's
 * worker uses it.
 */
struct accmdev_engine {
	u8 *in;				/* ACCMDEV_CHUNK of input */
	u8 *out;			/* ACCMDEV_CHUNK of output */
	void *deflate_ws;		/* zlib workspaces, if in the model */
	void *inflate_ws;
	struct z_stream_s zs;
	const u8 *zin;			/* input read, not yet given to zs */
	u32 zin_left;
	/* The request's copy of its QP's stream, committed on completion. */
	struct accmdev_ctx ctx;
	/* Asked between steps: true stops the request. */
	bool (*stop)(void *arg);
	void *stop_arg;
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
