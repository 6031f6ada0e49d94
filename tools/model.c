// SPDX-License-Identifier: GPL-2.0-only
/*
 * accctl: a snapshot of the accmdev parents, types and devices.
 *
 * Enumeration goes through libudev on the real /sys, and through plain
 * directory listings of the same places under a moved root (libudev
 * cannot be pointed elsewhere). Attributes are read directly either way.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "model.h"
#include "udev.h"

/* Attributes every accmdev device has, besides the mdev_type link. */
static const char * const device_files[] = {
	"mdev_type", "migration_version",
};

static int list_names(const char *subsystem, const char *dir,
		      struct strv *out)
{
	char path[SYSFS_PATH_MAX];
	int err;

	if (sysfs_is_real())
		return acc_udev_enum(subsystem, out);
	err = sysfs_path(path, sizeof(path), "%s", dir);
	if (!err)
		err = sysfs_list(path, out);
	/* No such directory: nothing of that kind exists. */
	if (err && err != -ENOENT)
		return acc_err("cannot list %s: %s", path, strerror(-err));
	return 0;
}

static int load_parent(struct acc_parent *p, const char *name)
{
	char link[SYSFS_PATH_MAX];

	snprintf(p->name, sizeof(p->name), "%s", name);
	if (sysfs_path(p->dir, sizeof(p->dir), "class/accmdev/%s", name) ||
	    snprintf(link, sizeof(link), "%s/device", p->dir) >=
	    (int)sizeof(link))
		return acc_err("path too long for parent %s", name);
	/*
	 * The mdev parent is the accelerator's PCI function, the class
	 * device's "device"; a module without one registered the class
	 * device itself.
	 */
	if (sysfs_link_name(link, p->bus, sizeof(p->bus)))
		snprintf(p->bus, sizeof(p->bus), "%s", name);
	sysfs_read_attr(p->dir, "kind", p->kind, sizeof(p->kind));
	sysfs_read_attr(p->dir, "revision", p->revision, sizeof(p->revision));
	sysfs_read_attr(p->dir, "algorithms", p->algorithms,
			sizeof(p->algorithms));
	sysfs_read_attr(p->dir, "qp_total", p->qp_total, sizeof(p->qp_total));
	sysfs_read_attr(p->dir, "qp_free", p->qp_free, sizeof(p->qp_free));
	sysfs_read_attr(p->dir, "migratable", p->migratable,
			sizeof(p->migratable));
	return 0;
}

static void load_type(struct acc_type *t, const struct acc_parent *p,
		      const char *dir, const char *id)
{
	char avail[SHORT_VAL_MAX];
	unsigned long n;

	t->parent = p;
	snprintf(t->id, sizeof(t->id), "%s", id);
	snprintf(t->dir, sizeof(t->dir), "%s", dir);
	sysfs_read_attr(dir, "name", t->name, sizeof(t->name));
	sysfs_read_attr(dir, "description", t->description,
			sizeof(t->description));
	sysfs_read_attr(dir, "device_api", t->device_api,
			sizeof(t->device_api));
	t->available = -1;
	if (!sysfs_read_attr(dir, "available_instances", avail,
			     sizeof(avail)) &&
	    !parse_uint(avail, 1UL << 30, &n))
		t->available = (long)n;
}

/* Natural order: accmdev-zip-r1-2qp before accmdev-zip-r1-16qp. */
static int type_cmp(const void *a, const void *b)
{
	const struct acc_type *x = a, *y = b;

	return strverscmp(x->id, y->id);
}

/* Append the types of @p to s->types. */
static int load_types(struct acc_sys *s, const struct acc_parent *p)
{
	char dir[SYSFS_PATH_MAX], tdir[SYSFS_PATH_MAX];
	struct strv ids = { 0 };
	struct acc_type *types;
	struct stat st;
	size_t i, first = s->n_types;
	int err;

	err = sysfs_path(dir, sizeof(dir),
			 "class/accmdev/%s/mdev_supported_types", p->name);
	if (!err)
		err = sysfs_list(dir, &ids);
	if (err) {
		strv_free(&ids);
		/* Not (yet) registered with the mdev core: no types. */
		return err == -ENOENT ? 0 :
			acc_err("cannot list types of %s: %s", p->name,
				strerror(-err));
	}
	types = realloc(s->types, (s->n_types + ids.n) * sizeof(*types));
	if (!types) {
		strv_free(&ids);
		return acc_err("out of memory");
	}
	s->types = types;
	for (i = 0; i < ids.n; i++) {
		if (snprintf(tdir, sizeof(tdir), "%s/%s", dir, ids.v[i]) >=
		    (int)sizeof(tdir))
			continue;
		/* Only directories are types (mdevctl does the same). */
		if (stat(tdir, &st) || !S_ISDIR(st.st_mode))
			continue;
		memset(&s->types[s->n_types], 0, sizeof(*s->types));
		load_type(&s->types[s->n_types++], p, tdir, ids.v[i]);
	}
	qsort(s->types + first, s->n_types - first, sizeof(*s->types),
	      type_cmp);
	strv_free(&ids);
	return 0;
}

static int read_device_files(struct acc_device *d)
{
	char path[SYSFS_PATH_MAX];
	size_t i;
	int err;

	for (i = 0; i < sizeof(device_files) / sizeof(device_files[0]); i++) {
		if (snprintf(path, sizeof(path), "%s/%s", d->dir,
			     device_files[i]) >= (int)sizeof(path))
			return -ENAMETOOLONG;
		err = sysfs_wait(path);
		if (err)
			return sysfs_exists(d->dir) ? err : -ENOENT;
	}
	if (snprintf(path, sizeof(path), "%s/mdev_type", d->dir) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	return sysfs_link_name(path, d->type_id, sizeof(d->type_id));
}

int model_read_device(const struct acc_sys *s, const char *uuid,
		      struct acc_device *d)
{
	char pname[NAME_MAX_LEN];
	int err;

	memset(d, 0, sizeof(*d));
	snprintf(d->uuid, sizeof(d->uuid), "%s", uuid);
	err = sysfs_path(d->dir, sizeof(d->dir), "bus/mdev/devices/%s", uuid);
	if (!err)
		err = sysfs_parent_name(d->dir, pname, sizeof(pname));
	if (err)
		return err;
	d->parent = model_parent(s, pname);
	if (!d->parent)
		return -ENOENT;
	err = read_device_files(d);
	if (err)
		return err;
	d->type = model_type_on(s, d->parent, d->type_id);
	return 0;
}

static int device_cmp(const void *a, const void *b)
{
	const struct acc_device *x = a, *y = b;
	int c = strverscmp(x->parent->name, y->parent->name);

	return c ? c : strcmp(x->uuid, y->uuid);
}

static int load_devices(struct acc_sys *s)
{
	struct strv names = { 0 };
	char uuid[UUID_LEN + 1];
	size_t i;
	int err;

	if (list_names("mdev", "bus/mdev/devices", &names))
		return -1;
	s->devices = xcalloc(names.n, sizeof(*s->devices));
	for (i = 0; i < names.n; i++) {
		struct acc_device *d = &s->devices[s->n_devices];

		if (!uuid_normalize(names.v[i], uuid))
			continue;
		err = model_read_device(s, uuid, d);
		/* Not ours, or removed while we looked: leave it out. */
		if (err == -ENOENT || !d->parent)
			continue;
		/* Never ready within the bound: list it without a type. */
		s->n_devices++;
	}
	qsort(s->devices, s->n_devices, sizeof(*s->devices), device_cmp);
	strv_free(&names);
	return 0;
}

int model_load(struct acc_sys *s)
{
	struct strv names = { 0 };
	size_t i;

	memset(s, 0, sizeof(*s));
	if (list_names("accmdev", "class/accmdev", &names))
		return -1;
	s->parents = xcalloc(names.n, sizeof(*s->parents));
	for (i = 0; i < names.n; i++) {
		if (!name_ok(names.v[i]) ||
		    load_parent(&s->parents[s->n_parents], names.v[i]))
			continue;
		s->n_parents++;
	}
	strv_free(&names);
	for (i = 0; i < s->n_parents; i++)
		if (load_types(s, &s->parents[i]))
			return -1;
	return load_devices(s);
}

void model_free(struct acc_sys *s)
{
	free(s->parents);
	free(s->types);
	free(s->devices);
	memset(s, 0, sizeof(*s));
}

bool parent_nomig(const struct acc_parent *p)
{
	return !strcmp(p->migratable, "0");
}

int model_load_only(struct acc_sys *s, const char *parent,
		    const struct acc_parent **only)
{
	*only = NULL;
	if (model_load(s))
		return -1;
	if (!parent)
		return 0;
	*only = model_parent(s, parent);
	if (*only)
		return 0;
	acc_err("unknown parent '%s'", parent);
	model_free(s);
	return -1;
}

const struct acc_parent *model_parent(const struct acc_sys *s,
				      const char *name)
{
	size_t i;

	for (i = 0; i < s->n_parents; i++)
		if (!strcmp(s->parents[i].name, name) ||
		    !strcmp(s->parents[i].bus, name))
			return &s->parents[i];
	return NULL;
}

const struct acc_type *model_type_on(const struct acc_sys *s,
				     const struct acc_parent *p,
				     const char *id)
{
	size_t i;

	for (i = 0; i < s->n_types; i++)
		if (s->types[i].parent == p && !strcmp(s->types[i].id, id))
			return &s->types[i];
	return NULL;
}

/* "accmdev0, accmdev1" for the parents that have type @id. */
static void parents_with(const struct acc_sys *s, const char *id, char *buf,
			 size_t size)
{
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < s->n_types && len < size; i++) {
		int n;

		if (strcmp(s->types[i].id, id))
			continue;
		n = snprintf(buf + len, size - len, "%s%s", len ? ", " : "",
			     s->types[i].parent->name);
		if (n < 0)
			break;
		len += (size_t)n;
	}
}

const struct acc_type *model_find_type(const struct acc_sys *s,
				       const char *spec)
{
	const struct acc_type *found = NULL;
	const struct acc_parent *p;
	const char *slash = strchr(spec, '/');
	char pname[NAME_MAX_LEN], list[256];
	size_t i, hits = 0;

	if (slash) {
		if ((size_t)(slash - spec) >= sizeof(pname))
			goto unknown;
		memcpy(pname, spec, (size_t)(slash - spec));
		pname[slash - spec] = '\0';
		p = model_parent(s, pname);
		if (!p) {
			acc_err("unknown parent '%s'", pname);
			return NULL;
		}
		found = model_type_on(s, p, slash + 1);
		if (!found)
			acc_err("unknown type '%s' on %s", slash + 1, pname);
		return found;
	}
	for (i = 0; i < s->n_types; i++) {
		if (!strcmp(s->types[i].id, spec)) {
			found = &s->types[i];
			hits++;
		}
	}
	if (hits == 1)
		return found;
	if (hits > 1) {
		parents_with(s, spec, list, sizeof(list));
		acc_err("type '%s' is on several parents (%s): use PARENT/TYPE",
			spec, list);
		return NULL;
	}
unknown:
	acc_err("unknown type '%s'", spec);
	return NULL;
}

const struct acc_device *model_device(const struct acc_sys *s,
				      const char *uuid)
{
	size_t i;

	for (i = 0; i < s->n_devices; i++)
		if (!strcmp(s->devices[i].uuid, uuid))
			return &s->devices[i];
	return NULL;
}

const struct acc_device *model_find_device(const struct acc_sys *s,
					   const char *arg)
{
	const struct acc_device *d;
	char uuid[UUID_LEN + 1];

	if (!uuid_normalize(arg, uuid)) {
		acc_err("'%s' is not a UUID", arg);
		return NULL;
	}
	d = model_device(s, uuid);
	if (!d)
		acc_err("unknown device %s", uuid);
	return d;
}
