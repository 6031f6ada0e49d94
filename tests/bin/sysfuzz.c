// SPDX-License-Identifier: GPL-2.0-only
/*
 * sysfuzz: random and structured garbage to every writable sysfs file
 * accmdev adds, each write's outcome checked against an offline
 * reference, and every read checked to stay what it was.
 *
 *   sysfuzz [-s SEED] [-n WRITES] [-o UUID]
 *
 * Files, by class (WRITES writes per class, default 10000, spread
 * round-robin over the files of the class):
 *
 *   type-migver   <type>/migration_version of every type of every parent
 *   dev-migver    migration_version of every existing accmdev device
 *   type-vs-dev   the same input to a device's migration_version and to
 *                 its type's: both answers must be the same (a type
 *                 node accepts what a new device of the type accepts)
 *   create        <type>/create of every type
 *
 * The reference for migration_version is tests/ref/migref.c, a second
 * implementation of the grammar and the compatibility rules written from
 * the documentation alone, sharing no code with the module's checker. It
 * is fed with what sysfs shows of the node (kind, migratable, and the
 * type's description: queue pairs, model revision and algorithms; a
 * device is its type's model, since none of the devices here was ever
 * the destination of a migration) and with what sysfs hands a store (at
 * most a page), and also says what a read must give. -o UUID holds one
 * device open through VFIO: an open device answers like a closed one.
 * create is judged as the mdev core does it: 36 or 37 bytes whose first
 * 36 are a UUID create a device, anything else is EINVAL. The generator
 * never produces a UUID create except in one small class ("uuid+junk"),
 * which shows that the 37th byte is not looked at; those devices are
 * checked and removed.
 *
 * Every 500 writes and at the end, every file the module shows is read
 * back and compared with what it should say: migration_version of each
 * type and device (the reference's format of the node, or ENODEV),
 * available_instances, qp_free and the number of devices.
 *
 * Prints "seed=N", one line per class and a total line:
 *   writes=N refused=N accepted_ok=N empty=N mismatches=N reads=N
 *   unstable=N created=N stray_devices=N
 * and the first mismatches of each class as "# mismatch ..." lines with
 * the input in hex. Exits 0 only if nothing mismatched, 1 otherwise, 2 on usage
 * errors or when the module's files cannot be found.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "fuzzlib.h"
#include "migref.h"

#define PAGE		4096
#define MAX_PARENTS	16
#define MAX_TYPES	(MAX_PARENTS * 10)
#define MAX_DEVS	64
#define INPUT_MAX	(PAGE + 1024)
#define MAX_SOURCES	512
#define CHECK_EVERY	500
#define SHOW_MISMATCHES	20

enum fclass { C_TYPE_MV, C_DEV_MV, C_PAIR, C_CREATE, C_COUNT };

static const char *const class_names[C_COUNT] = {
	"type-migver", "dev-migver", "type-vs-dev", "create",
};

struct parent {
	char name[32];
	char kind[16];
	bool migratable;
	long qp_free;
};

/* A type: its description's shape and model. */
struct type {
	struct parent *p;
	unsigned int qps;
	unsigned int rev;
	unsigned int algs;	/* bit set of enum migref_alg */
	char dir[256];
	char real[PATH_MAX];	/* dir without symbolic links */
	long avail;
};

/* A device: its type's model. */
struct device {
	char uuid[FZ_UUID_LEN + 1];
	char dir[256];
	struct type *t;
	bool open;
};

struct stats {
	long files, writes, refused, accepted, empty, mismatches;
};

static struct parent parents[MAX_PARENTS];
static struct type types[MAX_TYPES];
static struct device devs[MAX_DEVS];
static int nparents, ntypes, ndevs, ndevs0;
static struct stats st[C_COUNT];
static long reads, unstable, created, stray;
static int shown;

/* Source strings that structured inputs start from. */
static char *sources[MAX_SOURCES];
static int nsources;

#define alg_names migref_alg_names

/*
 * An algorithms file ("crc32c,deflate,inflate\n") as a bit set; -1 if it
 * holds anything but distinct known names.
 */
static int algs_from_list(const char *s, size_t n, unsigned int *algs)
{
	unsigned int mask = 0, k;
	size_t i = 0;

	if (n && s[n - 1] == '\n')
		n--;
	if (!n)
		return -1;
	while (i <= n) {
		size_t j = i;

		while (j < n && s[j] != ',')
			j++;
		for (k = 0; k < MIGREF_NR_ALGS; k++)
			if (j - i == strlen(alg_names[k]) &&
			    !memcmp(s + i, alg_names[k], j - i))
				break;
		if (k == MIGREF_NR_ALGS || (mask & (1U << k)))
			return -1;
		mask |= 1U << k;
		i = j + 1;
	}
	*algs = mask;
	return 0;
}

/* A bit set as the module lists it: the fixed order, comma-separated. */
static void algs_to_list(unsigned int algs, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned int k = 0; k < MIGREF_NR_ALGS; k++)
		if (algs & (1U << k))
			n += (size_t)snprintf(buf + n, n < size ? size - n : 0,
					      "%s%s", n ? "," : "",
					      alg_names[k]);
}

/* ---- what the module shows ------------------------------------------- */

static int die2(const char *what)
{
	fprintf(stderr, "sysfuzz: %s\n", what);
	printf("not ok - %s\n", what);
	exit(2);
}

static struct parent *parent_by_name(const char *name)
{
	for (int i = 0; i < nparents; i++)
		if (!strcmp(parents[i].name, name))
			return &parents[i];
	return NULL;
}

static void read_parent(struct parent *p, const char *dir)
{
	char path[PATH_MAX], buf[256];
	long n;

	snprintf(path, sizeof(path), "%s/kind", dir);
	if (fz_read(path, buf, sizeof(buf)) < 0)
		die2("read kind");
	n = (long)strcspn(buf, "\n");
	if (n < 1 || n >= (long)sizeof(p->kind))
		die2("read kind");
	memcpy(p->kind, buf, (size_t)n);
	p->kind[n] = '\0';
	snprintf(path, sizeof(path), "%s/migratable", dir);
	p->migratable = fz_read_num(path) == 1;
	snprintf(path, sizeof(path), "%s/qp_free", dir);
	p->qp_free = fz_read_num(path);
}

/* The value of line "KEY=..." of a description, or NULL. */
static const char *desc_value(const char *desc, const char *key,
			      size_t *len)
{
	size_t k = strlen(key);

	for (const char *l = desc; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : l) {
		if (!strncmp(l, key, k) && l[k] == '=') {
			*len = strcspn(l + k + 1, "\n");
			return l + k + 1;
		}
	}
	return NULL;
}

/* A type's description: qps=, revision=, algorithms= (sysfs-abi). */
static void read_type(struct type *t)
{
	char path[PATH_MAX], buf[512];
	const char *v;
	size_t n;

	snprintf(path, sizeof(path), "%s/description", t->dir);
	if (fz_read(path, buf, sizeof(buf)) < 0)
		die2("read a type's description");
	v = desc_value(buf, "qps", &n);
	t->qps = v ? (unsigned int)strtoul(v, NULL, 10) : 0;
	v = desc_value(buf, "revision", &n);
	t->rev = v ? (unsigned int)strtoul(v, NULL, 10) : 0;
	v = desc_value(buf, "algorithms", &n);
	if (!v || !t->qps || !t->rev || algs_from_list(v, n, &t->algs))
		die2("a type's description lacks qps, revision or algorithms");
}

static struct type *type_by_real(const char *real)
{
	for (int i = 0; i < ntypes; i++)
		if (!strcmp(types[i].real, real))
			return &types[i];
	return NULL;
}

static void discover(void)
{
	glob_t g;
	char path[PATH_MAX], link[PATH_MAX];

	if (glob(FZ_ACC_CLASS "/accmdev*", 0, NULL, &g))
		die2("no accmdev parents in " FZ_ACC_CLASS);
	for (size_t i = 0; i < g.gl_pathc && nparents < MAX_PARENTS; i++) {
		struct parent *p = &parents[nparents++];

		snprintf(p->name, sizeof(p->name), "%s",
			 strrchr(g.gl_pathv[i], '/') + 1);
		read_parent(p, g.gl_pathv[i]);
	}
	globfree(&g);

	if (glob(FZ_ACC_CLASS "/accmdev*/mdev_supported_types/*", 0, NULL, &g))
		die2("no types");
	for (size_t i = 0; i < g.gl_pathc && ntypes < MAX_TYPES; i++) {
		struct type *t = &types[ntypes++];
		char pname[32];

		snprintf(t->dir, sizeof(t->dir), "%s", g.gl_pathv[i]);
		sscanf(t->dir, FZ_ACC_CLASS "/%31[^/]", pname);
		t->p = parent_by_name(pname);
		if (!t->p || !realpath(t->dir, t->real))
			die2("bad type directory");
		read_type(t);
		snprintf(path, sizeof(path), "%s/available_instances", t->dir);
		t->avail = fz_read_num(path);
		if (!t->p || !t->qps || t->avail < 0)
			die2("bad type directory");
	}
	globfree(&g);

	if (glob(FZ_MDEV_DEVS "/*", 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc && ndevs < MAX_DEVS; i++) {
			struct device *d = &devs[ndevs];

			/* .../accmdevN/mdev_supported_types/accmdev-... */
			snprintf(path, sizeof(path), "%s/mdev_type",
				 g.gl_pathv[i]);
			if (!realpath(path, link))
				continue;
			d->t = type_by_real(link);
			if (!d->t)
				continue;	/* another driver's device */
			snprintf(d->dir, sizeof(d->dir), "%s", g.gl_pathv[i]);
			snprintf(d->uuid, sizeof(d->uuid), "%s",
				 strrchr(g.gl_pathv[i], '/') + 1);
			ndevs++;
		}
		globfree(&g);
	}
	ndevs0 = fz_count_devices();
}

/* ---- the references ---------------------------------------------------- */

/* The reference's view of a type node or a device node. */
static struct migref_dst node_of(const struct parent *p, bool device,
				 unsigned int qps, unsigned int rev,
				 unsigned int algs)
{
	struct migref_dst d = {
		.node = device ? MIGREF_DEVICE : MIGREF_TYPE,
		.migratable = p->migratable, .kind = p->kind,
		.rev = rev, .qps = qps, .algs = algs,
	};

	return d;
}

/* What a node's migration_version reads: the line, or -ENODEV. */
static int expect_version(const struct parent *p, unsigned int qps,
			  unsigned int rev, unsigned int algs, char *buf,
			  size_t size)
{
	struct migref_dst d = node_of(p, false, qps, rev, algs);
	int n = migref_format(&d, buf, size - 1);

	if (n < 0)
		return n;
	buf[n++] = '\n';
	buf[n] = '\0';
	return n;
}

/* The store of migration_version: a positive errno, or 0. */
static int ref_migver(const struct migref_dst *dst, const char *s, size_t n)
{
	return -migref_store(dst, s, n, NULL);
}

static bool is_xdigit(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

/* Would the mdev core's create_store() take this as a UUID? */
static bool ref_create_ok(const char *s, size_t n)
{
	if (n != FZ_UUID_LEN && n != FZ_UUID_LEN + 1)
		return false;
	for (int i = 0; i < FZ_UUID_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!is_xdigit(s[i])) {
			return false;
		}
	}
	return true;
}

/* ---- inputs ------------------------------------------------------------ */

static const char *const tokens[] = {
	"accmdev/", "accmdev/1.0", "accmdev/1.1", "accmdev/2.0", "accmdev/0.0",
	";", "=", ",", ".", "/", "-", "\n", "\r\n", "\n\n", " ", "\t",
	"kind=", "rev=", "qps=", "algs=", "x-", "x-a=b", "x-foo=1.2,3",
	"zip", "sec", "foo", "ZIP", "crc32c", "adler32", "deflate", "inflate",
	"sha256", "sha224", "lz4", "0", "00", "01", "1", "2", "3", "4", "16",
	"+1", "-1", "255", "256", "65535", "65536", "4294967296",
	"99999999999999999999", "kind=zip", "kind=sec", "rev=1", "rev=2",
	"qps=1", "qps=4", "algs=crc32c", "algs=sha256,sha224",
};

#define NTOKENS (sizeof(tokens) / sizeof(tokens[0]))

static const char *const numbers[] = {
	"0", "00", "01", "1", "2", "3", "4", "16", "+1", "-1", "255", "256",
	"65535", "65536", "4294967296", "99999999999999999999", "1.0", "",
};

#define NNUMBERS (sizeof(numbers) / sizeof(numbers[0]))

static const uint8_t special[] = {
	';', '=', ',', '\n', '\r', '\0', ' ', '/', '.', '-', 'x', '0', '9',
	'A', 'z', 0x7f, 0x80, 0xff, 0x01, 0x1f,
};

static void add_source(const char *s)
{
	if (nsources < MAX_SOURCES)
		sources[nsources++] = strdup(s);
}

/* Versions read from the nodes and versions of sources one may meet. */
static void build_sources(void)
{
	static const unsigned int qps[] = { 1, 2, 4, 8, 16, 3, 65535 };
	char buf[512];

	for (int i = 0; i < ntypes; i++)
		if (expect_version(types[i].p, types[i].qps, types[i].rev,
				   types[i].algs, buf, sizeof(buf)) > 0)
			add_source(buf);
	static const char *const kinds[] = { "zip", "sec" };

	for (size_t ki = 0; ki < 2; ki++) {
		const char *kind = kinds[ki];

		for (unsigned int rev = 1; rev <= 3; rev++) {
			unsigned int native = migref_native(kind, rev);
			unsigned int all = native ? native : 1;

			for (size_t q = 0; q < sizeof(qps) / sizeof(qps[0]); q++) {
				/* the native set, one algorithm, the rev-2 set */
				unsigned int sets[3] = {
					all, all & -all,
					migref_native(kind, 2) |
					migref_native(kind, 1) };

				for (int k = 0; k < 3; k++) {
					char algs[128];

					if (!sets[k])
						continue;
					algs_to_list(sets[k], algs,
						     sizeof(algs));
					snprintf(buf, sizeof(buf),
						 "accmdev/1.0;kind=%s;rev=%u;qps=%u;algs=%s",
						 kind, rev,
						 qps[q], algs);
					add_source(buf);
				}
			}
		}
	}
	add_source("accmdev/1.0;algs=crc32c;qps=4;rev=1;kind=zip");
	add_source("accmdev/1.0;kind=zip;rev=1;qps=4;algs=crc32c;x-build=7.2_a");
	add_source("accmdev/1.1;kind=zip;rev=1;qps=4;algs=crc32c");
	add_source("accmdev/2.0;anything=goes");
	add_source("accmdev/1.0;kind=abc;rev=1;qps=4;algs=crc32c");
	add_source("accmdev/1.0;kind=zip;rev=1;qps=4;algs=crc32c,lz4");
	add_source("accmdev/1.0;kind=sec;rev=1;qps=1;algs=sha224");
}

/* Replace, insert or delete at random; @len stays within INPUT_MAX. */
static size_t mutate(struct fz_rng *r, char *b, size_t len)
{
	size_t pos = fz_below(r, len + 1), n;
	const char *tok;

	switch (fz_below(r, 12)) {
	case 0:		/* flip a bit */
		if (len)
			b[fz_below(r, len)] ^= (char)(1u << fz_below(r, 8));
		break;
	case 1:		/* a random byte */
		if (len)
			b[fz_below(r, len)] = (char)fz_next(r);
		break;
	case 2:		/* a byte the grammar cares about */
		if (len)
			b[fz_below(r, len)] = (char)special[fz_below(r, sizeof(special))];
		break;
	case 3:		/* delete a range */
		n = fz_below(r, len - pos + 1);
		memmove(b + pos, b + pos + n, len - pos - n);
		len -= n;
		break;
	case 4:		/* insert a token */
	case 5:
		tok = tokens[fz_below(r, NTOKENS)];
		n = strlen(tok);
		if (len + n < INPUT_MAX) {
			memmove(b + pos + n, b + pos, len - pos);
			memcpy(b + pos, tok, n);
			len += n;
		}
		break;
	case 6:		/* duplicate a range */
		n = fz_below(r, len - pos + 1);
		if (len + n < INPUT_MAX) {
			memmove(b + pos + n, b + pos, len - pos);
			len += n;
		}
		break;
	case 7:		/* truncate */
		len = pos;
		break;
	case 8:		/* line ends */
		tok = fz_pct(r, 50) ? "\n" : fz_pct(r, 50) ? "\n\n" : "\r\n";
		n = strlen(tok);
		if (len + n < INPUT_MAX) {
			memcpy(b + len, tok, n);
			len += n;
		}
		break;
	case 9: {	/* swap the fields around one ';' */
		char *semi = len ? memchr(b + pos % len, ';', len - pos % len) : NULL;
		char tmp[INPUT_MAX];
		size_t head;

		if (!semi)
			break;
		head = (size_t)(semi - b);
		memcpy(tmp, b + head + 1, len - head - 1);
		tmp[len - head - 1] = ';';
		memcpy(tmp + len - head, b, head);
		memcpy(b, tmp, len);
		break;
	}
	case 10:	/* a number in place of a digit run */
		for (size_t i = pos; i < len; i++) {
			if (b[i] >= '0' && b[i] <= '9') {
				size_t j = i;

				while (j < len && b[j] >= '0' && b[j] <= '9')
					j++;
				tok = numbers[fz_below(r, NNUMBERS)];
				n = strlen(tok);
				if (len - (j - i) + n < INPUT_MAX) {
					memmove(b + i + n, b + j, len - j);
					memcpy(b + i, tok, n);
					len = len - (j - i) + n;
				}
				break;
			}
		}
		break;
	default:	/* upper case a range */
		n = fz_below(r, len - pos + 1);
		for (size_t i = pos; i < pos + n; i++)
			if (b[i] >= 'a' && b[i] <= 'z')
				b[i] -= 32;
		break;
	}
	return len;
}

/* Pad a source with an x- field up to @want bytes (newline included). */
static size_t pad_to(char *b, const char *src, size_t want)
{
	size_t len = strlen(src);

	memcpy(b, src, len);
	if (want > len + 8 && want < INPUT_MAX) {
		memcpy(b + len, ";x-pad=", 7);
		memset(b + len + 7, 'P', want - len - 8);
		len = want - 1;
		b[len++] = '\n';
	}
	return len;
}

/* An input for a migration_version file. */
static size_t gen_version(struct fz_rng *r, char *b)
{
	const char *src = sources[fz_below(r, nsources)];
	size_t len, k = fz_below(r, 100);

	if (k < 8) {			/* random bytes */
		len = fz_below(r, 200);
		fz_bytes(r, b, len);
		return len;
	}
	if (k < 14) {			/* random printable text */
		len = fz_below(r, 120);
		for (size_t i = 0; i < len; i++)
			b[i] = (char)(0x20 + fz_below(r, 0x5f));
		return len;
	}
	if (k < 18) {			/* around the page size */
		static const size_t sizes[] = { 4094, 4095, 4096, 4097, 4200 };

		len = pad_to(b, src, sizes[fz_below(r, 5)]);
		if (fz_pct(r, 30))
			len = mutate(r, b, len);
		return len;
	}
	len = strlen(src);
	memcpy(b, src, len);
	if (fz_pct(r, 50))
		b[len++] = '\n';
	if (k < 30)			/* a real source, unchanged */
		return len;
	for (int m = 1 + (int)fz_below(r, 4); m > 0; m--)
		len = mutate(r, b, len);
	return len;
}

/* Anything but a string the mdev core would take as a UUID. */
static size_t gen_create(struct fz_rng *r, char *b)
{
	static const size_t lens[] = { 0, 1, 35, 36, 36, 37, 37, 38, 40, 72 };
	char uuid[FZ_UUID_LEN + 1];
	size_t len, k;

	do {
		k = fz_below(r, 100);
		if (k < 30) {
			len = fz_pct(r, 80) ? lens[fz_below(r, 10)] :
					      fz_below(r, 4200);
			fz_bytes(r, b, len);
		} else {
			fz_uuid(r, uuid);
			memcpy(b, uuid, FZ_UUID_LEN);
			len = FZ_UUID_LEN;
			if (fz_pct(r, 50))
				b[len++] = fz_pct(r, 50) ? '\n' : (char)fz_next(r);
			switch (fz_below(r, 6)) {
			case 0:		/* one character off */
				b[fz_below(r, FZ_UUID_LEN)] = (char)special[fz_below(r, sizeof(special))];
				break;
			case 1:		/* shorter */
				len = fz_below(r, FZ_UUID_LEN);
				break;
			case 2:		/* longer */
				b[len++] = '\n';
				b[len++] = (char)fz_next(r);
				break;
			case 3:		/* braces, as some tools print it */
				memmove(b + 1, b, FZ_UUID_LEN);
				b[0] = '{';
				b[FZ_UUID_LEN + 1] = '}';
				len = FZ_UUID_LEN + 2;
				break;
			default:
				len = mutate(r, b, len);
				break;
			}
		}
	} while (ref_create_ok(b, len));
	return len;
}

/* ---- checking ---------------------------------------------------------- */

static void mismatch(enum fclass c, const char *file, const char *buf,
		     size_t len, long got, int want)
{
	if (st[c].mismatches++ >= SHOW_MISMATCHES)
		return;
	printf("# mismatch %s %s: wrote ", class_names[c], file);
	fz_hex(stdout, buf, len, 96);
	printf(" (%zu bytes): got %s, want %s\n", len,
	       got < 0 ? fz_errname((int)-got) : "OK", fz_errname(want));
}

/* Did the write give what the reference says? Counts it either way. */
static bool judge(enum fclass c, const char *file, const char *buf,
		  size_t len, long got, int want)
{
	size_t n = len < PAGE ? len : PAGE;

	st[c].writes++;
	if (!len) {			/* sysfs does not call the store */
		st[c].empty++;
		if (got != 0)
			mismatch(c, file, buf, len, got, 0);
		return got == 0;
	}
	if (want)
		st[c].refused++;
	else
		st[c].accepted++;
	if ((want && got != -want) || (!want && got != (long)n)) {
		mismatch(c, file, buf, len, got, want);
		return false;
	}
	return true;
}

static void read_same(const char *path, const char *want, int want_err)
{
	char buf[PAGE + 1];
	long n = fz_read(path, buf, sizeof(buf));

	reads++;
	if (want_err ? n == -want_err : (n >= 0 && !strcmp(buf, want)))
		return;
	unstable++;
	if (shown++ < SHOW_MISMATCHES)
		printf("# unstable read %s: got \"%.*s\" (%s), want \"%s\" (%s)\n",
		       path, n > 0 ? (int)strcspn(buf, "\n") : 0, buf,
		       n < 0 ? fz_errname((int)-n) : "OK",
		       want ? want : "", fz_errname(want_err));
}

static void read_num_same(const char *path, long want)
{
	char w[32];

	snprintf(w, sizeof(w), "%ld\n", want);
	read_same(path, w, 0);
}

/* Everything the module shows reads as expected. */
static void check_reads(void)
{
	char path[PATH_MAX], want[512];
	int n;

	for (int i = 0; i < nparents; i++) {
		snprintf(path, sizeof(path), FZ_ACC_CLASS "/%s/qp_free",
			 parents[i].name);
		read_num_same(path, parents[i].qp_free);
	}
	for (int i = 0; i < ntypes; i++) {
		struct type *t = &types[i];

		n = expect_version(t->p, t->qps, t->rev, t->algs, want,
				   sizeof(want));
		snprintf(path, sizeof(path), "%s/migration_version", t->dir);
		read_same(path, want, n < 0 ? -n : 0);
		snprintf(path, sizeof(path), "%s/available_instances", t->dir);
		read_num_same(path, t->avail);
	}
	for (int i = 0; i < ndevs; i++) {
		struct device *d = &devs[i];

		n = expect_version(d->t->p, d->t->qps, d->t->rev, d->t->algs,
				   want, sizeof(want));
		snprintf(path, sizeof(path), "%s/migration_version", d->dir);
		read_same(path, want, n < 0 ? -n : 0);
	}
	n = fz_count_devices();
	reads++;
	if (n != ndevs0) {
		unstable++;
		stray += n - ndevs0;
		if (shown++ < SHOW_MISMATCHES)
			printf("# %d devices, want %d\n", n, ndevs0);
	}
}

/* ---- the writes ------------------------------------------------------- */

static void fuzz_one(struct fz_rng *r, enum fclass c, long i)
{
	static char buf[INPUT_MAX + 8];
	char path[PATH_MAX];
	size_t len = 0;
	long got;
	int want = 0;

	switch (c) {
	case C_TYPE_MV: {
		struct type *t = &types[i % ntypes];
		struct migref_dst dst = node_of(t->p, false, t->qps, t->rev,
						t->algs);

		len = gen_version(r, buf);
		want = ref_migver(&dst, buf, len < PAGE ? len : PAGE);
		snprintf(path, sizeof(path), "%s/migration_version", t->dir);
		break;
	}
	case C_DEV_MV: {
		struct device *d = &devs[i % ndevs];
		struct type *t = d->t;
		struct migref_dst dst = node_of(t->p, true, t->qps, t->rev,
						t->algs);

		len = gen_version(r, buf);
		want = ref_migver(&dst, buf, len < PAGE ? len : PAGE);
		snprintf(path, sizeof(path), "%s/migration_version", d->dir);
		break;
	}
	case C_PAIR: {
		/*
		 * The same input to a device and to its type: the two answers
		 * must be the same. Judged against the device's answer, so
		 * that this class shows the contract itself, whatever the
		 * reference says (the two classes above judge that).
		 */
		struct device *d = &devs[i % ndevs];
		long dev_got;

		len = gen_version(r, buf);
		snprintf(path, sizeof(path), "%s/migration_version", d->dir);
		dev_got = fz_write(path, buf, len);
		snprintf(path, sizeof(path), "%s/migration_version",
			 d->t->dir);
		got = fz_write(path, buf, len);
		if (dev_got < 0 && dev_got != -EINVAL && dev_got != -EXDEV &&
		    dev_got != -ERANGE && dev_got != -EPROTO &&
		    dev_got != -ENOEXEC && dev_got != -EOPNOTSUPP &&
		    dev_got != -ENODEV)
			want = EIO;	/* not an answer of the contract */
		else
			want = dev_got < 0 ? (int)-dev_got : 0;
		judge(c, path, buf, len, got, want);
		return;
	}
	default: {
		struct type *t = &types[i % ntypes];

		len = gen_create(r, buf);
		want = EINVAL;
		snprintf(path, sizeof(path), "%s/create", t->dir);
		break;
	}
	}
	got = fz_write(path, buf, len);
	judge(c, path, buf, len, got, want);
}

/* A UUID plus one byte that is not a newline creates a device anyway. */
static void uuid_junk(struct fz_rng *r, int count)
{
	char buf[FZ_UUID_LEN + 2], path[PATH_MAX];
	struct type *t = NULL;

	for (int i = 0; i < ntypes; i++)
		if (types[i].avail > 0 && (!t || types[i].qps < t->qps))
			t = &types[i];
	if (!t)
		return;
	for (int i = 0; i < count; i++) {
		long got;

		fz_uuid(r, buf);
		buf[FZ_UUID_LEN] = (char)(i == 0 ? '\0' : 'x' + i % 3);
		snprintf(path, sizeof(path), "%s/create", t->dir);
		got = fz_write(path, buf, FZ_UUID_LEN + 1);
		judge(C_CREATE, path, buf, FZ_UUID_LEN + 1, got, 0);
		buf[FZ_UUID_LEN] = '\0';
		snprintf(path, sizeof(path), FZ_MDEV_DEVS "/%s/remove", buf);
		if (got > 0) {
			created++;
			if (fz_write_str(path, "1") != 1)
				mismatch(C_CREATE, path, "1", 1, -EIO, 0);
		}
	}
}

/* ---- holding a device open (VFIO group API) --------------------------- */

static int open_device(const char *uuid)
{
	struct vfio_group_status gs = { .argsz = sizeof(gs) };
	char path[PATH_MAX], link[PATH_MAX];
	int container, group, fd;
	ssize_t n;

	snprintf(path, sizeof(path), FZ_MDEV_DEVS "/%s/iommu_group", uuid);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -1;
	link[n] = '\0';
	container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	snprintf(path, sizeof(path), "/dev/vfio/%s", strrchr(link, '/') + 1);
	group = open(path, O_RDWR | O_CLOEXEC);
	if (container < 0 || group < 0 ||
	    ioctl(group, VFIO_GROUP_GET_STATUS, &gs) ||
	    ioctl(group, VFIO_GROUP_SET_CONTAINER, &container) ||
	    ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		return -1;
	fd = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, uuid);
	return fd;
}

int main(int argc, char **argv)
{
	uint64_t seed = fz_time_seed();
	long per_class = 10000;
	const char *hold = NULL;
	struct fz_rng r;
	long total[6] = { 0 };
	int opt;

	while ((opt = getopt(argc, argv, "s:n:o:")) != -1) {
		switch (opt) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			per_class = strtol(optarg, NULL, 0);
			break;
		case 'o':
			hold = optarg;
			break;
		default:
			fprintf(stderr, "usage: sysfuzz [-s SEED] [-n WRITES] [-o UUID]\n");
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("seed=%llu\n", (unsigned long long)seed);
	r.s = seed;

	discover();
	if (!ndevs)
		die2("no accmdev device to fuzz: create some first");
	if (hold) {
		for (int i = 0; i < ndevs; i++)
			if (!strcmp(devs[i].uuid, hold))
				devs[i].open = true;
		if (open_device(hold) < 0)
			die2("cannot open the -o device through VFIO");
	}
	build_sources();
	st[C_TYPE_MV].files = ntypes;
	st[C_DEV_MV].files = ndevs;
	st[C_PAIR].files = ndevs;
	st[C_CREATE].files = ntypes;
	check_reads();

	uuid_junk(&r, 3);
	for (long i = 0; i < per_class; i++) {
		for (int c = 0; c < C_COUNT; c++)
			fuzz_one(&r, (enum fclass)c, i);
		if (i % CHECK_EVERY == CHECK_EVERY - 1)
			check_reads();
	}
	check_reads();

	for (int c = 0; c < C_COUNT; c++) {
		printf("class=%s files=%ld writes=%ld refused=%ld accepted_ok=%ld empty=%ld mismatches=%ld\n",
		       class_names[c], st[c].files, st[c].writes, st[c].refused,
		       st[c].accepted, st[c].empty, st[c].mismatches);
		total[0] += st[c].writes;
		total[1] += st[c].refused;
		total[2] += st[c].accepted;
		total[3] += st[c].empty;
		total[4] += st[c].mismatches;
	}
	printf("writes=%ld refused=%ld accepted_ok=%ld empty=%ld mismatches=%ld reads=%ld unstable=%ld created=%ld stray_devices=%ld\n",
	       total[0], total[1], total[2], total[3], total[4], reads,
	       unstable, created, stray);
	return total[4] || unstable ? 1 : 0;
}
