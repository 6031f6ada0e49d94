// SPDX-License-Identifier: GPL-2.0-only
/*
 * accctl: the types of this host, as accctl export describes them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "node.h"

/* The label of a migratable type, if it accepts all of its class. */
static void set_class(struct export_type *x)
{
	struct accmdev_migver v;

	x->has_class = false;
	if (!x->migratable ||
	    accmdev_migver_parse(x->version, strlen(x->version), &v) !=
	    ACCMDEV_COMPAT_OK)
		return;
	x->has_class = class_covered(&v) && !class_of(&v, &x->cls);
}

int export_collect(const struct acc_sys *s, const struct acc_parent *only,
		   struct export_set *e)
{
	struct acc_node n;
	size_t i;
	int err;

	e->t = xcalloc(s->n_types, sizeof(*e->t));
	e->n = 0;
	for (i = 0; i < s->n_types; i++) {
		const struct acc_type *t = &s->types[i];
		struct export_type *x = &e->t[e->n];

		if (only && t->parent != only)
			continue;
		snprintf(x->parent, sizeof(x->parent), "%s", t->parent->name);
		snprintf(x->type, sizeof(x->type), "%s", t->id);
		x->available = t->available;
		node_from_type(&n, t);
		err = node_read_version(&n, x->version, sizeof(x->version));
		if (err && err != -ENODEV) {
			export_free(e);
			return -1;
		}
		x->migratable = !err;
		if (err)
			x->version[0] = '\0';
		set_class(x);
		e->n++;
	}
	return 0;
}

int export_dst(const struct export_type *t, struct accmdev_migver_dst *dst)
{
	struct accmdev_migver v;

	memset(dst, 0, sizeof(*dst));
	if (!t->migratable)
		return 0;
	if (accmdev_migver_parse(t->version, strlen(t->version), &v) !=
	    ACCMDEV_COMPAT_OK)
		return acc_err("%s/%s: cannot parse its migration_version '%s'",
			       t->parent, t->type, t->version);
	dst_from_version(&v, dst);
	return 0;
}

int export_format_parse(const char *verb, const char *arg)
{
	static const char * const fmts[] = {
		[FMT_JSON] = "json", [FMT_NFD] = "nfd", [FMT_NOVA] = "nova",
	};
	unsigned int i;

	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++)
		if (!strcmp(arg, fmts[i]))
			return (int)i;
	return acc_err("%s: bad value '%s' for --format (json, nfd or nova)",
		       verb, arg);
}

void export_free(struct export_set *e)
{
	free(e->t);
	e->t = NULL;
	e->n = 0;
}
