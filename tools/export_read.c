// SPDX-License-Identifier: GPL-2.0-only
/*
 * accctl: read another host's `accctl export` (JSON) back.
 *
 * Strict about what check --export relies on (format 1; per type a
 * parent, type, migratable, migration_version and available_instances
 * of the right JSON types), tolerant of members it does not use, so a
 * later accctl may add some.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "export.h"
#include "jread.h"

/* An export of the largest host is some kilobytes; this is plenty. */
#define EXPORT_FILE_MAX	(16 << 20)

static int slurp(const char *file, char **text, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = xcalloc(cap, 1);
	ssize_t got;
	int fd;

	fd = strcmp(file, "-") ? open(file, O_RDONLY | O_CLOEXEC) : 0;
	if (fd < 0) {
		free(buf);
		return acc_err("cannot open %s: %s", file, strerror(errno));
	}
	for (;;) {
		if (n == cap) {
			char *bigger;

			if (cap >= EXPORT_FILE_MAX) {
				acc_err("%s: larger than %d MiB", file,
					EXPORT_FILE_MAX >> 20);
				goto fail;
			}
			cap *= 2;
			bigger = realloc(buf, cap);
			if (!bigger) {
				acc_err("out of memory");
				goto fail;
			}
			buf = bigger;
		}
		got = read(fd, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			acc_err("cannot read %s: %s", file, strerror(errno));
			goto fail;
		}
		if (!got)
			break;
		n += (size_t)got;
	}
	if (fd)
		close(fd);
	*text = buf;
	*len = n;
	return 0;
fail:
	if (fd)
		close(fd);
	free(buf);
	return -1;
}

/* Copy the string member @key of @o into @buf; -1 with a message. */
static int get_str(const char *file, size_t i, const struct jval *o,
		   const char *key, char *buf, size_t size)
{
	const struct jval *v = jval_get(o, key);

	if (!v || v->type != J_STR)
		return acc_err("%s: types[%zu] has no string \"%s\"", file, i,
			       key);
	if (strlen(v->str) >= size)
		return acc_err("%s: types[%zu].%s is too long", file, i, key);
	strcpy(buf, v->str);
	return 0;
}

static int read_type(const char *file, size_t i, const struct jval *o,
		     struct export_type *x)
{
	const struct jval *mig, *ver, *avail;

	if (o->type != J_OBJ)
		return acc_err("%s: types[%zu] is not an object", file, i);
	if (get_str(file, i, o, "parent", x->parent, sizeof(x->parent)) ||
	    get_str(file, i, o, "type", x->type, sizeof(x->type)))
		return -1;
	mig = jval_get(o, "migratable");
	if (!mig || mig->type != J_BOOL)
		return acc_err("%s: %s/%s has no boolean \"migratable\"", file,
			       x->parent, x->type);
	x->migratable = mig->b;
	ver = jval_get(o, "migration_version");
	if (x->migratable &&
	    get_str(file, i, o, "migration_version", x->version,
		    sizeof(x->version)))
		return -1;
	if (!x->migratable && ver && ver->type != J_NULL)
		return acc_err("%s: %s/%s cannot migrate but has a migration_version",
			       file, x->parent, x->type);
	avail = jval_get(o, "available_instances");
	if (avail && avail->type == J_NULL) {
		x->available = -1;
	} else if (!avail || avail->type != J_NUM || !avail->is_int ||
		   avail->num < 0) {
		return acc_err("%s: %s/%s has no count \"available_instances\"",
			       file, x->parent, x->type);
	} else {
		x->available = avail->num;
	}
	if (x->migratable) {
		struct accmdev_migver_dst dst;

		if (export_dst(x, &dst))
			return acc_err("%s: %s/%s: migration_version '%.80s' does not parse",
				       file, x->parent, x->type, x->version);
	}
	return 0;
}

int export_read(const char *file, struct export_set *e)
{
	const struct jval *fmt, *types;
	struct jval doc;
	size_t len = 0, i;
	char *text = NULL;
	int ret = -1;

	memset(e, 0, sizeof(*e));
	if (slurp(file, &text, &len))
		return -1;
	if (jread_parse(file, text, len, &doc)) {
		free(text);
		return -1;
	}
	free(text);
	fmt = jval_get(&doc, "format");
	types = jval_get(&doc, "types");
	if (doc.type != J_OBJ || !fmt || !types) {
		acc_err("%s: not an accctl export (no \"format\" and \"types\")",
			file);
		goto out;
	}
	if (fmt->type != J_NUM || !fmt->is_int || fmt->num != EXPORT_FORMAT) {
		acc_err("%s: export format is not %d", file, EXPORT_FORMAT);
		goto out;
	}
	if (types->type != J_ARR) {
		acc_err("%s: \"types\" is not an array", file);
		goto out;
	}
	e->t = xcalloc(types->n, sizeof(*e->t));
	for (i = 0; i < types->n; i++) {
		if (read_type(file, i, &types->items[i], &e->t[i])) {
			export_free(e);
			goto out;
		}
		e->n++;
	}
	ret = 0;
out:
	jval_free(&doc);
	return ret;
}
