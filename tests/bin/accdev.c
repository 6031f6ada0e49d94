// SPDX-License-Identifier: GPL-2.0-only
/*
 * accdev: device scenarios for tests/bats/50-device.bats and
 * 55-isolation.bats, on top of the accvfio library. Loops live here, not
 * in the (slow, traced) bats bodies.
 *
 *   accdev config UUID DEVICE-ID REVISION QPS   config space, write masks
 *   accdev uapi UUID QPS                        info ioctls, argsz, SET_IRQS
 *   accdev regs UUID QPS                        BAR0/BAR2 access rules
 *   accdev irq UUID                             MSI-X eventfds
 *   accdev streams UUID                         per-QP stream contexts
 *   accdev fair UUID                            round-robin between QPs
 *   accdev reset UUID                           VFIO_DEVICE_RESET, disable
 *   accdev model UUID ALGS-MASK REVISION        the model's algorithm set
 *   accdev bad UUID                             the bad-descriptor table
 *   accdev qperr UUID                           QP errors
 *   accdev isolate-mem UUID-A UUID-B            memory isolation
 *   accdev isolate-state UUID-A UUID-B          state isolation
 *   accdev hold [--no-req] [--close-after S] OUT UUID TIMEOUT
 *
 * Each check prints "ok - ..." or "not ok - ..."; the exit status is 1
 * if any failed, 2 on usage errors. hold opens the device in a child
 * process, prints the child's pid once the device is open, and returns;
 * the child writes "request N" to OUT when the request eventfd fires
 * (then waits a second, to show that remove blocks), or with --no-req
 * waits --close-after seconds, then writes "closing" and closes.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "accref.h"
#include "accvfio.h"
#include "testlib.h"

typedef unsigned long long ull;

/* Descriptors per QP per worker pass (driver/qp.h). */
#define ACCMDEV_QP_BUDGET_TEST	16

#define EXPECT_EQ(got, want, what)					\
	do {								\
		ull g_ = (ull)(got), w_ = (ull)(want);			\
		check(g_ == w_, "%s: %#llx (want %#llx)", what, g_, w_);\
	} while (0)

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* ---- small wrappers that stop the scenario on a library error -------- */

static void open_dev(struct acc_dev *d, const char *uuid)
{
	if (acc_open(d, uuid))
		die(d, uuid);
}

static uint32_t rd(struct acc_dev *d, uint32_t reg)
{
	uint32_t v;

	if (acc_rd32(d, reg, &v))
		die(d, "register read");
	return v;
}

static void wr(struct acc_dev *d, uint32_t reg, uint32_t v)
{
	if (acc_wr32(d, reg, v))
		die(d, "register write");
}

static uint32_t qrd(struct acc_qp *qp, uint32_t reg)
{
	return rd(qp->d, ACCMDEV_QP_REG(qp->idx, reg));
}

static void qwr(struct acc_qp *qp, uint32_t reg, uint32_t v)
{
	wr(qp->d, ACCMDEV_QP_REG(qp->idx, reg), v);
}

static void map(struct acc_dev *d, size_t size, struct acc_dma *m)
{
	if (acc_dma_map(d, size, m))
		die(d, "DMA map");
}

static void qp_setup(struct acc_dev *d, struct acc_qp *qp, unsigned int idx,
		     uint32_t ring)
{
	if (acc_qp_setup(d, qp, idx, ring, ring))
		die(d, "QP setup");
}

/* Raw region access: 0 or -errno. */
static long raw_rw(struct acc_dev *d, unsigned int index, uint64_t off,
		   void *buf, size_t len, int write)
{
	off_t pos = (off_t)(((uint64_t)index << 40) + off);
	ssize_t n = write ? pwrite(d->fd, buf, len, pos) :
			    pread(d->fd, buf, len, pos);

	if (n < 0)
		return -errno;
	return n == (ssize_t)len ? 0 : -EIO;
}

static long cfg_rw(struct acc_dev *d, uint64_t off, void *buf, size_t len,
		   int write)
{
	return raw_rw(d, VFIO_PCI_CONFIG_REGION_INDEX, off, buf, len, write);
}

static uint32_t cfg_rd(struct acc_dev *d, unsigned int off, size_t len)
{
	uint32_t v = 0;

	if (cfg_rw(d, off, &v, len, 0))
		die(d, "config read");
	return le32toh(v);
}

static void cfg_wr(struct acc_dev *d, unsigned int off, uint32_t v, size_t len)
{
	v = htole32(v);
	if (cfg_rw(d, off, &v, len, 1))
		die(d, "config write");
}

static long bar_rw(struct acc_dev *d, unsigned int bar, uint64_t off,
		   void *buf, size_t len, int write)
{
	return raw_rw(d, VFIO_PCI_BAR0_REGION_INDEX + bar, off, buf, len, write);
}

static struct accmdev_sqe sqe_make(uint8_t op, uint8_t flags, uint64_t tag,
				   uint64_t src, uint32_t src_len,
				   uint64_t dst, uint32_t dst_len)
{
	struct accmdev_sqe s;

	memset(&s, 0, sizeof(s));
	s.opcode = op;
	s.flags = flags;
	s.tag = htole64(tag);
	s.src = htole64(src);
	s.src_len = htole32(src_len);
	s.dst = htole64(dst);
	s.dst_len = htole32(dst_len);
	return s;
}

static struct accmdev_cqe run1(struct acc_qp *qp, struct accmdev_sqe s)
{
	struct accmdev_cqe cqe;

	if (acc_qp_submit(qp, &s, 1))
		die(qp->d, "submit");
	if (acc_qp_wait(qp, &cqe, 1, 30000) != 1)
		die(qp->d, "completion");
	return cqe;
}

static uint16_t st(const struct accmdev_cqe *c)
{
	return le16toh(c->status);
}

static uint32_t res32(const struct accmdev_cqe *c)
{
	uint32_t v;

	memcpy(&v, c->result, sizeof(v));
	return le32toh(v);
}

/* Counts waiting in an eventfd, without blocking. */
static uint64_t efd_take(int fd)
{
	uint64_t v = 0;

	if (read(fd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return v;
}

/* Completions without the interrupt: poll the CQ for up to 5 s. */
static int poll_done(struct acc_qp *qp, struct accmdev_cqe *cqe, unsigned int n)
{
	unsigned int got = 0;

	for (int i = 0; i < 1000 && got < n; i++) {
		int r = acc_qp_poll(qp, cqe + got, n - got);

		if (r < 0)
			die(qp->d, "poll");
		got += r;
		if (got < n)
			sleep_ms(5);
	}
	return got;
}

/* Re-enable a QP on its existing rings after a reset or a disable. */
static void reprogram(struct acc_qp *qp)
{
	memset(qp->cq.va, 0, qp->cq.size);
	qp->sq_tail = qp->cq_head = qp->inflight = 0;
	qp->phase = 1;
	qwr(qp, ACCMDEV_QP_SQ_BASE_LO, (uint32_t)qp->sq.iova);
	qwr(qp, ACCMDEV_QP_SQ_BASE_HI, qp->sq.iova >> 32);
	qwr(qp, ACCMDEV_QP_CQ_BASE_LO, (uint32_t)qp->cq.iova);
	qwr(qp, ACCMDEV_QP_CQ_BASE_HI, qp->cq.iova >> 32);
	qwr(qp, ACCMDEV_QP_SQ_SIZE, qp->sq_size);
	qwr(qp, ACCMDEV_QP_CQ_SIZE, qp->cq_size);
	qwr(qp, ACCMDEV_QP_ENABLE, 1);
	if (!(qrd(qp, ACCMDEV_QP_STATUS) & ACCMDEV_QP_ST_ENABLED))
		die(qp->d, "re-enable");
}

static int enable_cmd(struct acc_dev *d)
{
	cfg_wr(d, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
	return 0;
}

/* ---- config: config space and its write masks ------------------------ */

static int t_config(const char *uuid, unsigned int devid, unsigned int rev,
		    unsigned int nqps)
{
	const unsigned int cap = ACCMDEV_MSIX_CAP_OFFSET;
	uint8_t cfg[PCI_CFG_SPACE_SIZE], all[0x40], part[3];
	struct acc_dev d;
	unsigned int off;

	open_dev(&d, uuid);
	check(!cfg_rw(&d, 0, cfg, sizeof(cfg), 0), "all 256 bytes read at once");
	EXPECT_EQ(cfg[0] | cfg[1] << 8, ACCMDEV_PCI_VENDOR_ID, "vendor ID");
	EXPECT_EQ(cfg[2] | cfg[3] << 8, devid, "device ID");
	EXPECT_EQ(cfg[PCI_REVISION_ID], rev, "revision ID is the model revision");
	EXPECT_EQ(cfg[9] | cfg[10] << 8 | cfg[11] << 16, ACCMDEV_PCI_CLASS,
		  "class code: processing accelerator");
	EXPECT_EQ(cfg[PCI_HEADER_TYPE], PCI_HEADER_TYPE_NORMAL, "header type 0");
	EXPECT_EQ(cfg_rd(&d, PCI_STATUS, 2), PCI_STATUS_CAP_LIST,
		  "status: capability list only");
	EXPECT_EQ(cfg_rd(&d, PCI_SUBSYSTEM_VENDOR_ID, 2), ACCMDEV_PCI_VENDOR_ID,
		  "subsystem vendor");
	EXPECT_EQ(cfg_rd(&d, PCI_SUBSYSTEM_ID, 2), devid, "subsystem ID");
	EXPECT_EQ(cfg[PCI_INTERRUPT_PIN], 0, "no INTx pin");
	EXPECT_EQ(cfg[PCI_CAPABILITY_LIST], cap, "capability pointer");
	EXPECT_EQ(cfg[cap + PCI_CAP_LIST_ID], PCI_CAP_ID_MSIX, "MSI-X capability");
	EXPECT_EQ(cfg[cap + PCI_CAP_LIST_NEXT], 0, "last capability");
	EXPECT_EQ(cfg_rd(&d, cap + PCI_MSIX_FLAGS, 2) & PCI_MSIX_FLAGS_QSIZE,
		  nqps - 1, "MSI-X table size: one vector per QP");
	EXPECT_EQ(cfg_rd(&d, cap + PCI_MSIX_TABLE, 4),
		  ACCMDEV_MSIX_TABLE_OFFSET | ACCMDEV_MSIX_BAR, "MSI-X table in BAR2");
	EXPECT_EQ(cfg_rd(&d, cap + PCI_MSIX_PBA, 4),
		  ACCMDEV_MSIX_PBA_OFFSET | ACCMDEV_MSIX_BAR, "MSI-X PBA in BAR2");
	for (off = cap + 12; off < sizeof(cfg) && !cfg[off]; off++)
		;
	EXPECT_EQ(off, sizeof(cfg), "bytes after the capability read 0");

	/* BAR sizing, as firmware does it. */
	cfg_wr(&d, PCI_BASE_ADDRESS_0, 0xffffffff, 4);
	EXPECT_EQ(cfg_rd(&d, PCI_BASE_ADDRESS_0, 4), ~(ACCMDEV_REGS_BAR_SIZE - 1u),
		  "BAR0 sizes as 16 KiB, 32-bit memory");
	cfg_wr(&d, PCI_BASE_ADDRESS_0, 0xfebf0000, 4);
	EXPECT_EQ(cfg_rd(&d, PCI_BASE_ADDRESS_0, 4), 0xfebf0000, "BAR0 takes an address");
	cfg_wr(&d, PCI_BASE_ADDRESS_2, 0xffffffff, 4);
	EXPECT_EQ(cfg_rd(&d, PCI_BASE_ADDRESS_2, 4), ~(ACCMDEV_MSIX_BAR_SIZE - 1u),
		  "BAR2 sizes as 4 KiB");
	for (off = PCI_BASE_ADDRESS_1; off <= PCI_ROM_ADDRESS; off += 4) {
		if (off == PCI_BASE_ADDRESS_2 || off == PCI_CARDBUS_CIS ||
		    off == PCI_SUBSYSTEM_VENDOR_ID)
			continue;
		cfg_wr(&d, off, 0xffffffff, 4);
		check(cfg_rd(&d, off, 4) == 0, "BAR/ROM at %#x is not implemented", off);
	}

	/* Read-only fields stay. */
	cfg_wr(&d, PCI_VENDOR_ID, 0x12345678, 4);
	EXPECT_EQ(cfg_rd(&d, PCI_VENDOR_ID, 4), ACCMDEV_PCI_VENDOR_ID | devid << 16,
		  "IDs are read-only");
	cfg_wr(&d, PCI_CLASS_REVISION, 0xffffffff, 4);
	EXPECT_EQ(cfg_rd(&d, PCI_CLASS_REVISION, 4), ACCMDEV_PCI_CLASS << 8 | rev,
		  "class and revision are read-only");
	cfg_wr(&d, PCI_STATUS, 0xffff, 2);
	EXPECT_EQ(cfg_rd(&d, PCI_STATUS, 2), PCI_STATUS_CAP_LIST,
		  "status ignores writes (no error bits to clear)");
	cfg_wr(&d, PCI_CAPABILITY_LIST, 0, 1);
	cfg_wr(&d, PCI_INTERRUPT_PIN, 1, 1);
	cfg_wr(&d, PCI_HEADER_TYPE, 0x80, 1);
	cfg_wr(&d, PCI_LATENCY_TIMER, 0xff, 1);
	EXPECT_EQ(cfg_rd(&d, PCI_CAPABILITY_LIST, 1), cap, "capability pointer is read-only");
	EXPECT_EQ(cfg_rd(&d, PCI_INTERRUPT_PIN, 1), 0, "interrupt pin is read-only");
	EXPECT_EQ(cfg_rd(&d, PCI_HEADER_TYPE, 1), 0, "header type is read-only");
	EXPECT_EQ(cfg_rd(&d, PCI_LATENCY_TIMER, 1), 0, "latency timer is hardwired");
	cfg_wr(&d, PCI_INTERRUPT_LINE, 0x5a, 1);
	cfg_wr(&d, PCI_CACHE_LINE_SIZE, 0x10, 1);
	EXPECT_EQ(cfg_rd(&d, PCI_INTERRUPT_LINE, 1), 0x5a, "interrupt line is read-write");
	EXPECT_EQ(cfg_rd(&d, PCI_CACHE_LINE_SIZE, 1), 0x10, "cache line size is read-write");

	/* Command: only the implemented bits. */
	cfg_wr(&d, PCI_COMMAND, 0xffff, 2);
	EXPECT_EQ(cfg_rd(&d, PCI_COMMAND, 2),
		  PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_PARITY |
		  PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE,
		  "command keeps memory, master, parity, SERR, INTx disable");
	enable_cmd(&d);
	EXPECT_EQ(cfg_rd(&d, PCI_COMMAND, 2), PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER,
		  "command clears");

	/* MSI-X message control: enable and function mask only. */
	cfg_wr(&d, cap + PCI_MSIX_FLAGS, 0xffff, 2);
	EXPECT_EQ(cfg_rd(&d, cap + PCI_MSIX_FLAGS, 2),
		  PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL | (nqps - 1),
		  "MSI-X control: enable and mask are writable, size is not");
	cfg_wr(&d, cap + PCI_MSIX_FLAGS, 0, 2);
	EXPECT_EQ(cfg_rd(&d, cap + PCI_MSIX_FLAGS, 2), nqps - 1, "MSI-X disabled again");
	cfg_wr(&d, cap + PCI_MSIX_TABLE, 0xffffffff, 4);
	EXPECT_EQ(cfg_rd(&d, cap + PCI_MSIX_TABLE, 4), ACCMDEV_MSIX_BAR,
		  "MSI-X table offset is read-only");

	/* Spans: any length inside the 256 bytes, nothing beyond. */
	check(!cfg_rw(&d, 1, part, 3, 0) && part[0] == cfg[1] && part[1] == cfg[2] &&
	      part[2] == cfg[3], "unaligned 3-byte read at 1");
	check(!cfg_rw(&d, 255, part, 1, 0), "1-byte read of the last byte");
	EXPECT_EQ(cfg_rw(&d, 254, part, 3, 0), -EINVAL, "read across the end");
	EXPECT_EQ(cfg_rw(&d, 256, part, 1, 0), -EINVAL, "read beyond the end");
	EXPECT_EQ(cfg_rw(&d, 254, part, 3, 1), -EINVAL, "write across the end");
	memset(all, 0xff, sizeof(all));
	check(!cfg_rw(&d, 0, all, sizeof(all), 1), "one 64-byte write of all ones");
	EXPECT_EQ(cfg_rd(&d, PCI_VENDOR_ID, 4), ACCMDEV_PCI_VENDOR_ID | devid << 16,
		  "IDs survive it");
	EXPECT_EQ(cfg_rd(&d, PCI_BASE_ADDRESS_0, 4), ~(ACCMDEV_REGS_BAR_SIZE - 1u),
		  "BAR0 sized by it");
	cfg_wr(&d, PCI_BASE_ADDRESS_0, 0, 4);
	cfg_wr(&d, PCI_BASE_ADDRESS_2, 0, 4);
	enable_cmd(&d);
	acc_close(&d);
	return failures;
}

/* ---- uapi: info ioctls, argsz, SET_IRQS ------------------------------ */

static int irq_set(struct acc_dev *d, uint32_t flags, uint32_t index,
		   uint32_t start, uint32_t count, const void *data,
		   size_t data_len, uint32_t argsz_cut)
{
	uint8_t buf[sizeof(struct vfio_irq_set) + 64];
	struct vfio_irq_set *s = (struct vfio_irq_set *)buf;

	memset(buf, 0, sizeof(buf));
	s->argsz = sizeof(*s) + data_len - argsz_cut;
	s->flags = flags;
	s->index = index;
	s->start = start;
	s->count = count;
	if (data_len)
		memcpy(s->data, data, data_len);
	return ioctl(d->fd, VFIO_DEVICE_SET_IRQS, s) ? -errno : 0;
}

static int t_uapi(const char *uuid, unsigned int nqps)
{
	const uint32_t efd_flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	const uint32_t bool_flags = VFIO_IRQ_SET_DATA_BOOL | VFIO_IRQ_SET_ACTION_TRIGGER;
	const uint32_t none_flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER;
	struct { struct vfio_device_info i; uint8_t tail[32]; } big;
	struct { struct vfio_region_info i; uint8_t tail[32]; } rbig;
	struct vfio_device_info info;
	struct vfio_irq_info ii;
	struct acc_dev d;
	int32_t fds[2], bad;
	uint8_t b1 = 1, buf[4];
	size_t minsz;

	open_dev(&d, uuid);

	minsz = offsetof(struct vfio_device_info, num_irqs) + sizeof(info.num_irqs);
	memset(&info, 0, sizeof(info));
	info.argsz = minsz;
	check(!ioctl(d.fd, VFIO_DEVICE_GET_INFO, &info), "GET_INFO with argsz = minsz");
	EXPECT_EQ(info.flags, VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET,
		  "device flags: PCI and RESET");
	EXPECT_EQ(info.num_regions, VFIO_PCI_NUM_REGIONS, "num_regions");
	EXPECT_EQ(info.num_irqs, VFIO_PCI_NUM_IRQS, "num_irqs");
	info.argsz = minsz - 1;
	check(ioctl(d.fd, VFIO_DEVICE_GET_INFO, &info) && errno == EINVAL,
	      "GET_INFO with argsz < minsz: EINVAL");
	memset(&big, 0xa5, sizeof(big));
	big.i.argsz = sizeof(big);
	check(!ioctl(d.fd, VFIO_DEVICE_GET_INFO, &big), "GET_INFO with a larger argsz");
	check(((uint8_t *)&big)[minsz] == 0xa5 && big.tail[31] == 0xa5,
	      "GET_INFO writes nothing beyond its fields");

	for (unsigned int i = 0; i <= VFIO_PCI_NUM_REGIONS; i++) {
		uint64_t want = i == VFIO_PCI_CONFIG_REGION_INDEX ? PCI_CFG_SPACE_SIZE :
				i == ACCMDEV_REGS_BAR ? ACCMDEV_REGS_BAR_SIZE :
				i == ACCMDEV_MSIX_BAR ? ACCMDEV_MSIX_BAR_SIZE : 0;
		int ret;

		memset(&rbig, 0xa5, sizeof(rbig));
		rbig.i.argsz = sizeof(rbig);
		rbig.i.index = i;
		ret = ioctl(d.fd, VFIO_DEVICE_GET_REGION_INFO, &rbig);
		if (i == VFIO_PCI_NUM_REGIONS) {
			check(ret && errno == EINVAL, "region %u does not exist", i);
			break;
		}
		check(!ret && rbig.i.size == want &&
		      rbig.i.offset == (uint64_t)i << 40 &&
		      rbig.i.flags == (want ? VFIO_REGION_INFO_FLAG_READ |
					      VFIO_REGION_INFO_FLAG_WRITE : 0) &&
		      rbig.tail[0] == 0xa5,
		      "region %u: size %llu, offset index << 40, flags %#x", i,
		      (ull)rbig.i.size, rbig.i.flags);
	}
	rbig.i.argsz = offsetof(struct vfio_region_info, offset);
	rbig.i.index = 0;
	check(ioctl(d.fd, VFIO_DEVICE_GET_REGION_INFO, &rbig) && errno == EINVAL,
	      "GET_REGION_INFO with a short argsz: EINVAL");

	for (unsigned int i = 0; i <= VFIO_PCI_NUM_IRQS; i++) {
		uint32_t want = i == VFIO_PCI_MSIX_IRQ_INDEX ? nqps :
				i == VFIO_PCI_REQ_IRQ_INDEX ? 1 : 0;
		int ret;

		memset(&ii, 0, sizeof(ii));
		ii.argsz = sizeof(ii);
		ii.index = i;
		ret = ioctl(d.fd, VFIO_DEVICE_GET_IRQ_INFO, &ii);
		if (i == VFIO_PCI_NUM_IRQS) {
			check(ret && errno == EINVAL, "IRQ index %u does not exist", i);
			break;
		}
		check(!ret && ii.count == want &&
		      ii.flags == (want ? VFIO_IRQ_INFO_EVENTFD : 0),
		      "IRQ index %u: count %u, flags %#x", i, ii.count, ii.flags);
	}
	ii.argsz = 8;
	ii.index = VFIO_PCI_MSIX_IRQ_INDEX;
	check(ioctl(d.fd, VFIO_DEVICE_GET_IRQ_INFO, &ii) && errno == EINVAL,
	      "GET_IRQ_INFO with a short argsz: EINVAL");

	fds[0] = eventfd(0, EFD_NONBLOCK);
	fds[1] = eventfd(0, EFD_NONBLOCK);
	bad = open("/dev/null", O_RDONLY);
	EXPECT_EQ(irq_set(&d, efd_flags, VFIO_PCI_INTX_IRQ_INDEX, 0, 1, fds, 4, 0),
		  -EINVAL, "SET_IRQS on INTx");
	EXPECT_EQ(irq_set(&d, efd_flags, VFIO_PCI_MSI_IRQ_INDEX, 0, 1, fds, 4, 0),
		  -EINVAL, "SET_IRQS on MSI");
	EXPECT_EQ(irq_set(&d, efd_flags, VFIO_PCI_ERR_IRQ_INDEX, 0, 1, fds, 4, 0),
		  -EINVAL, "SET_IRQS on ERR");
	EXPECT_EQ(irq_set(&d, efd_flags, VFIO_PCI_MSIX_IRQ_INDEX, nqps, 1, fds, 4, 0),
		  -EINVAL, "SET_IRQS beyond the last vector");
	EXPECT_EQ(irq_set(&d, efd_flags, VFIO_PCI_MSIX_IRQ_INDEX, nqps - 1, 2, fds, 8, 0),
		  -EINVAL, "SET_IRQS across the last vector");
	EXPECT_EQ(irq_set(&d, efd_flags, VFIO_PCI_MSIX_IRQ_INDEX, 0, 1, fds, 4, 4),
		  -EINVAL, "SET_IRQS with argsz short of the data");
	EXPECT_EQ(irq_set(&d, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_MASK,
			  VFIO_PCI_MSIX_IRQ_INDEX, 0, 1, NULL, 0, 0),
		  -EINVAL, "MSI-X vectors are not maskable");
	EXPECT_EQ(irq_set(&d, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_DATA_BOOL |
			  VFIO_IRQ_SET_ACTION_TRIGGER, VFIO_PCI_MSIX_IRQ_INDEX, 0, 1,
			  NULL, 0, 0), -EINVAL, "two data types at once");

	EXPECT_EQ(irq_set(&d, efd_flags, VFIO_PCI_MSIX_IRQ_INDEX, 0, 1, fds, 4, 0),
		  0, "eventfd on vector 0");
	EXPECT_EQ(irq_set(&d, bool_flags, VFIO_PCI_MSIX_IRQ_INDEX, 0, 1, &b1, 1, 0),
		  0, "DATA_BOOL trigger of vector 0");
	EXPECT_EQ(efd_take(fds[0]), 1, "DATA_BOOL signals the vector's eventfd");
	EXPECT_EQ(irq_set(&d, none_flags, VFIO_PCI_MSIX_IRQ_INDEX, 0, 1, NULL, 0, 0),
		  0, "DATA_NONE trigger of vector 0");
	EXPECT_EQ(efd_take(fds[0]), 1, "DATA_NONE signals the vector's eventfd");
	{
		int32_t pair[2] = { fds[1], bad };

		if (nqps >= 2) {
			EXPECT_EQ(irq_set(&d, efd_flags, VFIO_PCI_MSIX_IRQ_INDEX, 0, 2,
					  pair, 8, 0), -EINVAL,
				  "SET_IRQS with a non-eventfd fails");
			irq_set(&d, none_flags, VFIO_PCI_MSIX_IRQ_INDEX, 0, 1, NULL, 0, 0);
			check(efd_take(fds[0]) == 1 && efd_take(fds[1]) == 0,
			      "a failed SET_IRQS changes nothing");
		}
	}
	EXPECT_EQ(irq_set(&d, none_flags, VFIO_PCI_MSIX_IRQ_INDEX, 0, 0, NULL, 0, 0),
		  0, "DATA_NONE with count 0 releases all vectors");
	irq_set(&d, none_flags, VFIO_PCI_MSIX_IRQ_INDEX, 0, 1, NULL, 0, 0);
	EXPECT_EQ(efd_take(fds[0]), 0, "a released vector signals nothing");

	EXPECT_EQ(irq_set(&d, efd_flags, VFIO_PCI_REQ_IRQ_INDEX, 0, 1, fds + 1, 4, 0),
		  0, "request eventfd");
	EXPECT_EQ(irq_set(&d, efd_flags, VFIO_PCI_REQ_IRQ_INDEX, 1, 1, fds, 4, 0),
		  -EINVAL, "one request IRQ only");
	irq_set(&d, none_flags, VFIO_PCI_REQ_IRQ_INDEX, 0, 1, NULL, 0, 0);
	EXPECT_EQ(efd_take(fds[1]), 1, "request IRQ loopback trigger");
	close(bad);
	close(fds[0]);
	close(fds[1]);

	check(ioctl(d.fd, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, &info) &&
	      errno == ENOTTY, "other device ioctls: ENOTTY");
	EXPECT_EQ(raw_rw(&d, VFIO_PCI_BAR1_REGION_INDEX, 0, buf, 4, 0), -EINVAL,
		  "read of BAR1 (size 0)");
	EXPECT_EQ(raw_rw(&d, VFIO_PCI_ROM_REGION_INDEX, 0, buf, 4, 0), -EINVAL,
		  "read of the ROM region (size 0)");
	EXPECT_EQ(raw_rw(&d, VFIO_PCI_NUM_REGIONS, 0, buf, 4, 0), -EINVAL,
		  "read of region 9");
	EXPECT_EQ(pread(d.fd, buf, 0, (off_t)d.regs_off), 0, "0-byte read");
	acc_close(&d);
	return failures;
}

/* ---- regs: BAR access rules ------------------------------------------- */

static int t_regs(const char *uuid, unsigned int nqps)
{
	struct accmdev_cqe cqe[1];
	struct acc_dma data;
	struct acc_qp qp;
	struct acc_dev d;
	uint64_t v8;
	uint32_t v4, id;
	uint16_t v2;
	uint8_t v1;

	open_dev(&d, uuid);
	id = rd(&d, ACCMDEV_REG_ID);
	EXPECT_EQ(id >> 16, ACCMDEV_PCI_VENDOR_ID, "ID register: vendor");
	EXPECT_EQ(id & 0xffff, cfg_rd(&d, PCI_DEVICE_ID, 2), "ID register: device");
	EXPECT_EQ(rd(&d, ACCMDEV_REG_VERSION), ACCMDEV_ABI_VERSION, "ABI version");
	EXPECT_EQ(rd(&d, ACCMDEV_REG_REVISION), cfg_rd(&d, PCI_REVISION_ID, 1),
		  "REVISION register = revision ID");
	EXPECT_EQ(rd(&d, ACCMDEV_REG_NUM_QPS), nqps, "NUM_QPS");
	EXPECT_EQ(rd(&d, ACCMDEV_REG_MAX_SRC), ACCMDEV_MAX_SRC_LEN, "MAX_SRC");
	EXPECT_EQ(rd(&d, ACCMDEV_REG_MAX_DST), ACCMDEV_MAX_DST_LEN, "MAX_DST");
	EXPECT_EQ(rd(&d, ACCMDEV_REG_MAX_RING), ACCMDEV_RING_MAX, "MAX_RING");
	EXPECT_EQ(rd(&d, ACCMDEV_REG_STATUS), ACCMDEV_STATUS_READY, "STATUS: ready");

	/* Holes read 0, whatever the size. */
	EXPECT_EQ(rd(&d, 0x024), 0, "unimplemented device register");
	EXPECT_EQ(rd(&d, 0xffc), 0, "last word before the QP block");
	EXPECT_EQ(rd(&d, ACCMDEV_QP_REG(0, 0x44)), 0, "unimplemented QP register");
	EXPECT_EQ(rd(&d, ACCMDEV_REGS_BAR_SIZE - 4), 0, "last word of BAR0");
	if (nqps < ACCMDEV_QP_MAX) {
		wr(&d, ACCMDEV_QP_REG(nqps, ACCMDEV_QP_SQ_SIZE), 8);
		wr(&d, ACCMDEV_QP_REG(nqps, ACCMDEV_QP_ENABLE), 1);
		check(rd(&d, ACCMDEV_QP_REG(nqps, ACCMDEV_QP_SQ_SIZE)) == 0 &&
		      rd(&d, ACCMDEV_QP_REG(nqps, ACCMDEV_QP_ENABLE)) == 0,
		      "QP %u (beyond the device's %u) reads 0 and ignores writes",
		      nqps, nqps);
	}

	/* Sizes and alignment. */
	check(!bar_rw(&d, 0, ACCMDEV_REG_ID, &v1, 1, 0) && v1 == (id & 0xff),
	      "1-byte read");
	check(!bar_rw(&d, 0, ACCMDEV_REG_ID + 3, &v1, 1, 0) && v1 == id >> 24,
	      "1-byte read at offset 3");
	check(!bar_rw(&d, 0, ACCMDEV_REG_ID + 2, &v2, 2, 0) &&
	      le16toh(v2) == id >> 16, "2-byte read at offset 2");
	check(!bar_rw(&d, 0, ACCMDEV_REG_ID, &v8, 8, 0) &&
	      le64toh(v8) == (id | (uint64_t)ACCMDEV_ABI_VERSION << 32),
	      "8-byte read is two registers, low first");
	EXPECT_EQ(bar_rw(&d, 0, 0, &v4, 3, 0), -EINVAL, "3-byte read");
	{
		uint8_t big[4096];

		EXPECT_EQ(bar_rw(&d, 0, 0, big, 16, 0), -EINVAL, "16-byte read");
		EXPECT_EQ(bar_rw(&d, 0, 0, big, sizeof(big), 0), -EINVAL,
			  "4096-byte read");
		EXPECT_EQ(bar_rw(&d, 0, 0, big, 16, 1), -EINVAL, "16-byte write");
	}
	EXPECT_EQ(bar_rw(&d, 0, 2, &v4, 4, 0), -EINVAL, "misaligned 4-byte read");
	EXPECT_EQ(bar_rw(&d, 0, 4, &v8, 8, 0), -EINVAL, "misaligned 8-byte read");
	EXPECT_EQ(bar_rw(&d, 0, 1, &v2, 2, 0), -EINVAL, "misaligned 2-byte read");
	EXPECT_EQ(bar_rw(&d, 0, ACCMDEV_REGS_BAR_SIZE, &v4, 4, 0), -EINVAL,
		  "read beyond BAR0");
	EXPECT_EQ(bar_rw(&d, 0, ACCMDEV_REGS_BAR_SIZE - 4, &v8, 8, 0), -EINVAL,
		  "8-byte read across the end of BAR0");
	v2 = 0;
	EXPECT_EQ(bar_rw(&d, 0, ACCMDEV_QP_REG(0, ACCMDEV_QP_SQ_SIZE), &v2, 2, 1),
		  -EINVAL, "2-byte write");
	EXPECT_EQ(bar_rw(&d, 0, ACCMDEV_QP_REG(0, ACCMDEV_QP_SQ_SIZE), &v1, 1, 1),
		  -EINVAL, "1-byte write");
	EXPECT_EQ(bar_rw(&d, 0, ACCMDEV_QP_REG(0, ACCMDEV_QP_SQ_SIZE) + 2, &v4, 4, 1),
		  -EINVAL, "misaligned 4-byte write");
	wr(&d, ACCMDEV_REG_ID, 0);
	wr(&d, ACCMDEV_REG_NUM_QPS, 99);
	check(rd(&d, ACCMDEV_REG_ID) == id && rd(&d, ACCMDEV_REG_NUM_QPS) == nqps,
	      "device registers are read-only");
	v8 = htole64(0x1122334455667740ull);
	check(!bar_rw(&d, 0, ACCMDEV_QP_REG(0, ACCMDEV_QP_SQ_BASE_LO), &v8, 8, 1) &&
	      rd(&d, ACCMDEV_QP_REG(0, ACCMDEV_QP_SQ_BASE_LO)) == 0x55667740 &&
	      rd(&d, ACCMDEV_QP_REG(0, ACCMDEV_QP_SQ_BASE_HI)) == 0x11223344,
	      "8-byte write sets both halves of SQ_BASE");

	/* Ring programming is frozen while the QP is enabled. */
	qp_setup(&d, &qp, 0, 8);
	qwr(&qp, ACCMDEV_QP_SQ_SIZE, 16);
	qwr(&qp, ACCMDEV_QP_SQ_BASE_LO, 0x1000);
	check(qrd(&qp, ACCMDEV_QP_SQ_SIZE) == 8 &&
	      qrd(&qp, ACCMDEV_QP_SQ_BASE_LO) == (uint32_t)qp.sq.iova,
	      "ring registers ignore writes while enabled");
	EXPECT_EQ(qrd(&qp, ACCMDEV_QP_STATUS), ACCMDEV_QP_ST_ENABLED,
		  "QP status: enabled, idle");

	/* MSI-X table: storage with masks; PBA reads 0. */
	v4 = htole32(0xfee00003);
	bar_rw(&d, ACCMDEV_MSIX_BAR, 0, &v4, 4, 1);
	v4 = htole32(0x4041);
	bar_rw(&d, ACCMDEV_MSIX_BAR, 8, &v4, 4, 1);
	v4 = htole32(0xfffffffe);
	bar_rw(&d, ACCMDEV_MSIX_BAR, 12, &v4, 4, 1);
	check(!bar_rw(&d, ACCMDEV_MSIX_BAR, 0, &v8, 8, 0) &&
	      le64toh(v8) == 0xfee00000ull, "MSI-X address (dword aligned)");
	check(!bar_rw(&d, ACCMDEV_MSIX_BAR, 8, &v4, 4, 0) && le32toh(v4) == 0x4041,
	      "MSI-X data");
	check(!bar_rw(&d, ACCMDEV_MSIX_BAR, 12, &v4, 4, 0) && le32toh(v4) == 0,
	      "MSI-X vector control keeps only the mask bit");
	v4 = htole32(1);
	bar_rw(&d, ACCMDEV_MSIX_BAR, nqps * 16 + 12, &v4, 4, 1);
	check(!bar_rw(&d, ACCMDEV_MSIX_BAR, nqps * 16 + 12, &v4, 4, 0) && !v4,
	      "no table entry beyond the last vector");
	check(!bar_rw(&d, ACCMDEV_MSIX_BAR, ACCMDEV_MSIX_PBA_OFFSET, &v8, 8, 0) &&
	      !v8, "PBA reads 0");
	EXPECT_EQ(bar_rw(&d, ACCMDEV_MSIX_BAR, ACCMDEV_MSIX_BAR_SIZE, &v4, 4, 0),
		  -EINVAL, "read beyond BAR2");

	/* Memory decoding off: BARs fail; bus master off: no DMA. */
	cfg_wr(&d, PCI_COMMAND, PCI_COMMAND_MASTER, 2);
	EXPECT_EQ(bar_rw(&d, 0, ACCMDEV_REG_ID, &v4, 4, 0), -EIO,
		  "BAR read with memory decoding off: EIO");
	EXPECT_EQ(bar_rw(&d, 0, ACCMDEV_QP_REG(0, ACCMDEV_QP_SQ_TAIL), &v4, 4, 1),
		  -EIO, "BAR write with memory decoding off: EIO");
	cfg_wr(&d, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	map(&d, 4096, &data);
	{
		/* The model's first opcode: crc32c or sha256, no dst. */
		struct accmdev_sqe s = sqe_make(__builtin_ctz(d.algs),
						ACCMDEV_SQE_F_ONESHOT, 7,
						data.iova, 100, 0, 0);

		if (acc_qp_submit(&qp, &s, 1))
			die(&d, "submit");
	}
	sleep_ms(300);
	check(qrd(&qp, ACCMDEV_QP_SQ_HEAD) == 0 &&
	      qrd(&qp, ACCMDEV_QP_DONE_COUNT) == 0 &&
	      (qrd(&qp, ACCMDEV_QP_STATUS) & ACCMDEV_QP_ST_BUSY),
	      "bus master off: the doorbell is latched, nothing is fetched");
	enable_cmd(&d);
	check(poll_done(&qp, cqe, 1) == 1 && st(cqe) == ACCMDEV_ST_OK &&
	      le64toh(cqe->tag) == 7, "bus master on: the request completes");
	acc_qp_teardown(&qp);
	acc_close(&d);
	return failures;
}

/* ---- irq: one MSI-X eventfd per QP ------------------------------------ */

/* Interrupts seen on @qp's eventfd equal its IRQ_COUNT register. */
static void irq_settle(struct acc_qp *qp, const char *what)
{
	uint64_t seen = 0;
	uint32_t reg = 0;

	for (int i = 0; i < 200; i++) {
		reg = qrd(qp, ACCMDEV_QP_IRQ_COUNT);
		seen = qp->irqs + efd_take(qp->efd);
		qp->irqs = seen;
		if (seen == reg)
			break;
		sleep_ms(10);
	}
	check(seen == reg && reg > 0, "%s: %llu eventfd signals = IRQ_COUNT %u",
	      what, (ull)seen, reg);
}

static int t_irq(const char *uuid)
{
	const uint32_t none_flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER;
	struct accmdev_cqe cqe[32];
	struct acc_qp qp0, qp1;
	struct acc_dma data;
	struct acc_dev d;
	uint32_t before;
	int32_t none = -1;
	unsigned int n;

	open_dev(&d, uuid);
	if (d.nqps < 2)
		die(NULL, "irq needs a device with 2 queue pairs");
	qp_setup(&d, &qp0, 0, 8);
	qp_setup(&d, &qp1, 1, 8);
	map(&d, 4096, &data);
	ref_fill(data.va, 4096, 3);

	check(st((cqe[0] = run1(&qp0, sqe_make(ACCMDEV_OP_CRC32C, ACCMDEV_SQE_F_ONESHOT,
					       1, data.iova, 4096, 0, 0)), &cqe[0])) ==
	      ACCMDEV_ST_OK, "a request completes");
	irq_settle(&qp0, "one request");

	/* 20 requests through an 8-entry ring. */
	for (n = 0; n < 20;) {
		struct accmdev_sqe s = sqe_make(ACCMDEV_OP_CRC32C,
						ACCMDEV_SQE_F_ONESHOT, n,
						data.iova, 64 * (n + 1), 0, 0);
		int got;

		if (acc_qp_room(&qp0)) {
			if (acc_qp_submit(&qp0, &s, 1))
				die(&d, "submit");
			n++;
			continue;
		}
		got = acc_qp_wait(&qp0, cqe, 32, 10000);
		if (got < 0)
			die(&d, "wait");
	}
	while (qp0.inflight)
		if (acc_qp_wait(&qp0, cqe, 32, 10000) < 0)
			die(&d, "wait");
	EXPECT_EQ(qrd(&qp0, ACCMDEV_QP_DONE_COUNT), 21, "21 completions");
	irq_settle(&qp0, "21 requests");
	EXPECT_EQ(efd_take(qp1.efd), 0, "QP 1's vector stayed quiet");

	check(st((cqe[0] = run1(&qp1, sqe_make(ACCMDEV_OP_CRC32C, ACCMDEV_SQE_F_ONESHOT,
					       9, data.iova, 10, 0, 0)), &cqe[0])) ==
	      ACCMDEV_ST_OK, "a request on QP 1");
	irq_settle(&qp1, "QP 1");
	before = qrd(&qp0, ACCMDEV_QP_IRQ_COUNT);
	EXPECT_EQ(efd_take(qp0.efd), 0, "QP 0's vector stayed quiet");

	/* Without an eventfd the device still completes, silently. */
	if (acc_irq_set(&d, VFIO_PCI_MSIX_IRQ_INDEX, 0, 1, &none))
		die(&d, "release vector 0");
	{
		struct accmdev_sqe s = sqe_make(ACCMDEV_OP_CRC32C,
						ACCMDEV_SQE_F_ONESHOT, 11,
						data.iova, 10, 0, 0);

		if (acc_qp_submit(&qp0, &s, 1))
			die(&d, "submit");
	}
	check(poll_done(&qp0, cqe, 1) == 1 && st(cqe) == ACCMDEV_ST_OK,
	      "completion with vector 0 released");
	sleep_ms(50);
	check(efd_take(qp0.efd) == 0 &&
	      qrd(&qp0, ACCMDEV_QP_IRQ_COUNT) == before + 1,
	      "released vector: interrupt counted, eventfd not signalled");
	if (acc_irq_set(&d, VFIO_PCI_MSIX_IRQ_INDEX, 0, 1, &qp0.efd))
		die(&d, "vector 0 again");
	irq_set(&d, none_flags, VFIO_PCI_MSIX_IRQ_INDEX, 1, 1, NULL, 0, 0);
	check(efd_take(qp1.efd) == 1 && efd_take(qp0.efd) == 0,
	      "loopback trigger of vector 1 reaches QP 1 only");

	/* A QP error is an interrupt too. */
	before = qrd(&qp0, ACCMDEV_QP_IRQ_COUNT);
	qwr(&qp0, ACCMDEV_QP_SQ_TAIL, 8);
	check(efd_take(qp0.efd) == 1 &&
	      qrd(&qp0, ACCMDEV_QP_IRQ_COUNT) == before + 1 &&
	      qrd(&qp0, ACCMDEV_QP_ERROR) == ACCMDEV_QP_ERR_SQ_TAIL,
	      "a QP error signals the QP's vector");
	acc_qp_teardown(&qp1);
	acc_qp_teardown(&qp0);
	acc_close(&d);
	return failures;
}

/* ---- streams: each QP has its own stream ----------------------------- */

static int t_streams(const char *uuid)
{
	const size_t len = 3 * 10000;
	struct acc_qp qp0, qp1;
	struct accmdev_cqe c;
	struct acc_dma data;
	struct acc_dev d;
	uint32_t crc = ~0u, adler = 1;
	uint8_t *p;

	open_dev(&d, uuid);
	if (d.nqps < 2 || (d.algs & 3) != 3)
		die(NULL, "streams needs 2 QPs, crc32c and adler32");
	qp_setup(&d, &qp0, 0, 4);
	qp_setup(&d, &qp1, 1, 4);
	map(&d, 2 * len, &data);
	p = data.va;
	ref_fill(p, 2 * len, 5);

	/* Interleaved: QP0 crc32c over the first half, QP1 adler32 over the second. */
	for (int i = 0; i < 3; i++) {
		uint8_t flags = (i == 0 ? ACCMDEV_SQE_F_FIRST : 0) |
				(i == 2 ? ACCMDEV_SQE_F_FINAL : 0);
		struct accmdev_cqe c0, c1;

		c0 = run1(&qp0, sqe_make(ACCMDEV_OP_CRC32C, flags, i,
					 data.iova + i * 10000, 10000, 0, 0));
		c1 = run1(&qp1, sqe_make(ACCMDEV_OP_ADLER32, flags, i,
					 data.iova + len + i * 10000, 10000, 0, 0));
		crc = ref_crc32c_update(crc, p + i * 10000, 10000);
		adler = ref_adler32_update(adler, p + len + i * 10000, 10000);
		check(st(&c0) == ACCMDEV_ST_OK && res32(&c0) == ~crc,
		      "QP 0 crc32c after part %d: %08x (want %08x)", i, res32(&c0), ~crc);
		check(st(&c1) == ACCMDEV_ST_OK && res32(&c1) == adler,
		      "QP 1 adler32 after part %d: %08x (want %08x)", i, res32(&c1), adler);
		if (i < 2) {
			EXPECT_EQ(qrd(&qp0, ACCMDEV_QP_CTX), ACCMDEV_OP_CRC32C + 1,
				  "QP 0 CTX: crc32c open");
			EXPECT_EQ(qrd(&qp1, ACCMDEV_QP_CTX), ACCMDEV_OP_ADLER32 + 1,
				  "QP 1 CTX: adler32 open");
		}
	}
	check(qrd(&qp0, ACCMDEV_QP_CTX) == 0 && qrd(&qp1, ACCMDEV_QP_CTX) == 0,
	      "FINAL closes both streams");

	c = run1(&qp0, sqe_make(ACCMDEV_OP_CRC32C, 0, 9, data.iova, 10, 0, 0));
	EXPECT_EQ(st(&c), ACCMDEV_ST_NO_CONTEXT, "continuing a closed stream");
	c = run1(&qp0, sqe_make(ACCMDEV_OP_CRC32C, ACCMDEV_SQE_F_FIRST, 10,
				data.iova, 100, 0, 0));
	c = run1(&qp0, sqe_make(ACCMDEV_OP_ADLER32, 0, 11, data.iova, 10, 0, 0));
	EXPECT_EQ(st(&c), ACCMDEV_ST_NO_CONTEXT, "continuing with another opcode");
	EXPECT_EQ(qrd(&qp0, ACCMDEV_QP_CTX), ACCMDEV_OP_CRC32C + 1,
		  "a foreign opcode leaves the stream open");
	c = run1(&qp0, sqe_make(ACCMDEV_OP_CRC32C, ACCMDEV_SQE_F_FIRST |
				ACCMDEV_SQE_F_FINAL, 12, data.iova + 7, 50, 0, 0));
	check(st(&c) == ACCMDEV_ST_OK && res32(&c) == ref_crc32c(p + 7, 50),
	      "FIRST restarts an open stream");
	c = run1(&qp0, sqe_make(ACCMDEV_OP_CRC32C, ACCMDEV_SQE_F_FIRST, 13,
				data.iova, 100, 0, 0));
	qwr(&qp0, ACCMDEV_QP_CTX, 2);
	EXPECT_EQ(qrd(&qp0, ACCMDEV_QP_CTX), ACCMDEV_OP_CRC32C + 1,
		  "CTX ignores values other than CLEAR");
	qwr(&qp0, ACCMDEV_QP_CTX, ACCMDEV_QP_CTX_CLEAR);
	EXPECT_EQ(qrd(&qp0, ACCMDEV_QP_CTX), 0, "CTX_CLEAR closes the stream");
	c = run1(&qp0, sqe_make(ACCMDEV_OP_CRC32C, ACCMDEV_SQE_F_FINAL, 14,
				data.iova, 100, 0, 0));
	EXPECT_EQ(st(&c), ACCMDEV_ST_NO_CONTEXT, "nothing to continue after CTX_CLEAR");
	acc_qp_teardown(&qp1);
	acc_qp_teardown(&qp0);
	acc_close(&d);
	return failures;
}

/* ---- fair: a busy QP does not starve another ------------------------- */

/*
 * With bus mastering off the doorbells are only latched, so both QPs
 * have work when the worker starts: QP 1's single request must complete
 * after at most one budget of QP 0's, not after all of them. QP 0's
 * requests are 1 MiB each, so that QP 0 progresses little between QP
 * 1's completion and the read of its DONE_COUNT.
 */
static int t_fair(const char *uuid)
{
	const unsigned int big = 24, len = 1 << 20;
	struct accmdev_sqe s[24];
	struct accmdev_cqe c[32];
	struct acc_qp qp0, qp1;
	struct acc_dma data;
	struct acc_dev d;
	uint32_t done0, crc;
	unsigned int got = 0;
	int ok = 1;

	open_dev(&d, uuid);
	if (d.nqps < 2)
		die(NULL, "fair needs 2 queue pairs");
	qp_setup(&d, &qp0, 0, 32);
	qp_setup(&d, &qp1, 1, 4);
	map(&d, len, &data);
	ref_fill(data.va, len, 6);
	crc = ref_crc32c(data.va, len);
	for (unsigned int i = 0; i < big; i++)
		s[i] = sqe_make(ACCMDEV_OP_CRC32C, ACCMDEV_SQE_F_ONESHOT, i,
				data.iova, len, 0, 0);
	cfg_wr(&d, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	if (acc_qp_submit(&qp0, s, big))
		die(&d, "submit");
	s[0] = sqe_make(ACCMDEV_OP_CRC32C, ACCMDEV_SQE_F_ONESHOT, 99, data.iova,
			16, 0, 0);
	if (acc_qp_submit(&qp1, s, 1))
		die(&d, "submit");
	enable_cmd(&d);
	if (acc_qp_wait(&qp1, c, 1, 60000) != 1)
		die(&d, "QP 1 completion");
	done0 = qrd(&qp0, ACCMDEV_QP_DONE_COUNT);
	check(st(&c[0]) == ACCMDEV_ST_OK && done0 <= ACCMDEV_QP_BUDGET_TEST + 1,
	      "QP 1 served after %u of QP 0's %u queued requests (budget %u)",
	      done0, big, ACCMDEV_QP_BUDGET_TEST);
	while (got < big) {
		int n = acc_qp_wait(&qp0, c, 32, 60000);

		if (n < 0)
			die(&d, "wait");
		for (int i = 0; i < n; i++)
			ok &= st(&c[i]) == ACCMDEV_ST_OK && res32(&c[i]) == crc &&
			      le64toh(c[i].tag) == got + i;
		got += n;
	}
	check(ok, "QP 0's %u requests all complete, in order, correctly", big);
	check(qrd(&qp0, ACCMDEV_QP_IRQ_COUNT) >=
	      (big + ACCMDEV_QP_BUDGET_TEST - 1) / ACCMDEV_QP_BUDGET_TEST,
	      "QP 0 was served over several passes (%u interrupts)",
	      qrd(&qp0, ACCMDEV_QP_IRQ_COUNT));
	acc_qp_teardown(&qp1);
	acc_qp_teardown(&qp0);
	acc_close(&d);
	return failures;
}

/* ---- reset: VFIO_DEVICE_RESET, disable, work in flight ---------------- */

static int t_reset(const char *uuid)
{
	struct accmdev_sqe s[8];
	struct accmdev_cqe c;
	struct acc_dma data;
	struct acc_qp qp;
	struct acc_dev d;
	uint32_t v4;
	uint8_t *snap;

	open_dev(&d, uuid);
	qp_setup(&d, &qp, 0, 16);
	map(&d, 1 << 20, &data);
	ref_fill(data.va, 1 << 20, 7);

	c = run1(&qp, sqe_make(ACCMDEV_OP_CRC32C, ACCMDEV_SQE_F_FIRST, 1,
			       data.iova, 100, 0, 0));
	check(st(&c) == ACCMDEV_ST_OK && qrd(&qp, ACCMDEV_QP_CTX) == 1,
	      "a crc32c stream is open");
	v4 = htole32(0x12345678);
	bar_rw(&d, ACCMDEV_MSIX_BAR, 0, &v4, 4, 1);
	cfg_wr(&d, PCI_INTERRUPT_LINE, 0x5a, 1);
	cfg_wr(&d, PCI_BASE_ADDRESS_0, 0xfebf0000, 4);
	if (d.nqps > 1)
		wr(&d, ACCMDEV_QP_REG(1, ACCMDEV_QP_SQ_SIZE), 32);

	check(!ioctl(d.fd, VFIO_DEVICE_RESET), "VFIO_DEVICE_RESET");
	EXPECT_EQ(cfg_rd(&d, PCI_COMMAND, 2), 0, "reset clears the command register");
	EXPECT_EQ(cfg_rd(&d, PCI_BASE_ADDRESS_0, 4), 0, "reset clears BAR0");
	EXPECT_EQ(cfg_rd(&d, PCI_INTERRUPT_LINE, 1), 0, "reset clears the interrupt line");
	EXPECT_EQ(bar_rw(&d, 0, 0, &v4, 4, 0), -EIO, "memory decoding is off after reset");
	enable_cmd(&d);
	check(qrd(&qp, ACCMDEV_QP_ENABLE) == 0 && qrd(&qp, ACCMDEV_QP_SQ_SIZE) == 0 &&
	      qrd(&qp, ACCMDEV_QP_SQ_BASE_LO) == 0 && qrd(&qp, ACCMDEV_QP_CQ_BASE_LO) == 0 &&
	      qrd(&qp, ACCMDEV_QP_SQ_HEAD) == 0 && qrd(&qp, ACCMDEV_QP_CQ_TAIL) == 0 &&
	      qrd(&qp, ACCMDEV_QP_CTX) == 0 && qrd(&qp, ACCMDEV_QP_DONE_COUNT) == 0 &&
	      qrd(&qp, ACCMDEV_QP_IRQ_COUNT) == 0,
	      "QP 0 registers, indices, stream and counters are cleared");
	if (d.nqps > 1)
		EXPECT_EQ(rd(&d, ACCMDEV_QP_REG(1, ACCMDEV_QP_SQ_SIZE)), 0,
			  "QP 1 programming is cleared");
	check(!bar_rw(&d, ACCMDEV_MSIX_BAR, 0, &v4, 4, 0) && v4 == 0 &&
	      !bar_rw(&d, ACCMDEV_MSIX_BAR, 12, &v4, 4, 0) && le32toh(v4) == 1,
	      "MSI-X table back to masked, empty entries");
	EXPECT_EQ(rd(&d, ACCMDEV_REG_STATUS), ACCMDEV_STATUS_READY, "device ready");

	/* The eventfds set with SET_IRQS survive a reset. */
	efd_take(qp.efd);
	reprogram(&qp);
	c = run1(&qp, sqe_make(ACCMDEV_OP_CRC32C, 0, 2, data.iova, 100, 0, 0));
	EXPECT_EQ(st(&c), ACCMDEV_ST_NO_CONTEXT, "the stream did not survive the reset");
	sleep_ms(20);
	check(qp.irqs + efd_take(qp.efd) > 0, "the QP's eventfd still works after reset");

	/* Disable also closes the stream. */
	c = run1(&qp, sqe_make(ACCMDEV_OP_CRC32C, ACCMDEV_SQE_F_FIRST, 3,
			       data.iova, 100, 0, 0));
	qwr(&qp, ACCMDEV_QP_ENABLE, 0);
	check(qrd(&qp, ACCMDEV_QP_ENABLE) == 0 && qrd(&qp, ACCMDEV_QP_CTX) == 0 &&
	      qrd(&qp, ACCMDEV_QP_SQ_TAIL) == 0,
	      "disable clears the QP's indices and stream");
	qwr(&qp, ACCMDEV_QP_SQ_TAIL, 1);
	EXPECT_EQ(qrd(&qp, ACCMDEV_QP_SQ_TAIL), 0, "a disabled QP ignores doorbells");
	reprogram(&qp);
	c = run1(&qp, sqe_make(ACCMDEV_OP_CRC32C, 0, 4, data.iova, 100, 0, 0));
	EXPECT_EQ(st(&c), ACCMDEV_ST_NO_CONTEXT, "nothing to continue after disable");

	/* Reset with work in flight: once it returns, no more DMA. */
	for (int i = 0; i < 8; i++)
		s[i] = sqe_make(ACCMDEV_OP_CRC32C, ACCMDEV_SQE_F_ONESHOT, 10 + i,
				data.iova, 1 << 20, 0, 0);
	if (acc_qp_submit(&qp, s, 8))
		die(&d, "submit");
	sleep_ms(5);
	check(!ioctl(d.fd, VFIO_DEVICE_RESET), "reset with 8 x 1 MiB crc32c queued");
	snap = malloc(qp.cq.size);
	memcpy(snap, qp.cq.va, qp.cq.size);
	enable_cmd(&d);
	sleep_ms(500);
	check(!memcmp(snap, qp.cq.va, qp.cq.size) &&
	      qrd(&qp, ACCMDEV_QP_DONE_COUNT) == 0,
	      "nothing is written after the reset returned");
	free(snap);
	reprogram(&qp);
	c = run1(&qp, sqe_make(ACCMDEV_OP_CRC32C, ACCMDEV_SQE_F_ONESHOT, 20,
			       data.iova, 4096, 0, 0));
	check(st(&c) == ACCMDEV_ST_OK && res32(&c) == ref_crc32c(data.va, 4096),
	      "the device works after the reset");
	acc_qp_teardown(&qp);
	acc_close(&d);
	return failures;
}

/* ---- model: opcodes outside the device model are refused ------------ */

/* zlib.compress(b"abc") */
static const uint8_t zabc[] = {
	0x78, 0x9c, 0x4b, 0x4c, 0x4a, 0x06, 0x00, 0x02, 0x4d, 0x01, 0x27,
};
static int t_model(const char *uuid, uint32_t mask, unsigned int rev)
{
	struct acc_dma src, dst;
	struct accmdev_cqe c;
	struct acc_qp qp;
	struct acc_dev d;

	open_dev(&d, uuid);
	EXPECT_EQ(rd(&d, ACCMDEV_REG_ALGS), mask, "ALGS register is the model's set");
	EXPECT_EQ(rd(&d, ACCMDEV_REG_REVISION), rev, "REVISION register");
	EXPECT_EQ(cfg_rd(&d, PCI_REVISION_ID, 1), rev, "PCI revision ID");
	qp_setup(&d, &qp, 0, 4);
	map(&d, 4096, &src);
	map(&d, 4096, &dst);
	memcpy(src.va, "abc", 3);
	memcpy((uint8_t *)src.va + 64, zabc, sizeof(zabc));
	for (unsigned int op = 0; op < ACCMDEV_OP_COUNT; op++) {
		int zip = op == ACCMDEV_OP_DEFLATE || op == ACCMDEV_OP_INFLATE;
		uint64_t in = src.iova + (op == ACCMDEV_OP_INFLATE ? 64 : 0);
		uint32_t in_len = op == ACCMDEV_OP_INFLATE ? sizeof(zabc) : 3;
		int good = 0;

		memset(dst.va, 0x5a, 4096);
		c = run1(&qp, sqe_make(op, ACCMDEV_SQE_F_ONESHOT, op, in, in_len,
				       zip ? dst.iova : 0, zip ? 4096 : 0));
		if (!(mask & (1u << op))) {
			check(st(&c) == ACCMDEV_ST_UNSUPPORTED && !c.result_len &&
			      ((uint8_t *)dst.va)[0] == 0x5a,
			      "%s is outside the model: status %s", acc_op_name(op),
			      acc_status_name(st(&c)));
			continue;
		}
		switch (op) {
		case ACCMDEV_OP_CRC32C:
			good = res32(&c) == ref_crc32c((uint8_t *)"abc", 3);
			break;
		case ACCMDEV_OP_ADLER32:
			good = res32(&c) == ref_adler32((uint8_t *)"abc", 3);
			break;
		case ACCMDEV_OP_SHA256:
			good = le32toh(c.result_len) == 32 &&
			       !memcmp(c.result, sha256_abc, 32);
			break;
		case ACCMDEV_OP_SHA224:
			good = le32toh(c.result_len) == 28 &&
			       !memcmp(c.result, sha224_abc, 28);
			break;
		case ACCMDEV_OP_INFLATE:
			good = le32toh(c.result_len) == 3 &&
			       !memcmp(dst.va, "abc", 3);
			break;
		case ACCMDEV_OP_DEFLATE:
			good = le32toh(c.result_len) > 8 &&
			       ((uint8_t *)dst.va)[0] == 0x78;
			break;
		}
		check(st(&c) == ACCMDEV_ST_OK && good, "%s is in the model and computes",
		      acc_op_name(op));
	}
	c = run1(&qp, sqe_make(ACCMDEV_OP_COUNT, ACCMDEV_SQE_F_ONESHOT, 9,
			       src.iova, 3, 0, 0));
	EXPECT_EQ(st(&c), ACCMDEV_ST_BAD_OPCODE, "opcode 6 is unknown");
	acc_qp_teardown(&qp);
	acc_close(&d);
	return failures;
}

/* ---- bad: the bad-descriptor table ------------------------------------ */

struct bad_case {
	const char *what;
	struct accmdev_sqe sqe;
	uint16_t want;
};

static int t_bad(const char *uuid)
{
	struct bad_case t[40];
	struct accmdev_cqe c[16];
	struct acc_dma src, dst;
	struct acc_qp qp;
	struct acc_dev d;
	uint8_t *shadow, *s8, *d8;
	unsigned int n = 0, sent = 0, got = 0, i;
	uint64_t in, z;
	int ok;

	open_dev(&d, uuid);
	if ((d.algs & 0xf) != 0xf)
		die(NULL, "bad needs a zip device with all four algorithms");
	qp_setup(&d, &qp, 0, 16);
	map(&d, 8192, &src);
	map(&d, 8192, &dst);
	s8 = src.va;
	d8 = dst.va;
	ref_fill(s8, 4096, 8);
	z = src.iova + 4096;
	memcpy(s8 + 4096, zabc, sizeof(zabc));			/* good stream */
	memcpy(s8 + 4160, zabc, sizeof(zabc));			/* bad adler32 */
	s8[4160 + sizeof(zabc) - 1] ^= 1;
	memcpy(s8 + 4224, zabc, sizeof(zabc));			/* trailing byte */
	s8[4224 + sizeof(zabc)] = 0;
	memset(d8, 0x5a, 8192);
	shadow = malloc(8192);
	memcpy(shadow, s8, 8192);
	in = src.iova;

#define CASE(w, want_, ...) do {						\
		t[n].what = w;							\
		t[n].sqe = sqe_make(__VA_ARGS__);				\
		t[n].want = want_;						\
		n++;								\
	} while (0)
#define ONE ACCMDEV_SQE_F_ONESHOT
	CASE("reserved rsvd0 set", ACCMDEV_ST_BAD_FIELD, ACCMDEV_OP_CRC32C, ONE, 0, in, 10, 0, 0);
	t[n - 1].sqe.rsvd0 = htole16(1);
	CASE("reserved rsvd1 set", ACCMDEV_ST_BAD_FIELD, ACCMDEV_OP_CRC32C, ONE, 0, in, 10, 0, 0);
	t[n - 1].sqe.rsvd1[2] = htole64(1);
	CASE("opcode 6", ACCMDEV_ST_BAD_OPCODE, 6, ONE, 0, in, 10, 0, 0);
	CASE("opcode 255", ACCMDEV_ST_BAD_OPCODE, 255, ONE, 0, in, 10, 0, 0);
	CASE("sha256 on a zip device", ACCMDEV_ST_UNSUPPORTED, ACCMDEV_OP_SHA256, ONE, 0, in, 10, 0, 0);
	CASE("unknown flag", ACCMDEV_ST_BAD_FLAGS, ACCMDEV_OP_CRC32C, 0x84, 0, in, 10, 0, 0);
	CASE("deflate without FINAL", ACCMDEV_ST_BAD_FLAGS, ACCMDEV_OP_DEFLATE,
	     ACCMDEV_SQE_F_FIRST, 0, in, 10, dst.iova, 4096);
	CASE("inflate without flags", ACCMDEV_ST_BAD_FLAGS, ACCMDEV_OP_INFLATE, 0, 0,
	     z, sizeof(zabc), dst.iova, 4096);
	CASE("crc32c with a param", ACCMDEV_ST_BAD_FIELD, ACCMDEV_OP_CRC32C, ONE, 0, in, 10, 0, 0);
	t[n - 1].sqe.param = htole32(1);
	CASE("deflate level 10", ACCMDEV_ST_BAD_FIELD, ACCMDEV_OP_DEFLATE, ONE, 0, in, 10,
	     dst.iova, 4096);
	t[n - 1].sqe.param = htole32(10);
	CASE("crc32c with a dst", ACCMDEV_ST_BAD_FIELD, ACCMDEV_OP_CRC32C, ONE, 0, in, 10,
	     dst.iova, 0);
	CASE("src_len above the limit", ACCMDEV_ST_BAD_LENGTH, ACCMDEV_OP_CRC32C, ONE, 0, in,
	     ACCMDEV_MAX_SRC_LEN + 1, 0, 0);
	CASE("dst_len above the limit", ACCMDEV_ST_BAD_LENGTH, ACCMDEV_OP_DEFLATE, ONE, 0, in,
	     10, dst.iova, ACCMDEV_MAX_DST_LEN + 1);
	CASE("src wraps the IOVA space", ACCMDEV_ST_BAD_ADDR, ACCMDEV_OP_CRC32C, ONE, 0,
	     0xffffffffffffff00ull, 0x200, 0, 0);
	CASE("dst over the SQ ring", ACCMDEV_ST_BAD_ADDR, ACCMDEV_OP_DEFLATE, ONE, 0, in, 10,
	     qp.sq.iova + 64, 4096);
	CASE("dst over the CQ ring", ACCMDEV_ST_BAD_ADDR, ACCMDEV_OP_DEFLATE, ONE, 0, in, 10,
	     qp.cq.iova - 64, 128);
	CASE("dst over src", ACCMDEV_ST_BAD_ADDR, ACCMDEV_OP_DEFLATE, ONE, 0, in, 1000,
	     in + 500, 4096);
	CASE("src unmapped", ACCMDEV_ST_SRC_FAULT, ACCMDEV_OP_CRC32C, ONE, 0, 0x1000, 100, 0, 0);
	CASE("src runs off its mapping", ACCMDEV_ST_SRC_FAULT, ACCMDEV_OP_CRC32C, ONE, 0,
	     src.iova + src.size - 100, 200, 0, 0);
	CASE("deflate src unmapped", ACCMDEV_ST_SRC_FAULT, ACCMDEV_OP_DEFLATE, ONE, 0, 0x1000,
	     100, dst.iova, 4096);
	CASE("deflate dst unmapped", ACCMDEV_ST_DST_FAULT, ACCMDEV_OP_DEFLATE, ONE, 0, in, 100,
	     0x2000, 4096);
	CASE("inflate dst unmapped", ACCMDEV_ST_DST_FAULT, ACCMDEV_OP_INFLATE, ONE, 0, z,
	     sizeof(zabc), 0x2000, 4096);
	CASE("deflate into 4 bytes", ACCMDEV_ST_DST_FULL, ACCMDEV_OP_DEFLATE, ONE, 0, in, 4096,
	     dst.iova, 4);
	CASE("inflate into 2 bytes", ACCMDEV_ST_DST_FULL, ACCMDEV_OP_INFLATE, ONE, 0, z,
	     sizeof(zabc), dst.iova, 2);
	CASE("inflate of random bytes", ACCMDEV_ST_DATA_ERROR, ACCMDEV_OP_INFLATE, ONE, 0, in,
	     100, dst.iova, 4096);
	CASE("inflate of a truncated stream", ACCMDEV_ST_DATA_ERROR, ACCMDEV_OP_INFLATE, ONE,
	     0, z, 6, dst.iova, 4096);
	CASE("inflate with a bad adler32", ACCMDEV_ST_DATA_ERROR, ACCMDEV_OP_INFLATE, ONE, 0,
	     z + 64, sizeof(zabc), dst.iova, 4096);
	CASE("inflate of an empty input", ACCMDEV_ST_DATA_ERROR, ACCMDEV_OP_INFLATE, ONE, 0,
	     z, 0, dst.iova, 4096);
	/* This one may write "abc" at dst + 4096, within its dst_len. */
	CASE("inflate with trailing bytes", ACCMDEV_ST_DATA_ERROR, ACCMDEV_OP_INFLATE, ONE, 0,
	     z + 128, sizeof(zabc) + 1, dst.iova + 4096, 64);
	CASE("continue without a stream", ACCMDEV_ST_NO_CONTEXT, ACCMDEV_OP_CRC32C, 0, 0, in,
	     10, 0, 0);
	CASE("FINAL without a stream", ACCMDEV_ST_NO_CONTEXT, ACCMDEV_OP_ADLER32,
	     ACCMDEV_SQE_F_FINAL, 0, in, 10, 0, 0);
	CASE("and then a good one", ACCMDEV_ST_OK, ACCMDEV_OP_CRC32C, ONE, 0, in, 4096, 0, 0);
#undef CASE
#undef ONE
	for (i = 0; i < n; i++)
		t[i].sqe.tag = htole64(i);

	while (got < n) {
		int r;

		while (sent < n && acc_qp_room(&qp)) {
			if (acc_qp_submit(&qp, &t[sent].sqe, 1))
				die(&d, "submit");
			sent++;
		}
		r = acc_qp_wait(&qp, c, 16, 30000);
		if (r < 0)
			die(&d, "wait");
		for (int j = 0; j < r; j++, got++) {
			const struct bad_case *b = &t[got];
			int good = b->want == ACCMDEV_ST_OK;

			check(st(&c[j]) == b->want && le64toh(c[j].tag) == got &&
			      c[j].opcode == b->sqe.opcode &&
			      le32toh(c[j].seq) == got + 1 &&
			      (good ? res32(&c[j]) == ref_crc32c(s8, 4096) :
				      c[j].result_len == 0),
			      "%s: %s (want %s)", b->what,
			      acc_status_name(st(&c[j])), acc_status_name(b->want));
		}
	}
	ok = !memcmp(shadow, s8, 8192);
	check(ok, "the source buffer is untouched");
	for (i = 0, ok = 1; i < 8192; i++)
		if (d8[i] != 0x5a && !(i >= 4096 && i < 4096 + 64))
			ok = 0;
	check(ok, "dst is untouched outside the window the device may use");
	EXPECT_EQ(qrd(&qp, ACCMDEV_QP_FAIL_COUNT), n - 1, "FAIL_COUNT");
	EXPECT_EQ(qrd(&qp, ACCMDEV_QP_DONE_COUNT), n, "DONE_COUNT");
	EXPECT_EQ(qrd(&qp, ACCMDEV_QP_STATUS), ACCMDEV_QP_ST_ENABLED,
		  "bad descriptors do not halt the QP");
	free(shadow);
	acc_qp_teardown(&qp);
	acc_close(&d);
	return failures;
}

/* ---- qperr: QP-level errors ------------------------------------------- */

static void program(struct acc_dev *d, uint64_t sq, uint64_t cq, uint32_t sqn,
		    uint32_t cqn)
{
	wr(d, ACCMDEV_QP_REG(0, ACCMDEV_QP_ENABLE), 0);
	wr(d, ACCMDEV_QP_REG(0, ACCMDEV_QP_SQ_BASE_LO), (uint32_t)sq);
	wr(d, ACCMDEV_QP_REG(0, ACCMDEV_QP_SQ_BASE_HI), sq >> 32);
	wr(d, ACCMDEV_QP_REG(0, ACCMDEV_QP_CQ_BASE_LO), (uint32_t)cq);
	wr(d, ACCMDEV_QP_REG(0, ACCMDEV_QP_CQ_BASE_HI), cq >> 32);
	wr(d, ACCMDEV_QP_REG(0, ACCMDEV_QP_SQ_SIZE), sqn);
	wr(d, ACCMDEV_QP_REG(0, ACCMDEV_QP_CQ_SIZE), cqn);
	wr(d, ACCMDEV_QP_REG(0, ACCMDEV_QP_ENABLE), 1);
}

static uint32_t wait_error(struct acc_dev *d)
{
	uint32_t e = 0;

	for (int i = 0; i < 300 && !e; i++) {
		e = rd(d, ACCMDEV_QP_REG(0, ACCMDEV_QP_ERROR));
		if (!e)
			sleep_ms(10);
	}
	return e;
}

static int t_qperr(const char *uuid)
{
	static const struct {
		const char *what;
		int64_t sq_off, cq_off;
		uint32_t sqn, cqn, want;
	} cfgs[] = {
		{ "SQ size 3", 0, 4096, 3, 4, ACCMDEV_QP_ERR_RING_SIZE },
		{ "SQ size 1", 0, 4096, 1, 4, ACCMDEV_QP_ERR_RING_SIZE },
		{ "SQ size 8192", 0, 4096, 8192, 4, ACCMDEV_QP_ERR_RING_SIZE },
		{ "CQ size 0", 0, 4096, 4, 0, ACCMDEV_QP_ERR_RING_SIZE },
		{ "SQ base misaligned", 32, 4096, 4, 4, ACCMDEV_QP_ERR_RING_ALIGN },
		{ "CQ ring wraps the IOVA space", 0, -1, 4, 2, ACCMDEV_QP_ERR_RING_RANGE },
		{ "CQ ring overlaps the SQ ring", 0, 64, 4, 4, ACCMDEV_QP_ERR_RING_OVERLAP },
		{ "valid rings", 0, 4096, 4, 4, ACCMDEV_QP_ERR_NONE },
	};
	struct accmdev_cqe c[2];
	struct acc_dma rings, data;
	struct accmdev_sqe s;
	struct acc_qp qp;
	struct acc_dev d;
	uint64_t cq;

	open_dev(&d, uuid);
	map(&d, 8192, &rings);
	map(&d, 4096, &data);
	for (unsigned int i = 0; i < sizeof(cfgs) / sizeof(cfgs[0]); i++) {
		cq = cfgs[i].cq_off < 0 ? 0xffffffffffffffc0ull :
		     rings.iova + cfgs[i].cq_off;
		program(&d, rings.iova + cfgs[i].sq_off, cq, cfgs[i].sqn, cfgs[i].cqn);
		check(rd(&d, ACCMDEV_QP_REG(0, ACCMDEV_QP_ERROR)) == cfgs[i].want &&
		      rd(&d, ACCMDEV_QP_REG(0, ACCMDEV_QP_ENABLE)) == !cfgs[i].want &&
		      rd(&d, ACCMDEV_QP_REG(0, ACCMDEV_QP_STATUS)) ==
		      (cfgs[i].want ? ACCMDEV_QP_ST_ERROR : ACCMDEV_QP_ST_ENABLED) &&
		      !!(rd(&d, ACCMDEV_REG_STATUS) & ACCMDEV_STATUS_QP_ERROR) ==
		      !!cfgs[i].want,
		      "enable with %s: error %u", cfgs[i].what, cfgs[i].want);
	}
	wr(&d, ACCMDEV_QP_REG(0, ACCMDEV_QP_ENABLE), 0);
	EXPECT_EQ(rd(&d, ACCMDEV_QP_REG(0, ACCMDEV_QP_ERROR)), 0, "disable clears the error");

	program(&d, rings.iova, rings.iova + 4096, 4, 4);
	wr(&d, ACCMDEV_QP_REG(0, ACCMDEV_QP_SQ_TAIL), 4);
	wr(&d, ACCMDEV_QP_REG(0, ACCMDEV_QP_SQ_TAIL), 1);
	check(rd(&d, ACCMDEV_QP_REG(0, ACCMDEV_QP_ERROR)) == ACCMDEV_QP_ERR_SQ_TAIL &&
	      rd(&d, ACCMDEV_QP_REG(0, ACCMDEV_QP_STATUS)) ==
	      (ACCMDEV_QP_ST_ENABLED | ACCMDEV_QP_ST_ERROR) &&
	      rd(&d, ACCMDEV_QP_REG(0, ACCMDEV_QP_SQ_TAIL)) == 0,
	      "SQ tail beyond the ring halts the QP; later doorbells are ignored");
	program(&d, rings.iova, rings.iova + 4096, 4, 4);
	wr(&d, ACCMDEV_QP_REG(0, ACCMDEV_QP_CQ_HEAD), 7);
	EXPECT_EQ(rd(&d, ACCMDEV_QP_REG(0, ACCMDEV_QP_ERROR)), ACCMDEV_QP_ERR_CQ_HEAD,
		  "CQ head beyond the ring");

	program(&d, 0x10000, rings.iova + 4096, 4, 4);
	wr(&d, ACCMDEV_QP_REG(0, ACCMDEV_QP_SQ_TAIL), 1);
	EXPECT_EQ(wait_error(&d), ACCMDEV_QP_ERR_SQ_READ, "unmapped SQ ring");

	s = sqe_make(ACCMDEV_OP_CRC32C, ACCMDEV_SQE_F_ONESHOT, 1, data.iova, 10, 0, 0);
	memcpy(rings.va, &s, sizeof(s));
	program(&d, rings.iova, 0x20000, 4, 4);
	wr(&d, ACCMDEV_QP_REG(0, ACCMDEV_QP_SQ_TAIL), 1);
	check(wait_error(&d) == ACCMDEV_QP_ERR_CQ_WRITE &&
	      rd(&d, ACCMDEV_QP_REG(0, ACCMDEV_QP_SQ_HEAD)) == 0,
	      "unmapped CQ ring: error, the entry is not consumed");
	wr(&d, ACCMDEV_QP_REG(0, ACCMDEV_QP_ENABLE), 0);

	/* A full CQ holds the SQ back until the user moves CQ_HEAD. */
	if (acc_qp_setup(&d, &qp, 0, 4, 2))
		die(&d, "QP setup");
	for (int i = 0; i < 2; i++) {
		s = sqe_make(ACCMDEV_OP_CRC32C, ACCMDEV_SQE_F_ONESHOT, i, data.iova, 10,
			     0, 0);
		memcpy((uint8_t *)qp.sq.va + i * 64, &s, sizeof(s));
	}
	qwr(&qp, ACCMDEV_QP_SQ_TAIL, 2);
	sleep_ms(300);
	check(qrd(&qp, ACCMDEV_QP_SQ_HEAD) == 1 &&
	      qrd(&qp, ACCMDEV_QP_STATUS) == (ACCMDEV_QP_ST_ENABLED | ACCMDEV_QP_ST_BUSY |
					      ACCMDEV_QP_ST_CQ_FULL),
	      "a full CQ stops the QP: SQ head 1, status busy and CQ full");
	qp.inflight = 2;
	check(acc_qp_poll(&qp, c, 1) == 1 && poll_done(&qp, c + 1, 1) == 1 &&
	      le64toh(c[1].tag) == 1 && qrd(&qp, ACCMDEV_QP_SQ_HEAD) == 2,
	      "moving CQ_HEAD lets the second request complete");
	acc_qp_teardown(&qp);
	acc_close(&d);
	return failures;
}

/* ---- isolation: two devices, two containers --------------------------- */

static int t_isolate_mem(const char *ua, const char *ub)
{
	const uint64_t only_b = 0x40000000ull, both = 0x50000000ull;
	struct acc_dma mb, ma_same, mb_same, dst_a;
	struct acc_dev a, b;
	struct acc_qp qa, qb;
	struct accmdev_cqe c;
	uint8_t *save;

	open_dev(&a, ua);
	open_dev(&b, ub);
	qp_setup(&a, &qa, 0, 4);
	qp_setup(&b, &qb, 0, 4);
	if (acc_dma_map_at(&b, only_b, 4096, &mb))
		die(&b, "map in B");
	ref_fill(mb.va, 4096, 11);
	save = malloc(4096);
	memcpy(save, mb.va, 4096);

	c = run1(&qa, sqe_make(ACCMDEV_OP_CRC32C, ACCMDEV_SQE_F_ONESHOT, 1,
			       only_b, 4096, 0, 0));
	EXPECT_EQ(st(&c), ACCMDEV_ST_SRC_FAULT,
		  "A cannot read an IOVA mapped only in B's container");
	map(&a, 4096, &dst_a);
	c = run1(&qa, sqe_make(ACCMDEV_OP_DEFLATE, ACCMDEV_SQE_F_ONESHOT, 2,
			       dst_a.iova, 4096, only_b, 4096));
	check(st(&c) == ACCMDEV_ST_DST_FAULT && !memcmp(save, mb.va, 4096),
	      "A cannot write an IOVA mapped only in B's container");
	c = run1(&qb, sqe_make(ACCMDEV_OP_CRC32C, ACCMDEV_SQE_F_ONESHOT, 3,
			       only_b, 4096, 0, 0));
	check(st(&c) == ACCMDEV_ST_OK && res32(&c) == ref_crc32c(save, 4096),
	      "B reads its own mapping");

	/* The same IOVA in both containers is two different buffers. */
	if (acc_dma_map_at(&a, both, 4096, &ma_same) ||
	    acc_dma_map_at(&b, both, 4096, &mb_same))
		die(&a, "map the same IOVA");
	ref_fill(ma_same.va, 4096, 21);
	ref_fill(mb_same.va, 4096, 22);
	c = run1(&qa, sqe_make(ACCMDEV_OP_CRC32C, ACCMDEV_SQE_F_ONESHOT, 4, both,
			       4096, 0, 0));
	check(st(&c) == ACCMDEV_ST_OK && res32(&c) == ref_crc32c(ma_same.va, 4096),
	      "A at IOVA %#llx sees A's memory", (ull)both);
	c = run1(&qb, sqe_make(ACCMDEV_OP_CRC32C, ACCMDEV_SQE_F_ONESHOT, 5, both,
			       4096, 0, 0));
	check(st(&c) == ACCMDEV_ST_OK && res32(&c) == ref_crc32c(mb_same.va, 4096),
	      "B at IOVA %#llx sees B's memory", (ull)both);
	c = run1(&qa, sqe_make(ACCMDEV_OP_DEFLATE, ACCMDEV_SQE_F_ONESHOT, 6,
			       dst_a.iova, 4096, both, 4096));
	check(st(&c) == ACCMDEV_ST_OK && ((uint8_t *)ma_same.va)[0] == 0x78,
	      "A's deflate lands in A's buffer");
	{
		uint8_t want[4096];

		ref_fill(want, 4096, 22);
		check(!memcmp(want, mb_same.va, 4096),
		      "B's buffer at the same IOVA is untouched");
	}
	free(save);
	acc_qp_teardown(&qb);
	acc_qp_teardown(&qa);
	acc_close(&b);
	acc_close(&a);
	return failures;
}

static int t_isolate_state(const char *ua, const char *ub)
{
	struct acc_dev a, b;
	struct acc_qp qa, qb;
	struct accmdev_cqe c;
	struct acc_dma da, db;
	uint32_t bq1;

	open_dev(&a, ua);
	open_dev(&b, ub);
	qp_setup(&a, &qa, 0, 8);
	qp_setup(&b, &qb, 0, 4);
	map(&a, 4096, &da);
	map(&b, 4096, &db);
	ref_fill(da.va, 4096, 31);
	ref_fill(db.va, 4096, 32);

	check(qrd(&qa, ACCMDEV_QP_SQ_SIZE) == 8 && qrd(&qb, ACCMDEV_QP_SQ_SIZE) == 4 &&
	      qrd(&qa, ACCMDEV_QP_SQ_BASE_LO) == (uint32_t)qa.sq.iova &&
	      qrd(&qb, ACCMDEV_QP_SQ_BASE_LO) == (uint32_t)qb.sq.iova,
	      "each device's QP 0 has its own registers");
	c = run1(&qa, sqe_make(ACCMDEV_OP_CRC32C, ACCMDEV_SQE_F_FIRST, 1, da.iova,
			       1000, 0, 0));
	c = run1(&qb, sqe_make(ACCMDEV_OP_CRC32C, 0, 1, db.iova, 1000, 0, 0));
	EXPECT_EQ(st(&c), ACCMDEV_ST_NO_CONTEXT, "A's open stream is not B's");
	c = run1(&qb, sqe_make(ACCMDEV_OP_CRC32C, ACCMDEV_SQE_F_FIRST, 2, db.iova,
			       1000, 0, 0));
	sleep_ms(20);
	efd_take(qa.efd);	/* A's own completion */
	if (ioctl(a.fd, VFIO_DEVICE_RESET))
		die(&a, "reset A");
	enable_cmd(&a);
	c = run1(&qb, sqe_make(ACCMDEV_OP_CRC32C, ACCMDEV_SQE_F_FINAL, 3,
			       db.iova + 1000, 3096, 0, 0));
	check(st(&c) == ACCMDEV_ST_OK && res32(&c) == ref_crc32c(db.va, 4096),
	      "resetting A leaves B's stream intact");
	check(qrd(&qb, ACCMDEV_QP_ENABLE) == 1 && qrd(&qa, ACCMDEV_QP_ENABLE) == 0,
	      "resetting A leaves B's QP enabled");
	check(efd_take(qa.efd) == 0, "B's completions do not signal A's eventfd");
	if (a.nqps == 1) {
		bq1 = b.nqps > 1 ? rd(&b, ACCMDEV_QP_REG(1, ACCMDEV_QP_SQ_SIZE)) : 0;
		wr(&a, ACCMDEV_QP_REG(1, ACCMDEV_QP_SQ_SIZE), 64);
		check(rd(&a, ACCMDEV_QP_REG(1, ACCMDEV_QP_SQ_SIZE)) == 0 &&
		      (b.nqps < 2 ||
		       rd(&b, ACCMDEV_QP_REG(1, ACCMDEV_QP_SQ_SIZE)) == bq1),
		      "a 1-QP device has no QP 1, and cannot reach another's");
	}
	acc_qp_teardown(&qb);
	acc_close(&b);
	acc_close(&a);
	return failures;
}

/* ---- hold: keep a device open in the background ----------------------- */

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct hold_args {
	const char *out, *uuid;
	int timeout, req, close_after;
};

static void hold_child(int ready, void *arg)
{
	const struct hold_args *a = arg;
	int timeout = a->timeout, req = a->req, close_after = a->close_after;
	struct acc_dev d;
	int efd = -1;
	FILE *f;

	signal(SIGTERM, on_signal);
	f = hold_child_detach(a->out);
	if (acc_open(&d, a->uuid) || (req && (efd = acc_req_eventfd(&d)) < 0)) {
		dprintf(ready, "%s\n", acc_error(&d));
		_exit(1);
	}
	fprintf(f, "open\n");
	dprintf(ready, "ok\n");
	close(ready);
	if (req) {
		struct pollfd p = { .fd = efd, .events = POLLIN };
		uint64_t n = 0;

		if (poll(&p, 1, timeout * 1000) == 1 &&
		    read(efd, &n, sizeof(n)) == sizeof(n)) {
			fprintf(f, "request %llu\n", (ull)n);
			sleep(1);
		} else {
			fprintf(f, "%s\n", stop ? "signal" : "timeout");
		}
	} else {
		for (int i = 0; i < close_after * 10 && !stop; i++)
			sleep_ms(100);
	}
	fprintf(f, "closing\n");
	acc_close(&d);
	fclose(f);
	_exit(0);
}

static int t_hold(int argc, char **argv)
{
	struct hold_args a = { .req = 1 };
	int i = 0;

	while (i < argc && argv[i][0] == '-') {
		if (!strcmp(argv[i], "--no-req")) {
			a.req = 0;
			i++;
		} else if (!strcmp(argv[i], "--close-after") && i + 1 < argc) {
			a.close_after = atoi(argv[i + 1]);
			i += 2;
		} else {
			return 2;
		}
	}
	if (argc - i != 3)
		return 2;
	a.out = argv[i];
	a.uuid = argv[i + 1];
	a.timeout = atoi(argv[i + 2]);
	return hold_spawn("accdev: hold", hold_child, &a);
}

/* ---- main ------------------------------------------------------------- */

static unsigned long num(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 0);

	if (!*s || *end) {
		fprintf(stderr, "accdev: bad number %s\n", s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	int n = argc - 2;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(cmd, "config") && n == 4)
		t_config(argv[2], num(argv[3]), num(argv[4]), num(argv[5]));
	else if (!strcmp(cmd, "uapi") && n == 2)
		t_uapi(argv[2], num(argv[3]));
	else if (!strcmp(cmd, "regs") && n == 2)
		t_regs(argv[2], num(argv[3]));
	else if (!strcmp(cmd, "irq") && n == 1)
		t_irq(argv[2]);
	else if (!strcmp(cmd, "streams") && n == 1)
		t_streams(argv[2]);
	else if (!strcmp(cmd, "fair") && n == 1)
		t_fair(argv[2]);
	else if (!strcmp(cmd, "reset") && n == 1)
		t_reset(argv[2]);
	else if (!strcmp(cmd, "model") && n == 3)
		t_model(argv[2], num(argv[3]), num(argv[4]));
	else if (!strcmp(cmd, "bad") && n == 1)
		t_bad(argv[2]);
	else if (!strcmp(cmd, "qperr") && n == 1)
		t_qperr(argv[2]);
	else if (!strcmp(cmd, "isolate-mem") && n == 2)
		t_isolate_mem(argv[2], argv[3]);
	else if (!strcmp(cmd, "isolate-state") && n == 2)
		t_isolate_state(argv[2], argv[3]);
	else if (!strcmp(cmd, "hold"))
		return t_hold(n, argv + 2);
	else {
		fprintf(stderr, "usage: see the comment at the top of accdev.c\n");
		return 2;
	}
	printf("# %d failed\n", failures);
	return failures ? 1 : 0;
}
