/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * accctl: error reporting, string vectors and small parsers.
 *
 * Error convention: a function that returns -1 has recorded one line of
 * text with acc_err(); main() prints it once, prefixed with "accctl: ".
 * Functions that return a negative errno (the sysfs layer) record
 * nothing, so their callers can add context.
 */
#ifndef ACCCTL_UTIL_H
#define ACCCTL_UTIL_H

#include <stdbool.h>
#include <stddef.h>

/* Exit statuses shared by every verb. */
#define EXIT_COMPATIBLE		0
#define EXIT_INCOMPATIBLE	1
#define EXIT_ERROR		2

#define ACC_FORMAT(a, b)	__attribute__((format(printf, a, b)))

/* Record the error line (the last one wins); always returns -1. */
int acc_err(const char *fmt, ...) ACC_FORMAT(1, 2);
/* The recorded line, or NULL. */
const char *acc_errmsg(void);

/* "ENODEV"-style name of a positive errno, or "E?" if unknown. */
const char *errno_name(int err);

/* A growable, NULL-terminated vector of owned strings. */
struct strv {
	char **v;
	size_t n;
	size_t cap;
};

int strv_add(struct strv *sv, const char *s);
void strv_sort(struct strv *sv);	/* natural order: accmdev2 < accmdev10 */
void strv_free(struct strv *sv);

void *xcalloc(size_t n, size_t size);

/* Decimal without sign or junk, at most @max; 0 or -1 (no message). */
int parse_uint(const char *s, unsigned long max, unsigned long *out);

/* A plain directory-entry name: no '/', not empty, not "." or "..". */
bool name_ok(const char *s);

#define UUID_LEN 36
/* Canonical lowercase 8-4-4-4-12 form of @s into @out; false if not a UUID. */
bool uuid_normalize(const char *s, char out[UUID_LEN + 1]);
/* A random (version 4) UUID. */
int uuid_generate(char out[UUID_LEN + 1]);

#endif /* ACCCTL_UTIL_H */
