// SPDX-License-Identifier: GPL-2.0-only
/*
 * accmdev parents: simulated accelerators, their mdev types and their
 * queue-pair pools.
 *
 * Each accelerator is a PCI function on the module's root bus
 * (hostbridge.c), which is its mdev parent, with a class device,
 * /sys/class/accmdev/accmdevN, under it for its stable name and its
 * attributes. A type is one software interface: a device model (kind and
 * model revision, with that revision's native algorithms), a queue-pair
 * shape, and whether it migrates. A parent offers every model revision
 * from 1 up to its hardware's, each in the shapes 1, 2, 4, ... that fit
 * its pool, named accmdev-<kind>-r<rev>-<N>qp, with "-nomig" appended on
 * an accelerator that cannot migrate. So one name is one device on every
 * parent and host, and a default device of a type accepts exactly what
 * its type node accepts. All types of a parent share one pool:
 * available_instances of a type is the free queue pairs divided by the
 * type's shape.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "accmdev.h"

struct class accmdev_class = {
	.name		= ACCMDEV_NAME,
	.dev_groups	= accmdev_parent_groups,
};

bool accmdev_pool_take(struct accmdev_parent *p, unsigned int qps)
{
	int free = atomic_read(&p->qp_free);

	do {
		if (free < (int)qps)
			return false;
	} while (!atomic_try_cmpxchg(&p->qp_free, &free, free - qps));
	return true;
}

void accmdev_pool_give(struct accmdev_parent *p, unsigned int qps)
{
	int free = atomic_add_return(qps, &p->qp_free);

	WARN_ON_ONCE(free > (int)p->qp_total);
}

unsigned int accmdev_type_get_available(struct mdev_type *mtype)
{
	struct accmdev_type *t = to_accmdev_type(mtype);

	return atomic_read(&t->parent->qp_free) / t->qps;
}

/* One key=value per line, so that tools can parse it. */
ssize_t accmdev_type_show_description(struct mdev_type *mtype, char *buf)
{
	struct accmdev_type *t = to_accmdev_type(mtype);
	struct accmdev_parent *p = t->parent;
	char algs[128];
	int len;

	len = accmdev_algs_format(t->algs, algs, sizeof(algs));
	if (len < 0)
		return len;
	return sysfs_emit(buf,
			  "qps=%u\nkind=%s\nrevision=%u\nalgorithms=%s\nmigratable=%u\n",
			  t->qps, accmdev_kind_name(p->kind), t->rev, algs,
			  p->migratable);
}

/*
 * (Re)initialise @p's types: the mdev core initialises their kobjects on
 * each registration, and a function removed and found again by a rescan
 * registers them again.
 */
static void accmdev_parent_init_types(struct accmdev_parent *p)
{
	const char *kind = accmdev_kind_name(p->kind);
	const char *nomig = p->migratable ? "" : "-nomig";
	unsigned int rev, qps;

	memset(p->types, 0, sizeof(p->types));
	p->nr_types = 0;

	for (rev = 1; rev <= p->rev; rev++) {
		for (qps = 1; qps <= ACCMDEV_MAX_TYPE_QPS && qps <= p->qp_total;
		     qps *= 2) {
			struct accmdev_type *t = &p->types[p->nr_types];

			if (WARN_ON_ONCE(p->nr_types == ACCMDEV_MAX_TYPES))
				return;
			t->parent = p;
			t->qps = qps;
			t->rev = rev;
			t->algs = accmdev_native_algs(p->kind, rev);
			snprintf(t->sysfs_name, sizeof(t->sysfs_name),
				 "%s-r%u-%uqp%s", kind, rev, qps, nomig);
			snprintf(t->pretty_name, sizeof(t->pretty_name),
				 "accmdev %s rev%u %u-QP%s", kind, rev, qps,
				 p->migratable ? "" : " (no migration)");
			t->mtype.sysfs_name = t->sysfs_name;
			t->mtype.pretty_name = t->pretty_name;
			p->type_list[p->nr_types] = &t->mtype;
			p->nr_types++;
		}
	}
}

/* The accelerator @d describes, as number @id; not on the bus yet. */
struct accmdev_parent *accmdev_parent_create(const struct accmdev_desc *d,
					     unsigned int id)
{
	struct accmdev_parent *p;

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return ERR_PTR(-ENOMEM);
	p->id = id;
	p->kind = d->kind;
	p->rev = d->rev;
	p->algs = accmdev_native_algs(d->kind, d->rev);
	p->migratable = d->migratable;
	p->qp_total = d->qps;
	atomic_set(&p->qp_free, d->qps);
	return p;
}

/* After accmdev_parent_detach(), or if it was never attached. */
void accmdev_parent_free(struct accmdev_parent *p)
{
	kfree(p);
}

/*
 * Make @pdev, @p's PCI function, its mdev parent: the class device under
 * it, the mdev parent with @p's types, their migration_version files.
 */
int accmdev_parent_attach(struct accmdev_parent *p, struct pci_dev *pdev)
{
	int ret;

	p->cdev = device_create(&accmdev_class, &pdev->dev, MKDEV(0, 0), p,
				ACCMDEV_NAME "%u", p->id);
	if (IS_ERR(p->cdev)) {
		ret = PTR_ERR(p->cdev);
		p->cdev = NULL;
		return ret;
	}

	accmdev_parent_init_types(p);
	ret = mdev_register_parent(&p->mdev_parent, &pdev->dev,
				   &accmdev_mdev_driver, p->type_list,
				   p->nr_types);
	if (ret)
		goto out_unregister_cdev;

	/*
	 * /sys/class/accmdev/accmdevN/mdev_supported_types: the types by
	 * the accelerator's stable name, whatever its PCI address.
	 */
	ret = sysfs_create_link(&p->cdev->kobj,
				&p->mdev_parent.mdev_types_kset->kobj,
				"mdev_supported_types");
	if (ret)
		goto out_unregister_parent;

	ret = accmdev_type_files_add(p);
	if (ret)
		goto out_remove_link;

	p->pdev = pdev;
	dev_info(p->cdev, "%s rev%u, %u queue pairs, %smigratable, at %s\n",
		 accmdev_kind_name(p->kind), p->rev, p->qp_total,
		 p->migratable ? "" : "not ", pci_name(pdev));
	return 0;

out_remove_link:
	sysfs_remove_link(&p->cdev->kobj, "mdev_supported_types");
out_unregister_parent:
	mdev_unregister_parent(&p->mdev_parent);
out_unregister_cdev:
	device_unregister(p->cdev);
	p->cdev = NULL;
	return ret;
}

/* Removes every device of @p (none may be open), then its mdev parent. */
void accmdev_parent_detach(struct accmdev_parent *p)
{
	accmdev_type_files_remove(p);
	sysfs_remove_link(&p->cdev->kobj, "mdev_supported_types");
	mdev_unregister_parent(&p->mdev_parent);
	device_unregister(p->cdev);
	p->cdev = NULL;
	p->pdev = NULL;
}
