/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * accmdev: simulated queue-pair accelerators as VFIO mediated devices.
 *
 * Objects and who owns them:
 *
 *   struct accmdev_parent   one simulated accelerator: a PCI function on
 *                           the module's root bus (hostbridge.c), its mdev
 *                           parent, with a class device under it
 *                           (/sys/class/accmdev/accmdevN). Lives as long
 *                           as the module; owns a pool of queue pairs and
 *                           its types.
 *   struct accmdev_type     one mdev type of a parent: a device model
 *                           (kind, revision, algorithms), a queue-pair
 *                           shape and whether it can migrate.
 *   struct accmdev_device   one mdev, a vfio_device; holds qps queue pairs
 *                           of its parent's pool while it exists, and,
 *                           while open, the emulated PCI function
 *                           (pci.c, regs.c, qp.c, engine.c).
 */
#ifndef ACCMDEV_H
#define ACCMDEV_H

#include <linux/atomic.h>
#include <linux/device.h>
#include <linux/mdev.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/spinlock.h>
#include <linux/vfio.h>
#include <linux/wait.h>

#include "mig.h"
#include "migver.h"
#include "qp.h"

#define ACCMDEV_NAME		"accmdev"
#define ACCMDEV_MAX_PARENTS	16
#define ACCMDEV_QP_POOL_MAX	4096
/* Types are the shapes 1, 2, 4, ... up to this many queue pairs, */
#define ACCMDEV_MAX_TYPE_QPS	16
#define ACCMDEV_MAX_SHAPES	5
/* of each model revision up to the parent's, at most this many. */
#define ACCMDEV_MAX_MODEL_REV	2
#define ACCMDEV_MAX_TYPES	(ACCMDEV_MAX_SHAPES * ACCMDEV_MAX_MODEL_REV)

struct accmdev_parent;

struct accmdev_type {
	struct mdev_type mtype;
	struct accmdev_parent *parent;
	unsigned int qps;
	unsigned int rev;		/* model revision, <= parent->rev */
	u32 algs;			/* native algorithms of kind and rev */
	char sysfs_name[24];
	char pretty_name[48];
};

struct accmdev_parent {
	/*
	 * While its function is bound (pf.c): the function, the class
	 * device (drvdata: this parent) and the mdev parent. Set and
	 * cleared by the probe and remove, which the driver core
	 * serialises for the function.
	 */
	struct pci_dev *pdev;
	struct device *cdev;
	struct mdev_parent mdev_parent;
	int probe_err;			/* the last probe's, for the load */
	unsigned int id;

	/* Hardware description, fixed at load. */
	unsigned int kind;		/* enum accmdev_kind */
	unsigned int rev;		/* hardware revision */
	u32 algs;			/* native algorithms of kind and rev */
	bool migratable;
	unsigned int qp_total;

	/* Free queue pairs; changed only with atomic_try_cmpxchg. */
	atomic_t qp_free;

	struct accmdev_type types[ACCMDEV_MAX_TYPES];
	struct mdev_type *type_list[ACCMDEV_MAX_TYPES];
	unsigned int nr_types;
	unsigned int nr_type_files;	/* migration_version files added */
};

struct accmdev_device {
	struct vfio_device vdev;
	struct accmdev_parent *parent;
	struct accmdev_type *type;

	/*
	 * The emulated PCI device, see qp.h for the locking rules.
	 * ctl_lock serialises worker stop and start. It is held while a
	 * control path (QP disable, CTX_CLEAR, reset, halt, close) waits
	 * for the worker, and that wait is bounded: the engine works in
	 * steps of at most ACCMDEV_CHUNK bytes of input (deflate:
	 * ACCMDEV_DEFLATE_STEP) and checks accmdev_qp_should_stop()
	 * between them, so the wait lasts at most the step in flight.
	 */
	struct mutex ctl_lock;
	spinlock_t regs_lock;		/* protects st, model.algs, running, busy */
	bool running;			/* under regs_lock: worker may run */
	struct accmdev_model model;	/* see qp.h */
	struct accmdev_state st;	/* everything else migration carries */
	struct accmdev_engine eng;	/* worker scratch, from open */
	/*
	 * The worker, a kthread per open device in the cgroups of the
	 * process that opened it, serves every QP round-robin in passes.
	 * Under regs_lock: kicked asks for a pass, in_pass is true during
	 * one, busy is the QP whose request it is running (waiters read
	 * in_pass and busy with READ_ONCE); idle_wq wakes when it leaves a
	 * QP or ends a pass.
	 */
	struct task_struct *worker;
	bool kicked;
	bool in_pass;
	struct accmdev_qp *busy;
	wait_queue_head_t idle_wq;

	spinlock_t irq_lock;		/* protects the eventfd triggers */
	struct eventfd_ctx *msix_trigger[ACCMDEV_QP_MAX];
	struct eventfd_ctx *req_trigger;

	/*
	 * Live migration (mig.c). Lock order: state_mutex, then lock,
	 * ctl_lock or a file's lock. No user memory is copied under
	 * state_mutex.
	 */
	struct mutex state_mutex;	/* protects mig_state and the files */
	enum vfio_device_mig_state mig_state;
	struct accmdev_mig_file *saving;
	struct accmdev_mig_file *resuming;
};

static inline struct accmdev_type *to_accmdev_type(struct mdev_type *mtype)
{
	return container_of(mtype, struct accmdev_type, mtype);
}

/* The parent of a class device, /sys/class/accmdev/accmdevN. */
static inline struct accmdev_parent *to_accmdev_parent(struct device *dev)
{
	return dev_get_drvdata(dev);
}

static inline struct accmdev_device *vdev_to_adev(struct vfio_device *vdev)
{
	return container_of(vdev, struct accmdev_device, vdev);
}

/* What the "parents" module parameter asks for, one per accelerator. */
struct accmdev_desc {
	unsigned int kind;
	unsigned int rev;
	unsigned int qps;
	bool migratable;
};

/* parent.c */
extern struct class accmdev_class;
struct accmdev_parent *accmdev_parent_create(const struct accmdev_desc *d,
					     unsigned int id);
void accmdev_parent_free(struct accmdev_parent *p);
int accmdev_parent_attach(struct accmdev_parent *p, struct pci_dev *pdev);
void accmdev_parent_detach(struct accmdev_parent *p);
bool accmdev_pool_take(struct accmdev_parent *p, unsigned int qps);
void accmdev_pool_give(struct accmdev_parent *p, unsigned int qps);
unsigned int accmdev_type_get_available(struct mdev_type *mtype);
ssize_t accmdev_type_show_description(struct mdev_type *mtype, char *buf);

/* sysfs.c */
extern const struct attribute_group *accmdev_parent_groups[];
extern const struct attribute_group *accmdev_device_groups[];
int accmdev_type_files_add(struct accmdev_parent *p);
int accmdev_migver_refuse(struct device *dev, const char *node,
			  enum accmdev_compat c, const struct accmdev_migver *src,
			  const struct accmdev_migver_dst *dst);
void accmdev_type_files_remove(struct accmdev_parent *p);

/* vfio_dev.c */
extern struct mdev_driver accmdev_mdev_driver;
void accmdev_irq_signal(struct accmdev_device *adev, unsigned int vector);

#endif /* ACCMDEV_H */
