/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * accctl: a snapshot of the accmdev parents, their mdev types and their
 * mdevs, read from sysfs. Values are kept as the kernel printed them
 * ("" when a file could not be read), so output can omit what is absent.
 */
#ifndef ACCCTL_MODEL_H
#define ACCCTL_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "sysfs.h"
#include "util.h"

#define NAME_MAX_LEN	64
#define SHORT_VAL_MAX	32
#define LIST_VAL_MAX	256

struct acc_parent {
	char name[NAME_MAX_LEN];	/* accmdevN, its stable name */
	char bus[NAME_MAX_LEN];		/* the mdev parent: its PCI address */
	char dir[SYSFS_PATH_MAX];
	char kind[SHORT_VAL_MAX];
	char revision[SHORT_VAL_MAX];
	char algorithms[LIST_VAL_MAX];
	char qp_total[SHORT_VAL_MAX];
	char qp_free[SHORT_VAL_MAX];
	char migratable[SHORT_VAL_MAX];
};

struct acc_type {
	const struct acc_parent *parent;
	char id[NAME_MAX_LEN];
	char dir[SYSFS_PATH_MAX];
	char name[LIST_VAL_MAX];
	char description[1024];
	char device_api[SHORT_VAL_MAX];
	long available;			/* -1 if unreadable */
};

struct acc_device {
	char uuid[UUID_LEN + 1];
	char dir[SYSFS_PATH_MAX];
	const struct acc_parent *parent;
	const struct acc_type *type;	/* NULL if mdev_type never showed */
	char type_id[NAME_MAX_LEN];
};

struct acc_sys {
	struct acc_parent *parents;	/* natural order of names */
	size_t n_parents;
	struct acc_type *types;		/* by parent, then name (natural order) */
	size_t n_types;
	struct acc_device *devices;	/* by parent, then UUID */
	size_t n_devices;
};

/* Read everything; -1 with a message. */
int model_load(struct acc_sys *s);
/*
 * model_load(), then @*only is the parent named @parent (NULL for all
 * when @parent is NULL). -1 with a message, and nothing loaded, if
 * either fails.
 */
int model_load_only(struct acc_sys *s, const char *parent,
		    const struct acc_parent **only);
void model_free(struct acc_sys *s);

/* Is the parent known not to migrate (its "migratable" reads 0)? */
bool parent_nomig(const struct acc_parent *p);

/*
 * Lookups. Those that take user input record a message on failure. A
 * parent is found by its accmdevN name or its PCI address.
 */
const struct acc_parent *model_parent(const struct acc_sys *s,
				      const char *name);
const struct acc_type *model_type_on(const struct acc_sys *s,
				     const struct acc_parent *p,
				     const char *id);
/* "[PARENT/]TYPE"; a bare TYPE must exist on exactly one parent. */
const struct acc_type *model_find_type(const struct acc_sys *s,
				       const char *spec);
/* @uuid in canonical form; NULL, without a message, if unknown. */
const struct acc_device *model_device(const struct acc_sys *s,
				      const char *uuid);
/* Any spelling of a UUID; NULL with a message. */
const struct acc_device *model_find_device(const struct acc_sys *s,
					   const char *uuid);

/*
 * Read the mdev @uuid (canonical form), waiting with a bound until its
 * mdev_type link and accmdev attributes exist. 0, -ENOENT if it is not
 * an accmdev device (or is gone), or -ETIMEDOUT if it never got ready.
 */
int model_read_device(const struct acc_sys *s, const char *uuid,
		      struct acc_device *d);

#endif /* ACCCTL_MODEL_H */
