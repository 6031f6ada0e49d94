// SPDX-License-Identifier: GPL-2.0-only
/*
 * streamcases: the hand-built streams of tests/stream/cases.c against
 * the module, each written to a destination's RESUMING data fd.
 *
 *   streamcases [-s] DST_UUID...
 *
 * For each destination, the stream model is the device's own (PCI device
 * ID, revision, algorithms and queue pairs from its registers). Each
 * case runs on the first destination whose model it applies to, and the
 * streams the table accepts on every destination (the host test runs
 * every case on every model), on a device reset to RUNNING:
 * -> RESUMING, one write of the stream, -> STOP. A stream the table
 * accepts must give STOP and no refusal in the kernel log; the valid
 * stream's QP 0 registers must then read what it carried. A stream the
 * table refuses must fail the write (the early check) or the arc out of
 * RESUMING with the table's errno, leave the device in RESUMING, and log
 * "migration stream refused: [QP n: ]<reason> (-<ERRNO>)" (or the
 * errno's number, on a kernel without CONFIG_SYMBOLIC_ERRNAME), read
 * from /dev/kmsg. A reset must then give RUNNING.
 *
 * The refusal line is rate limited (10 lines per 5 s per call site), so
 * the program paces itself: at most 9 refusals per site per 5.5 s,
 * waiting for the next window when one is spent. With -s (sample) it
 * never waits: a refusal past a spent window is still checked for its
 * errno, state and reset, and its log line is not looked for.
 *
 * Prints one "ok"/"not ok" line per check, then "cases: N run on D
 * devices, F failed, every case run" (or "... M cases run nowhere") and
 * "log lines: L of R refusals checked". Exits 1 if a check failed.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "accmig.h"
#include "accvfio.h"
#include "cases.h"
#include "testlib.h"

#define MAX_DEVS	4
#define PACE_BURST	9
#define PACE_NS		5500000000ll

/*
 * The refusal lines of the current window of each call site of the
 * refusal line (QP or not): when it began and how many it printed.
 */
static int64_t win_start[2];
static unsigned int win_lines[2];
static bool sample;

/*
 * Before a refusal on @site: will the kernel print its line? The kernel
 * opens a window at the first line after the last one expired and
 * prints 10 lines in it. A window here starts after its first line was
 * read back, so it holds the kernel's, and allows 9: when it is spent,
 * wait for its end, or with -s answer no.
 */
static bool line_expected(int site)
{
	int64_t now = acc_mig_now(), wait;

	if (win_lines[site] && now - win_start[site] > PACE_NS)
		win_lines[site] = 0;
	if (win_lines[site] < PACE_BURST)
		return true;
	if (sample)
		return false;
	wait = win_start[site] + PACE_NS - now;
	if (wait > 0)
		nanosleep(&(struct timespec){ wait / 1000000000,
					      wait % 1000000000 }, NULL);
	win_lines[site] = 0;
	return true;
}

/* After a refusal on @site whose line was expected and was read back. */
static void line_seen(int site)
{
	if (!win_lines[site]++)
		win_start[site] = acc_mig_now();
}

/* /dev/kmsg, positioned after its last record. */
static int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);

	if (fd < 0 || lseek(fd, 0, SEEK_END) < 0) {
		perror("/dev/kmsg");
		exit(1);
	}
	return fd;
}

/*
 * The messages logged since @fd was opened, one per line, in @out.
 * A record is "PRIO,SEQ,USEC,FLAGS;MESSAGE\n..."; EPIPE means records
 * were overwritten: go on.
 */
static void kmsg_read(int fd, char *out, size_t cap)
{
	char rec[8192];
	size_t len = 0;
	ssize_t n;

	out[0] = '\0';
	for (;;) {
		char *msg, *end;

		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;
		if (n <= 0)
			break;
		rec[n] = '\0';
		msg = strchr(rec, ';');
		if (!msg)
			continue;
		msg++;
		end = strchr(msg, '\n');
		if (end)
			*end = '\0';
		len += snprintf(out + len, cap - len, "%s\n", msg);
		if (len >= cap)
			len = cap - 1;
	}
	close(fd);
}

static uint32_t state_of(struct acc_dev *d)
{
	uint32_t s;

	if (acc_mig_get_state(d, &s))
		die(d, "getting the state");
	return s;
}

/* The valid stream's QP 0, read back from the registers in STOP. */
static void check_applied(struct acc_dev *d, const char *dev)
{
	static const struct { uint32_t reg; size_t off; const char *name; } r[] = {
		{ ACCMDEV_QP_SQ_TAIL, offsetof(struct accmdev_mig_qp, sq_tail), "SQ_TAIL" },
		{ ACCMDEV_QP_SQ_HEAD, offsetof(struct accmdev_mig_qp, sq_head), "SQ_HEAD" },
		{ ACCMDEV_QP_CQ_TAIL, offsetof(struct accmdev_mig_qp, cq_tail), "CQ_TAIL" },
		{ ACCMDEV_QP_CQ_HEAD, offsetof(struct accmdev_mig_qp, cq_head), "CQ_HEAD" },
		{ ACCMDEV_QP_SQ_SIZE, offsetof(struct accmdev_mig_qp, sq_size), "SQ_SIZE" },
		{ ACCMDEV_QP_CQ_SIZE, offsetof(struct accmdev_mig_qp, cq_size), "CQ_SIZE" },
		{ ACCMDEV_QP_ENABLE, offsetof(struct accmdev_mig_qp, enabled), "ENABLE" },
		{ ACCMDEV_QP_CTX, offsetof(struct accmdev_mig_qp, ctx_op), "CTX" },
		{ ACCMDEV_QP_DONE_COUNT, offsetof(struct accmdev_mig_qp, done_count), "DONE_COUNT" },
	};
	static struct sc_stream s;
	struct sc_model m = {
		.device_id = d->id & 0xffff, .rev = d->rev, .algs = d->algs,
		.nqps = d->nqps,
	};
	unsigned int bad = 0;

	sc_init(&s, &m);
	for (unsigned int i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
		uint32_t want, got;

		memcpy(&want, (const uint8_t *)&s.qp[0] + r[i].off, sizeof(want));
		want = le32toh(want);
		if (acc_rd32(d, ACCMDEV_QP_REG(0, r[i].reg), &got) || got != want) {
			printf("# %s: QP 0 %s reads %#x, the stream carried %#x\n",
			       dev, r[i].name, got, want);
			bad++;
		}
	}
	check(!bad, "%s: the valid stream's QP 0 registers read back as carried",
	      dev);
}

static unsigned int refusals, lines_checked;

static bool run_case(struct acc_dev *d, const char *dev,
		     const struct sc_model *m, const struct sc_case *c)
{
	static uint8_t buf[SC_STREAM_MAX];
	static char log[65536];
	char want[256], want_nr[256], qp[16] = "";
	size_t len = sc_build(m, c, buf);
	int fd, kfd, werr, ret;
	uint32_t st;
	bool ok, expect_line = false, logged;

	if (c->err)
		expect_line = line_expected(c->qp >= 0);
	if (acc_reset(d) || state_of(d) != ACC_MIG_RUNNING)
		die(d, "a reset to RUNNING");
	kfd = kmsg_open();
	if (acc_mig_set_state(d, ACC_MIG_RESUMING, &fd) || fd < 0)
		die(d, "-> RESUMING");
	werr = acc_mig_write(d, fd, buf, len);
	ret = acc_mig_set_state(d, ACC_MIG_STOP, NULL);
	close(fd);
	st = state_of(d);
	kmsg_read(kfd, log, sizeof(log));

	if (!c->err) {
		ok = !werr && !ret && st == ACC_MIG_STOP &&
		     !strstr(log, "migration stream refused");
		check(ok, "%s: %s: accepted (write %s, STOP %s, state %s)", dev,
		      c->name, werr ? strerror(-werr) : "ok",
		      ret ? strerror(-ret) : "ok", acc_mig_state_name(st));
		if (ok && !c->edit)
			check_applied(d, dev);
		return ok;
	}
	if (c->qp >= 0)
		snprintf(qp, sizeof(qp), "QP %d: ", c->qp);
	/* %pe prints the name, or the number without SYMBOLIC_ERRNAME. */
	snprintf(want, sizeof(want), "migration stream refused: %s%s (-%s)", qp,
		 c->why, sc_errname(c->err));
	snprintf(want_nr, sizeof(want_nr), "migration stream refused: %s%s (-%d)",
		 qp, c->why, c->err);
	logged = strstr(log, want) || strstr(log, want_nr);
	if (!strcmp(c->why, "VERSION refused"))
		logged = logged &&
			 strstr(log, "stream: migration_version refused: ");
	ok = werr == (c->stage == SC_WRITE ? -c->err : 0) && ret == -c->err &&
	     st == ACC_MIG_RESUMING && (logged || !expect_line);
	refusals++;
	lines_checked += expect_line;
	if (expect_line && logged)
		line_seen(c->qp >= 0);
	check(ok, "%s: %s: write %s, STOP %s, state %s, log %s%s%s", dev,
	      c->name, werr ? sc_errname(-werr) : "ok",
	      ret ? sc_errname(-ret) : "ok", acc_mig_state_name(st),
	      expect_line ? "\"" : "", expect_line ? want :
	      "not checked (the rate limit's window is spent)",
	      expect_line ? "\"" : "");
	if (!ok)
		printf("# kernel log:\n# %.*s\n", 2000, log);
	if (acc_reset(d) || state_of(d) != ACC_MIG_RUNNING)
		check(0, "%s: %s: a reset gives RUNNING", dev, c->name);
	return ok;
}

int main(int argc, char **argv)
{
	static struct acc_dev devs[MAX_DEVS];
	unsigned int ran[256] = {0}, runs = 0, failed = 0, nowhere = 0;
	int n, opt;

	while ((opt = getopt(argc, argv, "s")) != -1) {
		if (opt != 's')
			return 2;
		sample = true;
	}
	argc -= optind - 1;
	argv += optind - 1;
	n = argc - 1;
	if (n < 1 || n > MAX_DEVS || sc_ncases > 256) {
		fprintf(stderr, "usage: streamcases [-s] DST_UUID... (at most %d)\n",
			MAX_DEVS);
		return 2;
	}
	for (int i = 0; i < n; i++)
		if (i ? acc_open_shared(&devs[i], argv[i + 1], &devs[0]) :
			acc_open(&devs[i], argv[i + 1]))
			die(&devs[i], argv[i + 1]);

	/* Earlier refusals may still hold the log's rate limit. */
	sleep(6);
	for (int i = 0; i < n; i++) {
		struct acc_dev *d = &devs[i];
		struct sc_model m = {
			.device_id = d->id & 0xffff, .rev = d->rev,
			.algs = d->algs, .nqps = d->nqps,
		};
		const char *dev = argv[i + 1];

		printf("# %s: device %#x rev %u algs %#x, %u QPs\n", dev,
		       m.device_id, m.rev, m.algs, m.nqps);
		for (unsigned int ci = 0; ci < sc_ncases; ci++) {
			if (!sc_applies(&sc_cases[ci], &m) ||
			    (ran[ci] && sc_cases[ci].err))
				continue;
			failed += !run_case(d, dev, &m, &sc_cases[ci]);
			ran[ci]++;
			runs++;
		}
	}
	for (unsigned int ci = 0; ci < sc_ncases; ci++) {
		if (ran[ci])
			continue;
		check(0, "case %s runs on one of the devices", sc_cases[ci].name);
		nowhere++;
	}
	if (nowhere)
		printf("cases: %u run on %d devices, %u failed, %u cases run nowhere\n",
		       runs, n, failed, nowhere);
	else
		printf("cases: %u run on %d devices, %u failed, every case run\n",
		       runs, n, failed);
	printf("log lines: %u of %u refusals checked%s\n", lines_checked,
	       refusals, sample ? " (sampled, -s)" : "");
	return failures ? 1 : 0;
}
