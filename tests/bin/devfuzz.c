// SPDX-License-Identifier: GPL-2.0-only
/*
 * devfuzz: hostile user of one open accmdev device. Random region reads
 * and writes (config space, BAR0, BAR2, other and out-of-range indexes
 * and offsets), random info and SET_IRQS ioctls with random eventfds,
 * random resets, and doorbells on rings full of hostile descriptors:
 * random bytes, opcodes and flags, sources and destinations in mapped,
 * unmapped and wrapping IOVA, huge lengths, destinations over their own
 * rings and over their source, rings at unmapped, unaligned, wrapping
 * and overlapping addresses, and buffers unmapped while the device may
 * be working on them.
 *
 *   devfuzz [-s SEED] [-n ITERATIONS] [-t SECONDS] UUID [UUID-B]
 *
 * Everything with a documented answer is checked against an offline
 * model of Documentation/device.rst: the errno of each region access,
 * info ioctl and SET_IRQS call; the QP error latched by each hostile
 * ring; and the completion status of each descriptor (the static
 * checks BAD_FIELD..BAD_ADDR exactly, NO_CONTEXT and SRC_FAULT of the
 * streaming opcodes exactly, deflate and inflate within the statuses
 * they may end with, INTERNAL never).
 *
 * The container also maps a 256 KiB canary that only a few descriptors
 * (and hostile rings) are aimed at; they are recorded, and at the end
 * every canary byte outside their ranges must hold its pattern. With
 * UUID-B a second device is opened in its own container with memory at
 * the same IOVAs; it is never used, and none of its bytes may change.
 * Then the device is reset and must still compute: crc32c against a
 * bitwise reference and deflate/inflate round trips (zip), or sha256
 * and sha224 against FIPS 180-2 vectors (sec).
 *
 * Prints "seed=N", then one summary line:
 *   iterations=N region_ops=N irq_ops=N info_ops=N sqes=N judged=N
 *   ring_tests=N resets=N remaps=N mismatches=N internal=N
 *   canary_targeted=N canary_changed=N other_changed=N config_changed=N
 * and "verify ok" or "verify FAILED ...". Mismatches are printed as
 * "# mismatch ..." (the first 30). Exit 0 only if nothing mismatched.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "accref.h"
#include "accvfio.h"
#include "fuzzlib.h"

#define KIB		1024ull
/* Above where acc_dma_map() allocates (ACC_IOVA_BASE, upwards). */
#define RING_BASE	0x40000000ull	/* 32 KiB per QP: SQ, then CQ at 16K */
#define RING_SLOT	(32 * KIB)
#define RING_BYTES	(ACCMDEV_QP_MAX * RING_SLOT)
#define DATA_BASE	0x50000000ull	/* NDATA buffers, a page apart */
#define DATA_SIZE	(64 * KIB)
#define DATA_STRIDE	(DATA_SIZE + 4 * KIB)
#define NDATA		4
/*
 * The canary: descriptors are aimed at its first 192 KiB (with short
 * destinations), hostile CQ rings at the rest (a few entries each), so
 * that what may be written stays a small part of it.
 */
#define CANARY_BASE	0x60000000ull
#define CANARY_SIZE	(256 * KIB)
#define CANARY_DESC	(192 * KIB)
#define LEGIT_RING_MAX	256		/* entries: 16 KiB per ring */
#define BATCH_MAX	32
#define SHOW_MISMATCHES	30
#define REGION_SHIFT	40

struct fuzz {
	struct fz_rng r;
	struct acc_dev d;
	struct acc_dma rings, data[NDATA], canary;
	uint8_t *canary_pattern;
	uint8_t *canary_marked;		/* bytes a descriptor may write */
	bool mem_on;			/* memory decoding (command bit 1) */
	int efds[4];			/* eventfds for SET_IRQS */
	int other_fd;			/* an fd that is not an eventfd */
	uint8_t cfg0[PCI_CFG_SPACE_SIZE];
	uint32_t batch;
	long iterations, region_ops, irq_ops, info_ops, sqes, judged;
	long ring_tests, resets, remaps, mismatches, internal;
	long canary_targeted;
};

static int shown;

__attribute__((format(printf, 2, 3)))
static void mismatch(struct fuzz *f, const char *fmt, ...)
{
	va_list ap;

	f->mismatches++;
	if (shown++ >= SHOW_MISMATCHES)
		return;
	printf("# mismatch at iteration %ld: ", f->iterations);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static void die(struct fuzz *f, const char *what)
{
	printf("not ok - %s: %s\n", what, acc_error(&f->d));
	exit(2);
}

/* ---- memory ------------------------------------------------------------ */

static void map_at(struct fuzz *f, uint64_t iova, size_t size, struct acc_dma *m)
{
	if (acc_dma_map_at(&f->d, iova, size, m))
		die(f, "DMA map");
}

static void map_all(struct fuzz *f)
{
	map_at(f, RING_BASE, RING_BYTES, &f->rings);
	for (int i = 0; i < NDATA; i++) {
		map_at(f, DATA_BASE + i * DATA_STRIDE, DATA_SIZE, &f->data[i]);
		fz_bytes(&f->r, f->data[i].va, DATA_SIZE);
	}
	map_at(f, CANARY_BASE, CANARY_SIZE, &f->canary);
	f->canary_pattern = malloc(CANARY_SIZE);
	f->canary_marked = calloc(1, CANARY_SIZE);
	if (!f->canary_pattern || !f->canary_marked)
		die(f, "malloc");
	ref_fill(f->canary_pattern, CANARY_SIZE, 0xcafe);
	memcpy(f->canary.va, f->canary_pattern, CANARY_SIZE);
}

/* Record that [iova, iova + len) may be written by the device. */
static void mark(struct fuzz *f, uint64_t iova, uint64_t len)
{
	uint64_t lo = iova, hi = iova + len;

	if (!len || hi < lo)
		hi = UINT64_MAX;
	if (hi <= CANARY_BASE || lo >= CANARY_BASE + CANARY_SIZE)
		return;
	lo = lo < CANARY_BASE ? 0 : lo - CANARY_BASE;
	hi = hi > CANARY_BASE + CANARY_SIZE ? CANARY_SIZE : hi - CANARY_BASE;
	memset(f->canary_marked + lo, 1, hi - lo);
	f->canary_targeted++;
}

/* Is [iova, iova + len) inside one buffer that is mapped now? */
static bool mapped(struct fuzz *f, uint64_t iova, uint64_t len)
{
	const struct acc_dma *m[NDATA + 2] = { &f->rings, &f->canary };

	for (int i = 0; i < NDATA; i++)
		m[2 + i] = &f->data[i];
	for (int i = 0; i < NDATA + 2; i++)
		if (m[i]->va && iova >= m[i]->iova &&
		    iova - m[i]->iova <= m[i]->size &&
		    len <= m[i]->size - (iova - m[i]->iova))
			return true;
	return false;
}

/* Some IOVA, from a mix of the interesting places. */
/* @len is at most 4 KiB when the canary may be the target. */
static uint64_t pick_iova(struct fuzz *f, uint64_t len, bool aim_canary)
{
	struct fz_rng *r = &f->r;
	uint64_t k = fz_below(r, 100);

	if (aim_canary && k < 2)
		return CANARY_BASE + fz_below(r, CANARY_DESC - len);
	if (k < 60) {		/* a data buffer, maybe running off its end */
		uint64_t base = DATA_BASE + fz_below(r, NDATA) * DATA_STRIDE;

		if (fz_pct(r, 20) && len < DATA_SIZE)
			return base + DATA_SIZE - len + fz_below(r, 64);
		return base + fz_below(r, DATA_SIZE);
	}
	if (k < 70)		/* the ring area */
		return RING_BASE + fz_below(r, RING_BYTES);
	if (k < 78)		/* the unmapped page after a data buffer */
		return DATA_BASE + DATA_SIZE + fz_below(r, 4 * KIB);
	if (k < 84)
		return 0;
	if (k < 90)		/* wraps */
		return UINT64_MAX - fz_below(r, 2 * len + 2);
	if (k < 95)
		return 0x7fff0000000ull + fz_below(r, 1u << 20);
	return fz_next(r) & ~(uint64_t)(fz_pct(r, 50) ? 0 : 0xffffffff00000000ull);
}

/* ---- region access ----------------------------------------------------- */

static uint64_t bar_size(unsigned int index)
{
	if (index == VFIO_PCI_BAR0_REGION_INDEX + ACCMDEV_REGS_BAR)
		return ACCMDEV_REGS_BAR_SIZE;
	if (index == VFIO_PCI_BAR0_REGION_INDEX + ACCMDEV_MSIX_BAR)
		return ACCMDEV_MSIX_BAR_SIZE;
	return 0;
}

/* What a read or write of @len at @index/@off returns (device.rst). */
static long ref_region(const struct fuzz *f, unsigned int index, uint64_t off,
		       size_t len, bool write)
{
	uint64_t bar = bar_size(index);

	if (!len)
		return 0;
	if (index == VFIO_PCI_CONFIG_REGION_INDEX)
		return off >= PCI_CFG_SPACE_SIZE ||
		       len > PCI_CFG_SPACE_SIZE - off ? -EINVAL : (long)len;
	if (len > 8 || !bar)
		return -EINVAL;
	if (write ? len != 4 && len != 8 :
		    len != 1 && len != 2 && len != 4 && len != 8)
		return -EINVAL;
	if (off >= bar || len > bar - off || off % len)
		return -EINVAL;
	return f->mem_on ? (long)len : -EIO;
}

static long raw_rw(struct fuzz *f, unsigned int index, uint64_t off,
		   void *buf, size_t len, bool write)
{
	off_t pos = (off_t)(((uint64_t)index << REGION_SHIFT) + off);
	ssize_t n = write ? pwrite(f->d.fd, buf, len, pos) :
			    pread(f->d.fd, buf, len, pos);

	return n < 0 ? -errno : n;
}

static uint32_t reg(struct fuzz *f, uint32_t off)
{
	uint32_t v = 0;

	raw_rw(f, VFIO_PCI_BAR0_REGION_INDEX, off, &v, 4, false);
	return le32toh(v);
}

static void set_reg(struct fuzz *f, uint32_t off, uint32_t val)
{
	uint32_t v = htole32(val);

	if (raw_rw(f, VFIO_PCI_BAR0_REGION_INDEX, off, &v, 4, true) != 4)
		mismatch(f, "register write %#x with memory on: %s", off,
			 fz_errname(errno));
}

static void qreg_set(struct fuzz *f, unsigned int q, uint32_t r, uint32_t v)
{
	set_reg(f, ACCMDEV_QP_REG(q, r), v);
}

static uint32_t qreg(struct fuzz *f, unsigned int q, uint32_t r)
{
	return reg(f, ACCMDEV_QP_REG(q, r));
}

static void refresh_command(struct fuzz *f)
{
	uint16_t cmd = 0;

	raw_rw(f, VFIO_PCI_CONFIG_REGION_INDEX, PCI_COMMAND, &cmd, 2, false);
	f->mem_on = le16toh(cmd) & PCI_COMMAND_MEMORY;
}

/* Memory decoding and bus mastering on, as a driver keeps them. */
static void command_on(struct fuzz *f)
{
	uint16_t cmd = htole16(PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);

	raw_rw(f, VFIO_PCI_CONFIG_REGION_INDEX, PCI_COMMAND, &cmd, 2, true);
	f->mem_on = true;
}

/* After a BAR0 write to a QP's registers: where may its CQ now be? */
static void note_qp_write(struct fuzz *f, uint64_t off, size_t len)
{
	for (uint64_t o = off; o < off + len; o += 4) {
		unsigned int q;
		uint64_t base;
		uint32_t size;

		if (o < ACCMDEV_QP_REGS_OFFSET ||
		    o >= ACCMDEV_QP_REG(ACCMDEV_QP_MAX, 0))
			continue;
		q = (unsigned int)((o - ACCMDEV_QP_REGS_OFFSET) / ACCMDEV_QP_REGS_STRIDE);
		if (q >= f->d.nqps)
			continue;
		base = qreg(f, q, ACCMDEV_QP_CQ_BASE_LO) |
		       (uint64_t)qreg(f, q, ACCMDEV_QP_CQ_BASE_HI) << 32;
		size = qreg(f, q, ACCMDEV_QP_CQ_SIZE);
		if (size > ACCMDEV_RING_MAX)
			size = ACCMDEV_RING_MAX;
		mark(f, base, (uint64_t)size * ACCMDEV_CQE_SIZE + 64);
	}
}

static void fuzz_region(struct fuzz *f, bool write)
{
	static const size_t lens[] = { 0, 1, 2, 3, 4, 4, 4, 5, 7, 8, 8, 9, 16,
				       64, 255, 256, 257, 4096 };
	static uint8_t buf[8192];
	struct fz_rng *r = &f->r;
	unsigned int index;
	uint64_t off, size, k = fz_below(r, 100);
	size_t len = lens[fz_below(r, sizeof(lens) / sizeof(lens[0]))];
	long got, want;

	if (k < 35)
		index = VFIO_PCI_BAR0_REGION_INDEX;
	else if (k < 55)
		index = VFIO_PCI_CONFIG_REGION_INDEX;
	else if (k < 70)
		index = VFIO_PCI_BAR2_REGION_INDEX;
	else if (k < 90)
		index = (unsigned int)fz_below(r, 12);
	else
		index = (unsigned int)fz_below(r, 1u << 23);
	size = index == VFIO_PCI_CONFIG_REGION_INDEX ? PCI_CFG_SPACE_SIZE :
	       bar_size(index) ? bar_size(index) : 0x4000;
	switch (fz_below(r, 5)) {
	case 0:
		off = fz_below(r, 0x4100);
		break;
	case 1:
		off = fz_below(r, 1ull << REGION_SHIFT);
		break;
	case 2:			/* at the end of the region, give or take */
		off = size - len + fz_below(r, 17) - 8;
		if (off >= 1ull << REGION_SHIFT)
			off = 0;
		break;
	default:		/* aligned, mostly inside */
		off = fz_below(r, size) & ~3ull;
		break;
	}
	/* Half of the BAR0 writes write zeros: rings at IOVA 0, QPs off. */
	if (write) {
		fz_bytes(r, buf, len);
		if (index == VFIO_PCI_BAR0_REGION_INDEX && fz_pct(r, 50))
			memset(buf, 0, len < 8 ? len : 4);
	}
	want = ref_region(f, index, off, len, write);
	got = raw_rw(f, index, off, buf, len, write);
	f->region_ops++;
	if (got != want)
		mismatch(f, "%s index %u offset %#llx len %zu: got %s (%ld), want %s (%ld)",
			 write ? "write" : "read", index, (unsigned long long)off,
			 len, got < 0 ? fz_errname((int)-got) : "OK", got,
			 want < 0 ? fz_errname((int)-want) : "OK", want);
	if (!write || got <= 0)
		return;
	if (index == VFIO_PCI_CONFIG_REGION_INDEX && off <= PCI_COMMAND &&
	    off + len > PCI_COMMAND)
		refresh_command(f);
	if (index == VFIO_PCI_BAR0_REGION_INDEX)
		note_qp_write(f, off, len);
}

/* ---- ioctls ------------------------------------------------------------ */

static unsigned int irq_count(const struct fuzz *f, unsigned int index)
{
	if (index == VFIO_PCI_MSIX_IRQ_INDEX)
		return f->d.nqps;
	return index == VFIO_PCI_REQ_IRQ_INDEX;
}

/* What VFIO_DEVICE_SET_IRQS answers (vfio core checks, then the driver). */
static int ref_set_irqs(const struct fuzz *f, const struct vfio_irq_set *s,
			const int32_t *fds)
{
	const uint32_t minsz = 20;
	uint32_t num, data = s->flags & VFIO_IRQ_SET_DATA_TYPE_MASK;
	uint64_t size;

	if (s->index >= VFIO_PCI_NUM_IRQS || s->argsz < minsz ||
	    s->count >= UINT32_MAX - s->start ||
	    (s->flags & ~(VFIO_IRQ_SET_DATA_TYPE_MASK |
			  VFIO_IRQ_SET_ACTION_TYPE_MASK)))
		return EINVAL;
	num = irq_count(f, s->index);
	if (s->start >= num || s->start + s->count > num)
		return EINVAL;
	if (data == VFIO_IRQ_SET_DATA_NONE)
		size = 0;
	else if (data == VFIO_IRQ_SET_DATA_BOOL)
		size = 1;
	else if (data == VFIO_IRQ_SET_DATA_EVENTFD)
		size = 4;
	else
		return EINVAL;
	if (size && s->argsz - minsz < s->count * size)
		return EINVAL;
	if ((s->flags & VFIO_IRQ_SET_ACTION_TYPE_MASK) !=
	    VFIO_IRQ_SET_ACTION_TRIGGER)
		return EINVAL;
	if (data != VFIO_IRQ_SET_DATA_EVENTFD)
		return 0;
	for (uint32_t i = 0; i < s->count; i++) {
		if (fds[i] < 0)
			continue;
		if (fcntl(fds[i], F_GETFD) < 0)
			return EBADF;
		if (fds[i] != f->efds[0] && fds[i] != f->efds[1] &&
		    fds[i] != f->efds[2] && fds[i] != f->efds[3])
			return EINVAL;
	}
	return 0;
}

/*
 * A call of the right shape for MSI-X or REQ (valid start, count, argsz)
 * whose eventfds are mostly good, with now and then -1, a file that is
 * not an eventfd, or a closed fd among them.
 */
static void well_shaped_irqs(struct fuzz *f, struct vfio_irq_set *s,
			     int32_t *fds)
{
	struct fz_rng *r = &f->r;
	uint32_t num, k = (uint32_t)fz_below(r, 10);

	s->index = fz_pct(r, 70) ? VFIO_PCI_MSIX_IRQ_INDEX : VFIO_PCI_REQ_IRQ_INDEX;
	num = irq_count(f, s->index);
	s->start = (uint32_t)fz_below(r, num);
	s->count = 1 + (uint32_t)fz_below(r, num - s->start);
	s->flags = VFIO_IRQ_SET_ACTION_TRIGGER |
		   (k < 7 ? VFIO_IRQ_SET_DATA_EVENTFD :
		    k < 9 ? VFIO_IRQ_SET_DATA_NONE : VFIO_IRQ_SET_DATA_BOOL);
	if (s->flags & VFIO_IRQ_SET_DATA_NONE && fz_pct(r, 30))
		s->count = 0;		/* release every vector */
	for (uint32_t i = 0; i < s->count; i++) {
		uint64_t j = fz_below(r, 20);

		fds[i] = j < 14 ? f->efds[fz_below(r, 4)] : j < 16 ? -1 :
			 j < 18 ? f->other_fd : 999;
	}
	if (s->flags & VFIO_IRQ_SET_DATA_BOOL)
		for (uint32_t i = 0; i < s->count; i++)
			((uint8_t *)fds)[i] = (uint8_t)fz_below(r, 2);
	s->argsz = 20 + s->count * ((s->flags & VFIO_IRQ_SET_DATA_EVENTFD) ? 4 :
				    (s->flags & VFIO_IRQ_SET_DATA_BOOL) ? 1 : 0);
}

static void fuzz_set_irqs(struct fuzz *f)
{
	static const uint32_t datas[] = { VFIO_IRQ_SET_DATA_NONE,
		VFIO_IRQ_SET_DATA_BOOL, VFIO_IRQ_SET_DATA_EVENTFD,
		VFIO_IRQ_SET_DATA_EVENTFD };
	struct fz_rng *r = &f->r;
	struct {
		struct vfio_irq_set s;
		int32_t fds[64];
	} a;
	int32_t *fds = (int32_t *)a.s.data;
	uint32_t size;
	int got, want;

	memset(&a, 0, sizeof(a));
	if (fz_pct(r, 50)) {
		well_shaped_irqs(f, &a.s, fds);
		goto call;
	}
	a.s.index = fz_pct(r, 60) ? VFIO_PCI_MSIX_IRQ_INDEX :
		    fz_pct(r, 50) ? VFIO_PCI_REQ_IRQ_INDEX :
		    fz_pct(r, 80) ? (uint32_t)fz_below(r, 7) : (uint32_t)fz_next(r);
	a.s.flags = fz_pct(r, 75) ? VFIO_IRQ_SET_ACTION_TRIGGER | datas[fz_below(r, 4)] :
		    fz_pct(r, 70) ? (uint32_t)fz_below(r, 64) : (uint32_t)fz_next(r);
	a.s.start = fz_pct(r, 90) ? (uint32_t)fz_below(r, f->d.nqps + 2) :
				    (uint32_t)fz_next(r);
	a.s.count = fz_pct(r, 85) ? (uint32_t)fz_below(r, f->d.nqps + 3) :
		    fz_pct(r, 50) ? UINT32_MAX : (uint32_t)fz_next(r);
	for (int i = 0; i < 64; i++) {
		uint64_t k = fz_below(r, 10);

		fds[i] = k < 5 ? f->efds[fz_below(r, 4)] : k < 7 ? -1 :
			 k < 8 ? f->other_fd : k < 9 ? 999 : -7;
	}
	size = (a.s.flags & VFIO_IRQ_SET_DATA_EVENTFD) ? 4 :
	       (a.s.flags & VFIO_IRQ_SET_DATA_BOOL) ? 1 : 0;
	a.s.argsz = 20 + (a.s.count <= 64 ? a.s.count * size : 0);
	if (fz_pct(r, 25)) {
		static const uint32_t argszs[] = { 0, 4, 19, 20, 21, 83, 4096,
						   UINT32_MAX };

		a.s.argsz = argszs[fz_below(r, 8)];
	}
	if (a.s.flags == (VFIO_IRQ_SET_ACTION_TRIGGER | VFIO_IRQ_SET_DATA_BOOL))
		for (int i = 0; i < 64; i++)
			((uint8_t *)fds)[i] = (uint8_t)fz_below(r, 2);
call:
	want = ref_set_irqs(f, &a.s, fds);
	got = ioctl(f->d.fd, VFIO_DEVICE_SET_IRQS, &a) ? errno : 0;
	f->irq_ops++;
	if (got != want)
		mismatch(f, "SET_IRQS argsz %u flags %#x index %u start %u count %u: got %s, want %s",
			 a.s.argsz, a.s.flags, a.s.index, a.s.start, a.s.count,
			 fz_errname(got), fz_errname(want));
}

static void fuzz_info(struct fuzz *f)
{
	struct fz_rng *r = &f->r;
	static const uint32_t argszs[] = { 0, 8, 15, 16, 31, 32, 33, 64, 4096 };
	uint32_t argsz = fz_pct(r, 70) ? 64 : argszs[fz_below(r, 9)];
	uint32_t index = fz_pct(r, 85) ? (uint32_t)fz_below(r, 11) :
					 (uint32_t)fz_next(r);
	int got, want;

	f->info_ops++;
	switch (fz_below(r, 3)) {
	case 0: {
		struct vfio_region_info ri = { .argsz = argsz, .index = index };
		uint64_t size = index == VFIO_PCI_CONFIG_REGION_INDEX ?
				PCI_CFG_SPACE_SIZE : bar_size(index);

		want = argsz < 32 || index >= VFIO_PCI_NUM_REGIONS ? EINVAL : 0;
		got = ioctl(f->d.fd, VFIO_DEVICE_GET_REGION_INFO, &ri) ? errno : 0;
		if (got != want)
			mismatch(f, "GET_REGION_INFO argsz %u index %u: got %s, want %s",
				 argsz, index, fz_errname(got), fz_errname(want));
		else if (!got && (ri.size != size ||
				  ri.offset != (uint64_t)index << REGION_SHIFT ||
				  ri.flags != (size ? VFIO_REGION_INFO_FLAG_READ |
						      VFIO_REGION_INFO_FLAG_WRITE : 0u)))
			mismatch(f, "GET_REGION_INFO index %u: size %llu flags %#x",
				 index, (unsigned long long)ri.size, ri.flags);
		break;
	}
	case 1: {
		struct vfio_irq_info ii = { .argsz = argsz, .index = index };
		uint32_t count = index < VFIO_PCI_NUM_IRQS ? irq_count(f, index) : 0;

		want = argsz < 16 || index >= VFIO_PCI_NUM_IRQS ? EINVAL : 0;
		got = ioctl(f->d.fd, VFIO_DEVICE_GET_IRQ_INFO, &ii) ? errno : 0;
		if (got != want)
			mismatch(f, "GET_IRQ_INFO argsz %u index %u: got %s, want %s",
				 argsz, index, fz_errname(got), fz_errname(want));
		else if (!got && (ii.count != count ||
				  ii.flags != (count ? VFIO_IRQ_INFO_EVENTFD : 0u)))
			mismatch(f, "GET_IRQ_INFO index %u: count %u flags %#x",
				 index, ii.count, ii.flags);
		break;
	}
	default: {
		/* Device ioctls accmdev does not implement (not FEATURE). */
		unsigned int nr = fz_pct(r, 50) ? 12 + (unsigned int)fz_below(r, 5) :
						  50 + (unsigned int)fz_below(r, 50);
		uint8_t junk[64] = { 0 };

		got = ioctl(f->d.fd, _IO(VFIO_TYPE, VFIO_BASE + nr), junk) ? errno : 0;
		if (got != ENOTTY)
			mismatch(f, "ioctl %u: got %s, want ENOTTY", VFIO_BASE + nr,
				 fz_errname(got));
		break;
	}
	}
}

/* ---- descriptors ------------------------------------------------------ */

struct ring {
	uint64_t sq, cq;
	uint32_t sq_size, cq_size;
};

static bool overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return alen && blen && a < b + blen && b < a + alen;
}

static bool range_ok(uint64_t a, uint64_t len)
{
	return !len || a + (len - 1) >= a;
}

static bool streams(unsigned int op)
{
	return op == ACCMDEV_OP_CRC32C || op == ACCMDEV_OP_ADLER32 ||
	       op == ACCMDEV_OP_SHA256 || op == ACCMDEV_OP_SHA224;
}

/* The static checks of device.rst, in order; -1 if all pass. */
static int static_status(const struct fuzz *f, const struct accmdev_sqe *s,
			 const struct ring *rg)
{
	uint64_t src = le64toh(s->src), dst = le64toh(s->dst);
	uint32_t src_len = le32toh(s->src_len), dst_len = le32toh(s->dst_len);
	uint32_t param = le32toh(s->param);
	bool uses_dst = s->opcode == ACCMDEV_OP_DEFLATE ||
			s->opcode == ACCMDEV_OP_INFLATE;

	if (s->rsvd0 || s->rsvd1[0] || s->rsvd1[1] || s->rsvd1[2])
		return ACCMDEV_ST_BAD_FIELD;
	if (s->opcode >= ACCMDEV_OP_COUNT)
		return ACCMDEV_ST_BAD_OPCODE;
	if (!(f->d.algs & (1u << s->opcode)))
		return ACCMDEV_ST_UNSUPPORTED;
	if ((s->flags & ~ACCMDEV_SQE_F_ONESHOT) ||
	    (!streams(s->opcode) && s->flags != ACCMDEV_SQE_F_ONESHOT))
		return ACCMDEV_ST_BAD_FLAGS;
	if (s->opcode == ACCMDEV_OP_DEFLATE ? param > 9 : param != 0)
		return ACCMDEV_ST_BAD_FIELD;
	if (!uses_dst && (dst || dst_len))
		return ACCMDEV_ST_BAD_FIELD;
	if (src_len > ACCMDEV_MAX_SRC_LEN || dst_len > ACCMDEV_MAX_DST_LEN)
		return ACCMDEV_ST_BAD_LENGTH;
	if (!range_ok(src, src_len) || !range_ok(dst, dst_len))
		return ACCMDEV_ST_BAD_ADDR;
	if (overlap(dst, dst_len, rg->sq, (uint64_t)rg->sq_size * 64) ||
	    overlap(dst, dst_len, rg->cq, (uint64_t)rg->cq_size * 64) ||
	    overlap(dst, dst_len, src, src_len))
		return ACCMDEV_ST_BAD_ADDR;
	return -1;
}

static void make_sqe(struct fuzz *f, struct accmdev_sqe *s, const struct ring *rg)
{
	static const uint32_t lens[] = { 0, 1, 63, 64, 4095, 4096, 65536,
		ACCMDEV_MAX_SRC_LEN, ACCMDEV_MAX_SRC_LEN + 1,
		ACCMDEV_MAX_DST_LEN, ACCMDEV_MAX_DST_LEN + 1, UINT32_MAX };
	struct fz_rng *r = &f->r;
	uint32_t src_len, dst_len = 0;
	uint64_t src, dst = 0;
	unsigned int op;

	if (fz_pct(r, 15)) {		/* random bytes */
		fz_bytes(r, s, sizeof(*s));
		return;
	}
	memset(s, 0, sizeof(*s));
	if (fz_pct(r, 75) && f->d.algs) {
		do
			op = (unsigned int)fz_below(r, ACCMDEV_OP_COUNT);
		while (!(f->d.algs & (1u << op)));
	} else {
		op = fz_pct(r, 50) ? (unsigned int)fz_below(r, ACCMDEV_OP_COUNT) :
				     (unsigned int)fz_below(r, 256);
	}
	s->opcode = (uint8_t)op;
	if (fz_pct(r, 80))
		s->flags = streams(op) ? (uint8_t)fz_below(r, 4) : ACCMDEV_SQE_F_ONESHOT;
	else
		s->flags = (uint8_t)fz_next(r);
	if (op == ACCMDEV_OP_DEFLATE)
		s->param = htole32(fz_pct(r, 90) ? (uint32_t)fz_below(r, 10) :
						   (uint32_t)fz_next(r));
	else if (fz_pct(r, 5))
		s->param = htole32((uint32_t)fz_next(r));
	src_len = fz_pct(r, 70) ? (uint32_t)fz_below(r, 4097) :
		  fz_pct(r, 60) ? (uint32_t)fz_below(r, DATA_SIZE + 1) :
				  lens[fz_below(r, 12)];
	src = pick_iova(f, src_len, src_len <= 4096);
	if (op == ACCMDEV_OP_DEFLATE || op == ACCMDEV_OP_INFLATE ||
	    fz_pct(r, 5)) {
		uint64_t k = fz_below(r, 100);

		dst_len = fz_pct(r, 40) ? (uint32_t)fz_below(r, 4097) :
			  fz_pct(r, 70) ? (uint32_t)fz_below(r, DATA_SIZE + 1) :
					  lens[fz_below(r, 12)];
		if (k < 4) {		/* into the canary, room for the output */
			dst_len = 4200 + (uint32_t)fz_below(r, 4000);
			dst = CANARY_BASE + fz_below(r, CANARY_DESC - dst_len);
		} else if (k < 10) {	/* over its source */
			dst = src + fz_below(r, src_len + 1);
		} else if (k < 15) {	/* over its own SQ or CQ */
			dst = fz_pct(r, 50) ? rg->sq : rg->cq;
		} else {
			dst = pick_iova(f, dst_len, false);
		}
	}
	s->src = htole64(src);
	s->dst = htole64(dst);
	s->src_len = htole32(src_len);
	s->dst_len = htole32(dst_len);
	if (fz_pct(r, 5))
		s->rsvd0 = (uint16_t)fz_next(r);
	if (fz_pct(r, 5))
		s->rsvd1[fz_below(r, 3)] = fz_next(r);
}

/* What a descriptor may complete with, and the stream context after. */
static bool status_ok(struct fuzz *f, const struct accmdev_sqe *s,
		      const struct ring *rg, unsigned int *ctx, unsigned int st)
{
	int stat = static_status(f, s, rg), want = stat;
	uint64_t src = le64toh(s->src);
	uint32_t src_len = le32toh(s->src_len);
	bool ok;

	if (want >= 0) {
		ok = st == (unsigned int)want;
	} else if (streams(s->opcode)) {
		bool readable = !src_len || mapped(f, src, src_len);

		if (!(s->flags & ACCMDEV_SQE_F_FIRST) && *ctx != s->opcode + 1u)
			want = ACCMDEV_ST_NO_CONTEXT;
		else
			want = readable ? ACCMDEV_ST_OK : ACCMDEV_ST_SRC_FAULT;
		ok = st == (unsigned int)want;
	} else {
		ok = st == ACCMDEV_ST_OK || st == ACCMDEV_ST_SRC_FAULT ||
		     st == ACCMDEV_ST_DST_FAULT || st == ACCMDEV_ST_DST_FULL ||
		     st == ACCMDEV_ST_DATA_ERROR;
	}
	/*
	 * The stream: FIRST opens one (closing any other) before the data is
	 * read, FINAL closes it, and a failure of the stream's opcode closes
	 * it: a failed FIRST leaves no stream at all.
	 */
	if (streams(s->opcode) && st == ACCMDEV_ST_OK)
		*ctx = s->flags & ACCMDEV_SQE_F_FINAL ? 0 : s->opcode + 1u;
	else if (streams(s->opcode) && stat < 0 && (s->flags & ACCMDEV_SQE_F_FIRST))
		*ctx = 0;
	else if (st != ACCMDEV_ST_OK && *ctx == s->opcode + 1u)
		*ctx = 0;
	if (st == ACCMDEV_ST_INTERNAL)
		f->internal++;
	return ok;
}

/* Program QP @q with @rg and enable it; false if it did not enable. */
static bool qp_program(struct fuzz *f, unsigned int q, const struct ring *rg)
{
	qreg_set(f, q, ACCMDEV_QP_ENABLE, 0);
	qreg_set(f, q, ACCMDEV_QP_SQ_BASE_LO, (uint32_t)rg->sq);
	qreg_set(f, q, ACCMDEV_QP_SQ_BASE_HI, (uint32_t)(rg->sq >> 32));
	qreg_set(f, q, ACCMDEV_QP_CQ_BASE_LO, (uint32_t)rg->cq);
	qreg_set(f, q, ACCMDEV_QP_CQ_BASE_HI, (uint32_t)(rg->cq >> 32));
	qreg_set(f, q, ACCMDEV_QP_SQ_SIZE, rg->sq_size);
	qreg_set(f, q, ACCMDEV_QP_CQ_SIZE, rg->cq_size);
	mark(f, rg->cq, (uint64_t)(rg->cq_size > ACCMDEV_RING_MAX ?
				   ACCMDEV_RING_MAX : rg->cq_size) * 64 + 64);
	qreg_set(f, q, ACCMDEV_QP_ENABLE, 1);
	return qreg(f, q, ACCMDEV_QP_STATUS) & ACCMDEV_QP_ST_ENABLED;
}

static uint32_t pow2(struct fz_rng *r, unsigned int min_log, unsigned int max_log)
{
	return 1u << (min_log + fz_below(r, max_log - min_log + 1));
}

/* Hostile descriptors on good rings; every completion is judged. */
static void fuzz_batch(struct fuzz *f)
{
	struct fz_rng *r = &f->r;
	unsigned int q = (unsigned int)fz_below(r, f->d.nqps), ctx = 0;
	uint8_t *slot = (uint8_t *)f->rings.va + q * RING_SLOT;
	struct accmdev_sqe sqes[BATCH_MAX];
	struct ring rg = {
		.sq = RING_BASE + q * RING_SLOT,
		.cq = RING_BASE + q * RING_SLOT + RING_SLOT / 2,
		.sq_size = pow2(r, 1, 8),
		.cq_size = pow2(r, 1, 8),
	};
	uint32_t n, cap = (rg.sq_size < rg.cq_size ? rg.sq_size : rg.cq_size) - 1;
	double end;

	n = 1 + (uint32_t)fz_below(r, cap < BATCH_MAX ? cap : BATCH_MAX);
	command_on(f);
	memset(slot, 0, RING_SLOT);
	if (!qp_program(f, q, &rg)) {
		mismatch(f, "QP %u with good rings did not enable (error %u)", q,
			 qreg(f, q, ACCMDEV_QP_ERROR));
		return;
	}
	f->batch++;
	for (uint32_t i = 0; i < n; i++) {
		make_sqe(f, &sqes[i], &rg);
		sqes[i].tag = htole64((uint64_t)f->batch << 16 | i);
		if (sqes[i].opcode == ACCMDEV_OP_DEFLATE ||
		    sqes[i].opcode == ACCMDEV_OP_INFLATE)
			mark(f, le64toh(sqes[i].dst), le32toh(sqes[i].dst_len));
	}
	memcpy(slot, sqes, n * sizeof(sqes[0]));
	__atomic_thread_fence(__ATOMIC_RELEASE);
	qreg_set(f, q, ACCMDEV_QP_SQ_TAIL, n);
	f->sqes += n;

	/* Wait for the completions (deflate under emulation is slow). */
	end = fz_now() + 5;
	for (uint32_t i = 0; i < n; ) {
		struct accmdev_cqe *c = (struct accmdev_cqe *)(slot + RING_SLOT / 2) + i;
		uint16_t flags = __atomic_load_n(&c->flags, __ATOMIC_ACQUIRE);
		unsigned int st;
		uint64_t tag;

		if (!(le16toh(flags) & ACCMDEV_CQE_F_PHASE)) {
			if (fz_now() > end)
				break;
			usleep(200);
			continue;
		}
		tag = le64toh(c->tag);
		st = le16toh(c->status);
		f->judged++;
		if (tag != ((uint64_t)f->batch << 16 | i) ||
		    c->opcode != sqes[i].opcode || le32toh(c->seq) != i + 1)
			mismatch(f, "QP %u completion %u: tag %#llx opcode %u seq %u",
				 q, i, (unsigned long long)tag, c->opcode,
				 le32toh(c->seq));
		else if (!status_ok(f, &sqes[i], &rg, &ctx, st))
			mismatch(f, "QP %u sqe %u (op %u flags %#x src %#llx+%u dst %#llx+%u param %u): status %s",
				 q, i, sqes[i].opcode, sqes[i].flags,
				 (unsigned long long)le64toh(sqes[i].src),
				 le32toh(sqes[i].src_len),
				 (unsigned long long)le64toh(sqes[i].dst),
				 le32toh(sqes[i].dst_len), le32toh(sqes[i].param),
				 acc_status_name(st));
		i++;
	}
	/* Sometimes leave work in flight for the next actions to meet. */
	if (fz_pct(r, 50))
		qreg_set(f, q, ACCMDEV_QP_CQ_HEAD, n % rg.cq_size);
}

/* Rings at hostile places: the QP error must be the documented one. */
static void fuzz_rings(struct fuzz *f)
{
	struct fz_rng *r = &f->r;
	unsigned int q = (unsigned int)fz_below(r, f->d.nqps);
	struct ring rg = {
		.sq = RING_BASE + q * RING_SLOT,
		.cq = RING_BASE + q * RING_SLOT + RING_SLOT / 2,
		.sq_size = pow2(r, 1, 8), .cq_size = pow2(r, 1, 8),
	};
	uint32_t want = ACCMDEV_QP_ERR_NONE, err, tail = 1;
	bool sq_readable = true, cq_writable = true, enabled;
	double end;

	switch (fz_below(r, 9)) {
	case 0:		/* a size that is no power of two in 2..4096 */
		rg.sq_size = fz_pct(r, 50) ? 0 : fz_pct(r, 50) ? 3 :
			     fz_pct(r, 50) ? 8192 : (uint32_t)fz_next(r) | 1;
		if (fz_pct(r, 50)) {
			uint32_t t = rg.sq_size;

			rg.sq_size = rg.cq_size;
			rg.cq_size = t;
		}
		want = ACCMDEV_QP_ERR_RING_SIZE;
		break;
	case 1:		/* unaligned */
		if (fz_pct(r, 50))
			rg.sq += 8 * (1 + fz_below(r, 7));
		else
			rg.cq += 8 * (1 + fz_below(r, 7));
		want = ACCMDEV_QP_ERR_RING_ALIGN;
		break;
	case 2:		/* wraps the IOVA space */
		if (fz_pct(r, 50))
			rg.sq = (UINT64_MAX & ~63ull) - 64 * fz_below(r, rg.sq_size - 1);
		else
			rg.cq = (UINT64_MAX & ~63ull) - 64 * fz_below(r, rg.cq_size - 1);
		want = ACCMDEV_QP_ERR_RING_RANGE;
		break;
	case 3:		/* SQ and CQ share bytes */
		rg.cq = rg.sq + 64 * fz_below(r, rg.sq_size);
		want = ACCMDEV_QP_ERR_RING_OVERLAP;
		break;
	case 4:		/* a doorbell beyond the ring */
		tail = rg.sq_size + (uint32_t)fz_below(r, 1000);
		want = ACCMDEV_QP_ERR_SQ_TAIL;
		break;
	case 5:		/* SQ in unmapped IOVA */
		rg.sq = pick_iova(f, 0, false) & ~63ull;
		if (mapped(f, rg.sq, 64) || !range_ok(rg.sq, rg.sq_size * 64ull) ||
		    overlap(rg.sq, rg.sq_size * 64ull, rg.cq, rg.cq_size * 64ull))
			rg.sq = 0x7fff0000000ull;
		sq_readable = false;
		want = ACCMDEV_QP_ERR_SQ_READ;
		break;
	case 6:		/* CQ in unmapped IOVA */
		rg.cq = 0x7ffe0000000ull + 64 * fz_below(r, 1000);
		cq_writable = false;
		want = ACCMDEV_QP_ERR_CQ_WRITE;
		break;
	case 7:		/* CQ on the canary: allowed, and recorded */
		rg.cq = CANARY_BASE + CANARY_DESC +
			(fz_below(r, CANARY_SIZE - CANARY_DESC - 4 * KIB) & ~63ull);
		rg.cq_size = pow2(r, 1, 4);
		break;
	default:	/* the largest rings, half of them unmapped */
		rg.sq = 0x7ff00000000ull;
		rg.sq_size = ACCMDEV_RING_MAX;
		sq_readable = false;
		want = ACCMDEV_QP_ERR_SQ_READ;
		break;
	}
	command_on(f);
	if (sq_readable && rg.sq == RING_BASE + q * RING_SLOT)
		memset((uint8_t *)f->rings.va + q * RING_SLOT, 0, RING_SLOT / 2);
	enabled = qp_program(f, q, &rg);
	f->ring_tests++;
	if (want >= ACCMDEV_QP_ERR_RING_SIZE && want <= ACCMDEV_QP_ERR_RING_OVERLAP) {
		err = qreg(f, q, ACCMDEV_QP_ERROR);
		if (enabled || err != want)
			mismatch(f, "QP %u rings sq %#llx/%u cq %#llx/%u: enabled %d error %u, want %u",
				 q, (unsigned long long)rg.sq, rg.sq_size,
				 (unsigned long long)rg.cq, rg.cq_size, enabled,
				 err, want);
		return;
	}
	if (!enabled) {
		mismatch(f, "QP %u did not enable (error %u)", q,
			 qreg(f, q, ACCMDEV_QP_ERROR));
		return;
	}
	/* One zeroed descriptor (BAD_FLAGS or UNSUPPORTED): it completes. */
	qreg_set(f, q, ACCMDEV_QP_SQ_TAIL, tail);
	end = fz_now() + 3;
	do {
		err = qreg(f, q, ACCMDEV_QP_ERROR);
		if (err || (want == ACCMDEV_QP_ERR_NONE &&
			    qreg(f, q, ACCMDEV_QP_SQ_HEAD) == tail))
			break;
		usleep(500);
	} while (fz_now() < end);
	(void)cq_writable;
	if (err != want)
		mismatch(f, "QP %u rings sq %#llx/%u cq %#llx/%u tail %u: error %u, want %u",
			 q, (unsigned long long)rg.sq, rg.sq_size,
			 (unsigned long long)rg.cq, rg.cq_size, tail, err, want);
	qreg_set(f, q, ACCMDEV_QP_ENABLE, 0);
}

/* Enables, disables, stream clears and doorbells anywhere. */
static void fuzz_qp_control(struct fuzz *f)
{
	struct fz_rng *r = &f->r;
	unsigned int q = (unsigned int)fz_below(r, ACCMDEV_QP_MAX);
	static const uint32_t regs[] = { ACCMDEV_QP_ENABLE, ACCMDEV_QP_CTX,
					 ACCMDEV_QP_SQ_TAIL, ACCMDEV_QP_CQ_HEAD };
	uint32_t v = fz_pct(r, 70) ? (uint32_t)fz_below(r, 4) : (uint32_t)fz_next(r);
	uint32_t off = ACCMDEV_QP_REG(q, regs[fz_below(r, 4)]);
	uint32_t le = htole32(v);
	long want = f->mem_on ? 4 : -EIO;
	long got = raw_rw(f, VFIO_PCI_BAR0_REGION_INDEX, off, &le, 4, true);

	f->region_ops++;
	if (got != want)
		mismatch(f, "QP control write %#x: got %ld, want %ld", off, got, want);
	if (got == 4)
		note_qp_write(f, off, 4);
}

static void fuzz_reset(struct fuzz *f)
{
	f->resets++;
	if (ioctl(f->d.fd, VFIO_DEVICE_RESET))
		mismatch(f, "VFIO_DEVICE_RESET: %s", fz_errname(errno));
	f->mem_on = false;
	if (fz_pct(&f->r, 70))
		command_on(f);
}

/* Unmap a data buffer (the device may be using it) and map it again. */
static void fuzz_remap(struct fuzz *f)
{
	unsigned int i = (unsigned int)fz_below(&f->r, NDATA);
	uint64_t iova = f->data[i].iova;

	f->remaps++;
	if (acc_dma_unmap(&f->d, &f->data[i]))
		mismatch(f, "unmap: %s", acc_error(&f->d));
	if (fz_pct(&f->r, 50))
		usleep(2000);
	map_at(f, iova, DATA_SIZE, &f->data[i]);
	fz_bytes(&f->r, f->data[i].va, DATA_SIZE);
}

/* ---- afterwards ------------------------------------------------------- */

/* A quiet device: every QP disabled, then a reset (no DMA after it). */
static void quiesce(struct fuzz *f)
{
	command_on(f);
	for (unsigned int q = 0; q < f->d.nqps; q++)
		qreg_set(f, q, ACCMDEV_QP_ENABLE, 0);
	if (ioctl(f->d.fd, VFIO_DEVICE_RESET))
		mismatch(f, "final reset: %s", fz_errname(errno));
	f->mem_on = false;
}

static long canary_changed(const struct fuzz *f)
{
	const uint8_t *now = f->canary.va;
	long n = 0, first = -1;

	for (size_t i = 0; i < CANARY_SIZE; i++)
		if (!f->canary_marked[i] && now[i] != f->canary_pattern[i]) {
			if (first < 0)
				first = (long)i;
			n++;
		}
	if (n)
		printf("# canary: %ld unrecorded bytes changed, first at IOVA %#llx\n",
		       n, (unsigned long long)(CANARY_BASE + first));
	return n;
}

static long config_changed(struct fuzz *f)
{
	/* IDs, revision, class, header type, subsystem, capability pointer. */
	static const unsigned int ro[] = { 0, 1, 2, 3, 8, 9, 10, 11, 14, 0x2c,
					   0x2d, 0x2e, 0x2f, 0x34 };
	uint8_t cfg[PCI_CFG_SPACE_SIZE];
	long n = 0;

	if (raw_rw(f, VFIO_PCI_CONFIG_REGION_INDEX, 0, cfg, sizeof(cfg), false) !=
	    (long)sizeof(cfg))
		return 1;
	for (size_t i = 0; i < sizeof(ro) / sizeof(ro[0]); i++)
		n += cfg[ro[i]] != f->cfg0[ro[i]];
	return n;
}

/* SHA-256 of the 448-bit message "abcdbcde...nopq" (FIPS 180-2 B.2). */
static const uint8_t sha256_2blk[32] = {
	0x24, 0x8d, 0x6a, 0x61, 0xd2, 0x06, 0x38, 0xb8, 0xe5, 0xc0, 0x26, 0x93,
	0x0c, 0x3e, 0x60, 0x39, 0xa3, 0x3c, 0xe4, 0x59, 0x64, 0xff, 0x21, 0x67,
	0xf6, 0xec, 0xed, 0xd4, 0x19, 0xdb, 0x06, 0xc1,
};

/* SHA-256 of one million 'a' (FIPS 180-2 B.3). */
static const uint8_t sha256_million_a[32] = {
	0xcd, 0xc7, 0x6e, 0x5c, 0x99, 0x14, 0xfb, 0x92, 0x81, 0xa1, 0xc7, 0xe2,
	0x84, 0xd7, 0x3e, 0x67, 0xf1, 0x80, 0x9a, 0x48, 0xa4, 0x97, 0x20, 0x0e,
	0x04, 0x6d, 0x39, 0xcc, 0xc7, 0x11, 0x2c, 0xd0,
};

struct src_mem {
	const uint8_t *p;
	size_t left;
	int fill;			/* >= 0: that many bytes of 'a' */
};

static long read_src(void *arg, void *buf, size_t len)
{
	struct src_mem *s = arg;

	if (len > s->left)
		len = s->left;
	if (s->fill >= 0)
		memset(buf, 'a', len);
	else
		memcpy(buf, s->p, len);
	s->p += s->fill >= 0 ? 0 : len;
	s->left -= len;
	return (long)len;
}

static bool digest(struct acc_qp *qp, uint8_t op, const void *p, size_t len,
		   bool million_a, const uint8_t *want, uint32_t want_len,
		   size_t chunk)
{
	struct src_mem s = { p, million_a ? 1000000 : len, million_a ? 1 : -1 };
	uint8_t out[32];
	uint32_t out_len = 0;

	if (acc_stream(qp, op, read_src, &s, chunk, out, &out_len)) {
		printf("# verify %s: %s\n", acc_op_name(op), acc_error(qp->d));
		return false;
	}
	if (out_len != want_len || memcmp(out, want, want_len)) {
		printf("# verify %s of %zu bytes: wrong result\n", acc_op_name(op),
		       million_a ? (size_t)1000000 : len);
		return false;
	}
	return true;
}

/* The device still computes right after all that. */
static bool verify(struct fuzz *f)
{
	struct acc_qp qp;
	bool ok = true;
	uint8_t *buf = malloc(DATA_SIZE);
	uint32_t le;

	if (!buf || acc_reset(&f->d) ||
	    acc_qp_setup(&f->d, &qp, f->d.nqps - 1, 16, 16)) {
		printf("# verify: setup: %s\n", acc_error(&f->d));
		free(buf);
		return false;
	}
	ref_fill(buf, DATA_SIZE, f->r.s);
	if (f->d.algs & (1u << ACCMDEV_OP_CRC32C)) {
		le = htole32(ref_crc32c(buf, DATA_SIZE));
		ok &= digest(&qp, ACCMDEV_OP_CRC32C, buf, DATA_SIZE, false,
			     (uint8_t *)&le, 4, 4096);
		le = htole32(ref_crc32c(buf, 12345));
		ok &= digest(&qp, ACCMDEV_OP_CRC32C, buf, 12345, false,
			     (uint8_t *)&le, 4, 12345);
	}
	if (f->d.algs & (1u << ACCMDEV_OP_ADLER32)) {
		le = htole32(ref_adler32(buf, DATA_SIZE));
		ok &= digest(&qp, ACCMDEV_OP_ADLER32, buf, DATA_SIZE, false,
			     (uint8_t *)&le, 4, 8192);
	}
	if (f->d.algs & (1u << ACCMDEV_OP_SHA256)) {
		ok &= digest(&qp, ACCMDEV_OP_SHA256, "abc", 3, false, sha256_abc, 32, 64);
		ok &= digest(&qp, ACCMDEV_OP_SHA256,
			     "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
			     56, false, sha256_2blk, 32, 7);
		ok &= digest(&qp, ACCMDEV_OP_SHA256, NULL, 0, true,
			     sha256_million_a, 32, 65536);
	}
	if (f->d.algs & (1u << ACCMDEV_OP_SHA224))
		ok &= digest(&qp, ACCMDEV_OP_SHA224, "abc", 3, false, sha224_abc, 28, 64);
	if ((f->d.algs & (1u << ACCMDEV_OP_DEFLATE)) &&
	    (f->d.algs & (1u << ACCMDEV_OP_INFLATE))) {
		struct acc_dma in, z, out;
		struct accmdev_cqe c1, c2;

		/* Compressible input: random words from a small alphabet. */
		for (size_t i = 0; i < DATA_SIZE; i++)
			buf[i] = "abcdefgh \n"[buf[i] % 10];
		if (acc_dma_map(&f->d, DATA_SIZE, &in) ||
		    acc_dma_map(&f->d, 2 * DATA_SIZE, &z) ||
		    acc_dma_map(&f->d, DATA_SIZE, &out)) {
			printf("# verify deflate: %s\n", acc_error(&f->d));
			ok = false;
		} else {
			memcpy(in.va, buf, DATA_SIZE);
			if (acc_oneshot(&qp, ACCMDEV_OP_DEFLATE, 6, &in, DATA_SIZE,
					&z, 2 * DATA_SIZE, &c1) ||
			    le16toh(c1.status) != ACCMDEV_ST_OK ||
			    acc_oneshot(&qp, ACCMDEV_OP_INFLATE, 0, &z,
					le32toh(c1.result_len), &out, DATA_SIZE, &c2) ||
			    le16toh(c2.status) != ACCMDEV_ST_OK ||
			    le32toh(c2.result_len) != DATA_SIZE ||
			    memcmp(out.va, buf, DATA_SIZE) ||
			    le32toh(c1.result_len) >= DATA_SIZE) {
				printf("# verify deflate/inflate round trip failed\n");
				ok = false;
			}
		}
	}
	acc_qp_teardown(&qp);
	free(buf);
	return ok;
}

/* Device B: memory at the same IOVAs in its own container. */
struct other {
	struct acc_dev d;
	struct acc_dma m[3];
	uint8_t *pattern[3];
};

static bool other_open(struct other *o, const char *uuid)
{
	static const uint64_t iova[3] = { RING_BASE, DATA_BASE, CANARY_BASE };
	static const size_t size[3] = { RING_BYTES, DATA_SIZE, CANARY_SIZE };

	if (acc_open(&o->d, uuid))
		return false;
	for (int i = 0; i < 3; i++) {
		if (acc_dma_map_at(&o->d, iova[i], size[i], &o->m[i]))
			return false;
		o->pattern[i] = malloc(size[i]);
		if (!o->pattern[i])
			return false;
		ref_fill(o->pattern[i], size[i], 100 + i);
		memcpy(o->m[i].va, o->pattern[i], size[i]);
	}
	return true;
}

static long other_changed(const struct other *o)
{
	long n = 0;

	for (int i = 0; i < 3; i++)
		for (size_t j = 0; j < o->m[i].size; j++)
			n += ((uint8_t *)o->m[i].va)[j] != o->pattern[i][j];
	return n;
}

int main(int argc, char **argv)
{
	uint64_t seed = fz_time_seed();
	long iterations = 3000;
	double seconds = 120, end;
	struct other o;
	bool have_other, ok;
	long canary_n, other_n = 0, config_n;
	struct fuzz *f = calloc(1, sizeof(*f));
	int opt;

	while ((opt = getopt(argc, argv, "s:n:t:")) != -1) {
		switch (opt) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			iterations = strtol(optarg, NULL, 0);
			break;
		case 't':
			seconds = atof(optarg);
			break;
		default:
			goto usage;
		}
	}
	if (!f || argc - optind < 1 || argc - optind > 2)
		goto usage;
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("seed=%llu\n", (unsigned long long)seed);
	f->r.s = seed;
	if (acc_open(&f->d, argv[optind]))
		die(f, argv[optind]);
	have_other = argc - optind == 2;
	if (have_other && !other_open(&o, argv[optind + 1])) {
		printf("not ok - device B: %s\n", acc_error(&o.d));
		return 2;
	}
	map_all(f);
	for (int i = 0; i < 4; i++)
		f->efds[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	f->other_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	f->mem_on = true;
	if (raw_rw(f, VFIO_PCI_CONFIG_REGION_INDEX, 0, f->cfg0, sizeof(f->cfg0),
		   false) != (long)sizeof(f->cfg0))
		die(f, "config read");

	end = fz_now() + seconds;
	for (f->iterations = 0; f->iterations < iterations && fz_now() < end;
	     f->iterations++) {
		uint64_t k = fz_below(&f->r, 100);

		if (k < 20)
			fuzz_region(f, false);
		else if (k < 36)
			fuzz_region(f, true);
		else if (k < 46)
			fuzz_set_irqs(f);
		else if (k < 51)
			fuzz_info(f);
		else if (k < 73)
			fuzz_batch(f);
		else if (k < 83)
			fuzz_rings(f);
		else if (k < 91)
			fuzz_qp_control(f);
		else if (k < 94)
			fuzz_reset(f);
		else if (k < 97)
			fuzz_remap(f);
		else
			command_on(f);
	}

	quiesce(f);
	canary_n = canary_changed(f);
	if (have_other)
		other_n = other_changed(&o);
	config_n = config_changed(f);
	ok = verify(f);
	printf("iterations=%ld region_ops=%ld irq_ops=%ld info_ops=%ld sqes=%ld judged=%ld ring_tests=%ld resets=%ld remaps=%ld mismatches=%ld internal=%ld canary_targeted=%ld canary_changed=%ld other_changed=%ld config_changed=%ld\n",
	       f->iterations, f->region_ops, f->irq_ops, f->info_ops, f->sqes,
	       f->judged, f->ring_tests, f->resets, f->remaps, f->mismatches,
	       f->internal, f->canary_targeted, canary_n, other_n, config_n);
	printf("verify %s\n", ok ? "ok" : "FAILED");
	acc_close(&f->d);
	if (have_other)
		acc_close(&o.d);
	return f->mismatches || f->internal || canary_n || other_n ||
	       config_n || !ok;
usage:
	fprintf(stderr, "usage: devfuzz [-s SEED] [-n ITERATIONS] [-t SECONDS] UUID [UUID-B]\n");
	return 2;
}
