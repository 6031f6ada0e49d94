/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * accctl: the framed stream of send and receive, over TCP or a pipe.
 *
 * Every frame is a header, le32 type and le32 payload length, then the
 * payload. Over TCP the receiver opens with CHALLENGE (le32 XFER_MAGIC,
 * le32 XFER_VERSION, le32 XFER_CH_* flags, a random nonce); if it asks
 * for a secret, the sender answers AUTH (its nonce, its proof) and the
 * receiver AUTH (its proof), see auth.h. Then the sender sends HELLO
 * (le32 XFER_MAGIC, le32 XFER_VERSION, the source's migration_version
 * string); the receiver answers VERDICT. Only after a VERDICT of 0 does
 * device state flow, as DATA frames (le32 XFER_DATA_* flags, then
 * stream bytes), closed by END from the sender and RESULT from the
 * receiver. VERDICT, END and RESULT carry a status: le32 errno (0:
 * success), le64 the device state bytes the side has sent or received,
 * then a message.
 *
 * A pipe is one-way: the sender writes HELLO, DATA and END, the receiver
 * reads them, and neither answers. An xfer with no write side drops the
 * frames it is given; one with no read side never has anything to read.
 *
 * Functions return 0 or a negative errno and record one line with
 * acc_err(). Every wait is bounded by the timeout; EINTR and partial
 * reads and writes are continued.
 */
#ifndef ACCCTL_XFER_H
#define ACCCTL_XFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XFER_MAGIC		0x4d434341u	/* "ACCM" */
#define XFER_VERSION		2
#define XFER_PAYLOAD_MAX	(128 * 1024)
#define XFER_MSG_MAX		256

enum xfer_type {
	XFER_HELLO = 1,
	XFER_VERDICT,
	XFER_DATA,
	XFER_END,
	XFER_RESULT,
	XFER_CHALLENGE,
	XFER_AUTH,
	XFER_TYPE_MAX = XFER_AUTH,
};

#define XFER_CH_AUTH		(1u << 0)	/* the receiver wants AUTH */

#define XFER_DATA_STOPPED	(1u << 0)	/* stop-copy data */

struct xfer {
	int fd;				/* the socket, or -1 (a pipe) */
	int rfd, wfd;			/* read and write sides, or -1 */
	int timeout_ms;
	uint32_t type;			/* of the frame last received */
	uint32_t len;
	uint8_t *buf;			/* XFER_PAYLOAD_MAX bytes */
};

/* A received status frame. */
struct xfer_status {
	int err;
	uint64_t bytes;
	char msg[XFER_MSG_MAX];
};

const char *xfer_type_name(uint32_t type);

/* "HOST:PORT" (or "[V6]:PORT"); PORT alone when @host_optional. */
int xfer_split(const char *arg, bool host_optional, char *host,
	       size_t hsize, char *port, size_t psize);

int xfer_init(struct xfer *x, int timeout_ms);
void xfer_close(struct xfer *x);

/* Connect, retrying a refused connection until the timeout. */
int xfer_connect(struct xfer *x, const char *host, const char *port);
/* A listening socket; *@bound is its port, *@loopback whether only this
 * host can reach it (127.0.0.0/8 or ::1). */
int xfer_listen(const char *host, const char *port, int *lfd,
		unsigned int *bound, bool *loopback);
/* One connection from @lfd, which is closed. */
int xfer_accept(struct xfer *x, int lfd);
/* A one-way pipe: read from @rfd or write to @wfd (the other is -1). */
int xfer_pipe(struct xfer *x, int rfd, int wfd);

int xfer_send(struct xfer *x, uint32_t type, const void *a, size_t alen,
	      const void *b, size_t blen);
int xfer_send_status(struct xfer *x, uint32_t type, int err, uint64_t bytes,
		     const char *msg);
/* The next frame, into x->buf; a frame of another type is -EPROTO. */
int xfer_recv(struct xfer *x, uint32_t want);
int xfer_parse_status(const struct xfer *x, struct xfer_status *st);
/* Has the peer sent something (a frame, or closed)? */
bool xfer_readable(struct xfer *x);

#endif /* ACCCTL_XFER_H */
