// SPDX-License-Identifier: GPL-2.0-only
/*
 * accmig: the migration engine of the accvfio library. See accmig.h.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "accmig.h"

/*
 * The parts of the uAPI that came after 6.1 (the headers of Debian 12):
 * values of include/uapi/linux/vfio.h in 6.2 and later.
 */
#ifndef VFIO_MIG_GET_PRECOPY_INFO
#define VFIO_MIG_GET_PRECOPY_INFO	_IO(VFIO_TYPE, VFIO_BASE + 21)
#endif
#ifndef VFIO_DEVICE_FEATURE_MIG_DATA_SIZE
#define VFIO_DEVICE_FEATURE_MIG_DATA_SIZE 9
#endif

/* struct vfio_precopy_info */
struct acc_precopy_info {
	uint32_t argsz;
	uint32_t flags;
	uint64_t initial_bytes;
	uint64_t dirty_bytes;
};

_Static_assert(VFIO_DEVICE_STATE_STOP == ACC_MIG_STOP &&
	       VFIO_DEVICE_STATE_RUNNING == ACC_MIG_RUNNING &&
	       VFIO_DEVICE_STATE_STOP_COPY == ACC_MIG_STOP_COPY &&
	       VFIO_DEVICE_STATE_RESUMING == ACC_MIG_RESUMING &&
	       VFIO_DEVICE_STATE_RUNNING_P2P == ACC_MIG_RUNNING_P2P,
	       "device states differ from the uAPI");
_Static_assert(VFIO_MIGRATION_STOP_COPY == ACC_MIG_F_STOP_COPY &&
	       VFIO_MIGRATION_P2P == ACC_MIG_F_P2P,
	       "migration flags differ from the uAPI");

static const char *const state_names[ACC_MIG_NSTATES] = {
	[ACC_MIG_ERROR]		= "ERROR",
	[ACC_MIG_STOP]		= "STOP",
	[ACC_MIG_RUNNING]	= "RUNNING",
	[ACC_MIG_STOP_COPY]	= "STOP_COPY",
	[ACC_MIG_RESUMING]	= "RESUMING",
	[ACC_MIG_RUNNING_P2P]	= "RUNNING_P2P",
	[ACC_MIG_PRE_COPY]	= "PRE_COPY",
	[ACC_MIG_PRE_COPY_P2P]	= "PRE_COPY_P2P",
};

const char *acc_mig_state_name(unsigned int state)
{
	return state < ACC_MIG_NSTATES ? state_names[state] : "INVALID";
}

int acc_mig_state_from_name(const char *name)
{
	for (int i = 0; i < ACC_MIG_NSTATES; i++)
		if (!strcasecmp(name, state_names[i]))
			return i;
	return -1;
}

int64_t acc_mig_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* ---- the uAPI ------------------------------------------------------- */

/* struct vfio_device_feature with room for a 16-byte payload. */
struct feature {
	struct vfio_device_feature hdr;
	uint64_t data[2];
};

static int feature(struct acc_dev *d, uint32_t flags, void *data, size_t len)
{
	struct feature f;

	memset(&f, 0, sizeof(f));
	f.hdr.argsz = sizeof(f.hdr) + len;
	f.hdr.flags = flags;
	if (len > sizeof(f.data))
		return -EINVAL;
	memcpy(f.data, data, len);
	if (ioctl(d->fd, VFIO_DEVICE_FEATURE, &f))
		return -errno;
	memcpy(data, f.data, len);
	return 0;
}

int acc_mig_flags(struct acc_dev *d, uint64_t *flags)
{
	uint64_t mig = 0;
	int ret = feature(d, VFIO_DEVICE_FEATURE_GET |
			  VFIO_DEVICE_FEATURE_MIGRATION, &mig, sizeof(mig));

	if (ret)
		return acc_fail(d, -ret, "VFIO_DEVICE_FEATURE_MIGRATION");
	*flags = mig;
	return 0;
}

int acc_mig_get_state(struct acc_dev *d, uint32_t *state)
{
	struct vfio_device_feature_mig_state ms = { .data_fd = -1 };
	int ret = feature(d, VFIO_DEVICE_FEATURE_GET |
			  VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE, &ms, sizeof(ms));

	if (ret)
		return acc_fail(d, -ret, "getting the migration state");
	*state = ms.device_state;
	return 0;
}

int acc_mig_set_state(struct acc_dev *d, uint32_t state, int *data_fd)
{
	struct vfio_device_feature_mig_state ms = {
		.device_state = state,
		.data_fd = -1,
	};
	int ret = feature(d, VFIO_DEVICE_FEATURE_SET |
			  VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE, &ms, sizeof(ms));

	if (data_fd)
		*data_fd = -1;
	if (ret)
		return acc_fail(d, -ret, "migration state %s",
				acc_mig_state_name(state));
	if (data_fd)
		*data_fd = ms.data_fd;
	else if (ms.data_fd >= 0)
		close(ms.data_fd);
	return 0;
}

int acc_mig_data_size(struct acc_dev *d, uint64_t *len)
{
	uint64_t size = 0;
	int ret = feature(d, VFIO_DEVICE_FEATURE_GET |
			  VFIO_DEVICE_FEATURE_MIG_DATA_SIZE, &size, sizeof(size));

	if (ret)
		return acc_fail(d, -ret, "VFIO_DEVICE_FEATURE_MIG_DATA_SIZE");
	*len = size;
	return 0;
}

int acc_mig_precopy_info(struct acc_dev *d, int fd, uint64_t *initial,
			 uint64_t *dirty)
{
	struct acc_precopy_info info = { .argsz = sizeof(info) };

	if (ioctl(fd, VFIO_MIG_GET_PRECOPY_INFO, &info))
		return acc_fail(d, errno, "VFIO_MIG_GET_PRECOPY_INFO");
	*initial = info.initial_bytes;
	*dirty = info.dirty_bytes;
	return 0;
}

ssize_t acc_mig_read(struct acc_dev *d, int fd, void *buf, size_t cap,
		     int timeout_ms)
{
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n = read(fd, buf, cap);

		if (n >= 0)
			return n;
		if (errno == EINTR)
			continue;
		if (errno == ENOMSG)
			return -ENOMSG;
		if (errno != EAGAIN)
			return acc_fail(d, errno, "reading the migration data");
		n = poll(&pfd, 1, timeout_ms > 0 ? timeout_ms : 30000);
		if (n < 0 && errno != EINTR)
			return acc_fail(d, errno, "poll on the migration data");
		if (!n)
			return acc_fail(d, ETIMEDOUT, "reading the migration data");
	}
}

int acc_mig_write(struct acc_dev *d, int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return acc_fail(d, errno, "writing the migration data");
		if (!n)
			return acc_fail(d, EIO, "writing the migration data: no progress");
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* ---- saving ----------------------------------------------------------- */

struct saver {
	struct acc_dev *d;
	const struct acc_mig_opts *o;
	acc_mig_sink_fn sink;
	void *arg;
	struct acc_mig_stats *st;
	uint8_t *buf;
	int fd;
};

/* Everything the fd has now: 1 if it reached ENOMSG, 0 at EOF. */
static int drain(struct saver *s, bool stopped)
{
	for (;;) {
		ssize_t n = acc_mig_read(s->d, s->fd, s->buf, ACC_MIG_CHUNK,
					 s->o->timeout_ms);
		int ret;

		if (n == -ENOMSG && !stopped)
			return 1;
		if (n == -ENOMSG)
			return acc_fail(s->d, EPROTO, "ENOMSG from a stop-copy read");
		if (n < 0)
			return (int)n;
		if (!n)
			return 0;
		if (stopped)
			s->st->stopcopy_bytes += n;
		else
			s->st->precopy_bytes += n;
		s->st->chunks++;
		ret = s->sink(s->arg, s->buf, (size_t)n, stopped);
		if (ret) {
			s->st->fail_chunk = s->st->chunks;
			return ret;
		}
	}
}

static int precopy(struct saver *s)
{
	unsigned int max = s->o->max_rounds ? s->o->max_rounds : 8;
	uint64_t initial, dirty;
	int ret;

	ret = acc_mig_set_state(s->d, ACC_MIG_PRE_COPY, &s->fd);
	if (ret)
		return ret;
	while (s->st->rounds < max) {
		ret = acc_mig_precopy_info(s->d, s->fd, &initial, &dirty);
		if (ret)
			return ret;
		if (!initial && !dirty && s->st->rounds)
			break;
		ret = drain(s, false);
		if (ret < 0)
			return ret;
		s->st->rounds++;
		if (!ret)
			return acc_fail(s->d, EPROTO, "end of stream in pre-copy");
	}
	return 0;
}

int acc_mig_save(struct acc_dev *src, const struct acc_mig_opts *opts,
		 acc_mig_sink_fn sink, void *arg, struct acc_mig_stats *st)
{
	static const struct acc_mig_opts defaults;
	struct saver s = {
		.d = src, .o = opts ? opts : &defaults, .sink = sink,
		.arg = arg, .st = st, .fd = -1,
	};
	int ret, fd = -1;

	st->t_start = acc_mig_now();
	st->phase = "setup";
	ret = acc_mig_flags(src, &st->flags);
	if (ret)
		return ret;
	s.buf = malloc(ACC_MIG_CHUNK);
	if (!s.buf)
		return acc_fail(src, ENOMEM, "migration buffer");

	if ((st->flags & ACC_MIG_F_PRE_COPY) && !s.o->no_precopy) {
		st->phase = "pre-copy";
		ret = precopy(&s);
		if (ret)
			goto out_resume;
	}
	/* Best effort: a device without MIG_DATA_SIZE still migrates. */
	if (acc_mig_data_size(src, &st->estimate))
		st->estimate = 0;
	st->phase = "stop-copy";
	st->t_stop = acc_mig_now();
	ret = acc_mig_set_state(src, ACC_MIG_STOP_COPY, &fd);
	if (ret)
		goto out_resume;
	if (fd >= 0) {
		if (s.fd >= 0)
			close(s.fd);
		s.fd = fd;
	}
	if (s.fd < 0) {
		ret = acc_fail(src, EPROTO, "no data fd for STOP_COPY");
		goto out_resume;
	}
	ret = drain(&s, true);
	if (ret)
		goto out_resume;
	st->t_saved = acc_mig_now();
	ret = acc_mig_set_state(src, ACC_MIG_STOP, NULL);
	if (ret)
		goto out_resume;
	close(s.fd);
	free(s.buf);
	st->phase = NULL;
	return 0;

out_resume:
	/* The source goes on running, whatever failed. */
	if (s.fd >= 0)
		close(s.fd);
	free(s.buf);
	if (acc_mig_set_state(src, ACC_MIG_RUNNING, NULL))
		acc_reset(src);
	return ret;
}

/* ---- loading ---------------------------------------------------------- */

int acc_mig_load_begin(struct acc_dev *dst, int *fd)
{
	int ret = acc_mig_set_state(dst, ACC_MIG_RESUMING, fd);

	if (!ret && *fd < 0)
		ret = acc_fail(dst, EPROTO, "no data fd for RESUMING");
	return ret;
}

void acc_mig_load_abort(struct acc_dev *dst, int fd)
{
	if (fd >= 0)
		close(fd);
	acc_reset(dst);
}

int acc_mig_load_end(struct acc_dev *dst, int fd)
{
	/* RESUMING -> STOP validates and applies; then on to RUNNING. */
	int ret = acc_mig_set_state(dst, ACC_MIG_RUNNING, NULL);

	if (ret) {
		char why[sizeof(dst->err)];

		memcpy(why, dst->err, sizeof(why));
		acc_mig_load_abort(dst, fd);
		memcpy(dst->err, why, sizeof(why));
		return ret;
	}
	close(fd);
	return 0;
}

/* ---- on one host ------------------------------------------------------ */

struct local_sink {
	struct acc_dev *dst;
	int fd;
};

static int write_dst(void *arg, const void *buf, size_t len, bool stopped)
{
	struct local_sink *ls = arg;

	(void)stopped;
	return acc_mig_write(ls->dst, ls->fd, buf, len);
}

int acc_migrate(struct acc_dev *src, struct acc_dev *dst,
		const struct acc_mig_opts *opts, struct acc_mig_stats *st)
{
	struct local_sink ls = { .dst = dst, .fd = -1 };
	uint64_t flags;
	int ret;

	memset(st, 0, sizeof(*st));
	st->t_start = acc_mig_now();
	st->phase = "setup";
	ret = acc_mig_flags(dst, &flags);
	if (ret)
		return acc_fail(src, -ret, "destination: %s", acc_error(dst));
	ret = acc_mig_load_begin(dst, &ls.fd);
	if (ret)
		return acc_fail(src, -ret, "destination: %s", acc_error(dst));
	ret = acc_mig_save(src, opts, write_dst, &ls, st);
	if (ret) {
		/* A sink failure is the destination's; say so. */
		if (st->fail_chunk)
			acc_fail(src, -ret, "destination refused chunk %u (%s): %s",
				 st->fail_chunk, st->phase, acc_error(dst));
		acc_mig_load_abort(dst, ls.fd);
		st->t_end = acc_mig_now();
		return ret;
	}
	st->phase = "resume";
	ret = acc_mig_load_end(dst, ls.fd);
	st->t_running = acc_mig_now();
	if (ret) {
		acc_fail(src, -ret, "destination: %s", acc_error(dst));
		if (acc_mig_set_state(src, ACC_MIG_RUNNING, NULL))
			acc_reset(src);
		st->t_end = acc_mig_now();
		return ret;
	}
	st->phase = NULL;
	st->t_end = acc_mig_now();
	return 0;
}

int acc_mig_adopt_qp(struct acc_qp *qp, struct acc_dev *dst)
{
	int32_t efd = qp->efd;

	qp->d = dst;
	if (efd < 0)
		return 0;
	return acc_irq_set(dst, VFIO_PCI_MSIX_IRQ_INDEX, qp->idx, 1, &efd);
}
