// SPDX-License-Identifier: GPL-2.0-only
/*
 * accctl: migration_version nodes and check sources.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "node.h"

#define VERSION_PREFIX	"accmdev/"

void node_from_type(struct acc_node *n, const struct acc_type *t)
{
	memset(n, 0, sizeof(*n));
	n->kind = NODE_TYPE;
	n->parent = t->parent;
	n->type = t;
	n->dir = t->dir;
	snprintf(n->label, sizeof(n->label), "%s/%s", t->parent->name, t->id);
}

void node_from_device(struct acc_node *n, const struct acc_device *d)
{
	memset(n, 0, sizeof(*n));
	n->kind = NODE_DEVICE;
	n->parent = d->parent;
	n->type = d->type;
	n->dev = d;
	n->dir = d->dir;
	snprintf(n->label, sizeof(n->label), "%s", d->uuid);
}

int node_resolve(const struct acc_sys *s, const char *arg,
		 struct acc_node *n)
{
	char uuid[UUID_LEN + 1];
	const struct acc_device *d;
	const struct acc_type *t;

	if (!strncmp(arg, VERSION_PREFIX, strlen(VERSION_PREFIX)) ||
	    arg[0] == '@')
		return acc_err("'%s' is a source, not a local type or UUID", arg);

	if (uuid_normalize(arg, uuid)) {
		d = model_find_device(s, uuid);
		if (!d)
			return -1;
		node_from_device(n, d);
		return 0;
	}
	t = model_find_type(s, arg);
	if (!t)
		return -1;
	node_from_type(n, t);
	return 0;
}

const char *node_kind_name(const struct acc_node *n)
{
	return n->kind == NODE_TYPE ? "type" : "device";
}

const char *compat_name(enum accmdev_compat c)
{
	if (c == ACCMDEV_COMPAT_OK)
		return "ok";
	return accmdev_compat_field(c) ? accmdev_compat_field(c) : "?";
}

/* The node's migration_version path, once it exists. */
static int version_path(const struct acc_node *n, char *path, size_t size)
{
	int err;

	if (snprintf(path, size, "%s/migration_version", n->dir) >= (int)size)
		return acc_err("%s: path too long", n->label);
	/* Type files come just after the type directories: wait for them. */
	err = sysfs_wait(path);
	if (err)
		return acc_err("%s has no migration_version, even after waiting for it",
			       n->label);
	return 0;
}

int node_read_version(const struct acc_node *n, char *buf, size_t size)
{
	char path[SYSFS_PATH_MAX];
	int err;

	/* The kernel would say ENODEV; a fake tree cannot. */
	if (parent_nomig(n->parent))
		return -ENODEV;
	if (version_path(n, path, sizeof(path)))
		return -1;
	err = sysfs_read(path, buf, size);
	if (err == -ENODEV)
		return err;
	if (err)
		return acc_err("cannot read %s: %s", path, strerror(-err));
	return 0;
}

int node_dst(const struct acc_node *n, struct accmdev_migver_dst *dst,
	     struct accmdev_migver *vp)
{
	char ver[ACCMDEV_MIGVER_MAX];
	struct accmdev_migver v;
	int err;

	memset(dst, 0, sizeof(*dst));
	if (vp)
		memset(vp, 0, sizeof(*vp));
	err = node_read_version(n, ver, sizeof(ver));
	if (err == -ENODEV)
		return 0;	/* dst->migratable stays false */
	if (err)
		return -1;
	if (accmdev_migver_parse(ver, strlen(ver), &v) != ACCMDEV_COMPAT_OK)
		return acc_err("%s: cannot parse its own version '%s'",
			       n->label, ver);
	dst_from_version(&v, dst);
	if (vp)
		*vp = v;
	return 0;
}

void dst_from_version(const struct accmdev_migver *v,
		      struct accmdev_migver_dst *dst)
{
	dst->migratable = true;
	dst->kind = v->kind;
	dst->qps = v->qps;
	dst->rev = v->rev;
	dst->algs = v->algs;
}

static int ask_migver(const struct acc_node *n, const char *ver)
{
	struct accmdev_migver_dst dst;

	if (node_dst(n, &dst, NULL))
		return -1;
	return (int)accmdev_migver_check(ver, strlen(ver), &dst, NULL);
}

int node_ask(const struct acc_node *n, const char *ver, bool offline)
{
	char path[SYSFS_PATH_MAX];
	enum accmdev_compat c;
	int err;

	if (offline || !sysfs_is_real())
		return ask_migver(n, ver);
	if (version_path(n, path, sizeof(path)))
		return -1;
	err = sysfs_write(path, ver);
	if (!err)
		return ACCMDEV_COMPAT_OK;
	c = accmdev_compat_from_errno(-err);
	if (c == ACCMDEV_COMPAT_COUNT)
		return acc_err("%s: writing migration_version failed: %s",
			       n->label, strerror(-err));
	return (int)c;
}

/* Up to 80 bytes of @s, non-printable bytes as '?', for messages. */
static void excerpt(const char *s, size_t len, char *out, size_t size)
{
	size_t i, n = len < 80 ? len : 80;

	if (n >= size)
		n = size - 1;
	for (i = 0; i < n; i++)
		out[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	out[n] = '\0';
	if (n < len && n + 3 < size)
		strcat(out, "...");
}

static int read_file(const char *name, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n = 0;
	int fd;

	fd = strcmp(name, "-") ? open(name, O_RDONLY | O_CLOEXEC) : 0;
	if (fd < 0)
		return acc_err("cannot open %s: %s", name, strerror(errno));
	while (len + 1 < size) {
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	if (n < 0) {
		acc_err("cannot read %s: %s", name, strerror(errno));
		len = 0;
	} else if (len + 1 >= size) {
		acc_err("%s: too long for a version string", name);
		n = -1;
	}
	if (fd)
		close(fd);
	if (n < 0)
		return -1;
	if (len && buf[len - 1] == '\n')
		len--;
	buf[len] = '\0';
	if (strlen(buf) != len)
		return acc_err("%s: not a version string (binary data)", name);
	return 0;
}

static int source_text(const struct acc_sys *s, const char *arg,
		       struct acc_source *src)
{
	struct acc_node n;
	int err;

	if (!strncmp(arg, VERSION_PREFIX, strlen(VERSION_PREFIX))) {
		if (strlen(arg) >= sizeof(src->text))
			return acc_err("version string too long");
		strcpy(src->text, arg);
		strcpy(src->origin, "literal");
		excerpt(arg, strlen(arg), src->name, sizeof(src->name));
		return 0;
	}
	if (arg[0] == '@') {
		if (!arg[1])
			return acc_err("'@' needs a file name");
		snprintf(src->origin, sizeof(src->origin), "%s", arg);
		snprintf(src->name, sizeof(src->name), "%s", arg);
		return read_file(arg + 1, src->text, sizeof(src->text));
	}
	if (node_resolve(s, arg, &n))
		return -1;
	snprintf(src->origin, sizeof(src->origin), "%s", n.label);
	snprintf(src->name, sizeof(src->name), "%s", n.label);
	err = node_read_version(&n, src->text, sizeof(src->text));
	if (err == -ENODEV)
		return acc_err("source %s cannot migrate (its parent %s is not migratable)",
			       n.label, n.parent->name);
	return err ? -1 : 0;
}

int source_resolve(const struct acc_sys *s, const char *arg,
		   struct acc_source *src)
{
	char shown[96];

	memset(src, 0, sizeof(*src));
	if (source_text(s, arg, src))
		return -1;
	src->parsed = accmdev_migver_parse(src->text, strlen(src->text),
					   &src->v);
	if (src->parsed == ACCMDEV_COMPAT_MALFORMED) {
		if (!src->text[0])
			return acc_err("%s holds no version string", src->origin);
		excerpt(src->text, strlen(src->text), shown, sizeof(shown));
		return acc_err("malformed version string '%s' (from %s)", shown,
			       src->origin);
	}
	return 0;
}
