// SPDX-License-Identifier: GPL-2.0-only
/*
 * accmdev engine: crc32c, adler32, deflate, inflate, sha256 and sha224
 * over user memory.
 *
 * Input and output move in ACCMDEV_CHUNK pieces between user memory and
 * the device's bounce buffers, through vfio_dma_rw() only: that is the
 * emulated device's DMA, checked against the container's mappings, and
 * it marks written pages dirty for type1 dirty tracking. Nothing here
 * logs on a bad request: the status in the completion says what failed.
 *
 * The zlib calls use the kernel's zlib with caller-provided workspaces,
 * so nothing is allocated per request.
 *
 * Every request runs in steps (engine.h): between two steps the engine
 * yields (cond_resched()) and asks the worker's stop callback whether to
 * go on. A stopped request returns ACCMDEV_ST_STOPPED having changed
 * nothing but the engine's scratch and bytes of its own destination
 * buffer, which a rerun writes again: the caller drops it and runs it
 * again later from its descriptor.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/crc32.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vfio.h>
#include <linux/vmalloc.h>

#include "compat.h"
#include "engine.h"

#define ADLER32_BASE	65521u
/* Largest n such that 255n(n+1)/2 + (n+1)(BASE-1) fits in 32 bits. */
#define ADLER32_NMAX	5552

int accmdev_engine_alloc(struct accmdev_engine *e, u32 algs)
{
	memset(e, 0, sizeof(*e));
	e->in = kvzalloc(ACCMDEV_CHUNK, GFP_KERNEL);
	e->out = kvzalloc(ACCMDEV_CHUNK, GFP_KERNEL);
	if (!e->in || !e->out)
		goto out_free;
	if (algs & BIT(ACCMDEV_OP_DEFLATE)) {
		e->deflate_ws = vzalloc(zlib_deflate_workspacesize(MAX_WBITS,
								   DEF_MEM_LEVEL));
		if (!e->deflate_ws)
			goto out_free;
	}
	if (algs & BIT(ACCMDEV_OP_INFLATE)) {
		e->inflate_ws = vzalloc(zlib_inflate_workspacesize());
		if (!e->inflate_ws)
			goto out_free;
	}
	return 0;

out_free:
	accmdev_engine_free(e);
	return -ENOMEM;
}

void accmdev_engine_free(struct accmdev_engine *e)
{
	vfree(e->inflate_ws);
	vfree(e->deflate_ws);
	kvfree(e->out);
	kvfree(e->in);
	memset(e, 0, sizeof(*e));
}

/* A preemption point between two steps: true if the request must stop. */
static bool accmdev_engine_pause(struct accmdev_engine *e)
{
	cond_resched();
	return e->stop && e->stop(e->stop_arg);
}

/* adler32 (RFC 1950) of @len bytes, continuing from @adler. */
static u32 accmdev_adler32(u32 adler, const u8 *p, size_t len)
{
	u32 a = adler & 0xffff, b = adler >> 16;

	while (len) {
		size_t n = min_t(size_t, len, ADLER32_NMAX);

		len -= n;
		while (n--) {
			a += *p++;
			b += a;
		}
		a %= ADLER32_BASE;
		b %= ADLER32_BASE;
	}
	return b << 16 | a;
}

static void accmdev_stream_open(struct accmdev_ctx *ctx, unsigned int op)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->op = op + 1;
	switch (op) {
	case ACCMDEV_OP_CRC32C:
		ctx->sum = ~0u;
		break;
	case ACCMDEV_OP_ADLER32:
		ctx->sum = 1;
		break;
	case ACCMDEV_OP_SHA256:
		accmdev_sha2_init(&ctx->sha, false);
		break;
	case ACCMDEV_OP_SHA224:
		accmdev_sha2_init(&ctx->sha, true);
		break;
	}
}

static void accmdev_stream_feed(struct accmdev_ctx *ctx, const u8 *p,
				unsigned int n)
{
	switch (ctx->op - 1) {
	case ACCMDEV_OP_CRC32C:
		ctx->sum = accmdev_crc32c(ctx->sum, p, n);
		break;
	case ACCMDEV_OP_ADLER32:
		ctx->sum = accmdev_adler32(ctx->sum, p, n);
		break;
	case ACCMDEV_OP_SHA256:
	case ACCMDEV_OP_SHA224:
		accmdev_sha2_update(&ctx->sha,
				    ctx->op - 1 == ACCMDEV_OP_SHA224, p, n);
		break;
	}
	ctx->bytes += n;
}

/* Streaming opcodes: the request's data goes into the QP's stream. */
static u16 accmdev_exec_stream(struct vfio_device *vdev,
			       struct accmdev_engine *e,
			       struct accmdev_ctx *ctx,
			       const struct accmdev_req *req,
			       struct accmdev_cqe *cqe)
{
	__le32 sum;
	u32 off, n;

	if (req->flags & ACCMDEV_SQE_F_FIRST)
		accmdev_stream_open(ctx, req->op);
	else if (ctx->op != req->op + 1u)
		return ACCMDEV_ST_NO_CONTEXT;

	for (off = 0; off < req->src_len; off += n) {
		if (off && accmdev_engine_pause(e))
			return ACCMDEV_ST_STOPPED;
		n = min_t(u32, req->src_len - off, ACCMDEV_CHUNK);
		if (vfio_dma_rw(vdev, req->src + off, e->in, n, false))
			return ACCMDEV_ST_SRC_FAULT;
		accmdev_stream_feed(ctx, e->in, n);
	}

	switch (req->op) {
	case ACCMDEV_OP_CRC32C:
	case ACCMDEV_OP_ADLER32:
		sum = cpu_to_le32(req->op == ACCMDEV_OP_CRC32C ? ~ctx->sum :
				  ctx->sum);
		memcpy(cqe->result, &sum, sizeof(sum));
		cqe->result_len = cpu_to_le32(sizeof(sum));
		break;
	case ACCMDEV_OP_SHA256:
		if (req->flags & ACCMDEV_SQE_F_FINAL) {
			accmdev_sha2_final(&ctx->sha, false, cqe->result);
			cqe->result_len = cpu_to_le32(SHA256_DIGEST_SIZE);
		}
		break;
	case ACCMDEV_OP_SHA224:
		if (req->flags & ACCMDEV_SQE_F_FINAL) {
			accmdev_sha2_final(&ctx->sha, true, cqe->result);
			cqe->result_len = cpu_to_le32(SHA224_DIGEST_SIZE);
		}
		break;
	}
	if (req->flags & ACCMDEV_SQE_F_FINAL)
		memset(ctx, 0, sizeof(*ctx));
	return ACCMDEV_ST_OK;
}

/*
 * Shared by deflate and inflate: keep zs fed from src, at most @step
 * bytes at a time. Returns false on a DMA fault. *in_off counts the
 * bytes of src read so far.
 */
static bool accmdev_z_refill(struct vfio_device *vdev,
			     struct accmdev_engine *e,
			     const struct accmdev_req *req, u32 *in_off,
			     u32 step)
{
	u32 n;

	if (e->zs.avail_in)
		return true;
	if (!e->zin_left) {
		if (*in_off == req->src_len)
			return true;
		n = min_t(u32, req->src_len - *in_off, ACCMDEV_CHUNK);
		if (vfio_dma_rw(vdev, req->src + *in_off, e->in, n, false))
			return false;
		*in_off += n;
		e->zin = e->in;
		e->zin_left = n;
	}
	n = min(e->zin_left, step);
	e->zs.next_in = e->zin;
	e->zs.avail_in = n;
	e->zin += n;
	e->zin_left -= n;
	return true;
}

/* All of src is read and given to zs. */
static bool accmdev_z_in_done(const struct accmdev_engine *e,
			      const struct accmdev_req *req, u32 in_off)
{
	return in_off == req->src_len && !e->zin_left && !e->zs.avail_in;
}

/* Write what zs produced to dst; @all also flushes a partial chunk. */
static u16 accmdev_z_drain(struct vfio_device *vdev, struct accmdev_engine *e,
			   const struct accmdev_req *req, u32 *out_off,
			   bool all)
{
	u32 have = ACCMDEV_CHUNK - e->zs.avail_out;

	if (!have || (e->zs.avail_out && !all))
		return ACCMDEV_ST_OK;
	if (have > req->dst_len - *out_off)
		return ACCMDEV_ST_DST_FULL;
	if (vfio_dma_rw(vdev, req->dst + *out_off, e->out, have, true))
		return ACCMDEV_ST_DST_FAULT;
	*out_off += have;
	e->zs.next_out = e->out;
	e->zs.avail_out = ACCMDEV_CHUNK;
	return ACCMDEV_ST_OK;
}

static u16 accmdev_exec_deflate(struct vfio_device *vdev,
				struct accmdev_engine *e,
				const struct accmdev_req *req, u32 *out_len)
{
	int level = req->param ? req->param : Z_DEFAULT_COMPRESSION;
	z_stream *zs = &e->zs;
	u32 in_off = 0;
	u16 st;
	int ret;

	memset(zs, 0, sizeof(*zs));
	zs->workspace = e->deflate_ws;
	if (zlib_deflateInit2(zs, level, Z_DEFLATED, MAX_WBITS, DEF_MEM_LEVEL,
			      Z_DEFAULT_STRATEGY) != Z_OK)
		return ACCMDEV_ST_INTERNAL;
	zs->next_out = e->out;
	zs->avail_out = ACCMDEV_CHUNK;
	e->zin_left = 0;
	*out_len = 0;
	do {
		if (in_off && accmdev_engine_pause(e))
			return ACCMDEV_ST_STOPPED;
		if (!accmdev_z_refill(vdev, e, req, &in_off,
				      ACCMDEV_DEFLATE_STEP))
			return ACCMDEV_ST_SRC_FAULT;
		ret = zlib_deflate(zs, accmdev_z_in_done(e, req, in_off) ?
				   Z_FINISH : Z_NO_FLUSH);
		/* Z_BUF_ERROR only ever means "no progress": a bug here. */
		if (ret != Z_OK && ret != Z_STREAM_END)
			return ACCMDEV_ST_INTERNAL;
		st = accmdev_z_drain(vdev, e, req, out_len, ret == Z_STREAM_END);
		if (st)
			return st;
	} while (ret != Z_STREAM_END);
	return ACCMDEV_ST_OK;
}

static u16 accmdev_exec_inflate(struct vfio_device *vdev,
				struct accmdev_engine *e,
				const struct accmdev_req *req, u32 *out_len)
{
	z_stream *zs = &e->zs;
	u32 in_off = 0;
	u16 st;
	int ret;

	memset(zs, 0, sizeof(*zs));
	zs->workspace = e->inflate_ws;
	if (zlib_inflateInit2(zs, MAX_WBITS) != Z_OK)
		return ACCMDEV_ST_INTERNAL;
	zs->next_out = e->out;
	zs->avail_out = ACCMDEV_CHUNK;
	e->zin_left = 0;
	*out_len = 0;
	do {
		if (in_off && accmdev_engine_pause(e))
			return ACCMDEV_ST_STOPPED;
		if (!accmdev_z_refill(vdev, e, req, &in_off, ACCMDEV_CHUNK))
			return ACCMDEV_ST_SRC_FAULT;
		ret = zlib_inflate(zs, Z_SYNC_FLUSH);
		/* Z_BUF_ERROR: no progress possible, the input is truncated. */
		if (ret != Z_OK && ret != Z_STREAM_END)
			return ACCMDEV_ST_DATA_ERROR;
		st = accmdev_z_drain(vdev, e, req, out_len, ret == Z_STREAM_END);
		if (st)
			return st;
	} while (ret != Z_STREAM_END);
	/* One stream per request: trailing bytes are an error. */
	if (!accmdev_z_in_done(e, req, in_off))
		return ACCMDEV_ST_DATA_ERROR;
	return ACCMDEV_ST_OK;
}

/*
 * Run one validated request: returns its status, and on success fills
 * @cqe's result and result_len. After a failure the caller closes the
 * QP's stream if it is of the request's opcode, so a stream never
 * continues from a state that half-consumed a request. @ctx is the
 * request's copy of the stream (e->ctx): on ACCMDEV_ST_STOPPED the
 * caller drops it.
 */
u16 accmdev_engine_exec(struct vfio_device *vdev, struct accmdev_engine *e,
			struct accmdev_ctx *ctx, const struct accmdev_req *req,
			struct accmdev_cqe *cqe)
{
	u32 out_len = 0;
	u16 st;

	switch (req->op) {
	case ACCMDEV_OP_DEFLATE:
		st = accmdev_exec_deflate(vdev, e, req, &out_len);
		break;
	case ACCMDEV_OP_INFLATE:
		st = accmdev_exec_inflate(vdev, e, req, &out_len);
		break;
	default:
		/* Writes a result only on success; qp.c closes the stream. */
		return accmdev_exec_stream(vdev, e, ctx, req, cqe);
	}
	cqe->result_len = cpu_to_le32(st ? 0 : out_len);
	return st;
}
