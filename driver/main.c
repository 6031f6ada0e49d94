// SPDX-License-Identifier: GPL-2.0-only
/*
 * accmdev module entry: the "parents" parameter, the accelerator class
 * and the mdev driver.
 *
 * parents= is a comma-separated list of accelerators, one mdev parent
 * each:
 *
 *   KIND:REV:QPS[:nomig]
 *
 * KIND is an engine kind (zip, sec), REV a hardware revision defined for
 * that kind, QPS the size of its queue-pair pool (1..4096), and "nomig"
 * marks an accelerator that cannot live-migrate. Any error fails the
 * load with a message naming the entry.
 *
 * Accelerator N is the PCI function DOMAIN:00:N.0 on the module's root
 * bus (hostbridge.c), where DOMAIN is pci_domain= (default 1acce, at
 * least 10000 hex, outside what firmware describes).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "accmdev.h"
#include "hostbridge.h"

#define ACCMDEV_DEFAULT_PARENTS \
	"zip:1:64,zip:1:64,zip:2:64,sec:1:32,zip:1:16:nomig"

static char *parents = ACCMDEV_DEFAULT_PARENTS;
module_param(parents, charp, 0444);
MODULE_PARM_DESC(parents,
		 "accelerators, KIND:REV:QPS[:nomig],... (default "
		 ACCMDEV_DEFAULT_PARENTS ")");

static int pci_domain = ACCMDEV_PCI_DOMAIN_DEFAULT;
module_param(pci_domain, int, 0444);
MODULE_PARM_DESC(pci_domain,
		 "PCI domain of the accelerators' root bus, 0x10000 or more (default 0x1acce)");

static struct accmdev_parent *accmdev_parents[ACCMDEV_MAX_PARENTS];
static unsigned int accmdev_nr_parents;

/* Parse one decimal field of an entry into 1..@max. */
static int accmdev_parse_uint(const char *field, unsigned int max,
			      unsigned int *out)
{
	unsigned int v;

	if (kstrtouint(field, 10, &v) || v < 1 || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* Parse "KIND:REV:QPS[:nomig]" (modified in place) into @d. */
static int accmdev_parse_entry(char *entry, unsigned int idx,
			       struct accmdev_desc *d)
{
	char *kind = strsep(&entry, ":");
	char *rev = strsep(&entry, ":");
	char *qps = strsep(&entry, ":");
	char *flag = strsep(&entry, ":");
	unsigned int max_rev;

	if (!rev || !qps || entry) {
		pr_err("parents entry %u: want KIND:REV:QPS[:nomig]\n", idx);
		return -EINVAL;
	}
	d->kind = accmdev_kind_from_name(kind, strlen(kind));
	if (d->kind == ACCMDEV_KIND_NONE) {
		pr_err("parents entry %u: unknown kind \"%s\" (zip, sec)\n",
		       idx, kind);
		return -EINVAL;
	}
	max_rev = accmdev_kind_max_rev(d->kind);
	if (accmdev_parse_uint(rev, max_rev, &d->rev)) {
		pr_err("parents entry %u: revision \"%s\" of %s is not 1..%u\n",
		       idx, rev, kind, max_rev);
		return -EINVAL;
	}
	if (accmdev_parse_uint(qps, ACCMDEV_QP_POOL_MAX, &d->qps)) {
		pr_err("parents entry %u: queue pairs \"%s\" are not 1..%u\n",
		       idx, qps, ACCMDEV_QP_POOL_MAX);
		return -EINVAL;
	}
	d->migratable = true;
	if (flag) {
		if (strcmp(flag, "nomig")) {
			pr_err("parents entry %u: unknown flag \"%s\" (nomig)\n",
			       idx, flag);
			return -EINVAL;
		}
		d->migratable = false;
	}
	return 0;
}

static int accmdev_parse_parents(const char *spec, struct accmdev_desc *descs,
				 unsigned int *nr)
{
	char *copy, *cursor, *entry;
	unsigned int n = 0;
	int ret = 0;

	copy = kstrdup(spec ? spec : "", GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	cursor = strim(copy);
	if (!*cursor) {
		pr_err("parents: empty, want at least one KIND:REV:QPS\n");
		ret = -EINVAL;
		goto out_free_copy;
	}
	while ((entry = strsep(&cursor, ",")) != NULL) {
		if (n == ACCMDEV_MAX_PARENTS) {
			pr_err("parents: more than %u entries\n",
			       ACCMDEV_MAX_PARENTS);
			ret = -EINVAL;
			goto out_free_copy;
		}
		ret = accmdev_parse_entry(entry, n, &descs[n]);
		if (ret)
			goto out_free_copy;
		n++;
	}
	*nr = n;
out_free_copy:
	kfree(copy);
	return ret;
}

static void accmdev_free_parents(void)
{
	while (accmdev_nr_parents) {
		accmdev_nr_parents--;
		accmdev_parent_free(accmdev_parents[accmdev_nr_parents]);
		accmdev_parents[accmdev_nr_parents] = NULL;
	}
}

static int __init accmdev_init(void)
{
	struct accmdev_desc *descs;
	unsigned int nr = 0, i;
	int ret;

	descs = kcalloc(ACCMDEV_MAX_PARENTS, sizeof(*descs), GFP_KERNEL);
	if (!descs)
		return -ENOMEM;
	ret = accmdev_parse_parents(parents, descs, &nr);
	if (ret)
		goto out_free_descs;
	if (pci_domain < ACCMDEV_PCI_DOMAIN_MIN) {
		pr_err("pci_domain: %#x is below %#x, where firmware describes real hardware\n",
		       pci_domain, ACCMDEV_PCI_DOMAIN_MIN);
		ret = -EINVAL;
		goto out_free_descs;
	}

	ret = class_register(&accmdev_class);
	if (ret)
		goto out_free_descs;
	ret = mdev_register_driver(&accmdev_mdev_driver);
	if (ret)
		goto out_unregister_class;

	for (i = 0; i < nr; i++) {
		struct accmdev_parent *p = accmdev_parent_create(&descs[i], i);

		if (IS_ERR(p)) {
			ret = PTR_ERR(p);
			pr_err("accelerator %u: setup failed: %pe\n", i, p);
			goto out_free_parents;
		}
		accmdev_parents[accmdev_nr_parents++] = p;
	}

	ret = pci_register_driver(&accmdev_pf_driver);
	if (ret)
		goto out_free_parents;
	ret = accmdev_host_create(pci_domain, accmdev_parents, nr);
	if (ret)
		goto out_unregister_pf_driver;
	kfree(descs);
	return 0;

out_unregister_pf_driver:
	pci_unregister_driver(&accmdev_pf_driver);
out_free_parents:
	accmdev_free_parents();
	mdev_unregister_driver(&accmdev_mdev_driver);
out_unregister_class:
	class_unregister(&accmdev_class);
out_free_descs:
	kfree(descs);
	return ret;
}

/*
 * Unloading is refused by the module core while any device is open (VFIO
 * holds a module reference for every open device). Otherwise it removes
 * every device of every parent, the parents' functions and their bus,
 * then the parents.
 */
static void __exit accmdev_exit(void)
{
	accmdev_host_destroy();
	pci_unregister_driver(&accmdev_pf_driver);
	accmdev_free_parents();
	mdev_unregister_driver(&accmdev_mdev_driver);
	class_unregister(&accmdev_class);
}

module_init(accmdev_init);
module_exit(accmdev_exit);

MODULE_LICENSE("GPL");
MODULE_VERSION(ACCMDEV_VERSION);
MODULE_DESCRIPTION("Simulated queue-pair accelerators as VFIO mediated devices");
MODULE_SOFTDEP("pre: vfio_iommu_type1");
