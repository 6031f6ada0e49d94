/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * accmdev host bridge: the accelerators as PCI functions on a root bus
 * that the module creates and owns, so that the host sees each one the
 * way it sees a real accelerator (lspci, udev's PCI_CLASS, libvirt's
 * node devices). See Documentation/driver.rst, "The accelerators' PCI
 * functions".
 */
#ifndef ACCMDEV_HOSTBRIDGE_H
#define ACCMDEV_HOSTBRIDGE_H

#include <linux/pci.h>
#include <linux/types.h>

struct accmdev_parent;

/*
 * The accelerators' own functions (the host's view); the mdevs they
 * offer are ACCMDEV_PCI_DEVICE_* (uapi/accmdev_regs.h, the guest's
 * view). No driver in any kernel matches these IDs.
 */
#define ACCMDEV_PCI_DEVICE_PF_ZIP	0x1001
#define ACCMDEV_PCI_DEVICE_PF_SEC	0x1002

/*
 * The PCI domain of the root bus: outside the 16-bit segments firmware
 * describes (ACPI MCFG, DMAR, IVRS), like VMD's, and fixed, so that an
 * accelerator's address is the same on every load (mdevctl and libvirt
 * keep parents by address).
 */
#define ACCMDEV_PCI_DOMAIN_DEFAULT	0x1acce
#define ACCMDEV_PCI_DOMAIN_MIN		0x10000

int accmdev_host_create(int domain, struct accmdev_parent **parents,
			unsigned int nr);
void accmdev_host_destroy(void);
struct accmdev_parent *accmdev_host_parent(struct pci_dev *pdev);

/* pf.c */
extern struct pci_driver accmdev_pf_driver;

#endif /* ACCMDEV_HOSTBRIDGE_H */
