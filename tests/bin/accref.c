// SPDX-License-Identifier: GPL-2.0-only
/*
 * accref: user-space references for the device tests.
 *
 *   accref crc32c FILE...   "%08x  FILE" per file, like accrun
 *   accref adler32 FILE...
 *   accref gen DIR          the test inputs, see below
 *
 * gen writes, in DIR: r0 r1 r4095 r4096 r65536 r1m (pseudo-random, of
 * that many bytes) and t1m (1 MiB of compressible text).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accref.h"

static int sum_file(const char *alg, const char *name)
{
	uint32_t crc = ~0u, adler = 1;
	uint8_t buf[65536];
	FILE *f = fopen(name, "rb");
	size_t n;

	if (!f) {
		fprintf(stderr, "accref: %s: %s\n", name, strerror(errno));
		return 1;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		crc = ref_crc32c_update(crc, buf, n);
		adler = ref_adler32_update(adler, buf, n);
	}
	if (ferror(f)) {
		fprintf(stderr, "accref: %s: read error\n", name);
		fclose(f);
		return 1;
	}
	fclose(f);
	printf("%08x  %s\n", strcmp(alg, "crc32c") ? adler : ~crc, name);
	return 0;
}

static int write_file(const char *dir, const char *name, const uint8_t *p,
		      size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, "accref: %s: %s\n", path, strerror(errno));
		return 1;
	}
	return 0;
}

static int gen(const char *dir)
{
	static const struct { const char *name; size_t len; } files[] = {
		{ "r0", 0 }, { "r1", 1 }, { "r4095", 4095 }, { "r4096", 4096 },
		{ "r65536", 65536 }, { "r1m", 1 << 20 },
	};
	static const char *const words[] = {
		"queue ", "pair ", "submission ", "completion ", "doorbell ",
		"accelerator ", "mediated ", "device ", "ring ", "phase\n",
	};
	size_t len = 1 << 20, off = 0;
	uint8_t *buf = malloc(len), pick[1];
	int rc = 0;

	if (!buf)
		return 1;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		ref_fill(buf, files[i].len, i + 1);
		rc |= write_file(dir, files[i].name, buf, files[i].len);
	}
	for (uint64_t seed = 1; off < len; seed++) {
		size_t n;

		ref_fill(pick, 1, seed);
		n = strlen(words[pick[0] % 10]);
		if (n > len - off)
			n = len - off;
		memcpy(buf + off, words[pick[0] % 10], n);
		off += n;
	}
	rc |= write_file(dir, "t1m", buf, len);
	free(buf);
	return rc;
}

int main(int argc, char **argv)
{
	int rc = 0;

	if (argc == 3 && !strcmp(argv[1], "gen"))
		return gen(argv[2]);
	if (argc < 3 || (strcmp(argv[1], "crc32c") && strcmp(argv[1], "adler32"))) {
		fprintf(stderr, "usage: accref crc32c|adler32 FILE... | accref gen DIR\n");
		return 2;
	}
	for (int i = 2; i < argc; i++)
		rc |= sum_file(argv[1], argv[i]);
	return rc;
}
