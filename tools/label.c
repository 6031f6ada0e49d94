// SPDX-License-Identifier: GPL-2.0-only
/*
 * accctl: the names of an acceptance class.
 */
#include <ctype.h>
#include <stdio.h>

#include "label.h"
#include "util.h"

int class_of(const struct accmdev_migver *v, struct acc_class *c)
{
	const char *kind = accmdev_kind_name(v->kind);
	char *p;

	if (!kind || !*kind)
		return -1;
	snprintf(c->type, sizeof(c->type), "accmdev-%s-r%u-%uqp", kind,
		 v->rev, v->qps);
	snprintf(c->label, sizeof(c->label), NFD_LABEL_PREFIX "%s-r%u-%uqp",
		 kind, v->rev, v->qps);
	snprintf(c->trait, sizeof(c->trait), NOVA_TRAIT_PREFIX "%s_R%u_%uQP",
		 kind, v->rev, v->qps);
	for (p = c->trait; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	return 0;
}

bool class_covered(const struct accmdev_migver *v)
{
	uint32_t native = accmdev_native_algs(v->kind, v->rev);

	return native && !(native & ~v->algs);
}

int class_source_ok(const struct accmdev_migver *v)
{
	const char *kind = accmdev_kind_name(v->kind);
	uint32_t native = accmdev_native_algs(v->kind, v->rev);
	char algs[LABEL_MAX];

	if (!kind || !*kind)
		return acc_err("no accmdev type accepts a source of an unknown kind");
	if (!native)
		return acc_err("no accmdev type accepts a source of %s revision %u (no such model)",
			       kind, v->rev);
	if (v->unknown_algs)
		return acc_err("no accmdev type accepts the source: it names algorithms this build does not know");
	if (v->algs & ~native) {
		if (accmdev_algs_format(v->algs & ~native, algs,
					sizeof(algs)) < 0)
			algs[0] = '\0';
		return acc_err("no accmdev type accepts the source: the %s revision %u model has no %s",
			       kind, v->rev, algs);
	}
	return 0;
}
