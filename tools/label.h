/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * accctl: the names of an acceptance class, what schedulers match.
 *
 * A migratable type accmdev-<kind>-r<rev>-<N>qp accepts exactly the
 * sources of that kind, model revision and queue-pair count whose
 * algorithms are among the native ones of the revision. That class is
 * named three ways: the type, an NFD label and a Nova trait.
 */
#ifndef ACCCTL_LABEL_H
#define ACCCTL_LABEL_H

#include <stdbool.h>

#include "migver.h"

#define LABEL_MAX	128

#define NFD_LABEL_PREFIX	"feature.node.kubernetes.io/accmdev-migrate-"
#define NOVA_TRAIT_PREFIX	"CUSTOM_ACCMDEV_MIGRATE_"

struct acc_class {
	char type[LABEL_MAX];	/* accmdev-zip-r1-4qp */
	char label[LABEL_MAX];	/* feature.node.kubernetes.io/accmdev-migrate-zip-r1-4qp */
	char trait[LABEL_MAX];	/* CUSTOM_ACCMDEV_MIGRATE_ZIP_R1_4QP */
};

/* The names of the class of @v's kind, rev and qps; -1 if the kind is unknown. */
int class_of(const struct accmdev_migver *v, struct acc_class *c);

/*
 * Does a node whose own version is @v accept every source of its class,
 * i.e. do its algorithms include all native ones of its kind and rev?
 */
bool class_covered(const struct accmdev_migver *v);

/*
 * Is @v a source some type accepts: its algorithms, all known, among
 * the native ones of a model this build knows? If not, -1 with a message.
 */
int class_source_ok(const struct accmdev_migver *v);

#endif /* ACCCTL_LABEL_H */
