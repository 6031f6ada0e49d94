/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * accctl: what a host's types accept, as accctl export writes it and
 * check --export reads it back.
 */
#ifndef ACCCTL_EXPORT_H
#define ACCCTL_EXPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "label.h"
#include "model.h"

/* The "format" of the JSON export. */
#define EXPORT_FORMAT	1

/* --format of export and require. */
enum export_format { FMT_JSON, FMT_NFD, FMT_NOVA };

/* The format named @arg ("json", "nfd", "nova"); -1 with a message. */
int export_format_parse(const char *verb, const char *arg);

struct export_type {
	char parent[NAME_MAX_LEN];
	char type[NAME_MAX_LEN];
	bool migratable;
	char version[ACCMDEV_MIGVER_MAX];	/* "" if not migratable */
	long available;				/* -1 if unknown */
	bool has_class;		/* it accepts every source of its class */
	struct acc_class cls;	/* if has_class */
};

struct export_set {
	struct export_type *t;	/* by parent, then type (natural order) */
	size_t n;
};

/*
 * The types of this host (of @only if not NULL), each with its version
 * read from sysfs. -1 with a message.
 */
int export_collect(const struct acc_sys *s, const struct acc_parent *only,
		   struct export_set *e);

/*
 * Read another host's `accctl export` (JSON) from @file ("-" is stdin).
 * Every migratable type's version must parse. -1 with a message.
 */
int export_read(const char *file, struct export_set *e);

/*
 * What the type accepts, from the parse of its exported version, as
 * that host's kernel decides it (a type that cannot migrate is refused
 * by everything). -1 with a message if its version does not parse.
 */
int export_dst(const struct export_type *t, struct accmdev_migver_dst *dst);

void export_free(struct export_set *e);

#endif /* ACCCTL_EXPORT_H */
