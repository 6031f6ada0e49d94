// SPDX-License-Identifier: GPL-2.0-only
/*
 * accmig: migration scenarios for tests/bats/74-migration.bats, on the
 * accvfio library and its migration engine (tools/vfio/accmig.h). The
 * loops live here, not in the (slow, traced) bats bodies.
 *
 *   accmig fsm UUID                 every arc of the FSM, legal or not
 *   accmig bad-stream UUID          broken streams fail RESUMING -> STOP
 *   accmig close UUID               close of the device mid-migration
 *   accmig inflight SRC DST         requests pending at the stop
 *   accmig refuse SRC DST ERRNO     an incompatible destination
 *
 * Each check prints "ok - ..." or "not ok - ..."; summary lines that the
 * tests assert start with a word and a colon. The exit status is 1 if a
 * check failed, 2 on usage errors. SRC and DST are opened in one
 * container, as a VMM opens the devices of one guest: a request's
 * memory is at the same IOVA for both, as after a guest's RAM is copied.
 */
#include <endian.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "accmig.h"
#include "accref.h"
#include "accvfio.h"
#include "testlib.h"
#include "uapi/accmdev_mig.h"

static const char *ename(int err)
{
	const char *n = err ? strerrorname_np(err) : "0";

	return n ? n : "E?";
}

static int errno_from_name(const char *name)
{
	for (int e = 1; e < 256; e++) {
		const char *n = strerrorname_np(e);

		if (n && !strcmp(n, name))
			return e;
	}
	return -1;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void open_dev(struct acc_dev *d, const char *uuid,
		     struct acc_dev *share)
{
	if (acc_open_shared(d, uuid, share))
		die(d, uuid);
}

static uint32_t state_of(struct acc_dev *d)
{
	uint32_t s;

	if (acc_mig_get_state(d, &s))
		die(d, "getting the state");
	return s;
}

static void reset(struct acc_dev *d)
{
	if (acc_reset(d))
		die(d, "reset");
}

static uint64_t mig_flags(struct acc_dev *d)
{
	uint64_t f;

	if (acc_mig_flags(d, &f))
		die(d, "migration flags");
	printf("flags: STOP_COPY%s%s\n", f & ACC_MIG_F_P2P ? " P2P" : "",
	       f & ACC_MIG_F_PRE_COPY ? " PRE_COPY" : "");
	return f;
}

/* ---- fsm -------------------------------------------------------------- */

static bool saving(unsigned int s)
{
	return s == ACC_MIG_STOP_COPY || s == ACC_MIG_PRE_COPY ||
	       s == ACC_MIG_PRE_COPY_P2P;
}

static bool supported(uint64_t f, unsigned int s)
{
	switch (s) {
	case ACC_MIG_STOP:
	case ACC_MIG_RUNNING:
	case ACC_MIG_STOP_COPY:
	case ACC_MIG_RESUMING:
		return true;
	case ACC_MIG_RUNNING_P2P:
		return f & ACC_MIG_F_P2P;
	case ACC_MIG_PRE_COPY:
		return f & ACC_MIG_F_PRE_COPY;
	case ACC_MIG_PRE_COPY_P2P:
		return (f & ACC_MIG_F_P2P) && (f & ACC_MIG_F_PRE_COPY);
	default:
		return false;
	}
}

/* The uAPI's rules: every supported state, but not back to pre-copy. */
static bool legal(uint64_t f, unsigned int from, unsigned int to)
{
	return supported(f, to) &&
	       !(from == ACC_MIG_STOP_COPY &&
		 (to == ACC_MIG_PRE_COPY || to == ACC_MIG_PRE_COPY_P2P));
}

/* Does the arc start a transfer session (a new data fd)? */
static bool opens_fd(unsigned int from, unsigned int to)
{
	if (to == ACC_MIG_RESUMING)
		return from != ACC_MIG_RESUMING;
	return saving(to) && !saving(from);
}

/* Put @d in @from; returns its data fd or -1. */
static int reach(struct acc_dev *d, unsigned int from, const uint8_t *stream,
		 size_t len)
{
	int fd = -1;

	reset(d);
	if (state_of(d) != ACC_MIG_RUNNING)
		die(d, "reset did not give RUNNING");
	if (from != ACC_MIG_RUNNING && acc_mig_set_state(d, from, &fd))
		die(d, "reaching the start state");
	/* Leaving RESUMING needs a whole, valid stream. */
	if (from == ACC_MIG_RESUMING && acc_mig_write(d, fd, stream, len))
		die(d, "writing a valid stream");
	return fd;
}

static int t_fsm(const char *uuid)
{
	static uint8_t stream[ACCMDEV_MIG_MAX];
	unsigned int ok_legal = 0, ok_illegal = 0, n = 0;
	struct acc_dev d;
	uint64_t f;
	size_t len;

	open_dev(&d, uuid, NULL);
	f = mig_flags(&d);
	len = save_stream(&d, stream, sizeof(stream), ACC_MIG_RUNNING);
	check(len > sizeof(struct accmdev_mig_preamble), "a stop-copy stream of %zu bytes",
	      len);

	for (unsigned int from = 0; from < ACC_MIG_NSTATES; from++) {
		if (!supported(f, from))
			continue;
		for (unsigned int to = 0; to <= ACC_MIG_NSTATES; to++) {
			int fd = reach(&d, from, stream, len), nfd = -1;
			int ret = acc_mig_set_state(&d, to, &nfd);
			uint32_t now = state_of(&d);
			const char *a = acc_mig_state_name(from);
			const char *b = acc_mig_state_name(to);

			n++;
			if (legal(f, from, to)) {
				bool want = opens_fd(from, to);
				bool good = !ret && now == to && want == (nfd >= 0);

				ok_legal += good;
				check(good, "%s -> %s: %s, state %s, %s data fd",
				      a, b, ret ? ename(-ret) : "done",
				      acc_mig_state_name(now),
				      nfd >= 0 ? "a new" : "no");
			} else {
				bool good = ret == -EINVAL && now == from;

				ok_illegal += good;
				check(good, "%s -> %s: refused %s, state %s",
				      a, b, ret ? ename(-ret) : "NOT (done)",
				      acc_mig_state_name(now));
			}
			if (nfd >= 0)
				close(nfd);
			if (fd >= 0)
				close(fd);
		}
	}
	reset(&d);
	printf("arcs: %u legal done, %u illegal refused, of %u\n", ok_legal,
	       ok_illegal, n);
	acc_close(&d);
	return failures ? 1 : 0;
}

/* ---- bad streams ---------------------------------------------------- */

static void qp_up(struct acc_dev *d, struct acc_qp *qp, uint32_t sq, uint32_t cq)
{
	if (acc_qp_setup(d, qp, 0, sq, cq))
		die(d, "QP setup");
}

/* One crc32c request on a fresh QP equals the reference. */
static bool computes(struct acc_dev *d)
{
	struct acc_dma buf;
	struct accmdev_cqe cqe;
	struct acc_qp qp;
	uint32_t got;
	bool good;

	qp_up(d, &qp, 4, 4);
	if (acc_dma_map(d, 4096, &buf))
		die(d, "DMA map");
	ref_fill(buf.va, 4096, 7);
	if (acc_oneshot(&qp, ACCMDEV_OP_CRC32C, 0, &buf, 4096, NULL, 0, &cqe))
		die(d, "crc32c");
	memcpy(&got, cqe.result, 4);
	good = le16toh(cqe.status) == ACCMDEV_ST_OK &&
	       le32toh(got) == ref_crc32c(buf.va, 4096);
	acc_dma_unmap(d, &buf);
	acc_qp_teardown(&qp);
	return good;
}

static int t_bad_stream(const char *uuid)
{
	static uint8_t stream[ACCMDEV_MIG_MAX], bad[ACCMDEV_MIG_MAX + 8];
	static const char *const what[] = {
		"an empty stream", "a truncated stream", "a corrupted stream",
		"a stream with trailing bytes", "the valid stream",
	};
	struct acc_dev d;
	size_t len;

	open_dev(&d, uuid, NULL);
	len = save_stream(&d, stream, sizeof(stream), ACC_MIG_RUNNING);
	for (unsigned int i = 0; i < sizeof(what) / sizeof(what[0]); i++) {
		size_t blen = len;
		int fd, wret, ret;
		uint32_t after;

		memcpy(bad, stream, len);
		if (i == 0)
			blen = 0;
		else if (i == 1)
			blen = len - ACCMDEV_MIG_ALIGN;
		else if (i == 2)
			bad[len - sizeof(struct accmdev_mig_end) - 24] ^= 0x5a;
		else if (i == 3)
			blen = len + ACCMDEV_MIG_ALIGN;
		if (acc_mig_load_begin(&d, &fd))
			die(&d, "RUNNING -> RESUMING");
		wret = blen ? acc_mig_write(&d, fd, bad, blen) : 0;
		ret = acc_mig_set_state(&d, ACC_MIG_STOP, NULL);
		after = state_of(&d);
		close(fd);
		if (i == 4) {
			check(!wret && !ret && after == ACC_MIG_STOP,
			      "%s loads: state %s", what[i],
			      acc_mig_state_name(after));
		} else {
			check(wret || ret, "%s is refused: %s%s, state %s",
			      what[i], wret ? "write " : "RESUMING -> STOP ",
			      ename(-(wret ? wret : ret)),
			      acc_mig_state_name(after));
		}
		reset(&d);
		after = state_of(&d);
		check(after == ACC_MIG_RUNNING && computes(&d),
		      "after %s and a reset: %s, and the device computes",
		      what[i], acc_mig_state_name(after));
	}
	acc_close(&d);
	return failures ? 1 : 0;
}

/* ---- close mid-migration ------------------------------------------- */

static int t_close(const char *uuid)
{
	static uint8_t stream[ACCMDEV_MIG_MAX];
	const unsigned int states[] = {
		ACC_MIG_PRE_COPY, ACC_MIG_STOP_COPY, ACC_MIG_RESUMING,
	};
	struct acc_dev d;
	uint64_t f;
	size_t len;

	open_dev(&d, uuid, NULL);
	f = mig_flags(&d);
	len = save_stream(&d, stream, sizeof(stream), ACC_MIG_RUNNING);
	acc_close(&d);
	for (unsigned int i = 0; i < 3; i++) {
		unsigned int s = states[i];
		const char *name = acc_mig_state_name(s);
		uint8_t buf[64];
		ssize_t n;
		int fd, err;

		if (!supported(f, s)) {
			printf("skip: %s is not supported\n", name);
			continue;
		}
		open_dev(&d, uuid, NULL);
		if (acc_mig_set_state(&d, s, &fd) || fd < 0)
			die(&d, name);
		/* Part of the stream moves first: mid-migration. */
		if (s == ACC_MIG_RESUMING)
			n = write(fd, stream, len / 2);
		else
			n = read(fd, buf, 16);
		check(n > 0, "%s: data moves before the close (%zd bytes)",
		      name, n);
		acc_close(&d);

		open_dev(&d, uuid, NULL);
		check(state_of(&d) == ACC_MIG_RUNNING,
		      "%s: closed and reopened, the device is %s", name,
		      acc_mig_state_name(state_of(&d)));
		if (s == ACC_MIG_RESUMING)
			n = write(fd, stream + len / 2, len - len / 2);
		else
			n = read(fd, buf, sizeof(buf));
		err = errno;
		check(n < 0, "%s: the old data fd fails %s: %s", name,
		      s == ACC_MIG_RESUMING ? "writes" : "reads",
		      n < 0 ? ename(err) : "it did not");
		check(state_of(&d) == ACC_MIG_RUNNING && computes(&d),
		      "%s: the reopened device is RUNNING and computes", name);
		close(fd);
		acc_close(&d);
	}
	return failures ? 1 : 0;
}

/* ---- requests in flight ---------------------------------------------- */

#define REQ_MAX		64

/* A sink that records the stream and feeds the destination. */
struct rec_sink {
	struct acc_dev *dst;
	int fd;
	uint8_t buf[ACCMDEV_MIG_MAX];
	size_t len;
};

static int rec_write(void *arg, const void *buf, size_t len, bool stopped)
{
	struct rec_sink *r = arg;

	(void)stopped;
	if (r->len + len <= sizeof(r->buf)) {
		memcpy(r->buf + r->len, buf, len);
		r->len += len;
	}
	return acc_mig_write(r->dst, r->fd, buf, len);
}

/* Requests the stream shows pending on QP 0 (SQ_TAIL - SQ_HEAD), or -1. */
static long pending_in(const uint8_t *s, size_t len)
{
	size_t off = sizeof(struct accmdev_mig_preamble);

	while (off + sizeof(struct accmdev_mig_rec) <= len) {
		struct accmdev_mig_rec r;
		struct accmdev_mig_qp q;
		uint32_t rlen;

		memcpy(&r, s + off, sizeof(r));
		rlen = le32toh(r.len);
		off += sizeof(r);
		if (rlen > len - off)
			return -1;
		if (le32toh(r.tag) == ACCMDEV_MIG_TAG_QP && rlen >= sizeof(q)) {
			memcpy(&q, s + off, sizeof(q));
			if (!le32toh(q.index))
				return (le32toh(q.sq_tail) - le32toh(q.sq_head)) &
				       (le32toh(q.sq_size) - 1);
		}
		off += (rlen + ACCMDEV_MIG_ALIGN - 1) & ~(size_t)(ACCMDEV_MIG_ALIGN - 1);
	}
	return -1;
}

/* Migrate @src to @dst recording the stream; 0 or -errno. */
static int migrate_rec(struct acc_dev *src, struct acc_dev *dst,
		       struct rec_sink *r, struct acc_mig_stats *st)
{
	int ret;

	memset(st, 0, sizeof(*st));
	r->dst = dst;
	r->len = 0;
	if (acc_mig_load_begin(dst, &r->fd))
		die(dst, "destination: RESUMING");
	ret = acc_mig_save(src, NULL, rec_write, r, st);
	if (ret) {
		acc_mig_load_abort(dst, r->fd);
		return ret;
	}
	ret = acc_mig_load_end(dst, r->fd);
	st->t_running = acc_mig_now();
	return ret;
}

static void submit_raw(struct acc_qp *qp, const struct accmdev_sqe *s,
		       unsigned int n)
{
	struct accmdev_sqe *ring = qp->sq.va;

	if (qp->inflight + n >= qp->sq_size)
		die(qp->d, "SQ overflow in the test");
	for (unsigned int i = 0; i < n; i++) {
		ring[qp->sq_tail] = s[i];
		qp->sq_tail = (qp->sq_tail + 1) & (qp->sq_size - 1);
	}
	qp->inflight += n;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	if (acc_qp_wr32(qp, ACCMDEV_QP_SQ_TAIL, qp->sq_tail))
		die(qp->d, "doorbell");
}

/*
 * @n one-shot crc32c requests (tags 1000 + i, each on its own data),
 * then a migration from @a to @b, then every completion reaped on @b.
 * With @wait_full the source first fills its CQ, so that exactly
 * n - (cq_size - 1) requests are pending when it stops.
 */
static void inflight_round(const char *name, struct acc_dev *a,
			   struct acc_dev *b, struct acc_qp *qp,
			   struct acc_dma *data, unsigned int n, uint32_t len,
			   bool wait_full)
{
	static struct rec_sink rec;
	struct accmdev_sqe sqe[REQ_MAX];
	unsigned int seen[REQ_MAX] = { 0 }, got = 0, bad = 0, dup = 0;
	struct acc_mig_stats st;
	long pending;
	int ret;

	for (unsigned int i = 0; i < n; i++) {
		memset(&sqe[i], 0, sizeof(sqe[i]));
		sqe[i].opcode = ACCMDEV_OP_CRC32C;
		sqe[i].flags = ACCMDEV_SQE_F_ONESHOT;
		sqe[i].tag = htole64(1000 + i);
		sqe[i].src = htole64(data->iova + (uint64_t)i * len);
		sqe[i].src_len = htole32(len);
	}
	submit_raw(qp, sqe, n);
	if (wait_full) {
		uint32_t status = 0;

		for (int t = 0; t < 6000 && !(status & ACCMDEV_QP_ST_CQ_FULL); t++) {
			if (acc_qp_rd32(qp, ACCMDEV_QP_STATUS, &status))
				die(a, "QP status");
			if (!(status & ACCMDEV_QP_ST_CQ_FULL))
				sleep_ms(10);
		}
		check(status & ACCMDEV_QP_ST_CQ_FULL, "%s: the source's CQ is full",
		      name);
	}
	ret = migrate_rec(a, b, &rec, &st);
	if (ret)
		die(a, "migration");
	if (acc_mig_adopt_qp(qp, b))
		die(b, "QP on the destination");
	pending = pending_in(rec.buf, rec.len);
	printf("%s: %u requests, %ld pending in the stream, %llu bytes\n",
	       name, n, pending,
	       (unsigned long long)(st.precopy_bytes + st.stopcopy_bytes));
	if (wait_full)
		check(pending == (long)(n - (qp->cq_size - 1)),
		      "%s: %ld requests pending at the stop, want %u", name,
		      pending, n - (qp->cq_size - 1));

	while (got < n) {
		struct accmdev_cqe cqe[16];
		int m = acc_qp_wait(qp, cqe, 16, 60000);

		if (m < 0)
			break;
		for (int i = 0; i < m; i++, got++) {
			uint64_t tag = le64toh(cqe[i].tag) - 1000;
			uint32_t crc;

			memcpy(&crc, cqe[i].result, 4);
			if (tag >= n) {
				bad++;
				continue;
			}
			if (seen[tag]++)
				dup++;
			if (le16toh(cqe[i].status) != ACCMDEV_ST_OK ||
			    le32toh(crc) != ref_crc32c((uint8_t *)data->va +
						       tag * len, len))
				bad++;
		}
	}
	{
		struct accmdev_cqe extra;

		sleep_ms(100);
		got += acc_qp_poll(qp, &extra, 1) > 0;
	}
	check(got == n && !bad && !dup,
	      "%s: %u completions for %u requests, %u duplicate, %u wrong",
	      name, got, n, dup, bad);
	check(state_of(a) == ACC_MIG_STOP && state_of(b) == ACC_MIG_RUNNING,
	      "%s: source %s, destination %s", name,
	      acc_mig_state_name(state_of(a)), acc_mig_state_name(state_of(b)));
}

static int t_inflight(const char *us, const char *ud)
{
	struct acc_dev src, dst;
	struct acc_dma data;
	struct acc_qp qp;
	const uint32_t len = 64 * 1024;

	open_dev(&src, us, NULL);
	open_dev(&dst, ud, &src);
	mig_flags(&src);
	if (acc_dma_map(&src, (size_t)REQ_MAX * len, &data))
		die(&src, "DMA map");
	for (unsigned int i = 0; i < REQ_MAX; i++)
		ref_fill((uint8_t *)data.va + (size_t)i * len, len, i);

	/* A: a 16-entry CQ fills; 48 - 15 requests wait in the SQ. */
	qp_up(&src, &qp, 64, 16);
	inflight_round("stalled", &src, &dst, &qp, &data, 48, len, true);
	acc_qp_teardown(&qp);

	/* B: back the other way, requests racing with the stop. */
	qp_up(&dst, &qp, 64, 64);
	inflight_round("racing", &dst, &src, &qp, &data, 60, len, false);
	acc_qp_teardown(&qp);

	acc_dma_unmap(&src, &data);
	acc_close(&dst);
	acc_close(&src);
	return failures ? 1 : 0;
}

/* ---- an incompatible destination ------------------------------------ */

static int t_refuse(const char *us, const char *ud, const char *ename_want)
{
	const uint32_t half = 32 * 1024;
	struct acc_dev src, dst;
	struct acc_mig_stats st;
	struct accmdev_sqe sqe;
	struct accmdev_cqe cqe;
	struct acc_dma data;
	struct acc_qp qp;
	int want = errno_from_name(ename_want), ret;
	uint32_t crc;

	if (want < 0) {
		fprintf(stderr, "accmig: unknown errno name %s\n", ename_want);
		return 2;
	}
	open_dev(&src, us, NULL);
	open_dev(&dst, ud, &src);
	mig_flags(&src);
	qp_up(&src, &qp, 8, 8);
	if (acc_dma_map(&src, 2 * half, &data))
		die(&src, "DMA map");
	ref_fill(data.va, 2 * half, 99);

	/* A crc32c stream is open on the source: its first half is done. */
	memset(&sqe, 0, sizeof(sqe));
	sqe.opcode = ACCMDEV_OP_CRC32C;
	sqe.flags = ACCMDEV_SQE_F_FIRST;
	sqe.tag = htole64(1);
	sqe.src = htole64(data.iova);
	sqe.src_len = htole32(half);
	if (acc_qp_submit(&qp, &sqe, 1) || acc_qp_wait(&qp, &cqe, 1, 60000) != 1)
		die(&src, "first half");

	ret = acc_migrate(&src, &dst, NULL, &st);
	printf("refused: %s at chunk %u in %s\n", ret ? ename(-ret) : "nothing",
	       st.fail_chunk, st.phase ? st.phase : "-");
	printf("sent: %llu pre-copy bytes, %llu stop-copy bytes\n",
	       (unsigned long long)st.precopy_bytes,
	       (unsigned long long)st.stopcopy_bytes);
	check(ret == -want && st.fail_chunk == 1,
	      "the first write to the destination fails with %s (%s)",
	      ename_want, acc_error(&src));
	check(state_of(&src) == ACC_MIG_RUNNING, "the source is %s",
	      acc_mig_state_name(state_of(&src)));
	check(state_of(&dst) == ACC_MIG_RUNNING, "the destination is %s",
	      acc_mig_state_name(state_of(&dst)));

	/* The source finishes its stream. */
	sqe.flags = ACCMDEV_SQE_F_FINAL;
	sqe.tag = htole64(2);
	sqe.src = htole64(data.iova + half);
	if (acc_qp_submit(&qp, &sqe, 1) || acc_qp_wait(&qp, &cqe, 1, 60000) != 1)
		die(&src, "second half");
	memcpy(&crc, cqe.result, 4);
	check(le16toh(cqe.status) == ACCMDEV_ST_OK &&
	      le32toh(crc) == ref_crc32c(data.va, 2 * half),
	      "the source still computes: its open crc32c stream ends right");
	acc_dma_unmap(&src, &data);
	acc_qp_teardown(&qp);
	acc_close(&dst);
	acc_close(&src);
	return failures ? 1 : 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: accmig fsm UUID | bad-stream UUID | close UUID |\n"
		"       inflight SRC DST | refuse SRC DST ERRNO-NAME\n");
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "fsm"))
		return t_fsm(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "bad-stream"))
		return t_bad_stream(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "close"))
		return t_close(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "inflight"))
		return t_inflight(argv[2], argv[3]);
	if (argc == 5 && !strcmp(argv[1], "refuse"))
		return t_refuse(argv[2], argv[3], argv[4]);
	usage();
	return 2;
}
