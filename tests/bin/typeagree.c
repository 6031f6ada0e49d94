// SPDX-License-Identifier: GPL-2.0-only
/*
 * typeagree: the v5 contract of migration_version across every type of
 * the loaded parents, for tests/bats/25-types.bats. The loops live here:
 * thousands of sysfs writes would take minutes as shell commands in the
 * emulated guest.
 *
 *   typeagree agree [-x FILE]
 *
 *     Sources: one device of each type, created, its migration_version
 *     read, removed; from each such string also a narrower one (its
 *     first algorithm dropped), a one-algorithm one (its last) and one
 *     of the next revision; and the lines of FILE (hand-made strings,
 *     one per line, written without the newline). Then, for every type
 *     node T: a default device D of T is created, and every source S is
 *     written to T's and to D's migration_version, each a write(2) of
 *     its own; the two answers (accepted, or the errno) must be the
 *     same. A read of T must also give what a read of D gives (the same
 *     line, or the same errno). D is removed before the next type, so
 *     any parent set fits its pools.
 *
 *     Prints "types=N sources=N pairs=N disagreements=N
 *     read_disagreements=N" and "answers OK=N EINVAL=N EXDEV=N
 *     ERANGE=N EPROTO=N ENOEXEC=N EOPNOTSUPP=N ENODEV=N other=N" (the
 *     devices' answers), and the first disagreements as "# disagree
 *     ..." lines.
 *
 *   typeagree same
 *
 *     One device of every type whose name is on several parents, and of
 *     the first type of each model (kind and revision, migratable or
 *     not) besides (created, read, opened through VFIO, closed,
 *     removed): its migration_version (or the read's errno) and its
 *     REVISION and ALGS registers. Every device of one type name, on
 *     whichever parent, must read the same three; the REVISION register
 *     is the revision the name says (accmdev-<kind>-r<rev>-...); ALGS is
 *     the same for every device of one kind and revision. Prints
 *     "types=N names=N shared_names=N probed=N differences=N" and one
 *     "name=NAME parents=N rev=R algs=0xM" line per name probed.
 *
 * Each check is a TAP line (testlib.h); the exit status is 1 if any
 * failed, 2 on usage errors or when a device cannot be created.
 */
#include <errno.h>
#include <glob.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accvfio.h"
#include "fuzzlib.h"
#include "testlib.h"

#define MAX_TYPES	(16 * 10)
#define MAX_SOURCES	2048
#define VER_MAX		4096
#define SHOW		20

struct tnode {
	char dir[256];		/* .../accmdevN/mdev_supported_types/NAME */
	char name[64];		/* accmdev-zip-r1-4qp[-nomig] */
	char parent[32];	/* accmdevN */
	/* "same": what a device of the type showed, if probed */
	bool probed;
	int ver_err;
	char ver[VER_MAX];
	uint32_t rev, algs;
};

static struct tnode types[MAX_TYPES];
static int ntypes;
static char *sources[MAX_SOURCES];
static size_t source_len[MAX_SOURCES];
static int nsources;

static void usage(void)
{
	fprintf(stderr, "usage: typeagree agree [-x FILE] | typeagree same\n");
	exit(2);
}

static void discover(void)
{
	glob_t g;

	if (glob(FZ_ACC_CLASS "/accmdev*/mdev_supported_types/*", 0, NULL, &g)) {
		printf("not ok - no accmdev types in " FZ_ACC_CLASS "\n");
		exit(2);
	}
	for (size_t i = 0; i < g.gl_pathc && ntypes < MAX_TYPES; i++) {
		struct tnode *t = &types[ntypes++];
		const char *p = g.gl_pathv[i] + strlen(FZ_ACC_CLASS "/");

		snprintf(t->dir, sizeof(t->dir), "%s", g.gl_pathv[i]);
		snprintf(t->name, sizeof(t->name), "%s",
			 strrchr(g.gl_pathv[i], '/') + 1);
		snprintf(t->parent, sizeof(t->parent), "%.*s",
			 (int)strcspn(p, "/"), p);
	}
	globfree(&g);
}

/* A new device of @t, its UUID in @uuid; exits 2 if it cannot be made. */
static void create(const struct tnode *t, char uuid[FZ_UUID_LEN + 1])
{
	char path[512];
	long n;

	if (fz_read("/proc/sys/kernel/random/uuid", uuid, FZ_UUID_LEN + 1) !=
	    FZ_UUID_LEN) {
		printf("not ok - read a UUID\n");
		exit(2);
	}
	snprintf(path, sizeof(path), "%s/create", t->dir);
	n = fz_write_str(path, uuid);
	if (n < 0) {
		printf("not ok - create a device of %s/%s: %s\n", t->parent,
		       t->name, fz_errname((int)-n));
		exit(2);
	}
}

static void destroy(const char *uuid)
{
	char path[128];

	snprintf(path, sizeof(path), FZ_MDEV_DEVS "/%s/remove", uuid);
	if (fz_write_str(path, "1") != 1) {
		printf("not ok - remove %s\n", uuid);
		exit(2);
	}
}

/* A node's migration_version: 0 and the line (newline dropped), or the errno. */
static int read_version(const char *path, char *buf, size_t size)
{
	long n = fz_read(path, buf, size);

	if (n < 0) {
		buf[0] = '\0';
		return (int)-n;
	}
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static void add_source(const char *s, size_t len)
{
	for (int i = 0; i < nsources; i++)
		if (source_len[i] == len && !memcmp(sources[i], s, len))
			return;
	if (nsources == MAX_SOURCES || !len)
		return;
	sources[nsources] = malloc(len);
	if (!sources[nsources]) {
		printf("not ok - out of memory\n");
		exit(2);
	}
	memcpy(sources[nsources], s, len);
	source_len[nsources++] = len;
}

/*
 * From a version a device read ("...;algs=a,b,c"): the same with the
 * first algorithm dropped, with only the last one, and one revision up.
 */
static void add_variants(const char *v)
{
	const char *algs = strstr(v, ";algs="), *rev = strstr(v, ";rev=");
	char buf[VER_MAX];
	const char *comma, *last;

	add_source(v, strlen(v));
	if (!algs || !rev)
		return;
	algs += strlen(";algs=");
	comma = strchr(algs, ',');
	last = strrchr(algs, ',');
	if (comma) {
		snprintf(buf, sizeof(buf), "%.*s%s", (int)(algs - v), v,
			 comma + 1);
		add_source(buf, strlen(buf));
		snprintf(buf, sizeof(buf), "%.*s%s", (int)(algs - v), v,
			 last + 1);
		add_source(buf, strlen(buf));
	}
	rev += strlen(";rev=");
	snprintf(buf, sizeof(buf), "%.*s%lu%s", (int)(rev - v), v,
		 strtoul(rev, NULL, 10) + 1, rev + strspn(rev, "0123456789"));
	add_source(buf, strlen(buf));
}

static void read_file(const char *file)
{
	FILE *f = fopen(file, "r");
	char line[VER_MAX + 2];

	if (!f) {
		perror(file);
		exit(2);
	}
	while (fgets(line, sizeof(line), f)) {
		size_t n = strcspn(line, "\n");

		add_source(line, n);
	}
	fclose(f);
}

/* A write's outcome: 0 if all of it was taken, else the errno. */
static int answer(const char *path, const char *s, size_t len)
{
	long n = fz_write(path, s, len);

	if (n < 0)
		return (int)-n;
	return (size_t)n == len ? 0 : EIO;
}

enum { A_OK, A_EINVAL, A_EXDEV, A_ERANGE, A_EPROTO, A_ENOEXEC,
	A_EOPNOTSUPP, A_ENODEV, A_OTHER, A_COUNT };

static int answer_class(int err)
{
	switch (err) {
	case 0:
		return A_OK;
	case EINVAL:
		return A_EINVAL;
	case EXDEV:
		return A_EXDEV;
	case ERANGE:
		return A_ERANGE;
	case EPROTO:
		return A_EPROTO;
	case ENOEXEC:
		return A_ENOEXEC;
	case EOPNOTSUPP:
		return A_EOPNOTSUPP;
	case ENODEV:
		return A_ENODEV;
	default:
		return A_OTHER;
	}
}

static const char *errname0(int err)
{
	return err ? fz_errname(err) : "OK";
}

static int cmd_agree(const char *file)
{
	static char tver[VER_MAX], dver[VER_MAX];
	char uuid[FZ_UUID_LEN + 1], tpath[512], dpath[128];
	long pairs = 0, dis = 0, tally[A_COUNT] = { 0 };
	int read_dis = 0;

	/* The sources: one device of each type, and the hand-made ones. */
	for (int i = 0; i < ntypes; i++) {
		create(&types[i], uuid);
		snprintf(dpath, sizeof(dpath),
			 FZ_MDEV_DEVS "/%s/migration_version", uuid);
		if (!read_version(dpath, dver, sizeof(dver)))
			add_variants(dver);
		destroy(uuid);
	}
	if (file)
		read_file(file);

	for (int i = 0; i < ntypes; i++) {
		const struct tnode *t = &types[i];
		int te, de;

		create(t, uuid);
		snprintf(tpath, sizeof(tpath), "%s/migration_version", t->dir);
		snprintf(dpath, sizeof(dpath),
			 FZ_MDEV_DEVS "/%s/migration_version", uuid);
		te = read_version(tpath, tver, sizeof(tver));
		de = read_version(dpath, dver, sizeof(dver));
		if (te != de || strcmp(tver, dver)) {
			if (read_dis++ < SHOW)
				printf("# read differs %s/%s: type \"%s\" (%s), device \"%s\" (%s)\n",
				       t->parent, t->name, tver, errname0(te),
				       dver, errname0(de));
		}
		for (int s = 0; s < nsources; s++) {
			te = answer(tpath, sources[s], source_len[s]);
			de = answer(dpath, sources[s], source_len[s]);
			pairs++;
			tally[answer_class(de)]++;
			if (te == de)
				continue;
			if (dis++ < SHOW)
				printf("# disagree %s/%s \"%.*s\": type %s, device %s\n",
				       t->parent, t->name, (int)source_len[s],
				       sources[s], errname0(te), errname0(de));
		}
		destroy(uuid);
	}

	printf("types=%d sources=%d pairs=%ld disagreements=%ld read_disagreements=%d\n",
	       ntypes, nsources, pairs, dis, read_dis);
	printf("answers OK=%ld EINVAL=%ld EXDEV=%ld ERANGE=%ld EPROTO=%ld ENOEXEC=%ld EOPNOTSUPP=%ld ENODEV=%ld other=%ld\n",
	       tally[A_OK], tally[A_EINVAL], tally[A_EXDEV], tally[A_ERANGE],
	       tally[A_EPROTO], tally[A_ENOEXEC], tally[A_EOPNOTSUPP],
	       tally[A_ENODEV], tally[A_OTHER]);
	check(read_dis == 0,
	      "every type's migration_version reads as a new device of it does (%d types, %d differ)",
	      ntypes, read_dis);
	check(pairs == (long)ntypes * nsources && dis == 0,
	      "%ld pairs of type and source: the type answers as a new device of it (%ld disagree)",
	      pairs, dis);
	check(tally[A_OTHER] == 0,
	      "every answer is acceptance or an errno of the contract (%ld others)",
	      tally[A_OTHER]);
	return failures ? 1 : 0;
}

/* "accmdev-zip-r2-4qp" -> 2, 0 if the name has no revision. */
static unsigned int rev_of_name(const char *name)
{
	const char *r = strstr(name, "-r");

	return r ? (unsigned int)strtoul(r + 2, NULL, 10) : 0;
}

/* "accmdev-zip-r2-4qp" -> the length of "accmdev-zip-r2" */
static size_t model_prefix(const char *name)
{
	const char *r = strstr(name, "-r");

	return r ? (size_t)(r - name) + 2 + strspn(r + 2, "0123456789") : 0;
}

/* Is @i's name on another parent too? */
static bool shared_name(int i)
{
	for (int j = 0; j < ntypes; j++)
		if (j != i && !strcmp(types[j].name, types[i].name))
			return true;
	return false;
}

/* Do @a and @b have one model: kind, revision and migratability? */
static bool same_model(const char *a, const char *b)
{
	size_t pa = model_prefix(a), pb = model_prefix(b);

	return pa && pa == pb && !strncmp(a, b, pa) &&
	       (strstr(a, "-nomig") != NULL) == (strstr(b, "-nomig") != NULL);
}

static int cmd_same(void)
{
	char uuid[FZ_UUID_LEN + 1], path[128];
	int names = 0, shared = 0, probed = 0, diffs = 0;

	for (int i = 0; i < ntypes; i++) {
		struct tnode *t = &types[i];
		struct acc_dev d;
		bool first = true;

		for (int j = 0; j < i; j++)
			if (types[j].probed && same_model(types[j].name, t->name))
				first = false;
		if (!first && !shared_name(i))
			continue;
		create(t, uuid);
		snprintf(path, sizeof(path),
			 FZ_MDEV_DEVS "/%s/migration_version", uuid);
		t->ver_err = read_version(path, t->ver, sizeof(t->ver));
		if (acc_open(&d, uuid)) {
			check(0, "open a device of %s/%s: %s", t->parent,
			      t->name, acc_error(&d));
			destroy(uuid);
			continue;
		}
		t->rev = d.rev;
		t->algs = d.algs;
		t->probed = true;
		probed++;
		acc_close(&d);
		destroy(uuid);
	}

	for (int i = 0; i < ntypes; i++) {
		struct tnode *a = &types[i];
		int on = 1, differ = 0, first = 1;

		for (int j = 0; j < i; j++)
			if (!strcmp(types[j].name, a->name))
				first = 0;
		if (!first)
			continue;
		names++;
		if (!a->probed)
			continue;
		for (int j = i + 1; j < ntypes; j++) {
			struct tnode *b = &types[j];

			if (strcmp(b->name, a->name))
				continue;
			on++;
			if (!b->probed || b->ver_err != a->ver_err ||
			    strcmp(b->ver, a->ver) || b->rev != a->rev ||
			    b->algs != a->algs) {
				differ++;
				printf("# %s: %s reads \"%s\" (%s) rev %u algs %#x, %s reads \"%s\" (%s) rev %u algs %#x\n",
				       a->name, a->parent, a->ver,
				       errname0(a->ver_err), a->rev, a->algs,
				       b->parent, b->ver, errname0(b->ver_err),
				       b->rev, b->algs);
			}
		}
		printf("name=%s parents=%d rev=%u algs=%#x\n", a->name, on,
		       a->rev, a->algs);
		if (on > 1) {
			shared++;
			check(!differ,
			      "%s on %d parents: the same migration_version, REVISION and ALGS",
			      a->name, on);
		}
		diffs += differ;
		check(a->rev == rev_of_name(a->name),
		      "%s: REVISION register %u is the name's", a->name, a->rev);
	}

	/* One model, one ALGS register, whatever the shape and parent. */
	for (int i = 0; i < ntypes; i++) {
		bool same = true, first = true;
		int n = 0;

		if (!types[i].probed)
			continue;
		for (int j = 0; j < i; j++)
			if (types[j].probed &&
			    same_model(types[j].name, types[i].name))
				first = false;
		if (!first)
			continue;
		for (int j = i; j < ntypes; j++) {
			if (!types[j].probed ||
			    !same_model(types[j].name, types[i].name))
				continue;
			n++;
			if (types[j].algs != types[i].algs)
				same = false;
		}
		if (!same)
			diffs++;
		check(same, "the %.*s%s model: ALGS %#x on all %d devices of it",
		      (int)model_prefix(types[i].name), types[i].name,
		      strstr(types[i].name, "-nomig") ? " (nomig)" : "",
		      types[i].algs, n);
	}
	printf("types=%d names=%d shared_names=%d probed=%d differences=%d\n",
	       ntypes, names, shared, probed, diffs);
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *file = NULL;
	int opt;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		usage();
	optind = 2;
	while ((opt = getopt(argc, argv, "x:")) != -1) {
		if (opt != 'x')
			usage();
		file = optarg;
	}
	if (optind != argc)
		usage();
	discover();
	if (!strcmp(argv[1], "agree"))
		return cmd_agree(file);
	if (!strcmp(argv[1], "same") && !file)
		return cmd_same();
	usage();
}
