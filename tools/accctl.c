// SPDX-License-Identifier: GPL-2.0-only
/*
 * accctl: list, create, check and migrate accmdev mediated devices.
 *
 * Exit status: 0 success (or compatible), 1 incompatible (or nothing
 * found), 2 error. Errors are one line on stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "sysfs.h"
#include "util.h"

struct verb {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
	const char *help;		/* what it does, and its options */
};

#define HELP_JSON	"  --json             machine-readable output\n"
#define HELP_OFFLINE	"  --offline          decide with accctl's own parse of the versions,\n" \
			"                     not by asking the kernel\n"
#define HELP_TIMEOUT	"  --timeout S        the longest wait for the peer, in seconds\n" \
			"                     (1 to 86400, default 60)\n"
#define HELP_SECRET	"  --secret-file F    TCP: prove and check a shared secret (the bytes of\n" \
			"                     F, 16 to 1024, one trailing newline dropped; F\n" \
			"                     readable by its owner only) before anything else\n"

static const struct verb verbs[] = {
	{ "list", cmd_list, "list [--parent P] [--json]",
	  "Parents, their types with available instances, and devices.\n"
	  "  -p, --parent P     only parent P\n"
	  HELP_JSON },
	{ "types", cmd_types, "types [--parent P] [--json]",
	  "The types, one PARENT/TYPE a line.\n"
	  "  -p, --parent P     only parent P\n"
	  HELP_JSON },
	{ "create", cmd_create,
	  "create --parent P --type T [--uuid U]\n"
	  "create --like SRC [--parent P] [--uuid U]",
	  "Create a device and print its UUID. Its type decides its model.\n"
	  "  -p, --parent P     the parent (may be left out if T is PARENT/TYPE);\n"
	  "                     with --like, only types of P are considered\n"
	  "  -t, --type T       the type, TYPE or PARENT/TYPE\n"
	  "  -u, --uuid U       the device's UUID (default: a random one)\n"
	  "  --like SRC         a device that accepts SRC, of the type whose model\n"
	  "                     is SRC's (kind, revision, queue pairs), on the\n"
	  "                     first parent with a free instance of it\n" },
	{ "remove", cmd_remove, "remove UUID", "Remove a device.\n" },
	{ "version", cmd_version, "version SRC [--json]",
	  "Print the migration version string of SRC.\n"
	  HELP_JSON "                     (with its parsed fields)\n" },
	{ "check", cmd_check,
	  "check SRC DST [--offline] [--json]\n"
	  "check SRC --export FILE [--json]",
	  "Does DST accept SRC? The verdict, field by field. With --export, the\n"
	  "verdict of each type of another host, as its kernel would give it.\n"
	  HELP_OFFLINE
	  "  --export FILE      the types of FILE, that host's accctl export\n"
	  "                     (JSON; - is stdin), instead of a local DST: exit\n"
	  "                     0 if one accepts SRC and has an available instance\n"
	  HELP_JSON },
	{ "targets", cmd_targets, "targets SRC [--all] [--offline] [--json]",
	  "Every local type and device that accepts SRC.\n"
	  "  --all              every node, with the reason of each refusal\n"
	  HELP_OFFLINE HELP_JSON },
	{ "export", cmd_export, "export [--format json|nfd|nova] [--parent P]",
	  "What this host's types accept, for schedulers: the types (json), or\n"
	  "one label or trait per class of sources some type accepts.\n"
	  "  --format F         json (default): every type with its version,\n"
	  "                     available instances, label and trait; nfd: a\n"
	  "                     Node Feature Discovery feature file; nova: a Nova\n"
	  "                     provider config (YAML) with the traits\n"
	  "  -p, --parent P     only parent P\n" },
	{ "require", cmd_require, "require SRC [--format nfd|nova|json]",
	  "The label a destination host must have to accept SRC.\n"
	  "  --format F         nfd (default): the NFD label; nova: the Nova\n"
	  "                     trait; json: both, and the type that accepts SRC\n" },
	{ "monitor", cmd_monitor,
	  "monitor [--count N] [--timeout S] [--kernel]",
	  "One line per uevent of accmdev parents and devices.\n"
	  "  --count N          stop after N events (exit 1 if fewer came)\n"
	  "  --timeout S        stop after S seconds\n"
	  "  --kernel           events from the kernel, not from udevd\n" },
	{ "migrate", cmd_migrate,
	  "migrate SRC_UUID DST_UUID [--no-precopy] [--no-check] [--json]",
	  "Live-migrate a device to another device of this host.\n"
	  "  --no-precopy       stop the source at once, no pre-copy rounds\n"
	  "  --no-check         skip the migration_version check before it\n"
	  HELP_JSON },
	{ "send", cmd_send,
	  "send SRC_UUID HOST:PORT [--secret-file F] [--no-precopy] [--timeout S] [--json]\n"
	  "send SRC_UUID - [--no-precopy] [--timeout S] [--json]",
	  "The source half of a migration between hosts: to accctl receive on\n"
	  "HOST:PORT over TCP, or (-) as a one-way stream on standard output,\n"
	  "e.g. accctl send SRC - | ssh HOST accctl receive DST -; the report\n"
	  "then goes to standard error.\n"
	  HELP_SECRET
	  "  --no-precopy       stop the source at once, no pre-copy rounds\n"
	  HELP_TIMEOUT HELP_JSON },
	{ "receive", cmd_receive,
	  "receive DST_UUID [HOST:]PORT [--secret-file F] [--port-file FILE] [--timeout S] [--json]\n"
	  "receive DST_UUID - [--timeout S] [--json]",
	  "The destination half: listen on HOST:PORT (default host 127.0.0.1;\n"
	  "any other address needs --secret-file) for one accctl send, or (-)\n"
	  "read its stream from standard input. The stream is not encrypted.\n"
	  HELP_SECRET
	  "  --port-file FILE   write the port it listens on to FILE (for PORT 0)\n"
	  HELP_TIMEOUT HELP_JSON },
};

#define N_VERBS (sizeof(verbs) / sizeof(verbs[0]))

static void print_usage(FILE *f, const struct verb *v)
{
	const char *line = v->usage, *nl;

	do {
		nl = strchr(line, '\n');
		fprintf(f, "  accctl [--sysfs-root DIR] %.*s\n",
			nl ? (int)(nl - line) : (int)strlen(line), line);
		line = nl + 1;
	} while (nl);
}

void cli_usage(FILE *f, const char *verb)
{
	size_t i;

	fputs("usage:\n", f);
	for (i = 0; i < N_VERBS; i++)
		if (!verb || !strcmp(verb, verbs[i].name))
			print_usage(f, &verbs[i]);
	for (i = 0; verb && i < N_VERBS; i++)
		if (!strcmp(verb, verbs[i].name))
			fprintf(f, "\n%s", verbs[i].help);
	if (!verb)
		fputs("  accctl --version\n"
		      "SRC: UUID, [PARENT/]TYPE, a version string \"accmdev/...\", or @FILE (@- is stdin)\n"
		      "DST: UUID or [PARENT/]TYPE\n"
		      "exit status: 0 ok or compatible, 1 incompatible or none, 2 error\n"
		      "accctl VERB --help describes a verb and its options; man accctl, all.\n",
		      f);
	else
		fputs("  --sysfs-root DIR   use DIR/sys instead of /sys (for tests)\n"
		      "  -h, --help         this help\n",
		      f);
}

int cli_set_root(const char *root)
{
	struct stat st;

	if (root && *root && strcmp(root, "/")) {
		if (stat(root, &st) || !S_ISDIR(st.st_mode))
			return acc_err("sysfs root '%s' is not a directory",
				       root);
	}
	if (sysfs_set_root(root))
		return acc_err("sysfs root '%s' is too long", root);
	return 0;
}

/* @in_order stops at the first operand (options before the verb). */
static int getopt_any(int argc, char **argv, const struct option *opts,
		      bool in_order)
{
	char shortopts[32];
	const struct option *o;
	size_t len;
	int c;

	strcpy(shortopts, in_order ? "+:h" : ":h");
	len = strlen(shortopts);

	/* Short forms are the option's value when it is a letter. */
	for (o = opts; o->name && len + 2 < sizeof(shortopts); o++) {
		if (o->val >= 'a' && o->val <= 'z' && o->val != 'h') {
			shortopts[len++] = (char)o->val;
			if (o->has_arg == required_argument)
				shortopts[len++] = ':';
		}
	}
	shortopts[len] = '\0';
	for (;;) {
		c = getopt_long(argc, argv, shortopts, opts, NULL);
		if (c != OPT_ROOT)
			return c;
		if (cli_set_root(optarg))
			return '!';
	}
}

int cli_getopt(int argc, char **argv, const struct option *opts)
{
	return getopt_any(argc, argv, opts, false);
}

int cli_bad_opt(int c, char **argv)
{
	const char *arg = argv[optind - 1];
	/* Options before the verb have no verb to name. */
	const char *verb = strcmp(argv[0], "accctl") ? argv[0] : NULL;
	const char *sep = verb ? ": " : "";

	if (!verb)
		verb = "";
	switch (c) {
	case 'h':
		cli_usage(stdout, verb[0] ? verb : NULL);
		return 0;
	case '!':
		return EXIT_ERROR;	/* message already recorded */
	case ':':
		acc_err("%s%soption '%s' needs a value", verb, sep, arg);
		return EXIT_ERROR;
	default:
		if (optopt && optopt < 0x100)
			acc_err("%s%sunknown option '-%c'", verb, sep, optopt);
		else
			acc_err("%s%sunknown option '%s'", verb, sep, arg);
		return EXIT_ERROR;
	}
}

int cli_operands(int argc, char **argv, int min, int max, char ***ops)
{
	int n = argc - optind;

	*ops = argv + optind;
	if (n < min)
		return acc_err("%s: missing operand (see accctl %s --help)",
			       argv[0], argv[0]);
	if (n > max)
		return acc_err("%s: unexpected operand '%s'", argv[0],
			       argv[optind + max]);
	return 0;
}

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "version", no_argument, NULL, OPT_VERSION },
		CLI_COMMON_OPTS
	};
	size_t i;
	int c;

	if (cli_set_root(getenv("ACCCTL_SYSFS_ROOT")))
		return EXIT_ERROR;
	/* Options before the verb: stop at the first operand. */
	while ((c = getopt_any(argc, argv, opts, true)) != -1) {
		if (c == OPT_VERSION) {
			printf("accctl %s\n", ACCMDEV_VERSION);
			return 0;
		}
		if (c == '?' || c == ':' || c == '!' || c == 'h') {
			argv[0] = "accctl";
			return cli_bad_opt(c, argv);
		}
	}
	if (optind >= argc) {
		acc_err("no verb given (try accctl --help)");
		return EXIT_ERROR;
	}
	for (i = 0; i < N_VERBS; i++) {
		if (!strcmp(argv[optind], verbs[i].name)) {
			argc -= optind;
			argv += optind;
			optind = 0;	/* full reset for the verb's options */
			return verbs[i].run(argc, argv);
		}
	}
	acc_err("unknown verb '%s' (try accctl --help)", argv[optind]);
	return EXIT_ERROR;
}

int main(int argc, char **argv)
{
	int status = run(argc, argv);

	if (fflush(stdout) && status != EXIT_ERROR) {
		acc_err("writing output failed");
		status = EXIT_ERROR;
	}
	if (status && acc_errmsg())
		fprintf(stderr, "accctl: %s\n", acc_errmsg());
	return status;
}
