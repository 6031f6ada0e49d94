/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * accvfio: a small user-space driver for accmdev devices, through the
 * VFIO group and container API (type1 IOMMU), or through the device's
 * VFIO cdev bound to an iommufd (acc_open_cdev(), or ACCVFIO_OPEN=cdev in
 * the environment for every open; kernels with CONFIG_IOMMUFD and
 * CONFIG_VFIO_DEVICE_CDEV only).
 *
 *   struct acc_dev d;
 *   acc_open(&d, uuid);                  group, container, device fd
 *   acc_dma_map(&d, size, &buf);         anonymous memory at an IOVA
 *   acc_qp_setup(&d, &qp, 0, 64, 64);    rings, MSI-X eventfd, enable
 *   acc_qp_submit(&qp, &sqe, 1);         SQ entries and the doorbell
 *   acc_qp_wait(&qp, &cqe, 1, 5000);     completions, waiting on the IRQ
 *   acc_close(&d);
 *
 * Functions return 0 (or a count) on success and a negative errno on
 * failure; acc_error() then says what failed. The register ABI is
 * driver/uapi/accmdev_regs.h. Not thread-safe: one thread per acc_dev.
 */
#ifndef ACCVFIO_H
#define ACCVFIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uapi/accmdev_regs.h"

struct acc_dma {
	void *va;
	uint64_t iova;
	size_t size;
};

struct acc_dev {
	int container;
	int group;
	int fd;
	int iommufd;			/* cdev path: /dev/iommu, else -1 */
	uint32_t ioas;			/* cdev path: the IOAS of the mappings */
	uint32_t devid;			/* cdev path: the device's iommufd id */
	uint64_t cfg_off;		/* region offsets from REGION_INFO */
	uint64_t regs_off;
	uint64_t msix_off;
	uint32_t id;			/* ACCMDEV_REG_ID */
	uint32_t rev;
	uint32_t algs;
	uint32_t nqps;
	uint64_t next_iova;		/* acc_dma_map() allocates upwards */
	struct acc_dev *share;		/* owner of the shared container */
	char err[256];
};

struct acc_qp {
	struct acc_dev *d;
	unsigned int idx;
	struct acc_dma sq;
	struct acc_dma cq;
	uint32_t sq_size;
	uint32_t cq_size;
	uint32_t sq_tail;		/* next SQ slot to fill */
	uint32_t cq_head;		/* next CQ slot to read */
	uint32_t phase;			/* phase of new CQ entries */
	uint32_t inflight;		/* submitted, not yet reaped */
	int efd;			/* the QP's MSI-X eventfd */
	uint64_t irqs;			/* eventfd counts read so far */
};

/* Where acc_dma_map() starts; anything below is free for tests. */
#define ACC_IOVA_BASE	0x10000000ull

int acc_open(struct acc_dev *d, const char *uuid);
/*
 * Open @uuid in the container of @share (NULL: a new one), as a VMM puts
 * every device of a guest in one address space: both devices see the
 * same mappings, and IOVAs come from @share's allocator. @share must
 * stay open (and in memory) as long as @d.
 */
int acc_open_shared(struct acc_dev *d, const char *uuid,
		    struct acc_dev *share);
/*
 * Open @uuid through /dev/vfio/devices/vfioN and /dev/iommu: bind the
 * device to an iommufd (VFIO_DEVICE_BIND_IOMMUFD) and attach it to an
 * IOAS (VFIO_DEVICE_ATTACH_IOMMUFD_PT), a new one or @share's; DMA
 * mappings are then IOMMU_IOAS_MAP of user memory. acc_open() and
 * acc_open_shared() take this path when ACCVFIO_OPEN=cdev is set.
 */
int acc_open_cdev(struct acc_dev *d, const char *uuid, struct acc_dev *share);
/* "/dev/vfio/devices/vfioN" of @uuid into @path; 0 or -errno. */
int acc_cdev_path(const char *uuid, char *path, size_t len);
void acc_close(struct acc_dev *d);
const char *acc_error(const struct acc_dev *d);
/* Record an error on @d (strerror(@err) appended); returns -@err. */
int acc_fail(struct acc_dev *d, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int acc_reset(struct acc_dev *d);

int acc_region_read(struct acc_dev *d, uint64_t off, void *buf, size_t len);
int acc_region_write(struct acc_dev *d, uint64_t off, const void *buf,
		     size_t len);
int acc_rd32(struct acc_dev *d, uint32_t reg, uint32_t *val);
int acc_wr32(struct acc_dev *d, uint32_t reg, uint32_t val);
int acc_qp_rd32(struct acc_qp *qp, uint32_t reg, uint32_t *val);
int acc_qp_wr32(struct acc_qp *qp, uint32_t reg, uint32_t val);

int acc_dma_map(struct acc_dev *d, size_t size, struct acc_dma *m);
int acc_dma_map_at(struct acc_dev *d, uint64_t iova, size_t size,
		   struct acc_dma *m);
int acc_dma_unmap(struct acc_dev *d, struct acc_dma *m);

int acc_irq_set(struct acc_dev *d, unsigned int index, unsigned int start,
		unsigned int count, const int32_t *fds);
int acc_req_eventfd(struct acc_dev *d);

int acc_qp_setup(struct acc_dev *d, struct acc_qp *qp, unsigned int idx,
		 uint32_t sq_size, uint32_t cq_size);
int acc_qp_teardown(struct acc_qp *qp);
uint32_t acc_qp_room(const struct acc_qp *qp);
/* One SQ entry, zeroed first, multi-byte fields little-endian. */
void acc_sqe_fill(struct accmdev_sqe *s, uint8_t op, uint8_t flags,
		  uint32_t param, uint64_t tag, uint64_t src,
		  uint32_t src_len, uint64_t dst, uint32_t dst_len);
int acc_qp_submit(struct acc_qp *qp, const struct accmdev_sqe *sqe,
		  unsigned int n);
int acc_qp_poll(struct acc_qp *qp, struct accmdev_cqe *cqe, unsigned int max);
int acc_qp_wait(struct acc_qp *qp, struct accmdev_cqe *cqe, unsigned int max,
		int timeout_ms);

/*
 * Streaming and one-shot requests on top of a QP. acc_stream() reads its
 * input with @read until it returns 0 and submits it in requests of
 * @chunk bytes, keeping the ring full; the last one carries FINAL.
 */
typedef long (*acc_read_fn)(void *arg, void *buf, size_t len);
int acc_stream(struct acc_qp *qp, uint8_t op, acc_read_fn read, void *arg,
	       size_t chunk, uint8_t *result, uint32_t *result_len);
int acc_oneshot(struct acc_qp *qp, uint8_t op, uint32_t param,
		const struct acc_dma *src, uint32_t src_len,
		const struct acc_dma *dst, uint32_t dst_len,
		struct accmdev_cqe *cqe);

const char *acc_op_name(unsigned int op);
int acc_op_from_name(const char *name);
const char *acc_status_name(unsigned int status);

#endif /* ACCVFIO_H */
