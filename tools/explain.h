/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * accctl: field-by-field explanation of a compatibility verdict.
 */
#ifndef ACCCTL_EXPLAIN_H
#define ACCCTL_EXPLAIN_H

#include "node.h"

/* migratable, format, kind, qps, rev, algs: the order migver checks. */
#define EXPLAIN_ROWS	6

struct explain_row {
	const char *field;
	char src[LIST_VAL_MAX];
	char dst[LIST_VAL_MAX];
	const char *result;		/* "ok", "FAIL" or "-" (not evaluated) */
	char note[LIST_VAL_MAX];	/* e.g. "missing: adler32" */
};

struct explanation {
	struct explain_row rows[EXPLAIN_ROWS];
	enum accmdev_compat migver;	/* migver's verdict on the pair */
};

/*
 * Explain @src against @n from the parse of both versions. Every field
 * is judged by migver on its own, with the other fields made to match.
 * -1 with a message if the node's own version is unusable.
 */
int explain(const struct acc_source *src, const struct acc_node *n,
	    struct explanation *e);

#endif /* ACCCTL_EXPLAIN_H */
