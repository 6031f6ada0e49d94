// SPDX-License-Identifier: GPL-2.0-only
/*
 * accctl: migrate, a live migration between two devices of this host,
 * and the report that migrate, send and receive print.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "migrep.h"
#include "node.h"

bool mig_refusal_errno(int err)
{
	return err > 0 && accmdev_compat_from_errno(err) != ACCMDEV_COMPAT_COUNT;
}

static const char *const result_names[] = {
	[MIG_DONE] = "migrated",
	[MIG_REFUSED] = "refused",
	[MIG_FAILED] = "failed",
	[MIG_SENT] = "sent",
};

static void print_ms(FILE *f, const char *label, int64_t ns)
{
	if (ns >= 0)
		fprintf(f, "%-12s %lld.%03lld ms\n", label, (long long)(ns / 1000000),
			   (long long)(ns / 1000 % 1000));
}

static void print_text(const struct mig_report *r)
{
	const struct acc_mig_stats *st = r->st;
	FILE *f = r->out ? r->out : stdout;

	fprintf(f, "source       %s\n", r->source);
	fprintf(f, "destination  %s\n", r->destination);
	if (r->result == MIG_DONE)
		fprintf(f, "result       migrated\n");
	else if (r->result == MIG_SENT)
		fprintf(f, "result       sent (the receiver's exit status says whether the destination runs)\n");
	else
		fprintf(f, "result       %s: %s\n", result_names[r->result], r->msg);
	if (st && r->receiver)
		fprintf(f, "pre-copy     %llu bytes\n",
			   (unsigned long long)st->precopy_bytes);
	else if (st && r->precopy)
		fprintf(f, "pre-copy     %llu bytes in %u round%s\n",
			   (unsigned long long)st->precopy_bytes, st->rounds,
			   st->rounds == 1 ? "" : "s");
	else if (st)
		fprintf(f, "pre-copy     none (%s)\n",
			   st->flags & ACC_MIG_F_PRE_COPY ? "not asked for" :
		       "the kernel has no PRE_COPY");
	if (st && st->estimate && !r->receiver)
		fprintf(f, "stop-copy    %llu bytes (estimate %llu)\n",
			   (unsigned long long)st->stopcopy_bytes,
			   (unsigned long long)st->estimate);
	else if (st)
		fprintf(f, "stop-copy    %llu bytes\n",
			   (unsigned long long)st->stopcopy_bytes);
	fprintf(f, "bytes        %llu of device state\n",
		(unsigned long long)r->bytes);
	print_ms(f, "downtime", r->downtime_ns);
	print_ms(f, "total time", r->total_ns);
}

static void print_json(const struct mig_report *r)
{
	const struct acc_mig_stats *st = r->st;
	struct json j;

	json_init(&j, r->out ? r->out : stdout);
	json_obj_begin(&j, NULL);
	json_str(&j, "source", r->source);
	json_str(&j, "destination", r->destination);
	json_str(&j, "result", result_names[r->result]);
	if (r->result != MIG_DONE && r->result != MIG_SENT) {
		json_str(&j, "errno", r->err ? errno_name(r->err) : "");
		json_str_opt(&j, "phase", r->phase);
		json_str(&j, "error", r->msg);
	}
	if (st) {
		json_str(&j, "pre_copy", r->precopy ? "yes" : "no");
		if (!r->receiver)
			json_int(&j, "pre_copy_rounds", (long)st->rounds);
		json_int(&j, "pre_copy_bytes", (long)st->precopy_bytes);
		json_int(&j, "stop_copy_bytes", (long)st->stopcopy_bytes);
		if (!r->receiver)
			json_int(&j, "stop_copy_estimate", (long)st->estimate);
	}
	json_int(&j, "bytes", (long)r->bytes);
	if (r->downtime_ns >= 0)
		json_int(&j, "downtime_us", (long)(r->downtime_ns / 1000));
	if (r->total_ns >= 0)
		json_int(&j, "total_us", (long)(r->total_ns / 1000));
	json_obj_end(&j);
	json_done(&j);
}

int mig_report_print(const struct mig_report *r, bool json)
{
	if (json)
		print_json(r);
	else
		print_text(r);
	if (r->result == MIG_DONE || r->result == MIG_SENT)
		return 0;
	acc_err("%s: %s", r->verb, r->msg);
	return r->result == MIG_REFUSED ? EXIT_INCOMPATIBLE : EXIT_ERROR;
}

/* ---- migrate ---------------------------------------------------------- */

struct migrate_opts {
	bool json, no_check;
	struct acc_mig_opts mig;
};

/*
 * The destination's migration_version check of the source's string, as
 * send's receiver makes it: 1 refused (report filled), 0 accepted, -1
 * error.
 */
static int precheck(const struct acc_device *s, const struct acc_device *d,
		    struct mig_report *r)
{
	char ver[ACCMDEV_MIGVER_MAX];
	struct acc_node sn, dn;
	int err, verdict;

	node_from_device(&sn, s);
	node_from_device(&dn, d);
	err = node_read_version(&sn, ver, sizeof(ver));
	if (err == -ENODEV)
		return acc_err("migrate: source %s cannot migrate (its parent %s is not migratable)",
			       s->uuid, s->parent->name);
	if (err)
		return -1;
	verdict = node_ask(&dn, ver, false);
	if (verdict < 0)
		return -1;
	if (verdict == ACCMDEV_COMPAT_OK)
		return 0;
	r->result = MIG_REFUSED;
	r->err = accmdev_compat_errno(verdict);
	r->phase = "check";
	snprintf(r->msg, sizeof(r->msg),
		 "%s does not accept %s: %s (%s); no device state was sent",
		 d->uuid, s->uuid, compat_name(verdict), errno_name(r->err));
	return 1;
}

static int do_migrate(const char *su, const char *du,
		      const struct migrate_opts *o, struct mig_report *r)
{
	static struct acc_mig_stats st;
	struct acc_dev src, dst;
	int ret;

	if (acc_open(&src, su))
		return acc_err("migrate: source: %s", acc_error(&src));
	if (acc_open(&dst, du)) {
		acc_err("migrate: destination: %s", acc_error(&dst));
		acc_close(&src);
		return -1;
	}
	ret = acc_migrate(&src, &dst, &o->mig, &st);
	r->st = &st;
	r->precopy = st.rounds > 0;
	r->bytes = st.precopy_bytes + st.stopcopy_bytes;
	r->total_ns = st.t_end - st.t_start;
	if (!ret) {
		r->result = MIG_DONE;
		r->downtime_ns = st.t_running - st.t_stop;
	} else {
		r->err = -ret;
		r->phase = st.phase;
		/* The destination's first write failing is its refusal. */
		r->result = st.fail_chunk == 1 && mig_refusal_errno(-ret) ?
			    MIG_REFUSED : MIG_FAILED;
		snprintf(r->msg, sizeof(r->msg), "%s %s in %s: %s",
			 r->result == MIG_REFUSED ? "refused" : "failed",
			 errno_name(-ret), st.phase ? st.phase : "?",
			 acc_error(&src));
	}
	/* Closing resets both devices: state lives while a process holds it. */
	acc_close(&dst);
	acc_close(&src);
	return 0;
}

int cmd_migrate(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "no-precopy", no_argument, NULL, OPT_NO_PRECOPY },
		{ "no-check", no_argument, NULL, OPT_NO_CHECK },
		CLI_COMMON_OPTS
	};
	struct migrate_opts o = { 0 };
	struct mig_report r = { .verb = "migrate", .downtime_ns = -1,
				.total_ns = -1 };
	const struct acc_device *s, *d;
	struct acc_sys sys;
	int c, status = EXIT_ERROR;
	char **ops;

	while ((c = cli_getopt(argc, argv, opts)) != -1) {
		switch (c) {
		case OPT_JSON:
			o.json = true;
			break;
		case OPT_NO_PRECOPY:
			o.mig.no_precopy = true;
			break;
		case OPT_NO_CHECK:
			o.no_check = true;
			break;
		default:
			return cli_bad_opt(c, argv);
		}
	}
	if (cli_operands(argc, argv, 2, 2, &ops) || model_load(&sys))
		return EXIT_ERROR;
	s = model_find_device(&sys, ops[0]);
	d = s ? model_find_device(&sys, ops[1]) : NULL;
	if (s && d && s == d) {
		acc_err("migrate: source and destination are the same device");
		goto out;
	}
	if (!s || !d)
		goto out;
	r.source = s->uuid;
	r.destination = d->uuid;
	if (!o.no_check) {
		int ret = precheck(s, d, &r);

		if (ret < 0)
			goto out;
		if (ret > 0) {
			status = mig_report_print(&r, o.json);
			goto out;
		}
	}
	if (!do_migrate(s->uuid, d->uuid, &o, &r))
		status = mig_report_print(&r, o.json);
out:
	model_free(&sys);
	return status;
}
