// SPDX-License-Identifier: GPL-2.0-only
/*
 * accctl: require, the label (or trait) a destination host must carry
 * to accept a source: the class of the source's kind, revision and
 * queue pairs. A host with the label has a type that accepts the source
 * (export offers a label only for such types); whether it has room is
 * the available_instances of that type, named by --format json.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "export.h"
#include "json.h"
#include "node.h"

int cmd_require(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, OPT_FORMAT },
		CLI_COMMON_OPTS
	};
	int c, fmt = FMT_NFD, status = EXIT_ERROR;
	struct acc_source src;
	struct acc_class cls;
	struct acc_sys s;
	struct json j;
	char **ops;

	while ((c = cli_getopt(argc, argv, opts)) != -1) {
		if (c != OPT_FORMAT)
			return cli_bad_opt(c, argv);
		fmt = export_format_parse(argv[0], optarg);
		if (fmt < 0)
			return EXIT_ERROR;
	}
	if (cli_operands(argc, argv, 1, 1, &ops) || model_load(&s))
		return EXIT_ERROR;
	if (source_resolve(&s, ops[0], &src)) {
		/* Nothing accepts a malformed source: no label to require. */
		if (src.parsed == ACCMDEV_COMPAT_MALFORMED)
			status = EXIT_INCOMPATIBLE;
		goto out;
	}
	status = EXIT_INCOMPATIBLE;
	if (src.parsed != ACCMDEV_COMPAT_OK) {
		acc_err("no accmdev type accepts a source of format %u.%u",
			src.v.major, src.v.minor);
		goto out;
	}
	if (class_source_ok(&src.v) || class_of(&src.v, &cls))
		goto out;
	if (fmt == FMT_NFD) {
		printf("%s\n", cls.label);
	} else if (fmt == FMT_NOVA) {
		printf("%s\n", cls.trait);
	} else {
		json_init(&j, stdout);
		json_obj_begin(&j, NULL);
		json_str(&j, "label", cls.label);
		json_str(&j, "trait", cls.trait);
		json_str(&j, "type", cls.type);
		json_obj_end(&j);
		json_done(&j);
	}
	status = 0;
out:
	model_free(&s);
	return status;
}
