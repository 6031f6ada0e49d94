// SPDX-License-Identifier: GPL-2.0-only
/* See testlib.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accmig.h"
#include "accvfio.h"
#include "testlib.h"

int failures;

void check(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s - ", ok ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!ok)
		failures++;
}

void die(struct acc_dev *d, const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name, what,
		d ? acc_error(d) : "");
	printf("not ok - %s: %s\n", what, d ? acc_error(d) : "");
	exit(1);
}

FILE *hold_child_detach(const char *out)
{
	int null = open("/dev/null", O_RDWR);
	FILE *f = fopen(out, "w");

	if (null < 0 || !f)
		_exit(1);
	dup2(null, 0);
	dup2(null, 1);
	dup2(null, 2);
	if (null > 2)
		close(null);
	setvbuf(f, NULL, _IOLBF, 0);
	return f;
}

int hold_spawn(const char *what, void (*child)(int ready, void *arg),
	       void *arg)
{
	char msg[512] = "";
	int fds[2];
	pid_t pid;
	ssize_t n;

	if (pipe(fds))
		return 1;
	pid = fork();
	if (pid < 0)
		return 1;
	if (!pid) {
		close(fds[0]);
		for (int fd = 3; fd < 1024; fd++)
			if (fd != fds[1])
				close(fd);
		child(fds[1], arg);
		_exit(1);
	}
	close(fds[1]);
	n = read(fds[0], msg, sizeof(msg) - 1);
	close(fds[0]);
	msg[n > 0 ? n : 0] = '\0';
	if (strcmp(msg, "ok\n")) {
		fprintf(stderr, "%s: %s", what, n > 0 ? msg : "child failed\n");
		return 1;
	}
	printf("%d\n", pid);
	return 0;
}

size_t save_stream(struct acc_dev *d, uint8_t *buf, size_t cap,
		   uint32_t end_state)
{
	size_t len = 0;
	ssize_t n;
	int fd;

	if (acc_mig_set_state(d, ACC_MIG_STOP_COPY, &fd) || fd < 0)
		die(d, "RUNNING -> STOP_COPY");
	do {
		n = acc_mig_read(d, fd, buf + len, cap - len, 30000);
		if (n < 0)
			die(d, "reading the stream");
		len += (size_t)n;
	} while (n && len < cap);
	close(fd);
	if (acc_mig_set_state(d, end_state, NULL))
		die(d, end_state == ACC_MIG_STOP ? "STOP_COPY -> STOP" :
			"STOP_COPY -> RUNNING");
	return len;
}
