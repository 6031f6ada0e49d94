// SPDX-License-Identifier: GPL-2.0-only
/*
 * faultinj: make each allocation accmdev performs in one operation fail
 * in turn, and check that every case ends cleanly.
 *
 *   faultinj [OPTS] load KO [PARAMS]    module load: init, parent setup
 *   faultinj [OPTS] create PARENT TYPE     device create (probe)
 *   faultinj [OPTS] open PARENT TYPE       device open
 *   faultinj [OPTS] qp PARENT TYPE         queue-pair setup
 *   faultinj [OPTS] save PARENT TYPE       migration save (pre-copy, stop-copy)
 *   faultinj [OPTS] resume PARENT TYPE     migration resume (RESUMING, stream, RUNNING)
 *
 *   -m MAX     give up after MAX injection points (5000)
 *   -r SYMBOL  inject only under accmdev's function SYMBOL (e.g. the
 *              parent setup, accmdev_parent_create), not all its code
 *   -x SYMBOL  never inject under the kernel function SYMBOL (a core
 *              error path known to be broken, so that its splat does not
 *              hide accmdev's); -x FIRST..LAST: under any function
 *              from FIRST's start to LAST's end (failslab has one reject
 *              range, so two broken paths in one file take one range)
 *   -0         dry run, for kernels without fault injection: the
 *              operation once without injection, then the work and the
 *              checks an absorbed failure gets (tests this helper)
 *
 * How: failslab and fail_page_alloc get a stack-trace filter, require-start
 * and require-end, around accmdev's code (its .text from
 * /sys/module/accmdev/sections and its size; for a load, .init.text too),
 * and probability 0, so no other task ever sees a failure. Then, for
 * n = 1, 2, ..., this thread writes n to /proc/thread-self/fail-nth and
 * runs the operation: the n-th allocation made with accmdev on the stack
 * fails, in this thread only. The loop ends at the first n the operation
 * does not reach (fail-nth is still non-zero after it): n - 1 injection
 * points. Allocations made by the kernel on accmdev's behalf (the driver
 * core, vfio, mdev, sysfs called from accmdev) are points too; what the
 * core does before calling accmdev is not.
 *
 * Each case must end in a clean error, or succeed if accmdev absorbed the
 * failure. An absorbed failure must have left something that works: the
 * helper then uses what the operation produced for real work (the
 * loaded module: every type has its migration_version, and a new device
 * computes; the created or opened device, the set-up QP, the device
 * after a resume: they compute; the saved stream: it loads into the
 * device, which then computes). "Computes" means a checksum the model
 * has checked against an independent answer (CRC32C or adler32 against
 * the bitwise references, SHA-256 of "abc" against FIPS 180-2), and on a
 * device with deflate, a deflate of compressible text and an inflate
 * that gives the input back, so that an engine workspace lost to the
 * failed allocation is found. Then, for
 * every case, the helper undoes the operation without injection and
 * checks that everything is as before (no module, no device, the QP
 * pool whole, the device not open, the device RUNNING) and that the same
 * operation works again. A failed migration arc may leave the device in
 * an intermediate state of the arc, as the VFIO uAPI allows; then the
 * helper returns it to RUNNING, as a VMM would, and counts it. Leaks and splats are for kmemleak and the kernel
 * log (the bats suite checks them).
 *
 * Prints one summary line, "OP: N injection points: F failed cleanly, A
 * absorbed, U unclean (ERRNO xN ...), W worked after absorbing in S s",
 * after any "not ok - " lines (one per unclean case). An operation that
 * reaches no injection point at all is a failure too (the filter or the
 * operation is wrong, and nothing was tested). Exit status: 0 if every
 * case was clean and there was at least one point, 1 if not, 2 on usage
 * errors, 77 if the kernel has no fault injection or (save, resume) the
 * device cannot migrate.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "accmig.h"
#include "accref.h"
#include "accvfio.h"

#define DBG		"/sys/kernel/debug/"
#define FAIL_NTH	"/proc/thread-self/fail-nth"
#define ACC_CLASS	"/sys/class/accmdev"
#define MDEV_DEVICES	"/sys/bus/mdev/devices"
#define EXIT_SKIP	77

/* ---- small file helpers ------------------------------------------------ */

static int write_str(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int err;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	err = n < 0 ? -errno : 0;
	close(fd);
	return err;
}

static int read_str(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int read_ulong(const char *path, unsigned long *val)
{
	char buf[64], *end;
	int ret = read_str(path, buf, sizeof(buf));

	if (ret)
		return ret;
	errno = 0;
	*val = strtoul(buf, &end, 0);
	return errno || end == buf ? -EINVAL : 0;
}

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static const char *ename(int err)
{
	const char *n = strerrorname_np(err);

	return n ? n : "E?";
}

static int bad;

__attribute__((format(printf, 1, 2)))
static void not_ok(const char *fmt, ...)
{
	va_list ap;

	printf("not ok - ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	bad = 1;
}

/* ---- fault injection setup --------------------------------------------- */

struct knob {
	const char *path;
	const char *value;	/* NULL: a range, set by set_filter() */
	char saved[64];
	bool have;
};

static struct knob knobs[] = {
	{ .path = DBG "failslab/probability", .value = "0" },
	{ .path = DBG "failslab/ignore-gfp-wait", .value = "N" },
	{ .path = DBG "failslab/verbose", .value = "1" },
	{ .path = DBG "failslab/require-start", .value = NULL },
	{ .path = DBG "failslab/require-end", .value = NULL },
	{ .path = DBG "failslab/reject-start", .value = NULL },
	{ .path = DBG "failslab/reject-end", .value = NULL },
	{ .path = DBG "fail_page_alloc/probability", .value = "0" },
	{ .path = DBG "fail_page_alloc/ignore-gfp-wait", .value = "N" },
	{ .path = DBG "fail_page_alloc/ignore-gfp-highmem", .value = "N" },
	{ .path = DBG "fail_page_alloc/min-order", .value = "0" },
	{ .path = DBG "fail_page_alloc/verbose", .value = "1" },
	{ .path = DBG "fail_page_alloc/require-start", .value = NULL },
	{ .path = DBG "fail_page_alloc/require-end", .value = NULL },
	{ .path = DBG "fail_page_alloc/reject-start", .value = NULL },
	{ .path = DBG "fail_page_alloc/reject-end", .value = NULL },
};

#define NKNOBS (sizeof(knobs) / sizeof(knobs[0]))

static void knobs_restore(void)
{
	for (size_t i = 0; i < NKNOBS; i++)
		if (knobs[i].have)
			write_str(knobs[i].path, knobs[i].saved);
}

static int knobs_setup(void)
{
	size_t i;
	int ret;

	if (!exists(FAIL_NTH) || !exists(DBG "failslab/require-start") ||
	    !exists(DBG "fail_page_alloc/require-start")) {
		printf("skip: no fault injection in this kernel (%s, failslab "
		       "and fail_page_alloc with a stack-trace filter)\n",
		       FAIL_NTH);
		return EXIT_SKIP;
	}
	for (i = 0; i < NKNOBS; i++) {
		ret = read_str(knobs[i].path, knobs[i].saved,
			       sizeof(knobs[i].saved));
		if (ret)
			goto out_fail;
		knobs[i].have = true;
		if (knobs[i].value) {
			ret = write_str(knobs[i].path, knobs[i].value);
			if (ret)
				goto out_fail;
		}
	}
	atexit(knobs_restore);
	return 0;

out_fail:
	fprintf(stderr, "faultinj: %s: %s\n", knobs[i].path, strerror(-ret));
	knobs_restore();
	return 1;
}

struct range {
	unsigned long start, end;
};

/* -0: no fault injection at all. */
static bool dry;

/* Set the "require" (or "reject") range of both failslab and fail_page_alloc. */
static int set_filter(const char *kind, const struct range *r)
{
	char s[32], e[32];
	int ret = 0;

	if (dry)
		return 0;

	snprintf(s, sizeof(s), "0x%lx", r->start);
	snprintf(e, sizeof(e), "0x%lx", r->end);
	for (size_t i = 0; i < NKNOBS && !ret; i++) {
		if (knobs[i].value || !strstr(knobs[i].path, kind))
			continue;
		ret = write_str(knobs[i].path,
				strstr(knobs[i].path, "start") ? s : e);
	}
	return ret;
}

/*
 * The code of function @sym in /proc/kallsyms: from its address to the
 * next symbol's. A module's symbols are there only while it is loaded.
 */
static int symbol_range(const char *sym, struct range *r)
{
	char line[512], name[256];
	unsigned long addr, next = ULONG_MAX;
	FILE *f;
	int pass;

	r->start = 0;
	for (pass = 0; pass < 2; pass++) {
		f = fopen("/proc/kallsyms", "re");
		if (!f)
			return -errno;
		while (fgets(line, sizeof(line), f)) {
			if (sscanf(line, "%lx %*s %255s", &addr, name) != 2)
				continue;
			if (!pass && !r->start && !strcmp(name, sym))
				r->start = addr;
			else if (pass && addr > r->start && addr < next)
				next = addr;
		}
		fclose(f);
		if (!r->start)
			return -ENOENT;
	}
	r->end = next;
	return next == ULONG_MAX ? -ENOENT : 0;
}

/* -r and -x: where injection is restricted to, and what it skips. */
static const char *only_sym, *reject_sym;

/*
 * Narrow @r to -r SYMBOL and set the reject range of -x SYMBOL, once
 * the module is loaded.
 */
static int apply_symbols(struct range *r)
{
	struct range rej = { 0, 0 };
	int ret;

	if (only_sym) {
		ret = symbol_range(only_sym, r);
		if (ret)
			return ret;
	}
	if (reject_sym) {
		const char *dots = strstr(reject_sym, "..");
		char first[256];
		struct range last;

		if (!dots) {
			ret = symbol_range(reject_sym, &rej);
			if (ret)
				return ret;
		} else {
			snprintf(first, sizeof(first), "%.*s",
				 (int)(dots - reject_sym), reject_sym);
			ret = symbol_range(first, &rej);
			if (!ret)
				ret = symbol_range(dots + 2, &last);
			if (ret)
				return ret;
			if (last.start < rej.start)
				rej.start = last.start;
			if (last.end > rej.end)
				rej.end = last.end;
		}
	}
	ret = set_filter("reject", &rej);
	return ret ? ret : set_filter("require", r);
}

/* Where a loaded module's code is: .text plus its size, and (with_init)
 * .init.text plus its size (still listed after init).
 */
static int module_range(const char *mod, bool with_init, struct range *r)
{
	unsigned long text, core, init, initsize;
	char path[PATH_MAX];
	int ret;

	snprintf(path, sizeof(path), "/sys/module/%s/sections/.text", mod);
	ret = read_ulong(path, &text);
	snprintf(path, sizeof(path), "/sys/module/%s/coresize", mod);
	if (!ret)
		ret = read_ulong(path, &core);
	if (ret || !text)
		return ret ? ret : -ENOENT;
	r->start = text;
	r->end = text + core;
	if (!with_init)
		return 0;
	snprintf(path, sizeof(path), "/sys/module/%s/sections/.init.text", mod);
	ret = read_ulong(path, &init);
	snprintf(path, sizeof(path), "/sys/module/%s/initsize", mod);
	if (!ret)
		ret = read_ulong(path, &initsize);
	if (ret)
		return 0;	/* no init code */
	if (init < r->start)
		r->start = init;
	if (init + initsize > r->end)
		r->end = init + initsize;
	return 0;
}

static int fail_nth_set(unsigned int n)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%u", n);
	return write_str(FAIL_NTH, buf);
}

/* ---- the operations ----------------------------------------------------- */

struct ctx {
	const char *mod;	/* load */
	const char *ko;
	const char *params;
	int ko_fd;
	struct range probe;	/* where injection happens */
	unsigned long text0;	/* load: .text of the probing load */
	const char *parent;	/* the others */
	const char *type;
	char type_dir[256];
	unsigned long avail0;
	char uuid[64];		/* the device under test */
	char uuid2[64];		/* resume: the source */
	struct acc_dev dev, dev2;
	struct acc_qp qp;
	unsigned char *stream;
	size_t stream_len, stream_cap;
	char why[512];		/* what the last failed step said */
};

struct op {
	const char *name;
	int (*prepare)(struct ctx *c);
	int (*run)(struct ctx *c);		/* injected: 0 or -errno */
	int (*undo)(struct ctx *c, int ret);	/* 0: back to the start */
	void (*finish)(struct ctx *c);
};

__attribute__((format(printf, 2, 3)))
static int why(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->why, sizeof(c->why), fmt, ap);
	va_end(ap);
	return -1;
}

static int new_uuid(char *buf, size_t size)
{
	return read_str("/proc/sys/kernel/random/uuid", buf, size);
}

/* ---- real work on what an operation left -------------------------------- */

/* Absorbed cases whose result then did real work. */
static unsigned int worked;

#define WORK_LEN	8192

/* Compressible text, the same every time. */
static void work_text(uint8_t *p, size_t len)
{
	static const char *const words[] = {
		"queue ", "pair ", "doorbell ", "ring ", "mediated ",
		"device ", "completion ", "phase ",
	};
	uint8_t r[WORK_LEN];
	size_t n = 0, i = 0;

	ref_fill(r, sizeof(r), 7);
	while (n < len) {
		const char *w = words[r[i++ % sizeof(r)] % 8];
		size_t l = strlen(w);

		if (l > len - n)
			l = len - n;
		memcpy(p + n, w, l);
		n += l;
	}
}

/*
 * One checksum the model has, against an independent answer: CRC32C or
 * adler32 of the text against the bitwise references, or (a sec model)
 * SHA-256 of "abc" against FIPS 180-2's example.
 */
static int work_sum(struct ctx *c, struct acc_dev *d, struct acc_qp *qp,
		    const struct acc_dma *src)
{
	static const uint8_t sha256_abc[32] = {
		0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea,
		0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
		0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c,
		0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
	};
	struct accmdev_cqe cqe;
	uint32_t sum, want;
	unsigned int op;
	uint32_t len = WORK_LEN;

	if (d->algs & (1u << ACCMDEV_OP_CRC32C)) {
		op = ACCMDEV_OP_CRC32C;
		want = ref_crc32c(src->va, WORK_LEN);
	} else if (d->algs & (1u << ACCMDEV_OP_ADLER32)) {
		op = ACCMDEV_OP_ADLER32;
		want = ref_adler32(src->va, WORK_LEN);
	} else if (d->algs & (1u << ACCMDEV_OP_SHA256)) {
		op = ACCMDEV_OP_SHA256;
		memcpy(src->va, "abc", 3);
		len = 3;
		want = 0;
	} else {
		return why(c, "work: the model has no checksum (algs %#x)",
			   d->algs);
	}
	if (acc_oneshot(qp, op, 0, src, len, NULL, 0, &cqe))
		return why(c, "work: %s: %s", acc_op_name(op), acc_error(d));
	if (le16toh(cqe.status) != ACCMDEV_ST_OK)
		return why(c, "work: %s status %s", acc_op_name(op),
			   acc_status_name(le16toh(cqe.status)));
	if (op == ACCMDEV_OP_SHA256) {
		work_text(src->va, WORK_LEN);
		if (memcmp(cqe.result, sha256_abc, sizeof(sha256_abc)))
			return why(c, "work: sha256(\"abc\") is wrong");
		return 0;
	}
	memcpy(&sum, cqe.result, sizeof(sum));
	if (le32toh(sum) != want)
		return why(c, "work: %s %#x (want %#x)", acc_op_name(op),
			   le32toh(sum), want);
	return 0;
}

/*
 * On an open device, with @qp set up (or QP 0 set up and torn down here
 * if @qp is NULL): a checksum against an independent answer, and where
 * the model has deflate and inflate, a round trip through both.
 */
static int work_on(struct ctx *c, struct acc_dev *d, struct acc_qp *qp)
{
	struct acc_dma src = { 0 }, z = { 0 }, back = { 0 };
	struct acc_qp own;
	struct accmdev_cqe cqe;
	int ret = -1;

	if (!qp) {
		if (acc_qp_setup(d, &own, 0, 16, 16))
			return why(c, "work: QP setup: %s", acc_error(d));
		qp = &own;
	}
	if (acc_dma_map(d, WORK_LEN, &src) ||
	    acc_dma_map(d, 2 * WORK_LEN, &z) ||
	    acc_dma_map(d, WORK_LEN, &back)) {
		why(c, "work: DMA map: %s", acc_error(d));
		goto out;
	}
	work_text(src.va, WORK_LEN);
	if (work_sum(c, d, qp, &src))
		goto out;
	if ((d->algs & (1u << ACCMDEV_OP_DEFLATE)) &&
	    (d->algs & (1u << ACCMDEV_OP_INFLATE))) {
		uint32_t zlen;

		if (acc_oneshot(qp, ACCMDEV_OP_DEFLATE, 6, &src, WORK_LEN, &z,
				2 * WORK_LEN, &cqe)) {
			why(c, "work: deflate: %s", acc_error(d));
			goto out;
		}
		zlen = le32toh(cqe.result_len);
		if (le16toh(cqe.status) != ACCMDEV_ST_OK || !zlen ||
		    zlen >= WORK_LEN) {
			why(c, "work: deflate status %s, %u bytes of %u",
			    acc_status_name(le16toh(cqe.status)), zlen,
			    WORK_LEN);
			goto out;
		}
		if (acc_oneshot(qp, ACCMDEV_OP_INFLATE, 0, &z, zlen, &back,
				WORK_LEN, &cqe)) {
			why(c, "work: inflate: %s", acc_error(d));
			goto out;
		}
		if (le16toh(cqe.status) != ACCMDEV_ST_OK ||
		    le32toh(cqe.result_len) != WORK_LEN ||
		    memcmp(back.va, src.va, WORK_LEN)) {
			why(c, "work: inflate status %s, %u bytes, %s",
			    acc_status_name(le16toh(cqe.status)),
			    le32toh(cqe.result_len),
			    memcmp(back.va, src.va, WORK_LEN) ?
			    "not the input" : "the input");
			goto out;
		}
	}
	ret = 0;
out:
	acc_dma_unmap(d, &back);
	acc_dma_unmap(d, &z);
	acc_dma_unmap(d, &src);
	if (qp == &own && acc_qp_teardown(&own) && !ret)
		ret = why(c, "work: QP teardown: %s", acc_error(d));
	return ret;
}

/* Open the device @uuid, work on it, close it. */
static int work_on_uuid(struct ctx *c, const char *uuid)
{
	struct acc_dev d;
	int ret;

	if (acc_open(&d, uuid))
		return why(c, "work: open %s: %s", uuid, acc_error(&d));
	ret = work_on(c, &d, NULL);
	acc_close(&d);
	return ret;
}

static int mdev_create(struct ctx *c, char *uuid, size_t size)
{
	char path[PATH_MAX];
	int ret = new_uuid(uuid, size);

	snprintf(path, sizeof(path), "%s/create", c->type_dir);
	return ret ? ret : write_str(path, uuid);
}

static bool mdev_exists(const char *uuid)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), MDEV_DEVICES "/%s", uuid);
	return exists(path);
}

static int mdev_remove(const char *uuid)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), MDEV_DEVICES "/%s/remove", uuid);
	return write_str(path, "1");
}

/* The pool must be whole again: available_instances as at the start. */
static int check_pool(struct ctx *c)
{
	char path[PATH_MAX];
	unsigned long avail;
	int ret;

	snprintf(path, sizeof(path), "%s/available_instances", c->type_dir);
	ret = read_ulong(path, &avail);
	if (ret)
		return why(c, "available_instances: %s", ename(-ret));
	if (avail != c->avail0)
		return why(c, "available_instances %lu, was %lu", avail,
			   c->avail0);
	return 0;
}

static int prepare_type(struct ctx *c)
{
	char path[PATH_MAX];
	int ret;

	snprintf(c->type_dir, sizeof(c->type_dir),
		 ACC_CLASS "/%s/mdev_supported_types/%s", c->parent, c->type);
	snprintf(path, sizeof(path), "%s/available_instances", c->type_dir);
	ret = read_ulong(path, &c->avail0);
	if (ret)
		return why(c, "%s: %s", path, ename(-ret));
	ret = module_range("accmdev", false, &c->probe);
	if (!ret)
		ret = apply_symbols(&c->probe);
	return ret ? why(c, "accmdev's code range: %s", ename(-ret)) : 0;
}

/* load: finit_module and delete_module of KO, which must not be loaded. */

static int load_module(struct ctx *c)
{
	return syscall(SYS_finit_module, c->ko_fd, c->params, 0) ? -errno : 0;
}

static int unload_module(struct ctx *c)
{
	return syscall(SYS_delete_module, c->mod, O_NONBLOCK) ? -errno : 0;
}

static bool module_loaded(struct ctx *c)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/module/%s", c->mod);
	return exists(path);
}

static int load_prepare(struct ctx *c)
{
	int ret;

	if (module_loaded(c))
		return why(c, "%s is loaded; unload it first", c->mod);
	c->ko_fd = open(c->ko, O_RDONLY | O_CLOEXEC);
	if (c->ko_fd < 0)
		return why(c, "%s: %s", c->ko, strerror(errno));
	/* A load without injection says where the code will be. */
	ret = load_module(c);
	if (ret)
		return why(c, "load without injection: %s", ename(-ret));
	ret = module_range(c->mod, false, &c->probe);
	c->text0 = c->probe.start;
	if (!ret)
		ret = module_range(c->mod, true, &c->probe);
	if (!ret)
		ret = apply_symbols(&c->probe);
	if (ret)
		return why(c, "code range of %s: %s", c->mod, ename(-ret));
	ret = unload_module(c);
	return ret ? why(c, "unload: %s", ename(-ret)) : 0;
}

/*
 * What a load that succeeded must give: every type of every parent has
 * its migration_version, readable (or ENODEV on a parent that cannot
 * migrate); a device of the first zip type (else the first type) is
 * created, computes and is removed.
 */
static int load_work(struct ctx *c)
{
	char path[PATH_MAX], line[4096], uuid[64];
	const char *type = NULL;
	glob_t g;
	int ret;

	/*
	 * Through accmdev's own class: the mdev core absorbs a failure to
	 * link a parent into /sys/class/mdev_bus (a warning only), so a
	 * load can succeed without that link.
	 */
	if (glob("/sys/class/accmdev/accmdev*/mdev_supported_types/*", 0,
		 NULL, &g))
		return why(c, "work: the load left no mdev types");
	for (size_t i = 0; i < g.gl_pathc; i++) {
		snprintf(path, sizeof(path), "%s/migration_version",
			 g.gl_pathv[i]);
		ret = read_str(path, line, sizeof(line));
		if (ret && ret != -ENODEV) {
			why(c, "work: %s: %s", path, ename(-ret));
			globfree(&g);
			return -1;
		}
		if (!type && strstr(g.gl_pathv[i], "-zip-"))
			type = g.gl_pathv[i];
	}
	if (!type)
		type = g.gl_pathv[0];
	snprintf(path, sizeof(path), "%s/create", type);
	ret = new_uuid(uuid, sizeof(uuid));
	if (!ret)
		ret = write_str(path, uuid);
	if (ret) {
		why(c, "work: %s: %s", path, ename(-ret));
		globfree(&g);
		return -1;
	}
	globfree(&g);
	ret = work_on_uuid(c, uuid);
	if (mdev_remove(uuid) && !ret)
		ret = why(c, "work: remove %s: %s", uuid, strerror(errno));
	return ret;
}

static int load_undo(struct ctx *c, int ret)
{
	struct range r;

	if (ret) {
		if (module_loaded(c))
			return why(c, "the failed load left %s loaded", c->mod);
		if (exists("/sys/class/accmdev"))
			return why(c, "the failed load left /sys/class/accmdev");
		return 0;
	}
	/* The range holds only if the module came back where it was. */
	if (module_range(c->mod, false, &r) || r.start != c->text0)
		return why(c, "the module moved (.text 0x%lx, was 0x%lx)",
			   r.start, c->text0);
	if (load_work(c)) {
		/* Unload all the same: later cases load the module again. */
		unload_module(c);
		return -1;
	}
	ret = unload_module(c);
	return ret ? why(c, "unload after the load: %s", ename(-ret)) : 0;
}

/* Leave the module loaded with its default parameters. */
static void load_finish(struct ctx *c)
{
	int ret;

	c->params = "";
	ret = load_module(c);
	if (ret)
		not_ok("load: the final load with default parameters: %s",
		       ename(-ret));
	close(c->ko_fd);
}

/* create: a device of TYPE on PARENT. */

static int create_run(struct ctx *c)
{
	return mdev_create(c, c->uuid, sizeof(c->uuid));
}

static int create_undo(struct ctx *c, int ret)
{
	if (ret && mdev_exists(c->uuid))
		return why(c, "the failed create left %s", c->uuid);
	if (!ret && work_on_uuid(c, c->uuid)) {
		mdev_remove(c->uuid);
		return -1;
	}
	if (!ret && mdev_remove(c->uuid))
		return why(c, "remove: %s", strerror(errno));
	return check_pool(c);
}

/* open: the VFIO device of a device created beforehand. */

static int device_prepare(struct ctx *c)
{
	int ret = prepare_type(c);

	if (ret)
		return ret;
	ret = mdev_create(c, c->uuid, sizeof(c->uuid));
	return ret ? why(c, "create: %s", ename(-ret)) : 0;
}

static void device_finish(struct ctx *c)
{
	if (mdev_remove(c->uuid))
		not_ok("%s: remove: %s", c->uuid, strerror(errno));
	else if (check_pool(c))
		not_ok("%s", c->why);
}

static int open_run(struct ctx *c)
{
	return acc_open(&c->dev, c->uuid);
}

static int open_undo(struct ctx *c, int ret)
{
	if (!ret) {
		ret = work_on(c, &c->dev, NULL);
		acc_close(&c->dev);
		return ret;
	}
	acc_close(&c->dev);
	/* The failure must not leave the device half open. */
	ret = acc_open(&c->dev, c->uuid);
	if (ret)
		return why(c, "open after the failed one: %s", acc_error(&c->dev));
	acc_close(&c->dev);
	return 0;
}

/* qp: QP 0 of an open device: rings, MSI-X eventfd, enable. */

static int opened_prepare(struct ctx *c)
{
	int ret = device_prepare(c);

	if (ret)
		return ret;
	ret = acc_open(&c->dev, c->uuid);
	return ret ? why(c, "open: %s", acc_error(&c->dev)) : 0;
}

static void opened_finish(struct ctx *c)
{
	acc_close(&c->dev);
	device_finish(c);
}

static int qp_run(struct ctx *c)
{
	return acc_qp_setup(&c->dev, &c->qp, 0, 64, 64);
}

static int qp_undo(struct ctx *c, int ret)
{
	if (!ret) {
		if (work_on(c, &c->dev, &c->qp)) {
			acc_qp_teardown(&c->qp);
			return -1;
		}
		ret = acc_qp_teardown(&c->qp);
		return ret ? why(c, "teardown: %s", acc_error(&c->dev)) : 0;
	}
	ret = acc_qp_setup(&c->dev, &c->qp, 0, 64, 64);
	if (ret)
		return why(c, "QP setup after the failed one: %s",
			   acc_error(&c->dev));
	ret = acc_qp_teardown(&c->qp);
	return ret ? why(c, "teardown: %s", acc_error(&c->dev)) : 0;
}

/* save: the whole source side of a migration, into memory. */

static int keep(void *arg, const void *buf, size_t len, bool stopped)
{
	struct ctx *c = arg;
	unsigned char *p;

	(void)stopped;
	if (c->stream_len + len > c->stream_cap) {
		size_t cap = (c->stream_len + len) * 2;

		p = realloc(c->stream, cap);
		if (!p)
			return -ENOMEM;
		c->stream = p;
		c->stream_cap = cap;
	}
	memcpy(c->stream + c->stream_len, buf, len);
	c->stream_len += len;
	return 0;
}

static int mig_prepare(struct ctx *c)
{
	uint64_t flags;
	int ret = opened_prepare(c);

	if (ret)
		return ret;
	if (acc_mig_flags(&c->dev, &flags))
		return EXIT_SKIP;
	return 0;
}

static int save_run(struct ctx *c)
{
	struct acc_mig_stats st = { 0 };

	c->stream_len = 0;
	return acc_mig_save(&c->dev, NULL, keep, c, &st);
}

/* Cases that ended in another state than RUNNING, and went back to it. */
static unsigned int returned;

/*
 * After a save or a resume the device must be in RUNNING, or in a state
 * of the failed arc from which RUNNING (or a reset) brings it back.
 */
static int check_running(struct ctx *c, struct acc_dev *d)
{
	uint32_t state, again;
	int ret = acc_mig_get_state(d, &state);

	if (ret)
		return why(c, "get state: %s", acc_error(d));
	if (state == ACC_MIG_RUNNING)
		return 0;
	if (acc_mig_set_state(d, ACC_MIG_RUNNING, NULL))
		acc_reset(d);
	ret = acc_mig_get_state(d, &again);
	if (ret || again != ACC_MIG_RUNNING)
		return why(c, "left in %s, and neither RUNNING nor a reset "
			   "brings it back", acc_mig_state_name(state));
	returned++;
	return 0;
}

static int resume_run(struct ctx *c);

/*
 * A save that succeeded gave a stream: it must load (into the same
 * device, the only one at hand), and the device must then compute.
 */
static int save_undo(struct ctx *c, int ret)
{
	if (!ret && acc_mig_set_state(&c->dev, ACC_MIG_RUNNING, NULL))
		return why(c, "STOP -> RUNNING: %s", acc_error(&c->dev));
	if (check_running(c, &c->dev))
		return -1;
	if (ret)
		return 0;
	ret = resume_run(c);
	if (ret)
		return why(c, "work: the saved stream (%zu bytes) does not "
			   "load: %s", c->stream_len, acc_error(&c->dev));
	return check_running(c, &c->dev) || work_on(c, &c->dev, NULL);
}

/* resume: a stream saved from a second device, loaded into the first. */

static int resume_prepare(struct ctx *c)
{
	struct acc_mig_stats st = { 0 };
	int ret = mig_prepare(c);

	if (ret)
		return ret;
	ret = mdev_create(c, c->uuid2, sizeof(c->uuid2));
	if (ret)
		return why(c, "create the source: %s", ename(-ret));
	ret = acc_open(&c->dev2, c->uuid2);
	if (ret)
		return why(c, "open the source: %s", acc_error(&c->dev2));
	ret = acc_mig_save(&c->dev2, NULL, keep, c, &st);
	if (ret)
		return why(c, "save the source: %s", acc_error(&c->dev2));
	acc_close(&c->dev2);
	if (mdev_remove(c->uuid2))
		return why(c, "remove the source: %s", strerror(errno));
	return 0;
}

static int resume_run(struct ctx *c)
{
	int fd, ret = acc_mig_load_begin(&c->dev, &fd);

	if (ret)
		return ret;
	ret = acc_mig_write(&c->dev, fd, c->stream, c->stream_len);
	if (ret) {
		acc_mig_load_abort(&c->dev, fd);
		return ret;
	}
	return acc_mig_load_end(&c->dev, fd);
}

static int resume_undo(struct ctx *c, int ret)
{
	if (check_running(c, &c->dev))
		return -1;
	/* Absorbed: the device runs with the loaded state, and computes. */
	return ret ? 0 : work_on(c, &c->dev, NULL);
}

static void mig_finish(struct ctx *c)
{
	free(c->stream);
	opened_finish(c);
}

static const struct op ops[] = {
	{ "load", load_prepare, load_module, load_undo, load_finish },
	{ "create", prepare_type, create_run, create_undo, NULL },
	{ "open", device_prepare, open_run, open_undo, device_finish },
	{ "qp", opened_prepare, qp_run, qp_undo, opened_finish },
	{ "save", mig_prepare, save_run, save_undo, mig_finish },
	{ "resume", resume_prepare, resume_run, resume_undo, mig_finish },
};

/* ---- the loop --------------------------------------------------------- */

struct tally {
	unsigned int points, failed, absorbed, unclean;
	unsigned int errnos[256];
};

/*
 * Run @op with the n-th allocation failing, n = 1, 2, ... until it
 * reaches no n-th allocation. Returns 0 if it converged.
 */
static int inject_all(const struct op *op, struct ctx *c, unsigned int max,
		      struct tally *t)
{
	unsigned long left;
	unsigned int n;
	int ret;

	for (n = 1; n <= max; n++) {
		if (fail_nth_set(n))
			return why(c, "%s: %s", FAIL_NTH, strerror(errno));
		ret = op->run(c);
		if (read_ulong(FAIL_NTH, &left))
			left = 1;
		fail_nth_set(0);
		if (left) {
			/* Not reached: the operation ran without a fault. */
			if (ret)
				not_ok("%s: fails without injection: %s (%s)",
				       op->name, ename(-ret), c->why);
			else if (op->undo(c, 0))
				not_ok("%s: after the run without injection: %s",
				       op->name, c->why);
			return 0;
		}
		t->points++;
		if (ret) {
			t->failed++;
			if (-ret > 0 && -ret < 256)
				t->errnos[-ret]++;
		} else {
			t->absorbed++;
		}
		c->why[0] = '\0';
		if (op->undo(c, ret) && ++t->unclean)
			not_ok("%s: allocation %u failed (%s): %s", op->name,
			       n, ret ? ename(-ret) : "absorbed", c->why);
		else if (!ret)
			worked++;	/* the undo used what the run left */
	}
	not_ok("%s: still reaching allocations after %u; raise -m", op->name,
	       max);
	return -1;
}

static int usage(void)
{
	fprintf(stderr, "usage: faultinj [-0] [-m MAX] [-r SYM] [-x SYM] load KO [PARAMS]\n"
		"       faultinj [-0] [-m MAX] [-r SYM] [-x SYM] "
		"create|open|qp|save|resume PARENT TYPE\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct ctx c = { .ko_fd = -1, .params = "" };
	struct tally t = { 0 };
	const struct op *op = NULL;
	unsigned int max = 5000;
	struct timespec t0, t1;
	int opt, ret;

	while ((opt = getopt(argc, argv, "m:r:x:0")) != -1) {
		switch (opt) {
		case '0':
			dry = true;
			break;
		case 'm':
			max = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			only_sym = optarg;
			break;
		case 'x':
			reject_sym = optarg;
			break;
		default:
			return usage();
		}
	}
	if (optind >= argc)
		return usage();
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strcmp(argv[optind], ops[i].name))
			op = &ops[i];
	if (!op)
		return usage();
	if (op->run == load_module) {
		if (argc - optind < 2 || argc - optind > 3)
			return usage();
		c.ko = argv[optind + 1];
		c.params = argc - optind == 3 ? argv[optind + 2] : "";
		c.mod = "accmdev";
	} else {
		if (argc - optind != 3)
			return usage();
		c.parent = argv[optind + 1];
		c.type = argv[optind + 2];
		if (strlen(c.parent) > 64 || strlen(c.type) > 64)
			return usage();
	}
	setvbuf(stdout, NULL, _IOLBF, 0);

	ret = dry ? 0 : knobs_setup();
	if (ret)
		return ret;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = op->prepare(&c);
	if (ret == EXIT_SKIP) {
		printf("skip: %s: the device cannot migrate\n", op->name);
		return EXIT_SKIP;
	}
	if (ret) {
		not_ok("%s: setup: %s", op->name, c.why);
		return 1;
	}
	if (dry) {
		ret = op->run(&c);
		if (ret)
			not_ok("%s: dry run: %s (%s)", op->name, ename(-ret),
			       c.why);
		else if (op->undo(&c, 0))
			not_ok("%s: dry run: %s", op->name, c.why);
		if (op->finish)
			op->finish(&c);
		printf("%s: dry run: %s\n", op->name,
		       bad ? "failed" : "ran, worked, undone");
		return bad;
	}
	inject_all(op, &c, max, &t);
	if (!t.points)
		not_ok("%s: no injection point reached: nothing was tested",
		       op->name);
	if (op->finish)
		op->finish(&c);
	clock_gettime(CLOCK_MONOTONIC, &t1);

	printf("%s: %u injection points: %u failed cleanly, %u absorbed, "
	       "%u unclean (", op->name, t.points, t.failed - t.unclean,
	       t.absorbed, t.unclean);
	for (int e = 1, first = 1; e < 256; e++) {
		if (!t.errnos[e])
			continue;
		printf("%s%s x%u", first ? "" : ", ", ename(e), t.errnos[e]);
		first = 0;
	}
	printf("), %u worked after absorbing", worked);
	if (returned)
		printf(", %u left in a state of the arc and returned to RUNNING",
		       returned);
	printf(" in %ld s\n", (long)(t1.tv_sec - t0.tv_sec));
	return bad;
}
