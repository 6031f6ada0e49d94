// SPDX-License-Identifier: GPL-2.0-only
/*
 * accbound: what a guest can make a control path wait for
 * (tests/bats/58-bounds.bats, bench/downtime.sh).
 *
 *   accbound bounds UUID BOUND_MS
 *       Fill every QP of a device with level-9 deflates of 1 MiB of
 *       random bytes from a two-letter alphabet (up to the ring depth),
 *       then time, one at a time, a QP disable, a CTX_CLEAR, a
 *       VFIO_DEVICE_RESET, RUNNING -> STOP_COPY and a close, refilling
 *       the rings before each. Each must return within BOUND_MS; then
 *       the device must compute crc32c and adler32 equal to accref.h.
 *   accbound carry SRC DST OUTDIR
 *       Migrate SRC to DST (same container) while a level-9 deflate, a
 *       crc32c stream and one-shot crc32c requests are in flight; each
 *       must complete once on DST with the right result. The deflate's
 *       input and output go to OUTDIR/carry.in and carry.z for an
 *       independent inflate (python's zlib, in the suite).
 *   accbound downtime SRC DST loaded|idle
 *       One stop-copy migration (no pre-copy), with every QP of SRC full
 *       of level-9 deflates as above, or idle; prints the downtime.
 *   accbound rate UUID SECONDS
 *       Keep QP 0 full of 1 MiB crc32c requests for SECONDS; prints the
 *       bytes the device hashed per second of wall time.
 *   accbound precopy UUID
 *       poll on a saving data fd, and VFIO_MIG_GET_PRECOPY_INFO out of
 *       PRE_COPY (prints "no PRE_COPY" and exits 0 where there is none).
 *   accbound qpirq UUID
 *       A ring error found at enable raises the QP's interrupt; a
 *       doorbell error in STOP raises none.
 *   accbound narrow DONOR UUID ALGS
 *       Resume UUID from DONOR's stream with the algorithms of its
 *       VERSION and DEVICE records cut down to ALGS (a comma-separated
 *       list) and its END CRC32C redone: what a source whose model has
 *       fewer algorithms than UUID's type would send (another host's
 *       driver). No type of this driver has such a model.
 *   accbound superset SRC DST
 *       SRC's algorithms a strict subset of DST's: after a migration DST
 *       shows SRC's ALGS, refuses what SRC lacks, and migrates back.
 *
 * Times are CLOCK_MONOTONIC around the one system call that does the
 * control operation. Each check prints "ok - ..." or "not ok - ...";
 * the exit status is 1 if any failed, 2 on usage errors.
 */
#include <endian.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "accmig.h"
#include "accref.h"
#include "accvfio.h"
#include "testlib.h"
#include "uapi/accmdev_mig.h"

#define RING		16		/* entries per SQ and CQ */
#define BIG		(1u << 20)	/* adversarial deflate input */
#define BIG_OUT		(512u << 10)	/* room for its output */

typedef unsigned long long ull;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Random bytes from the alphabet "ab": long hash chains for zlib. */
static void fill_ab(uint8_t *p, size_t len, uint64_t seed)
{
	ref_fill(p, len, seed);
	for (size_t i = 0; i < len; i++)
		p[i] = 'a' + (p[i] & 1);
}

static uint32_t qp_rd(struct acc_qp *qp, uint32_t reg)
{
	uint32_t v;

	if (acc_qp_rd32(qp, reg, &v))
		die(qp->d, "QP register read");
	return v;
}

/* The adversarial load: every QP up and full of level-9 deflates. */
struct load {
	struct acc_dev *d;
	struct acc_dma src, dst;
	struct acc_qp qp[ACCMDEV_QP_MAX];
	unsigned int nqps;
};

static void load_fill(struct load *l)
{
	struct accmdev_sqe sqe[RING - 1];

	for (unsigned int q = 0; q < l->nqps; q++) {
		struct acc_qp *qp = &l->qp[q];

		if (qp->d)
			acc_qp_teardown(qp);
		if (acc_qp_setup(l->d, qp, q, RING, RING))
			die(l->d, "QP setup");
		for (unsigned int i = 0; i < RING - 1; i++)
			acc_sqe_fill(&sqe[i], ACCMDEV_OP_DEFLATE,
				ACCMDEV_SQE_F_ONESHOT, 9, q * 100 + i,
				l->src.iova, BIG, l->dst.iova, BIG_OUT);
		if (acc_qp_submit(qp, sqe, RING - 1))
			die(l->d, "submit");
	}
	/* Let the worker get well into a request. */
	sleep_ms(300);
}

static void load_init(struct load *l, struct acc_dev *d)
{
	memset(l, 0, sizeof(*l));
	l->d = d;
	l->nqps = d->nqps;
	if (acc_dma_map(d, BIG, &l->src) || acc_dma_map(d, BIG_OUT, &l->dst))
		die(d, "DMA map");
	fill_ab(l->src.va, BIG, 1);
}

/* After a reset or a close the device has forgotten the QPs. */
static void load_forget(struct load *l)
{
	for (unsigned int q = 0; q < l->nqps; q++)
		acc_qp_teardown(&l->qp[q]);
}

static void bound(const char *what, double ms, double bound_ms)
{
	printf("%s: %.1f ms\n", what, ms);
	check(ms <= bound_ms, "%s returned in %.1f ms (bound %.0f ms)", what,
	      ms, bound_ms);
}

/*
 * On QP @q: crc32c of fresh data equal to accref.h's, and a deflate
 * whose inflate gives the data back byte for byte.
 */
static void computes(struct acc_dev *d, unsigned int q, const char *when)
{
	const uint32_t len = 200000;
	struct accmdev_cqe cqe;
	struct acc_dma buf, z, back;
	struct acc_qp qp;
	unsigned int st[3] = { 0xffff, 0xffff, 0xffff };
	uint32_t crc = 0, zlen = 0, blen = 0;

	if (acc_qp_setup(d, &qp, q, RING, RING) || acc_dma_map(d, len, &buf) ||
	    acc_dma_map(d, 2 * len, &z) || acc_dma_map(d, len, &back))
		die(d, "setup to compute");
	ref_fill(buf.va, len, 77 + q);
	memset(buf.va, 'x', len / 2);
	if (!acc_oneshot(&qp, ACCMDEV_OP_CRC32C, 0, &buf, len, NULL, 0, &cqe)) {
		st[0] = le16toh(cqe.status);
		memcpy(&crc, cqe.result, 4);
		crc = le32toh(crc);
	}
	if (!acc_oneshot(&qp, ACCMDEV_OP_DEFLATE, 6, &buf, len, &z, 2 * len,
			 &cqe)) {
		st[1] = le16toh(cqe.status);
		zlen = le32toh(cqe.result_len);
	}
	if (!st[1] &&
	    !acc_oneshot(&qp, ACCMDEV_OP_INFLATE, 0, &z, zlen, &back, len,
			 &cqe)) {
		st[2] = le16toh(cqe.status);
		blen = le32toh(cqe.result_len);
	}
	check(!st[0] && crc == ref_crc32c(buf.va, len),
	      "%s: QP %u computes crc32c %08x equal to the reference (status %u)",
	      when, q, crc, st[0]);
	check(!st[1] && !st[2] && blen == len && !memcmp(back.va, buf.va, len),
	      "%s: QP %u deflates %u bytes to %u and inflates them back (status %u, %u)",
	      when, q, len, zlen, st[1], st[2]);
	acc_qp_teardown(&qp);
	acc_dma_unmap(d, &back);
	acc_dma_unmap(d, &z);
	acc_dma_unmap(d, &buf);
}

static int t_bounds(const char *uuid, double bound_ms)
{
	static struct load l;
	struct acc_dev d;
	uint32_t done, busy = 0;
	double t;
	int fd;

	if (acc_open(&d, uuid))
		die(&d, uuid);
	load_init(&l, &d);
	printf("load: %u QPs, %u level-9 deflates of %u bytes each\n",
	       l.nqps, RING - 1, BIG);

	/* QP disable: QP 0 is the worker's first, and its request runs. */
	load_fill(&l);
	t = now_ms();
	if (acc_qp_wr32(&l.qp[0], ACCMDEV_QP_ENABLE, 0))
		die(&d, "disable");
	bound("QP disable", now_ms() - t, bound_ms);
	done = qp_rd(&l.qp[0], ACCMDEV_QP_DONE_COUNT);
	check(done == 0,
	      "QP 0 completed %u requests before its disable: its request in flight stopped",
	      done);

	/* CTX_CLEAR on QP 1, which the worker serves next. */
	t = now_ms();
	if (acc_qp_wr32(&l.qp[1], ACCMDEV_QP_CTX, ACCMDEV_QP_CTX_CLEAR))
		die(&d, "CTX_CLEAR");
	bound("CTX_CLEAR", now_ms() - t, bound_ms);
	for (unsigned int q = 1; q < l.nqps; q++)
		busy += !!(qp_rd(&l.qp[q], ACCMDEV_QP_STATUS) & ACCMDEV_QP_ST_BUSY);
	check(busy == l.nqps - 1, "%u of %u QPs still have work queued", busy,
	      l.nqps - 1);

	t = now_ms();
	if (acc_reset(&d))
		die(&d, "reset");
	bound("VFIO_DEVICE_RESET", now_ms() - t, bound_ms);
	load_forget(&l);

	load_fill(&l);
	t = now_ms();
	if (acc_mig_set_state(&d, ACC_MIG_STOP_COPY, &fd))
		die(&d, "RUNNING -> STOP_COPY");
	bound("RUNNING -> STOP_COPY", now_ms() - t, bound_ms);
	close(fd);
	t = now_ms();
	if (acc_mig_set_state(&d, ACC_MIG_RUNNING, NULL))
		die(&d, "STOP_COPY -> RUNNING");
	bound("STOP_COPY -> RUNNING", now_ms() - t, bound_ms);

	/* The rings are still full: close with the work running. */
	sleep_ms(300);
	t = now_ms();
	acc_close(&d);
	bound("close", now_ms() - t, bound_ms);
	load_forget(&l);

	if (acc_open(&d, uuid))
		die(&d, uuid);
	computes(&d, 0, "after close");
	computes(&d, d.nqps - 1, "after close");
	acc_close(&d);
	return failures ? 1 : 0;
}

/* ---- requests in flight across a migration --------------------------- */

#define CARRY_IN	(128u << 10)
#define STREAM_REQS	8
#define STREAM_LEN	(256u << 10)
#define ONESHOTS	4

static void open_pair(struct acc_dev *s, const char *us, struct acc_dev *d,
		      const char *ud)
{
	if (acc_open(s, us))
		die(s, us);
	if (acc_open_shared(d, ud, s))
		die(d, ud);
}

static int write_file(const char *dir, const char *name, const void *p,
		      size_t len)
{
	char path[4096];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f)
		return 0;
	ok = fwrite(p, 1, len, f) == len;
	return fclose(f) == 0 && ok;
}

static int t_carry(const char *us, const char *ud, const char *out)
{
	struct acc_dev src, dst;
	struct acc_dma zin, zout, sdata, odata;
	struct acc_qp qz, qs, qo;
	struct accmdev_sqe sqe[STREAM_REQS];
	struct accmdev_cqe cqe[STREAM_REQS];
	struct acc_mig_opts opts = { .no_precopy = true };
	struct acc_mig_stats st;
	uint32_t crc = ~0u, done, got, bad = 0;

	open_pair(&src, us, &dst, ud);
	if (acc_dma_map(&src, CARRY_IN, &zin) ||
	    acc_dma_map(&src, BIG_OUT, &zout) ||
	    acc_dma_map(&src, STREAM_REQS * STREAM_LEN, &sdata) ||
	    acc_dma_map(&src, ONESHOTS * BIG, &odata))
		die(&src, "DMA map");
	fill_ab(zin.va, CARRY_IN, 2);
	ref_fill(sdata.va, STREAM_REQS * STREAM_LEN, 3);
	ref_fill(odata.va, ONESHOTS * BIG, 4);
	if (acc_qp_setup(&src, &qz, 0, RING, RING) ||
	    acc_qp_setup(&src, &qs, 1, RING, RING) ||
	    acc_qp_setup(&src, &qo, 2, RING, RING))
		die(&src, "QP setup");

	acc_sqe_fill(&sqe[0], ACCMDEV_OP_DEFLATE, ACCMDEV_SQE_F_ONESHOT, 9, 1,
		zin.iova, CARRY_IN, zout.iova, BIG_OUT);
	if (acc_qp_submit(&qz, sqe, 1))
		die(&src, "submit");
	for (unsigned int i = 0; i < STREAM_REQS; i++)
		acc_sqe_fill(&sqe[i], ACCMDEV_OP_CRC32C,
			(i ? 0 : ACCMDEV_SQE_F_FIRST) |
			(i == STREAM_REQS - 1 ? ACCMDEV_SQE_F_FINAL : 0), 0,
			i, sdata.iova + (uint64_t)i * STREAM_LEN, STREAM_LEN,
			0, 0);
	if (acc_qp_submit(&qs, sqe, STREAM_REQS))
		die(&src, "submit");
	for (unsigned int i = 0; i < ONESHOTS; i++)
		acc_sqe_fill(&sqe[i], ACCMDEV_OP_CRC32C, ACCMDEV_SQE_F_ONESHOT, 0, i,
			odata.iova + (uint64_t)i * BIG, BIG, 0, 0);
	if (acc_qp_submit(&qo, sqe, ONESHOTS))
		die(&src, "submit");
	sleep_ms(500);

	if (acc_migrate(&src, &dst, &opts, &st))
		die(&src, "migration");
	done = qp_rd(&qz, ACCMDEV_QP_DONE_COUNT);
	printf("carry: downtime %.1f ms, the deflate %s at the stop\n",
	       (st.t_running - st.t_stop) / 1e6,
	       done ? "had completed" : "had not completed");
	if (acc_mig_adopt_qp(&qz, &dst) || acc_mig_adopt_qp(&qs, &dst) ||
	    acc_mig_adopt_qp(&qo, &dst))
		die(&dst, "QPs on the destination");

	/* The deflate: one completion; its output is judged by zlib. */
	got = acc_qp_wait(&qz, cqe, 1, 600000) == 1;
	check(got && le16toh(cqe[0].status) == ACCMDEV_ST_OK,
	      "carry: the level-9 deflate completed on the destination (status %u)",
	      got ? le16toh(cqe[0].status) : 0xffffu);
	if (got && !write_file(out, "carry.in", zin.va, CARRY_IN))
		die(NULL, "write carry.in");
	if (got && !write_file(out, "carry.z", zout.va,
			       le32toh(cqe[0].result_len)))
		die(NULL, "write carry.z");

	/* The crc32c stream: each completion's running CRC. */
	for (got = 0; got < STREAM_REQS;) {
		int n = acc_qp_wait(&qs, cqe, STREAM_REQS - got, 600000);

		if (n <= 0)
			break;
		for (int i = 0; i < n; i++, got++) {
			uint32_t r;

			crc = ref_crc32c_update(crc, (uint8_t *)sdata.va +
						(size_t)got * STREAM_LEN,
						STREAM_LEN);
			memcpy(&r, cqe[i].result, 4);
			bad += le64toh(cqe[i].tag) != got ||
			       le16toh(cqe[i].status) != ACCMDEV_ST_OK ||
			       le32toh(r) != ~crc;
		}
	}
	check(got == STREAM_REQS && !bad,
	      "carry: crc32c stream, %u of %u completions, %u wrong", got,
	      STREAM_REQS, bad);

	bad = 0;
	for (got = 0; got < ONESHOTS;) {
		int n = acc_qp_wait(&qo, cqe, ONESHOTS - got, 600000);

		if (n <= 0)
			break;
		for (int i = 0; i < n; i++, got++) {
			uint64_t tag = le64toh(cqe[i].tag);
			uint32_t r;

			memcpy(&r, cqe[i].result, 4);
			bad += tag != got || le16toh(cqe[i].status) ||
			       le32toh(r) != ref_crc32c((uint8_t *)odata.va +
							tag * BIG, BIG);
		}
	}
	check(got == ONESHOTS && !bad,
	      "carry: one-shot crc32c, %u of %u completions, %u wrong", got,
	      ONESHOTS, bad);
	sleep_ms(200);
	check(acc_qp_poll(&qz, cqe, 1) == 0 && acc_qp_poll(&qs, cqe, 1) == 0 &&
	      acc_qp_poll(&qo, cqe, 1) == 0,
	      "carry: no request completed twice");
	acc_close(&dst);
	acc_close(&src);
	return failures ? 1 : 0;
}

static int t_downtime(const char *us, const char *ud, int loaded)
{
	static struct load l;
	struct acc_dev src, dst;
	struct acc_mig_opts opts = { .no_precopy = true };
	struct acc_mig_stats st;

	open_pair(&src, us, &dst, ud);
	if (loaded) {
		load_init(&l, &src);
		load_fill(&l);
	}
	if (acc_migrate(&src, &dst, &opts, &st))
		die(&src, "migration");
	/* From entering STOP_COPY (the halt included) to RUNNING. */
	printf("downtime %s: %.1f ms (halt and save %.1f ms, resume %.1f ms)\n",
	       loaded ? "loaded" : "idle", (st.t_running - st.t_stop) / 1e6,
	       (st.t_saved - st.t_stop) / 1e6,
	       (st.t_running - st.t_saved) / 1e6);
	/* Closing the loaded destination is bounded too. */
	acc_close(&dst);
	acc_close(&src);
	return 0;
}

static int t_rate(const char *uuid, int seconds)
{
	struct accmdev_sqe sqe;
	struct accmdev_cqe cqe[RING];
	struct acc_dma buf;
	struct acc_qp qp;
	struct acc_dev d;
	double t0, t;
	ull bytes = 0;

	if (acc_open(&d, uuid))
		die(&d, uuid);
	if (acc_qp_setup(&d, &qp, 0, RING, RING) || acc_dma_map(&d, BIG, &buf))
		die(&d, "setup");
	ref_fill(buf.va, BIG, 5);
	acc_sqe_fill(&sqe, ACCMDEV_OP_CRC32C, ACCMDEV_SQE_F_ONESHOT, 0, 0, buf.iova,
		BIG, 0, 0);
	t0 = now_ms();
	for (;;) {
		int n;

		while (acc_qp_room(&qp))
			if (acc_qp_submit(&qp, &sqe, 1))
				die(&d, "submit");
		n = acc_qp_wait(&qp, cqe, RING, 60000);
		if (n < 0)
			die(&d, "wait");
		for (int i = 0; i < n; i++)
			if (le16toh(cqe[i].status))
				die(&d, "a request failed");
		bytes += (ull)n * BIG;
		t = now_ms();
		if (t - t0 >= seconds * 1e3)
			break;
	}
	printf("rate: %llu bytes in %.0f ms: %.0f bytes/s\n", bytes, t - t0,
	       bytes / ((t - t0) / 1e3));
	acc_close(&d);
	return 0;
}

/* ---- the smaller findings --------------------------------------------- */

/* poll(2) of @fd for POLLIN, waiting up to @ms; the revents. */
static int poll_in(int fd, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, ms) < 0 ? -1 : pfd.revents;
}

/* VFIO_MIG_GET_PRECOPY_INFO on @fd: 0 or the errno. */
static int precopy_errno(struct acc_dev *d, int fd)
{
	uint64_t initial, dirty;

	return -acc_mig_precopy_info(d, fd, &initial, &dirty);
}

static int t_precopy(const char *uuid)
{
	static uint8_t buf[ACC_MIG_CHUNK];
	struct acc_dev d;
	uint64_t flags;
	ssize_t n;
	int fd, ev;

	if (acc_open(&d, uuid))
		die(&d, uuid);
	if (acc_mig_flags(&d, &flags))
		die(&d, "migration flags");
	if (!(flags & ACC_MIG_F_PRE_COPY)) {
		printf("no PRE_COPY\n");
		acc_close(&d);
		return 0;
	}
	if (acc_mig_set_state(&d, ACC_MIG_PRE_COPY, &fd))
		die(&d, "RUNNING -> PRE_COPY");
	check(poll_in(fd, 0) & POLLIN, "PRE_COPY: readable before the header is read");
	while ((n = acc_mig_read(&d, fd, buf, sizeof(buf), 5000)) > 0)
		;
	check(n == -ENOMSG, "PRE_COPY: the header read, then ENOMSG (%zd)", n);
	ev = poll_in(fd, 300);
	check(ev == 0, "PRE_COPY: all read, poll waits 300 ms and times out (revents %#x)",
	      ev);
	check(precopy_errno(&d, fd) == 0, "PRE_COPY: VFIO_MIG_GET_PRECOPY_INFO works");
	if (acc_mig_set_state(&d, ACC_MIG_STOP_COPY, NULL))
		die(&d, "PRE_COPY -> STOP_COPY");
	ev = poll_in(fd, 0);
	check(ev & POLLIN, "STOP_COPY: readable (revents %#x)", ev);
	while ((n = acc_mig_read(&d, fd, buf, sizeof(buf), 5000)) > 0)
		;
	check(n == 0, "STOP_COPY: read to the end (%zd)", n);
	ev = poll_in(fd, 0);
	check(ev & POLLIN, "STOP_COPY: the end of the stream is readable (revents %#x)",
	      ev);
	ev = precopy_errno(&d, fd);
	check(ev == EINVAL, "STOP_COPY: VFIO_MIG_GET_PRECOPY_INFO fails with EINVAL (%s)",
	      strerror(ev));
	if (acc_mig_set_state(&d, ACC_MIG_RUNNING, NULL))
		die(&d, "STOP_COPY -> RUNNING");
	ev = precopy_errno(&d, fd);
	check(ev == EINVAL, "session over: VFIO_MIG_GET_PRECOPY_INFO fails with EINVAL (%s)",
	      strerror(ev));
	ev = poll_in(fd, 0);
	check(ev & (POLLERR | POLLHUP), "session over: poll reports it (revents %#x)",
	      ev);
	close(fd);

	/* Pre-copy abandoned: PRE_COPY -> RUNNING ends the session. */
	if (acc_mig_set_state(&d, ACC_MIG_PRE_COPY, &fd))
		die(&d, "RUNNING -> PRE_COPY");
	if (acc_mig_set_state(&d, ACC_MIG_RUNNING, NULL))
		die(&d, "PRE_COPY -> RUNNING");
	ev = precopy_errno(&d, fd);
	check(ev == EINVAL, "pre-copy abandoned: VFIO_MIG_GET_PRECOPY_INFO fails with EINVAL (%s)",
	      strerror(ev));
	close(fd);
	acc_close(&d);
	return failures ? 1 : 0;
}

/* Signals on eventfd @efd since the last call. */
static uint64_t efd_take(int efd)
{
	uint64_t n = 0;

	if (read(efd, &n, sizeof(n)) != sizeof(n))
		n = 0;
	return n;
}

static int t_qpirq(const char *uuid)
{
	struct acc_qp q0 = { 0 }, q1;
	struct acc_dev d;
	uint32_t irqs;
	int32_t efd;

	if (acc_open(&d, uuid))
		die(&d, uuid);
	if (d.nqps < 2)
		die(&d, "want 2 QPs");
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (efd < 0 || acc_irq_set(&d, VFIO_PCI_MSIX_IRQ_INDEX, 0, 1, &efd))
		die(&d, "eventfd on vector 0");
	q0.d = &d;
	q0.idx = 0;
	if (acc_qp_wr32(&q0, ACCMDEV_QP_SQ_SIZE, 3) ||
	    acc_qp_wr32(&q0, ACCMDEV_QP_CQ_SIZE, 16) ||
	    acc_qp_wr32(&q0, ACCMDEV_QP_ENABLE, 1))
		die(&d, "enable with a bad ring size");
	usleep(100000);
	check(qp_rd(&q0, ACCMDEV_QP_ERROR) == ACCMDEV_QP_ERR_RING_SIZE &&
	      qp_rd(&q0, ACCMDEV_QP_IRQ_COUNT) == 1 && efd_take(efd) == 1,
	      "a ring error at enable latches RING_SIZE and signals the QP's vector once");

	if (acc_qp_setup(&d, &q1, 1, RING, RING))
		die(&d, "QP 1");
	if (acc_mig_set_state(&d, ACC_MIG_STOP, NULL))
		die(&d, "RUNNING -> STOP");
	irqs = qp_rd(&q1, ACCMDEV_QP_IRQ_COUNT);
	efd_take(q1.efd);
	if (acc_qp_wr32(&q1, ACCMDEV_QP_SQ_TAIL, RING + 5))
		die(&d, "bad doorbell");
	usleep(100000);
	check(qp_rd(&q1, ACCMDEV_QP_ERROR) == ACCMDEV_QP_ERR_SQ_TAIL &&
	      qp_rd(&q1, ACCMDEV_QP_IRQ_COUNT) == irqs && efd_take(q1.efd) == 0,
	      "a doorbell error in STOP latches SQ_TAIL and raises no interrupt");
	if (acc_mig_set_state(&d, ACC_MIG_RUNNING, NULL))
		die(&d, "STOP -> RUNNING");
	acc_qp_teardown(&q1);
	close(efd);
	acc_close(&d);
	return failures ? 1 : 0;
}

static uint32_t reg_algs(struct acc_dev *d)
{
	uint32_t v;

	if (acc_rd32(d, ACCMDEV_REG_ALGS, &v))
		die(d, "ALGS");
	return v;
}

/* The stream a save produced, whole. */
struct keep_buf {
	uint8_t b[ACCMDEV_MIG_MAX];
	size_t len;
};

static int keep_chunk(void *arg, const void *buf, size_t len, bool stopped)
{
	struct keep_buf *k = arg;

	(void)stopped;
	if (len > sizeof(k->b) - k->len)
		return -EFBIG;
	memcpy(k->b + k->len, buf, len);
	k->len += len;
	return 0;
}

/* Append a record of @len payload bytes and its zero padding. */
static size_t put_rec(uint8_t *out, size_t off, const struct accmdev_mig_rec *h,
		      const void *body, uint32_t len)
{
	struct accmdev_mig_rec r = *h;
	size_t pad = (ACCMDEV_MIG_ALIGN - len % ACCMDEV_MIG_ALIGN) % ACCMDEV_MIG_ALIGN;

	r.len = htole32(len);
	memcpy(out + off, &r, sizeof(r));
	memcpy(out + off + sizeof(r), body, len);
	memset(out + off + sizeof(r) + len, 0, pad);
	return off + sizeof(r) + len + pad;
}

static int t_narrow(const char *udonor, const char *uuid, const char *algs)
{
	static struct keep_buf in;
	static uint8_t out[ACCMDEV_MIG_MAX + 256];
	struct acc_mig_opts opts = { .no_precopy = true };
	struct acc_dev donor, d;
	struct acc_mig_stats st;
	uint32_t mask = 0, records = 0;
	size_t off, o;
	char list[128], *tok, *save;
	int fd, ret;

	if (snprintf(list, sizeof(list), "%s", algs) >= (int)sizeof(list))
		die(NULL, "ALGS too long");
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int op = acc_op_from_name(tok);

		if (op < 0) {
			fprintf(stderr, "accbound: unknown algorithm %s\n", tok);
			exit(2);
		}
		mask |= 1u << op;
	}
	open_pair(&donor, udonor, &d, uuid);
	if (acc_mig_save(&donor, &opts, keep_chunk, &in, &st))
		die(&donor, "save");
	if (acc_mig_set_state(&donor, ACC_MIG_RUNNING, NULL))
		die(&donor, "STOP -> RUNNING");

	off = sizeof(struct accmdev_mig_preamble);
	if (in.len < off)
		die(NULL, "the stream is shorter than its preamble");
	memcpy(out, in.b, off);
	o = off;
	while (off + sizeof(struct accmdev_mig_rec) <= in.len) {
		struct accmdev_mig_rec h;
		const uint8_t *body;
		uint32_t len;

		memcpy(&h, in.b + off, sizeof(h));
		len = le32toh(h.len);
		body = in.b + off + sizeof(h);
		if (len > in.len - off - sizeof(h))
			die(NULL, "a record runs past the stream");
		off += sizeof(h) + len;
		off += (ACCMDEV_MIG_ALIGN - off % ACCMDEV_MIG_ALIGN) % ACCMDEV_MIG_ALIGN;
		switch (le32toh(h.tag)) {
		case ACCMDEV_MIG_TAG_VERSION: {
			char v[512];
			const char *a;
			int n;

			if (len >= sizeof(v))
				die(NULL, "VERSION too long");
			memcpy(v, body, len);
			v[len] = '\0';
			a = strstr(v, ";algs=");
			if (!a)
				die(NULL, "VERSION without algs");
			n = snprintf(v + (a - v), sizeof(v) - (a - v), ";algs=%s", algs);
			if (n < 0 || (size_t)n >= sizeof(v) - (a - v))
				die(NULL, "VERSION too long");
			printf("# VERSION %s\n", v);
			o = put_rec(out, o, &h, v, strlen(v));
			break;
		}
		case ACCMDEV_MIG_TAG_DEVICE: {
			struct accmdev_mig_device dev;

			if (len != sizeof(dev))
				die(NULL, "DEVICE sized wrong");
			memcpy(&dev, body, sizeof(dev));
			dev.algs = htole32(mask);
			o = put_rec(out, o, &h, &dev, sizeof(dev));
			break;
		}
		case ACCMDEV_MIG_TAG_END: {
			struct accmdev_mig_end end = {
				.records = htole32(records),
				.crc32c = htole32(ref_crc32c(out, o)),
			};

			o = put_rec(out, o, &h, &end, sizeof(end));
			records = UINT32_MAX;
			break;
		}
		default:
			o = put_rec(out, o, &h, body, len);
			break;
		}
		if (records == UINT32_MAX)
			break;
		records++;
	}
	if (records != UINT32_MAX)
		die(NULL, "the stream has no END");

	ret = acc_mig_load_begin(&d, &fd);
	if (ret)
		die(&d, "RUNNING -> RESUMING");
	ret = acc_mig_write(&d, fd, out, o);
	if (ret) {
		acc_mig_load_abort(&d, fd);
		die(&d, "the narrowed stream's write");
	}
	ret = acc_mig_load_end(&d, fd);
	check(!ret, "%s resumed from a stream narrowed to %s (%s)", uuid, algs,
	      ret ? acc_error(&d) : "ok");
	check(reg_algs(&d) == mask, "its ALGS register is the narrowed set (%#x)",
	      reg_algs(&d));
	acc_close(&d);
	acc_close(&donor);
	return failures ? 1 : 0;
}

static int t_superset(const char *us, const char *ud)
{
	struct acc_mig_opts opts = { .no_precopy = true };
	struct accmdev_cqe cqe;
	struct acc_mig_stats st;
	struct acc_dev src, dst;
	struct acc_dma buf;
	struct acc_qp qp;
	uint32_t sa, da;
	int ret;

	open_pair(&src, us, &dst, ud);
	sa = reg_algs(&src);
	da = reg_algs(&dst);
	printf("ALGS: source %#x, destination %#x\n", sa, da);
	check((sa & da) == sa && sa != da,
	      "the destination's algorithms are a strict superset");
	if (acc_migrate(&src, &dst, &opts, &st))
		die(&src, "migration");
	da = reg_algs(&dst);
	check(da == sa, "after the migration the destination's ALGS is the source's (%#x)",
	      da);
	if (acc_qp_setup(&dst, &qp, 0, RING, RING) || acc_dma_map(&dst, 4096, &buf))
		die(&dst, "QP");
	for (unsigned int op = 0; op < ACCMDEV_OP_COUNT; op++) {
		if (sa & (1u << op))
			continue;
		ret = acc_oneshot(&qp, op, 0, &buf, 16, NULL, 0, &cqe);
		check(!ret && le16toh(cqe.status) == ACCMDEV_ST_UNSUPPORTED,
		      "%s, not the source's, is UNSUPPORTED on the destination",
		      acc_op_name(op));
	}
	acc_qp_teardown(&qp);
	if (acc_reset(&dst) || acc_reset(&src))
		die(&src, "reset");
	check(reg_algs(&dst) == sa, "a reset keeps the source's ALGS");
	ret = acc_migrate(&dst, &src, &opts, &st);
	check(!ret, "and the device migrates back (%s)",
	      ret ? acc_error(&dst) : "ok");
	acc_close(&dst);
	acc_close(&src);
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 4 && !strcmp(argv[1], "bounds"))
		return t_bounds(argv[2], atof(argv[3]));
	if (argc == 5 && !strcmp(argv[1], "carry"))
		return t_carry(argv[2], argv[3], argv[4]);
	if (argc == 5 && !strcmp(argv[1], "downtime"))
		return t_downtime(argv[2], argv[3], !strcmp(argv[4], "loaded"));
	if (argc == 4 && !strcmp(argv[1], "rate"))
		return t_rate(argv[2], atoi(argv[3]));
	if (argc == 3 && !strcmp(argv[1], "precopy"))
		return t_precopy(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "qpirq"))
		return t_qpirq(argv[2]);
	if (argc == 5 && !strcmp(argv[1], "narrow"))
		return t_narrow(argv[2], argv[3], argv[4]);
	if (argc == 4 && !strcmp(argv[1], "superset"))
		return t_superset(argv[2], argv[3]);
	fprintf(stderr,
		"usage: accbound bounds UUID BOUND_MS | carry SRC DST OUTDIR |\n"
		"       downtime SRC DST loaded|idle | rate UUID SECONDS |\n"
		"       precopy UUID | qpirq UUID | narrow DONOR UUID ALGS |\n"
		"       superset SRC DST\n");
	return 2;
}
