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
 *
 *   -k   after the result, print the message of every kernel log record
 *        logged while the file was open and written (read from /dev/kmsg),
 *        one per line: what the store logged, without a dmesg pipeline.
 *
 *   swrite -e ERRNO [-n|-x] FILE VALUE...
 *        a table in one process: one write(2) per VALUE; print
 *        "VALUE -> RESULT" for each VALUE whose result is not ERRNO (OK
 *        for success), with bytes outside printable ASCII and the
 *        backslash escaped as \xHH. Exits 0 when every VALUE got ERRNO.
 *
 * In the test guest a process costs up to a second on the debug kernel;
 * -k and -e replace one process per log check and per table entry.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum mode { PLAIN, NEWLINE, HEX, REPEAT };

static int usage(void)
{
	fprintf(stderr,
		"usage: swrite [-k] [-n] FILE VALUE | [-k] -x FILE HEX | [-k] -r FILE N BYTE\n"
		"       swrite -e ERRNO [-n|-x] FILE VALUE...\n");
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

/* The bytes VALUE stands for in MODE; NULL on a bad hex string. */
static char *bytes_of(enum mode mode, const char *value, size_t *len)
{
	size_t n = strlen(value), i;
	char *buf;

	if (mode == HEX) {
		if (n % 2)
			return NULL;
		buf = malloc(n / 2 + 1);
		if (!buf)
			return NULL;
		for (i = 0; i < n / 2; i++) {
			int hi = hexval(value[2 * i]), lo = hexval(value[2 * i + 1]);

			if (hi < 0 || lo < 0) {
				free(buf);
				return NULL;
			}
			buf[i] = (char)(hi * 16 + lo);
		}
		*len = n / 2;
		return buf;
	}
	buf = malloc(n + 2);
	if (!buf)
		return NULL;
	memcpy(buf, value, n);
	if (mode == NEWLINE)
		buf[n++] = '\n';
	*len = n;
	return buf;
}

/* One open and one write(2): "OK", "SHORT" or the errno name. */
static const char *write_once(const char *path, const char *buf, size_t len)
{
	ssize_t done;
	int fd, err;

	fd = open(path, O_WRONLY);
	if (fd < 0)
		return strerrorname_np(errno);
	done = write(fd, buf, len);
	err = errno;
	close(fd);
	if (done < 0)
		return strerrorname_np(err);
	return (size_t)done == len ? "OK" : "SHORT";
}

/* /dev/kmsg, positioned after the last record; -1 if it cannot be read. */
static int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);

	if (fd >= 0 && lseek(fd, 0, SEEK_END) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Print the message of each record after the position: a record is
 * "PRIO,SEQ,USEC,FLAGS;MESSAGE\n" and continuation lines; one read(2)
 * returns one record. EPIPE means records were overwritten: go on.
 */
static void kmsg_print(int fd)
{
	char rec[8192];
	ssize_t n;

	for (;;) {
		char *msg, *end;

		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;
		if (n <= 0)
			break;
		rec[n] = '\0';
		msg = strchr(rec, ';');
		if (!msg)
			continue;
		msg++;
		end = strchr(msg, '\n');
		if (end)
			*end = '\0';
		printf("%s\n", msg);
	}
}

static void print_escaped(const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c > 0x7e || c == '\\')
			printf("\\x%02x", c);
		else
			putchar(c);
	}
}

static int table(const char *want, enum mode mode, const char *path,
		 char **values, int count)
{
	int i, bad = 0;

	for (i = 0; i < count; i++) {
		const char *got;
		size_t len;
		char *buf = bytes_of(mode, values[i], &len);

		if (!buf)
			return usage();
		got = write_once(path, buf, len);
		free(buf);
		if (!strcmp(got, want))
			continue;
		print_escaped(values[i]);
		printf(" -> %s\n", got);
		bad = 1;
	}
	return bad;
}

int main(int argc, char **argv)
{
	const char *want = NULL, *got;
	enum mode mode = PLAIN;
	bool kmsg = false;
	char *buf = NULL;
	size_t len = 0;
	int opt, kfd = -1;

	while ((opt = getopt(argc, argv, "+nxrke:")) != -1) {
		switch (opt) {
		case 'n':
			mode = NEWLINE;
			break;
		case 'x':
			mode = HEX;
			break;
		case 'r':
			mode = REPEAT;
			break;
		case 'k':
			kmsg = true;
			break;
		case 'e':
			want = optarg;
			break;
		default:
			return usage();
		}
	}
	argv += optind;
	argc -= optind;

	if (want) {
		if (argc < 1 || mode == REPEAT || kmsg)
			return usage();
		return table(want, mode, argv[0], argv + 1, argc - 1);
	}
	if (mode == REPEAT) {
		if (argc != 3)
			return usage();
		len = strtoul(argv[1], NULL, 10);
		buf = malloc(len + 1);
		if (buf)
			memset(buf, atoi(argv[2]), len);
	} else {
		if (argc != 2)
			return usage();
		buf = bytes_of(mode, argv[1], &len);
	}
	if (!buf)
		return usage();

	if (kmsg) {
		kfd = kmsg_open();
		if (kfd < 0) {
			perror("swrite: /dev/kmsg");
			free(buf);
			return 2;
		}
	}
	got = write_once(argv[0], buf, len);
	free(buf);
	printf("%s\n", got);
	if (kfd >= 0) {
		kmsg_print(kfd);
		close(kfd);
	}
	return strcmp(got, "OK") ? 1 : 0;
}
