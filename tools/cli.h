/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * accctl: command-line plumbing shared by the verbs.
 *
 * A verb gets argv with its own name in argv[0]. It lists its options
 * followed by CLI_COMMON_OPTS, calls cli_getopt() until it returns -1,
 * and hands every code it does not know to cli_bad_opt().
 */
#ifndef ACCCTL_CLI_H
#define ACCCTL_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

enum {
	OPT_ROOT = 0x100,
	OPT_JSON,
	OPT_PARENT,
	OPT_TYPE,
	OPT_UUID,
	OPT_FORMAT,
	OPT_EXPORT,
	OPT_LIKE,
	OPT_OFFLINE,
	OPT_ALL,
	OPT_COUNT,
	OPT_TIMEOUT,
	OPT_KERNEL,
	OPT_NO_PRECOPY,
	OPT_NO_CHECK,
	OPT_PORT_FILE,
	OPT_SECRET_FILE,
	OPT_VERSION,
};

#define CLI_COMMON_OPTS						\
	{ "sysfs-root", required_argument, NULL, OPT_ROOT },	\
	{ "help", no_argument, NULL, 'h' },			\
	{ NULL, 0, NULL, 0 }

/* getopt_long() that also takes care of --sysfs-root. */
int cli_getopt(int argc, char **argv, const struct option *opts);
/* For 'h' print the verb's usage (exit 0), else record the error (2). */
int cli_bad_opt(int c, char **argv);
/* The operands left after the options: exactly @min..@max of them. */
int cli_operands(int argc, char **argv, int min, int max, char ***ops);
/* Apply a sysfs root (option or environment); -1 with a message. */
int cli_set_root(const char *root);

/* Verbs, in cmd_*.c. Each returns the process exit status. */
int cmd_list(int argc, char **argv);
int cmd_types(int argc, char **argv);
int cmd_create(int argc, char **argv);
int cmd_remove(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_targets(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_require(int argc, char **argv);
int cmd_monitor(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_send(int argc, char **argv);
int cmd_receive(int argc, char **argv);

/* The usage lines of @verb (all verbs if NULL). */
void cli_usage(FILE *f, const char *verb);

#endif /* ACCCTL_CLI_H */
