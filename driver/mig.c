// SPDX-License-Identifier: GPL-2.0-only
/*
 * accmdev live migration: VFIO migration protocol v2.
 *
 * States and arcs. The device offers STOP_COPY and P2P, and PRE_COPY
 * where the kernel has it (6.2+, compat.h). accmdev_mig_set_state()
 * walks vfio_mig_get_next_state() one arc at a time; the step function
 * has one block per arc. The device never initiates or answers
 * peer-to-peer transactions, so the P2P arcs change nothing: RUNNING_P2P
 * runs like RUNNING and PRE_COPY_P2P like PRE_COPY. Leaving RUNNING (or
 * RUNNING_P2P) for STOP, or PRE_COPY for STOP_COPY, halts the worker:
 * the request in flight stops at its next step (a bounded wait, see
 * qp.c) without completing, and after the arc the device neither reads
 * nor writes guest memory nor signals an interrupt. The stopped request
 * and the work queued behind it stay on the rings, described by the
 * ring indices and stream contexts the stream carries (from before the
 * stopped request), and run on the destination from their descriptors:
 * each request completes once.
 *
 * The stream (uapi/accmdev_mig.h, Documentation/migration.rst) is
 * written and parsed by mig_stream.c, which knows its layout and every
 * rule it must keep; this file holds the state machine, the data files
 * and the translation between the device state and the decoded stream.
 * Pre-copy sends the preamble and the VERSION record, the device-level
 * migration_version of the source, and nothing else: the whole device
 * state is a few KiB and only meaningful once the device is stopped.
 * Stop-copy appends DEVICE, PCI, one QP record per queue pair and END.
 * A saving file is allocated at its final size when it is created, so
 * the arcs that fill it cannot fail.
 *
 * The destination checks the VERSION record on the write that completes
 * it, with the same code and errnos as a write to migration_version, and
 * fails that write: an incompatible destination refuses during pre-copy,
 * or on 6.1 at the first stop-copy write. Everything else is validated
 * when the device leaves RESUMING, in full and before anything is
 * applied; a bad stream fails that arc, with one log line naming the
 * rule it broke, and the device stays in RESUMING, unchanged, until the
 * user resets it or closes it.
 *
 * Locking: state_mutex (accmdev.h) serialises the state machine and owns
 * the device's references to the files; each file's own lock protects
 * its buffer. The data files copy user memory under their own lock only,
 * never under state_mutex, so reset needs no deferral. Open, close and
 * VFIO_DEVICE_RESET return the device to RUNNING and end every session.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "accmdev.h"
#include "compat.h"
#include "uapi/accmdev_mig.h"

/* The SHA-2 state in the stream's own form (compat.h), on every kernel. */
static_assert(sizeof_field(struct accmdev_mig_qp, sha_state) ==
	      ACCMDEV_SHA2_WORDS * sizeof(u32));
static_assert(sizeof_field(struct accmdev_mig_qp, sha_buf) ==
	      SHA256_BLOCK_SIZE);

/* Room for the version line of any device this build describes. */
#define ACCMDEV_MIG_VERSION_BUF	256

/*
 * The device-level migration_version of the open device, as its sysfs
 * node reads it (without the newline), and what it accepts.
 */
static int accmdev_mig_version(struct accmdev_device *adev, char *buf,
			       size_t size)
{
	struct accmdev_migver v = {
		.major	= ACCMDEV_FORMAT_MAJOR,
		.minor	= ACCMDEV_FORMAT_MINOR,
		.kind	= adev->parent->kind,
	};

	spin_lock(&adev->regs_lock);
	v.rev = adev->model.rev;
	v.algs = adev->model.algs;
	v.qps = adev->model.nqps;
	spin_unlock(&adev->regs_lock);
	return accmdev_migver_format(&v, buf, size);
}

/* What the open device takes: its model, as its migration_version. */
static void accmdev_mig_target(struct accmdev_device *adev,
			       struct accmdev_mig_target *t)
{
	struct accmdev_migver_dst *dst = &t->dst;

	dst->migratable = adev->parent->migratable;
	dst->kind = adev->parent->kind;
	spin_lock(&adev->regs_lock);
	t->device_id = adev->model.device_id;
	dst->qps = adev->model.nqps;
	dst->rev = adev->model.rev;
	dst->algs = adev->model.algs;
	spin_unlock(&adev->regs_lock);
}

/* ---- data files --------------------------------------------------------- */

static int accmdev_mig_release(struct inode *inode, struct file *filp)
{
	struct accmdev_mig_file *migf = filp->private_data;

	mutex_destroy(&migf->lock);
	kvfree(migf->buf);
	kfree(migf);
	return 0;
}

static ssize_t accmdev_save_read(struct file *filp, char __user *buf,
				 size_t len, loff_t *pos)
{
	struct accmdev_mig_file *migf = filp->private_data;
	ssize_t ret;

	if (pos)
		return -ESPIPE;
	mutex_lock(&migf->lock);
	if (migf->disabled) {
		ret = -ENODEV;
		goto out_unlock;
	}
	if (migf->pos >= migf->filled) {
		/* Pre-copy data all read: "nothing for now" until stop-copy. */
		ret = migf->final ? 0 : -ENOMSG;
		goto out_unlock;
	}
	len = min_t(size_t, len, migf->filled - migf->pos);
	if (copy_to_user(buf, migf->buf + migf->pos, len)) {
		ret = -EFAULT;
		goto out_unlock;
	}
	migf->pos += len;
	ret = len;
out_unlock:
	mutex_unlock(&migf->lock);
	return ret;
}

/*
 * Readable when there are bytes to read or the end of the stream (read
 * returns 0): a pre-copy reader that has read everything waits here for
 * stop-copy instead of spinning on ENOMSG. A session that ended is an
 * error (read fails with ENODEV).
 */
static __poll_t accmdev_save_poll(struct file *filp,
				  struct poll_table_struct *wait)
{
	struct accmdev_mig_file *migf = filp->private_data;
	__poll_t mask = 0;

	poll_wait(filp, &migf->wq, wait);
	mutex_lock(&migf->lock);
	if (migf->disabled)
		mask = EPOLLERR | EPOLLHUP;
	else if (migf->pos < migf->filled || migf->final)
		mask = EPOLLIN | EPOLLRDNORM;
	mutex_unlock(&migf->lock);
	return mask;
}

/*
 * VFIO_MIG_GET_PRECOPY_INFO. A saving file is in a PRE_COPY state until
 * stop-copy appends the device state, which also ends pre-copy. All the
 * pre-copy data is initial data; the device never has dirty data. Out of
 * PRE_COPY, in STOP_COPY or once the session has ended, it is EINVAL, as
 * the uAPI says.
 */
static long accmdev_save_ioctl(struct file *filp, unsigned int cmd,
			       unsigned long arg)
{
	unsigned long minsz = offsetofend(struct vfio_precopy_info, dirty_bytes);
	struct accmdev_mig_file *migf = filp->private_data;
	struct vfio_precopy_info info;
	int ret = 0;

	if (cmd != VFIO_MIG_GET_PRECOPY_INFO)
		return -ENOTTY;
	if (copy_from_user(&info, (void __user *)arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;

	mutex_lock(&migf->lock);
	if (migf->disabled || migf->final)
		ret = -EINVAL;
	info.flags = 0;
	info.initial_bytes = migf->filled - min(migf->pos, migf->filled);
	info.dirty_bytes = 0;
	mutex_unlock(&migf->lock);
	if (ret)
		return ret;
	return copy_to_user((void __user *)arg, &info, minsz) ? -EFAULT : 0;
}

/*
 * Fail a resuming session with @err: it sticks, with what caused it,
 * and a refused VERSION is logged as a refused migration_version write.
 */
static int accmdev_mig_fail(struct accmdev_mig_file *migf, int err,
			    const struct accmdev_mig_verdict *v)
{
	lockdep_assert_held(&migf->lock);
	if (v->compat != ACCMDEV_COMPAT_OK)
		accmdev_migver_refuse(migf->dev, "stream", v->compat, &v->src,
				      &migf->target.dst);
	migf->error = err;
	migf->why = v->why;
	migf->why_qp = v->qp;
	return err;
}

/*
 * The early check: once the preamble and the VERSION record are in,
 * judge them (mig_stream.c). Returns 0 or the error it failed with.
 */
static int accmdev_mig_check_header(struct accmdev_mig_file *migf)
{
	struct accmdev_mig_verdict v;
	int ret;

	lockdep_assert_held(&migf->lock);
	if (migf->checked)
		return 0;
	ret = accmdev_mig_parse_header(migf->buf, migf->filled, &migf->target,
				       &v);
	if (ret < 0)
		return accmdev_mig_fail(migf, ret, &v);
	migf->checked = ret;
	return 0;
}

/*
 * Input is buffered as it comes, up to ACCMDEV_MIG_MAX bytes. The first
 * error sticks: every later write and the arc out of RESUMING fail too.
 */
static ssize_t accmdev_resume_write(struct file *filp, const char __user *buf,
				    size_t len, loff_t *pos)
{
	struct accmdev_mig_file *migf = filp->private_data;
	ssize_t ret;

	if (pos)
		return -ESPIPE;
	mutex_lock(&migf->lock);
	if (migf->disabled) {
		ret = -ENODEV;
		goto out_unlock;
	}
	if (migf->error) {
		ret = migf->error;
		goto out_unlock;
	}
	if (len > migf->size - migf->filled) {
		migf->error = -EFBIG;
		migf->why = "stream too long";
		migf->why_qp = -1;
		ret = -EFBIG;
		goto out_unlock;
	}
	if (copy_from_user(migf->buf + migf->filled, buf, len)) {
		migf->error = -EFAULT;
		migf->why = "a write faulted";
		migf->why_qp = -1;
		ret = -EFAULT;
		goto out_unlock;
	}
	migf->filled += len;
	ret = accmdev_mig_check_header(migf);
	if (!ret)
		ret = len;
out_unlock:
	mutex_unlock(&migf->lock);
	return ret;
}

static const struct file_operations accmdev_save_fops = {
	.owner		= THIS_MODULE,
	.read		= accmdev_save_read,
	.poll		= accmdev_save_poll,
	.unlocked_ioctl	= accmdev_save_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.release	= accmdev_mig_release,
};

static const struct file_operations accmdev_resume_fops = {
	.owner		= THIS_MODULE,
	.write		= accmdev_resume_write,
	.release	= accmdev_mig_release,
};

static struct accmdev_mig_file *
accmdev_mig_file_new(struct accmdev_device *adev, bool saving, size_t size)
{
	struct accmdev_mig_file *migf;
	int ret;

	migf = kzalloc(sizeof(*migf), GFP_KERNEL_ACCOUNT);
	if (!migf)
		return ERR_PTR(-ENOMEM);
	migf->buf = kvzalloc(size, GFP_KERNEL_ACCOUNT);
	if (!migf->buf) {
		ret = -ENOMEM;
		goto out_free_migf;
	}
	migf->size = size;
	migf->dev = adev->vdev.dev;
	mutex_init(&migf->lock);
	init_waitqueue_head(&migf->wq);
	migf->filp = anon_inode_getfile("accmdev_mig",
					saving ? &accmdev_save_fops :
						 &accmdev_resume_fops,
					migf, saving ? O_RDONLY : O_WRONLY);
	if (IS_ERR(migf->filp)) {
		ret = PTR_ERR(migf->filp);
		goto out_free_buf;
	}
	stream_open(migf->filp->f_inode, migf->filp);
	return migf;

out_free_buf:
	mutex_destroy(&migf->lock);
	kvfree(migf->buf);
out_free_migf:
	kfree(migf);
	return ERR_PTR(ret);
}

/* End a session: I/O fails from now on; drop the device's reference. */
static void accmdev_mig_file_end(struct accmdev_mig_file *migf)
{
	mutex_lock(&migf->lock);
	migf->disabled = true;
	mutex_unlock(&migf->lock);
	wake_up_interruptible_all(&migf->wq);
	fput(migf->filp);
}

static void accmdev_mig_end_sessions_locked(struct accmdev_device *adev)
{
	lockdep_assert_held(&adev->state_mutex);
	if (adev->saving) {
		accmdev_mig_file_end(adev->saving);
		adev->saving = NULL;
	}
	if (adev->resuming) {
		accmdev_mig_file_end(adev->resuming);
		adev->resuming = NULL;
	}
}

/* ---- saving ------------------------------------------------------------- */

/* The stream's view of a QP: plain values, the SHA-2 state included. */
static void accmdev_mig_put_qp_state(struct accmdev_mig_qp_state *r,
				     const struct accmdev_qp *qp)
{
	u32 h[ACCMDEV_SHA2_WORDS];
	unsigned int i;
	u64 count;

	r->enabled = qp->enabled;
	r->sq_base = qp->sq_base;
	r->cq_base = qp->cq_base;
	r->sq_size = qp->sq_size;
	r->cq_size = qp->cq_size;
	r->error = qp->error;
	r->sq_tail = qp->sq_tail;
	r->sq_head = qp->sq_head;
	r->cq_tail = qp->cq_tail;
	r->cq_head = qp->cq_head;
	r->cq_phase = qp->cq_phase;
	r->seq = qp->seq;
	r->irq_count = qp->irq_count;
	r->done_count = qp->done_count;
	r->fail_count = qp->fail_count;
	r->ctx_op = qp->ctx.op;
	r->ctx_sum = qp->ctx.sum;
	r->ctx_bytes = qp->ctx.bytes;
	accmdev_sha2_export(&qp->ctx.sha, h, &count, r->sha_buf);
	for (i = 0; i < ARRAY_SIZE(r->sha_state); i++)
		r->sha_state[i] = h[i];
	r->sha_count = count;
}

/*
 * Append the device state and END. The worker is halted, so the QP
 * stream contexts are ours (ctl_lock keeps register writes from
 * clearing them meanwhile); regs_lock covers the rest. The file was
 * allocated at the stream's size, so nothing here can run out of room.
 */
static void accmdev_mig_save_state(struct accmdev_device *adev,
				   struct accmdev_mig_file *migf)
{
	struct accmdev_mig_out o = {
		.buf = migf->buf, .size = migf->size, .filled = migf->filled,
	};
	const struct accmdev_model *m = &adev->model;
	struct accmdev_state *st = &adev->st;
	struct accmdev_mig_dev_state d;
	struct accmdev_mig_qp_state q;
	unsigned int i;
	bool ok;

	mutex_lock(&migf->lock);
	mutex_lock(&adev->ctl_lock);
	spin_lock(&adev->regs_lock);
	d.device_id = m->device_id;
	d.rev = m->rev;
	d.algs = m->algs;
	d.nqps = m->nqps;
	d.rr = st->rr;
	ok = accmdev_mig_put_device(&o, &d) &&
	     accmdev_mig_put_pci(&o, &st->pci, m->nqps);
	for (i = 0; ok && i < m->nqps; i++) {
		accmdev_mig_put_qp_state(&q, &st->qp[i]);
		ok = accmdev_mig_put_qp(&o, i, &q);
	}
	/* VERSION, DEVICE, PCI and the QPs. */
	ok = ok && accmdev_mig_put_end(&o, 3 + m->nqps);
	WARN_ON(!ok);
	migf->filled = o.filled;
	migf->final = true;
	spin_unlock(&adev->regs_lock);
	mutex_unlock(&adev->ctl_lock);
	mutex_unlock(&migf->lock);
	wake_up_interruptible_all(&migf->wq);
}

/*
 * RUNNING -> PRE_COPY (@stopped false) or STOP -> STOP_COPY (true): a
 * new saving session with the header, and the state if stopped.
 */
static struct file *accmdev_mig_save_begin(struct accmdev_device *adev,
					   bool stopped)
{
	struct accmdev_mig_file *migf;
	struct accmdev_mig_out o;
	char line[ACCMDEV_MIG_VERSION_BUF];
	int vlen;

	lockdep_assert_held(&adev->state_mutex);
	vlen = accmdev_mig_version(adev, line, sizeof(line));
	if (vlen < 0)
		return ERR_PTR(vlen);
	migf = accmdev_mig_file_new(adev, true,
				    accmdev_mig_stream_size(adev->model.nqps,
							    vlen));
	if (IS_ERR(migf))
		return ERR_CAST(migf);

	o.buf = migf->buf;
	o.size = migf->size;
	WARN_ON(!accmdev_mig_put_header(&o, line, vlen));
	migf->filled = o.filled;
	if (stopped)
		accmdev_mig_save_state(adev, migf);

	get_file(migf->filp);
	adev->saving = migf;
	return migf->filp;
}

/* ---- resuming ----------------------------------------------------------- */

static struct file *accmdev_mig_resume_begin(struct accmdev_device *adev)
{
	struct accmdev_mig_file *migf;

	lockdep_assert_held(&adev->state_mutex);
	migf = accmdev_mig_file_new(adev, false, ACCMDEV_MIG_MAX);
	if (IS_ERR(migf))
		return ERR_CAST(migf);
	accmdev_mig_target(adev, &migf->target);
	get_file(migf->filp);
	adev->resuming = migf;
	return migf->filp;
}

/* A QP as a validated stream describes it (mig_stream.c checked it). */
static void accmdev_mig_take_qp(struct accmdev_qp *qp,
				const struct accmdev_mig_qp_state *r)
{
	u32 h[ACCMDEV_SHA2_WORDS];
	unsigned int i;

	memset(qp, 0, sizeof(*qp));
	qp->enabled = r->enabled;
	qp->sq_base = r->sq_base;
	qp->cq_base = r->cq_base;
	qp->sq_size = r->sq_size;
	qp->cq_size = r->cq_size;
	qp->error = r->error;
	qp->sq_tail = r->sq_tail;
	qp->sq_head = r->sq_head;
	qp->cq_tail = r->cq_tail;
	qp->cq_head = r->cq_head;
	qp->cq_phase = r->cq_phase;
	qp->seq = r->seq;
	qp->irq_count = r->irq_count;
	qp->done_count = r->done_count;
	qp->fail_count = r->fail_count;
	qp->ctx.op = r->ctx_op;
	qp->ctx.sum = r->ctx_sum;
	qp->ctx.bytes = r->ctx_bytes;
	for (i = 0; i < ARRAY_SIZE(h); i++)
		h[i] = r->sha_state[i];
	accmdev_sha2_import(&qp->ctx.sha, h, r->sha_count, r->sha_buf);
}

/*
 * RESUMING -> STOP: validate the whole stream (mig_stream.c), then apply
 * it. The device is halted, so the QP contexts are ours while ctl_lock
 * is held. A refusal is logged with the rule the stream broke.
 */
static int accmdev_mig_load(struct accmdev_device *adev,
			    struct accmdev_mig_file *migf)
{
	struct accmdev_mig_verdict v;
	struct accmdev_mig_image *img;
	const char *why;
	unsigned int i;
	int ret, why_qp;

	lockdep_assert_held(&adev->state_mutex);
	img = kzalloc(sizeof(*img), GFP_KERNEL);
	if (!img)
		return -ENOMEM;

	mutex_lock(&migf->lock);
	ret = migf->error;
	if (!ret) {
		ret = accmdev_mig_parse(migf->buf, migf->filled,
					&migf->target, img, &v);
		if (ret)
			accmdev_mig_fail(migf, ret, &v);
	}
	why = migf->why;
	why_qp = migf->why_qp;
	mutex_unlock(&migf->lock);
	if (ret) {
		if (why_qp >= 0)
			dev_info_ratelimited(adev->vdev.dev,
					     "migration stream refused: QP %d: %s (%pe)\n",
					     why_qp, why, ERR_PTR(ret));
		else
			dev_info_ratelimited(adev->vdev.dev,
					     "migration stream refused: %s (%pe)\n",
					     why, ERR_PTR(ret));
		goto out_free;
	}

	/*
	 * The guest must see the device it had: a destination whose
	 * algorithms are a superset of the source's takes the source's, in
	 * ALGS and in its model (migration_version), until the device is
	 * removed.
	 */
	mutex_lock(&adev->ctl_lock);
	spin_lock(&adev->regs_lock);
	adev->model.algs = v.src.algs;
	adev->st.rr = img->rr;
	adev->st.pci = img->pci;
	for (i = 0; i < migf->target.dst.qps; i++)
		accmdev_mig_take_qp(&adev->st.qp[i], &img->qp[i]);
	spin_unlock(&adev->regs_lock);
	mutex_unlock(&adev->ctl_lock);
out_free:
	kfree(img);
	return ret;
}

/* ---- the state machine -------------------------------------------------- */

/* One arc as a switch label. */
#define ACCMDEV_ARC(from, to)	((from) << 8 | (to))
#define ARC_(from, to)		ACCMDEV_ARC(VFIO_DEVICE_STATE_##from, \
					    VFIO_DEVICE_STATE_##to)

static struct file *accmdev_mig_step_locked(struct accmdev_device *adev,
					    u32 next)
{
	int ret;

	lockdep_assert_held(&adev->state_mutex);
	switch (ACCMDEV_ARC(adev->mig_state, next)) {
	/* No peer-to-peer traffic exists: the P2P arcs change nothing. */
	case ARC_(RUNNING, RUNNING_P2P):
	case ARC_(RUNNING_P2P, RUNNING):
	case ARC_(PRE_COPY, PRE_COPY_P2P):
	case ARC_(PRE_COPY_P2P, PRE_COPY):
		return NULL;

	/* Stop and run: the worker, hence DMA and interrupts. */
	case ARC_(RUNNING, STOP):
	case ARC_(RUNNING_P2P, STOP):
		accmdev_dev_halt(adev);
		return NULL;
	case ARC_(STOP, RUNNING):
	case ARC_(STOP, RUNNING_P2P):
		accmdev_dev_run(adev);
		return NULL;

	/* Saving: pre-copy sends the header while the device runs. */
	case ARC_(RUNNING, PRE_COPY):
	case ARC_(RUNNING_P2P, PRE_COPY_P2P):
		return accmdev_mig_save_begin(adev, false);
	case ARC_(STOP, STOP_COPY):
		return accmdev_mig_save_begin(adev, true);
	case ARC_(PRE_COPY, STOP_COPY):
	case ARC_(PRE_COPY_P2P, STOP_COPY):
		accmdev_dev_halt(adev);
		accmdev_mig_save_state(adev, adev->saving);
		return NULL;
	/* Leaving the saving group ends the session (and aborts pre-copy). */
	case ARC_(PRE_COPY, RUNNING):
	case ARC_(PRE_COPY_P2P, RUNNING_P2P):
	case ARC_(STOP_COPY, STOP):
		accmdev_mig_end_sessions_locked(adev);
		return NULL;

	/* Resuming: everything is checked before anything is applied. */
	case ARC_(STOP, RESUMING):
		return accmdev_mig_resume_begin(adev);
	case ARC_(RESUMING, STOP):
		ret = accmdev_mig_load(adev, adev->resuming);
		if (ret)
			return ERR_PTR(ret);
		accmdev_mig_end_sessions_locked(adev);
		return NULL;
	}

	/* vfio_mig_get_next_state() only returns the arcs above. */
	WARN_ON(true);
	return ERR_PTR(-EINVAL);
}

/*
 * One arc at a time towards @new. On a failure the device stays in the
 * last state it reached, which the user can read back; an arc that
 * fails changes nothing.
 */
static struct file *accmdev_mig_set_state(struct vfio_device *vdev,
					  enum vfio_device_mig_state new)
{
	struct accmdev_device *adev = vdev_to_adev(vdev);
	enum vfio_device_mig_state next;
	struct file *res = NULL;
	int ret;

	mutex_lock(&adev->state_mutex);
	while (adev->mig_state != new) {
		ret = vfio_mig_get_next_state(vdev, adev->mig_state, new, &next);
		if (ret) {
			res = ERR_PTR(ret);
			break;
		}
		res = accmdev_mig_step_locked(adev, next);
		if (IS_ERR(res))
			break;
		adev->mig_state = next;
		/* Only the last arc of a path may open a data file. */
		if (WARN_ON(res && adev->mig_state != new)) {
			fput(res);
			res = ERR_PTR(-EINVAL);
			break;
		}
	}
	mutex_unlock(&adev->state_mutex);
	return res;
}

static int accmdev_mig_get_state(struct vfio_device *vdev,
				 enum vfio_device_mig_state *state)
{
	struct accmdev_device *adev = vdev_to_adev(vdev);

	mutex_lock(&adev->state_mutex);
	*state = adev->mig_state;
	mutex_unlock(&adev->state_mutex);
	return 0;
}

/*
 * What stop-copy still has to move, exactly: the whole stream, less what
 * pre-copy has already delivered of it when a saving session is in
 * pre-copy.
 */
static int accmdev_mig_get_data_size(struct vfio_device *vdev,
				     unsigned long *len)
{
	struct accmdev_device *adev = vdev_to_adev(vdev);
	char line[ACCMDEV_MIG_VERSION_BUF];
	struct accmdev_mig_file *migf;
	int vlen;

	vlen = accmdev_mig_version(adev, line, sizeof(line));
	if (vlen < 0)
		return vlen;
	*len = accmdev_mig_stream_size(adev->model.nqps, vlen);

	mutex_lock(&adev->state_mutex);
	migf = adev->saving;
	if (migf) {
		mutex_lock(&migf->lock);
		if (!migf->final)
			*len -= min(migf->pos, *len);
		mutex_unlock(&migf->lock);
	}
	mutex_unlock(&adev->state_mutex);
	return 0;
}

static const struct vfio_migration_ops accmdev_mig_ops = {
	.migration_set_state	= accmdev_mig_set_state,
	.migration_get_state	= accmdev_mig_get_state,
	ACCMDEV_MIG_DATA_SIZE_OP(accmdev_mig_get_data_size)
};

/*
 * Before 6.2 (compat.h) the core passes VFIO_DEVICE_FEATURE_MIG_DATA_SIZE
 * here, as an unknown feature: answer it, so that QEMU does not assume
 * an enormous stop-copy size.
 */
int accmdev_mig_device_feature(struct vfio_device *vdev, u32 flags,
			       void __user *arg, size_t argsz)
{
	struct vfio_device_feature_mig_data_size size = {};
	unsigned long len;
	int ret;

	if ((flags & VFIO_DEVICE_FEATURE_MASK) !=
	    VFIO_DEVICE_FEATURE_MIG_DATA_SIZE || !vdev->mig_ops)
		return -ENOTTY;
	ret = vfio_check_feature(flags, argsz, VFIO_DEVICE_FEATURE_GET,
				 sizeof(size));
	if (ret != 1)
		return ret;
	ret = accmdev_mig_get_data_size(vdev, &len);
	if (ret)
		return ret;
	size.stop_copy_length = len;
	return copy_to_user(arg, &size, sizeof(size)) ? -EFAULT : 0;
}

/* ---- device lifecycle --------------------------------------------------- */

/* At ->init: devices of a parent that cannot migrate offer no migration. */
void accmdev_mig_init(struct accmdev_device *adev)
{
	mutex_init(&adev->state_mutex);
	adev->mig_state = VFIO_DEVICE_STATE_RUNNING;
	if (adev->parent->migratable) {
		adev->vdev.migration_flags = ACCMDEV_MIG_FLAGS;
		adev->vdev.mig_ops = &accmdev_mig_ops;
	}
}

void accmdev_mig_destroy(struct accmdev_device *adev)
{
	mutex_destroy(&adev->state_mutex);
}

void accmdev_mig_open(struct accmdev_device *adev)
{
	mutex_lock(&adev->state_mutex);
	adev->mig_state = VFIO_DEVICE_STATE_RUNNING;
	mutex_unlock(&adev->state_mutex);
}

/* Before the device closes: no session survives it. */
void accmdev_mig_close(struct accmdev_device *adev)
{
	mutex_lock(&adev->state_mutex);
	accmdev_mig_end_sessions_locked(adev);
	adev->mig_state = VFIO_DEVICE_STATE_RUNNING;
	mutex_unlock(&adev->state_mutex);
}

/* VFIO_DEVICE_RESET: from any state (ERROR too) back to RUNNING. */
void accmdev_mig_reset(struct accmdev_device *adev)
{
	mutex_lock(&adev->state_mutex);
	accmdev_mig_end_sessions_locked(adev);
	accmdev_dev_reset(adev);
	adev->mig_state = VFIO_DEVICE_STATE_RUNNING;
	mutex_unlock(&adev->state_mutex);
}
