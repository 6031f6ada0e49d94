/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tap(): one TAP result line of a host test program (tests/unit,
 * tests/stream), numbered in order; tap_failed counts the failures for
 * the program's exit status. Included once, by the program's main file.
 */
#ifndef ACCMDEV_TESTS_TAP_H
#define ACCMDEV_TESTS_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static unsigned int tap_n, tap_failed;

static bool tap(bool cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static bool tap(bool cond, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	if (!cond)
		tap_failed++;
	printf("%s %u - ", cond ? "ok" : "not ok", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	return cond;
}

#endif
