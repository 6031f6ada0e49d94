/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reference checksums for the device tests, written from the
 * definitions and deliberately naive: CRC32C bit by bit (Castagnoli,
 * reflected polynomial 0x82f63b78, init and final xor ~0, RFC 3720
 * B.4), adler32 byte by byte with a modulo each step (RFC 1950 8.2).
 * Nothing is shared with the kernel's table-driven code.
 */
#ifndef ACCREF_H
#define ACCREF_H

#include <stddef.h>
#include <stdint.h>

/* Raw register update: start from ~0 and invert at the end. */
static inline uint32_t ref_crc32c_update(uint32_t crc, const uint8_t *p,
					 size_t len)
{
	while (len--) {
		crc ^= *p++;
		for (int bit = 0; bit < 8; bit++)
			crc = (crc >> 1) ^ (0x82f63b78u & -(crc & 1u));
	}
	return crc;
}

static inline uint32_t ref_crc32c(const uint8_t *p, size_t len)
{
	return ~ref_crc32c_update(~0u, p, len);
}

static inline uint32_t ref_adler32_update(uint32_t adler, const uint8_t *p,
					  size_t len)
{
	uint32_t a = adler & 0xffff, b = adler >> 16;

	while (len--) {
		a = (a + *p++) % 65521u;
		b = (b + a) % 65521u;
	}
	return b << 16 | a;
}

static inline uint32_t ref_adler32(const uint8_t *p, size_t len)
{
	return ref_adler32_update(1, p, len);
}

/* Deterministic test data: xorshift64 bytes from @seed. */
static inline void ref_fill(uint8_t *p, size_t len, uint64_t seed)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;

	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = (uint8_t)(x >> 32);
	}
}

/* SHA-256 and SHA-224 of "abc" (FIPS 180-4 examples). */
static const uint8_t sha256_abc[32] = {
	0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde,
	0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c,
	0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
};
static const uint8_t sha224_abc[28] = {
	0x23, 0x09, 0x7d, 0x22, 0x34, 0x05, 0xd8, 0x22, 0x86, 0x42, 0xa4, 0x77,
	0xbd, 0xa2, 0x55, 0xb3, 0x2a, 0xad, 0xbc, 0xe4, 0xbd, 0xa0, 0xb3, 0xf7,
	0xe3, 0x6c, 0x9d, 0xa7,
};

#endif /* ACCREF_H */
