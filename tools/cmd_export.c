// SPDX-License-Identifier: GPL-2.0-only
/*
 * accctl: export, what this host's types accept, for schedulers.
 *
 *   json  every type: its version, available instances, label and trait
 *   nfd   a Node Feature Discovery local feature file: one
 *         "LABEL=true" line per acceptance class the host offers
 *   nova  a Nova provider config (provider.yaml) that adds the same
 *         classes as traits to the compute node's resource provider
 *
 * A class is offered by a migratable type that accepts every source of
 * it (see label.h); types that cannot migrate offer none. Labels say
 * what a host can take, not whether it has room: that is the type's
 * available_instances.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "export.h"
#include "json.h"

static void print_json(const struct export_set *e)
{
	struct json j;
	size_t i;

	json_init(&j, stdout);
	json_obj_begin(&j, NULL);
	json_int(&j, "format", EXPORT_FORMAT);
	json_arr_begin(&j, "types");
	for (i = 0; i < e->n; i++) {
		const struct export_type *x = &e->t[i];

		json_obj_begin(&j, NULL);
		json_str(&j, "parent", x->parent);
		json_str(&j, "type", x->type);
		json_bool(&j, "migratable", x->migratable);
		if (x->migratable)
			json_str(&j, "migration_version", x->version);
		else
			json_null(&j, "migration_version");
		if (x->available >= 0)
			json_int(&j, "available_instances", x->available);
		else
			json_null(&j, "available_instances");
		if (x->has_class) {
			json_str(&j, "label", x->cls.label);
			json_str(&j, "trait", x->cls.trait);
		} else {
			json_null(&j, "label");
			json_null(&j, "trait");
		}
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	json_done(&j);
}

static int bytes_cmp(const void *a, const void *b)
{
	return strcmp(*(char * const *)a, *(char * const *)b);
}

/*
 * The distinct labels (@trait false) or traits of @e, in byte order (as
 * LC_ALL=C sort -u puts them).
 */
static int names(const struct export_set *e, bool trait, struct strv *out)
{
	struct strv all = { 0 };
	size_t i;

	for (i = 0; i < e->n; i++)
		if (e->t[i].has_class &&
		    strv_add(&all, trait ? e->t[i].cls.trait :
			     e->t[i].cls.label))
			goto fail;
	if (all.n)
		qsort(all.v, all.n, sizeof(*all.v), bytes_cmp);
	for (i = 0; i < all.n; i++)
		if ((!i || strcmp(all.v[i], all.v[i - 1])) &&
		    strv_add(out, all.v[i]))
			goto fail;
	strv_free(&all);
	return 0;
fail:
	strv_free(&all);
	return -1;
}

static int print_nfd(const struct export_set *e)
{
	struct strv labels = { 0 };
	size_t i;

	if (names(e, false, &labels))
		return -1;
	printf("# accmdev: the migration sources this node accepts (accctl export --format nfd)\n");
	for (i = 0; i < labels.n; i++)
		printf("%s=true\n", labels.v[i]);
	strv_free(&labels);
	return 0;
}

static int print_nova(const struct export_set *e)
{
	struct strv traits = { 0 };
	size_t i;

	if (names(e, true, &traits))
		return -1;
	printf("# accmdev: the migration sources this compute node accepts (accctl export --format nova)\n"
	       "meta:\n"
	       "  schema_version: '1.0'\n"
	       "providers:\n"
	       "  - identification:\n"
	       "      uuid: $COMPUTE_NODE\n"
	       "    traits:\n");
	if (!traits.n)
		printf("      additional: []\n");
	else
		printf("      additional:\n");
	for (i = 0; i < traits.n; i++)
		printf("        - %s\n", traits.v[i]);
	strv_free(&traits);
	return 0;
}

int cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "parent", required_argument, NULL, 'p' },
		CLI_COMMON_OPTS
	};
	const struct acc_parent *only;
	const char *parent = NULL;
	int c, fmt = FMT_JSON, status = EXIT_ERROR;
	struct export_set e;
	struct acc_sys s;
	char **ops;

	while ((c = cli_getopt(argc, argv, opts)) != -1) {
		if (c == 'p') {
			parent = optarg;
		} else if (c == OPT_FORMAT) {
			fmt = export_format_parse(argv[0], optarg);
			if (fmt < 0)
				return EXIT_ERROR;
		} else {
			return cli_bad_opt(c, argv);
		}
	}
	if (cli_operands(argc, argv, 0, 0, &ops) ||
	    model_load_only(&s, parent, &only))
		return EXIT_ERROR;
	if (export_collect(&s, only, &e))
		goto out;
	if (fmt == FMT_JSON)
		print_json(&e);
	else if ((fmt == FMT_NFD ? print_nfd(&e) : print_nova(&e)))
		goto free;
	status = 0;
free:
	export_free(&e);
out:
	model_free(&s);
	return status;
}
