/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * accmdev BAR access: BAR0 (registers) and BAR2 (MSI-X), with the access
 * rules of Documentation/device.rst, "Region access".
 */
#ifndef ACCMDEV_REGS_H
#define ACCMDEV_REGS_H

#include <linux/types.h>

struct accmdev_device;

/* The vfio-pci region offset encoding: index in the bits above 40. */
#define ACCMDEV_REGION_SHIFT		40
#define ACCMDEV_REGION_OFFSET(index)	((u64)(index) << ACCMDEV_REGION_SHIFT)
#define ACCMDEV_REGION_MASK		(ACCMDEV_REGION_OFFSET(1) - 1)

u64 accmdev_bar_size(unsigned int index);
int accmdev_bar_read(struct accmdev_device *adev, unsigned int index,
		     u64 off, unsigned int size, u64 *val);
int accmdev_bar_write(struct accmdev_device *adev, unsigned int index,
		      u64 off, unsigned int size, u64 val);

#endif /* ACCMDEV_REGS_H */
