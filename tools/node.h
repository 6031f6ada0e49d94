/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * accctl: migration_version nodes (an mdev type or an mdev) and the
 * sources a check starts from.
 */
#ifndef ACCCTL_NODE_H
#define ACCCTL_NODE_H

#include <stdbool.h>

#include "migver.h"
#include "model.h"

enum node_kind { NODE_TYPE, NODE_DEVICE };

struct acc_node {
	enum node_kind kind;
	const struct acc_parent *parent;
	const struct acc_type *type;	/* the device's type may be NULL */
	const struct acc_device *dev;	/* device nodes only */
	const char *dir;
	char label[2 * NAME_MAX_LEN];	/* "PARENT/TYPE" or the UUID */
};

void node_from_type(struct acc_node *n, const struct acc_type *t);
void node_from_device(struct acc_node *n, const struct acc_device *d);
/* "UUID" or "[PARENT/]TYPE"; -1 with a message. */
int node_resolve(const struct acc_sys *s, const char *arg,
		 struct acc_node *n);
const char *node_kind_name(const struct acc_node *n);

/*
 * The node's migration_version, waiting with a bound for the file to
 * appear. 0, -ENODEV if the node cannot migrate, -1 with a message.
 */
int node_read_version(const struct acc_node *n, char *buf, size_t size);

/*
 * What the node accepts, from the parse of its own version (into @v if
 * not NULL). A node that cannot migrate gives dst->migratable false.
 * -1 with a message if its version cannot be read or parsed.
 */
int node_dst(const struct acc_node *n, struct accmdev_migver_dst *dst,
	     struct accmdev_migver *v);

/* What a migratable node whose own version parses as @v accepts. */
void dst_from_version(const struct accmdev_migver *v,
		      struct accmdev_migver_dst *dst);

/*
 * Does the node accept the source version @ver? The kernel answers by
 * the errno of a write to the node's migration_version, unless @offline
 * or the sysfs root is moved: then migver decides from node_dst().
 * Returns the class (ACCMDEV_COMPAT_*) or -1 with a message.
 */
int node_ask(const struct acc_node *n, const char *ver, bool offline);

/* Where a check's source version comes from. */
struct acc_source {
	char text[ACCMDEV_MIGVER_MAX];
	char origin[2 * NAME_MAX_LEN];	/* node label, "@FILE" or "literal" */
	char name[2 * NAME_MAX_LEN];	/* for messages: origin or the text */
	enum accmdev_compat parsed;	/* OK or FORMAT; MALFORMED is refused */
	struct accmdev_migver v;
};

/*
 * SRC syntax, in this order: "accmdev/..." is a version string; "@FILE"
 * is a file holding one ("@-" is stdin); a UUID is a local mdev;
 * anything else is a local type, "[PARENT/]TYPE". -1 with a message,
 * also for a malformed version.
 */
int source_resolve(const struct acc_sys *s, const char *arg,
		   struct acc_source *src);

/* The class name used in output: "ok", "kind", "rev", ... */
const char *compat_name(enum accmdev_compat c);

#endif /* ACCCTL_NODE_H */
