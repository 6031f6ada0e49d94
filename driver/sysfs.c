// SPDX-License-Identifier: GPL-2.0-only
/*
 * accmdev sysfs: parent attributes, and migration_version on type and
 * device nodes.
 *
 * migration_version reads as one line that describes what a source would
 * put in its migration stream. Writing a source's line is a pure check:
 * it succeeds only if this node can accept that source, and otherwise
 * fails with one errno per reason (see migver.h and
 * Documentation/admin-guide.rst). Nothing is changed by a write.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/kernel.h>
#include <linux/kobject.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "accmdev.h"

/* Room for any version this build formats (it is far below a page). */
#define ACCMDEV_MIGVER_BUF	256

/* ---- parent attributes ------------------------------------------------ */

static ssize_t kind_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  accmdev_kind_name(to_accmdev_parent(dev)->kind));
}
static DEVICE_ATTR_RO(kind);

static ssize_t revision_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "%u\n", to_accmdev_parent(dev)->rev);
}
static DEVICE_ATTR_RO(revision);

static ssize_t algorithms_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	char algs[ACCMDEV_MIGVER_BUF];
	int len;

	len = accmdev_algs_format(to_accmdev_parent(dev)->algs, algs,
				  sizeof(algs));
	if (len < 0)
		return len;
	return sysfs_emit(buf, "%s\n", algs);
}
static DEVICE_ATTR_RO(algorithms);

static ssize_t qp_total_show(struct device *dev,
			     struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", to_accmdev_parent(dev)->qp_total);
}
static DEVICE_ATTR_RO(qp_total);

static ssize_t qp_free_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%d\n",
			  atomic_read(&to_accmdev_parent(dev)->qp_free));
}
static DEVICE_ATTR_RO(qp_free);

static ssize_t migratable_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", to_accmdev_parent(dev)->migratable);
}
static DEVICE_ATTR_RO(migratable);

static struct attribute *accmdev_parent_attrs[] = {
	&dev_attr_kind.attr,
	&dev_attr_revision.attr,
	&dev_attr_algorithms.attr,
	&dev_attr_qp_total.attr,
	&dev_attr_qp_free.attr,
	&dev_attr_migratable.attr,
	NULL,
};

static const struct attribute_group accmdev_parent_group = {
	.attrs = accmdev_parent_attrs,
};

const struct attribute_group *accmdev_parent_groups[] = {
	&accmdev_parent_group,
	NULL,
};

/* ---- migration_version, shared by type and device nodes --------------- */

static ssize_t accmdev_migver_show(const struct accmdev_parent *p,
				   unsigned int qps, unsigned int rev,
				   u32 algs, char *buf)
{
	struct accmdev_migver v = {
		.major	= ACCMDEV_FORMAT_MAJOR,
		.minor	= ACCMDEV_FORMAT_MINOR,
		.kind	= p->kind,
		.rev	= rev,
		.qps	= qps,
		.algs	= algs,
	};
	char line[ACCMDEV_MIGVER_BUF];
	int len;

	if (!p->migratable)
		return -ENODEV;
	len = accmdev_migver_format(&v, line, sizeof(line));
	if (len < 0)
		return len;
	return sysfs_emit(buf, "%s\n", line);
}

/*
 * The verdict of a check of @src against @dst: 0 for ACCMDEV_COMPAT_OK,
 * else one rate-limited line and the class's negative errno. The line
 * always reads "<node>: migration_version refused: <field> ...", where
 * <field> is accmdev_compat_field() of the class, so that logs can be
 * matched. Both judges use it: a write to a migration_version file, and
 * the in-band check of an incoming stream (mig.c, node "stream").
 */
int accmdev_migver_refuse(struct device *dev, const char *node,
			  enum accmdev_compat c, const struct accmdev_migver *src,
			  const struct accmdev_migver_dst *dst)
{
	const char *field = accmdev_compat_field(c);
	const char *skind = accmdev_kind_name(src->kind);
	char algs[ACCMDEV_MIGVER_BUF];
	u32 missing;

	switch (c) {
	case ACCMDEV_COMPAT_OK:
		return 0;
	case ACCMDEV_COMPAT_NOMIG:
		dev_info_ratelimited(dev,
				     "%s: migration_version refused: %s: this accelerator cannot migrate\n",
				     node, field);
		break;
	case ACCMDEV_COMPAT_FORMAT:
		dev_info_ratelimited(dev,
				     "%s: migration_version refused: %s differs (source %u.%u, here %u.%u)\n",
				     node, field, src->major, src->minor,
				     ACCMDEV_FORMAT_MAJOR, ACCMDEV_FORMAT_MINOR);
		break;
	case ACCMDEV_COMPAT_KIND:
		dev_info_ratelimited(dev,
				     "%s: migration_version refused: %s differs (source %s, here %s)\n",
				     node, field, skind ? skind : "unknown",
				     accmdev_kind_name(dst->kind));
		break;
	case ACCMDEV_COMPAT_QPS:
		dev_info_ratelimited(dev,
				     "%s: migration_version refused: %s differs (source %u, here %u)\n",
				     node, field, src->qps, dst->qps);
		break;
	case ACCMDEV_COMPAT_REV:
		dev_info_ratelimited(dev,
				     "%s: migration_version refused: %s differs (source %u, here %u)\n",
				     node, field, src->rev, dst->rev);
		break;
	case ACCMDEV_COMPAT_ALGS:
		/* What accmdev_migver_compare() found missing. */
		missing = src->algs & ~dst->algs;
		if (src->unknown_algs ||
		    accmdev_algs_format(missing, algs, sizeof(algs)) < 0)
			dev_info_ratelimited(dev,
					     "%s: migration_version refused: %s differs (source has algorithms unknown here)\n",
					     node, field);
		else
			dev_info_ratelimited(dev,
					     "%s: migration_version refused: %s differs (source needs %s)\n",
					     node, field, algs);
		break;
	default:
		dev_info_ratelimited(dev,
				     "%s: migration_version refused: %s malformed or foreign\n",
				     node, field);
		break;
	}
	return -accmdev_compat_errno(c);
}

/*
 * sysfs hands a store at most one page and silently drops the rest of a
 * longer write, so a store of a full page may be the head of something
 * longer: refuse it as malformed rather than judge a truncated string.
 */
static int accmdev_migver_store(struct device *dev, const char *node,
				const char *buf, size_t count,
				const struct accmdev_migver_dst *dst)
{
	struct accmdev_migver src = {};
	enum accmdev_compat c;

	if (!dst->migratable)
		c = ACCMDEV_COMPAT_NOMIG;
	else if (count >= PAGE_SIZE)
		c = ACCMDEV_COMPAT_MALFORMED;
	else
		c = accmdev_migver_check(buf, count, dst, &src);
	return accmdev_migver_refuse(dev, node, c, &src, dst);
}

/* ---- migration_version on type nodes ---------------------------------- */

/*
 * The mdev core (6.1 and later) has no hook for extra per-type files: the
 * type kobject's sysfs_ops (drivers/vfio/mdev/mdev_sysfs.c) cast every
 * attribute to the core's private struct mdev_type_attribute and call its
 * show/store. That struct is not in include/linux/mdev.h, so it is
 * declared here with the core's tag, members and handler prototypes,
 * unchanged from 6.1 to 7.3: under clang's kCFI an indirect call checks a
 * hash of the called function's type, which includes the struct tag of
 * each pointer argument, and a handler declared on a look-alike struct
 * (same layout, other name) would trap on the first read.
 * accmdev_type_attr_check() checks at load that the core's own type
 * attributes fit this layout and that the core's ops reach our handler.
 *
 * The files are added right after mdev_register_parent() and removed
 * right before mdev_unregister_parent(), so the type kobjects outlive
 * them. Between the core's MDEV_STATE=registered uevent and the end of
 * accmdev_type_files_add() a type directory exists without the file.
 * The parent then emits a change uevent with ACCMDEV_TYPES=ready; tools
 * wait for either that event or the file (Documentation/admin-guide.rst).
 */
struct mdev_type_attribute {
	struct attribute attr;
	ssize_t (*show)(struct mdev_type *mtype,
			struct mdev_type_attribute *attr, char *buf);
	ssize_t (*store)(struct mdev_type *mtype,
			 struct mdev_type_attribute *attr, const char *buf,
			 size_t count);
};

static ssize_t type_migration_version_show(struct mdev_type *mtype,
					   struct mdev_type_attribute *attr,
					   char *buf)
{
	struct accmdev_type *t = to_accmdev_type(mtype);

	return accmdev_migver_show(t->parent, t->qps, t->rev, t->algs, buf);
}

/*
 * A device of this type, created now, accepts the source: the check is
 * the device node's, on the model every new device of the type has.
 */
static ssize_t type_migration_version_store(struct mdev_type *mtype,
					    struct mdev_type_attribute *attr,
					    const char *buf, size_t count)
{
	struct accmdev_type *t = to_accmdev_type(mtype);
	struct accmdev_parent *p = t->parent;
	struct accmdev_migver_dst dst = {
		.migratable	= p->migratable,
		.kind		= p->kind,
		.qps		= t->qps,
		.rev		= t->rev,
		.algs		= t->algs,
	};
	int ret;

	ret = accmdev_migver_store(p->cdev, t->sysfs_name, buf, count, &dst);
	return ret ? ret : count;
}

static struct mdev_type_attribute accmdev_type_attr_migration_version =
	__ATTR(migration_version, 0644, type_migration_version_show,
	       type_migration_version_store);

/* The core's own type attribute @name, or NULL. */
static const struct mdev_type_attribute *
accmdev_core_type_attr(const struct kobj_type *ktype, const char *name)
{
	const struct attribute_group **grp;
	struct attribute **a;

	for (grp = ktype->default_groups; grp && *grp; grp++)
		for (a = (*grp)->attrs; a && *a; a++)
			if (!strcmp((*a)->name, name))
				return container_of(*a, struct mdev_type_attribute,
						    attr);
	return NULL;
}

/*
 * Load-time check of the layout declared above: the core's read-only
 * "name" has a show and no store, its write-only "create" the reverse,
 * and a read through the core's sysfs_ops returns what our show does
 * (the same text, or the same error).
 */
static int accmdev_type_attr_check(struct mdev_type *mtype)
{
	const struct kobj_type *ktype = get_ktype(&mtype->kobj);
	const struct mdev_type_attribute *name, *create;
	struct mdev_type_attribute *mv = &accmdev_type_attr_migration_version;
	char *via_core, *direct;
	ssize_t n1, n2;
	int ret = -EINVAL;

	if (!ktype || !ktype->sysfs_ops || !ktype->sysfs_ops->show)
		goto out_layout;
	name = accmdev_core_type_attr(ktype, "name");
	create = accmdev_core_type_attr(ktype, "create");
	if (!name || !name->show || name->store ||
	    !create || create->show || !create->store)
		goto out_layout;

	via_core = (char *)__get_free_page(GFP_KERNEL);
	direct = (char *)__get_free_page(GFP_KERNEL);
	if (!via_core || !direct) {
		ret = -ENOMEM;
		goto out_free;
	}
	n1 = ktype->sysfs_ops->show(&mtype->kobj, &mv->attr, via_core);
	n2 = mv->show(mtype, mv, direct);
	/* A type that cannot migrate reads as an error, the same both ways. */
	if (n1 == n2 && (n1 <= 0 || !memcmp(via_core, direct, n1)))
		ret = 0;
	else
		pr_err("the mdev core's type attribute ops do not reach accmdev's handler\n");
out_free:
	free_page((unsigned long)direct);
	free_page((unsigned long)via_core);
	return ret;

out_layout:
	pr_err("the mdev core's type attributes do not match struct mdev_type_attribute\n");
	return ret;
}

int accmdev_type_files_add(struct accmdev_parent *p)
{
	char ready[] = "ACCMDEV_TYPES=ready";
	char *envp[2];
	int ret;

	if (p->nr_types) {
		ret = accmdev_type_attr_check(p->type_list[0]);
		if (ret)
			return ret;
	}
	for (p->nr_type_files = 0; p->nr_type_files < p->nr_types;
	     p->nr_type_files++) {
		struct mdev_type *mtype = p->type_list[p->nr_type_files];

		ret = sysfs_create_file(&mtype->kobj,
					&accmdev_type_attr_migration_version.attr);
		if (ret) {
			accmdev_type_files_remove(p);
			return ret;
		}
	}
	envp[0] = ready;
	envp[1] = NULL;
	kobject_uevent_env(&p->cdev->kobj, KOBJ_CHANGE, envp);
	return 0;
}

void accmdev_type_files_remove(struct accmdev_parent *p)
{
	while (p->nr_type_files) {
		struct mdev_type *mtype = p->type_list[--p->nr_type_files];

		sysfs_remove_file(&mtype->kobj,
				  &accmdev_type_attr_migration_version.attr);
	}
}

/* ---- device attributes ------------------------------------------------ */

static ssize_t migration_version_show(struct device *dev,
				      struct device_attribute *attr, char *buf)
{
	struct accmdev_device *adev = dev_get_drvdata(dev);
	u32 algs;

	spin_lock(&adev->regs_lock);
	algs = adev->model.algs;
	spin_unlock(&adev->regs_lock);
	return accmdev_migver_show(adev->parent, adev->model.nqps,
				   adev->model.rev, algs, buf);
}

/* This device, with its current model, accepts the source. */
static ssize_t migration_version_store(struct device *dev,
				       struct device_attribute *attr,
				       const char *buf, size_t count)
{
	struct accmdev_device *adev = dev_get_drvdata(dev);
	struct accmdev_parent *p = adev->parent;
	struct accmdev_migver_dst dst = {
		.migratable	= p->migratable,
		.kind		= p->kind,
		.qps		= adev->model.nqps,
		.rev		= adev->model.rev,
	};
	int ret;

	spin_lock(&adev->regs_lock);
	dst.algs = adev->model.algs;
	spin_unlock(&adev->regs_lock);

	ret = accmdev_migver_store(dev, "device", buf, count, &dst);
	return ret ? ret : count;
}
static DEVICE_ATTR_RW(migration_version);

static struct attribute *accmdev_device_attrs[] = {
	&dev_attr_migration_version.attr,
	NULL,
};

/* Unnamed, so that the files sit directly in the device directory. */
static const struct attribute_group accmdev_device_group = {
	.attrs = accmdev_device_attrs,
};

const struct attribute_group *accmdev_device_groups[] = {
	&accmdev_device_group,
	NULL,
};
