// SPDX-License-Identifier: GPL-2.0-only
/*
 * accrun: run an algorithm on an accmdev device, through VFIO.
 *
 *   accrun --uuid U --info
 *   accrun --uuid U --alg sha256 FILE...        like sha256sum
 *   accrun --uuid U --alg crc32c FILE...        8 hex digits per file
 *   accrun --uuid U --alg deflate [-o OUT] FILE  zlib stream (<= 1 MiB in)
 *   accrun --uuid U --alg inflate [-o OUT] FILE
 *   accrun --uuid U --alg sha256 --migrate-to DST --at BYTES FILE
 *
 * --migrate-to runs one streaming algorithm over one FILE and migrates
 * the device to DST (opened in the same container, so the rings and
 * buffers are at the same IOVAs) once BYTES of the input have been
 * read; the rest of the stream runs on DST. Requests already submitted
 * are in flight during the migration. A line on stderr reports it.
 *
 * Options: --qp N (queue pair, 0), --ring N (SQ and CQ entries, 64),
 * --chunk BYTES (request size of streaming algorithms, 65536),
 * --level N (deflate level 1..9). FILE "-" (the default) is stdin.
 * Exit status: 0 done, 1 failed (device or I/O), 2 usage.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accmig.h"
#include "accvfio.h"

struct opts {
	const char *uuid;
	const char *out;
	const char *migrate_to;
	unsigned long long at;
	int op;
	unsigned int qp;
	unsigned int ring;
	unsigned long chunk;
	unsigned int level;
	bool info;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: accrun --uuid UUID --info\n"
		"       accrun --uuid UUID --alg ALG [--qp N] [--ring N] [--chunk BYTES]\n"
		"              [--level N] [-o OUT] [FILE...]\n"
		"       accrun --uuid UUID --alg ALG --migrate-to DST --at BYTES [--qp N]\n"
		"              [--ring N] [--chunk BYTES] FILE\n"
		"ALG: crc32c adler32 deflate inflate sha256 sha224\n");
}

static long read_fd(void *arg, void *buf, size_t len)
{
	ssize_t n;

	do {
		n = read(*(int *)arg, buf, len);
	} while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

/* The input of a stream that migrates once @at bytes have been read. */
struct mig_input {
	int fd;
	unsigned long long done, at;
	bool migrated;
	struct acc_qp *qp;
	struct acc_dev *dst;
	const char *dst_uuid;
};

static int migrate_now(struct mig_input *m)
{
	struct acc_dev *src = m->qp->d;
	unsigned int inflight = m->qp->inflight;
	struct acc_mig_stats st;

	if (acc_migrate(src, m->dst, NULL, &st)) {
		fprintf(stderr, "accrun: migration to %s failed in %s: %s\n",
			m->dst_uuid, st.phase, acc_error(src));
		return -EIO;
	}
	if (acc_mig_adopt_qp(m->qp, m->dst)) {
		fprintf(stderr, "accrun: %s\n", acc_error(m->dst));
		return -EIO;
	}
	m->migrated = true;
	fprintf(stderr,
		"accrun: migrated to %s at %llu bytes, %u requests in flight, "
		"%llu+%llu bytes, downtime %lld us\n", m->dst_uuid, m->done,
		inflight, (unsigned long long)st.precopy_bytes,
		(unsigned long long)st.stopcopy_bytes,
		(long long)(st.t_running - st.t_stop) / 1000);
	return 0;
}

static long read_migrating(void *arg, void *buf, size_t len)
{
	struct mig_input *m = arg;
	long n;

	if (!m->migrated && m->done >= m->at) {
		int ret = migrate_now(m);

		if (ret)
			return ret;
	}
	if (!m->migrated && len > m->at - m->done)
		len = m->at - m->done;
	n = read_fd(&m->fd, buf, len);
	if (n > 0)
		m->done += n;
	return n;
}

static int open_input(const char *name)
{
	int fd = strcmp(name, "-") ? open(name, O_RDONLY | O_CLOEXEC) : 0;

	if (fd < 0)
		fprintf(stderr, "accrun: %s: %s\n", name, strerror(errno));
	return fd;
}

static void print_info(struct acc_dev *d)
{
	printf("id %#010x\nrevision %u\nqueue-pairs %u\nalgorithms ", d->id,
	       d->rev, d->nqps);
	for (unsigned int op = 0, n = 0; op < ACCMDEV_OP_COUNT; op++)
		if (d->algs & (1u << op))
			printf("%s%s", n++ ? "," : "", acc_op_name(op));
	printf("\n");
}

/* Checksums print as one number, digests as bytes, like *sum tools. */
static void print_result(int op, const uint8_t *r, uint32_t len,
			 const char *name)
{
	if (op == ACCMDEV_OP_CRC32C || op == ACCMDEV_OP_ADLER32) {
		printf("%08x", r[0] | r[1] << 8 | r[2] << 16 | (uint32_t)r[3] << 24);
	} else {
		for (uint32_t i = 0; i < len; i++)
			printf("%02x", r[i]);
	}
	printf("  %s\n", name);
}

static int run_stream(struct acc_qp *qp, const struct opts *o, char **files,
		      int nfiles)
{
	static char *dash[] = { "-" };
	int rc = 0;

	if (!nfiles) {
		files = dash;
		nfiles = 1;
	}
	for (int i = 0; i < nfiles; i++) {
		uint8_t result[32];
		uint32_t len;
		int fd = open_input(files[i]);
		int ret;

		if (fd < 0) {
			rc = 1;
			continue;
		}
		ret = acc_stream(qp, o->op, read_fd, &fd, o->chunk, result, &len);
		if (fd)
			close(fd);
		if (ret) {
			fprintf(stderr, "accrun: %s: %s\n", files[i],
				acc_error(qp->d));
			rc = 1;
			continue;
		}
		print_result(o->op, result, len, files[i]);
	}
	return rc;
}

static int run_migrating(struct acc_qp *qp, const struct opts *o,
			 char **files, int nfiles)
{
	struct mig_input m = { .at = o->at, .qp = qp, .dst_uuid = o->migrate_to };
	struct acc_dev *src = qp->d, dst;
	uint8_t result[32];
	uint32_t len;
	int ret;

	if (nfiles != 1) {
		fprintf(stderr, "accrun: --migrate-to takes one file\n");
		return 2;
	}
	if (acc_open_shared(&dst, o->migrate_to, src)) {
		fprintf(stderr, "accrun: %s\n", acc_error(&dst));
		return 1;
	}
	m.dst = &dst;
	m.fd = open_input(files[0]);
	if (m.fd < 0) {
		acc_close(&dst);
		return 1;
	}
	ret = acc_stream(qp, o->op, read_migrating, &m, o->chunk, result, &len);
	if (m.fd)
		close(m.fd);
	if (!ret && !m.migrated) {
		fprintf(stderr, "accrun: %s: the input ended before --at %llu\n",
			files[0], o->at);
		ret = -1;
	} else if (ret) {
		fprintf(stderr, "accrun: %s: %s\n", files[0],
			acc_error(m.migrated ? &dst : src));
	} else {
		print_result(o->op, result, len, files[0]);
	}
	/* The QP ends on the destination; close it before the source. */
	acc_qp_teardown(qp);
	acc_close(&dst);
	return ret ? 1 : 0;
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

static int run_oneshot(struct acc_qp *qp, const struct opts *o, char **files,
		       int nfiles)
{
	const char *name = nfiles ? files[0] : "-";
	struct acc_dma src = { 0 }, dst = { 0 };
	struct accmdev_cqe cqe;
	int rc = 1, in, out = 1;
	long len;

	if (nfiles > 1) {
		fprintf(stderr, "accrun: %s takes one file\n", acc_op_name(o->op));
		return 2;
	}
	in = open_input(name);
	if (in < 0)
		return 1;
	/* One byte more than the limit, to tell a too-long input. */
	if (acc_dma_map(qp->d, ACCMDEV_MAX_SRC_LEN + 1, &src) ||
	    acc_dma_map(qp->d, ACCMDEV_MAX_DST_LEN, &dst)) {
		fprintf(stderr, "accrun: %s\n", acc_error(qp->d));
		goto out_unmap;
	}
	len = 0;
	for (;;) {
		long n = read_fd(&in, (uint8_t *)src.va + len,
				 ACCMDEV_MAX_SRC_LEN + 1 - len);

		if (n < 0) {
			fprintf(stderr, "accrun: %s: %s\n", name, strerror(-n));
			goto out_unmap;
		}
		if (!n)
			break;
		len += n;
		if (len > ACCMDEV_MAX_SRC_LEN) {
			fprintf(stderr, "accrun: %s: longer than %u bytes, the limit of one request\n",
				name, ACCMDEV_MAX_SRC_LEN);
			goto out_unmap;
		}
	}
	if (acc_oneshot(qp, o->op, o->level, &src, len, &dst,
			ACCMDEV_MAX_DST_LEN, &cqe)) {
		fprintf(stderr, "accrun: %s\n", acc_error(qp->d));
		goto out_unmap;
	}
	if (le16toh(cqe.status) != ACCMDEV_ST_OK) {
		fprintf(stderr, "accrun: %s: device status %s (%u)\n",
			acc_op_name(o->op), acc_status_name(le16toh(cqe.status)),
			le16toh(cqe.status));
		goto out_unmap;
	}
	if (o->out) {
		out = open(o->out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (out < 0) {
			fprintf(stderr, "accrun: %s: %s\n", o->out, strerror(errno));
			goto out_unmap;
		}
	}
	if (write_all(out, dst.va, le32toh(cqe.result_len)))
		fprintf(stderr, "accrun: writing the output: %s\n", strerror(errno));
	else
		rc = 0;
	if (out != 1)
		close(out);
out_unmap:
	acc_dma_unmap(qp->d, &dst);
	acc_dma_unmap(qp->d, &src);
	if (in)
		close(in);
	return rc;
}

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option lopts[] = {
		{ "uuid", required_argument, NULL, 'u' },
		{ "alg", required_argument, NULL, 'a' },
		{ "qp", required_argument, NULL, 'q' },
		{ "ring", required_argument, NULL, 'r' },
		{ "chunk", required_argument, NULL, 'c' },
		{ "level", required_argument, NULL, 'l' },
		{ "out", required_argument, NULL, 'o' },
		{ "info", no_argument, NULL, 'i' },
		{ "migrate-to", required_argument, NULL, 'm' },
		{ "at", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	*o = (struct opts){ .op = -1, .ring = 64, .chunk = 65536 };
	while ((c = getopt_long(argc, argv, "o:h", lopts, NULL)) != -1) {
		errno = 0;
		switch (c) {
		case 'u':
			o->uuid = optarg;
			break;
		case 'a':
			o->op = acc_op_from_name(optarg);
			if (o->op < 0) {
				fprintf(stderr, "accrun: unknown algorithm %s\n", optarg);
				return -1;
			}
			break;
		case 'q':
			o->qp = strtoul(optarg, &end, 0);
			break;
		case 'r':
			o->ring = strtoul(optarg, &end, 0);
			break;
		case 'c':
			o->chunk = strtoul(optarg, &end, 0);
			break;
		case 'l':
			o->level = strtoul(optarg, &end, 0);
			break;
		case 't':
			o->at = strtoull(optarg, &end, 0);
			break;
		case 'm':
			o->migrate_to = optarg;
			continue;
		case 'o':
			o->out = optarg;
			continue;
		case 'i':
			o->info = true;
			continue;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return -1;
		}
		if (c != 'u' && c != 'a' && (errno || *end || end == optarg)) {
			fprintf(stderr, "accrun: bad number %s\n", optarg);
			return -1;
		}
	}
	if (!o->uuid || (o->op < 0 && !o->info)) {
		usage(stderr);
		return -1;
	}
	if (o->migrate_to && (o->op == ACCMDEV_OP_DEFLATE ||
			      o->op == ACCMDEV_OP_INFLATE || o->info)) {
		fprintf(stderr, "accrun: --migrate-to needs a streaming algorithm\n");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct acc_dev d;
	struct acc_qp qp;
	struct opts o;
	int rc;

	if (parse(argc, argv, &o))
		return 2;
	if (acc_open(&d, o.uuid)) {
		fprintf(stderr, "accrun: %s\n", acc_error(&d));
		return 1;
	}
	if (o.info) {
		print_info(&d);
		acc_close(&d);
		return 0;
	}
	if (acc_qp_setup(&d, &qp, o.qp, o.ring, o.ring)) {
		fprintf(stderr, "accrun: %s\n", acc_error(&d));
		acc_close(&d);
		return 1;
	}
	if (o.migrate_to) {
		rc = run_migrating(&qp, &o, argv + optind, argc - optind);
		acc_close(&d);
		return rc;
	}
	if (o.op == ACCMDEV_OP_DEFLATE || o.op == ACCMDEV_OP_INFLATE)
		rc = run_oneshot(&qp, &o, argv + optind, argc - optind);
	else
		rc = run_stream(&qp, &o, argv + optind, argc - optind);
	acc_qp_teardown(&qp);
	acc_close(&d);
	return rc;
}
