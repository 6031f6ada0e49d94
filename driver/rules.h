/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * accmdev device rules: what the emulated device's state can hold. The
 * ring programming rules, the streaming opcodes, the power-on config
 * space and its write masks. The device emulation (qp.c, pci.c,
 * engine.c) applies them to register writes; the migration stream
 * parser (mig_stream.c) applies them to an incoming stream.
 *
 * Pure: no device, no locks, no allocation, no writable state. This
 * header and rules.c are built unchanged into the module and, on a host,
 * into tests/stream (with tests/stream/shim/accmdev_host.h).
 */
#ifndef ACCMDEV_RULES_H
#define ACCMDEV_RULES_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include "accmdev_host.h"
#endif

#include "pci.h"
#include "uapi/accmdev_regs.h"

/* [a, a + len) stays below 2^64. */
bool accmdev_range_ok(u64 a, u64 len);
/* [a, a + alen) and [b, b + blen), neither wrapping, share a byte. */
bool accmdev_overlap(u64 a, u64 alen, u64 b, u64 blen);

/*
 * ACCMDEV_QP_ERR_NONE if a QP with these rings may be enabled, else
 * the ACCMDEV_QP_ERR_* that enabling it latches.
 */
u32 accmdev_rings_check(u64 sq_base, u32 sq_size, u64 cq_base, u32 cq_size);

/* Does opcode @op (ACCMDEV_OP_*) keep a stream open between requests? */
bool accmdev_op_streams(unsigned int op);

/* The bits of each config space byte that a write can change. */
extern const u8 accmdev_cfg_wmask[PCI_CFG_SPACE_SIZE];

/*
 * Power-on values of config space and MSI-X table of a device with PCI
 * device ID @device_id, model revision @rev and @nqps queue pairs.
 */
void accmdev_pci_defaults(struct accmdev_pci *pci, u16 device_id, u32 rev,
			  u32 nqps);

#endif /* ACCMDEV_RULES_H */
