// SPDX-License-Identifier: GPL-2.0-only
/*
 * swrite: write a value to a file in exactly one write(2) and report the
 * result as an errno name, so that tests can assert which errno a sysfs
 * store returned.
 *
 *   swrite FILE VALUE        write VALUE as given (no newline added)
 *   swrite -n FILE VALUE     append one newline
 *   swrite -x FILE HEX       write the bytes spelled in hex ("00ff41")
 *   swrite -r FILE N BYTE    write N copies of the byte BYTE (decimal)
 *
 * Prints "OK" and exits 0 on success, or prints the errno name (EINVAL,
 * ...) and exits 1. Usage errors exit 2.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int usage(void)
{
	fprintf(stderr, "usage: swrite [-n] FILE VALUE | -x FILE HEX | -r FILE N BYTE\n");
	return 2;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static char *from_hex(const char *hex, size_t *len)
{
	size_t n = strlen(hex), i;
	char *buf;

	if (n % 2)
		return NULL;
	buf = malloc(n / 2 + 1);
	if (!buf)
		return NULL;
	for (i = 0; i < n / 2; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			free(buf);
			return NULL;
		}
		buf[i] = (char)(hi * 16 + lo);
	}
	*len = n / 2;
	return buf;
}

int main(int argc, char **argv)
{
	const char *path;
	char *buf = NULL;
	size_t len = 0;
	ssize_t done;
	int fd, err;

	if (argc == 4 && !strcmp(argv[1], "-x")) {
		buf = from_hex(argv[3], &len);
	} else if (argc == 5 && !strcmp(argv[1], "-r")) {
		len = strtoul(argv[3], NULL, 10);
		buf = malloc(len + 1);
		if (buf)
			memset(buf, atoi(argv[4]), len);
	} else if (argc == 4 && !strcmp(argv[1], "-n")) {
		len = strlen(argv[3]);
		buf = malloc(len + 2);
		if (buf) {
			memcpy(buf, argv[3], len);
			buf[len++] = '\n';
		}
	} else if (argc == 3 && argv[1][0] != '-') {
		len = strlen(argv[2]);
		buf = strdup(argv[2]);
	} else {
		return usage();
	}
	if (!buf)
		return usage();
	path = argv[argc == 3 ? 1 : 2];

	fd = open(path, O_WRONLY);
	if (fd < 0) {
		printf("%s\n", strerrorname_np(errno));
		free(buf);
		return 1;
	}
	done = write(fd, buf, len);
	err = errno;
	close(fd);
	free(buf);
	if (done < 0) {
		printf("%s\n", strerrorname_np(err));
		return 1;
	}
	if ((size_t)done != len) {
		printf("SHORT\n");
		return 1;
	}
	printf("OK\n");
	return 0;
}
