// SPDX-License-Identifier: GPL-2.0-only
/*
 * accctl: the framed stream of send and receive. See xfer.h.
 *
 * The callers ignore SIGPIPE: a peer that has gone is -EPIPE here.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"
#include "xfer.h"

static const char *const type_names[] = {
	[XFER_HELLO] = "HELLO",
	[XFER_VERDICT] = "VERDICT",
	[XFER_DATA] = "DATA",
	[XFER_END] = "END",
	[XFER_RESULT] = "RESULT",
	[XFER_CHALLENGE] = "CHALLENGE",
	[XFER_AUTH] = "AUTH",
};

const char *xfer_type_name(uint32_t type)
{
	if (type < sizeof(type_names) / sizeof(type_names[0]) &&
	    type_names[type])
		return type_names[type];
	return "unknown";
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

int xfer_split(const char *arg, bool host_optional, char *host,
	       size_t hsize, char *port, size_t psize)
{
	const char *colon = strrchr(arg, ':'), *p, *h = arg;
	size_t hlen;
	unsigned long num;

	if (!colon && !host_optional)
		return acc_err("'%s' is not HOST:PORT", arg);
	p = colon ? colon + 1 : arg;
	hlen = colon ? (size_t)(colon - arg) : 0;
	if (hlen >= 2 && arg[0] == '[' && arg[hlen - 1] == ']') {
		h++;
		hlen -= 2;
	}
	if (parse_uint(p, 65535, &num))
		return acc_err("bad port '%s' in '%s'", p, arg);
	if (colon && !hlen)
		return acc_err("no host in '%s'", arg);
	if (hlen >= hsize || strlen(p) >= psize)
		return acc_err("address '%s' is too long", arg);
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	snprintf(port, psize, "%s", p);
	return 0;
}

int xfer_init(struct xfer *x, int timeout_ms)
{
	memset(x, 0, sizeof(*x));
	x->fd = -1;
	x->rfd = -1;
	x->wfd = -1;
	x->timeout_ms = timeout_ms;
	x->buf = malloc(XFER_PAYLOAD_MAX);
	if (!x->buf)
		return acc_err("out of memory"), -ENOMEM;
	return 0;
}

void xfer_close(struct xfer *x)
{
	if (x->fd >= 0)
		close(x->fd);
	x->fd = -1;
	x->rfd = -1;
	x->wfd = -1;
	free(x->buf);
	x->buf = NULL;
}

static int sock_setup(int fd)
{
	int one = 1;

	/* Frames are small and answered: no Nagle delay. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) ? -errno : 0;
}

/* Wait for @events on @fd until @deadline; 0, -ETIMEDOUT or -errno. */
static int wait_fd(int fd, short events, long long deadline)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = events };
		long long left = deadline - now_ms();
		int n;

		if (left <= 0)
			return -ETIMEDOUT;
		n = poll(&p, 1, left > 1000000 ? 1000000 : (int)left);
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
}

static int addrinfo(const char *host, const char *port, bool passive,
		    struct addrinfo **res)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_STREAM,
		.ai_flags = passive ? AI_PASSIVE : 0,
	};
	int err = getaddrinfo(host[0] ? host : NULL, port, &hints, res);

	if (err)
		return acc_err("%s:%s: %s", host, port, gai_strerror(err)),
		       -EADDRNOTAVAIL;
	return 0;
}

/* One non-blocking connect to @ai, bounded by @deadline. */
static int connect_one(const struct addrinfo *ai, long long deadline)
{
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
			ai->ai_protocol), err;
	socklen_t len = sizeof(err);

	if (fd < 0)
		return -errno;
	err = sock_setup(fd);
	if (!err && connect(fd, ai->ai_addr, ai->ai_addrlen)) {
		err = errno == EINPROGRESS ? wait_fd(fd, POLLOUT, deadline) :
		      -errno;
		if (!err && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
			err = errno;
		err = err > 0 ? -err : err;
	}
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

int xfer_connect(struct xfer *x, const char *host, const char *port)
{
	long long deadline = now_ms() + x->timeout_ms;
	struct addrinfo *res, *ai;
	int fd = -ECONNREFUSED, ret;

	ret = addrinfo(host, port, false, &res);
	if (ret)
		return ret;
	for (;;) {
		for (ai = res; ai; ai = ai->ai_next) {
			fd = connect_one(ai, deadline);
			if (fd >= 0)
				break;
		}
		/* The receiver may not listen yet: try again, within bounds. */
		if (fd >= 0 || fd != -ECONNREFUSED || now_ms() + 100 >= deadline)
			break;
		poll(NULL, 0, 100);
	}
	freeaddrinfo(res);
	if (fd < 0)
		return acc_err("cannot connect to %s:%s: %s", host, port,
			       strerror(-fd)), fd;
	x->fd = fd;
	x->rfd = fd;
	x->wfd = fd;
	return 0;
}

static bool is_loopback(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr) >>
			24) == 127;
	if (ss->ss_family == AF_INET6) {
		const struct in6_addr *a =
			&((const struct sockaddr_in6 *)ss)->sin6_addr;

		return IN6_IS_ADDR_LOOPBACK(a) ||
		       (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
	}
	return false;
}

int xfer_listen(const char *host, const char *port, int *lfd,
		unsigned int *bound, bool *loopback)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct addrinfo *res;
	int fd, one = 1, ret;

	ret = addrinfo(host, port, true, &res);
	if (ret)
		return ret;
	fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC,
		    res->ai_protocol);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, res->ai_addr, res->ai_addrlen) || listen(fd, 1) ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl)) {
		ret = -errno;
		if (fd >= 0)
			close(fd);
		freeaddrinfo(res);
		return acc_err("cannot listen on %s:%s: %s", host, port,
			       strerror(-ret)), ret;
	}
	freeaddrinfo(res);
	*bound = ntohs(ss.ss_family == AF_INET6 ?
		       ((struct sockaddr_in6 *)&ss)->sin6_port :
		       ((struct sockaddr_in *)&ss)->sin_port);
	*loopback = is_loopback(&ss);
	*lfd = fd;
	return 0;
}

int xfer_accept(struct xfer *x, int lfd)
{
	long long deadline = now_ms() + x->timeout_ms;
	int fd, ret;

	ret = fcntl(lfd, F_SETFL, fcntl(lfd, F_GETFL) | O_NONBLOCK) ? -errno : 0;
	while (!ret) {
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0)
			break;
		if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED)
			ret = wait_fd(lfd, POLLIN, deadline);
		else
			ret = -errno;
	}
	close(lfd);
	if (ret)
		return acc_err("no sender connected: %s", strerror(-ret)), ret;
	ret = sock_setup(fd);
	if (ret) {
		close(fd);
		return acc_err("socket setup: %s", strerror(-ret)), ret;
	}
	x->fd = fd;
	x->rfd = fd;
	x->wfd = fd;
	return 0;
}

/* Non-blocking, so that every wait is bounded; not a terminal or file. */
static int pipe_setup(int fd)
{
	struct stat st;

	if (fd < 0)
		return 0;
	if (fstat(fd, &st))
		return -errno;
	if (!S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode))
		return 0;
	return fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) ? -errno : 0;
}

int xfer_pipe(struct xfer *x, int rfd, int wfd)
{
	int ret = pipe_setup(rfd);

	if (!ret)
		ret = pipe_setup(wfd);
	if (ret)
		return acc_err("pipe setup: %s", strerror(-ret)), ret;
	x->rfd = rfd;
	x->wfd = wfd;
	return 0;
}

/* All of @len bytes; -ETIMEDOUT, -EPIPE, -ECONNRESET or -errno. */
static int write_all(struct xfer *x, const void *buf, size_t len,
		     long long deadline)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = write(x->wfd, p, len);
		int ret;

		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN)
			return -errno;
		ret = wait_fd(x->wfd, POLLOUT, deadline);
		if (ret)
			return ret;
	}
	return 0;
}

/* All of @len bytes; the peer closing first is -ECONNRESET. */
static int read_all(struct xfer *x, void *buf, size_t len, long long deadline)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = read(x->rfd, p, len);
		int ret;

		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (!n)
			return -ECONNRESET;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return -errno;
		ret = wait_fd(x->rfd, POLLIN, deadline);
		if (ret)
			return ret;
	}
	return 0;
}

static int net_err(int err, const char *what, uint32_t type)
{
	if (err == -ECONNRESET || err == -EPIPE)
		acc_err("the peer closed the connection (%s %s)", what,
			xfer_type_name(type));
	else
		acc_err("%s %s: %s", what, xfer_type_name(type), strerror(-err));
	return err;
}

int xfer_send(struct xfer *x, uint32_t type, const void *a, size_t alen,
	      const void *b, size_t blen)
{
	long long deadline = now_ms() + x->timeout_ms;
	uint32_t hdr[2];
	int ret;

	if (alen + blen > XFER_PAYLOAD_MAX)
		return acc_err("frame of %zu bytes is too long", alen + blen),
		       -EMSGSIZE;
	/* A one-way receiver has no one to answer. */
	if (x->wfd < 0)
		return 0;
	hdr[0] = htole32(type);
	hdr[1] = htole32((uint32_t)(alen + blen));
	ret = write_all(x, hdr, sizeof(hdr), deadline);
	if (!ret && alen)
		ret = write_all(x, a, alen, deadline);
	if (!ret && blen)
		ret = write_all(x, b, blen, deadline);
	return ret ? net_err(ret, "sending", type) : 0;
}

struct status_head {
	uint32_t err;
	uint32_t rsvd;
	uint64_t bytes;
};

int xfer_send_status(struct xfer *x, uint32_t type, int err, uint64_t bytes,
		     const char *msg)
{
	struct status_head h = {
		.err = htole32((uint32_t)err),
		.bytes = htole64(bytes),
	};
	size_t len = msg ? strlen(msg) : 0;

	return xfer_send(x, type, &h, sizeof(h), msg,
			 len < XFER_MSG_MAX ? len : XFER_MSG_MAX - 1);
}

int xfer_recv(struct xfer *x, uint32_t want)
{
	long long deadline = now_ms() + x->timeout_ms;
	uint32_t hdr[2];
	int ret;

	if (x->rfd < 0)
		return acc_err("nothing to read in a one-way pipe"), -EPIPE;
	ret = read_all(x, hdr, sizeof(hdr), deadline);
	if (ret)
		return net_err(ret, "waiting for", want);
	x->type = le32toh(hdr[0]);
	x->len = le32toh(hdr[1]);
	if (x->len > XFER_PAYLOAD_MAX || !x->type || x->type > XFER_TYPE_MAX)
		return acc_err("a frame of type %#x and %u bytes where %s was due: the peer does not speak accctl's protocol",
			       x->type, x->len, xfer_type_name(want)), -EPROTO;
	ret = read_all(x, x->buf, x->len, deadline);
	if (ret)
		return net_err(ret, "receiving", x->type);
	if (want && x->type != want)
		return acc_err("got a %s frame where %s was due",
			       xfer_type_name(x->type), xfer_type_name(want)),
		       -EPROTO;
	return 0;
}

int xfer_parse_status(const struct xfer *x, struct xfer_status *st)
{
	struct status_head h;
	size_t mlen;

	if (x->len < sizeof(h))
		return acc_err("short %s frame", xfer_type_name(x->type)),
		       -EPROTO;
	memcpy(&h, x->buf, sizeof(h));
	st->err = (int)le32toh(h.err);
	st->bytes = le64toh(h.bytes);
	mlen = x->len - sizeof(h);
	if (mlen >= sizeof(st->msg))
		mlen = sizeof(st->msg) - 1;
	memcpy(st->msg, x->buf + sizeof(h), mlen);
	st->msg[mlen] = '\0';
	/* Shown on one line, printable only. */
	for (size_t i = 0; i < mlen; i++)
		if (st->msg[i] < 0x20 || st->msg[i] == 0x7f)
			st->msg[i] = '?';
	if (st->err < 0 || st->err > 4095)
		return acc_err("%s frame with errno %d", xfer_type_name(x->type),
			       st->err), -EPROTO;
	return 0;
}

bool xfer_readable(struct xfer *x)
{
	struct pollfd p = { .fd = x->rfd, .events = POLLIN };

	return x->rfd >= 0 && poll(&p, 1, 0) > 0;
}
