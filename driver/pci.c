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

/* Byte @n of the address mask of a memory BAR of @size bytes. */
#define BAR_MASK(size, n)	((u8)((~((u32)(size) - 1) & PCI_BASE_ADDRESS_MEM_MASK) \
				      >> (8 * (n))))
#define MSIX_CAP		ACCMDEV_MSIX_CAP_OFFSET

static const u8 accmdev_cfg_wmask[PCI_CFG_SPACE_SIZE] = {
	[PCI_COMMAND]		= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
				  PCI_COMMAND_PARITY,
	[PCI_COMMAND + 1]	= (PCI_COMMAND_SERR |
				   PCI_COMMAND_INTX_DISABLE) >> 8,
	[PCI_CACHE_LINE_SIZE]	= 0xff,
	[PCI_BASE_ADDRESS_0]	= BAR_MASK(ACCMDEV_REGS_BAR_SIZE, 0),
	[PCI_BASE_ADDRESS_0 + 1] = BAR_MASK(ACCMDEV_REGS_BAR_SIZE, 1),
	[PCI_BASE_ADDRESS_0 + 2] = BAR_MASK(ACCMDEV_REGS_BAR_SIZE, 2),
	[PCI_BASE_ADDRESS_0 + 3] = BAR_MASK(ACCMDEV_REGS_BAR_SIZE, 3),
	[PCI_BASE_ADDRESS_2]	= BAR_MASK(ACCMDEV_MSIX_BAR_SIZE, 0),
	[PCI_BASE_ADDRESS_2 + 1] = BAR_MASK(ACCMDEV_MSIX_BAR_SIZE, 1),
	[PCI_BASE_ADDRESS_2 + 2] = BAR_MASK(ACCMDEV_MSIX_BAR_SIZE, 2),
	[PCI_BASE_ADDRESS_2 + 3] = BAR_MASK(ACCMDEV_MSIX_BAR_SIZE, 3),
	[PCI_INTERRUPT_LINE]	= 0xff,
	[MSIX_CAP + PCI_MSIX_FLAGS + 1] = (PCI_MSIX_FLAGS_ENABLE |
					   PCI_MSIX_FLAGS_MASKALL) >> 8,
};

static void put16(u8 *cfg, unsigned int off, u16 v)
{
	cfg[off] = v & 0xff;
	cfg[off + 1] = v >> 8;
}

static void put32(u8 *cfg, unsigned int off, u32 v)
{
	put16(cfg, off, v & 0xffff);
	put16(cfg, off + 2, v >> 16);
}

/*
 * Power-on values of @pci for the model in @st. A reset (VFIO_DEVICE_RESET,
 * open, close) is a function-level reset: everything returns to these
 * values, BARs and the command register included, as on real hardware.
 */
static void accmdev_pci_defaults(const struct accmdev_state *st,
				 struct accmdev_pci *pci)
{
	u8 *cfg = pci->cfg;
	unsigned int i;

	memset(pci, 0, sizeof(*pci));
	put16(cfg, PCI_VENDOR_ID, ACCMDEV_PCI_VENDOR_ID);
	put16(cfg, PCI_DEVICE_ID, st->device_id);
	put16(cfg, PCI_STATUS, PCI_STATUS_CAP_LIST);
	cfg[PCI_REVISION_ID] = st->rev;
	cfg[PCI_CLASS_PROG] = ACCMDEV_PCI_CLASS & 0xff;
	put16(cfg, PCI_CLASS_DEVICE, ACCMDEV_PCI_CLASS >> 8);
	cfg[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_NORMAL;
	put32(cfg, PCI_BASE_ADDRESS_0, PCI_BASE_ADDRESS_SPACE_MEMORY |
	      PCI_BASE_ADDRESS_MEM_TYPE_32);
	put32(cfg, PCI_BASE_ADDRESS_2, PCI_BASE_ADDRESS_SPACE_MEMORY |
	      PCI_BASE_ADDRESS_MEM_TYPE_32);
	put16(cfg, PCI_SUBSYSTEM_VENDOR_ID, ACCMDEV_PCI_VENDOR_ID);
	put16(cfg, PCI_SUBSYSTEM_ID, st->device_id);
	cfg[PCI_CAPABILITY_LIST] = MSIX_CAP;

	cfg[MSIX_CAP + PCI_CAP_LIST_ID] = PCI_CAP_ID_MSIX;
	cfg[MSIX_CAP + PCI_CAP_LIST_NEXT] = 0;
	put16(cfg, MSIX_CAP + PCI_MSIX_FLAGS, st->nqps - 1);
	put32(cfg, MSIX_CAP + PCI_MSIX_TABLE,
	      ACCMDEV_MSIX_TABLE_OFFSET | ACCMDEV_MSIX_BAR);
	put32(cfg, MSIX_CAP + PCI_MSIX_PBA,
	      ACCMDEV_MSIX_PBA_OFFSET | ACCMDEV_MSIX_BAR);

	for (i = 0; i < ACCMDEV_QP_MAX; i++)
		pci->msix[i][PCI_MSIX_ENTRY_VECTOR_CTRL / 4] =
			cpu_to_le32(PCI_MSIX_ENTRY_CTRL_MASKBIT);
}

void accmdev_pci_reset(struct accmdev_device *adev)
{
	lockdep_assert_held(&adev->regs_lock);
	accmdev_pci_defaults(&adev->st, &adev->st.pci);
}

/*
 * Could the device of model @st hold @pci? Every bit a write cannot
 * change has its power-on value, and every MSI-X entry of the first
 * st->nqps holds only what a write can leave there; entries beyond are
 * zero but for the mask bit. Used on an incoming migration stream.
 */
bool accmdev_pci_valid(const struct accmdev_state *st,
		       const struct accmdev_pci *pci)
{
	struct accmdev_pci def;		/* 512 bytes */
	unsigned int i;
	bool ok = true;

	accmdev_pci_defaults(st, &def);
	for (i = 0; i < PCI_CFG_SPACE_SIZE; i++)
		if ((pci->cfg[i] ^ def.cfg[i]) & ~accmdev_cfg_wmask[i])
			ok = false;
	for (i = 0; i < ACCMDEV_QP_MAX; i++) {
		const __le32 *e = pci->msix[i];

		if (i >= st->nqps)
			ok &= !memcmp(e, def.msix[i], sizeof(def.msix[i]));
		else
			ok &= !(le32_to_cpu(e[PCI_MSIX_ENTRY_LOWER_ADDR / 4]) & 3) &&
			      !(le32_to_cpu(e[PCI_MSIX_ENTRY_VECTOR_CTRL / 4]) &
				~PCI_MSIX_ENTRY_CTRL_MASKBIT);
	}
	return ok;
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
	if (off >= ACCMDEV_MSIX_PBA_OFFSET || entry >= adev->st.nqps)
		return 0;
	return le32_to_cpu(adev->st.pci.msix[entry][off % PCI_MSIX_ENTRY_SIZE / 4]);
}

void accmdev_pci_msix_write(struct accmdev_device *adev, unsigned int off,
			    u32 val)
{
	unsigned int entry = off / PCI_MSIX_ENTRY_SIZE;
	unsigned int dw = off % PCI_MSIX_ENTRY_SIZE / 4;

	lockdep_assert_held(&adev->regs_lock);
	if (off >= ACCMDEV_MSIX_PBA_OFFSET || entry >= adev->st.nqps)
		return;
	/* Message address is dword aligned; vector control has one bit. */
	if (dw == PCI_MSIX_ENTRY_LOWER_ADDR / 4)
		val &= ~3u;
	else if (dw == PCI_MSIX_ENTRY_VECTOR_CTRL / 4)
		val &= PCI_MSIX_ENTRY_CTRL_MASKBIT;
	adev->st.pci.msix[entry][dw] = cpu_to_le32(val);
}
