// SPDX-License-Identifier: GPL-2.0-only
/*
 * accctl: error reporting, string vectors and small parsers.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "util.h"

static char errbuf[512];

int acc_err(const char *fmt, ...)
{
	va_list ap;
	char *nl;

	va_start(ap, fmt);
	vsnprintf(errbuf, sizeof(errbuf), fmt, ap);
	va_end(ap);
	/* One line, whatever the pieces held. */
	while ((nl = strchr(errbuf, '\n')))
		*nl = ' ';
	return -1;
}

const char *acc_errmsg(void)
{
	return errbuf[0] ? errbuf : NULL;
}

const char *errno_name(int err)
{
	const char *name = strerrorname_np(err);

	return name ? name : "E?";
}

int strv_add(struct strv *sv, const char *s)
{
	char *copy;

	if (sv->n + 1 >= sv->cap) {
		size_t cap = sv->cap ? sv->cap * 2 : 16;
		char **v = realloc(sv->v, cap * sizeof(*v));

		if (!v)
			return acc_err("out of memory");
		sv->v = v;
		sv->cap = cap;
	}
	copy = strdup(s);
	if (!copy)
		return acc_err("out of memory");
	sv->v[sv->n++] = copy;
	sv->v[sv->n] = NULL;
	return 0;
}

static int strv_cmp(const void *a, const void *b)
{
	return strverscmp(*(char * const *)a, *(char * const *)b);
}

void strv_sort(struct strv *sv)
{
	if (sv->n)
		qsort(sv->v, sv->n, sizeof(*sv->v), strv_cmp);
}

void strv_free(struct strv *sv)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	memset(sv, 0, sizeof(*sv));
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p) {
		fputs("accctl: out of memory\n", stderr);
		exit(EXIT_ERROR);
	}
	return p;
}

int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long val = 0;
	const char *p;

	if (!s || !*s)
		return -1;
	for (p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		if (val > (max - (unsigned long)(*p - '0')) / 10)
			return -1;
		val = val * 10 + (unsigned long)(*p - '0');
	}
	*out = val;
	return 0;
}

bool name_ok(const char *s)
{
	return *s && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..");
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool uuid_normalize(const char *s, char out[UUID_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	if (strlen(s) != UUID_LEN)
		return false;
	for (i = 0; i < UUID_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
			out[i] = '-';
		} else {
			int v = hexval(s[i]);

			if (v < 0)
				return false;
			out[i] = digits[v];
		}
	}
	out[UUID_LEN] = '\0';
	return true;
}

int uuid_generate(char out[UUID_LEN + 1])
{
	unsigned char b[16];
	ssize_t n;

	do
		n = getrandom(b, sizeof(b), 0);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(b))
		return acc_err("cannot get random bytes for a UUID");
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);	/* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);	/* RFC 4122 variant */
	snprintf(out, UUID_LEN + 1,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
		 b[10], b[11], b[12], b[13], b[14], b[15]);
	return 0;
}
