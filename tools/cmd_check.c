// SPDX-License-Identifier: GPL-2.0-only
/*
 * accctl: version, check and targets, the verbs that compare versions.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_export.h"
#include "cli.h"
#include "explain.h"
#include "json.h"
#include "node.h"

int cmd_version(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		CLI_COMMON_OPTS
	};
	struct acc_source src;
	struct acc_sys sys;
	struct json j;
	char algs[LIST_VAL_MAX], num[32];
	bool json = false;
	char **ops;
	int c, ret;

	while ((c = cli_getopt(argc, argv, opts)) != -1) {
		if (c != OPT_JSON)
			return cli_bad_opt(c, argv);
		json = true;
	}
	if (cli_operands(argc, argv, 1, 1, &ops) || model_load(&sys))
		return EXIT_ERROR;
	ret = source_resolve(&sys, ops[0], &src);
	model_free(&sys);
	if (ret)
		return EXIT_ERROR;
	if (!json) {
		printf("%s\n", src.text);
		return 0;
	}
	json_init(&j, stdout);
	json_obj_begin(&j, NULL);
	json_str(&j, "version", src.text);
	json_str(&j, "origin", src.origin);
	snprintf(num, sizeof(num), "%u.%u", src.v.major, src.v.minor);
	json_str(&j, "format", num);
	if (src.parsed == ACCMDEV_COMPAT_OK) {
		json_str(&j, "kind", accmdev_kind_name(src.v.kind) ?
			 accmdev_kind_name(src.v.kind) : "");
		snprintf(num, sizeof(num), "%u", src.v.rev);
		json_str(&j, "rev", num);
		snprintf(num, sizeof(num), "%u", src.v.qps);
		json_str(&j, "qps", num);
		if (accmdev_algs_format(src.v.algs, algs, sizeof(algs)) < 0)
			algs[0] = '\0';
		json_str(&j, "algs", algs);
	}
	json_obj_end(&j);
	json_done(&j);
	return 0;
}

static const char *authority(bool offline)
{
	return offline || !sysfs_is_real() ? "migver" : "kernel";
}

static void verdict_text(int verdict, char *buf, size_t size)
{
	if (verdict == ACCMDEV_COMPAT_OK)
		snprintf(buf, size, "compatible");
	else
		snprintf(buf, size, "incompatible: %s (%s)",
			 compat_name(verdict),
			 errno_name(accmdev_compat_errno(verdict)));
}

static void print_check(const struct acc_source *src,
			const struct acc_node *n, int verdict,
			const struct explanation *e, bool offline)
{
	static const char *const head[4] = {
		"field", "source", "destination", "result"
	};
	int w[3] = { 0 }, i;
	char v[128];

	if (strcmp(src->origin, "literal"))
		printf("source       %s: %s\n", src->origin, src->text);
	else
		printf("source       %s\n", src->text);
	printf("destination  %s (%s)\n", n->label, node_kind_name(n));
	verdict_text(verdict, v, sizeof(v));
	printf("verdict      %s, decided by %s\n", v, authority(offline));
	if ((int)e->migver != verdict)
		printf("note         migver in accctl says %s; the kernel decides\n",
		       compat_name(e->migver));

	w[0] = (int)strlen(head[0]);
	w[1] = (int)strlen(head[1]);
	w[2] = (int)strlen(head[2]);
	for (i = 0; i < EXPLAIN_ROWS; i++) {
		const struct explain_row *r = &e->rows[i];

		if ((int)strlen(r->field) > w[0])
			w[0] = (int)strlen(r->field);
		if ((int)strlen(r->src) > w[1])
			w[1] = (int)strlen(r->src);
		if ((int)strlen(r->dst) > w[2])
			w[2] = (int)strlen(r->dst);
	}
	printf("  %-*s  %-*s  %-*s  %s\n", w[0], head[0], w[1], head[1],
	       w[2], head[2], head[3]);
	for (i = 0; i < EXPLAIN_ROWS; i++) {
		const struct explain_row *r = &e->rows[i];

		printf("  %-*s  %-*s  %-*s  %s%s%s\n", w[0], r->field, w[1],
		       r->src, w[2], r->dst, r->result, r->note[0] ? "  " : "",
		       r->note);
	}
}

static void json_check(const struct acc_source *src,
		       const struct acc_node *n, int verdict,
		       const struct explanation *e, bool offline)
{
	struct json j;
	int i;

	json_init(&j, stdout);
	json_obj_begin(&j, NULL);
	json_str(&j, "source", src->text);
	json_str(&j, "source_origin", src->origin);
	json_str(&j, "destination", n->label);
	json_str(&j, "destination_node", node_kind_name(n));
	json_str(&j, "compatible", verdict == ACCMDEV_COMPAT_OK ? "yes" : "no");
	if (verdict != ACCMDEV_COMPAT_OK) {
		json_str(&j, "reason", compat_name(verdict));
		json_str(&j, "errno",
			 errno_name(accmdev_compat_errno(verdict)));
	}
	json_str(&j, "authority", authority(offline));
	json_str(&j, "migver", compat_name(e->migver));
	json_arr_begin(&j, "fields");
	for (i = 0; i < EXPLAIN_ROWS; i++) {
		const struct explain_row *r = &e->rows[i];

		json_obj_begin(&j, NULL);
		json_str(&j, "field", r->field);
		json_str(&j, "source", r->src);
		json_str(&j, "destination", r->dst);
		json_str(&j, "result", r->result);
		json_str_opt(&j, "note", r->note);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	json_done(&j);
}

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "offline", no_argument, NULL, OPT_OFFLINE },
		{ "export", required_argument, NULL, OPT_EXPORT },
		CLI_COMMON_OPTS
	};
	bool json = false, offline = false;
	const char *export = NULL;
	struct explanation e;
	struct acc_source src;
	struct acc_node dst;
	struct acc_sys sys;
	int c, verdict, status = EXIT_ERROR;
	char **ops;

	while ((c = cli_getopt(argc, argv, opts)) != -1) {
		if (c == OPT_JSON)
			json = true;
		else if (c == OPT_OFFLINE)
			offline = true;
		else if (c == OPT_EXPORT)
			export = optarg;
		else
			return cli_bad_opt(c, argv);
	}
	if (export && offline) {
		acc_err("check: --export is offline already; --offline does not go with it");
		return EXIT_ERROR;
	}
	if (cli_operands(argc, argv, export ? 1 : 2, export ? 1 : 2, &ops) ||
	    model_load(&sys))
		return EXIT_ERROR;
	if (export) {
		if (!source_resolve(&sys, ops[0], &src))
			status = check_export(&src, export, json);
		goto out;
	}
	/* Both operands are checked before the kernel is asked anything. */
	if (source_resolve(&sys, ops[0], &src) ||
	    node_resolve(&sys, ops[1], &dst))
		goto out;
	verdict = node_ask(&dst, src.text, offline);
	if (verdict < 0 || explain(&src, &dst, &e))
		goto out;
	if (json)
		json_check(&src, &dst, verdict, &e, offline);
	else
		print_check(&src, &dst, verdict, &e, offline);
	status = verdict == ACCMDEV_COMPAT_OK ? EXIT_COMPATIBLE :
		 EXIT_INCOMPATIBLE;
out:
	model_free(&sys);
	return status;
}

struct target_opts {
	bool all;
	bool offline;
	struct json *j;		/* NULL for text */
};

/* Node @i of the targets walk: the types, then the devices. */
static void nth_node(const struct acc_sys *sys, size_t i, struct acc_node *n)
{
	if (i < sys->n_types)
		node_from_type(n, &sys->types[i]);
	else
		node_from_device(n, &sys->devices[i - sys->n_types]);
}

static void print_target(const struct acc_node *n, int verdict,
			 const struct target_opts *o)
{
	const char *type_id = n->type ? n->type->id : "";

	if (o->j) {
		json_obj_begin(o->j, NULL);
		if (n->kind == NODE_DEVICE)
			json_str(o->j, "uuid", n->dev->uuid);
		json_str(o->j, "parent", n->parent->name);
		json_str_opt(o->j, "mdev_type", type_id);
		if (n->kind == NODE_TYPE && n->type->available >= 0)
			json_int(o->j, "available_instances",
				 n->type->available);
		json_str(o->j, "result", compat_name(verdict));
		json_obj_end(o->j);
		return;
	}
	if (n->kind == NODE_TYPE)
		printf("type    %s  available=%ld", n->label, n->type->available);
	else
		printf("device  %s  %s/%s", n->label, n->parent->name,
		       type_id[0] ? type_id : "?");
	if (o->all)
		printf("  result=%s", compat_name(verdict));
	putchar('\n');
}

static void print_targets(const struct acc_sys *sys,
			  const struct acc_source *src, const int *verdicts,
			  const struct target_opts *o)
{
	size_t i, total = sys->n_types + sys->n_devices;
	struct acc_node n;

	if (o->j) {
		json_obj_begin(o->j, NULL);
		json_str(o->j, "source", src->text);
		json_arr_begin(o->j, "types");
	}
	for (i = 0; i < total; i++) {
		if (o->j && i == sys->n_types) {
			json_arr_end(o->j);
			json_arr_begin(o->j, "devices");
		}
		if (verdicts[i] != ACCMDEV_COMPAT_OK && !o->all)
			continue;
		nth_node(sys, i, &n);
		print_target(&n, verdicts[i], o);
	}
	if (o->j) {
		if (!sys->n_devices) {
			json_arr_end(o->j);
			json_arr_begin(o->j, "devices");
		}
		json_arr_end(o->j);
		json_obj_end(o->j);
		json_done(o->j);
	}
}

/* Ask every node first, so that an error prints no partial output. */
static int targets(const struct acc_sys *sys, const struct acc_source *src,
		   const struct target_opts *o)
{
	size_t i, total = sys->n_types + sys->n_devices;
	int *verdicts = xcalloc(total, sizeof(*verdicts));
	struct acc_node n;
	int found = 0;

	for (i = 0; i < total; i++) {
		nth_node(sys, i, &n);
		verdicts[i] = node_ask(&n, src->text, o->offline);
		if (verdicts[i] < 0) {
			free(verdicts);
			return -1;
		}
		found += verdicts[i] == ACCMDEV_COMPAT_OK;
	}
	print_targets(sys, src, verdicts, o);
	free(verdicts);
	return found;
}

int cmd_targets(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "all", no_argument, NULL, OPT_ALL },
		{ "offline", no_argument, NULL, OPT_OFFLINE },
		CLI_COMMON_OPTS
	};
	struct target_opts o = { 0 };
	struct acc_source src;
	struct acc_sys sys;
	struct json j;
	int c, found, status = EXIT_ERROR;
	char **ops;

	while ((c = cli_getopt(argc, argv, opts)) != -1) {
		if (c == OPT_JSON)
			o.j = &j;
		else if (c == OPT_ALL)
			o.all = true;
		else if (c == OPT_OFFLINE)
			o.offline = true;
		else
			return cli_bad_opt(c, argv);
	}
	if (cli_operands(argc, argv, 1, 1, &ops) || model_load(&sys))
		return EXIT_ERROR;
	if (source_resolve(&sys, ops[0], &src))
		goto out;
	if (o.j)
		json_init(&j, stdout);
	found = targets(&sys, &src, &o);
	if (found >= 0)
		status = found ? 0 : EXIT_INCOMPATIBLE;
out:
	model_free(&sys);
	return status;
}
