/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * accmdev queue pairs: the device state (struct accmdev_state: config
 * space, registers, rings and stream contexts, everything migration has
 * to carry) and the engine that serves the rings.
 *
 * Locking (fields of struct accmdev_device):
 *   ctl_lock   serialises whatever stops the worker: QP enable and
 *              disable, stream clear, device reset, halt, open and
 *              close. Whoever holds it waits for the worker for at most
 *              one step of one request (engine.h), never for whole
 *              requests: the worker checks for a stop between steps.
 *   regs_lock  protects struct accmdev_state, the QP stream contexts
 *              included, and adev->busy; held only for short
 *              non-sleeping sections. The worker runs a request on a
 *              copy of its QP's stream context and commits it under
 *              regs_lock with the completion.
 */
#ifndef ACCMDEV_QP_H
#define ACCMDEV_QP_H

#include <linux/types.h>

#include "engine.h"
#include "pci.h"
#include "uapi/accmdev_regs.h"

struct accmdev_device;

/* Descriptors served per QP per pass of the worker. */
#define ACCMDEV_QP_BUDGET	16

struct accmdev_qp {
	/* Ring programming; written only while disabled. */
	u64 sq_base;
	u64 cq_base;
	u32 sq_size;
	u32 cq_size;
	/* Ring state. */
	u32 enabled;
	u32 error;		/* ACCMDEV_QP_ERR_*; non-zero halts the QP */
	u32 sq_tail;		/* user doorbell */
	u32 sq_head;		/* next entry the device consumes */
	u32 cq_tail;		/* next entry the device fills */
	u32 cq_head;		/* next entry the user reads */
	u32 cq_phase;		/* phase bit of the current CQ pass */
	u32 seq;		/* completions since enable */
	/* Statistics; cleared by reset only. */
	u32 irq_count;
	u32 done_count;
	u32 fail_count;
	/* The worker starts nothing on a held QP (stream clear). */
	bool held;
	struct accmdev_ctx ctx;	/* the open stream, see above */
};

/*
 * The device model: what the device presents (ID, REVISION, ALGS and
 * NUM_QPS, config space defaults, migration_version). Set from the
 * type when the device is created; only algs ever changes, narrowed by
 * a resume to the source's (mig.c), under regs_lock.
 */
struct accmdev_model {
	u16 device_id;
	u32 rev;
	u32 algs;		/* BIT(ACCMDEV_OP_*) */
	u32 nqps;
};

struct accmdev_state {
	struct accmdev_pci pci;
	/* The QP the next worker pass serves first. */
	u32 rr;
	struct accmdev_qp qp[ACCMDEV_QP_MAX];
};

int accmdev_dev_open(struct accmdev_device *adev);
void accmdev_dev_close(struct accmdev_device *adev);
void accmdev_dev_reset(struct accmdev_device *adev);
void accmdev_dev_halt(struct accmdev_device *adev);
void accmdev_dev_run(struct accmdev_device *adev);
u32 accmdev_qp_check_rings(const struct accmdev_qp *qp);
u32 accmdev_dev_status_locked(struct accmdev_device *adev);
void accmdev_qp_kick_locked(struct accmdev_device *adev);
u32 accmdev_qp_reg_read_locked(struct accmdev_device *adev, unsigned int q,
			       unsigned int reg);
void accmdev_qp_reg_write(struct accmdev_device *adev, unsigned int q,
			  unsigned int reg, u32 val);

#endif /* ACCMDEV_QP_H */
