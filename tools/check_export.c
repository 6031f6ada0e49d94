// SPDX-License-Identifier: GPL-2.0-only
/*
 * accctl: check SRC --export FILE, the verdict of another host without
 * asking it. FILE is that host's `accctl export`; each of its types
 * answers as its kernel would answer a write of the source's version to
 * its migration_version: migver (the kernel's own code) on the version
 * the type exported, and ENODEV for a type that cannot migrate.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_export.h"
#include "export.h"
#include "json.h"

static void print_text(const struct export_set *e, const int *verdicts)
{
	size_t i;

	for (i = 0; i < e->n; i++) {
		const struct export_type *x = &e->t[i];

		printf("%s/%s: ", x->parent, x->type);
		if (verdicts[i] == ACCMDEV_COMPAT_OK)
			printf("ok (%ld available)\n",
			       x->available < 0 ? 0 : x->available);
		else
			printf("refused: %s (%s)\n", compat_name(verdicts[i]),
			       errno_name(accmdev_compat_errno(verdicts[i])));
	}
}

static void print_json(const struct export_set *e, const int *verdicts,
		       bool accepted)
{
	struct json j;
	size_t i;

	json_init(&j, stdout);
	json_obj_begin(&j, NULL);
	json_bool(&j, "accepted", accepted);
	json_arr_begin(&j, "types");
	for (i = 0; i < e->n; i++) {
		const struct export_type *x = &e->t[i];

		json_obj_begin(&j, NULL);
		json_str(&j, "parent", x->parent);
		json_str(&j, "type", x->type);
		json_bool(&j, "ok", verdicts[i] == ACCMDEV_COMPAT_OK);
		if (verdicts[i] == ACCMDEV_COMPAT_OK)
			json_null(&j, "errno");
		else
			json_str(&j, "errno",
				 errno_name(accmdev_compat_errno(verdicts[i])));
		if (x->available >= 0)
			json_int(&j, "available_instances", x->available);
		else
			json_null(&j, "available_instances");
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	json_done(&j);
}

int check_export(const struct acc_source *src, const char *file, bool json)
{
	struct accmdev_migver_dst dst;
	struct export_set e;
	bool accepted = false;
	int *verdicts;
	size_t i;

	if (export_read(file, &e))
		return EXIT_ERROR;
	verdicts = xcalloc(e.n, sizeof(*verdicts));
	for (i = 0; i < e.n; i++) {
		/* export_read() made sure every version parses. */
		if (export_dst(&e.t[i], &dst)) {
			free(verdicts);
			export_free(&e);
			return EXIT_ERROR;
		}
		verdicts[i] = (int)accmdev_migver_check(src->text,
							strlen(src->text),
							&dst, NULL);
		if (verdicts[i] == ACCMDEV_COMPAT_OK && e.t[i].available > 0)
			accepted = true;
	}
	if (json)
		print_json(&e, verdicts, accepted);
	else
		print_text(&e, verdicts);
	free(verdicts);
	export_free(&e);
	return accepted ? EXIT_COMPATIBLE : EXIT_INCOMPATIBLE;
}
