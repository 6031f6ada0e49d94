// SPDX-License-Identifier: GPL-2.0-only
/*
 * accmdev PCI function: configuration space and MSI-X table.
 *
 * Config space is 256 bytes of conventional PCI header type 0 with one
 * capability, MSI-X, at ACCMDEV_MSIX_CAP_OFFSET. Every byte has a write
 * mask, as in hardware: IDs, class, header type, capability pointers and
 * BAR type bits are read-only; BARs report their size through the usual
 * all-ones sizing write; the command register keeps only the bits the
 * device implements. There is no INTx (interrupt pin 0), no I/O BAR and
 * no expansion ROM.
 *
 * The MSI-X table and PBA in BAR2 are storage for the user (QEMU
 * emulates its own): interrupts go to the eventfds set with
 * VFIO_DEVICE_SET_IRQS, whatever the table holds, and the PBA reads 0.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/string.h>

#include "accmdev.h"

void accmdev_pci_reset(struct accmdev_device *adev)
{
	lockdep_assert_held(&adev->regs_lock);
	accmdev_pci_defaults(&adev->st.pci, adev->model.device_id, adev->model.rev,
			     adev->model.nqps);
}

/* Any span of config space; the caller checked the bounds. */
void accmdev_pci_cfg_read(struct accmdev_device *adev, unsigned int off,
			  u8 *buf, unsigned int len)
{
	spin_lock(&adev->regs_lock);
	memcpy(buf, adev->st.pci.cfg + off, len);
	spin_unlock(&adev->regs_lock);
}

/*
 * Any span of config space, byte by byte through the write masks. Bus
 * master enable releases doorbells that arrived while it was off.
 */
void accmdev_pci_cfg_write(struct accmdev_device *adev, unsigned int off,
			   const u8 *buf, unsigned int len)
{
	u8 *cfg = adev->st.pci.cfg;
	unsigned int i;

	spin_lock(&adev->regs_lock);
	for (i = 0; i < len; i++) {
		u8 m = accmdev_cfg_wmask[off + i];

		cfg[off + i] = (cfg[off + i] & ~m) | (buf[i] & m);
	}
	if (cfg[PCI_COMMAND] & PCI_COMMAND_MASTER)
		accmdev_qp_kick_locked(adev);
	spin_unlock(&adev->regs_lock);
}

bool accmdev_pci_mem_enabled(struct accmdev_device *adev)
{
	lockdep_assert_held(&adev->regs_lock);
	return adev->st.pci.cfg[PCI_COMMAND] & PCI_COMMAND_MEMORY;
}

bool accmdev_pci_master_enabled(struct accmdev_device *adev)
{
	lockdep_assert_held(&adev->regs_lock);
	return adev->st.pci.cfg[PCI_COMMAND] & PCI_COMMAND_MASTER;
}

/* A dword of BAR2: table entries of implemented vectors, else zero. */
u32 accmdev_pci_msix_read(struct accmdev_device *adev, unsigned int off)
{
	unsigned int entry = off / PCI_MSIX_ENTRY_SIZE;

	lockdep_assert_held(&adev->regs_lock);
	if (off >= ACCMDEV_MSIX_PBA_OFFSET || entry >= adev->model.nqps)
		return 0;
	return le32_to_cpu(adev->st.pci.msix[entry][off % PCI_MSIX_ENTRY_SIZE / 4]);
}

void accmdev_pci_msix_write(struct accmdev_device *adev, unsigned int off,
			    u32 val)
{
	unsigned int entry = off / PCI_MSIX_ENTRY_SIZE;
	unsigned int dw = off % PCI_MSIX_ENTRY_SIZE / 4;

	lockdep_assert_held(&adev->regs_lock);
	if (off >= ACCMDEV_MSIX_PBA_OFFSET || entry >= adev->model.nqps)
		return;
	/* Message address is dword aligned; vector control has one bit. */
	if (dw == PCI_MSIX_ENTRY_LOWER_ADDR / 4)
		val &= ~3u;
	else if (dw == PCI_MSIX_ENTRY_VECTOR_CTRL / 4)
		val &= PCI_MSIX_ENTRY_CTRL_MASKBIT;
	adev->st.pci.msix[entry][dw] = cpu_to_le32(val);
}
