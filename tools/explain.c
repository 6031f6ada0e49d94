// SPDX-License-Identifier: GPL-2.0-only
/*
 * accctl: field-by-field explanation of a compatibility verdict.
 *
 * The verdict itself comes from the kernel (see node_ask()). This only
 * says which fields differ, and asks migver, the code the kernel runs,
 * for each field in turn, so the rules live in one place.
 */
#include <stdio.h>
#include <string.h>

#include "explain.h"

#define ALGS_ALL	((1U << ACCMDEV_ALG_COUNT) - 1)

enum { ROW_MIG, ROW_FORMAT, ROW_KIND, ROW_QPS, ROW_REV, ROW_ALGS };

static const char * const row_names[EXPLAIN_ROWS] = {
	"migratable", "format", "kind", "qps", "rev", "algs",
};

static void algs_text(uint32_t algs, bool unknown, char *buf, size_t size)
{
	if (accmdev_algs_format(algs, buf, size) < 0)
		buf[0] = '\0';
	if (unknown) {
		size_t len = strlen(buf);

		snprintf(buf + len, size - len, "%s(unknown names)",
			 len ? "," : "");
	}
}

/* The kind, or the name a source gave that this build does not know. */
static void kind_text(unsigned int kind, const char *text, char *buf,
		      size_t size)
{
	const char *name = accmdev_kind_name(kind);
	const char *p = text ? strstr(text, ";kind=") : NULL;

	if (name && *name) {
		snprintf(buf, size, "%s", name);
	} else if (p) {
		p += strlen(";kind=");
		snprintf(buf, size, "%.*s (unknown)", (int)strcspn(p, ";"), p);
	} else {
		snprintf(buf, size, "(unknown)");
	}
}

/* A destination that accepts the source in every field but @row. */
static struct accmdev_migver_dst only(const struct accmdev_migver *v,
				      const struct accmdev_migver_dst *dst,
				      int row)
{
	struct accmdev_migver_dst d = {
		.migratable = true,
		.kind = v->kind,
		.qps = v->qps,
		.rev = v->rev,
		.algs = ALGS_ALL,
	};

	switch (row) {
	case ROW_KIND:
		d.kind = dst->kind;
		break;
	case ROW_QPS:
		d.qps = dst->qps;
		break;
	case ROW_REV:
		d.rev = dst->rev;
		break;
	case ROW_ALGS:
		d.algs = dst->algs;
		break;
	}
	return d;
}

static enum accmdev_compat row_class(int row)
{
	static const enum accmdev_compat classes[EXPLAIN_ROWS] = {
		ACCMDEV_COMPAT_NOMIG, ACCMDEV_COMPAT_FORMAT,
		ACCMDEV_COMPAT_KIND, ACCMDEV_COMPAT_QPS,
		ACCMDEV_COMPAT_REV, ACCMDEV_COMPAT_ALGS,
	};

	return classes[row];
}

/* The source's values of kind, qps, rev and algs. */
static void source_values(struct explanation *e, const struct acc_source *src)
{
	struct explain_row *r = e->rows;

	kind_text(src->v.kind, src->text, r[ROW_KIND].src,
		  sizeof(r[ROW_KIND].src));
	snprintf(r[ROW_QPS].src, sizeof(r[ROW_QPS].src), "%u", src->v.qps);
	snprintf(r[ROW_REV].src, sizeof(r[ROW_REV].src), "%u", src->v.rev);
	algs_text(src->v.algs, src->v.unknown_algs, r[ROW_ALGS].src,
		  sizeof(r[ROW_ALGS].src));
}

/* The destination's, from the parse of its own version. */
static void dest_values(struct explanation *e, const struct accmdev_migver *dv)
{
	struct explain_row *r = e->rows;

	kind_text(dv->kind, NULL, r[ROW_KIND].dst, sizeof(r[ROW_KIND].dst));
	snprintf(r[ROW_QPS].dst, sizeof(r[ROW_QPS].dst), "%u", dv->qps);
	snprintf(r[ROW_REV].dst, sizeof(r[ROW_REV].dst), "%u", dv->rev);
	algs_text(dv->algs, false, r[ROW_ALGS].dst, sizeof(r[ROW_ALGS].dst));
}

static void judge_fields(struct explanation *e, const struct acc_source *src,
			 const struct accmdev_migver_dst *dst)
{
	struct explain_row *r = e->rows;
	struct accmdev_migver_dst d;
	uint32_t missing;
	int row;

	for (row = ROW_KIND; row <= ROW_ALGS; row++) {
		d = only(&src->v, dst, row);
		/* An unknown source kind fails every comparison before its own. */
		if (row != ROW_KIND && !accmdev_kind_name(src->v.kind))
			continue;
		r[row].result = accmdev_migver_compare(&src->v, &d) ==
				row_class(row) ? "FAIL" : "ok";
	}
	missing = src->v.algs & ~dst->algs;
	if (missing && !strcmp(r[ROW_ALGS].result, "FAIL")) {
		strcpy(r[ROW_ALGS].note, "missing: ");
		algs_text(missing, false, r[ROW_ALGS].note + 9,
			  sizeof(r[ROW_ALGS].note) - 9);
	} else if (src->v.unknown_algs) {
		strcpy(r[ROW_ALGS].note, "names unknown to this build");
	}
}

int explain(const struct acc_source *src, const struct acc_node *n,
	    struct explanation *e)
{
	struct accmdev_migver_dst dst;
	struct accmdev_migver dv;
	struct explain_row *r = e->rows;
	int row;

	memset(e, 0, sizeof(*e));
	for (row = 0; row < EXPLAIN_ROWS; row++) {
		r[row].field = row_names[row];
		r[row].result = "-";
		strcpy(r[row].src, "-");
		strcpy(r[row].dst, "-");
	}
	if (node_dst(n, &dst, &dv))
		return -1;
	e->migver = accmdev_migver_check(src->text, strlen(src->text), &dst,
					 NULL);

	strcpy(r[ROW_MIG].src, "yes");
	strcpy(r[ROW_MIG].dst, dst.migratable ? "yes" : "no");
	r[ROW_MIG].result = dst.migratable ? "ok" : "FAIL";
	snprintf(r[ROW_FORMAT].src, sizeof(r[ROW_FORMAT].src), "%u.%u",
		 src->v.major, src->v.minor);
	if (src->parsed == ACCMDEV_COMPAT_OK)
		source_values(e, src);
	if (!dst.migratable)
		return 0;

	snprintf(r[ROW_FORMAT].dst, sizeof(r[ROW_FORMAT].dst), "%u.%u",
		 dv.major, dv.minor);
	if (src->parsed == ACCMDEV_COMPAT_FORMAT) {
		r[ROW_FORMAT].result = "FAIL";
		strcpy(r[ROW_FORMAT].note, "other fields not read");
		return 0;
	}
	r[ROW_FORMAT].result = "ok";
	dest_values(e, &dv);
	judge_fields(e, src, &dst);
	return 0;
}
