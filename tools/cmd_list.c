// SPDX-License-Identifier: GPL-2.0-only
/*
 * accctl: list and types.
 *
 * --json follows mdevctl where the two overlap: "types" is the shape of
 * `mdevctl types --dumpjson` and "devices" that of `mdevctl list
 * --dumpjson` (one array element whose keys are parent names). Values
 * are strings, except available_instances; absent values are left out.
 * A device's "attrs" is empty: its type alone decides its model, so fed
 * to `mdevctl start --jsonfile`, an entry recreates the same model. Its
 * "start" is "manual", as mdevctl says of every running device it has
 * no definition for (accctl knows nothing of definitions), and as
 * mdevctl 1.2.0 requires of a --jsonfile.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "model.h"

/* The description as mdevctl shows it: trimmed, lines joined by ", ". */
static void fold_lines(const char *in, char *out, size_t size)
{
	size_t len = 0;
	const char *p;

	for (p = in; *p && len + 3 < size; p++) {
		if (*p == '\n') {
			if (p[1]) {
				out[len++] = ',';
				out[len++] = ' ';
			}
		} else {
			out[len++] = *p;
		}
	}
	while (len && (out[len - 1] == ' ' || out[len - 1] == '\t'))
		len--;
	out[len] = '\0';
}

static int type_name_cmp(const void *a, const void *b)
{
	const struct acc_type *x = *(const struct acc_type * const *)a;
	const struct acc_type *y = *(const struct acc_type * const *)b;

	return strcmp(x->id, y->id);
}

static void json_type(struct json *j, const struct acc_type *t)
{
	char desc[sizeof(t->description)];

	json_obj_begin(j, NULL);
	json_obj_begin(j, t->id);
	if (t->available >= 0)
		json_int(j, "available_instances", t->available);
	json_str_opt(j, "device_api", t->device_api);
	json_str_opt(j, "name", t->name);
	fold_lines(t->description, desc, sizeof(desc));
	json_str_opt(j, "description", desc);
	json_obj_end(j);
	json_obj_end(j);
}

/* `mdevctl types --dumpjson`: types sorted by name under each parent. */
static void json_types(struct json *j, const char *key,
		       const struct acc_sys *s, const struct acc_parent *only)
{
	const struct acc_type **sorted;
	size_t i, k, n;

	json_arr_begin(j, key);
	if (!s->n_parents) {
		json_arr_end(j);
		return;
	}
	sorted = xcalloc(s->n_types, sizeof(*sorted));
	json_obj_begin(j, NULL);
	for (i = 0; i < s->n_parents; i++) {
		const struct acc_parent *p = &s->parents[i];

		if (only && only != p)
			continue;
		for (n = 0, k = 0; k < s->n_types; k++)
			if (s->types[k].parent == p)
				sorted[n++] = &s->types[k];
		qsort(sorted, n, sizeof(*sorted), type_name_cmp);
		/* mdevctl names a parent by its device: the PCI address. */
		json_arr_begin(j, p->bus);
		for (k = 0; k < n; k++)
			json_type(j, sorted[k]);
		json_arr_end(j);
	}
	json_obj_end(j);
	json_arr_end(j);
	free(sorted);
}

static void json_device(struct json *j, const struct acc_device *d)
{
	json_obj_begin(j, NULL);
	json_obj_begin(j, d->uuid);
	json_str_opt(j, "mdev_type", d->type_id);
	json_str(j, "start", "manual");
	json_arr_begin(j, "attrs");
	json_arr_end(j);
	json_obj_end(j);
	json_obj_end(j);
}

/* `mdevctl list --dumpjson`: parents that have devices, in order. */
static void json_devices(struct json *j, const struct acc_sys *s,
			 const struct acc_parent *only)
{
	const struct acc_parent *open_parent = NULL;
	size_t i;

	json_arr_begin(j, "devices");
	for (i = 0; i < s->n_devices; i++) {
		const struct acc_device *d = &s->devices[i];

		if (only && only != d->parent)
			continue;
		if (d->parent != open_parent) {
			if (open_parent)
				json_arr_end(j);
			else
				json_obj_begin(j, NULL);
			json_arr_begin(j, d->parent->bus);
			open_parent = d->parent;
		}
		json_device(j, d);
	}
	if (open_parent) {
		json_arr_end(j);
		json_obj_end(j);
	}
	json_arr_end(j);
}

static void json_parents(struct json *j, const struct acc_sys *s,
			 const struct acc_parent *only)
{
	size_t i;

	json_obj_begin(j, "parents");
	for (i = 0; i < s->n_parents; i++) {
		const struct acc_parent *p = &s->parents[i];

		if (only && only != p)
			continue;
		json_obj_begin(j, p->name);
		json_str_opt(j, "address", p->bus);
		json_str_opt(j, "kind", p->kind);
		json_str_opt(j, "revision", p->revision);
		json_str_opt(j, "algorithms", p->algorithms);
		json_str_opt(j, "qp_total", p->qp_total);
		json_str_opt(j, "qp_free", p->qp_free);
		json_str_opt(j, "migratable", p->migratable);
		json_obj_end(j);
	}
	json_obj_end(j);
}

/* " key=value" if the value is known. */
static void kv(const char *key, const char *val)
{
	if (val[0])
		printf(" %s=%s", key, val);
}

static void print_type(const struct acc_type *t, bool with_parent)
{
	if (with_parent)
		printf("%s/%s", t->parent->name, t->id);
	else
		printf("  type    %s", t->id);
	if (t->available >= 0)
		printf(" available=%ld", t->available);
	kv("device_api", t->device_api);
	if (t->name[0])
		printf(" name=\"%s\"", t->name);
	putchar('\n');
}

static void print_list(const struct acc_sys *s, const struct acc_parent *only)
{
	size_t i, k;

	for (i = 0; i < s->n_parents; i++) {
		const struct acc_parent *p = &s->parents[i];

		if (only && only != p)
			continue;
		printf("%s", p->name);
		kv("address", p->bus);
		kv("kind", p->kind);
		kv("revision", p->revision);
		kv("qp_free", p->qp_free);
		kv("qp_total", p->qp_total);
		kv("migratable", p->migratable);
		kv("algorithms", p->algorithms);
		putchar('\n');
		for (k = 0; k < s->n_types; k++)
			if (s->types[k].parent == p)
				print_type(&s->types[k], false);
		for (k = 0; k < s->n_devices; k++) {
			const struct acc_device *d = &s->devices[k];

			if (d->parent != p)
				continue;
			printf("  device  %s %s\n", d->uuid,
			       d->type_id[0] ? d->type_id : "(not ready)");
		}
	}
}

/* Shared by list and types: options, loading and the --parent filter. */
static int run_listing(int argc, char **argv, bool types_only)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "parent", required_argument, NULL, 'p' },
		CLI_COMMON_OPTS
	};
	const struct acc_parent *only;
	const char *parent = NULL;
	struct acc_sys s;
	struct json j;
	bool json = false;
	size_t i;
	char **ops;
	int c;

	while ((c = cli_getopt(argc, argv, opts)) != -1) {
		if (c == OPT_JSON)
			json = true;
		else if (c == 'p')
			parent = optarg;
		else
			return cli_bad_opt(c, argv);
	}
	if (cli_operands(argc, argv, 0, 0, &ops) ||
	    model_load_only(&s, parent, &only))
		return EXIT_ERROR;
	json_init(&j, stdout);
	if (json && types_only) {
		json_types(&j, NULL, &s, only);
		json_done(&j);
	} else if (json) {
		json_obj_begin(&j, NULL);
		json_parents(&j, &s, only);
		json_types(&j, "types", &s, only);
		json_devices(&j, &s, only);
		json_obj_end(&j);
		json_done(&j);
	} else if (types_only) {
		for (i = 0; i < s.n_types; i++)
			if (!only || s.types[i].parent == only)
				print_type(&s.types[i], true);
	} else {
		print_list(&s, only);
	}
	model_free(&s);
	return 0;
}

int cmd_list(int argc, char **argv)
{
	return run_listing(argc, argv, false);
}

int cmd_types(int argc, char **argv)
{
	return run_listing(argc, argv, true);
}
