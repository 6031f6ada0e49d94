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
 * The stream (uapi/accmdev_mig.h, Documentation/migration.rst). Pre-copy
 * sends the preamble and the VERSION record, the device-level
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
 * applied; a bad stream fails that arc and the device stays in RESUMING,
 * unchanged, until the user resets it or closes it.
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

static_assert(sizeof(struct accmdev_mig_preamble) == 16);
static_assert(sizeof(struct accmdev_mig_rec) == 16);
static_assert(sizeof(struct accmdev_mig_device) == 24);
static_assert(sizeof(struct accmdev_mig_qp) == 192);
static_assert(sizeof(struct accmdev_mig_end) == 8);
static_assert(ACCMDEV_MIG_PCI_CFG == PCI_CFG_SPACE_SIZE);
static_assert(ACCMDEV_MIG_MSIX_ENTRY == PCI_MSIX_ENTRY_SIZE);
/* The SHA-2 state in the stream's own form (compat.h), on every kernel. */
static_assert(sizeof_field(struct accmdev_mig_qp, sha_state) ==
	      ACCMDEV_SHA2_WORDS * sizeof(u32));
static_assert(sizeof_field(struct accmdev_mig_qp, sha_buf) ==
	      SHA256_BLOCK_SIZE);

/* Room for the version line of any device this build describes. */
#define ACCMDEV_MIG_VERSION_BUF	256
/* The last QP error code a device can latch. */
#define ACCMDEV_QP_ERR_LAST	ACCMDEV_QP_ERR_CQ_WRITE

/* Bytes a record with @len bytes of payload takes in the stream. */
static size_t accmdev_mig_rec_size(size_t len)
{
	return sizeof(struct accmdev_mig_rec) + ALIGN(len, ACCMDEV_MIG_ALIGN);
}

static size_t accmdev_mig_pci_len(unsigned int nqps)
{
	return ACCMDEV_MIG_PCI_CFG + nqps * ACCMDEV_MIG_MSIX_ENTRY;
}

/* The whole stream of a device with @nqps QPs and a version of @vlen. */
static size_t accmdev_mig_stream_size(unsigned int nqps, size_t vlen)
{
	return sizeof(struct accmdev_mig_preamble) +
	       accmdev_mig_rec_size(vlen) +
	       accmdev_mig_rec_size(sizeof(struct accmdev_mig_device)) +
	       accmdev_mig_rec_size(accmdev_mig_pci_len(nqps)) +
	       nqps * accmdev_mig_rec_size(sizeof(struct accmdev_mig_qp)) +
	       accmdev_mig_rec_size(sizeof(struct accmdev_mig_end));
}

static u32 accmdev_mig_crc(const u8 *p, size_t len)
{
	return ~accmdev_crc32c(~0u, p, len);
}

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
	v.rev = adev->st.rev;
	v.algs = adev->st.algs;
	v.qps = adev->st.nqps;
	spin_unlock(&adev->regs_lock);
	return accmdev_migver_format(&v, buf, size);
}

static void accmdev_mig_dst(struct accmdev_device *adev,
			    struct accmdev_migver_dst *dst)
{
	dst->migratable = adev->parent->migratable;
	dst->exact_rev = true;
	dst->kind = adev->parent->kind;
	spin_lock(&adev->regs_lock);
	dst->qps = adev->st.nqps;
	dst->rev = adev->st.rev;
	dst->algs = adev->st.algs;
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

static int accmdev_mig_check_version(struct accmdev_mig_file *migf,
				     const u8 *s, size_t len,
				     struct accmdev_migver *src)
{
	enum accmdev_compat c;

	c = accmdev_migver_check((const char *)s, len, &migf->dst, src);
	if (c == ACCMDEV_COMPAT_OK)
		return 0;
	accmdev_migver_log(migf->dev, "stream", c, src, &migf->dst);
	return -accmdev_compat_errno(c);
}

static int accmdev_mig_check_preamble(const struct accmdev_mig_preamble *pre)
{
	if (le64_to_cpu(pre->magic) != ACCMDEV_MIG_MAGIC || pre->rsvd)
		return -EINVAL;
	if (le16_to_cpu(pre->major) != ACCMDEV_FORMAT_MAJOR)
		return -EPROTO;
	return 0;
}

/*
 * The early check: once the preamble and the VERSION record are in,
 * judge them. Returns 0 while more bytes are needed.
 */
static int accmdev_mig_check_header(struct accmdev_mig_file *migf)
{
	const size_t hdr = sizeof(struct accmdev_mig_preamble) +
			   sizeof(struct accmdev_mig_rec);
	const struct accmdev_mig_rec *rec;
	struct accmdev_migver src = {};
	u32 len;
	int ret;

	lockdep_assert_held(&migf->lock);
	if (migf->checked ||
	    migf->filled < sizeof(struct accmdev_mig_preamble))
		return 0;
	ret = accmdev_mig_check_preamble((void *)migf->buf);
	if (ret || migf->filled < hdr)
		return ret;
	rec = (void *)(migf->buf + sizeof(struct accmdev_mig_preamble));
	len = le32_to_cpu(rec->len);
	if (le32_to_cpu(rec->tag) != ACCMDEV_MIG_TAG_VERSION || rec->flags ||
	    rec->rsvd || !len || len >= ACCMDEV_MIGVER_MAX)
		return -EINVAL;
	if (migf->filled - hdr < len)
		return 0;
	ret = accmdev_mig_check_version(migf, migf->buf + hdr, len, &src);
	if (!ret)
		migf->checked = true;
	return ret;
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
		ret = -EFBIG;
		goto out_fail;
	}
	if (copy_from_user(migf->buf + migf->filled, buf, len)) {
		ret = -EFAULT;
		goto out_fail;
	}
	migf->filled += len;
	ret = accmdev_mig_check_header(migf);
	if (ret)
		goto out_fail;
	ret = len;
	goto out_unlock;

out_fail:
	migf->error = ret;
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

/* Append a record header for @len bytes; returns where the payload goes. */
static void *accmdev_mig_put(struct accmdev_mig_file *migf, u32 tag,
			     size_t len)
{
	struct accmdev_mig_rec *rec = (void *)(migf->buf + migf->filled);

	if (WARN_ON(accmdev_mig_rec_size(len) > migf->size - migf->filled))
		return NULL;
	rec->tag = cpu_to_le32(tag);
	rec->flags = 0;
	rec->len = cpu_to_le32(len);
	rec->rsvd = 0;
	migf->filled += accmdev_mig_rec_size(len);
	return rec + 1;
}

static void accmdev_mig_put_qp(struct accmdev_mig_qp *r, unsigned int index,
			       const struct accmdev_qp *qp)
{
	u32 h[ACCMDEV_SHA2_WORDS];
	unsigned int i;
	u64 count;

	r->index = cpu_to_le32(index);
	r->enabled = cpu_to_le32(qp->enabled);
	r->sq_base = cpu_to_le64(qp->sq_base);
	r->cq_base = cpu_to_le64(qp->cq_base);
	r->sq_size = cpu_to_le32(qp->sq_size);
	r->cq_size = cpu_to_le32(qp->cq_size);
	r->error = cpu_to_le32(qp->error);
	r->sq_tail = cpu_to_le32(qp->sq_tail);
	r->sq_head = cpu_to_le32(qp->sq_head);
	r->cq_tail = cpu_to_le32(qp->cq_tail);
	r->cq_head = cpu_to_le32(qp->cq_head);
	r->cq_phase = cpu_to_le32(qp->cq_phase);
	r->seq = cpu_to_le32(qp->seq);
	r->irq_count = cpu_to_le32(qp->irq_count);
	r->done_count = cpu_to_le32(qp->done_count);
	r->fail_count = cpu_to_le32(qp->fail_count);
	r->ctx_op = cpu_to_le32(qp->ctx.op);
	r->ctx_sum = cpu_to_le32(qp->ctx.sum);
	r->ctx_bytes = cpu_to_le64(qp->ctx.bytes);
	accmdev_sha2_export(&qp->ctx.sha, h, &count, r->sha_buf);
	for (i = 0; i < ARRAY_SIZE(r->sha_state); i++)
		r->sha_state[i] = cpu_to_le32(h[i]);
	r->sha_count = cpu_to_le64(count);
}

/*
 * Append the device state and END. The worker is halted, so the QP
 * stream contexts are ours (ctl_lock keeps register writes from
 * clearing them meanwhile); regs_lock covers the rest.
 */
static void accmdev_mig_save_state(struct accmdev_device *adev,
				   struct accmdev_mig_file *migf)
{
	struct accmdev_state *st = &adev->st;
	struct accmdev_mig_device *d;
	struct accmdev_mig_qp *q;
	struct accmdev_mig_end *end;
	unsigned int i, records = 1;
	size_t crc_len;
	u8 *pci;

	mutex_lock(&migf->lock);
	mutex_lock(&adev->ctl_lock);
	spin_lock(&adev->regs_lock);
	d = accmdev_mig_put(migf, ACCMDEV_MIG_TAG_DEVICE, sizeof(*d));
	if (!d)
		goto out_unlock;
	d->device_id = cpu_to_le16(st->device_id);
	d->rev = cpu_to_le32(st->rev);
	d->algs = cpu_to_le32(st->algs);
	d->nqps = cpu_to_le32(st->nqps);
	d->rr = cpu_to_le32(st->rr);
	records++;

	pci = accmdev_mig_put(migf, ACCMDEV_MIG_TAG_PCI,
			      accmdev_mig_pci_len(st->nqps));
	if (!pci)
		goto out_unlock;
	memcpy(pci, st->pci.cfg, ACCMDEV_MIG_PCI_CFG);
	memcpy(pci + ACCMDEV_MIG_PCI_CFG, st->pci.msix,
	       st->nqps * ACCMDEV_MIG_MSIX_ENTRY);
	records++;

	for (i = 0; i < st->nqps; i++) {
		q = accmdev_mig_put(migf, ACCMDEV_MIG_TAG_QP, sizeof(*q));
		if (!q)
			goto out_unlock;
		accmdev_mig_put_qp(q, i, &st->qp[i]);
		records++;
	}

	crc_len = migf->filled;
	end = accmdev_mig_put(migf, ACCMDEV_MIG_TAG_END, sizeof(*end));
	if (!end)
		goto out_unlock;
	end->records = cpu_to_le32(records);
	end->crc32c = cpu_to_le32(accmdev_mig_crc(migf->buf, crc_len));
out_unlock:
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
	struct accmdev_mig_preamble *pre;
	struct accmdev_mig_file *migf;
	char line[ACCMDEV_MIG_VERSION_BUF];
	int vlen;
	u8 *v;

	lockdep_assert_held(&adev->state_mutex);
	vlen = accmdev_mig_version(adev, line, sizeof(line));
	if (vlen < 0)
		return ERR_PTR(vlen);
	migf = accmdev_mig_file_new(adev, true,
				    accmdev_mig_stream_size(adev->st.nqps,
							    vlen));
	if (IS_ERR(migf))
		return ERR_CAST(migf);

	pre = (void *)migf->buf;
	pre->magic = cpu_to_le64(ACCMDEV_MIG_MAGIC);
	pre->major = cpu_to_le16(ACCMDEV_FORMAT_MAJOR);
	pre->minor = cpu_to_le16(ACCMDEV_FORMAT_MINOR);
	migf->filled = sizeof(*pre);
	v = accmdev_mig_put(migf, ACCMDEV_MIG_TAG_VERSION, vlen);
	if (v)
		memcpy(v, line, vlen);
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
	accmdev_mig_dst(adev, &migf->dst);
	get_file(migf->filp);
	adev->resuming = migf;
	return migf->filp;
}

/* Where each record of an incoming stream is, after framing checks. */
struct accmdev_mig_parse {
	const u8 *version;
	u32 version_len;
	const struct accmdev_mig_device *device;
	const u8 *pci;
	u32 pci_len;
	const struct accmdev_mig_qp *qp[ACCMDEV_QP_MAX];
	unsigned int nr_qp;
	const char *why;		/* what was wrong, for the log */
};

static int accmdev_mig_bad(struct accmdev_mig_parse *p, int err,
			   const char *why)
{
	p->why = why;
	return err;
}

static int accmdev_mig_note(struct accmdev_mig_parse *p, u32 tag, u32 flags,
			    const u8 *body, u32 len)
{
	const struct accmdev_mig_qp *q;
	u32 index;

	switch (tag) {
	case ACCMDEV_MIG_TAG_VERSION:
		if (p->version)
			return accmdev_mig_bad(p, -EINVAL, "VERSION repeated");
		p->version = body;
		p->version_len = len;
		return 0;
	case ACCMDEV_MIG_TAG_DEVICE:
		if (p->device || len != sizeof(*p->device))
			return accmdev_mig_bad(p, -EINVAL,
					       "DEVICE repeated or sized wrong");
		p->device = (const void *)body;
		return 0;
	case ACCMDEV_MIG_TAG_PCI:
		if (p->pci)
			return accmdev_mig_bad(p, -EINVAL, "PCI repeated");
		p->pci = body;
		p->pci_len = len;
		return 0;
	case ACCMDEV_MIG_TAG_QP:
		q = (const void *)body;
		if (len != sizeof(*q))
			return accmdev_mig_bad(p, -EINVAL, "QP sized wrong");
		index = le32_to_cpu(q->index);
		if (index >= ACCMDEV_QP_MAX || p->qp[index])
			return accmdev_mig_bad(p, -EINVAL,
					       "QP index out of range or repeated");
		p->qp[index] = q;
		p->nr_qp++;
		return 0;
	}
	if (flags & ACCMDEV_MIG_F_OPTIONAL)
		return 0;
	return accmdev_mig_bad(p, -EOPNOTSUPP, "unknown mandatory record");
}

/*
 * Framing: the preamble, then records that each fit, have zero padding
 * and known flags, VERSION first, and END last with the right record
 * count and CRC over everything before it, and nothing after END.
 */
static int accmdev_mig_frame(const u8 *buf, size_t filled,
			     struct accmdev_mig_parse *p)
{
	size_t off = sizeof(struct accmdev_mig_preamble), body, padded;
	const struct accmdev_mig_rec *rec;
	const struct accmdev_mig_end *end;
	unsigned int records = 0;
	u32 tag, flags, len;
	int ret;

	if (filled < off)
		return accmdev_mig_bad(p, -ENODATA, "stream truncated");
	ret = accmdev_mig_check_preamble((const void *)buf);
	if (ret)
		return accmdev_mig_bad(p, ret, "preamble");
	for (;;) {
		if (filled - off < sizeof(*rec))
			return accmdev_mig_bad(p, -ENODATA, "stream truncated");
		rec = (const void *)(buf + off);
		tag = le32_to_cpu(rec->tag);
		flags = le32_to_cpu(rec->flags);
		len = le32_to_cpu(rec->len);
		body = off + sizeof(*rec);
		if (rec->rsvd || flags & ~ACCMDEV_MIG_F_OPTIONAL)
			return accmdev_mig_bad(p, -EINVAL, "record header");
		if (len > filled - body)
			return accmdev_mig_bad(p, -ENODATA, "stream truncated");
		padded = ALIGN((size_t)len, ACCMDEV_MIG_ALIGN);
		if (padded > filled - body)
			return accmdev_mig_bad(p, -ENODATA, "stream truncated");
		if (memchr_inv(buf + body + len, 0, padded - len))
			return accmdev_mig_bad(p, -EINVAL, "record padding");
		if (tag == ACCMDEV_MIG_TAG_END)
			break;
		if (!records && tag != ACCMDEV_MIG_TAG_VERSION)
			return accmdev_mig_bad(p, -EINVAL, "VERSION not first");
		ret = accmdev_mig_note(p, tag, flags, buf + body, len);
		if (ret)
			return ret;
		records++;
		off = body + padded;
	}

	end = (const void *)(buf + body);
	if (len != sizeof(*end) || flags)
		return accmdev_mig_bad(p, -EINVAL, "END sized wrong");
	if (body + padded != filled)
		return accmdev_mig_bad(p, -EINVAL, "bytes after END");
	if (le32_to_cpu(end->records) != records)
		return accmdev_mig_bad(p, -EINVAL, "END record count");
	if (le32_to_cpu(end->crc32c) != accmdev_mig_crc(buf, off))
		return accmdev_mig_bad(p, -EBADMSG, "CRC32C mismatch");
	return 0;
}

static bool accmdev_adler_ok(u32 sum)
{
	return (sum & 0xffff) < 65521 && (sum >> 16) < 65521;
}

/* A QP stream context: plain data, but only what the engine can leave. */
static bool accmdev_mig_ctx_ok(const struct accmdev_mig_qp *r, u32 algs,
			       bool enabled)
{
	u32 op = le32_to_cpu(r->ctx_op);
	bool sha;

	if (!op)
		return !r->ctx_sum && !r->ctx_bytes && !r->sha_count &&
		       !memchr_inv(r->sha_state, 0, sizeof(r->sha_state)) &&
		       !memchr_inv(r->sha_buf, 0, sizeof(r->sha_buf));
	if (!enabled || op > ACCMDEV_OP_COUNT || !accmdev_op_streams(op - 1) ||
	    !(algs & BIT(op - 1)))
		return false;
	sha = op - 1 == ACCMDEV_OP_SHA256 || op - 1 == ACCMDEV_OP_SHA224;
	if (sha)
		return !r->ctx_sum && r->sha_count == r->ctx_bytes;
	if (r->sha_count || memchr_inv(r->sha_state, 0, sizeof(r->sha_state)) ||
	    memchr_inv(r->sha_buf, 0, sizeof(r->sha_buf)))
		return false;
	return op - 1 != ACCMDEV_OP_ADLER32 ||
	       accmdev_adler_ok(le32_to_cpu(r->ctx_sum));
}

/* Decode and check one QP record into @qp. */
static int accmdev_mig_take_qp(const struct accmdev_mig_qp *r, u32 algs,
			       struct accmdev_qp *qp)
{
	u32 h[ACCMDEV_SHA2_WORDS];
	unsigned int i;

	memset(qp, 0, sizeof(*qp));
	qp->enabled = le32_to_cpu(r->enabled);
	qp->sq_base = le64_to_cpu(r->sq_base);
	qp->cq_base = le64_to_cpu(r->cq_base);
	qp->sq_size = le32_to_cpu(r->sq_size);
	qp->cq_size = le32_to_cpu(r->cq_size);
	qp->error = le32_to_cpu(r->error);
	qp->sq_tail = le32_to_cpu(r->sq_tail);
	qp->sq_head = le32_to_cpu(r->sq_head);
	qp->cq_tail = le32_to_cpu(r->cq_tail);
	qp->cq_head = le32_to_cpu(r->cq_head);
	qp->cq_phase = le32_to_cpu(r->cq_phase);
	qp->seq = le32_to_cpu(r->seq);
	qp->irq_count = le32_to_cpu(r->irq_count);
	qp->done_count = le32_to_cpu(r->done_count);
	qp->fail_count = le32_to_cpu(r->fail_count);

	if (qp->enabled > 1 || qp->cq_phase > 1 ||
	    qp->error > ACCMDEV_QP_ERR_LAST)
		return -EINVAL;
	if (qp->enabled) {
		/* Enabled rings passed these checks when they were enabled. */
		if (accmdev_qp_check_rings(qp) != ACCMDEV_QP_ERR_NONE ||
		    qp->sq_tail >= qp->sq_size || qp->sq_head >= qp->sq_size ||
		    qp->cq_tail >= qp->cq_size || qp->cq_head >= qp->cq_size)
			return -EINVAL;
	} else if (qp->sq_tail || qp->sq_head || qp->cq_tail ||
		   qp->cq_head || qp->seq || qp->cq_phase != 1) {
		/* Disabling a QP clears its run state. */
		return -EINVAL;
	}
	if (!accmdev_mig_ctx_ok(r, algs, qp->enabled))
		return -EINVAL;

	qp->ctx.op = le32_to_cpu(r->ctx_op);
	qp->ctx.sum = le32_to_cpu(r->ctx_sum);
	qp->ctx.bytes = le64_to_cpu(r->ctx_bytes);
	for (i = 0; i < ARRAY_SIZE(h); i++)
		h[i] = le32_to_cpu(r->sha_state[i]);
	accmdev_sha2_import(&qp->ctx.sha, h, le64_to_cpu(r->sha_count),
			    r->sha_buf);
	return 0;
}

/*
 * Check the parsed records against this device and decode them into
 * @ns (rr, pci and the first nqps QPs only). @st is the device's model.
 */
static int accmdev_mig_decode(struct accmdev_mig_file *migf,
			      struct accmdev_mig_parse *p,
			      const struct accmdev_state *st,
			      struct accmdev_state *ns)
{
	const struct accmdev_mig_device *d = p->device;
	struct accmdev_migver src = {};
	unsigned int i;
	int ret;

	ret = accmdev_mig_check_version(migf, p->version, p->version_len, &src);
	if (ret)
		return accmdev_mig_bad(p, ret, "VERSION refused");
	if (!d || !p->pci || p->nr_qp != st->nqps)
		return accmdev_mig_bad(p, -EINVAL, "records missing");

	/* The body must describe the device its header announced. */
	if (d->rsvd0 || d->rsvd1 ||
	    le16_to_cpu(d->device_id) != st->device_id ||
	    le32_to_cpu(d->rev) != src.rev || src.rev != st->rev ||
	    le32_to_cpu(d->nqps) != st->nqps ||
	    le32_to_cpu(d->algs) != src.algs || src.algs & ~st->algs ||
	    le32_to_cpu(d->rr) >= st->nqps)
		return accmdev_mig_bad(p, -EINVAL, "DEVICE disagrees");
	ns->rr = le32_to_cpu(d->rr);
	/* A destination with more algorithms becomes the source's device. */
	ns->algs = src.algs;

	if (p->pci_len != accmdev_mig_pci_len(st->nqps))
		return accmdev_mig_bad(p, -EINVAL, "PCI sized wrong");
	memcpy(ns->pci.cfg, p->pci, ACCMDEV_MIG_PCI_CFG);
	memcpy(ns->pci.msix, p->pci + ACCMDEV_MIG_PCI_CFG,
	       st->nqps * ACCMDEV_MIG_MSIX_ENTRY);
	for (i = st->nqps; i < ACCMDEV_QP_MAX; i++)
		ns->pci.msix[i][PCI_MSIX_ENTRY_VECTOR_CTRL / 4] =
			cpu_to_le32(PCI_MSIX_ENTRY_CTRL_MASKBIT);
	if (!accmdev_pci_valid(st, &ns->pci))
		return accmdev_mig_bad(p, -EINVAL, "PCI state impossible");

	/* nr_qp == nqps distinct indexes: all below nqps means all there. */
	for (i = 0; i < ACCMDEV_QP_MAX; i++) {
		if (!p->qp[i])
			continue;
		if (i >= st->nqps)
			return accmdev_mig_bad(p, -EINVAL, "QP index out of range");
		if (accmdev_mig_take_qp(p->qp[i], src.algs, &ns->qp[i]))
			return accmdev_mig_bad(p, -EINVAL, "QP state impossible");
	}
	return 0;
}

/*
 * RESUMING -> STOP: validate the whole stream, then apply it. The device
 * is halted, so the QP contexts are ours while ctl_lock is held.
 */
static int accmdev_mig_load(struct accmdev_device *adev,
			    struct accmdev_mig_file *migf)
{
	struct accmdev_mig_parse p = {};
	struct accmdev_state *model, *ns;
	unsigned int i;
	int ret;

	lockdep_assert_held(&adev->state_mutex);
	model = kzalloc(sizeof(*model), GFP_KERNEL);
	ns = kzalloc(sizeof(*ns), GFP_KERNEL);
	if (!model || !ns) {
		ret = -ENOMEM;
		goto out_free;
	}
	spin_lock(&adev->regs_lock);
	model->device_id = adev->st.device_id;
	model->rev = adev->st.rev;
	model->algs = adev->st.algs;
	model->nqps = adev->st.nqps;
	spin_unlock(&adev->regs_lock);

	mutex_lock(&migf->lock);
	ret = migf->error;
	if (ret)
		p.why = "an earlier write failed";
	else
		ret = accmdev_mig_frame(migf->buf, migf->filled, &p);
	if (!ret)
		ret = accmdev_mig_decode(migf, &p, model, ns);
	if (ret)
		migf->error = ret;
	mutex_unlock(&migf->lock);
	if (ret) {
		dev_info_ratelimited(adev->vdev.dev,
				     "migration stream refused: %s (%pe)\n",
				     p.why, ERR_PTR(ret));
		goto out_free;
	}

	/*
	 * The guest must see the device it had: a destination whose
	 * algorithms are a superset of the source's takes the source's, in
	 * ALGS and in its model (model_algorithms, migration_version), for
	 * as long as the model is not changed by hand while closed.
	 */
	mutex_lock(&adev->lock);
	adev->model_algs = ns->algs;
	mutex_unlock(&adev->lock);
	mutex_lock(&adev->ctl_lock);
	spin_lock(&adev->regs_lock);
	adev->st.algs = ns->algs;
	adev->st.rr = ns->rr;
	adev->st.pci = ns->pci;
	for (i = 0; i < model->nqps; i++)
		adev->st.qp[i] = ns->qp[i];
	spin_unlock(&adev->regs_lock);
	mutex_unlock(&adev->ctl_lock);
out_free:
	kfree(ns);
	kfree(model);
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
	*len = accmdev_mig_stream_size(adev->st.nqps, vlen);

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
