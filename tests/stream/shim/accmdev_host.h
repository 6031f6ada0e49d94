/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The few kernel names the pure driver files (driver/rules.c,
 * driver/mig_stream.c) use, for a host build of those very files: types,
 * byte order, alignment and bit helpers, memchr_inv() and the raw
 * CRC32C update. A pure file includes this instead of its kernel headers
 * when __KERNEL__ is not defined; nothing else may be needed.
 */
#ifndef ACCMDEV_HOST_H
#define ACCMDEV_HOST_H

#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <linux/types.h>	/* __le16, __le32, __le64, __u8 */

typedef __UINT8_TYPE__ u8;
typedef __UINT16_TYPE__ u16;
typedef __UINT32_TYPE__ u32;
typedef __UINT64_TYPE__ u64;

#define le16_to_cpu(x)	le16toh(x)
#define le32_to_cpu(x)	le32toh(x)
#define le64_to_cpu(x)	le64toh(x)
#define cpu_to_le16(x)	htole16(x)
#define cpu_to_le32(x)	htole32(x)
#define cpu_to_le64(x)	htole64(x)

/* The kernel's static_assert: the message is optional. */
#define static_assert(expr, ...)	__static_assert(expr, ##__VA_ARGS__, #expr)
#define __static_assert(expr, msg, ...)	_Static_assert(expr, msg)

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define BIT(n)			(1UL << (n))
#define ALIGN(x, a)		(((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a)	(((x) & ((__typeof__(x))(a) - 1)) == 0)

static inline bool is_power_of_2(unsigned long n)
{
	return n && !(n & (n - 1));
}

/* The first byte of @len at @p that is not @c, or NULL. */
static inline void *memchr_inv(const void *p, int c, size_t len)
{
	const unsigned char *s = p;

	for (size_t i = 0; i < len; i++)
		if (s[i] != (unsigned char)c)
			return (void *)(s + i);
	return NULL;
}

/* The raw CRC32C update (reflected, polynomial 0x82f63b78, no inversion). */
static inline u32 accmdev_crc32c(u32 crc, const u8 *p, size_t len)
{
	while (len--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = crc >> 1 ^ (0x82f63b78 & -(crc & 1));
	}
	return crc;
}

#endif /* ACCMDEV_HOST_H */
