// SPDX-License-Identifier: GPL-2.0-only
/*
 * unload: pieces of tests/bats/92-unload-load.bats.
 *
 *   unload try
 *       One delete_module("accmdev", O_NONBLOCK), the system call behind
 *       rmmod: prints "OK" or the errno name (EWOULDBLOCK is printed as
 *       EAGAIN, its other name); exits 0 only on OK.
 *
 *   unload hold-mig [--close] OUT SRC DST
 *       A migration in flight: SRC goes to STOP_COPY and one chunk of its
 *       stream is read, DST goes to RESUMING and gets that chunk. With
 *       --close both device fds are then closed and only the two data
 *       fds are kept. Runs in a child, which writes "ready" to OUT; the
 *       command prints the child's pid and returns. On SIGTERM the child
 *       reads one more chunk of the saving fd and writes one to the
 *       resuming fd, appends "save-read=ERR resume-write=ERR" (OK or the
 *       errno name) to OUT, then "closing", closes everything and exits.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "accmig.h"
#include "accvfio.h"
#include "fuzzlib.h"
#include "testlib.h"

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static int try_unload(void)
{
	if (syscall(SYS_delete_module, "accmdev", O_NONBLOCK)) {
		printf("%s\n", fz_errname(errno));
		return 1;
	}
	printf("OK\n");
	return 0;
}

static const char *io_result(ssize_t n)
{
	return n >= 0 ? "OK" : fz_errname((int)-n);
}

struct hold_args {
	const char *out, *src_uuid, *dst_uuid;
	bool close_devices;
};

static void hold_child(int ready, void *arg)
{
	const struct hold_args *a = arg;
	bool close_devices = a->close_devices;
	static uint8_t chunk[ACC_MIG_CHUNK];
	struct acc_dev src, dst;
	int sfd = -1, rfd = -1;
	ssize_t n, r1, r2;
	FILE *f;

	signal(SIGTERM, on_term);
	f = hold_child_detach(a->out);
	if (acc_open(&src, a->src_uuid)) {
		dprintf(ready, "%s\n", acc_error(&src));
		_exit(1);
	}
	if (acc_open(&dst, a->dst_uuid)) {
		dprintf(ready, "%s\n", acc_error(&dst));
		_exit(1);
	}
	if (acc_mig_set_state(&src, ACC_MIG_STOP_COPY, &sfd) || sfd < 0) {
		dprintf(ready, "%s\n", acc_error(&src));
		_exit(1);
	}
	n = acc_mig_read(&src, sfd, chunk, 64, 5000);
	if (n <= 0 || acc_mig_load_begin(&dst, &rfd) ||
	    acc_mig_write(&dst, rfd, chunk, (size_t)n)) {
		dprintf(ready, "stream: %s %s\n", acc_error(&src), acc_error(&dst));
		_exit(1);
	}
	if (close_devices) {
		acc_close(&src);
		acc_close(&dst);
	}
	fprintf(f, "ready\n");
	dprintf(ready, "ok\n");
	close(ready);
	while (!stop)
		pause();
	r1 = read(sfd, chunk, sizeof(chunk));
	r1 = r1 < 0 ? -errno : r1;
	r2 = write(rfd, chunk, 8);
	r2 = r2 < 0 ? -errno : r2;
	fprintf(f, "save-read=%s resume-write=%s\n", io_result(r1), io_result(r2));
	fprintf(f, "closing\n");
	close(sfd);
	close(rfd);
	if (!close_devices) {
		acc_close(&src);
		acc_close(&dst);
	}
	fclose(f);
	_exit(0);
}

static int hold_mig(int argc, char **argv)
{
	struct hold_args a = {
		.close_devices = argc > 0 && !strcmp(argv[0], "--close"),
	};

	if (a.close_devices) {
		argc--;
		argv++;
	}
	if (argc != 3)
		return 2;
	a.out = argv[0];
	a.src_uuid = argv[1];
	a.dst_uuid = argv[2];
	return hold_spawn("unload: hold-mig", hold_child, &a);
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "try"))
		return try_unload();
	if (argc >= 2 && !strcmp(argv[1], "hold-mig"))
		return hold_mig(argc - 2, argv + 2);
	fprintf(stderr, "usage: unload try | hold-mig [--close] OUT SRC DST\n");
	return 2;
}
