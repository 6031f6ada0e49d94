/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the guest-side test programs share: TAP lines, the fatal exit,
 * a child that holds devices in the background, and saving a whole
 * migration stream into memory.
 */
#ifndef ACCMDEV_TESTLIB_H
#define ACCMDEV_TESTLIB_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct acc_dev;

/* Failed checks so far. */
extern int failures;

/*
 * One TAP line, "ok - ..." or "not ok - ..."; counts the failures.
 *
 * With ACCMDEV_TAP_FD=N in the environment (tests/bats/helpers/
 * common.bash sets 3, bats' TAP stream), each check of the program's own
 * process is also written to fd N as a subtest of the bats test that
 * runs it: "    # Subtest: PROGRAM ARGS" before the first, "    ok K -
 * ..." for each, and the plan "    1..K" when the program exits. A
 * program that crashes, aborts or is killed leaves its subtest without
 * a plan, which tests/lib/tapjudge.awk counts as a failure.
 */
__attribute__((format(printf, 2, 3)))
void check(int ok, const char *fmt, ...);

/* "not ok - WHAT: <the device's last error>", also on stderr; exit 1. */
__attribute__((noreturn))
void die(struct acc_dev *d, const char *what);

/*
 * In a forked child that holds devices for a test: stdio goes to
 * /dev/null and the child's own report to the line-buffered file @out.
 * Returns that file, or exits the child.
 */
FILE *hold_child_detach(const char *out);

/*
 * Fork a holder and wait until it holds what it should: @child runs in
 * the child with nothing of the caller's open (bats' pipes, fd 3) but
 * @ready, on which it writes "ok\n" once ready or a line saying what
 * failed, and never returns. Prints the child's pid and returns 0, or
 * returns 1 with the child's message on stderr after "@what: ".
 */
int hold_spawn(const char *what, void (*child)(int ready, void *arg),
	       void *arg);

/*
 * The whole stop-copy stream of @d, from RUNNING, into @buf; then the
 * device goes to @end_state (ACC_MIG_RUNNING or ACC_MIG_STOP). Dies on
 * any error. Returns the stream's length.
 */
size_t save_stream(struct acc_dev *d, uint8_t *buf, size_t cap,
		   uint32_t end_state);

#endif
