// SPDX-License-Identifier: GPL-2.0-only
/*
 * dpbench: data-plane throughput of an accmdev device, next to the same
 * algorithm computed in user space in the same machine.
 *
 *   dpbench UUID ALG SECONDS
 *
 * For each request size (4 KiB, 64 KiB, 1 MiB) prints two lines,
 *
 *   alg=A size=N where=device reqs=R secs=S rps=X mbps=Y
 *   alg=A size=N where=user   reqs=R secs=S rps=X mbps=Y impl=I
 *
 * measured for at least SECONDS seconds and 3 requests each. Device
 * requests are one-shot (FIRST | FINAL), up to 32 in flight on a 64-entry
 * ring of QP 0. Throughput counts uncompressed bytes. The user-space side
 * is zlib (adler32, deflate, inflate, level 6), OpenSSL (sha256, sha224)
 * and the SSE4.2 crc32 instruction (crc32c; a byte table without it).
 */
#include <endian.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/sha.h>
#include <zlib.h>

#include "accvfio.h"

#define DEPTH	32

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Compressible input: words, as tests/bin/accref's t1m. */
static void fill_text(uint8_t *p, size_t len)
{
	static const char *const words[] = {
		"queue ", "pair ", "submission ", "completion ", "doorbell ",
		"accelerator ", "mediated ", "device ", "ring ", "phase\n",
	};
	uint64_t x = 88172645463325252ull;
	size_t off = 0;

	while (off < len) {
		const char *w;
		size_t n;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		w = words[x % 10];
		n = strlen(w) < len - off ? strlen(w) : len - off;
		memcpy(p + off, w, n);
		off += n;
	}
}

/* ---- user space --------------------------------------------------------- */

static uint32_t crc_table[256];

static void crc_table_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0x82f63b78u & -(c & 1u));
		crc_table[i] = c;
	}
}

__attribute__((target("sse4.2")))
static uint32_t crc32c_sse42(const uint8_t *p, size_t len)
{
	uint64_t c = 0xffffffffu;

	for (; len >= 8; p += 8, len -= 8) {
		uint64_t v;

		memcpy(&v, p, 8);
		c = __builtin_ia32_crc32di(c, v);
	}
	while (len--)
		c = __builtin_ia32_crc32qi((uint32_t)c, *p++);
	return ~(uint32_t)c;
}

static uint32_t crc32c_table(const uint8_t *p, size_t len)
{
	uint32_t c = ~0u;

	while (len--)
		c = crc_table[(c ^ *p++) & 0xff] ^ (c >> 8);
	return ~c;
}

struct user_ctx {
	const uint8_t *in;
	const uint8_t *zin;		/* zlib of in, for inflate */
	unsigned long zlen;
	uint8_t *out;
	unsigned long out_size;
};

static const char *user_impl(int op)
{
	switch (op) {
	case ACCMDEV_OP_CRC32C:
		return __builtin_cpu_supports("sse4.2") ? "sse4.2" : "table";
	case ACCMDEV_OP_SHA256:
	case ACCMDEV_OP_SHA224:
		return "openssl";
	}
	return "zlib";
}

/* Results go here, so that the compiler cannot drop the work. */
volatile uint32_t dpbench_sink;

static int user_once(int op, struct user_ctx *u, size_t size)
{
	volatile uint32_t *sink = &dpbench_sink;
	unsigned long n = u->out_size;
	uint8_t md[32];

	switch (op) {
	case ACCMDEV_OP_CRC32C:
		*sink = __builtin_cpu_supports("sse4.2") ? crc32c_sse42(u->in, size) :
			crc32c_table(u->in, size);
		return 0;
	case ACCMDEV_OP_ADLER32:
		*sink = adler32(1, u->in, size);
		return 0;
	case ACCMDEV_OP_DEFLATE:
		return compress2(u->out, &n, u->in, size, 6) != Z_OK;
	case ACCMDEV_OP_INFLATE:
		return uncompress(u->out, &n, u->zin, u->zlen) != Z_OK || n != size;
	case ACCMDEV_OP_SHA256:
		SHA256(u->in, size, md);
		*sink = md[0];
		return 0;
	case ACCMDEV_OP_SHA224:
		SHA224(u->in, size, md);
		*sink = md[0];
		return 0;
	}
	return 1;
}

/* ---- device ------------------------------------------------------------- */

static int device_run(struct acc_qp *qp, int op, const struct acc_dma *src,
		      uint32_t src_len, const struct acc_dma *dst,
		      uint32_t dst_len, double secs, unsigned long *reqs,
		      double *elapsed)
{
	int uses_dst = op == ACCMDEV_OP_DEFLATE || op == ACCMDEV_OP_INFLATE;
	struct accmdev_cqe cqe[DEPTH];
	unsigned long sent = 0, done = 0;
	double t0 = now(), end = t0 + secs;
	struct accmdev_sqe s;

	memset(&s, 0, sizeof(s));
	s.opcode = op;
	s.flags = ACCMDEV_SQE_F_ONESHOT;
	s.src = htole64(src->iova);
	s.src_len = htole32(src_len);
	if (uses_dst) {
		s.dst = htole64(dst->iova);
		s.dst_len = htole32(dst_len);
	}
	for (;;) {
		int more = now() < end || sent < 3;
		int n;

		while (more && qp->inflight < DEPTH && acc_qp_room(qp)) {
			s.tag = htole64(sent++);
			if (acc_qp_submit(qp, &s, 1))
				return -1;
		}
		if (!qp->inflight)
			break;
		n = acc_qp_wait(qp, cqe, DEPTH, 120000);
		if (n < 0)
			return -1;
		for (int i = 0; i < n; i++)
			if (le16toh(cqe[i].status) != ACCMDEV_ST_OK) {
				fprintf(stderr, "dpbench: status %s\n",
					acc_status_name(le16toh(cqe[i].status)));
				return -1;
			}
		done += n;
	}
	*reqs = done;
	*elapsed = now() - t0;
	return 0;
}

static void report(const char *alg, size_t size, const char *where,
		   unsigned long reqs, double secs, const char *impl)
{
	printf("alg=%s size=%zu where=%s reqs=%lu secs=%.3f rps=%.1f mbps=%.2f%s%s\n",
	       alg, size, where, reqs, secs, reqs / secs,
	       reqs * (double)size / secs / 1e6, impl ? " impl=" : "",
	       impl ? impl : "");
}

int main(int argc, char **argv)
{
	static const size_t sizes[] = { 4096, 65536, 1 << 20 };
	struct acc_dma src, dst;
	struct user_ctx u;
	struct acc_dev d;
	struct acc_qp qp;
	double secs;
	int op;

	if (argc != 4 || (op = acc_op_from_name(argv[2])) < 0 ||
	    (secs = atof(argv[3])) <= 0) {
		fprintf(stderr, "usage: dpbench UUID ALG SECONDS\n");
		return 2;
	}
	crc_table_init();
	if (acc_open(&d, argv[1]) || acc_qp_setup(&d, &qp, 0, 64, 64) ||
	    acc_dma_map(&d, ACCMDEV_MAX_SRC_LEN + 4096, &src) ||
	    acc_dma_map(&d, ACCMDEV_MAX_DST_LEN, &dst)) {
		fprintf(stderr, "dpbench: %s\n", acc_error(&d));
		return 1;
	}
	u.out_size = ACCMDEV_MAX_DST_LEN;
	u.out = malloc(u.out_size);
	u.in = malloc(ACCMDEV_MAX_SRC_LEN);
	u.zin = malloc(ACCMDEV_MAX_DST_LEN);
	if (!u.out || !u.in || !u.zin)
		return 1;
	fill_text((uint8_t *)u.in, ACCMDEV_MAX_SRC_LEN);

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t size = sizes[i];
		uint32_t in_len = size;
		unsigned long reqs = 0;
		double t0, el = 0;

		u.zlen = ACCMDEV_MAX_DST_LEN;
		if (compress2((uint8_t *)u.zin, &u.zlen, u.in, size, 6) != Z_OK)
			return 1;
		if (op == ACCMDEV_OP_INFLATE) {
			memcpy(src.va, u.zin, u.zlen);
			in_len = u.zlen;
		} else {
			memcpy(src.va, u.in, size);
		}
		if (device_run(&qp, op, &src, in_len, &dst,
			       op == ACCMDEV_OP_INFLATE ? size : ACCMDEV_MAX_DST_LEN,
			       secs, &reqs, &el)) {
			fprintf(stderr, "dpbench: %s\n", acc_error(&d));
			return 1;
		}
		report(argv[2], size, "device", reqs, el, NULL);

		user_once(op, &u, size);		/* warm up */
		reqs = 0;
		t0 = now();
		do {
			if (user_once(op, &u, size)) {
				fprintf(stderr, "dpbench: user-space %s failed\n", argv[2]);
				return 1;
			}
			reqs++;
		} while (now() - t0 < secs || reqs < 3);
		report(argv[2], size, "user", reqs, now() - t0, user_impl(op));
	}
	acc_qp_teardown(&qp);
	acc_close(&d);
	return 0;
}
