/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Every difference between the kernels accmdev supports (6.1 and later)
 * lives here. Each shim names the kernel version that introduced the
 * change it hides. Driver code calls only the wrappers below.
 */
#ifndef ACCMDEV_COMPAT_H
#define ACCMDEV_COMPAT_H

#include <linux/cgroup.h>
#include <linux/crc32.h>
#include <linux/string.h>
#include <crypto/sha2.h>
#include <linux/eventfd.h>
#include <linux/version.h>
#include <linux/vfio.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0)
#error "accmdev needs Linux 6.1 or later (vfio_alloc_device, mdev_register_parent)"
#endif

/*
 * 6.2 ("vfio: Remove vfio_free_device"): the core frees the vfio_device
 * after ->release(). On 6.1 ->release() must free it itself.
 */
static inline void accmdev_vfio_free(struct vfio_device *vdev)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
	vfio_free_device(vdev);
#endif
}

/*
 * 6.2 ("vfio-iommufd: Support iommufd for emulated VFIO devices") added
 * the iommufd callbacks; they are mandatory when CONFIG_IOMMUFD is set.
 * detach_ioas arrived with the vfio cdev series in 6.6
 * ("vfio-iommufd: Add detach_ioas support for emulated VFIO devices").
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
#define ACCMDEV_IOMMUFD_OPS					\
	.bind_iommufd	= vfio_iommufd_emulated_bind,		\
	.unbind_iommufd	= vfio_iommufd_emulated_unbind,		\
	.attach_ioas	= vfio_iommufd_emulated_attach_ioas,	\
	.detach_ioas	= vfio_iommufd_emulated_detach_ioas,
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#define ACCMDEV_IOMMUFD_OPS					\
	.bind_iommufd	= vfio_iommufd_emulated_bind,		\
	.unbind_iommufd	= vfio_iommufd_emulated_unbind,		\
	.attach_ioas	= vfio_iommufd_emulated_attach_ioas,
#else
#define ACCMDEV_IOMMUFD_OPS
#endif

/*
 * 6.8 ("eventfd: simplify eventfd_signal()") dropped the count argument
 * and the return value: every signal adds 1.
 */
static inline void accmdev_eventfd_signal(struct eventfd_ctx *ctx)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0)
	eventfd_signal(ctx);
#else
	eventfd_signal(ctx, 1);
#endif
}

/*
 * The raw (uninverted) CRC32C update, built in whenever CONFIG_CRC32 is.
 * 6.15 ("lib/crc32: standardize on crc32c() name for Castagnoli CRC32")
 * renamed __crc32c_le() to crc32c() in <linux/crc32.h>. Before 6.15,
 * crc32c() was libcrc32c's, a module dependency that insmod does not
 * resolve, so older kernels keep __crc32c_le().
 */
static inline u32 accmdev_crc32c(u32 crc, const u8 *p, size_t len)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 15, 0)
	return crc32c(crc, p, len);
#else
	return __crc32c_le(crc, p, len);
#endif
}

/*
 * The SHA-256/224 library. 6.17 ("lib/crypto: sha256: Make library API
 * use strongly-typed contexts") replaced struct sha256_state with
 * struct sha256_ctx and struct sha224_ctx, both wrapping one
 * struct __sha256_ctx { state.h[8], bytecount, buf[64] }. Before 6.17
 * both hashes run on a struct sha256_state { state[8], count, buf[64] }.
 * Either way the state is eight words, a byte count and a partial block
 * held at buf[count % 64]: accmdev_sha2_export() and _import() move it
 * to and from that kernel-independent form, which is what the migration
 * stream carries (uapi/accmdev_mig.h), so a stream saved on one kernel
 * restores on any other.
 */
#define ACCMDEV_SHA2_WORDS	(SHA256_DIGEST_SIZE / 4)

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 17, 0)
union accmdev_sha2 {
	struct sha256_ctx s256;
	struct sha224_ctx s224;
};

/* Both members wrap the same struct __sha256_ctx. */
#define ACCMDEV_SHA2_H(c)	((c)->s256.ctx.state.h)
#define ACCMDEV_SHA2_COUNT(c)	((c)->s256.ctx.bytecount)
#define ACCMDEV_SHA2_BUF(c)	((c)->s256.ctx.buf)
#else
union accmdev_sha2 {
	struct sha256_state s;
};

#define ACCMDEV_SHA2_H(c)	((c)->s.state)
#define ACCMDEV_SHA2_COUNT(c)	((c)->s.count)
#define ACCMDEV_SHA2_BUF(c)	((c)->s.buf)
#endif

static inline void accmdev_sha2_init(union accmdev_sha2 *c, bool sha224)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 17, 0)
	if (sha224)
		sha224_init(&c->s224);
	else
		sha256_init(&c->s256);
#else
	if (sha224)
		sha224_init(&c->s);
	else
		sha256_init(&c->s);
#endif
}

static inline void accmdev_sha2_update(union accmdev_sha2 *c, bool sha224,
				       const u8 *p, unsigned int n)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 17, 0)
	if (sha224)
		sha224_update(&c->s224, p, n);
	else
		sha256_update(&c->s256, p, n);
#else
	/* sha224 shares sha256's update before 6.17. */
	sha256_update(&c->s, p, n);
#endif
}

/* @out holds SHA256_DIGEST_SIZE, or SHA224_DIGEST_SIZE for sha224. */
static inline void accmdev_sha2_final(union accmdev_sha2 *c, bool sha224,
				      u8 *out)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 17, 0)
	if (sha224)
		sha224_final(&c->s224, out);
	else
		sha256_final(&c->s256, out);
#else
	if (sha224)
		sha224_final(&c->s, out);
	else
		sha256_final(&c->s, out);
#endif
}

static inline void accmdev_sha2_export(const union accmdev_sha2 *c,
				       u32 h[ACCMDEV_SHA2_WORDS], u64 *count,
				       u8 buf[SHA256_BLOCK_SIZE])
{
	BUILD_BUG_ON(sizeof(ACCMDEV_SHA2_H(c)) != ACCMDEV_SHA2_WORDS * 4);
	BUILD_BUG_ON(sizeof(ACCMDEV_SHA2_BUF(c)) != SHA256_BLOCK_SIZE);
	memcpy(h, ACCMDEV_SHA2_H(c), ACCMDEV_SHA2_WORDS * 4);
	*count = ACCMDEV_SHA2_COUNT(c);
	memcpy(buf, ACCMDEV_SHA2_BUF(c), SHA256_BLOCK_SIZE);
}

static inline void accmdev_sha2_import(union accmdev_sha2 *c,
				       const u32 h[ACCMDEV_SHA2_WORDS],
				       u64 count,
				       const u8 buf[SHA256_BLOCK_SIZE])
{
	memset(c, 0, sizeof(*c));
	memcpy(ACCMDEV_SHA2_H(c), h, ACCMDEV_SHA2_WORDS * 4);
	ACCMDEV_SHA2_COUNT(c) = count;
	memcpy(ACCMDEV_SHA2_BUF(c), buf, SHA256_BLOCK_SIZE);
}

#undef ACCMDEV_SHA2_H
#undef ACCMDEV_SHA2_COUNT
#undef ACCMDEV_SHA2_BUF

/*
 * 6.19 ("vfio: Add get_region_info_caps op"): the core answers
 * VFIO_DEVICE_GET_REGION_INFO itself (the copies to and from user space,
 * argsz, capability chains) and asks the driver through
 * ->get_region_info_caps; a driver without that op gets EINVAL for every
 * region. Before 6.19 the driver's ->ioctl answers it, which accmdev's
 * still does for those kernels.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 19, 0)
#define ACCMDEV_REGION_INFO_OP(fn)	.get_region_info_caps = fn,
#else
#define ACCMDEV_REGION_INFO_OP(fn)
#endif

/*
 * 6.2 ("vfio: Extend the device migration protocol with PRE_COPY" and
 * "vfio: Add an option to get migration data size") added the PRE_COPY
 * states, VFIO_MIG_GET_PRECOPY_INFO and VFIO_DEVICE_FEATURE_MIG_DATA_SIZE
 * with the migration_get_data_size op. Before that the device offers
 * STOP_COPY and P2P only, and answers MIG_DATA_SIZE itself through
 * ->device_feature, which 6.1 calls for feature numbers it does not know.
 * The uAPI values are fixed, so 6.1 builds define them here.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#define ACCMDEV_MIG_FLAGS	(VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_P2P | \
				 VFIO_MIGRATION_PRE_COPY)
#define ACCMDEV_MIG_DATA_SIZE_OP(fn)	.migration_get_data_size = (fn),
#define ACCMDEV_DEVICE_FEATURE_OP(fn)
#else
#define ACCMDEV_MIG_FLAGS	(VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_P2P)
#define ACCMDEV_MIG_DATA_SIZE_OP(fn)
#define ACCMDEV_DEVICE_FEATURE_OP(fn)	.device_feature = (fn),

#define VFIO_DEVICE_STATE_PRE_COPY		6
#define VFIO_DEVICE_STATE_PRE_COPY_P2P		7
#define VFIO_DEVICE_FEATURE_MIG_DATA_SIZE	9
#define VFIO_MIG_GET_PRECOPY_INFO		_IO(VFIO_TYPE, VFIO_BASE + 21)

struct vfio_device_feature_mig_data_size {
	__aligned_u64 stop_copy_length;
};

struct vfio_precopy_info {
	__u32 argsz;
	__u32 flags;
	__aligned_u64 initial_bytes;
	__aligned_u64 dirty_bytes;
};
#endif

/*
 * The device's worker runs in the cgroups of the process that opened the
 * device, as vhost's kthread worker did before vhost_task (6.4) and does
 * again in its kthread mode (fork_owner, in Debian's 6.12):
 * cgroup_attach_task_all(), exported GPL in 6.1, 6.12 and 7.3 alike
 * (their Module.symvers), and a stub returning 0 without CONFIG_CGROUPS. vhost_task_create() (6.4+,
 * only with CONFIG_VHOST_TASK, and with a signature that has changed
 * since) is not used.
 */
static inline int accmdev_cgroup_attach(struct task_struct *from,
					struct task_struct *to)
{
	return cgroup_attach_task_all(from, to);
}

#endif /* ACCMDEV_COMPAT_H */
