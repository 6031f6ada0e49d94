// SPDX-License-Identifier: GPL-2.0-only
/*
 * accmdev device rules; see rules.h. Built unchanged into the module
 * and into the host tests of tests/stream.
 */
#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/string.h>
#endif

#include "rules.h"

/* ---- rings ------------------------------------------------------------ */

static bool accmdev_ring_size_ok(u32 n)
{
	return is_power_of_2(n) && n >= ACCMDEV_RING_MIN &&
	       n <= ACCMDEV_RING_MAX;
}

bool accmdev_overlap(u64 a, u64 alen, u64 b, u64 blen)
{
	return alen && blen && a < b + blen && b < a + alen;
}

bool accmdev_range_ok(u64 a, u64 len)
{
	return !len || a + (len - 1) >= a;
}

u32 accmdev_rings_check(u64 sq_base, u32 sq_size, u64 cq_base, u32 cq_size)
{
	u64 sq_bytes = (u64)sq_size * ACCMDEV_SQE_SIZE;
	u64 cq_bytes = (u64)cq_size * ACCMDEV_CQE_SIZE;

	if (!accmdev_ring_size_ok(sq_size) || !accmdev_ring_size_ok(cq_size))
		return ACCMDEV_QP_ERR_RING_SIZE;
	if (!IS_ALIGNED(sq_base, ACCMDEV_RING_ALIGN) ||
	    !IS_ALIGNED(cq_base, ACCMDEV_RING_ALIGN))
		return ACCMDEV_QP_ERR_RING_ALIGN;
	if (!accmdev_range_ok(sq_base, sq_bytes) ||
	    !accmdev_range_ok(cq_base, cq_bytes))
		return ACCMDEV_QP_ERR_RING_RANGE;
	if (accmdev_overlap(sq_base, sq_bytes, cq_base, cq_bytes))
		return ACCMDEV_QP_ERR_RING_OVERLAP;
	return ACCMDEV_QP_ERR_NONE;
}

bool accmdev_op_streams(unsigned int op)
{
	return op == ACCMDEV_OP_CRC32C || op == ACCMDEV_OP_ADLER32 ||
	       op == ACCMDEV_OP_SHA256 || op == ACCMDEV_OP_SHA224;
}

/* ---- config space ----------------------------------------------------- */

/* Byte @n of the address mask of a memory BAR of @size bytes. */
#define BAR_MASK(size, n)	((u8)((~((u32)(size) - 1) & PCI_BASE_ADDRESS_MEM_MASK) \
				      >> (8 * (n))))
#define MSIX_CAP		ACCMDEV_MSIX_CAP_OFFSET

const u8 accmdev_cfg_wmask[PCI_CFG_SPACE_SIZE] = {
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
 * A reset (VFIO_DEVICE_RESET, open, close) is a function-level reset:
 * everything returns to these values, BARs and the command register
 * included, as on real hardware.
 */
void accmdev_pci_defaults(struct accmdev_pci *pci, u16 device_id, u32 rev,
			  u32 nqps)
{
	u8 *cfg = pci->cfg;
	unsigned int i;

	memset(pci, 0, sizeof(*pci));
	put16(cfg, PCI_VENDOR_ID, ACCMDEV_PCI_VENDOR_ID);
	put16(cfg, PCI_DEVICE_ID, device_id);
	put16(cfg, PCI_STATUS, PCI_STATUS_CAP_LIST);
	cfg[PCI_REVISION_ID] = rev;
	cfg[PCI_CLASS_PROG] = ACCMDEV_PCI_CLASS & 0xff;
	put16(cfg, PCI_CLASS_DEVICE, ACCMDEV_PCI_CLASS >> 8);
	cfg[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_NORMAL;
	put32(cfg, PCI_BASE_ADDRESS_0, PCI_BASE_ADDRESS_SPACE_MEMORY |
	      PCI_BASE_ADDRESS_MEM_TYPE_32);
	put32(cfg, PCI_BASE_ADDRESS_2, PCI_BASE_ADDRESS_SPACE_MEMORY |
	      PCI_BASE_ADDRESS_MEM_TYPE_32);
	put16(cfg, PCI_SUBSYSTEM_VENDOR_ID, ACCMDEV_PCI_VENDOR_ID);
	put16(cfg, PCI_SUBSYSTEM_ID, device_id);
	cfg[PCI_CAPABILITY_LIST] = MSIX_CAP;

	cfg[MSIX_CAP + PCI_CAP_LIST_ID] = PCI_CAP_ID_MSIX;
	cfg[MSIX_CAP + PCI_CAP_LIST_NEXT] = 0;
	put16(cfg, MSIX_CAP + PCI_MSIX_FLAGS, nqps - 1);
	put32(cfg, MSIX_CAP + PCI_MSIX_TABLE,
	      ACCMDEV_MSIX_TABLE_OFFSET | ACCMDEV_MSIX_BAR);
	put32(cfg, MSIX_CAP + PCI_MSIX_PBA,
	      ACCMDEV_MSIX_PBA_OFFSET | ACCMDEV_MSIX_BAR);

	for (i = 0; i < ACCMDEV_QP_MAX; i++)
		pci->msix[i][PCI_MSIX_ENTRY_VECTOR_CTRL / 4] =
			cpu_to_le32(PCI_MSIX_ENTRY_CTRL_MASKBIT);
}
