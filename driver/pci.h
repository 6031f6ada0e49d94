/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * accmdev PCI function emulation: the 256-byte configuration space and
 * the MSI-X table and PBA of BAR2. See Documentation/device.rst.
 */
#ifndef ACCMDEV_PCI_H
#define ACCMDEV_PCI_H

#include <linux/pci_regs.h>
#include <linux/types.h>

#include "uapi/accmdev_regs.h"

struct accmdev_device;

/* Config space and MSI-X table; part of the device state. */
struct accmdev_pci {
	u8 cfg[PCI_CFG_SPACE_SIZE];
	__le32 msix[ACCMDEV_QP_MAX][PCI_MSIX_ENTRY_SIZE / 4];
};

void accmdev_pci_reset(struct accmdev_device *adev);
void accmdev_pci_cfg_read(struct accmdev_device *adev, unsigned int off,
			  u8 *buf, unsigned int len);
void accmdev_pci_cfg_write(struct accmdev_device *adev, unsigned int off,
			   const u8 *buf, unsigned int len);
bool accmdev_pci_mem_enabled(struct accmdev_device *adev);
bool accmdev_pci_master_enabled(struct accmdev_device *adev);
u32 accmdev_pci_msix_read(struct accmdev_device *adev, unsigned int off);
void accmdev_pci_msix_write(struct accmdev_device *adev, unsigned int off,
			    u32 val);

#endif /* ACCMDEV_PCI_H */
