// SPDX-License-Identifier: GPL-2.0-only
/*
 * accmdev's PCI driver for the accelerators' own functions on its root
 * bus (hostbridge.c): probing a function makes it its accelerator's mdev
 * parent, removing it removes the parent and every mdev of it.
 *
 * The driver has no module alias table, so nothing loads for these IDs,
 * and no bind or unbind file, so a function cannot be handed to another
 * driver (libvirt's nodedev-detach fails rather than give it to
 * vfio-pci). It never touches DMA (the mdevs' DMA goes through VFIO's
 * emulated IOMMU group), so binding takes no DMA ownership.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/pci.h>

#include "accmdev.h"
#include "hostbridge.h"

static const struct pci_device_id accmdev_pf_ids[] = {
	{ PCI_DEVICE(ACCMDEV_PCI_VENDOR_ID, ACCMDEV_PCI_DEVICE_PF_ZIP) },
	{ PCI_DEVICE(ACCMDEV_PCI_VENDOR_ID, ACCMDEV_PCI_DEVICE_PF_SEC) },
	{ }
};

static int accmdev_pf_probe(struct pci_dev *pdev,
			    const struct pci_device_id *id)
{
	struct accmdev_parent *p = accmdev_host_parent(pdev);
	int ret;

	/* The IDs on another bus: not an accelerator of this module. */
	if (!p)
		return -ENODEV;
	ret = accmdev_parent_attach(p, pdev);
	p->probe_err = ret;
	if (ret)
		return ret;
	pci_set_drvdata(pdev, p);
	return 0;
}

static void accmdev_pf_remove(struct pci_dev *pdev)
{
	accmdev_parent_detach(pci_get_drvdata(pdev));
}

struct pci_driver accmdev_pf_driver = {
	.name			= ACCMDEV_NAME,
	.id_table		= accmdev_pf_ids,
	.probe			= accmdev_pf_probe,
	.remove			= accmdev_pf_remove,
	.driver_managed_dma	= true,
	.driver = {
		.suppress_bind_attrs = true,
	},
};
