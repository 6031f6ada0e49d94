/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * accmig: the migration engine of the accvfio library, on the VFIO
 * migration v2 uAPI (VFIO_DEVICE_FEATURE_MIGRATION, _MIG_DEVICE_STATE,
 * _MIG_DATA_SIZE and VFIO_MIG_GET_PRECOPY_INFO on the data fd).
 *
 *   acc_mig_flags(d, &flags)          what the device supports
 *   acc_mig_set_state(d, st, &fd)     one FSM step (or combination)
 *   acc_mig_save(src, sink, ...)      pre-copy rounds, then stop-copy
 *   acc_mig_load_begin/_end(dst, fd)  RESUMING, then RUNNING
 *   acc_migrate(src, dst, ...)        the two together, on one host
 *
 * The stream (driver/uapi/accmdev_mig.h) is opaque here: bytes are
 * moved, never parsed. Functions return 0 (or a count) or a negative
 * errno, with the message in acc_error() of the device named.
 */
#ifndef ACCMIG_H
#define ACCMIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "accvfio.h"

/* Device states: the values of enum vfio_device_mig_state. */
#define ACC_MIG_ERROR		0
#define ACC_MIG_STOP		1
#define ACC_MIG_RUNNING		2
#define ACC_MIG_STOP_COPY	3
#define ACC_MIG_RESUMING	4
#define ACC_MIG_RUNNING_P2P	5
#define ACC_MIG_PRE_COPY	6	/* kernel 6.2 and later */
#define ACC_MIG_PRE_COPY_P2P	7	/* kernel 6.2 and later */
#define ACC_MIG_NSTATES		8

/* VFIO_DEVICE_FEATURE_MIGRATION flags. */
#define ACC_MIG_F_STOP_COPY	(1u << 0)
#define ACC_MIG_F_P2P		(1u << 1)
#define ACC_MIG_F_PRE_COPY	(1u << 2)

/* Largest chunk the engine reads from a data fd at once. */
#define ACC_MIG_CHUNK		(64 * 1024)

const char *acc_mig_state_name(unsigned int state);
int acc_mig_state_from_name(const char *name);

/* Migration flags; -ENOTTY if the device cannot migrate. */
int acc_mig_flags(struct acc_dev *d, uint64_t *flags);
int acc_mig_get_state(struct acc_dev *d, uint32_t *state);
/*
 * Move to @state. *@data_fd gets the new data fd of an arc that opens a
 * transfer session, else -1. @data_fd may be NULL only for arcs that
 * open none (a returned fd is then closed).
 */
int acc_mig_set_state(struct acc_dev *d, uint32_t state, int *data_fd);
/* VFIO_DEVICE_FEATURE_MIG_DATA_SIZE: the stop-copy length estimate. */
int acc_mig_data_size(struct acc_dev *d, uint64_t *len);
/* VFIO_MIG_GET_PRECOPY_INFO on a data fd in a PRE_COPY state. */
int acc_mig_precopy_info(struct acc_dev *d, int fd, uint64_t *initial,
			 uint64_t *dirty);

/*
 * One read of a data fd: bytes read, 0 at the end of the stream,
 * -ENOMSG when a pre-copy fd has nothing now, or -errno. EINTR and
 * EAGAIN (waiting with poll, up to @timeout_ms) are retried.
 */
ssize_t acc_mig_read(struct acc_dev *d, int fd, void *buf, size_t cap,
		     int timeout_ms);
/* All @len bytes, continuing partial writes; 0 or -errno. */
int acc_mig_write(struct acc_dev *d, int fd, const void *buf, size_t len);

/* What a migration did, for reports; times from CLOCK_MONOTONIC, ns. */
struct acc_mig_stats {
	uint64_t flags;			/* the source's ACC_MIG_F_* */
	uint64_t precopy_bytes;
	uint64_t stopcopy_bytes;
	uint64_t estimate;		/* MIG_DATA_SIZE at stop, 0 if none */
	unsigned int rounds;		/* pre-copy rounds */
	unsigned int chunks;		/* chunks handed to the sink */
	int64_t t_start;		/* the save began */
	int64_t t_stop;			/* the source stopped (STOP_COPY) */
	int64_t t_saved;		/* end of stream read */
	int64_t t_running;		/* destination RUNNING (acc_migrate) */
	int64_t t_end;
	const char *phase;		/* where a failure happened, or NULL */
	unsigned int fail_chunk;	/* 1-based chunk whose sink failed */
};

struct acc_mig_opts {
	bool no_precopy;		/* go to STOP_COPY at once */
	unsigned int max_rounds;	/* pre-copy rounds, 0: 8 */
	int timeout_ms;			/* per read, 0: 30 s */
};

/*
 * A consumer of the stream: @stopped says the chunk is stop-copy data.
 * Returns 0, or a negative errno that ends the save.
 */
typedef int (*acc_mig_sink_fn)(void *arg, const void *buf, size_t len,
			       bool stopped);

/*
 * Save @src through @sink: with PRE_COPY (unless opts->no_precopy),
 * rounds of pre-copy data until the device reports none left (or
 * max_rounds), then STOP_COPY until the end of the stream. On success
 * the source is left in STOP; it is the caller's to resume it
 * (acc_mig_set_state RUNNING) if the destination fails later. On
 * failure the source is back in RUNNING, and the return value is the
 * sink's or the device's error.
 */
int acc_mig_save(struct acc_dev *src, const struct acc_mig_opts *opts,
		 acc_mig_sink_fn sink, void *arg, struct acc_mig_stats *st);

/* Destination side: RUNNING -> RESUMING, *@fd the data fd. */
int acc_mig_load_begin(struct acc_dev *dst, int *fd);
/*
 * RESUMING -> RUNNING (the device validates the stream on leaving
 * RESUMING); closes @fd. On failure the device is reset to RUNNING
 * with its power-on state and the validation error is returned.
 */
int acc_mig_load_end(struct acc_dev *dst, int fd);
/* Give up: close @fd, reset the device to RUNNING. */
void acc_mig_load_abort(struct acc_dev *dst, int fd);

/*
 * Migrate @src to @dst, both open in this process: load_begin, save
 * into the destination's data fd, load_end. On success the source is
 * in STOP and the destination RUNNING; on failure the source is back in
 * RUNNING and the destination reset. The message is in src's
 * acc_error(); st->phase says where it failed.
 */
int acc_migrate(struct acc_dev *src, struct acc_dev *dst,
		const struct acc_mig_opts *opts, struct acc_mig_stats *st);

/*
 * After a migration inside one process (dst opened with
 * acc_open_shared() on src's container): move @qp to @dst. Its rings
 * and buffers are already at the same IOVAs; its MSI-X eventfd is
 * installed on @dst.
 */
int acc_mig_adopt_qp(struct acc_qp *qp, struct acc_dev *dst);

/* Nanoseconds of CLOCK_MONOTONIC. */
int64_t acc_mig_now(void);

#endif /* ACCMIG_H */
