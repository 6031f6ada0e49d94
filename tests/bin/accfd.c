// SPDX-License-Identifier: GPL-2.0-only
/*
 * accfd: accmdev devices through their VFIO cdev and iommufd, for
 * tests/bats/52-iommufd.bats (kernels with CONFIG_IOMMUFD and
 * CONFIG_VFIO_DEVICE_CDEV: the debug lane's). The group and container
 * path is what 50-device and 74-migration test; here the device is
 * opened through /dev/vfio/devices/vfioN, bound to /dev/iommu and
 * attached to an IOAS, and its DMA goes through IOMMU_IOAS_MAP of user
 * memory: accmdev's emulated-iommufd callbacks (driver/compat.h).
 *
 *   accfd bind UUID          the cdev's rules: nothing before the bind,
 *                            one bind per fd, attach, detach, and the
 *                            group and the cdev exclude each other
 *   accfd compute UUID       regions, a crc32c and an adler32 by DMA
 *                            through the IOAS, the MSI-X interrupt, an
 *                            IOAS unmap seen by the device, detach and
 *                            attach again
 *   accfd migrate SRC DST    an open crc32c stream saved from SRC and
 *                            resumed on DST (migration v2), both in one
 *                            IOAS, ending equal to the reference
 *
 * Each check prints "ok - ..." or "not ok - ..."; exit status 1 if one
 * failed, 2 on usage errors. The oracles are the uAPI's documented
 * errors and the naive references of accref.h.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "accmig.h"
#include "accref.h"
#include "accvfio.h"
#include "testlib.h"

/* The cdev uAPI (Linux 6.6), for headers that predate it. */
#define CDEV_BIND	_IO(VFIO_TYPE, VFIO_BASE + 18)
#define CDEV_ATTACH	_IO(VFIO_TYPE, VFIO_BASE + 19)
#define CDEV_DETACH	_IO(VFIO_TYPE, VFIO_BASE + 20)

struct bind_arg {
	uint32_t argsz;
	uint32_t flags;
	int32_t iommufd;
	uint32_t out_devid;
};

struct attach_arg {
	uint32_t argsz;
	uint32_t flags;
	uint32_t pt_id;
};

struct detach_arg {
	uint32_t argsz;
	uint32_t flags;
};

static const char *ename(int err)
{
	const char *n = err ? strerrorname_np(err) : "0";

	return n ? n : "E?";
}

/* The errno of a failed ioctl, 0 if it succeeded. */
static int ioctl_err(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) ? errno : 0;
}

static void open_cdev(struct acc_dev *d, const char *uuid,
		      struct acc_dev *share)
{
	if (acc_open_cdev(d, uuid, share))
		die(d, uuid);
}

static void map(struct acc_dev *d, size_t size, struct acc_dma *m)
{
	if (acc_dma_map(d, size, m))
		die(d, "IOAS map");
}

static struct accmdev_sqe sqe(uint8_t op, uint8_t flags, uint64_t tag,
			      uint64_t src, uint32_t len)
{
	struct accmdev_sqe s;

	memset(&s, 0, sizeof(s));
	s.opcode = op;
	s.flags = flags;
	s.tag = htole64(tag);
	s.src = htole64(src);
	s.src_len = htole32(len);
	return s;
}

/* Submit one request and wait for its completion; dies on a timeout. */
static struct accmdev_cqe run1(struct acc_qp *qp, struct accmdev_sqe s)
{
	struct accmdev_cqe c;

	if (acc_qp_submit(qp, &s, 1))
		die(qp->d, "submit");
	if (acc_qp_wait(qp, &c, 1, 30000) != 1)
		die(qp->d, "completion");
	return c;
}

static uint32_t res32(const struct accmdev_cqe *c)
{
	uint32_t v;

	memcpy(&v, c->result, sizeof(v));
	return le32toh(v);
}

static uint32_t qrd(struct acc_qp *qp, uint32_t reg)
{
	uint32_t v;

	if (acc_qp_rd32(qp, reg, &v))
		die(qp->d, "QP register read");
	return v;
}

/* Signals on the QP's eventfd so far, waiting up to 5 s for the first. */
static uint64_t irqs_seen(struct acc_qp *qp)
{
	struct pollfd p = { .fd = qp->efd, .events = POLLIN };
	uint64_t v;

	if (!qp->irqs && poll(&p, 1, 5000) == 1 &&
	    read(qp->efd, &v, sizeof(v)) == sizeof(v))
		qp->irqs += v;
	else if (read(qp->efd, &v, sizeof(v)) == sizeof(v))
		qp->irqs += v;
	return qp->irqs;
}

/* ---- bind ------------------------------------------------------------- */

static int t_bind(const char *uuid)
{
	struct bind_arg b = { .argsz = sizeof(b) };
	struct attach_arg at = { .argsz = sizeof(at) };
	struct detach_arg dt = { .argsz = sizeof(dt) };
	struct vfio_device_info info = { .argsz = sizeof(info) };
	struct acc_dev g, d;
	char path[256];
	struct stat sb;
	int fd, iommufd, err;
	uint8_t byte;

	check(stat("/dev/iommu", &sb) == 0 && S_ISCHR(sb.st_mode),
	      "/dev/iommu is a character device");
	err = -acc_cdev_path(uuid, path, sizeof(path));
	check(!err, "the mdev has a VFIO cdev: %s", err ? ename(err) : path);
	if (err)
		return 1;
	check(stat(path, &sb) == 0 && S_ISCHR(sb.st_mode),
	      "%s is a character device", path);

	fd = open(path, O_RDWR | O_CLOEXEC);
	iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (fd < 0 || iommufd < 0)
		die(NULL, "opening the cdev and /dev/iommu");
	err = ioctl_err(fd, VFIO_DEVICE_GET_INFO, &info);
	check(err == EINVAL, "before the bind: VFIO_DEVICE_GET_INFO fails %s (want EINVAL)",
	      ename(err));
	err = pread(fd, &byte, 1, 0) < 0 ? errno : 0;
	check(err == EINVAL, "before the bind: a config space read fails %s (want EINVAL)",
	      ename(err));

	b.iommufd = iommufd;
	err = ioctl_err(fd, CDEV_BIND, &b);
	check(!err, "VFIO_DEVICE_BIND_IOMMUFD: %s, device id %u", ename(err),
	      b.out_devid);
	err = ioctl_err(fd, CDEV_BIND, &b);
	check(err == EINVAL, "a second bind of the fd fails %s (want EINVAL)",
	      ename(err));
	err = ioctl_err(fd, VFIO_DEVICE_GET_INFO, &info);
	check(!err && (info.flags & VFIO_DEVICE_FLAGS_PCI) &&
	      info.num_regions >= VFIO_PCI_NUM_REGIONS,
	      "after the bind: a vfio-pci device (%s, %u regions)", ename(err),
	      info.num_regions);

	/* The group path is closed while the cdev is bound. */
	err = -acc_open(&g, uuid);
	check(err == EBUSY, "the group path while the cdev is bound: %s (want EBUSY)",
	      err ? ename(err) : "opened");
	if (!err)
		acc_close(&g);

	at.pt_id = 0x7fffffff;
	err = ioctl_err(fd, CDEV_ATTACH, &at);
	check(err == ENOENT, "attach to an IOAS id that does not exist: %s (want ENOENT)",
	      ename(err));
	{
		struct { uint32_t size, flags, out_ioas_id; } a = { .size = sizeof(a) };

		if (ioctl(iommufd, _IO(';', 0x81), &a))
			die(NULL, "IOMMU_IOAS_ALLOC");
		at.pt_id = a.out_ioas_id;
	}
	err = ioctl_err(fd, CDEV_ATTACH, &at);
	check(!err, "VFIO_DEVICE_ATTACH_IOMMUFD_PT: %s", ename(err));
	err = ioctl_err(fd, CDEV_DETACH, &dt);
	check(!err, "VFIO_DEVICE_DETACH_IOMMUFD_PT: %s", ename(err));
	err = ioctl_err(fd, CDEV_ATTACH, &at);
	check(!err, "attach again after the detach: %s", ename(err));
	close(fd);
	close(iommufd);

	/* The cdev while the group holds the device. */
	if (acc_open(&g, uuid) == 0) {
		struct acc_dev c;

		err = -acc_open_cdev(&c, uuid, NULL);
		check(err == EBUSY, "the cdev while the group is open: %s (want EBUSY)",
		      err ? ename(err) : "bound");
		if (!err)
			acc_close(&c);
		acc_close(&g);
	} else {
		check(0, "the group path once the cdev is closed: %s", acc_error(&g));
	}

	open_cdev(&d, uuid, NULL);
	check(d.devid != 0, "acc_open_cdev: bound (device id %u), IOAS %u, id register %#x",
	      d.devid, d.ioas, d.id);
	acc_close(&d);
	return failures ? 1 : 0;
}

/* ---- compute ---------------------------------------------------------- */

static int t_compute(const char *uuid)
{
	const uint32_t len = 8192;
	struct accmdev_cqe c;
	struct acc_dma data;
	struct acc_qp qp;
	struct acc_dev d;
	uint64_t iova;
	uint32_t before;

	open_cdev(&d, uuid, NULL);
	check(d.nqps >= 1 && d.algs & (1u << ACCMDEV_OP_CRC32C),
	      "regions: id %#x, revision %u, %u QPs, algorithms %#x", d.id,
	      d.rev, d.nqps, d.algs);
	if (acc_qp_setup(&d, &qp, 0, 16, 16))
		die(&d, "QP setup (rings in the IOAS)");
	map(&d, len, &data);
	ref_fill(data.va, len, 52);

	c = run1(&qp, sqe(ACCMDEV_OP_CRC32C, ACCMDEV_SQE_F_ONESHOT, 1, data.iova, len));
	check(le16toh(c.status) == ACCMDEV_ST_OK &&
	      res32(&c) == ref_crc32c(data.va, len),
	      "crc32c of %u bytes by DMA: status %s, %#x (want %#x)", len,
	      acc_status_name(le16toh(c.status)), res32(&c),
	      ref_crc32c(data.va, len));
	c = run1(&qp, sqe(ACCMDEV_OP_ADLER32, ACCMDEV_SQE_F_ONESHOT, 2, data.iova + 1,
			  len - 1));
	check(le16toh(c.status) == ACCMDEV_ST_OK &&
	      res32(&c) == ref_adler32((uint8_t *)data.va + 1, len - 1),
	      "adler32 at an odd IOVA: status %s, %#x (want %#x)",
	      acc_status_name(le16toh(c.status)), res32(&c),
	      ref_adler32((uint8_t *)data.va + 1, len - 1));
	irqs_seen(&qp);
	check(qp.irqs >= 1 && qrd(&qp, ACCMDEV_QP_IRQ_COUNT) >= 1,
	      "the MSI-X eventfd fired (%llu signals, %u interrupts counted)",
	      (unsigned long long)qp.irqs, qrd(&qp, ACCMDEV_QP_IRQ_COUNT));

	/* The device sees the IOAS as it is now: unmapped, then new memory. */
	iova = data.iova;
	if (acc_dma_unmap(&d, &data))
		die(&d, "IOMMU_IOAS_UNMAP");
	before = qrd(&qp, ACCMDEV_QP_DONE_COUNT);
	c = run1(&qp, sqe(ACCMDEV_OP_CRC32C, ACCMDEV_SQE_F_ONESHOT, 3, iova, len));
	check(le16toh(c.status) == ACCMDEV_ST_SRC_FAULT &&
	      qrd(&qp, ACCMDEV_QP_DONE_COUNT) == before + 1,
	      "after IOMMU_IOAS_UNMAP the source faults: status %s (want src-fault)",
	      acc_status_name(le16toh(c.status)));
	if (acc_dma_map_at(&d, iova, len, &data))
		die(&d, "IOAS map at the same IOVA");
	ref_fill(data.va, len, 53);
	c = run1(&qp, sqe(ACCMDEV_OP_CRC32C, ACCMDEV_SQE_F_ONESHOT, 4, iova, len));
	check(le16toh(c.status) == ACCMDEV_ST_OK &&
	      res32(&c) == ref_crc32c(data.va, len),
	      "new memory at the same IOVA: status %s, crc32c %#x (want %#x)",
	      acc_status_name(le16toh(c.status)), res32(&c),
	      ref_crc32c(data.va, len));

	/*
	 * Detached, the device reaches no memory: its next descriptor read
	 * fails and the QP halts (SQ_READ). Attached again, after a reset,
	 * it computes.
	 */
	{
		struct detach_arg dt = { .argsz = sizeof(dt) };
		struct attach_arg at = { .argsz = sizeof(at), .pt_id = d.ioas };
		struct accmdev_sqe s = sqe(ACCMDEV_OP_CRC32C, ACCMDEV_SQE_F_ONESHOT,
					   5, iova, len);
		uint32_t status = 0, error = 0;
		int err = ioctl_err(d.fd, CDEV_DETACH, &dt);

		check(!err, "detach from the IOAS: %s", ename(err));
		before = qrd(&qp, ACCMDEV_QP_DONE_COUNT);
		if (acc_qp_submit(&qp, &s, 1))
			die(&d, "submit while detached");
		for (int i = 0; i < 500 && !(status & ACCMDEV_QP_ST_ERROR); i++) {
			status = qrd(&qp, ACCMDEV_QP_STATUS);
			usleep(10000);
		}
		error = qrd(&qp, ACCMDEV_QP_ERROR);
		check((status & ACCMDEV_QP_ST_ERROR) && error == ACCMDEV_QP_ERR_SQ_READ &&
		      qrd(&qp, ACCMDEV_QP_DONE_COUNT) == before,
		      "detached: the QP halts with error %u (want %u, SQ_READ), no completion",
		      error, ACCMDEV_QP_ERR_SQ_READ);
		err = ioctl_err(d.fd, CDEV_ATTACH, &at);
		check(!err, "attach to the IOAS again: %s", ename(err));
	}
	acc_qp_teardown(&qp);
	if (acc_reset(&d) || acc_qp_setup(&d, &qp, 0, 16, 16))
		die(&d, "QP setup after the attach");
	c = run1(&qp, sqe(ACCMDEV_OP_CRC32C, ACCMDEV_SQE_F_ONESHOT, 6, iova, len));
	check(le16toh(c.status) == ACCMDEV_ST_OK &&
	      res32(&c) == ref_crc32c(data.va, len),
	      "attached again: crc32c %#x (want %#x)", res32(&c),
	      ref_crc32c(data.va, len));
	acc_qp_teardown(&qp);
	acc_dma_unmap(&d, &data);
	acc_close(&d);
	return failures ? 1 : 0;
}

/* ---- migrate ---------------------------------------------------------- */

static int t_migrate(const char *us, const char *ud)
{
	const uint32_t len = 3 * 20000 + 7, cut = 20011;
	struct acc_mig_stats st = { 0 };
	struct acc_dev src, dst;
	struct accmdev_cqe c;
	struct acc_dma data;
	struct acc_qp qp;
	uint64_t flags;
	uint32_t state;

	open_cdev(&src, us, NULL);
	open_cdev(&dst, ud, &src);
	check(src.ioas == dst.ioas && src.devid != dst.devid,
	      "both devices in IOAS %u, device ids %u and %u", src.ioas,
	      src.devid, dst.devid);
	if (acc_mig_flags(&src, &flags))
		die(&src, "migration flags");
	check(flags & ACC_MIG_F_STOP_COPY, "VFIO_DEVICE_FEATURE_MIGRATION: flags %#llx",
	      (unsigned long long)flags);
	if (acc_qp_setup(&src, &qp, 0, 16, 16))
		die(&src, "QP setup");
	map(&src, len, &data);
	ref_fill(data.va, len, 74);

	/* The stream's first part on the source. */
	c = run1(&qp, sqe(ACCMDEV_OP_CRC32C, ACCMDEV_SQE_F_FIRST, 1, data.iova, cut));
	check(le16toh(c.status) == ACCMDEV_ST_OK, "first %u bytes on the source: %s",
	      cut, acc_status_name(le16toh(c.status)));

	if (acc_migrate(&src, &dst, NULL, &st))
		die(&src, "migration");
	printf("migrated: %llu pre-copy bytes, %llu stop-copy bytes\n",
	       (unsigned long long)st.precopy_bytes,
	       (unsigned long long)st.stopcopy_bytes);
	/* The state first: argument order is unspecified. */
	if (acc_mig_get_state(&src, &state))
		die(&src, "source state");
	check(state == ACC_MIG_STOP, "the source is %s (want STOP)",
	      acc_mig_state_name(state));
	if (acc_mig_get_state(&dst, &state))
		die(&dst, "destination state");
	check(state == ACC_MIG_RUNNING, "the destination is %s (want RUNNING)",
	      acc_mig_state_name(state));
	if (acc_mig_adopt_qp(&qp, &dst))
		die(&dst, "QP on the destination");

	/* The rest on the destination, through the same IOAS. */
	c = run1(&qp, sqe(ACCMDEV_OP_CRC32C, ACCMDEV_SQE_F_FINAL, 2, data.iova + cut,
			  len - cut));
	check(le16toh(c.status) == ACCMDEV_ST_OK &&
	      res32(&c) == ref_crc32c(data.va, len),
	      "the stream ends on the destination: crc32c %#x (want %#x)",
	      res32(&c), ref_crc32c(data.va, len));
	irqs_seen(&qp);
	check(qp.irqs >= 1, "the destination's MSI-X eventfd fired (%llu)",
	      (unsigned long long)qp.irqs);

	/* Back the other way: the source resumes the destination's state. */
	if (acc_mig_set_state(&src, ACC_MIG_RUNNING, NULL))
		die(&src, "source back to RUNNING");
	if (acc_reset(&src))
		die(&src, "reset of the source");
	check(!acc_migrate(&dst, &src, NULL, &st),
	      "migrate back to the first device: %s", acc_error(&dst));
	if (acc_mig_get_state(&src, &state))
		die(&src, "first device state");
	check(state == ACC_MIG_RUNNING, "the first device is %s again (want RUNNING)",
	      acc_mig_state_name(state));
	acc_qp_teardown(&qp);
	acc_dma_unmap(&src, &data);
	acc_close(&dst);
	acc_close(&src);
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* acc_open() below is the group path, whatever the caller's setting. */
	unsetenv("ACCVFIO_OPEN");
	if (argc == 3 && !strcmp(argv[1], "bind"))
		return t_bind(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "compute"))
		return t_compute(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "migrate"))
		return t_migrate(argv[2], argv[3]);
	fprintf(stderr, "usage: accfd bind UUID | compute UUID | migrate SRC DST\n");
	return 2;
}
