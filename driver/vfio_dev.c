// SPDX-License-Identifier: GPL-2.0-only
/*
 * accmdev devices: the mdev driver (probe and remove) and the VFIO device
 * operations of each mediated device.
 *
 * A device takes its queue pairs from its parent's pool in ->init and
 * gives them back in ->release, so a failed create leaves the pool as it
 * was and available_instances follows the live devices exactly.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/module.h>

#include "accmdev.h"
#include "compat.h"

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
	mutex_init(&adev->lock);
	adev->model_rev = p->rev;
	adev->model_algs = p->algs;
	return 0;
}

static void accmdev_release_dev(struct vfio_device *vdev)
{
	struct accmdev_device *adev = vdev_to_adev(vdev);

	accmdev_pool_give(adev->parent, adev->type->qps);
	mutex_destroy(&adev->lock);
	accmdev_vfio_free(vdev);
}

static int accmdev_open_device(struct vfio_device *vdev)
{
	struct accmdev_device *adev = vdev_to_adev(vdev);

	mutex_lock(&adev->lock);
	adev->open = true;
	mutex_unlock(&adev->lock);
	return 0;
}

static void accmdev_close_device(struct vfio_device *vdev)
{
	struct accmdev_device *adev = vdev_to_adev(vdev);

	mutex_lock(&adev->lock);
	adev->open = false;
	mutex_unlock(&adev->lock);
}

static const struct vfio_device_ops accmdev_vfio_ops = {
	.name		= ACCMDEV_NAME,
	.init		= accmdev_init_dev,
	.release	= accmdev_release_dev,
	.open_device	= accmdev_open_device,
	.close_device	= accmdev_close_device,
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
	},
	.probe			= accmdev_probe,
	.remove			= accmdev_remove,
	.get_available		= accmdev_type_get_available,
	.show_description	= accmdev_type_show_description,
};
