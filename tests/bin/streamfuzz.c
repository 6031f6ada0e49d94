// SPDX-License-Identifier: GPL-2.0-only
/*
 * streamfuzz: feed mutated migration streams to a destination device.
 *
 *   streamfuzz [-n COUNT] [-s SEED] SRC_UUID DST_UUID
 *
 * The source (opened first; the destination shares its container) gets
 * state worth carrying: on a hash engine queue pair 0 holds an open
 * SHA-256 stream and queue pair 1 a SHA-224 one; on a compression engine
 * queue pair 0 holds an open CRC32C stream and queue pair 1 an Adler-32
 * (or second CRC32C) one. Its stop-copy stream is the base that
 * each round mutates, by one of the kinds below, before the destination
 * goes STOP -> RESUMING, takes the bytes and is asked for STOP.
 *
 * Some kinds must be refused (a byte changed under the CRC, a cut, a
 * length field changed, a record repeated or dropped, bytes after END, an
 * oversized or unknown mandatory record); others keep the framing and
 * CRC valid and may be accepted if the values happen to be reachable
 * (a field overwritten, records reordered, an unknown optional record,
 * which must be accepted). A refusal must leave the device in RESUMING,
 * and every round ends with a reset that must give RUNNING. Every 1000
 * rounds, and at the end, the destination must still compute; last, it
 * takes the unmutated stream and finishes the source's stream on queue
 * pair 0 with the right value.
 *
 * Prints one "ok"/"not ok" line per check and a summary line per kind;
 * exits 1 if a check failed.
 */
#include <endian.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "accmig.h"
#include "accref.h"
#include "accvfio.h"
#include "testlib.h"
#include "uapi/accmdev_mig.h"

#define MAX_RECS	64
#define BUF_MAX		(ACCMDEV_MIG_MAX + 4096)

enum kind {
	K_FLIP, K_FLIP_FIXED, K_CUT, K_LEN, K_DUP, K_SWAP, K_DROP,
	K_FIELD, K_TRAILER, K_OVERSIZE, K_HOSTILE, K_OPTIONAL, K_MANDATORY,
	K_COUNT
};

/* Must the destination refuse a stream of this kind? -1: either way. */
static const struct {
	const char *name;
	int refuse;
} kinds[K_COUNT] = {
	[K_FLIP]	= { "bit flips under the CRC", 1 },
	[K_FLIP_FIXED]	= { "bit flips, CRC fixed", -1 },
	[K_CUT]		= { "truncated", 1 },
	[K_LEN]		= { "a length grown or shrunk", 1 },
	[K_DUP]		= { "a record repeated", 1 },
	[K_SWAP]	= { "two records swapped", -1 },
	[K_DROP]	= { "a record dropped", 1 },
	[K_FIELD]	= { "a field overwritten, CRC fixed", -1 },
	[K_TRAILER]	= { "bytes after END", 1 },
	[K_OVERSIZE]	= { "oversized", 1 },
	[K_HOSTILE]	= { "a valid header, a hostile body", -1 },
	[K_OPTIONAL]	= { "an unknown optional record", 0 },
	[K_MANDATORY]	= { "an unknown mandatory record", 1 },
};

struct rec {
	const uint8_t *p;	/* header and padded payload */
	size_t size;
};

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static size_t rnd_below(size_t n)
{
	return n ? rnd() % n : 0;
}

static size_t rec_size(uint32_t len)
{
	return sizeof(struct accmdev_mig_rec) +
	       ((len + ACCMDEV_MIG_ALIGN - 1) & ~(size_t)(ACCMDEV_MIG_ALIGN - 1));
}

/* Split @s into records; the last one is END. Returns the count. */
static unsigned int split(const uint8_t *s, size_t len, struct rec *r)
{
	size_t off = sizeof(struct accmdev_mig_preamble);
	unsigned int n = 0;

	while (off < len && n < MAX_RECS) {
		const struct accmdev_mig_rec *h = (const void *)(s + off);

		r[n].p = s + off;
		r[n].size = rec_size(le32toh(h->len));
		off += r[n++].size;
	}
	return n;
}

/* Append an END with the right count and CRC of everything before it. */
static size_t put_end(uint8_t *out, size_t len, uint32_t records)
{
	struct accmdev_mig_rec h = {
		.tag = htole32(ACCMDEV_MIG_TAG_END),
		.len = htole32(sizeof(struct accmdev_mig_end)),
	};
	struct accmdev_mig_end e = {
		.records = htole32(records),
		.crc32c = htole32(ref_crc32c(out, len)),
	};

	memcpy(out + len, &h, sizeof(h));
	memcpy(out + len + sizeof(h), &e, sizeof(e));
	return len + sizeof(h) + sizeof(e);
}

/* The base's records (but END) in the order of @idx, then a fixed END. */
static size_t rebuild(uint8_t *out, const uint8_t *base, const struct rec *r,
		      const unsigned int *idx, unsigned int n)
{
	size_t len = sizeof(struct accmdev_mig_preamble);

	memcpy(out, base, len);
	for (unsigned int i = 0; i < n; i++) {
		memcpy(out + len, r[idx[i]].p, r[idx[i]].size);
		len += r[idx[i]].size;
	}
	return put_end(out, len, n);
}

/* Recompute END of a stream whose framing is intact. */
static void fix_end(uint8_t *s, size_t len)
{
	size_t end = len - rec_size(sizeof(struct accmdev_mig_end));
	struct accmdev_mig_end *e = (void *)(s + end + sizeof(struct accmdev_mig_rec));

	e->crc32c = htole32(ref_crc32c(s, end));
}

static void flip_bits(uint8_t *s, size_t lo, size_t hi)
{
	unsigned int n = 1 + rnd_below(4);

	while (n--) {
		size_t at = lo + rnd_below(hi - lo);

		s[at] ^= 1u << rnd_below(8);
	}
}

static const uint32_t hostile[] = {
	0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0x7fffffff,
	0x80000000, 0xfffffffe, 0xffffffff, 4096, 4097, 64, 63, 16, 17,
};

/*
 * Build round @i's stream in @out from @base (@blen bytes, records @r,
 * @nr of them with END last). Returns its length; *@k is the kind.
 */
static size_t mutate(uint8_t *out, const uint8_t *base, size_t blen,
		     const struct rec *r, unsigned int nr, enum kind *k)
{
	unsigned int idx[MAX_RECS + 1], n = nr - 1, a, b, t;
	size_t len = blen, at;
	struct accmdev_mig_rec *h;
	uint32_t v;

	*k = rnd_below(K_COUNT);
	for (unsigned int i = 0; i < n; i++)
		idx[i] = i;
	memcpy(out, base, blen);

	switch (*k) {
	case K_FLIP:
		/*
		 * The same bit drawn twice undoes itself: flip until the
		 * stream differs from the base, or a must-refuse round
		 * would carry the base unchanged.
		 */
		do
			flip_bits(out, 0, blen);
		while (!memcmp(out, base, blen));
		break;
	case K_FLIP_FIXED:
		/* Anywhere before END, then a CRC that matches. */
		flip_bits(out, 0, r[nr - 1].p - base);
		fix_end(out, blen);
		break;
	case K_CUT:
		len = rnd_below(blen);
		break;
	case K_LEN:
		a = rnd_below(n);
		h = (void *)(out + (r[a].p - base));
		v = le32toh(h->len);
		switch (rnd_below(3)) {
		case 0:
			v += 1 + rnd_below(64);
			break;
		case 1:
			v = v > 1 ? v - 1 - rnd_below(v - 1) : v + 8;
			break;
		default:
			v = hostile[rnd_below(sizeof(hostile) / sizeof(hostile[0]))];
			if (v == le32toh(h->len))
				v ^= 0x100;
			break;
		}
		h->len = htole32(v);
		fix_end(out, blen);
		break;
	case K_DUP:
		a = rnd_below(n);
		memmove(idx + a + 1, idx + a, (n - a) * sizeof(idx[0]));
		len = rebuild(out, base, r, idx, n + 1);
		break;
	case K_SWAP:
		/* VERSION stays first, so that the early check passes. */
		a = 1 + rnd_below(n - 1);
		b = 1 + rnd_below(n - 1);
		t = idx[a];
		idx[a] = idx[b];
		idx[b] = t;
		len = rebuild(out, base, r, idx, n);
		break;
	case K_DROP:
		a = rnd_below(n);
		memmove(idx + a, idx + a + 1, (n - a - 1) * sizeof(idx[0]));
		len = rebuild(out, base, r, idx, n - 1);
		break;
	case K_FIELD:
		/* An aligned word of DEVICE, PCI or a QP record's payload. */
		a = 1 + rnd_below(n - 1);
		at = (r[a].p - base) + sizeof(struct accmdev_mig_rec) +
		     4 * rnd_below((r[a].size - sizeof(struct accmdev_mig_rec)) / 4);
		v = rnd_below(2) ? (uint32_t)rnd() :
		    hostile[rnd_below(sizeof(hostile) / sizeof(hostile[0]))];
		memcpy(out + at, &v, sizeof(v));
		fix_end(out, blen);
		break;
	case K_TRAILER:
		at = 1 + rnd_below(64);
		for (size_t i = 0; i < at; i++)
			out[blen + i] = rnd_below(2) ? 0 : (uint8_t)rnd();
		len = blen + at;
		break;
	case K_OVERSIZE:
		len = ACCMDEV_MIG_MAX + 1 + rnd_below(4000);
		for (size_t i = blen; i < len; i++)
			out[i] = (uint8_t)rnd();
		break;
	case K_HOSTILE:
		/* Preamble and VERSION, then random records, then a good END. */
		len = sizeof(struct accmdev_mig_preamble) + r[0].size;
		t = rnd_below(24);
		for (unsigned int i = 0; i < t && len < 16384; i++) {
			struct accmdev_mig_rec rh = {
				.tag = htole32(rnd_below(2) ? 1 + rnd_below(5) :
					       (uint32_t)rnd()),
				.flags = htole32(rnd_below(4) ? 0 : rnd_below(2)),
			};
			uint32_t plen = rnd_below(4) ? rnd_below(300) :
					hostile[rnd_below(sizeof(hostile) /
							  sizeof(hostile[0]))] % 600;

			rh.len = htole32(plen);
			memcpy(out + len, &rh, sizeof(rh));
			len += sizeof(rh);
			for (size_t j = 0; j < rec_size(plen) - sizeof(rh); j++)
				out[len + j] = j < plen ? (uint8_t)rnd() : 0;
			len += rec_size(plen) - sizeof(rh);
		}
		len = put_end(out, len, t + 1);
		break;
	case K_OPTIONAL:
	case K_MANDATORY:
		/* An unknown tag after VERSION, with or without OPTIONAL. */
		len = sizeof(struct accmdev_mig_preamble);
		for (unsigned int i = 0; i < n; i++) {
			memcpy(out + len, r[i].p, r[i].size);
			len += r[i].size;
			if (i == 0) {
				struct accmdev_mig_rec rh = {
					.tag = htole32(0x4000 + rnd_below(0x1000)),
					.flags = htole32(*k == K_OPTIONAL ?
						ACCMDEV_MIG_F_OPTIONAL : 0),
					.len = htole32(12),
				};

				memcpy(out + len, &rh, sizeof(rh));
				memset(out + len + sizeof(rh), 0, 16);
				memcpy(out + len + sizeof(rh), "future data!", 12);
				len += sizeof(rh) + 16;
			}
		}
		len = put_end(out, len, n + 1);
		break;
	default:
		break;
	}
	return len;
}

/* ---- a SHA-256 reference (FIPS 180-4), for the last check ---------- */

static const uint32_t sha_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t ror(uint32_t x, unsigned int n)
{
	return x >> n | x << (32 - n);
}

static void sha_block(uint32_t h[8], const uint8_t *p)
{
	uint32_t w[64], a[8], t1, t2;
	unsigned int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | p[4 * i + 1] << 16 |
		       p[4 * i + 2] << 8 | p[4 * i + 3];
	for (; i < 64; i++)
		w[i] = w[i - 16] + w[i - 7] +
		       (ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ w[i - 15] >> 3) +
		       (ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ w[i - 2] >> 10);
	memcpy(a, h, sizeof(a));
	for (i = 0; i < 64; i++) {
		t1 = a[7] + (ror(a[4], 6) ^ ror(a[4], 11) ^ ror(a[4], 25)) +
		     ((a[4] & a[5]) ^ (~a[4] & a[6])) + sha_k[i] + w[i];
		t2 = (ror(a[0], 2) ^ ror(a[0], 13) ^ ror(a[0], 22)) +
		     ((a[0] & a[1]) ^ (a[0] & a[2]) ^ (a[1] & a[2]));
		memmove(a + 1, a, 7 * sizeof(a[0]));
		a[4] += t1;
		a[0] = t1 + t2;
	}
	for (i = 0; i < 8; i++)
		h[i] += a[i];
}

static void ref_sha256(const uint8_t *p, size_t len, uint8_t out[32])
{
	uint32_t h[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};
	uint8_t tail[128] = {0};
	size_t full = len / 64 * 64, rest = len - full, n;

	for (size_t off = 0; off < full; off += 64)
		sha_block(h, p + off);
	memcpy(tail, p + full, rest);
	tail[rest] = 0x80;
	n = rest < 56 ? 64 : 128;
	for (unsigned int i = 0; i < 8; i++)
		tail[n - 1 - i] = (uint8_t)((uint64_t)len * 8 >> (8 * i));
	sha_block(h, tail);
	if (n == 128)
		sha_block(h, tail + 64);
	for (unsigned int i = 0; i < 32; i++)
		out[i] = (uint8_t)(h[i / 4] >> (24 - 8 * (i % 4)));
}

static uint32_t state_of(struct acc_dev *d)
{
	uint32_t s;

	if (acc_mig_get_state(d, &s))
		die(d, "getting the state");
	return s;
}

/*
 * One request on a fresh QP (the last) equals the reference: SHA-256 on
 * a hash engine, CRC32C on a compression engine.
 */
static bool computes(struct acc_dev *d)
{
	bool sha = d->algs & (1u << ACCMDEV_OP_SHA256);
	struct accmdev_cqe cqe;
	struct acc_dma buf;
	struct acc_qp qp;
	uint8_t want[32];
	uint32_t crc;
	bool good;

	if (acc_qp_setup(d, &qp, d->nqps - 1, 4, 4) ||
	    acc_dma_map(d, 4096, &buf))
		die(d, "a QP to compute on");
	ref_fill(buf.va, 4096, 11);
	if (acc_oneshot(&qp, sha ? ACCMDEV_OP_SHA256 : ACCMDEV_OP_CRC32C, 0,
			&buf, 4096, NULL, 0, &cqe))
		die(d, "a one-shot request");
	good = le16toh(cqe.status) == ACCMDEV_ST_OK;
	if (sha) {
		ref_sha256(buf.va, 4096, want);
		good &= !memcmp(cqe.result, want, sizeof(want));
	} else {
		crc = htole32(ref_crc32c(buf.va, 4096));
		good &= !memcmp(cqe.result, &crc, sizeof(crc));
	}
	acc_dma_unmap(d, &buf);
	acc_qp_teardown(&qp);
	return good;
}

/* Submit one streaming request and wait for its completion. */
static void stream_req(struct acc_qp *qp, uint8_t op, uint8_t flags,
		       uint64_t iova, uint32_t len, struct accmdev_cqe *cqe)
{
	struct accmdev_sqe sqe = {
		.opcode = op,
		.flags = flags,
		.tag = htole64(0x5f),
		.src = htole64(iova),
		.src_len = htole32(len),
	};

	if (acc_qp_submit(qp, &sqe, 1) || acc_qp_wait(qp, cqe, 1, 20000) != 1)
		die(qp->d, "a streaming request");
	if (le16toh(cqe->status) != ACCMDEV_ST_OK)
		die(qp->d, "a streaming request's status");
}

/* STOP -> RESUMING, write, -> STOP. Returns the first error, or 0. */
static int load(struct acc_dev *d, const uint8_t *s, size_t len, int *werr)
{
	int fd, ret;

	if (acc_mig_set_state(d, ACC_MIG_RESUMING, &fd) || fd < 0)
		die(d, "-> RESUMING");
	*werr = len ? acc_mig_write(d, fd, s, len) : 0;
	ret = acc_mig_set_state(d, ACC_MIG_STOP, NULL);
	close(fd);
	return *werr ? *werr : ret;
}

int main(int argc, char **argv)
{
	static uint8_t base[BUF_MAX], buf[BUF_MAX];
	unsigned long count = 10000, tried[K_COUNT] = {0}, refused[K_COUNT] = {0};
	unsigned long wrong = 0, stuck = 0;
	struct accmdev_cqe cqe;
	struct acc_dev src, dst;
	struct acc_qp q0, q1;
	struct rec r[MAX_RECS];
	struct acc_dma data;
	unsigned int nr;
	size_t blen;
	uint8_t op0, op1, digest[32];
	uint32_t want;
	int opt, werr;
	bool sha;

	rng_state = (uint64_t)time(NULL) * 2654435761u + getpid();
	while ((opt = getopt(argc, argv, "n:s:")) != -1) {
		if (opt == 'n')
			count = strtoul(optarg, NULL, 0);
		else if (opt == 's')
			rng_state = strtoull(optarg, NULL, 0);
		else
			return 2;
	}
	if (argc - optind != 2) {
		fprintf(stderr, "usage: streamfuzz [-n COUNT] [-s SEED] SRC DST\n");
		return 2;
	}
	if (!rng_state)
		rng_state = 1;
	printf("seed: %llu\n", (unsigned long long)rng_state);

	if (acc_open(&src, argv[optind]))
		die(&src, argv[optind]);
	if (acc_open_shared(&dst, argv[optind + 1], &src))
		die(&dst, argv[optind + 1]);
	if (acc_qp_setup(&src, &q0, 0, 8, 8) || acc_qp_setup(&src, &q1, 1, 8, 8) ||
	    acc_dma_map(&src, 65536, &data))
		die(&src, "source setup");
	ref_fill(data.va, 65536, 3);

	/* State worth carrying: two open streams. */
	sha = src.algs & (1u << ACCMDEV_OP_SHA256);
	op0 = sha ? ACCMDEV_OP_SHA256 : ACCMDEV_OP_CRC32C;
	op1 = sha ? ACCMDEV_OP_SHA224 :
	      src.algs & (1u << ACCMDEV_OP_ADLER32) ? ACCMDEV_OP_ADLER32 :
						     ACCMDEV_OP_CRC32C;
	stream_req(&q0, op0, ACCMDEV_SQE_F_FIRST, data.iova, 30001, &cqe);
	stream_req(&q1, op1, ACCMDEV_SQE_F_FIRST, data.iova, 1000, &cqe);
	printf("streams open: QP 0 %s, QP 1 %s\n", acc_op_name(op0),
	       acc_op_name(op1));
	blen = save_stream(&src, base, sizeof(base), ACC_MIG_STOP);
	nr = split(base, blen, r);
	check(nr >= 4 && nr < MAX_RECS &&
	      le32toh(((const struct accmdev_mig_rec *)r[nr - 1].p)->tag) ==
	      ACCMDEV_MIG_TAG_END,
	      "a base stream of %zu bytes in %u records", blen, nr);
	if (failures)
		return 1;

	for (unsigned long i = 0; i < count; i++) {
		enum kind k;
		size_t len = mutate(buf, base, blen, r, nr, &k);
		int ret = load(&dst, buf, len, &werr);
		uint32_t st = state_of(&dst);

		tried[k]++;
		if (ret) {
			refused[k]++;
			if (st != ACC_MIG_RESUMING) {
				stuck++;
				check(0, "round %lu (%s): refused with %s but left in state %s",
				      i, kinds[k].name, strerror(-ret),
				      acc_mig_state_name(st));
			}
		} else if (kinds[k].refuse == 1) {
			wrong++;
			check(0, "round %lu (%s): accepted", i, kinds[k].name);
		}
		if (!ret && kinds[k].refuse == 0 && st != ACC_MIG_STOP)
			check(0, "round %lu (%s): accepted but in state %s", i,
			      kinds[k].name, acc_mig_state_name(st));
		if (ret && kinds[k].refuse == 0) {
			wrong++;
			check(0, "round %lu (%s): refused with %s", i,
			      kinds[k].name, strerror(-ret));
		}
		if (acc_reset(&dst) || state_of(&dst) != ACC_MIG_RUNNING) {
			stuck++;
			check(0, "round %lu: a reset does not give RUNNING", i);
		}
		if ((i + 1) % 1000 == 0 && !computes(&dst))
			check(0, "after round %lu the destination does not compute", i);
	}

	for (unsigned int k = 0; k < K_COUNT; k++)
		printf("kind: %-34s %5lu tried, %5lu refused\n", kinds[k].name,
		       tried[k], refused[k]);
	printf("streams: %lu mutated, %lu wrongly judged, %lu left in a bad state\n",
	       count, wrong, stuck);
	check(!wrong && !stuck, "every mutated stream judged right, every refusal clean");
	check(computes(&dst), "the destination computes after %lu streams", count);

	/* Last, the real stream: the destination finishes the CRC32C. */
	if (acc_mig_set_state(&dst, ACC_MIG_STOP, NULL))
		die(&dst, "RUNNING -> STOP");
	opt = load(&dst, base, blen, &werr);
	check(!opt && state_of(&dst) == ACC_MIG_STOP,
	      "the unmutated stream loads: %s", opt ? strerror(-opt) : "STOP");
	if (opt || acc_mig_set_state(&dst, ACC_MIG_RUNNING, NULL) ||
	    acc_mig_adopt_qp(&q0, &dst))
		die(&dst, "continuing on the destination");
	stream_req(&q0, op0, ACCMDEV_SQE_F_FINAL, data.iova + 30001,
		   65536 - 30001, &cqe);
	if (sha) {
		ref_sha256(data.va, 65536, digest);
		check(!memcmp(cqe.result, digest, sizeof(digest)),
		      "the destination finishes the source's SHA-256");
	} else {
		memcpy(&want, cqe.result, sizeof(want));
		check(le32toh(want) == ref_crc32c(data.va, 65536),
		      "the destination finishes the source's CRC32C: %08x",
		      le32toh(want));
	}
	return failures ? 1 : 0;
}
