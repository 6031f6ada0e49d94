// SPDX-License-Identifier: GPL-2.0-only
/*
 * accctl: send and receive, a live migration between two hosts over
 * TCP or a one-way pipe (the frames are in xfer.h).
 *
 * Over TCP, with --secret-file on both ends, each end proves it knows
 * the shared secret before anything else (auth.h); the receiver opens
 * no device and reads no version string from a sender that failed. A
 * receiver on an address other hosts can reach needs the secret.
 *
 * The receiver checks the source's migration_version string against
 * its device, by the same sysfs write as `accctl check`, before any
 * device state moves: an incompatible destination is refused with
 * nothing written to it. The destination kernel checks the stream again
 * in-band. Over TCP the sender hears the verdict before it opens its
 * device; through a pipe it hears nothing, and the receiver's exit
 * status tells.
 */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "auth.h"
#include "cli.h"
#include "migrep.h"
#include "node.h"
#include "xfer.h"

#define TIMEOUT_DEFAULT_S	60
#define TIMEOUT_MAX_S		86400

struct xfer_opts {
	bool json;
	int timeout_ms;
	const char *port_file;
	const char *secret_file;
	struct acc_mig_opts mig;
};

/* The peer "-": a one-way pipe, standard output or standard input. */
static bool is_pipe(const char *peer)
{
	return !strcmp(peer, "-");
}

/* The secret of --secret-file, which only TCP takes; 0 or -1. */
static int xfer_secret(const struct xfer_opts *o, bool pipe,
		       const char *verb, struct auth_secret *secret)
{
	memset(secret, 0, sizeof(*secret));
	if (!o->secret_file)
		return 0;
	if (pipe)
		return acc_err("%s: --secret-file is for TCP; a pipe is as safe as what carries it (ssh)",
			       verb);
	return auth_read_secret(o->secret_file, secret);
}

struct challenge {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint8_t nonce[AUTH_NONCE_LEN];
};

static int parse_timeout(const char *arg, int *ms)
{
	unsigned long s;

	if (parse_uint(arg, TIMEOUT_MAX_S, &s) || !s)
		return acc_err("bad timeout '%s' (seconds, 1 to %d)", arg,
			       TIMEOUT_MAX_S);
	*ms = (int)(s * 1000);
	return 0;
}

/* Options of send or receive; 0, or an exit status + 1. */
static int xfer_getopts(int argc, char **argv, struct xfer_opts *o,
			bool receive)
{
	static const struct option send_opts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "no-precopy", no_argument, NULL, OPT_NO_PRECOPY },
		{ "secret-file", required_argument, NULL, OPT_SECRET_FILE },
		CLI_COMMON_OPTS
	};
	static const struct option receive_opts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "port-file", required_argument, NULL, OPT_PORT_FILE },
		{ "secret-file", required_argument, NULL, OPT_SECRET_FILE },
		CLI_COMMON_OPTS
	};
	int c;

	/* A peer that has gone is -EPIPE from write(), not a signal. */
	signal(SIGPIPE, SIG_IGN);
	o->timeout_ms = TIMEOUT_DEFAULT_S * 1000;
	o->mig.timeout_ms = o->timeout_ms;
	while ((c = cli_getopt(argc, argv,
			       receive ? receive_opts : send_opts)) != -1) {
		switch (c) {
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_TIMEOUT:
			if (parse_timeout(optarg, &o->timeout_ms))
				return EXIT_ERROR + 1;
			o->mig.timeout_ms = o->timeout_ms;
			break;
		case OPT_NO_PRECOPY:
			o->mig.no_precopy = true;
			break;
		case OPT_PORT_FILE:
			o->port_file = optarg;
			break;
		case OPT_SECRET_FILE:
			o->secret_file = optarg;
			break;
		default:
			return cli_bad_opt(c, argv) + 1;
		}
	}
	return 0;
}

/* ---- send ------------------------------------------------------------- */

struct sender {
	struct xfer x;
	bool oneway;			/* a pipe: no answers */
	bool peer_spoke;		/* a RESULT came back early */
	struct xfer_status peer;
	int net_err;			/* a send failed, -errno */
};

/* The receiver's RESULT, once it has sent one (or the error reading it). */
static int take_result(struct sender *s)
{
	int ret = xfer_recv(&s->x, XFER_RESULT);

	if (!ret)
		ret = xfer_parse_status(&s->x, &s->peer);
	if (!ret)
		s->peer_spoke = true;
	return ret;
}

static int sink_net(void *arg, const void *buf, size_t len, bool stopped)
{
	struct sender *s = arg;
	uint32_t flags = htole32(stopped ? XFER_DATA_STOPPED : 0);
	int ret;

	/* The receiver speaks during the stream only to refuse it. */
	if (xfer_readable(&s->x)) {
		ret = take_result(s);
		if (ret)
			s->net_err = ret;
		return ret ? ret : -(s->peer.err ? s->peer.err : EPROTO);
	}
	ret = xfer_send(&s->x, XFER_DATA, &flags, sizeof(flags), buf, len);
	if (ret) {
		s->net_err = ret;
		/* It may have closed after saying why. */
		if (!s->oneway && !take_result(s) && s->peer.err)
			return -s->peer.err;
	}
	return ret;
}

static void peer_refusal(struct mig_report *r, const struct xfer_status *p,
			 const char *what)
{
	r->err = p->err;
	r->result = mig_refusal_errno(p->err) && !p->bytes ? MIG_REFUSED :
		    MIG_FAILED;
	snprintf(r->msg, sizeof(r->msg), "the destination %s: %s (%s)",
		 r->result == MIG_REFUSED ? what : "failed", p->msg,
		 errno_name(p->err));
}

/* Device state moves: after an accepting VERDICT. */
static void send_state(struct sender *s, const char *uuid,
		       const struct xfer_opts *o, struct mig_report *r)
{
	static struct acc_mig_stats st;
	struct acc_dev d;
	int ret;

	ret = acc_open(&d, uuid);
	if (ret) {
		r->result = MIG_FAILED;
		r->err = -ret;
		r->phase = "setup";
		snprintf(r->msg, sizeof(r->msg), "source: %s", acc_error(&d));
		xfer_send_status(&s->x, XFER_END, -ret, 0, r->msg);
		return;
	}
	memset(&st, 0, sizeof(st));
	ret = acc_mig_save(&d, &o->mig, sink_net, s, &st);
	r->st = &st;
	r->precopy = st.rounds > 0;
	r->bytes = st.precopy_bytes + st.stopcopy_bytes;
	r->phase = st.phase;
	if (!ret && s->oneway) {
		ret = xfer_send_status(&s->x, XFER_END, 0, r->bytes, "");
		if (ret)
			s->net_err = ret;
	} else if (!ret) {
		int sret = xfer_send_status(&s->x, XFER_END, 0, r->bytes, "");

		/* Even if END failed, the receiver may have said why. */
		ret = take_result(s);
		if (ret) {
			s->net_err = ret;
			if (sret)
				ret = sret;
		}
	}
	if (s->peer_spoke && s->peer.err) {
		/* Its byte count is what its device took before refusing. */
		peer_refusal(r, &s->peer, "refused the stream");
	} else if (ret) {
		r->err = -ret;
		r->result = MIG_FAILED;
		snprintf(r->msg, sizeof(r->msg), "%s",
			 s->net_err ? acc_errmsg() : acc_error(&d));
		/* A failure here, not the receiver's: tell it to give up. */
		if (!s->net_err)
			xfer_send_status(&s->x, XFER_END, -ret, r->bytes, r->msg);
	} else if (s->oneway) {
		/* Whether the destination runs, only the receiver knows. */
		r->result = MIG_SENT;
		r->phase = NULL;
	} else {
		r->result = MIG_DONE;
		r->phase = NULL;
		r->downtime_ns = acc_mig_now() - st.t_stop;
	}
	st.t_end = acc_mig_now();
	r->total_ns = st.t_end - st.t_start;
	/* A source whose destination failed goes on running. */
	if (r->result != MIG_DONE && r->result != MIG_SENT)
		acc_mig_set_state(&d, ACC_MIG_RUNNING, NULL);
	acc_close(&d);
}

/*
 * TCP: the receiver's CHALLENGE, and the proofs both ways if it asks
 * for a secret. 0 when the sender may go on, -1 (a message) if not.
 */
static int send_auth(struct sender *s, const struct auth_secret *secret)
{
	uint8_t ans[AUTH_NONCE_LEN + AUTH_MAC_LEN];
	struct challenge ch;
	bool wants;

	if (xfer_recv(&s->x, XFER_CHALLENGE))
		return -1;
	if (s->x.len != sizeof(ch))
		return acc_err("send: a CHALLENGE of %u bytes: the peer does not speak accctl receive version %u",
			       s->x.len, XFER_VERSION);
	memcpy(&ch, s->x.buf, sizeof(ch));
	if (le32toh(ch.magic) != XFER_MAGIC ||
	    le32toh(ch.version) != XFER_VERSION)
		return acc_err("send: the peer does not speak accctl receive version %u",
			       XFER_VERSION);
	wants = le32toh(ch.flags) & XFER_CH_AUTH;
	if (wants && !secret->len)
		return acc_err("send: the receiver asks for a shared secret (--secret-file); nothing was sent");
	if (!wants && secret->len)
		return acc_err("send: the receiver does not authenticate (it has no --secret-file); nothing was sent");
	if (!wants)
		return 0;
	if (auth_nonce(ans))
		return -1;
	auth_proof(secret, AUTH_SENDER, ch.nonce, ans, ans + AUTH_NONCE_LEN);
	if (xfer_send(&s->x, XFER_AUTH, ans, sizeof(ans), NULL, 0) ||
	    xfer_recv(&s->x, 0))
		return -1;
	if (s->x.type == XFER_VERDICT && !xfer_parse_status(&s->x, &s->peer))
		return acc_err("send: the receiver refused: %s (%s); nothing was sent",
			       s->peer.msg, errno_name(s->peer.err));
	if (s->x.type != XFER_AUTH)
		return acc_err("send: got a %s frame where AUTH was due",
			       xfer_type_name(s->x.type));
	if (s->x.len != AUTH_MAC_LEN ||
	    !auth_check(secret, AUTH_RECEIVER, ch.nonce, ans, s->x.buf))
		return acc_err("send: the receiver failed authentication (not the same secret); nothing was sent");
	return 0;
}

int cmd_send(int argc, char **argv)
{
	struct xfer_opts o = { 0 };
	struct mig_report r = { .verb = "send", .downtime_ns = -1,
				.total_ns = -1 };
	char ver[ACCMDEV_MIGVER_MAX], host[256], port[16];
	const struct acc_device *dev;
	struct sender s = { 0 };
	struct acc_sys sys;
	struct acc_node n;
	uint32_t hello[2] = { htole32(XFER_MAGIC), htole32(XFER_VERSION) };
	static struct auth_secret secret;
	int status = EXIT_ERROR, err;
	bool pipe;
	char **ops;

	err = xfer_getopts(argc, argv, &o, false);
	if (err)
		return err - 1;
	if (cli_operands(argc, argv, 2, 2, &ops))
		return EXIT_ERROR;
	pipe = is_pipe(ops[1]);
	if (pipe && isatty(STDOUT_FILENO))
		return acc_err("send: standard output is a terminal; pipe it to accctl receive"),
		       EXIT_ERROR;
	if ((!pipe && xfer_split(ops[1], false, host, sizeof(host), port,
				 sizeof(port))) ||
	    xfer_secret(&o, pipe, "send", &secret) || model_load(&sys))
		return EXIT_ERROR;
	/* The stream has standard output: the report goes to stderr. */
	r.out = pipe ? stderr : stdout;
	s.oneway = pipe;
	dev = model_find_device(&sys, ops[0]);
	if (!dev)
		goto out;
	node_from_device(&n, dev);
	err = node_read_version(&n, ver, sizeof(ver));
	if (err == -ENODEV)
		acc_err("send: source %s cannot migrate (its parent %s is not migratable)",
			dev->uuid, dev->parent->name);
	if (err || xfer_init(&s.x, o.timeout_ms))
		goto out;
	r.source = dev->uuid;
	r.destination = pipe ? "standard output" : ops[1];
	if (pipe) {
		if (xfer_pipe(&s.x, -1, STDOUT_FILENO) ||
		    xfer_send(&s.x, XFER_HELLO, hello, sizeof(hello), ver,
			      strlen(ver)))
			goto out_close;
		send_state(&s, dev->uuid, &o, &r);
		status = mig_report_print(&r, o.json);
		goto out_close;
	}
	if (xfer_connect(&s.x, host, port) || send_auth(&s, &secret) ||
	    xfer_send(&s.x, XFER_HELLO, hello, sizeof(hello), ver, strlen(ver)) ||
	    xfer_recv(&s.x, XFER_VERDICT) || xfer_parse_status(&s.x, &s.peer))
		goto out_close;
	if (s.peer.err) {
		peer_refusal(&r, &s.peer, "refused the source");
		r.phase = "check";
		strncat(r.msg, "; no device state was sent",
			sizeof(r.msg) - strlen(r.msg) - 1);
	} else {
		send_state(&s, dev->uuid, &o, &r);
	}
	status = mig_report_print(&r, o.json);
out_close:
	xfer_close(&s.x);
out:
	auth_wipe(&secret);
	model_free(&sys);
	return status;
}

/* ---- receive ---------------------------------------------------------- */

struct receiver {
	struct xfer x;
	struct acc_dev d;
	int fd;				/* the destination's data fd */
	struct acc_mig_stats st;
	uint64_t written;		/* bytes the device took */
	int64_t t_first_stop;		/* first stop-copy byte arrived */
};

static int write_port_file(const char *path, unsigned int port)
{
	char tmp[4096];
	FILE *f;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return acc_err("receive: port file name too long");
	f = fopen(tmp, "w");
	if (!f)
		return acc_err("receive: %s: %s", tmp, strerror(errno));
	fprintf(f, "%u\n", port);
	if (fclose(f) || rename(tmp, path))
		return acc_err("receive: %s: %s", path, strerror(errno));
	return 0;
}

static void peer_name(const struct xfer *x, char *buf, size_t size)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char a[64] = "?";
	unsigned int port = 0;

	if (x->fd < 0) {
		snprintf(buf, size, "standard input");
		return;
	}
	if (!getpeername(x->fd, (struct sockaddr *)&ss, &len)) {
		if (ss.ss_family == AF_INET6) {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

			inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
			port = ntohs(s6->sin6_port);
		} else if (ss.ss_family == AF_INET) {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

			inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
			port = ntohs(s4->sin_port);
		}
	}
	snprintf(buf, size, "%s:%u", a, port);
}

/*
 * HELLO: the sender's migration_version, checked by the destination's
 * sysfs node. 0 accepted, 1 refused (report filled), -1 error.
 */
static int check_hello(struct receiver *rc, const struct acc_device *dev,
		       struct mig_report *r)
{
	uint32_t hello[2];
	char ver[ACCMDEV_MIGVER_MAX];
	size_t len;
	struct acc_node n;
	int verdict;

	if (xfer_recv(&rc->x, XFER_HELLO))
		return -1;
	if (rc->x.len < sizeof(hello))
		return acc_err("receive: short HELLO frame");
	memcpy(hello, rc->x.buf, sizeof(hello));
	if (le32toh(hello[0]) != XFER_MAGIC || le32toh(hello[1]) != XFER_VERSION) {
		xfer_send_status(&rc->x, XFER_VERDICT, EPROTO, 0,
				 "not an accctl send stream of version 2");
		return acc_err("receive: the peer does not speak accctl send version %u",
			       XFER_VERSION);
	}
	len = rc->x.len - sizeof(hello);
	if (len >= sizeof(ver) || memchr(rc->x.buf + sizeof(hello), 0, len))
		verdict = ACCMDEV_COMPAT_MALFORMED;
	else {
		memcpy(ver, rc->x.buf + sizeof(hello), len);
		ver[len] = '\0';
		node_from_device(&n, dev);
		verdict = node_ask(&n, ver, false);
	}
	if (verdict < 0) {
		xfer_send_status(&rc->x, XFER_VERDICT, EIO, 0, acc_errmsg());
		return -1;
	}
	if (verdict == ACCMDEV_COMPAT_OK)
		return 0;
	r->result = MIG_REFUSED;
	r->err = accmdev_compat_errno(verdict);
	r->phase = "check";
	snprintf(r->msg, sizeof(r->msg), "%s does not accept the source: %s",
		 dev->uuid, compat_name(verdict));
	xfer_send_status(&rc->x, XFER_VERDICT, r->err, 0, r->msg);
	snprintf(r->msg, sizeof(r->msg),
		 "%s does not accept the source: %s (%s); no device state was received",
		 dev->uuid, compat_name(verdict), errno_name(r->err));
	return 1;
}

/* DATA frames until END; 0 with the device RUNNING, or a report. */
static void receive_state(struct receiver *rc, struct mig_report *r)
{
	struct xfer_status end;
	uint32_t flags;
	int ret;

	r->st = &rc->st;
	r->receiver = true;
	for (;;) {
		ret = xfer_recv(&rc->x, 0);
		if (ret || rc->x.type != XFER_DATA)
			break;
		if (rc->x.len < sizeof(flags)) {
			acc_err("short DATA frame");
			ret = -EPROTO;
			break;
		}
		memcpy(&flags, rc->x.buf, sizeof(flags));
		if (le32toh(flags) & XFER_DATA_STOPPED) {
			if (!rc->t_first_stop)
				rc->t_first_stop = acc_mig_now();
			rc->st.stopcopy_bytes += rc->x.len - sizeof(flags);
		} else {
			rc->st.precopy_bytes += rc->x.len - sizeof(flags);
		}
		r->bytes += rc->x.len - sizeof(flags);
		ret = acc_mig_write(&rc->d, rc->fd, rc->x.buf + sizeof(flags),
				    rc->x.len - sizeof(flags));
		if (ret) {
			r->err = -ret;
			r->phase = rc->t_first_stop ? "stop-copy" : "pre-copy";
			r->result = mig_refusal_errno(-ret) && !rc->written ?
				    MIG_REFUSED : MIG_FAILED;
			snprintf(r->msg, sizeof(r->msg), "%s",
				 acc_error(&rc->d));
			xfer_send_status(&rc->x, XFER_RESULT, -ret, rc->written,
					 acc_error(&rc->d));
			acc_mig_load_abort(&rc->d, rc->fd);
			return;
		}
		rc->written += rc->x.len - sizeof(flags);
	}
	r->precopy = rc->st.precopy_bytes > 0;
	if (!ret && rc->x.type != XFER_END) {
		acc_err("got a %s frame in the stream",
			xfer_type_name(rc->x.type));
		ret = -EPROTO;
	}
	if (!ret)
		ret = xfer_parse_status(&rc->x, &end);
	if (!ret && end.err) {
		r->err = end.err;
		snprintf(r->msg, sizeof(r->msg), "the sender aborted: %s",
			 end.msg);
		ret = -end.err;
	} else if (!ret && end.bytes != r->bytes) {
		acc_err("the sender sent %llu bytes, %llu arrived",
			(unsigned long long)end.bytes,
			(unsigned long long)r->bytes);
		ret = -EPROTO;
	}
	if (ret) {
		r->result = MIG_FAILED;
		if (!r->err) {
			r->err = -ret;
			snprintf(r->msg, sizeof(r->msg), "%s", acc_errmsg());
			xfer_send_status(&rc->x, XFER_RESULT, -ret, rc->written,
					 r->msg);
		}
		acc_mig_load_abort(&rc->d, rc->fd);
		return;
	}
	r->phase = "resume";
	ret = acc_mig_load_end(&rc->d, rc->fd);
	rc->st.t_running = acc_mig_now();
	if (rc->t_first_stop)
		r->downtime_ns = rc->st.t_running - rc->t_first_stop;
	if (ret) {
		r->err = -ret;
		r->result = MIG_FAILED;
		snprintf(r->msg, sizeof(r->msg), "%s", acc_error(&rc->d));
		xfer_send_status(&rc->x, XFER_RESULT, -ret, rc->written, r->msg);
		return;
	}
	r->result = MIG_DONE;
	r->phase = NULL;
	/* The sender's downtime ends when this arrives. */
	xfer_send_status(&rc->x, XFER_RESULT, 0, rc->written, "running");
}

/*
 * TCP: CHALLENGE, and if there is a secret the sender's proof, checked
 * before anything else is read from it, then ours. 0 or -1.
 */
static int receive_auth(struct receiver *rc, const struct auth_secret *secret,
			const char *peer)
{
	struct challenge ch = {
		.magic = htole32(XFER_MAGIC),
		.version = htole32(XFER_VERSION),
		.flags = htole32(secret->len ? XFER_CH_AUTH : 0),
	};
	uint8_t ns[AUTH_NONCE_LEN], mac[AUTH_MAC_LEN];

	if (auth_nonce(ch.nonce) ||
	    xfer_send(&rc->x, XFER_CHALLENGE, &ch, sizeof(ch), NULL, 0))
		return -1;
	if (!secret->len)
		return 0;
	if (xfer_recv(&rc->x, XFER_AUTH))
		return -1;
	if (rc->x.len != sizeof(ns) + sizeof(mac) ||
	    !auth_check(secret, AUTH_SENDER, ch.nonce, rc->x.buf,
			rc->x.buf + AUTH_NONCE_LEN)) {
		xfer_send_status(&rc->x, XFER_VERDICT, EACCES, 0,
				 "authentication failed");
		return acc_err("receive: the sender at %s failed authentication (not the same secret); the device was not opened",
			       peer);
	}
	memcpy(ns, rc->x.buf, sizeof(ns));
	auth_proof(secret, AUTH_RECEIVER, ch.nonce, ns, mac);
	return xfer_send(&rc->x, XFER_AUTH, mac, sizeof(mac), NULL, 0) ? -1 : 0;
}

static int receive(struct receiver *rc, const struct acc_device *dev,
		   struct mig_report *r, int lfd, char *peer, size_t psize,
		   const struct auth_secret *secret)
{
	int64_t t0;
	int ret;

	/* lfd < 0: the pipe is set up already. */
	if (lfd >= 0 && xfer_accept(&rc->x, lfd))
		return -1;
	t0 = acc_mig_now();
	peer_name(&rc->x, peer, psize);
	if (lfd >= 0 && receive_auth(rc, secret, peer))
		return -1;
	ret = check_hello(rc, dev, r);
	if (ret)
		return ret < 0 ? -1 : 0;
	if (acc_open(&rc->d, dev->uuid) || acc_mig_load_begin(&rc->d, &rc->fd)) {
		xfer_send_status(&rc->x, XFER_VERDICT, EIO, 0, acc_error(&rc->d));
		acc_err("receive: destination: %s", acc_error(&rc->d));
		acc_close(&rc->d);
		return -1;
	}
	if (!xfer_send_status(&rc->x, XFER_VERDICT, 0, 0, "ready"))
		receive_state(rc, r);
	else
		acc_mig_load_abort(&rc->d, rc->fd);
	r->total_ns = acc_mig_now() - t0;
	/* Closing resets the device: state lives while a process holds it. */
	acc_close(&rc->d);
	if (!r->msg[0] && r->result != MIG_DONE)
		return -1;
	return 0;
}

int cmd_receive(int argc, char **argv)
{
	struct xfer_opts o = { 0 };
	struct mig_report r = { .verb = "receive", .downtime_ns = -1,
				.total_ns = -1, .result = MIG_FAILED };
	static struct receiver rc;
	static struct auth_secret secret;
	char host[256], port[16], peer[96] = "";
	const struct acc_device *dev;
	struct acc_sys sys;
	unsigned int bound;
	int status = EXIT_ERROR, err, lfd = -1;
	bool pipe, loopback;
	char **ops;

	err = xfer_getopts(argc, argv, &o, true);
	if (err)
		return err - 1;
	if (cli_operands(argc, argv, 2, 2, &ops))
		return EXIT_ERROR;
	pipe = is_pipe(ops[1]);
	if (pipe && o.port_file)
		return acc_err("receive: --port-file is for TCP"), EXIT_ERROR;
	if (pipe && isatty(STDIN_FILENO))
		return acc_err("receive: standard input is a terminal; pipe accctl send into it"),
		       EXIT_ERROR;
	if ((!pipe && xfer_split(ops[1], true, host, sizeof(host), port,
				 sizeof(port))) ||
	    xfer_secret(&o, pipe, "receive", &secret) || model_load(&sys))
		return EXIT_ERROR;
	if (!pipe && !host[0])
		strcpy(host, "127.0.0.1");
	memset(&rc, 0, sizeof(rc));
	rc.fd = -1;
	dev = model_find_device(&sys, ops[0]);
	if (!dev || xfer_init(&rc.x, o.timeout_ms))
		goto out;
	if (pipe) {
		if (xfer_pipe(&rc.x, STDIN_FILENO, -1))
			goto out_close;
	} else {
		if (xfer_listen(host, port, &lfd, &bound, &loopback))
			goto out_close;
		if (!loopback && !secret.len) {
			close(lfd);
			acc_err("receive: %s can be reached from other hosts: give --secret-file (or use a pipe over ssh)",
				host);
			goto out_close;
		}
		if (o.port_file && write_port_file(o.port_file, bound)) {
			close(lfd);
			goto out_close;
		}
	}
	r.source = peer;
	r.destination = dev->uuid;
	if (!receive(&rc, dev, &r, lfd, peer, sizeof(peer), &secret))
		status = mig_report_print(&r, o.json);
out_close:
	xfer_close(&rc.x);
out:
	auth_wipe(&secret);
	model_free(&sys);
	return status;
}
