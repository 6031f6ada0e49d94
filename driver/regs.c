// SPDX-License-Identifier: GPL-2.0-only
/*
 * accmdev BAR access.
 *
 * Both BARs are arrays of 32-bit registers. Reads may be 1, 2, 4 or 8
 * bytes, naturally aligned (an 8-byte read is two registers, low one
 * first); reads have no side effects. Writes must be 4 or 8 bytes,
 * naturally aligned (an 8-byte write is two register writes, low one
 * first); smaller writes fail with EINVAL, as does any access that is
 * misaligned or leaves the BAR. Offsets without a register read 0 and
 * ignore writes. With memory decoding off in the command register,
 * every access fails with EIO, as vfio-pci does for a real device.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>

#include "accmdev.h"
#include "regs.h"

u64 accmdev_bar_size(unsigned int index)
{
	switch (index) {
	case VFIO_PCI_BAR0_REGION_INDEX + ACCMDEV_REGS_BAR:
		return ACCMDEV_REGS_BAR_SIZE;
	case VFIO_PCI_BAR0_REGION_INDEX + ACCMDEV_MSIX_BAR:
		return ACCMDEV_MSIX_BAR_SIZE;
	}
	return 0;
}

static int accmdev_bar_check(unsigned int index, u64 off, unsigned int size,
			     bool write)
{
	u64 bar = accmdev_bar_size(index);

	if (!bar)
		return -EINVAL;
	if (write ? size != 4 && size != 8 :
		    size != 1 && size != 2 && size != 4 && size != 8)
		return -EINVAL;
	if (off >= bar || size > bar - off || !IS_ALIGNED(off, size))
		return -EINVAL;
	return 0;
}

static u32 accmdev_dev_reg_read_locked(struct accmdev_device *adev,
				       unsigned int reg)
{
	const struct accmdev_model *m = &adev->model;

	switch (reg) {
	case ACCMDEV_REG_ID:
		return ACCMDEV_PCI_VENDOR_ID << 16 | m->device_id;
	case ACCMDEV_REG_VERSION:
		return ACCMDEV_ABI_VERSION;
	case ACCMDEV_REG_REVISION:
		return m->rev;
	case ACCMDEV_REG_ALGS:
		return m->algs;
	case ACCMDEV_REG_NUM_QPS:
		return m->nqps;
	case ACCMDEV_REG_MAX_SRC:
		return ACCMDEV_MAX_SRC_LEN;
	case ACCMDEV_REG_MAX_DST:
		return ACCMDEV_MAX_DST_LEN;
	case ACCMDEV_REG_MAX_RING:
		return ACCMDEV_RING_MAX;
	case ACCMDEV_REG_STATUS:
		return accmdev_dev_status_locked(adev);
	}
	return 0;
}

/* Where a BAR0 offset lands: device registers or a QP's. */
static bool accmdev_qp_reg(u64 off, unsigned int *q, unsigned int *reg)
{
	if (off < ACCMDEV_QP_REGS_OFFSET ||
	    off >= ACCMDEV_QP_REG(ACCMDEV_QP_MAX, 0))
		return false;
	off -= ACCMDEV_QP_REGS_OFFSET;
	*q = off / ACCMDEV_QP_REGS_STRIDE;
	*reg = off % ACCMDEV_QP_REGS_STRIDE;
	return true;
}

static u32 accmdev_reg_read_locked(struct accmdev_device *adev,
				   unsigned int index, u64 off)
{
	unsigned int q, reg;

	lockdep_assert_held(&adev->regs_lock);
	if (index == VFIO_PCI_BAR0_REGION_INDEX + ACCMDEV_MSIX_BAR)
		return accmdev_pci_msix_read(adev, off);
	if (accmdev_qp_reg(off, &q, &reg))
		return accmdev_qp_reg_read_locked(adev, q, reg);
	return accmdev_dev_reg_read_locked(adev, off);
}

int accmdev_bar_read(struct accmdev_device *adev, unsigned int index,
		     u64 off, unsigned int size, u64 *val)
{
	u64 dw = ALIGN_DOWN(off, 4);
	int ret;

	ret = accmdev_bar_check(index, off, size, false);
	if (ret)
		return ret;
	spin_lock(&adev->regs_lock);
	if (!accmdev_pci_mem_enabled(adev)) {
		ret = -EIO;
	} else if (size == 8) {
		*val = accmdev_reg_read_locked(adev, index, off) |
		       (u64)accmdev_reg_read_locked(adev, index, off + 4) << 32;
	} else {
		*val = accmdev_reg_read_locked(adev, index, dw) >>
		       (8 * (off - dw));
		*val &= GENMASK_ULL(8 * size - 1, 0);
	}
	spin_unlock(&adev->regs_lock);
	return ret;
}

static void accmdev_reg_write(struct accmdev_device *adev, unsigned int index,
			      u64 off, u32 val)
{
	unsigned int q, reg;

	if (index == VFIO_PCI_BAR0_REGION_INDEX + ACCMDEV_MSIX_BAR) {
		spin_lock(&adev->regs_lock);
		accmdev_pci_msix_write(adev, off, val);
		spin_unlock(&adev->regs_lock);
	} else if (accmdev_qp_reg(off, &q, &reg)) {
		accmdev_qp_reg_write(adev, q, reg, val);
	}
	/* Device registers are read-only. */
}

int accmdev_bar_write(struct accmdev_device *adev, unsigned int index,
		      u64 off, unsigned int size, u64 val)
{
	bool mem;
	int ret;

	ret = accmdev_bar_check(index, off, size, true);
	if (ret)
		return ret;
	spin_lock(&adev->regs_lock);
	mem = accmdev_pci_mem_enabled(adev);
	spin_unlock(&adev->regs_lock);
	if (!mem)
		return -EIO;
	accmdev_reg_write(adev, index, off, lower_32_bits(val));
	if (size == 8)
		accmdev_reg_write(adev, index, off + 4, upper_32_bits(val));
	return 0;
}
