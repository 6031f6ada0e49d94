// SPDX-License-Identifier: GPL-2.0-only
/*
 * accmdev devices: the mdev driver (probe and remove) and the VFIO device
 * operations of each mediated device.
 *
 * A device takes its queue pairs from its parent's pool in ->init and
 * gives them back in ->release, so a failed create leaves the pool as it
 * was and available_instances follows the live devices exactly.
 *
 * To its user a device is a vfio-pci device (Documentation/device.rst):
 * config space, BAR0 registers and the BAR2 MSI-X table through region
 * read and write, one MSI-X eventfd per queue pair, a request eventfd,
 * and VFIO_DEVICE_RESET. The device emulation behind it is in pci.c,
 * regs.c, qp.c and engine.c.
 *
 * There is no dma_unmap callback: the device pins nothing, and each of
 * its vfio_dma_rw() calls is atomic against an unmap (the IOMMU backend
 * holds its lock across the copy), so after an unmap the device can no
 * longer reach the range; a descriptor in flight then completes with a
 * fault status.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/eventfd.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "accmdev.h"
#include "compat.h"
#include "regs.h"

static int accmdev_init_dev(struct vfio_device *vdev)
{
	struct accmdev_device *adev = vdev_to_adev(vdev);
	struct mdev_device *mdev = to_mdev_device(vdev->dev);
	struct accmdev_type *t = to_accmdev_type(mdev->type);
	struct accmdev_parent *p = t->parent;

	if (!accmdev_pool_take(p, t->qps))
		return -ENOSPC;
	adev->parent = p;
	adev->type = t;
	adev->model.device_id = p->kind == ACCMDEV_KIND_SEC ?
				ACCMDEV_PCI_DEVICE_SEC : ACCMDEV_PCI_DEVICE_ZIP;
	adev->model.rev = t->rev;
	adev->model.algs = t->algs;
	adev->model.nqps = t->qps;
	mutex_init(&adev->ctl_lock);
	spin_lock_init(&adev->regs_lock);
	spin_lock_init(&adev->irq_lock);
	init_waitqueue_head(&adev->idle_wq);
	accmdev_mig_init(adev);
	return 0;
}

static void accmdev_release_dev(struct vfio_device *vdev)
{
	struct accmdev_device *adev = vdev_to_adev(vdev);

	accmdev_pool_give(adev->parent, adev->type->qps);
	accmdev_mig_destroy(adev);
	mutex_destroy(&adev->ctl_lock);
	accmdev_vfio_free(vdev);
}

/* ---- interrupts ------------------------------------------------------- */

/* Vectors per IRQ index: one MSI-X vector per QP and the request IRQ. */
static unsigned int accmdev_irq_count(struct accmdev_device *adev,
				      unsigned int index)
{
	switch (index) {
	case VFIO_PCI_MSIX_IRQ_INDEX:
		return adev->type->qps;
	case VFIO_PCI_REQ_IRQ_INDEX:
		return 1;
	}
	return 0;
}

static struct eventfd_ctx **accmdev_triggers(struct accmdev_device *adev,
					     unsigned int index)
{
	return index == VFIO_PCI_MSIX_IRQ_INDEX ? adev->msix_trigger :
						  &adev->req_trigger;
}

void accmdev_irq_signal(struct accmdev_device *adev, unsigned int vector)
{
	spin_lock(&adev->irq_lock);
	if (adev->msix_trigger[vector])
		accmdev_eventfd_signal(adev->msix_trigger[vector]);
	spin_unlock(&adev->irq_lock);
}

/*
 * Install @count eventfds (-1: none) from @fds, all or nothing: every new
 * context is taken before any old one is replaced.
 */
static int accmdev_irq_set_eventfds(struct accmdev_device *adev,
				    unsigned int index, unsigned int start,
				    unsigned int count, const s32 *fds)
{
	struct eventfd_ctx **trig = accmdev_triggers(adev, index);
	struct eventfd_ctx *ctx[ACCMDEV_QP_MAX] = {};
	unsigned int i;
	int ret = 0;

	for (i = 0; i < count; i++) {
		if (fds[i] < 0)
			continue;
		ctx[i] = eventfd_ctx_fdget(fds[i]);
		if (IS_ERR(ctx[i])) {
			ret = PTR_ERR(ctx[i]);
			ctx[i] = NULL;
			goto out_put;
		}
	}
	spin_lock(&adev->irq_lock);
	for (i = 0; i < count; i++)
		swap(ctx[i], trig[start + i]);
	spin_unlock(&adev->irq_lock);
out_put:
	for (i = 0; i < count; i++)
		if (ctx[i])
			eventfd_ctx_put(ctx[i]);
	return ret;
}

/* "No eventfd" for every vector of an index. */
static const s32 accmdev_no_eventfds[ACCMDEV_QP_MAX] = {
	[0 ... ACCMDEV_QP_MAX - 1] = -1
};

static void accmdev_irq_release(struct accmdev_device *adev)
{
	accmdev_irq_set_eventfds(adev, VFIO_PCI_MSIX_IRQ_INDEX, 0,
				 ACCMDEV_QP_MAX, accmdev_no_eventfds);
	accmdev_irq_set_eventfds(adev, VFIO_PCI_REQ_IRQ_INDEX, 0, 1,
				 accmdev_no_eventfds);
}

/* Loopback triggers: DATA_NONE signals all, DATA_BOOL the true ones. */
static void accmdev_irq_test(struct accmdev_device *adev, unsigned int index,
			     unsigned int start, unsigned int count,
			     const u8 *bools)
{
	struct eventfd_ctx **trig = accmdev_triggers(adev, index);
	unsigned int i;

	spin_lock(&adev->irq_lock);
	for (i = 0; i < count; i++)
		if (trig[start + i] && (!bools || bools[i]))
			accmdev_eventfd_signal(trig[start + i]);
	spin_unlock(&adev->irq_lock);
}

/*
 * Only ACTION_TRIGGER exists (the vectors are not maskable). DATA_NONE
 * with count 0 releases every eventfd of the index, as with vfio-pci.
 */
static int accmdev_set_irqs(struct accmdev_device *adev,
			    const struct vfio_irq_set *hdr, const void *data)
{
	if ((hdr->flags & VFIO_IRQ_SET_ACTION_TYPE_MASK) !=
	    VFIO_IRQ_SET_ACTION_TRIGGER)
		return -EINVAL;

	switch (hdr->flags & VFIO_IRQ_SET_DATA_TYPE_MASK) {
	case VFIO_IRQ_SET_DATA_NONE:
		if (!hdr->count)
			return accmdev_irq_set_eventfds(adev, hdr->index, 0,
					accmdev_irq_count(adev, hdr->index),
					accmdev_no_eventfds);
		accmdev_irq_test(adev, hdr->index, hdr->start, hdr->count,
				 NULL);
		return 0;
	case VFIO_IRQ_SET_DATA_BOOL:
		accmdev_irq_test(adev, hdr->index, hdr->start, hdr->count,
				 data);
		return 0;
	case VFIO_IRQ_SET_DATA_EVENTFD:
		return accmdev_irq_set_eventfds(adev, hdr->index, hdr->start,
						hdr->count, data);
	}
	return -EINVAL;
}

/*
 * The core calls this while "remove" waits for the user to close the
 * device: first at once, then every 10 seconds. With a request eventfd
 * the user is asked each time; without one the remover just waits.
 */
static void accmdev_request(struct vfio_device *vdev, unsigned int count)
{
	struct accmdev_device *adev = vdev_to_adev(vdev);

	spin_lock(&adev->irq_lock);
	if (adev->req_trigger) {
		if (!count)
			dev_info(vdev->dev, "asking the user to release the device\n");
		accmdev_eventfd_signal(adev->req_trigger);
	} else if (!count) {
		dev_info(vdev->dev,
			 "no request eventfd: removal waits until the user releases the device\n");
	}
	spin_unlock(&adev->irq_lock);
}

/* ---- open and close --------------------------------------------------- */

static int accmdev_open_device(struct vfio_device *vdev)
{
	struct accmdev_device *adev = vdev_to_adev(vdev);
	u32 algs;
	int ret;

	accmdev_mig_open(adev);
	spin_lock(&adev->regs_lock);
	algs = adev->model.algs;
	spin_unlock(&adev->regs_lock);
	ret = accmdev_engine_alloc(&adev->eng, algs);
	if (ret)
		return ret;
	ret = accmdev_dev_open(adev);
	if (ret)
		goto out_free_engine;
	return 0;

out_free_engine:
	accmdev_engine_free(&adev->eng);
	return ret;
}

/*
 * Ends any migration session and stops the worker, so no DMA happens
 * once this returns.
 */
static void accmdev_close_device(struct vfio_device *vdev)
{
	struct accmdev_device *adev = vdev_to_adev(vdev);

	accmdev_mig_close(adev);
	accmdev_dev_close(adev);
	accmdev_irq_release(adev);
	accmdev_engine_free(&adev->eng);
}

/* ---- region access ---------------------------------------------------- */

/*
 * Config space takes any span within its 256 bytes; BARs take single
 * accesses of at most 8 bytes (regs.c checks size and alignment). User
 * memory is copied before and after, never under a lock of the device.
 * Returns the region index, or a negative errno.
 */
static int accmdev_access(loff_t pos, size_t count, u64 *off)
{
	unsigned int index = pos >> ACCMDEV_REGION_SHIFT;

	*off = pos & ACCMDEV_REGION_MASK;
	if (pos < 0)
		return -EINVAL;
	if (index == VFIO_PCI_CONFIG_REGION_INDEX)
		return *off < PCI_CFG_SPACE_SIZE &&
		       count <= PCI_CFG_SPACE_SIZE - *off ? index : -EINVAL;
	return count <= sizeof(u64) ? index : -EINVAL;
}

static ssize_t accmdev_read(struct vfio_device *vdev, char __user *buf,
			    size_t count, loff_t *ppos)
{
	struct accmdev_device *adev = vdev_to_adev(vdev);
	u8 data[PCI_CFG_SPACE_SIZE];
	int index, ret;
	__le64 le;
	u64 off, val;

	if (!count)
		return 0;
	index = accmdev_access(*ppos, count, &off);
	if (index < 0)
		return index;
	if (index == VFIO_PCI_CONFIG_REGION_INDEX) {
		accmdev_pci_cfg_read(adev, off, data, count);
	} else {
		ret = accmdev_bar_read(adev, index, off, count, &val);
		if (ret)
			return ret;
		le = cpu_to_le64(val);
		memcpy(data, &le, count);
	}
	if (copy_to_user(buf, data, count))
		return -EFAULT;
	*ppos += count;
	return count;
}

static ssize_t accmdev_write(struct vfio_device *vdev, const char __user *buf,
			     size_t count, loff_t *ppos)
{
	struct accmdev_device *adev = vdev_to_adev(vdev);
	u8 data[PCI_CFG_SPACE_SIZE] = {};
	int index, ret;
	__le64 le;
	u64 off;

	if (!count)
		return 0;
	index = accmdev_access(*ppos, count, &off);
	if (index < 0)
		return index;
	if (copy_from_user(data, buf, count))
		return -EFAULT;
	if (index == VFIO_PCI_CONFIG_REGION_INDEX) {
		accmdev_pci_cfg_write(adev, off, data, count);
	} else {
		memcpy(&le, data, sizeof(le));
		ret = accmdev_bar_write(adev, index, off, count,
					le64_to_cpu(le));
		if (ret)
			return ret;
	}
	*ppos += count;
	return count;
}

/* ---- ioctls ----------------------------------------------------------- */

static int accmdev_ioctl_get_info(unsigned long arg)
{
	unsigned long minsz = offsetofend(struct vfio_device_info, num_irqs);
	struct vfio_device_info info;

	if (copy_from_user(&info, (void __user *)arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	info.flags = VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET;
	info.num_regions = VFIO_PCI_NUM_REGIONS;
	info.num_irqs = VFIO_PCI_NUM_IRQS;
	return copy_to_user((void __user *)arg, &info, minsz) ? -EFAULT : 0;
}

/*
 * Fills in @info for the region @info->index: the config space and the
 * BARs, read-write, without capabilities. The mdev core calls it through
 * ->get_region_info_caps from 6.19 on, and accmdev's own ioctl before
 * that (compat.h).
 */
static int accmdev_region_info(struct vfio_device *vdev,
			       struct vfio_region_info *info,
			       struct vfio_info_cap *caps)
{
	if (info->index >= VFIO_PCI_NUM_REGIONS)
		return -EINVAL;
	info->cap_offset = 0;
	info->offset = ACCMDEV_REGION_OFFSET(info->index);
	if (info->index == VFIO_PCI_CONFIG_REGION_INDEX)
		info->size = PCI_CFG_SPACE_SIZE;
	else
		info->size = accmdev_bar_size(info->index);
	info->flags = info->size ? VFIO_REGION_INFO_FLAG_READ |
				   VFIO_REGION_INFO_FLAG_WRITE : 0;
	return 0;
}

static int accmdev_ioctl_get_region_info(struct vfio_device *vdev,
					 unsigned long arg)
{
	unsigned long minsz = offsetofend(struct vfio_region_info, offset);
	struct vfio_region_info info;
	int ret;

	if (copy_from_user(&info, (void __user *)arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	ret = accmdev_region_info(vdev, &info, NULL);
	if (ret)
		return ret;
	return copy_to_user((void __user *)arg, &info, minsz) ? -EFAULT : 0;
}

static int accmdev_ioctl_get_irq_info(struct accmdev_device *adev,
				      unsigned long arg)
{
	unsigned long minsz = offsetofend(struct vfio_irq_info, count);
	struct vfio_irq_info info;

	if (copy_from_user(&info, (void __user *)arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz || info.index >= VFIO_PCI_NUM_IRQS)
		return -EINVAL;
	info.count = accmdev_irq_count(adev, info.index);
	info.flags = info.count ? VFIO_IRQ_INFO_EVENTFD : 0;
	return copy_to_user((void __user *)arg, &info, minsz) ? -EFAULT : 0;
}

static int accmdev_ioctl_set_irqs(struct accmdev_device *adev,
				  unsigned long arg)
{
	unsigned long minsz = offsetofend(struct vfio_irq_set, count);
	struct vfio_irq_set hdr;
	size_t data_size = 0;
	void *data = NULL;
	int ret;

	if (copy_from_user(&hdr, (void __user *)arg, minsz))
		return -EFAULT;
	if (hdr.index >= VFIO_PCI_NUM_IRQS)
		return -EINVAL;
	ret = vfio_set_irqs_validate_and_prepare(&hdr,
						 accmdev_irq_count(adev, hdr.index),
						 VFIO_PCI_NUM_IRQS, &data_size);
	if (ret)
		return ret;
	if (data_size) {
		data = memdup_user((void __user *)(arg + minsz), data_size);
		if (IS_ERR(data))
			return PTR_ERR(data);
	}
	ret = accmdev_set_irqs(adev, &hdr, data);
	kfree(data);
	return ret;
}

static long accmdev_ioctl(struct vfio_device *vdev, unsigned int cmd,
			  unsigned long arg)
{
	struct accmdev_device *adev = vdev_to_adev(vdev);

	switch (cmd) {
	case VFIO_DEVICE_GET_INFO:
		return accmdev_ioctl_get_info(arg);
	case VFIO_DEVICE_GET_REGION_INFO:
		return accmdev_ioctl_get_region_info(vdev, arg);
	case VFIO_DEVICE_GET_IRQ_INFO:
		return accmdev_ioctl_get_irq_info(adev, arg);
	case VFIO_DEVICE_SET_IRQS:
		return accmdev_ioctl_set_irqs(adev, arg);
	case VFIO_DEVICE_RESET:
		accmdev_mig_reset(adev);
		return 0;
	}
	return -ENOTTY;
}

static const struct vfio_device_ops accmdev_vfio_ops = {
	.name		= ACCMDEV_NAME,
	.init		= accmdev_init_dev,
	.release	= accmdev_release_dev,
	.open_device	= accmdev_open_device,
	.close_device	= accmdev_close_device,
	.read		= accmdev_read,
	.write		= accmdev_write,
	.ioctl		= accmdev_ioctl,
	ACCMDEV_REGION_INFO_OP(accmdev_region_info)
	.request	= accmdev_request,
	ACCMDEV_DEVICE_FEATURE_OP(accmdev_mig_device_feature)
	ACCMDEV_IOMMUFD_OPS
};

static int accmdev_probe(struct mdev_device *mdev)
{
	struct accmdev_device *adev;
	int ret;

	adev = vfio_alloc_device(accmdev_device, vdev, &mdev->dev,
				 &accmdev_vfio_ops);
	if (IS_ERR(adev))
		return PTR_ERR(adev);

	/*
	 * The device's own device set, claimed here where a failure shows:
	 * vfio_register_*_dev() claims it for a driver that has not, but
	 * ignores the result (6.1 to 7.3), so a failed allocation there
	 * registers a device without a set, and its first open dereferences
	 * NULL (found by 80-faultinject). vfio_put_device() releases it.
	 */
	ret = vfio_assign_device_set(&adev->vdev, &adev->vdev);
	if (ret)
		goto out_put_vdev;
	ret = vfio_register_emulated_iommu_dev(&adev->vdev);
	if (ret)
		goto out_put_vdev;
	dev_set_drvdata(&mdev->dev, adev);
	return 0;

out_put_vdev:
	vfio_put_device(&adev->vdev);
	return ret;
}

static void accmdev_remove(struct mdev_device *mdev)
{
	struct accmdev_device *adev = dev_get_drvdata(&mdev->dev);

	vfio_unregister_group_dev(&adev->vdev);
	vfio_put_device(&adev->vdev);
}

struct mdev_driver accmdev_mdev_driver = {
	.device_api		= VFIO_DEVICE_API_PCI_STRING,
	.driver = {
		.name		= ACCMDEV_NAME,
		.owner		= THIS_MODULE,
		.mod_name	= KBUILD_MODNAME,
		.dev_groups	= accmdev_device_groups,
		/*
		 * No bind and unbind files: unbinding by hand would give the
		 * QPs back while the mdev exists, and it could not be bound
		 * again. Devices come and go through create and remove.
		 */
		.suppress_bind_attrs = true,
	},
	.probe			= accmdev_probe,
	.remove			= accmdev_remove,
	.get_available		= accmdev_type_get_available,
	.show_description	= accmdev_type_show_description,
};
