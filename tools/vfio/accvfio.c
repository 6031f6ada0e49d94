// SPDX-License-Identifier: GPL-2.0-only
/*
 * accvfio: user-space driver library for accmdev devices. See accvfio.h.
 */
#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "accvfio.h"

#define ACC_PAGE	4096ull

/*
 * The iommufd and VFIO cdev uAPI (Linux 6.6; the values are fixed), for
 * hosts whose headers predate it (bookworm's are 6.1). Only the fields
 * this file uses; the kernel takes a shorter argsz of a grown struct.
 */
#define ACC_IOMMUFD_TYPE		';'
#define ACC_IOMMU_IOAS_ALLOC		_IO(ACC_IOMMUFD_TYPE, 0x81)
#define ACC_IOMMU_IOAS_MAP		_IO(ACC_IOMMUFD_TYPE, 0x85)
#define ACC_IOMMU_IOAS_UNMAP		_IO(ACC_IOMMUFD_TYPE, 0x86)
#define ACC_IOAS_MAP_FIXED_IOVA		(1u << 0)
#define ACC_IOAS_MAP_WRITEABLE		(1u << 1)
#define ACC_IOAS_MAP_READABLE		(1u << 2)
#define ACC_VFIO_DEVICE_BIND_IOMMUFD	_IO(VFIO_TYPE, VFIO_BASE + 18)
#define ACC_VFIO_DEVICE_ATTACH_PT	_IO(VFIO_TYPE, VFIO_BASE + 19)

struct acc_ioas_alloc {
	uint32_t size;
	uint32_t flags;
	uint32_t out_ioas_id;
};

struct acc_ioas_map {
	uint32_t size;
	uint32_t flags;
	uint32_t ioas_id;
	uint32_t reserved;
	uint64_t user_va;
	uint64_t length;
	uint64_t iova;
};

struct acc_ioas_unmap {
	uint32_t size;
	uint32_t ioas_id;
	uint64_t iova;
	uint64_t length;
};

struct acc_bind_iommufd {
	uint32_t argsz;
	uint32_t flags;
	int32_t iommufd;
	uint32_t out_devid;
};

struct acc_attach_pt {
	uint32_t argsz;
	uint32_t flags;
	uint32_t pt_id;
};

static const char *const op_names[ACCMDEV_OP_COUNT] = {
	[ACCMDEV_OP_CRC32C]	= "crc32c",
	[ACCMDEV_OP_ADLER32]	= "adler32",
	[ACCMDEV_OP_DEFLATE]	= "deflate",
	[ACCMDEV_OP_INFLATE]	= "inflate",
	[ACCMDEV_OP_SHA256]	= "sha256",
	[ACCMDEV_OP_SHA224]	= "sha224",
};

static const char *const status_names[] = {
	[ACCMDEV_ST_OK]			= "ok",
	[ACCMDEV_ST_BAD_OPCODE]		= "bad-opcode",
	[ACCMDEV_ST_UNSUPPORTED]	= "unsupported",
	[ACCMDEV_ST_BAD_FLAGS]		= "bad-flags",
	[ACCMDEV_ST_BAD_FIELD]		= "bad-field",
	[ACCMDEV_ST_BAD_LENGTH]		= "bad-length",
	[ACCMDEV_ST_BAD_ADDR]		= "bad-addr",
	[ACCMDEV_ST_SRC_FAULT]		= "src-fault",
	[ACCMDEV_ST_DST_FAULT]		= "dst-fault",
	[ACCMDEV_ST_DST_FULL]		= "dst-full",
	[ACCMDEV_ST_DATA_ERROR]		= "data-error",
	[ACCMDEV_ST_NO_CONTEXT]		= "no-context",
	[ACCMDEV_ST_INTERNAL]		= "internal",
};

const char *acc_op_name(unsigned int op)
{
	return op < ACCMDEV_OP_COUNT ? op_names[op] : "unknown";
}

int acc_op_from_name(const char *name)
{
	for (int i = 0; i < ACCMDEV_OP_COUNT; i++)
		if (!strcmp(name, op_names[i]))
			return i;
	return -1;
}

const char *acc_status_name(unsigned int status)
{
	if (status < sizeof(status_names) / sizeof(status_names[0]))
		return status_names[status];
	return "unknown";
}

int acc_fail(struct acc_dev *d, int err, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(d->err, sizeof(d->err), fmt, ap);
	va_end(ap);
	if (err && n >= 0 && (size_t)n < sizeof(d->err))
		snprintf(d->err + n, sizeof(d->err) - n, ": %s", strerror(err));
	return -(err ? err : EIO);
}

const char *acc_error(const struct acc_dev *d)
{
	return d->err[0] ? d->err : "no error";
}

/* ---- regions ---------------------------------------------------------- */

int acc_region_read(struct acc_dev *d, uint64_t off, void *buf, size_t len)
{
	ssize_t n = pread(d->fd, buf, len, (off_t)off);

	if (n < 0)
		return acc_fail(d, errno, "read of %zu bytes at %#llx", len,
			    (unsigned long long)off);
	if ((size_t)n != len)
		return acc_fail(d, EIO, "short read at %#llx",
			    (unsigned long long)off);
	return 0;
}

int acc_region_write(struct acc_dev *d, uint64_t off, const void *buf,
		     size_t len)
{
	ssize_t n = pwrite(d->fd, buf, len, (off_t)off);

	if (n < 0)
		return acc_fail(d, errno, "write of %zu bytes at %#llx", len,
			    (unsigned long long)off);
	if ((size_t)n != len)
		return acc_fail(d, EIO, "short write at %#llx",
			    (unsigned long long)off);
	return 0;
}

int acc_rd32(struct acc_dev *d, uint32_t reg, uint32_t *val)
{
	uint32_t le;
	int ret = acc_region_read(d, d->regs_off + reg, &le, sizeof(le));

	if (!ret)
		*val = le32toh(le);
	return ret;
}

int acc_wr32(struct acc_dev *d, uint32_t reg, uint32_t val)
{
	uint32_t le = htole32(val);

	return acc_region_write(d, d->regs_off + reg, &le, sizeof(le));
}

int acc_qp_rd32(struct acc_qp *qp, uint32_t reg, uint32_t *val)
{
	return acc_rd32(qp->d, ACCMDEV_QP_REG(qp->idx, reg), val);
}

int acc_qp_wr32(struct acc_qp *qp, uint32_t reg, uint32_t val)
{
	return acc_wr32(qp->d, ACCMDEV_QP_REG(qp->idx, reg), val);
}

/* ---- open and close --------------------------------------------------- */

static int acc_region_offset(struct acc_dev *d, unsigned int index,
			     uint64_t size, uint64_t *off)
{
	struct vfio_region_info ri = { .argsz = sizeof(ri), .index = index };

	if (ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, &ri))
		return acc_fail(d, errno, "VFIO_DEVICE_GET_REGION_INFO %u", index);
	if (ri.size != size)
		return acc_fail(d, EPROTO, "region %u is %llu bytes, want %llu",
			    index, (unsigned long long)ri.size,
			    (unsigned long long)size);
	*off = ri.offset;
	return 0;
}

static int acc_open_container(struct acc_dev *d, const char *uuid,
			      const struct acc_dev *share)
{
	char path[PATH_MAX], link[PATH_MAX];
	struct vfio_group_status gs = { .argsz = sizeof(gs) };
	unsigned long group;
	const char *base;
	char *end;
	ssize_t n;
	int type;

	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/iommu_group",
		 uuid);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return acc_fail(d, errno, "no mdev %s", uuid);
	link[n] = '\0';
	base = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
	group = strtoul(base, &end, 10);
	if (!*base || *end)
		return acc_fail(d, EPROTO, "iommu group \"%s\" of %s", base, uuid);

	if (share)
		d->container = fcntl(share->container, F_DUPFD_CLOEXEC, 0);
	else
		d->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (d->container < 0)
		return acc_fail(d, errno, "/dev/vfio/vfio");
	if (ioctl(d->container, VFIO_GET_API_VERSION) != VFIO_API_VERSION)
		return acc_fail(d, EPROTO, "unknown VFIO API version");
	type = ioctl(d->container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) > 0 ?
	       VFIO_TYPE1v2_IOMMU : VFIO_TYPE1_IOMMU;
	if (ioctl(d->container, VFIO_CHECK_EXTENSION, type) <= 0)
		return acc_fail(d, ENODEV, "no type1 IOMMU in this kernel");

	snprintf(path, sizeof(path), "/dev/vfio/%lu", group);
	d->group = open(path, O_RDWR | O_CLOEXEC);
	if (d->group < 0)
		return acc_fail(d, errno, "%s", path);
	if (ioctl(d->group, VFIO_GROUP_GET_STATUS, &gs))
		return acc_fail(d, errno, "VFIO_GROUP_GET_STATUS");
	if (!(gs.flags & VFIO_GROUP_FLAGS_VIABLE))
		return acc_fail(d, EBUSY, "group %lu is not viable", group);
	if (ioctl(d->group, VFIO_GROUP_SET_CONTAINER, &d->container))
		return acc_fail(d, errno, "VFIO_GROUP_SET_CONTAINER");
	/* A shared container has its IOMMU already. */
	if (!share && ioctl(d->container, VFIO_SET_IOMMU, type))
		return acc_fail(d, errno, "VFIO_SET_IOMMU");
	return 0;
}

int acc_cdev_path(const char *uuid, char *path, size_t len)
{
	char dir[PATH_MAX];
	struct dirent *e;
	DIR *dp;
	int ret = -ENOENT;

	snprintf(dir, sizeof(dir), "/sys/bus/mdev/devices/%s/vfio-dev", uuid);
	dp = opendir(dir);
	if (!dp)
		return -errno;
	while ((e = readdir(dp))) {
		if (strncmp(e->d_name, "vfio", 4))
			continue;
		snprintf(path, len, "/dev/vfio/devices/%s", e->d_name);
		ret = 0;
		break;
	}
	closedir(dp);
	return ret;
}

static int acc_open_iommufd(struct acc_dev *d, const char *uuid,
			    const struct acc_dev *share)
{
	struct acc_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct acc_attach_pt at = { .argsz = sizeof(at) };
	char path[PATH_MAX];
	int ret;

	if (share && share->iommufd < 0)
		return acc_fail(d, EINVAL, "%s: the shared device is not on iommufd",
				uuid);
	ret = acc_cdev_path(uuid, path, sizeof(path));
	if (ret)
		return acc_fail(d, -ret, "no VFIO cdev for mdev %s", uuid);
	d->fd = open(path, O_RDWR | O_CLOEXEC);
	if (d->fd < 0)
		return acc_fail(d, errno, "%s", path);
	if (share)
		d->iommufd = fcntl(share->iommufd, F_DUPFD_CLOEXEC, 0);
	else
		d->iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (d->iommufd < 0)
		return acc_fail(d, errno, "/dev/iommu");
	if (share) {
		d->ioas = share->ioas;
	} else {
		struct acc_ioas_alloc a = { .size = sizeof(a) };

		if (ioctl(d->iommufd, ACC_IOMMU_IOAS_ALLOC, &a))
			return acc_fail(d, errno, "IOMMU_IOAS_ALLOC");
		d->ioas = a.out_ioas_id;
	}
	bind.iommufd = d->iommufd;
	if (ioctl(d->fd, ACC_VFIO_DEVICE_BIND_IOMMUFD, &bind))
		return acc_fail(d, errno, "VFIO_DEVICE_BIND_IOMMUFD %s", path);
	d->devid = bind.out_devid;
	at.pt_id = d->ioas;
	if (ioctl(d->fd, ACC_VFIO_DEVICE_ATTACH_PT, &at))
		return acc_fail(d, errno, "VFIO_DEVICE_ATTACH_IOMMUFD_PT %u", d->ioas);
	return 0;
}

/* ACCVFIO_OPEN=cdev: every open through the cdev and iommufd. */
static bool acc_want_cdev(void)
{
	const char *m = getenv("ACCVFIO_OPEN");

	return m && !strcmp(m, "cdev");
}

static int acc_open_how(struct acc_dev *d, const char *uuid,
			struct acc_dev *share, bool cdev)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	uint16_t cmd;
	int ret;

	memset(d, 0, sizeof(*d));
	d->container = d->group = d->fd = d->iommufd = -1;
	d->next_iova = ACC_IOVA_BASE;
	d->share = share;

	if (cdev) {
		ret = acc_open_iommufd(d, uuid, share);
		if (ret)
			goto out_close;
	} else {
		ret = acc_open_container(d, uuid, share);
		if (ret)
			goto out_close;
		d->fd = ioctl(d->group, VFIO_GROUP_GET_DEVICE_FD, uuid);
		if (d->fd < 0) {
			ret = acc_fail(d, errno, "VFIO_GROUP_GET_DEVICE_FD %s", uuid);
			goto out_close;
		}
	}
	if (ioctl(d->fd, VFIO_DEVICE_GET_INFO, &info)) {
		ret = acc_fail(d, errno, "VFIO_DEVICE_GET_INFO");
		goto out_close;
	}
	if (!(info.flags & VFIO_DEVICE_FLAGS_PCI) ||
	    info.num_regions < VFIO_PCI_NUM_REGIONS ||
	    info.num_irqs < VFIO_PCI_NUM_IRQS) {
		ret = acc_fail(d, EPROTO, "not a vfio-pci device");
		goto out_close;
	}
	ret = acc_region_offset(d, VFIO_PCI_CONFIG_REGION_INDEX,
				PCI_CFG_SPACE_SIZE, &d->cfg_off);
	if (!ret)
		ret = acc_region_offset(d, VFIO_PCI_BAR0_REGION_INDEX +
					ACCMDEV_REGS_BAR,
					ACCMDEV_REGS_BAR_SIZE, &d->regs_off);
	if (!ret)
		ret = acc_region_offset(d, VFIO_PCI_BAR0_REGION_INDEX +
					ACCMDEV_MSIX_BAR,
					ACCMDEV_MSIX_BAR_SIZE, &d->msix_off);
	if (ret)
		goto out_close;

	/* Memory decoding for the registers, bus mastering for the rings. */
	ret = acc_region_read(d, d->cfg_off + PCI_COMMAND, &cmd, sizeof(cmd));
	if (ret)
		goto out_close;
	cmd = htole16(le16toh(cmd) | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	ret = acc_region_write(d, d->cfg_off + PCI_COMMAND, &cmd, sizeof(cmd));
	if (!ret)
		ret = acc_rd32(d, ACCMDEV_REG_ID, &d->id);
	if (!ret)
		ret = acc_rd32(d, ACCMDEV_REG_REVISION, &d->rev);
	if (!ret)
		ret = acc_rd32(d, ACCMDEV_REG_ALGS, &d->algs);
	if (!ret)
		ret = acc_rd32(d, ACCMDEV_REG_NUM_QPS, &d->nqps);
	if (ret)
		goto out_close;
	if (d->id >> 16 != ACCMDEV_PCI_VENDOR_ID) {
		ret = acc_fail(d, EPROTO, "not an accmdev device (id %#x)", d->id);
		goto out_close;
	}
	return 0;

out_close:
	acc_close(d);
	return ret;
}

int acc_open(struct acc_dev *d, const char *uuid)
{
	return acc_open_how(d, uuid, NULL, acc_want_cdev());
}

int acc_open_shared(struct acc_dev *d, const char *uuid, struct acc_dev *share)
{
	return acc_open_how(d, uuid, share, acc_want_cdev());
}

int acc_open_cdev(struct acc_dev *d, const char *uuid, struct acc_dev *share)
{
	return acc_open_how(d, uuid, share, true);
}

void acc_close(struct acc_dev *d)
{
	if (d->fd >= 0)
		close(d->fd);
	if (d->group >= 0)
		close(d->group);
	if (d->container >= 0)
		close(d->container);
	if (d->iommufd >= 0)
		close(d->iommufd);
	d->fd = d->group = d->container = d->iommufd = -1;
}

int acc_reset(struct acc_dev *d)
{
	uint16_t cmd = htole16(PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);

	if (ioctl(d->fd, VFIO_DEVICE_RESET))
		return acc_fail(d, errno, "VFIO_DEVICE_RESET");
	/* A reset clears the command register, as a function reset does. */
	return acc_region_write(d, d->cfg_off + PCI_COMMAND, &cmd, sizeof(cmd));
}

/* ---- DMA memory ------------------------------------------------------- */

int acc_dma_map_at(struct acc_dev *d, uint64_t iova, size_t size,
		   struct acc_dma *m)
{
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map) };
	size_t len = (size + ACC_PAGE - 1) & ~(ACC_PAGE - 1);
	void *va;

	if (!len)
		len = ACC_PAGE;
	va = mmap(NULL, len, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (va == MAP_FAILED)
		return acc_fail(d, errno, "mmap of %zu bytes", len);
	if (d->iommufd >= 0) {
		struct acc_ioas_map im = {
			.size = sizeof(im),
			.flags = ACC_IOAS_MAP_FIXED_IOVA | ACC_IOAS_MAP_READABLE |
				 ACC_IOAS_MAP_WRITEABLE,
			.ioas_id = d->ioas,
			.user_va = (uintptr_t)va,
			.length = len,
			.iova = iova,
		};

		if (ioctl(d->iommufd, ACC_IOMMU_IOAS_MAP, &im)) {
			int err = errno;

			munmap(va, len);
			return acc_fail(d, err, "IOMMU_IOAS_MAP %#llx+%zu",
					(unsigned long long)iova, len);
		}
		goto mapped;
	}
	map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	map.vaddr = (uintptr_t)va;
	map.iova = iova;
	map.size = len;
	if (ioctl(d->container, VFIO_IOMMU_MAP_DMA, &map)) {
		int err = errno;

		munmap(va, len);
		return acc_fail(d, err, "VFIO_IOMMU_MAP_DMA %#llx+%zu",
			    (unsigned long long)iova, len);
	}
mapped:
	m->va = va;
	m->iova = iova;
	m->size = len;
	return 0;
}

/* Mappings are separated by an unmapped page, to catch overruns. */
int acc_dma_map(struct acc_dev *d, size_t size, struct acc_dma *m)
{
	/* Devices in one container allocate from one IOVA space. */
	struct acc_dev *a = d->share ? d->share : d;
	int ret = acc_dma_map_at(d, a->next_iova, size, m);

	if (!ret)
		a->next_iova += m->size + ACC_PAGE;
	return ret;
}

int acc_dma_unmap(struct acc_dev *d, struct acc_dma *m)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = m->iova,
		.size = m->size,
	};
	int ret = 0;

	if (!m->va)
		return 0;
	if (d->iommufd >= 0) {
		struct acc_ioas_unmap iu = {
			.size = sizeof(iu),
			.ioas_id = d->ioas,
			.iova = m->iova,
			.length = m->size,
		};

		if (ioctl(d->iommufd, ACC_IOMMU_IOAS_UNMAP, &iu))
			ret = acc_fail(d, errno, "IOMMU_IOAS_UNMAP");
	} else if (ioctl(d->container, VFIO_IOMMU_UNMAP_DMA, &unmap)) {
		ret = acc_fail(d, errno, "VFIO_IOMMU_UNMAP_DMA");
	}
	munmap(m->va, m->size);
	memset(m, 0, sizeof(*m));
	return ret;
}

/* ---- interrupts ------------------------------------------------------- */

/* Eventfds for @count vectors (-1: none), or with @fds NULL, release all. */
int acc_irq_set(struct acc_dev *d, unsigned int index, unsigned int start,
		unsigned int count, const int32_t *fds)
{
	size_t sz = sizeof(struct vfio_irq_set) + (fds ? count * sizeof(*fds) : 0);
	struct vfio_irq_set *set = calloc(1, sz);
	int ret = 0;

	if (!set)
		return acc_fail(d, ENOMEM, "VFIO_DEVICE_SET_IRQS");
	set->argsz = sz;
	set->index = index;
	set->start = start;
	set->count = fds ? count : 0;
	set->flags = VFIO_IRQ_SET_ACTION_TRIGGER |
		     (fds ? VFIO_IRQ_SET_DATA_EVENTFD : VFIO_IRQ_SET_DATA_NONE);
	if (fds)
		memcpy(set->data, fds, count * sizeof(*fds));
	if (ioctl(d->fd, VFIO_DEVICE_SET_IRQS, set))
		ret = acc_fail(d, errno, "VFIO_DEVICE_SET_IRQS index %u", index);
	free(set);
	return ret;
}

/* An eventfd that the device signals when its removal is requested. */
int acc_req_eventfd(struct acc_dev *d)
{
	int32_t fd = eventfd(0, EFD_CLOEXEC);
	int ret;

	if (fd < 0)
		return acc_fail(d, errno, "eventfd");
	ret = acc_irq_set(d, VFIO_PCI_REQ_IRQ_INDEX, 0, 1, &fd);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

/* ---- queue pairs ------------------------------------------------------ */

int acc_qp_setup(struct acc_dev *d, struct acc_qp *qp, unsigned int idx,
		 uint32_t sq_size, uint32_t cq_size)
{
	uint32_t status, error;
	int32_t efd;
	int ret;

	memset(qp, 0, sizeof(*qp));
	qp->d = d;
	qp->idx = idx;
	qp->efd = -1;
	qp->sq_size = sq_size;
	qp->cq_size = cq_size;
	qp->phase = 1;
	if (idx >= d->nqps)
		return acc_fail(d, EINVAL, "QP %u: the device has %u", idx, d->nqps);

	ret = acc_dma_map(d, (size_t)sq_size * ACCMDEV_SQE_SIZE, &qp->sq);
	if (!ret)
		ret = acc_dma_map(d, (size_t)cq_size * ACCMDEV_CQE_SIZE, &qp->cq);
	if (ret)
		goto out_teardown;

	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (efd < 0) {
		ret = acc_fail(d, errno, "eventfd");
		goto out_teardown;
	}
	qp->efd = efd;
	ret = acc_irq_set(d, VFIO_PCI_MSIX_IRQ_INDEX, idx, 1, &efd);
	if (ret)
		goto out_teardown;

	ret = acc_qp_wr32(qp, ACCMDEV_QP_SQ_BASE_LO, (uint32_t)qp->sq.iova);
	if (!ret)
		ret = acc_qp_wr32(qp, ACCMDEV_QP_SQ_BASE_HI, qp->sq.iova >> 32);
	if (!ret)
		ret = acc_qp_wr32(qp, ACCMDEV_QP_CQ_BASE_LO, (uint32_t)qp->cq.iova);
	if (!ret)
		ret = acc_qp_wr32(qp, ACCMDEV_QP_CQ_BASE_HI, qp->cq.iova >> 32);
	if (!ret)
		ret = acc_qp_wr32(qp, ACCMDEV_QP_SQ_SIZE, sq_size);
	if (!ret)
		ret = acc_qp_wr32(qp, ACCMDEV_QP_CQ_SIZE, cq_size);
	if (!ret)
		ret = acc_qp_wr32(qp, ACCMDEV_QP_ENABLE, 1);
	if (!ret)
		ret = acc_qp_rd32(qp, ACCMDEV_QP_STATUS, &status);
	if (!ret)
		ret = acc_qp_rd32(qp, ACCMDEV_QP_ERROR, &error);
	if (ret)
		goto out_teardown;
	if (!(status & ACCMDEV_QP_ST_ENABLED)) {
		ret = acc_fail(d, EINVAL, "QP %u did not enable (error %u)", idx,
			   error);
		goto out_teardown;
	}
	return 0;

out_teardown:
	acc_qp_teardown(qp);
	return ret;
}

int acc_qp_teardown(struct acc_qp *qp)
{
	struct acc_dev *d = qp->d;
	int32_t none = -1;
	int ret = 0;

	if (!d)
		return 0;
	if (d->fd >= 0) {
		ret = acc_qp_wr32(qp, ACCMDEV_QP_ENABLE, 0);
		if (qp->efd >= 0)
			acc_irq_set(d, VFIO_PCI_MSIX_IRQ_INDEX, qp->idx, 1,
				    &none);
	}
	if (qp->efd >= 0)
		close(qp->efd);
	acc_dma_unmap(d, &qp->cq);
	acc_dma_unmap(d, &qp->sq);
	qp->efd = -1;
	qp->d = NULL;
	return ret;
}

/* Requests that can be submitted now (the rings keep one slot free). */
uint32_t acc_qp_room(const struct acc_qp *qp)
{
	uint32_t cap = (qp->sq_size < qp->cq_size ? qp->sq_size : qp->cq_size) - 1;

	return qp->inflight < cap ? cap - qp->inflight : 0;
}

int acc_qp_submit(struct acc_qp *qp, const struct accmdev_sqe *sqe,
		  unsigned int n)
{
	struct accmdev_sqe *ring = qp->sq.va;

	if (n > acc_qp_room(qp))
		return acc_fail(qp->d, EAGAIN, "QP %u: ring full", qp->idx);
	for (unsigned int i = 0; i < n; i++) {
		ring[qp->sq_tail] = sqe[i];
		qp->sq_tail = (qp->sq_tail + 1) & (qp->sq_size - 1);
	}
	qp->inflight += n;
	atomic_thread_fence(memory_order_release);
	return acc_qp_wr32(qp, ACCMDEV_QP_SQ_TAIL, qp->sq_tail);
}

/* Completions already written, without waiting. */
int acc_qp_poll(struct acc_qp *qp, struct accmdev_cqe *cqe, unsigned int max)
{
	struct accmdev_cqe *ring = qp->cq.va;
	unsigned int n = 0;

	while (n < max) {
		struct accmdev_cqe *e = &ring[qp->cq_head];
		uint16_t flags = atomic_load_explicit((_Atomic uint16_t *)&e->flags,
						      memory_order_acquire);

		if ((le16toh(flags) & ACCMDEV_CQE_F_PHASE) != qp->phase)
			break;
		cqe[n++] = *e;
		qp->cq_head = (qp->cq_head + 1) & (qp->cq_size - 1);
		if (!qp->cq_head)
			qp->phase ^= 1;
		if (qp->inflight)
			qp->inflight--;
	}
	if (n) {
		int ret = acc_qp_wr32(qp, ACCMDEV_QP_CQ_HEAD, qp->cq_head);

		if (ret)
			return ret;
	}
	return n;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* At least one completion, waiting on the QP's interrupt eventfd. */
int acc_qp_wait(struct acc_qp *qp, struct accmdev_cqe *cqe, unsigned int max,
		int timeout_ms)
{
	long long end = now_ms() + timeout_ms;

	for (;;) {
		struct pollfd pfd = { .fd = qp->efd, .events = POLLIN };
		uint64_t count;
		long long left;
		int n = acc_qp_poll(qp, cqe, max);

		if (n)
			return n;
		left = end - now_ms();
		if (left <= 0)
			return acc_fail(qp->d, ETIMEDOUT, "QP %u: no completion",
				    qp->idx);
		n = poll(&pfd, 1, (int)left);
		if (n < 0 && errno != EINTR)
			return acc_fail(qp->d, errno, "poll");
		if (n > 0 && read(qp->efd, &count, sizeof(count)) == sizeof(count))
			qp->irqs += count;
	}
}

/* ---- requests --------------------------------------------------------- */

void acc_sqe_fill(struct accmdev_sqe *s, uint8_t op, uint8_t flags,
		  uint32_t param, uint64_t tag, uint64_t src,
		  uint32_t src_len, uint64_t dst, uint32_t dst_len)
{
	memset(s, 0, sizeof(*s));
	s->opcode = op;
	s->flags = flags;
	s->param = htole32(param);
	s->tag = htole64(tag);
	s->src = htole64(src);
	s->src_len = htole32(src_len);
	s->dst = htole64(dst);
	s->dst_len = htole32(dst_len);
}

/* Reap 1 to @max (at most 16) completions of a stream; all must be OK. */
static int acc_stream_reap(struct acc_qp *qp, unsigned int max,
			   uint64_t *next_tag, uint8_t *result,
			   uint32_t *result_len)
{
	struct accmdev_cqe cqe[16];
	int n = acc_qp_wait(qp, cqe, max < 16 ? max : 16, 30000);

	for (int i = 0; i < n; i++) {
		uint16_t st = le16toh(cqe[i].status);
		uint64_t tag = le64toh(cqe[i].tag);

		if (tag != *next_tag)
			return acc_fail(qp->d, EPROTO, "completion tag %llu, want %llu",
				    (unsigned long long)tag,
				    (unsigned long long)*next_tag);
		++*next_tag;
		if (st != ACCMDEV_ST_OK)
			return acc_fail(qp->d, EIO, "%s: device status %s (%u)",
				    acc_op_name(cqe[i].opcode),
				    acc_status_name(st), st);
		*result_len = le32toh(cqe[i].result_len);
		if (*result_len > sizeof(cqe[i].result))
			return acc_fail(qp->d, EPROTO, "result of %u bytes",
				    *result_len);
		memcpy(result, cqe[i].result, *result_len);
	}
	return n < 0 ? n : 0;
}

/* Fill @buf from @read: short only at the end of the input. */
static long acc_read_full(acc_read_fn read, void *arg, uint8_t *buf,
			  size_t len)
{
	size_t got = 0;

	while (got < len) {
		long n = read(arg, buf + got, len - got);

		if (n < 0)
			return n;
		if (!n)
			break;
		got += n;
	}
	return got;
}

int acc_stream(struct acc_qp *qp, uint8_t op, acc_read_fn read, void *arg,
	       size_t chunk, uint8_t *result, uint32_t *result_len)
{
	struct acc_dev *d = qp->d;
	uint32_t depth = acc_qp_room(qp) < 8 ? acc_qp_room(qp) : 8;
	/* Slots for the requests in flight, the pending one and the next. */
	uint32_t nslots = depth + 2, pending = 0, next = 1;
	uint64_t tag = 0, next_tag = 0;
	struct acc_dma buf = { 0 };
	long len, nlen;
	int ret;

	if (!depth || !chunk || chunk > ACCMDEV_MAX_SRC_LEN)
		return acc_fail(d, EINVAL, "stream: bad ring or chunk size");
	ret = acc_dma_map(d, nslots * chunk, &buf);
	if (ret)
		return ret;
	*result_len = 0;
	len = acc_read_full(read, arg, (uint8_t *)buf.va, chunk);
	for (;;) {
		struct accmdev_sqe sqe;
		uint8_t flags = tag ? 0 : ACCMDEV_SQE_F_FIRST;

		if (len < 0) {
			ret = acc_fail(d, (int)-len, "reading the input");
			break;
		}
		/*
		 * At most depth in flight, so the next slot is free. One
		 * completion is reaped at a time: the rest stay in flight, so
		 * a read of the input (where --migrate-to stops the device)
		 * finds requests in flight however fast the engine is.
		 */
		while (!ret && qp->inflight >= depth)
			ret = acc_stream_reap(qp, 1, &next_tag, result,
					      result_len);
		if (ret)
			break;
		/* Read ahead, to know whether the pending chunk is the last. */
		nlen = (size_t)len < chunk ? 0 :
		       acc_read_full(read, arg, (uint8_t *)buf.va + next * chunk,
				     chunk);
		if (!nlen)
			flags |= ACCMDEV_SQE_F_FINAL;
		acc_sqe_fill(&sqe, op, flags, 0, tag++, buf.iova + pending * chunk,
			     len, 0, 0);
		ret = acc_qp_submit(qp, &sqe, 1);
		if (ret || !nlen)
			break;
		pending = next;
		next = (next + 1) % nslots;
		len = nlen;
	}
	while (!ret && qp->inflight)
		ret = acc_stream_reap(qp, 16, &next_tag, result, result_len);
	acc_dma_unmap(d, &buf);
	return ret;
}

int acc_oneshot(struct acc_qp *qp, uint8_t op, uint32_t param,
		const struct acc_dma *src, uint32_t src_len,
		const struct acc_dma *dst, uint32_t dst_len,
		struct accmdev_cqe *cqe)
{
	struct accmdev_sqe sqe;
	int ret;

	acc_sqe_fill(&sqe, op, ACCMDEV_SQE_F_ONESHOT, param, 1,
		     src ? src->iova : 0, src_len, dst ? dst->iova : 0,
		     dst_len);
	ret = acc_qp_submit(qp, &sqe, 1);
	if (!ret)
		ret = acc_qp_wait(qp, cqe, 1, 60000);
	return ret < 0 ? ret : 0;
}
