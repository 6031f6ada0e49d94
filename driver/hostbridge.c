// SPDX-License-Identifier: GPL-2.0-only
/*
 * accmdev host bridge: a PCI root bus that the module creates and owns,
 * in a PCI domain no firmware describes, with one function per
 * accelerator (accelerator N is device N, function 0, on bus 0). The
 * functions' configuration space is emulated here: 256 bytes of
 * conventional PCI, header type 0, class 0x120000 (processing
 * accelerator), no capability, no BAR, no interrupt. It is built at load
 * and read-only afterwards; writes are accepted and dropped.
 *
 * This is what the host's tools look for in an accelerator: udev gives
 * the function PCI_CLASS, lspci lists it, and libvirt's node device
 * driver, which offers mdev types only on PCI functions (and a few other
 * buses), lists its mdev_supported_types. The mdev parent is the
 * function (pf.c); /sys/class/accmdev/accmdevN stays its stable name.
 *
 * The same shape as the kernel's VMD driver (drivers/pci/controller/
 * vmd.c), which creates a root bus from a module on x86: a struct
 * pci_sysdata gives the domain, a bus-number resource limits the scan
 * to bus 0, and removal is stop, then remove, under the PCI core's
 * rescan/remove lock. Unlike VMD there is no hardware behind the bus, so
 * the bridge hangs under a root device, /sys/devices/accmdev.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/kernel.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "accmdev.h"
#include "hostbridge.h"

#ifndef CONFIG_X86
#error "accmdev's root bus uses x86's struct pci_sysdata for its PCI domain"
#endif

struct accmdev_host {
	/* First: bus->sysdata points here, and x86 reads the domain from it. */
	struct pci_sysdata sd;
	struct device *root;
	struct pci_bus *bus;
	struct resource busn;
	struct accmdev_parent **parents;
	unsigned int nr;
	/*
	 * Each function's configuration space. Written before the bus
	 * exists, read-only afterwards: the config accessors run under the
	 * PCI core's raw pci_lock and take no lock of their own.
	 */
	u8 cfg[ACCMDEV_MAX_PARENTS][PCI_CFG_SPACE_SIZE];
};

static struct accmdev_host *accmdev_host;

/* Accelerator N's function; NULL for any other address on the bus. */
static const u8 *accmdev_host_cfg(struct pci_bus *bus, unsigned int devfn)
{
	struct accmdev_host *h = container_of(bus->sysdata,
					      struct accmdev_host, sd);

	if (bus->number || PCI_FUNC(devfn) || PCI_SLOT(devfn) >= h->nr)
		return NULL;
	return h->cfg[PCI_SLOT(devfn)];
}

static bool accmdev_host_span_ok(int where, int size)
{
	return where >= 0 && (size == 1 || size == 2 || size == 4) &&
	       !(where & (size - 1)) && where + size <= PCI_CFG_SPACE_SIZE;
}

static int accmdev_host_read(struct pci_bus *bus, unsigned int devfn,
			     int where, int size, u32 *val)
{
	const u8 *cfg = accmdev_host_cfg(bus, devfn);

	if (!cfg) {
		PCI_SET_ERROR_RESPONSE(val);
		return PCIBIOS_DEVICE_NOT_FOUND;
	}
	if (!accmdev_host_span_ok(where, size)) {
		PCI_SET_ERROR_RESPONSE(val);
		return PCIBIOS_BAD_REGISTER_NUMBER;
	}
	/* Little-endian, like the bus. */
	*val = 0;
	while (size--)
		*val |= (u32)cfg[where + size] << (8 * size);
	return PCIBIOS_SUCCESSFUL;
}

/* Every register is read-only; BARs are unimplemented (sizing reads 0). */
static int accmdev_host_write(struct pci_bus *bus, unsigned int devfn,
			      int where, int size, u32 val)
{
	if (!accmdev_host_cfg(bus, devfn))
		return PCIBIOS_DEVICE_NOT_FOUND;
	if (!accmdev_host_span_ok(where, size))
		return PCIBIOS_BAD_REGISTER_NUMBER;
	return PCIBIOS_SUCCESSFUL;
}

static struct pci_ops accmdev_host_ops = {
	.read	= accmdev_host_read,
	.write	= accmdev_host_write,
};

static void accmdev_host_put16(u8 *cfg, unsigned int off, u16 v)
{
	cfg[off] = v & 0xff;
	cfg[off + 1] = v >> 8;
}

static void accmdev_host_fill_cfg(u8 *cfg, const struct accmdev_parent *p)
{
	u16 device = p->kind == ACCMDEV_KIND_SEC ? ACCMDEV_PCI_DEVICE_PF_SEC :
						   ACCMDEV_PCI_DEVICE_PF_ZIP;

	memset(cfg, 0, PCI_CFG_SPACE_SIZE);
	accmdev_host_put16(cfg, PCI_VENDOR_ID, ACCMDEV_PCI_VENDOR_ID);
	accmdev_host_put16(cfg, PCI_DEVICE_ID, device);
	cfg[PCI_REVISION_ID] = p->rev;
	cfg[PCI_CLASS_PROG] = ACCMDEV_PCI_CLASS & 0xff;
	accmdev_host_put16(cfg, PCI_CLASS_DEVICE, ACCMDEV_PCI_CLASS >> 8);
	cfg[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_NORMAL;
	accmdev_host_put16(cfg, PCI_SUBSYSTEM_VENDOR_ID, ACCMDEV_PCI_VENDOR_ID);
	accmdev_host_put16(cfg, PCI_SUBSYSTEM_ID, p->id);
}

/* The accelerator whose function @pdev is, if it is one of ours. */
struct accmdev_parent *accmdev_host_parent(struct pci_dev *pdev)
{
	struct accmdev_host *h = accmdev_host;

	if (!h || pdev->bus != h->bus || PCI_FUNC(pdev->devfn) ||
	    PCI_SLOT(pdev->devfn) >= h->nr)
		return NULL;
	return h->parents[PCI_SLOT(pdev->devfn)];
}

/*
 * Create the bus with one function per parent and add it, which probes
 * each function with accmdev_pf_driver (registered by the caller): the
 * probe registers the parent's mdev parent. Fails unless every function
 * was probed.
 */
int accmdev_host_create(int domain, struct accmdev_parent **parents,
			unsigned int nr)
{
	struct accmdev_host *h;
	struct pci_bus *taken;
	LIST_HEAD(resources);
	unsigned int i;
	int ret;

	if (WARN_ON_ONCE(accmdev_host || !nr || nr > ACCMDEV_MAX_PARENTS))
		return -EINVAL;
	taken = pci_find_bus(domain, 0);
	if (taken) {
		pr_err("PCI domain %04x is in use; choose another with pci_domain=\n",
		       domain);
		return -EBUSY;
	}

	h = kzalloc(sizeof(*h), GFP_KERNEL);
	if (!h)
		return -ENOMEM;
	h->sd.domain = domain;
	h->sd.node = NUMA_NO_NODE;
	h->parents = parents;
	h->nr = nr;
	for (i = 0; i < nr; i++)
		accmdev_host_fill_cfg(h->cfg[i], parents[i]);
	h->busn = (struct resource)DEFINE_RES_NAMED(0, 1, "accmdev bus",
						    IORESOURCE_BUS);

	h->root = root_device_register(ACCMDEV_NAME);
	if (IS_ERR(h->root)) {
		ret = PTR_ERR(h->root);
		goto out_free_host;
	}

	pci_add_resource(&resources, &h->busn);
	h->bus = pci_create_root_bus(h->root, 0, &accmdev_host_ops, &h->sd,
				     &resources);
	if (!h->bus) {
		pci_free_resource_list(&resources);
		ret = -ENOMEM;
		goto out_unregister_root;
	}
	accmdev_host = h;

	pci_lock_rescan_remove();
	pci_scan_child_bus(h->bus);
	pci_bus_add_devices(h->bus);
	pci_unlock_rescan_remove();

	for (i = 0; i < nr; i++) {
		if (!parents[i]->pdev) {
			ret = parents[i]->probe_err ?: -ENODEV;
			pr_err("accelerator %u: its PCI function did not probe: %pe\n",
			       i, ERR_PTR(ret));
			goto out_remove_bus;
		}
	}
	return 0;

out_remove_bus:
	accmdev_host_destroy();
	return ret;
out_unregister_root:
	root_device_unregister(h->root);
out_free_host:
	kfree(h);
	return ret;
}

/*
 * Stop the bus (which removes each function's mdev parent, and with it
 * every mdev: none may be open), remove it, then the root device.
 */
void accmdev_host_destroy(void)
{
	struct accmdev_host *h = accmdev_host;
	struct pci_host_bridge *bridge;

	if (!h)
		return;
	bridge = to_pci_host_bridge(h->bus->bridge);
	pci_lock_rescan_remove();
	pci_stop_root_bus(h->bus);
	pci_remove_root_bus(h->bus);
	pci_unlock_rescan_remove();
	/*
	 * pci_remove_root_bus() deletes the host bridge but keeps the
	 * reference pci_create_root_bus() returned with (6.1 to 7.3):
	 * the creator drops it, or the bridge leaks at every unload
	 * (kmemleak, on the debug lane).
	 */
	put_device(&bridge->dev);
	accmdev_host = NULL;
	root_device_unregister(h->root);
	kfree(h);
}
