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
 * The raw (uninverted) CRC32C update from lib/crc32.c, built in whenever
 * CONFIG_CRC32 is. It is __crc32c_le() in 6.1 and 6.12; crc32c() from
 * libcrc32c would add a module dependency that insmod does not resolve.
 */
static inline u32 accmdev_crc32c(u32 crc, const u8 *p, size_t len)
{
	return __crc32c_le(crc, p, len);
}

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
