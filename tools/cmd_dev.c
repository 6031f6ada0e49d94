// SPDX-License-Identifier: GPL-2.0-only
/*
 * accctl: create (plain and --like) and remove.
 *
 * A create either succeeds completely or leaves no device behind: every
 * failure after the write to "create" removes the device again.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "node.h"

struct create_req {
	const struct acc_type *type;
	char uuid[UUID_LEN + 1];
};

/* Undo a create; adds the outcome to the error already recorded. */
static int rollback(const struct acc_device *d, const char *uuid,
		    const char *why)
{
	char dir[SYSFS_PATH_MAX];
	int err;

	if (d && d->dir[0])
		snprintf(dir, sizeof(dir), "%s", d->dir);
	else if (sysfs_path(dir, sizeof(dir), "bus/mdev/devices/%s", uuid))
		dir[0] = '\0';
	err = dir[0] ? sysfs_write_attr(dir, "remove", "1") : -ENAMETOOLONG;
	if (err == -ENOENT)
		return acc_err("%s; no device was left", why);
	if (err)
		return acc_err("%s; removing %s failed too: %s", why, uuid,
			       strerror(-err));
	return acc_err("%s; %s removed", why, uuid);
}

static int create_device(const struct acc_sys *s, const struct create_req *r,
			 struct acc_device *d)
{
	const struct acc_type *t = r->type;
	char why[384], path[SYSFS_PATH_MAX];
	int err;

	if (t->available == 0)
		return acc_err("no available instances of %s on %s", t->id,
			       t->parent->name);
	err = sysfs_write_attr(t->dir, "create", r->uuid);
	if (err)
		return acc_err("cannot create %s of type %s on %s: %s",
			       r->uuid, t->id, t->parent->name,
			       strerror(-err));
	/* The kernel sends add before the files exist: wait for them. */
	err = sysfs_path(path, sizeof(path), "bus/mdev/devices/%s", r->uuid);
	if (!err)
		err = sysfs_wait(path);
	if (!err)
		err = model_read_device(s, r->uuid, d);
	if (err) {
		snprintf(why, sizeof(why), "created %s but it did not get ready: %s",
			 r->uuid, err == -ETIMEDOUT ?
			 "its files did not appear in time" : strerror(-err));
		return rollback(NULL, r->uuid, why);
	}
	return 0;
}

/* Options of create, checked before anything is created. */
struct create_opts {
	const char *parent, *type, *like, *uuid;
};

static int check_create_opts(const struct create_opts *o,
			     struct create_req *r)
{
	if (o->like && o->type)
		return acc_err("create: --like does not go with --type");
	if (!o->like && !o->type)
		return acc_err("create: needs --type (or --like)");
	if (o->uuid && !uuid_normalize(o->uuid, r->uuid))
		return acc_err("create: '%s' is not a UUID", o->uuid);
	if (!o->uuid && uuid_generate(r->uuid))
		return -1;
	return 0;
}

static const struct acc_type *resolve_type(const struct acc_sys *s,
					   const struct create_opts *o)
{
	const struct acc_parent *p;
	const struct acc_type *t;

	if (!o->parent || strchr(o->type, '/')) {
		t = model_find_type(s, o->type);
		if (t && o->parent && strcmp(t->parent->name, o->parent)) {
			acc_err("create: type %s is not on parent %s", o->type,
				o->parent);
			return NULL;
		}
		return t;
	}
	p = model_parent(s, o->parent);
	if (!p) {
		acc_err("unknown parent '%s'", o->parent);
		return NULL;
	}
	t = model_type_on(s, p, o->type);
	if (!t)
		acc_err("unknown type '%s' on %s", o->type, o->parent);
	return t;
}

/*
 * The type for --like: one whose node accepts the source (so its model
 * has the source's kind, revision and queue pairs, and every algorithm
 * the source uses) and that has a free instance, the first such in
 * parent order. NULL with a message; *@status says 1 or 2.
 */
static const struct acc_type *pick_like(const struct acc_sys *s,
					const struct acc_source *src,
					const struct acc_parent *only,
					int *status)
{
	size_t i, accepting = 0;
	struct acc_node n;
	int verdict;

	*status = EXIT_ERROR;
	for (i = 0; i < s->n_types; i++) {
		const struct acc_type *t = &s->types[i];

		if (only && t->parent != only)
			continue;
		node_from_type(&n, t);
		verdict = node_ask(&n, src->text, false);
		if (verdict < 0)
			return NULL;
		if (verdict != ACCMDEV_COMPAT_OK)
			continue;
		accepting++;
		if (t->available != 0)
			return t;
	}
	*status = EXIT_INCOMPATIBLE;
	if (accepting)
		acc_err("create: %zu local type(s) accept %s, but none has a free instance",
			accepting, src->name);
	else
		acc_err("create: no local type accepts %s", src->name);
	return NULL;
}

static int create_like(const struct acc_sys *s, const struct create_opts *o,
		       struct create_req *r)
{
	const struct acc_parent *only = NULL;
	struct acc_source src;
	struct acc_device d;
	struct acc_node n;
	char why[384];
	int status, verdict;

	if (source_resolve(s, o->like, &src))
		return EXIT_ERROR;
	if (o->parent) {
		only = model_parent(s, o->parent);
		if (!only) {
			acc_err("unknown parent '%s'", o->parent);
			return EXIT_ERROR;
		}
	}
	r->type = pick_like(s, &src, only, &status);
	if (!r->type)
		return status;
	if (create_device(s, r, &d))
		return EXIT_ERROR;

	/* The new device, of its type's model, must accept the source too. */
	node_from_device(&n, &d);
	verdict = node_ask(&n, src.text, false);
	if (verdict == ACCMDEV_COMPAT_OK) {
		printf("%s\n", d.uuid);
		return 0;
	}
	if (verdict < 0)
		snprintf(why, sizeof(why), "%s", acc_errmsg());
	else
		snprintf(why, sizeof(why), "device %s refused the source: %s (%s)",
			 d.uuid, compat_name(verdict),
			 errno_name(accmdev_compat_errno(verdict)));
	rollback(&d, d.uuid, why);
	return verdict < 0 ? EXIT_ERROR : EXIT_INCOMPATIBLE;
}

int cmd_create(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "parent", required_argument, NULL, 'p' },
		{ "type", required_argument, NULL, 't' },
		{ "uuid", required_argument, NULL, 'u' },
		{ "like", required_argument, NULL, OPT_LIKE },
		CLI_COMMON_OPTS
	};
	struct create_opts o = { 0 };
	struct create_req r = { 0 };
	struct acc_device d;
	struct acc_sys s;
	int c, status = EXIT_ERROR;
	char **ops;

	while ((c = cli_getopt(argc, argv, opts)) != -1) {
		switch (c) {
		case 'p':
			o.parent = optarg;
			break;
		case 't':
			o.type = optarg;
			break;
		case 'u':
			o.uuid = optarg;
			break;
		case OPT_LIKE:
			o.like = optarg;
			break;
		default:
			return cli_bad_opt(c, argv);
		}
	}
	if (cli_operands(argc, argv, 0, 0, &ops) ||
	    check_create_opts(&o, &r) || model_load(&s))
		return EXIT_ERROR;
	if (model_device(&s, r.uuid)) {
		acc_err("create: device %s already exists", r.uuid);
		goto out;
	}
	if (o.like) {
		status = create_like(&s, &o, &r);
		goto out;
	}
	r.type = resolve_type(&s, &o);
	if (r.type && !create_device(&s, &r, &d)) {
		printf("%s\n", d.uuid);
		status = 0;
	}
out:
	model_free(&s);
	return status;
}

int cmd_remove(int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_OPTS };
	const struct acc_device *d;
	struct acc_sys s;
	int c, err, status = EXIT_ERROR;
	char **ops;

	while ((c = cli_getopt(argc, argv, opts)) != -1)
		return cli_bad_opt(c, argv);
	if (cli_operands(argc, argv, 1, 1, &ops) || model_load(&s))
		return EXIT_ERROR;
	d = model_find_device(&s, ops[0]);
	if (d) {
		err = sysfs_write_attr(d->dir, "remove", "1");
		if (err)
			acc_err("cannot remove %s: %s", d->uuid,
				strerror(-err));
		else
			status = 0;
	}
	model_free(&s);
	return status;
}
