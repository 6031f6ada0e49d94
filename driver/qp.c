// SPDX-License-Identifier: GPL-2.0-only
/*
 * accmdev queue pairs: ring registers, the worker that serves the rings,
 * and device open, close and reset.
 *
 * A doorbell (SQ_TAIL or CQ_HEAD write) only records the index and
 * kicks the device's worker, a kthread created at open in the cgroups of
 * the opener (vhost's recipe), so that the cgroup's limits (cpu.max,
 * cpuset) bound the device's work as they bound the guest's vCPUs. The
 * worker serves the QPs round-robin in passes, starting one QP further
 * each pass, at most ACCMDEV_QP_BUDGET descriptors per QP per pass, and
 * kicks itself again while any QP may have more: a busy QP cannot
 * starve the others. For each descriptor
 * it reads the SQ entry, runs it, writes the CQ entry and then its phase
 * bit, and publishes the new indices and the request's stream context.
 * Each QP that completed anything in a pass (or halted on a QP error)
 * gets one interrupt, raised under regs_lock.
 *
 * Bounded control paths. A request runs in steps (engine.h), and the
 * engine asks accmdev_qp_should_stop() between two steps. Whatever stops
 * the worker makes that true first: QP disable clears enabled, CTX_CLEAR
 * sets held, and halt, reset and close clear running. The request in
 * flight then stops at its next step, publishing nothing (its descriptor
 * is not consumed and the stream context is untouched, since it ran on
 * a copy), and the control path waits only for that step: for the
 * worker to leave the QP (adev->busy), or for the worker to return. A
 * stopped request runs again from its descriptor when its QP runs
 * again, here or on a migration destination, since the ring indices and
 * the context that migration carries are those from before it.
 *
 * All device memory access is vfio_dma_rw(), which is atomic against
 * the user's DMA unmaps: a descriptor whose buffers are unmapped while
 * it runs completes with a fault status, and nothing is ever pinned.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/build_bug.h>
#include <linux/kernel.h>
#include <linux/kthread.h>
#include <linux/log2.h>
#include <linux/sched.h>
#include <linux/stddef.h>
#include <linux/string.h>

#include "accmdev.h"
#include "compat.h"

static_assert(ACCMDEV_MAX_TYPE_QPS <= ACCMDEV_QP_MAX);
static_assert(sizeof(struct accmdev_sqe) == ACCMDEV_SQE_SIZE);
static_assert(sizeof(struct accmdev_cqe) == ACCMDEV_CQE_SIZE);
/* Opcode n is bit n of the model's algorithm mask. */
static_assert(ACCMDEV_OP_CRC32C == ACCMDEV_ALG_CRC32C);
static_assert(ACCMDEV_OP_ADLER32 == ACCMDEV_ALG_ADLER32);
static_assert(ACCMDEV_OP_DEFLATE == ACCMDEV_ALG_DEFLATE);
static_assert(ACCMDEV_OP_INFLATE == ACCMDEV_ALG_INFLATE);
static_assert(ACCMDEV_OP_SHA256 == ACCMDEV_ALG_SHA256);
static_assert(ACCMDEV_OP_SHA224 == ACCMDEV_ALG_SHA224);
static_assert(ACCMDEV_OP_COUNT == ACCMDEV_ALG_COUNT);

/* What the worker needs to serve one descriptor, taken under regs_lock. */
struct accmdev_slot {
	u64 sqe_iova;
	u64 cqe_iova;
	u64 sq_base, sq_bytes;
	u64 cq_base, cq_bytes;
	u32 sq_next;		/* SQ head once this entry is consumed */
	u32 seq;
	u32 phase;
};

/* ---- ring checks ------------------------------------------------------ */

u32 accmdev_qp_check_rings(const struct accmdev_qp *qp)
{
	return accmdev_rings_check(qp->sq_base, qp->sq_size, qp->cq_base,
				   qp->cq_size);
}

/* Back to "disabled, nothing pending", keeping programming and counters. */
static void accmdev_qp_clear_run(struct accmdev_qp *qp)
{
	qp->enabled = 0;
	qp->error = ACCMDEV_QP_ERR_NONE;
	qp->sq_tail = 0;
	qp->sq_head = 0;
	qp->cq_tail = 0;
	qp->cq_head = 0;
	qp->cq_phase = 1;
	qp->seq = 0;
	qp->held = false;
	memset(&qp->ctx, 0, sizeof(qp->ctx));
}

/* ---- the worker ------------------------------------------------------- */

void accmdev_qp_kick_locked(struct accmdev_device *adev)
{
	lockdep_assert_held(&adev->regs_lock);
	if (adev->running && accmdev_pci_master_enabled(adev)) {
		adev->kicked = true;
		wake_up_process(adev->worker);
	}
}

/* Latch a QP error (the first one wins); the QP stops. */
static void accmdev_qp_fail(struct accmdev_device *adev, struct accmdev_qp *qp,
			    u32 err)
{
	spin_lock(&adev->regs_lock);
	if (qp->enabled && !qp->error)
		qp->error = err;
	spin_unlock(&adev->regs_lock);
}

/*
 * Raise QP @q's interrupt. Under regs_lock, so that whoever clears
 * running under it (halt) sees every interrupt raised before, and none
 * after, from paths that check running first.
 */
static void accmdev_qp_irq_locked(struct accmdev_device *adev, unsigned int q)
{
	lockdep_assert_held(&adev->regs_lock);
	adev->st.qp[q].irq_count++;
	accmdev_irq_signal(adev, q);
}

/*
 * The engine's stop callback, between two steps of a request of the QP
 * in adev->busy: stop if that QP or the device is being stopped.
 */
static bool accmdev_qp_should_stop(void *arg)
{
	struct accmdev_device *adev = arg;
	struct accmdev_qp *qp;
	bool stop;

	spin_lock(&adev->regs_lock);
	qp = adev->busy;
	stop = !adev->running || !qp || !qp->enabled || qp->held;
	spin_unlock(&adev->regs_lock);
	return stop;
}

/*
 * Wait until the worker is not running a request of @qp, which the
 * caller has disabled or held under regs_lock (so the worker starts no
 * new one): at most one step of the request in flight.
 */
static void accmdev_qp_wait_idle(struct accmdev_device *adev,
				 struct accmdev_qp *qp)
{
	lockdep_assert_held(&adev->ctl_lock);
	wait_event(adev->idle_wq, READ_ONCE(adev->busy) != qp);
}

/* Is there a descriptor to serve, and room for its completion? */
static bool accmdev_qp_next_locked(struct accmdev_device *adev,
				   struct accmdev_qp *qp,
				   struct accmdev_slot *s)
{
	lockdep_assert_held(&adev->regs_lock);
	if (!adev->running || !accmdev_pci_master_enabled(adev) ||
	    !qp->enabled || qp->error || qp->held ||
	    qp->sq_head == qp->sq_tail ||
	    ((qp->cq_tail + 1) & (qp->cq_size - 1)) == qp->cq_head)
		return false;
	s->sq_base = qp->sq_base;
	s->sq_bytes = (u64)qp->sq_size * ACCMDEV_SQE_SIZE;
	s->cq_base = qp->cq_base;
	s->cq_bytes = (u64)qp->cq_size * ACCMDEV_CQE_SIZE;
	s->sqe_iova = qp->sq_base + (u64)qp->sq_head * ACCMDEV_SQE_SIZE;
	s->cqe_iova = qp->cq_base + (u64)qp->cq_tail * ACCMDEV_CQE_SIZE;
	s->sq_next = (qp->sq_head + 1) & (qp->sq_size - 1);
	s->seq = qp->seq + 1;
	s->phase = qp->cq_phase;
	return true;
}

/*
 * Check a descriptor and decode it into @req. Checks run in this order,
 * and the first failure is the status (Documentation/device.rst).
 */
static u16 accmdev_qp_decode(struct accmdev_device *adev,
			     const struct accmdev_slot *s,
			     const struct accmdev_sqe *sqe,
			     struct accmdev_req *req)
{
	bool uses_dst;

	if (sqe->rsvd0 || sqe->rsvd1[0] || sqe->rsvd1[1] || sqe->rsvd1[2])
		return ACCMDEV_ST_BAD_FIELD;
	if (sqe->opcode >= ACCMDEV_OP_COUNT)
		return ACCMDEV_ST_BAD_OPCODE;
	if (!(adev->model.algs & BIT(sqe->opcode)))
		return ACCMDEV_ST_UNSUPPORTED;

	req->op = sqe->opcode;
	req->flags = sqe->flags;
	req->param = le32_to_cpu(sqe->param);
	req->src = le64_to_cpu(sqe->src);
	req->dst = le64_to_cpu(sqe->dst);
	req->src_len = le32_to_cpu(sqe->src_len);
	req->dst_len = le32_to_cpu(sqe->dst_len);
	uses_dst = req->op == ACCMDEV_OP_DEFLATE || req->op == ACCMDEV_OP_INFLATE;

	if (req->flags & ~ACCMDEV_SQE_F_ONESHOT ||
	    (!accmdev_op_streams(req->op) &&
	     req->flags != ACCMDEV_SQE_F_ONESHOT))
		return ACCMDEV_ST_BAD_FLAGS;
	if (req->op == ACCMDEV_OP_DEFLATE ? req->param > 9 : req->param)
		return ACCMDEV_ST_BAD_FIELD;
	if (!uses_dst && (req->dst || req->dst_len))
		return ACCMDEV_ST_BAD_FIELD;
	if (req->src_len > ACCMDEV_MAX_SRC_LEN ||
	    req->dst_len > ACCMDEV_MAX_DST_LEN)
		return ACCMDEV_ST_BAD_LENGTH;
	if (!accmdev_range_ok(req->src, req->src_len) ||
	    !accmdev_range_ok(req->dst, req->dst_len))
		return ACCMDEV_ST_BAD_ADDR;
	/* The device never writes over its own rings or its input. */
	if (accmdev_overlap(req->dst, req->dst_len, s->sq_base, s->sq_bytes) ||
	    accmdev_overlap(req->dst, req->dst_len, s->cq_base, s->cq_bytes) ||
	    accmdev_overlap(req->dst, req->dst_len, req->src, req->src_len))
		return ACCMDEV_ST_BAD_ADDR;
	return ACCMDEV_ST_OK;
}

enum accmdev_step {
	ACCMDEV_STEP_DONE,	/* completed and published */
	ACCMDEV_STEP_HALTED,	/* the QP halted on an error */
	ACCMDEV_STEP_STOPPED,	/* stopped; it runs again from its SQE */
};

/* Serve the descriptor of @s, with @qp in adev->busy. */
static enum accmdev_step accmdev_qp_step(struct accmdev_device *adev,
					 struct accmdev_qp *qp,
					 const struct accmdev_slot *s)
{
	struct accmdev_ctx *ctx = &adev->eng.ctx;
	struct accmdev_sqe sqe;
	struct accmdev_cqe cqe = {};
	struct accmdev_req req = {};
	__le16 flags;
	u16 status;

	if (vfio_dma_rw(&adev->vdev, s->sqe_iova, &sqe, sizeof(sqe), false)) {
		accmdev_qp_fail(adev, qp, ACCMDEV_QP_ERR_SQ_READ);
		return ACCMDEV_STEP_HALTED;
	}
	/* The request runs on a copy of the stream: see the top of file. */
	spin_lock(&adev->regs_lock);
	*ctx = qp->ctx;
	spin_unlock(&adev->regs_lock);
	status = accmdev_qp_decode(adev, s, &sqe, &req);
	if (status == ACCMDEV_ST_OK)
		status = accmdev_engine_exec(&adev->vdev, &adev->eng, ctx,
					     &req, &cqe);
	if (status == ACCMDEV_ST_STOPPED)
		return ACCMDEV_STEP_STOPPED;
	/* A failed request of the open stream's opcode closes the stream. */
	if (status != ACCMDEV_ST_OK && ctx->op == sqe.opcode + 1u)
		memset(ctx, 0, sizeof(*ctx));

	cqe.tag = sqe.tag;
	cqe.status = cpu_to_le16(status);
	cqe.sq_head = cpu_to_le16(s->sq_next);
	cqe.opcode = sqe.opcode;
	cqe.seq = cpu_to_le32(s->seq);
	/* The entry first, with the stale phase; then the phase flips. */
	cqe.flags = cpu_to_le16(s->phase ? 0 : ACCMDEV_CQE_F_PHASE);
	flags = cpu_to_le16(s->phase ? ACCMDEV_CQE_F_PHASE : 0);
	if (vfio_dma_rw(&adev->vdev, s->cqe_iova, &cqe, sizeof(cqe), true) ||
	    vfio_dma_rw(&adev->vdev,
			s->cqe_iova + offsetof(struct accmdev_cqe, flags),
			&flags, sizeof(flags), true)) {
		accmdev_qp_fail(adev, qp, ACCMDEV_QP_ERR_CQ_WRITE);
		return ACCMDEV_STEP_HALTED;
	}

	spin_lock(&adev->regs_lock);
	/* A QP disabled meanwhile is being cleared: publish nothing. */
	if (qp->enabled) {
		qp->ctx = *ctx;
		qp->sq_head = s->sq_next;
		qp->cq_tail = (qp->cq_tail + 1) & (qp->cq_size - 1);
		if (!qp->cq_tail)
			qp->cq_phase ^= 1;
		qp->seq = s->seq;
		qp->done_count++;
		if (status != ACCMDEV_ST_OK)
			qp->fail_count++;
	}
	spin_unlock(&adev->regs_lock);
	return ACCMDEV_STEP_DONE;
}

/* Serve up to ACCMDEV_QP_BUDGET descriptors; true if it may have more. */
static bool accmdev_qp_serve(struct accmdev_device *adev, unsigned int q)
{
	struct accmdev_qp *qp = &adev->st.qp[q];
	enum accmdev_step step = ACCMDEV_STEP_DONE;
	struct accmdev_slot s;
	unsigned int done = 0;
	bool irq = false, more;

	for (;;) {
		spin_lock(&adev->regs_lock);
		more = accmdev_qp_next_locked(adev, qp, &s);
		if (more)
			WRITE_ONCE(adev->busy, qp);
		spin_unlock(&adev->regs_lock);
		if (!more)
			break;
		step = accmdev_qp_step(adev, qp, &s);
		spin_lock(&adev->regs_lock);
		WRITE_ONCE(adev->busy, NULL);
		spin_unlock(&adev->regs_lock);
		wake_up_all(&adev->idle_wq);
		if (step != ACCMDEV_STEP_STOPPED)
			irq = true;
		if (step != ACCMDEV_STEP_DONE) {
			more = false;
			break;
		}
		if (++done == ACCMDEV_QP_BUDGET)
			break;
	}
	if (irq) {
		spin_lock(&adev->regs_lock);
		accmdev_qp_irq_locked(adev, q);
		spin_unlock(&adev->regs_lock);
	}
	return more;
}

static void accmdev_qp_pass(struct accmdev_device *adev)
{
	unsigned int i, n, first;
	bool more = false;

	spin_lock(&adev->regs_lock);
	n = adev->model.nqps;
	first = adev->st.rr;
	if (n)
		adev->st.rr = (first + 1) % n;
	spin_unlock(&adev->regs_lock);

	for (i = 0; i < n; i++)
		more |= accmdev_qp_serve(adev, (first + i) % n);

	if (more) {
		spin_lock(&adev->regs_lock);
		accmdev_qp_kick_locked(adev);
		spin_unlock(&adev->regs_lock);
	}
}

/* The device's kthread: a pass per kick, until close stops it. */
static int accmdev_qp_worker(void *arg)
{
	struct accmdev_device *adev = arg;
	bool pass;

	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (kthread_should_stop())
			break;
		spin_lock(&adev->regs_lock);
		pass = adev->kicked;
		adev->kicked = false;
		WRITE_ONCE(adev->in_pass, pass);
		spin_unlock(&adev->regs_lock);
		if (!pass) {
			schedule();
			continue;
		}
		__set_current_state(TASK_RUNNING);
		accmdev_qp_pass(adev);
		spin_lock(&adev->regs_lock);
		WRITE_ONCE(adev->in_pass, false);
		spin_unlock(&adev->regs_lock);
		wake_up_all(&adev->idle_wq);
		cond_resched();
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

/* ---- registers -------------------------------------------------------- */

static u32 accmdev_qp_status_locked(const struct accmdev_qp *qp)
{
	u32 v = 0;

	if (qp->enabled) {
		v |= ACCMDEV_QP_ST_ENABLED;
		if (qp->sq_head != qp->sq_tail)
			v |= ACCMDEV_QP_ST_BUSY;
		if (((qp->cq_tail + 1) & (qp->cq_size - 1)) == qp->cq_head)
			v |= ACCMDEV_QP_ST_CQ_FULL;
	}
	if (qp->error)
		v |= ACCMDEV_QP_ST_ERROR;
	return v;
}

u32 accmdev_dev_status_locked(struct accmdev_device *adev)
{
	unsigned int i;
	u32 v = 0;

	lockdep_assert_held(&adev->regs_lock);
	if (adev->running)
		v |= ACCMDEV_STATUS_READY;
	for (i = 0; i < adev->model.nqps; i++) {
		u32 qs = accmdev_qp_status_locked(&adev->st.qp[i]);

		if (qs & ACCMDEV_QP_ST_ERROR)
			v |= ACCMDEV_STATUS_QP_ERROR;
		if (qs & ACCMDEV_QP_ST_BUSY)
			v |= ACCMDEV_STATUS_BUSY;
	}
	return v;
}

/* A QP register; QPs beyond the device's own read as zero. */
u32 accmdev_qp_reg_read_locked(struct accmdev_device *adev, unsigned int q,
			       unsigned int reg)
{
	struct accmdev_qp *qp = &adev->st.qp[q];

	lockdep_assert_held(&adev->regs_lock);
	if (q >= adev->model.nqps)
		return 0;
	switch (reg) {
	case ACCMDEV_QP_SQ_BASE_LO:
		return lower_32_bits(qp->sq_base);
	case ACCMDEV_QP_SQ_BASE_HI:
		return upper_32_bits(qp->sq_base);
	case ACCMDEV_QP_CQ_BASE_LO:
		return lower_32_bits(qp->cq_base);
	case ACCMDEV_QP_CQ_BASE_HI:
		return upper_32_bits(qp->cq_base);
	case ACCMDEV_QP_SQ_SIZE:
		return qp->sq_size;
	case ACCMDEV_QP_CQ_SIZE:
		return qp->cq_size;
	case ACCMDEV_QP_ENABLE:
		return qp->enabled;
	case ACCMDEV_QP_STATUS:
		return accmdev_qp_status_locked(qp);
	case ACCMDEV_QP_ERROR:
		return qp->error;
	case ACCMDEV_QP_SQ_TAIL:
		return qp->sq_tail;
	case ACCMDEV_QP_SQ_HEAD:
		return qp->sq_head;
	case ACCMDEV_QP_CQ_TAIL:
		return qp->cq_tail;
	case ACCMDEV_QP_CQ_HEAD:
		return qp->cq_head;
	case ACCMDEV_QP_CTX:
		/* Written only under regs_lock (the worker commits a copy). */
		return qp->ctx.op;
	case ACCMDEV_QP_IRQ_COUNT:
		return qp->irq_count;
	case ACCMDEV_QP_DONE_COUNT:
		return qp->done_count;
	case ACCMDEV_QP_FAIL_COUNT:
		return qp->fail_count;
	}
	return 0;
}

static void accmdev_qp_set_enable(struct accmdev_device *adev,
				  struct accmdev_qp *qp, u32 val)
{
	mutex_lock(&adev->ctl_lock);
	if (val & 1) {
		spin_lock(&adev->regs_lock);
		if (!qp->enabled) {
			u32 err = accmdev_qp_check_rings(qp);

			accmdev_qp_clear_run(qp);
			qp->error = err;
			qp->enabled = !err;
			/* Like every QP error, unless the device is stopped. */
			if (err && adev->running)
				accmdev_qp_irq_locked(adev, qp - adev->st.qp);
		}
		spin_unlock(&adev->regs_lock);
	} else {
		spin_lock(&adev->regs_lock);
		qp->enabled = 0;
		spin_unlock(&adev->regs_lock);
		/* The request in flight stops at its next step. */
		accmdev_qp_wait_idle(adev, qp);
		spin_lock(&adev->regs_lock);
		accmdev_qp_clear_run(qp);
		spin_unlock(&adev->regs_lock);
	}
	mutex_unlock(&adev->ctl_lock);
}

static void accmdev_qp_clear_ctx(struct accmdev_device *adev,
				 struct accmdev_qp *qp)
{
	mutex_lock(&adev->ctl_lock);
	spin_lock(&adev->regs_lock);
	qp->held = true;
	spin_unlock(&adev->regs_lock);
	accmdev_qp_wait_idle(adev, qp);
	spin_lock(&adev->regs_lock);
	memset(&qp->ctx, 0, sizeof(qp->ctx));
	qp->held = false;
	accmdev_qp_kick_locked(adev);
	spin_unlock(&adev->regs_lock);
	mutex_unlock(&adev->ctl_lock);
}

/*
 * A doorbell: SQ_TAIL or CQ_HEAD. An index beyond the ring halts the QP
 * with an error and an interrupt.
 */
static void accmdev_qp_doorbell(struct accmdev_device *adev, unsigned int q,
				unsigned int reg, u32 val)
{
	struct accmdev_qp *qp = &adev->st.qp[q];
	bool sq = reg == ACCMDEV_QP_SQ_TAIL;

	spin_lock(&adev->regs_lock);
	if (qp->enabled && !qp->error) {
		if (val < (sq ? qp->sq_size : qp->cq_size)) {
			if (sq)
				qp->sq_tail = val;
			else
				qp->cq_head = val;
			accmdev_qp_kick_locked(adev);
		} else {
			qp->error = sq ? ACCMDEV_QP_ERR_SQ_TAIL :
					 ACCMDEV_QP_ERR_CQ_HEAD;
			/* A stopped device raises no interrupt. */
			if (adev->running)
				accmdev_qp_irq_locked(adev, q);
		}
	}
	spin_unlock(&adev->regs_lock);
}

/* Ring programming is ignored while the QP is enabled. */
static void accmdev_qp_program(struct accmdev_device *adev,
			       struct accmdev_qp *qp, unsigned int reg,
			       u32 val)
{
	spin_lock(&adev->regs_lock);
	if (!qp->enabled) {
		switch (reg) {
		case ACCMDEV_QP_SQ_BASE_LO:
			qp->sq_base = (qp->sq_base & ~0xffffffffull) | val;
			break;
		case ACCMDEV_QP_SQ_BASE_HI:
			qp->sq_base = lower_32_bits(qp->sq_base) | (u64)val << 32;
			break;
		case ACCMDEV_QP_CQ_BASE_LO:
			qp->cq_base = (qp->cq_base & ~0xffffffffull) | val;
			break;
		case ACCMDEV_QP_CQ_BASE_HI:
			qp->cq_base = lower_32_bits(qp->cq_base) | (u64)val << 32;
			break;
		case ACCMDEV_QP_SQ_SIZE:
			qp->sq_size = val;
			break;
		case ACCMDEV_QP_CQ_SIZE:
			qp->cq_size = val;
			break;
		}
	}
	spin_unlock(&adev->regs_lock);
}

/*
 * A QP register write. May sleep (disable and stream clear wait for the
 * step in flight), so it is called without regs_lock.
 */
void accmdev_qp_reg_write(struct accmdev_device *adev, unsigned int q,
			  unsigned int reg, u32 val)
{
	struct accmdev_qp *qp = &adev->st.qp[q];

	if (q >= adev->model.nqps)
		return;
	switch (reg) {
	case ACCMDEV_QP_SQ_BASE_LO:
	case ACCMDEV_QP_SQ_BASE_HI:
	case ACCMDEV_QP_CQ_BASE_LO:
	case ACCMDEV_QP_CQ_BASE_HI:
	case ACCMDEV_QP_SQ_SIZE:
	case ACCMDEV_QP_CQ_SIZE:
		accmdev_qp_program(adev, qp, reg, val);
		break;
	case ACCMDEV_QP_ENABLE:
		accmdev_qp_set_enable(adev, qp, val);
		break;
	case ACCMDEV_QP_SQ_TAIL:
	case ACCMDEV_QP_CQ_HEAD:
		accmdev_qp_doorbell(adev, q, reg, val);
		break;
	case ACCMDEV_QP_CTX:
		if (val == ACCMDEV_QP_CTX_CLEAR)
			accmdev_qp_clear_ctx(adev, qp);
		break;
	}
}

/* ---- open, close, reset ----------------------------------------------- */

/* Power-on state of the model; ctl_lock held and the worker stopped. */
static void accmdev_dev_clear(struct accmdev_device *adev)
{
	struct accmdev_state *st = &adev->st;
	unsigned int i;

	lockdep_assert_held(&adev->ctl_lock);
	spin_lock(&adev->regs_lock);
	memset(st, 0, sizeof(*st));
	for (i = 0; i < ACCMDEV_QP_MAX; i++)
		accmdev_qp_clear_run(&st->qp[i]);
	accmdev_pci_reset(adev);
	spin_unlock(&adev->regs_lock);
}

/*
 * Stop the worker: a pass under way sees running false at its next
 * step or descriptor and ends; this waits for that, one step at most.
 */
static void accmdev_dev_stop(struct accmdev_device *adev)
{
	lockdep_assert_held(&adev->ctl_lock);
	spin_lock(&adev->regs_lock);
	adev->running = false;
	adev->kicked = false;
	spin_unlock(&adev->regs_lock);
	wait_event(adev->idle_wq, !READ_ONCE(adev->in_pass));
}

/* Run again; work queued on the rings meanwhile (or migrated in) starts. */
static void accmdev_dev_start(struct accmdev_device *adev)
{
	lockdep_assert_held(&adev->ctl_lock);
	spin_lock(&adev->regs_lock);
	adev->running = true;
	accmdev_qp_kick_locked(adev);
	spin_unlock(&adev->regs_lock);
}

/*
 * The worker joins the cgroups of the opener (current), so its work
 * counts against the limits of the VM that opened the device.
 */
int accmdev_dev_open(struct accmdev_device *adev)
{
	struct task_struct *worker;
	int ret;

	worker = kthread_create(accmdev_qp_worker, adev, "accmdev-%s",
				dev_name(adev->vdev.dev));
	if (IS_ERR(worker))
		return PTR_ERR(worker);
	ret = accmdev_cgroup_attach(current, worker);
	if (ret) {
		kthread_stop(worker);
		return ret;
	}
	adev->worker = worker;
	adev->kicked = false;
	adev->in_pass = false;
	adev->busy = NULL;
	wake_up_process(worker);

	mutex_lock(&adev->ctl_lock);
	adev->eng.stop = accmdev_qp_should_stop;
	adev->eng.stop_arg = adev;
	accmdev_dev_clear(adev);
	accmdev_dev_start(adev);
	mutex_unlock(&adev->ctl_lock);
	return 0;
}

/* When this returns, the worker has stopped and exited. */
void accmdev_dev_close(struct accmdev_device *adev)
{
	mutex_lock(&adev->ctl_lock);
	accmdev_dev_stop(adev);
	accmdev_dev_clear(adev);
	mutex_unlock(&adev->ctl_lock);
	kthread_stop(adev->worker);
	adev->worker = NULL;
}

/*
 * Migration's stop and run (mig.c): when halt returns, the request that
 * was in flight has stopped at its next step (it runs again from its
 * descriptor on run, or on the destination), the interrupts of what
 * completed before are raised, and nothing more is read, written or
 * signalled until run. Halt waits for one step, not a request.
 */
void accmdev_dev_halt(struct accmdev_device *adev)
{
	mutex_lock(&adev->ctl_lock);
	accmdev_dev_stop(adev);
	mutex_unlock(&adev->ctl_lock);
}

void accmdev_dev_run(struct accmdev_device *adev)
{
	mutex_lock(&adev->ctl_lock);
	accmdev_dev_start(adev);
	mutex_unlock(&adev->ctl_lock);
}

/* VFIO_DEVICE_RESET: stop, back to power-on, run. IRQ setup is kept. */
void accmdev_dev_reset(struct accmdev_device *adev)
{
	mutex_lock(&adev->ctl_lock);
	accmdev_dev_stop(adev);
	accmdev_dev_clear(adev);
	accmdev_dev_start(adev);
	mutex_unlock(&adev->ctl_lock);
}
