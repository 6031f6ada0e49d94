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

/*
 * The subtest stream (see check() in testlib.h): a private copy of the
 * fd ACCMDEV_TAP_FD names, the process whose checks it carries (not a
 * forked child's), the checks written and the subtest's name.
 */
static int tap_fd = -1;
static pid_t tap_pid;
static int tap_checks;
static char tap_name[160];

static void tap_plan(void)
{
	if (tap_fd >= 0 && tap_checks && getpid() == tap_pid)
		dprintf(tap_fd, "    1..%d\n", tap_checks);
}

/* glibc passes main's arguments to constructors. */
__attribute__((constructor))
static void tap_init(int argc, char **argv)
{
	const char *env = getenv("ACCMDEV_TAP_FD");
	size_t len = 0;
	char *end;
	long fd;

	if (!env || !*env)
		return;
	fd = strtol(env, &end, 10);
	if (*end || fd < 0 || fd > 1023 || fcntl((int)fd, F_GETFD) < 0)
		return;
	/* Above what the program opens; closed in exec'd children. */
	tap_fd = fcntl((int)fd, F_DUPFD_CLOEXEC, 512);
	if (tap_fd < 0)
		return;
	tap_pid = getpid();
	for (int i = 0; i < argc && len < sizeof(tap_name) - 1; i++) {
		const char *a = i ? argv[i] : program_invocation_short_name;
		int n = snprintf(tap_name + len, sizeof(tap_name) - len, "%s%s",
				 i ? " " : "", a);

		if (n < 0)
			break;
		len += (size_t)n;
	}
	if (len >= sizeof(tap_name))
		len = sizeof(tap_name) - 1;
	/* The name is one line. */
	for (size_t i = 0; i < len; i++)
		if (tap_name[i] == '\n')
			tap_name[i] = ' ';
	atexit(tap_plan);
}

static void tap_check(int ok, const char *text)
{
	if (tap_fd < 0 || getpid() != tap_pid)
		return;
	if (!tap_checks)
		dprintf(tap_fd, "    # Subtest: %s\n", tap_name);
	tap_checks++;
	dprintf(tap_fd, "    %s %d - %s\n", ok ? "ok" : "not ok", tap_checks,
		text);
}

void check(int ok, const char *fmt, ...)
{
	char text[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	/* One line each, in both streams. */
	for (char *c = text; *c; c++)
		if (*c == '\n')
			*c = ' ';
	printf("%s - %s\n", ok ? "ok" : "not ok", text);
	fflush(stdout);
	tap_check(ok, text);
	if (!ok)
		failures++;
}

void die(struct acc_dev *d, const char *what)
{
	char text[512];

	fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name, what,
		d ? acc_error(d) : "");
	snprintf(text, sizeof(text), "%s: %s", what, d ? acc_error(d) : "");
	printf("not ok - %s\n", text);
	fflush(stdout);
	tap_check(0, text);
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
