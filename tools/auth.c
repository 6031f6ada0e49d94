// SPDX-License-Identifier: GPL-2.0-only
/*
 * accctl: the shared secret of send and receive. See auth.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nettle/hmac.h>
#include <nettle/memops.h>

#include "auth.h"
#include "util.h"

static const char *const labels[] = {
	[AUTH_SENDER] = "accctl send",
	[AUTH_RECEIVER] = "accctl receive",
};

int auth_read_secret(const char *path, struct auth_secret *s)
{
	uint8_t buf[AUTH_SECRET_MAX + 2];
	struct stat st;
	size_t len = 0;
	ssize_t n;
	int fd;

	memset(s, 0, sizeof(*s));
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return acc_err("secret file %s: %s", path, strerror(errno));
	if (fstat(fd, &st)) {
		close(fd);
		return acc_err("secret file %s: %s", path, strerror(errno));
	}
	if (S_ISREG(st.st_mode) && (st.st_mode & (S_IRGRP | S_IROTH))) {
		close(fd);
		return acc_err("secret file %s is readable by others (chmod 600 it)",
			       path);
	}
	while (len < sizeof(buf)) {
		n = read(fd, buf + len, sizeof(buf) - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			close(fd);
			return acc_err("secret file %s: %s", path,
				       strerror(errno));
		}
		if (!n)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (len && buf[len - 1] == '\n')
		len--;
	if (len < AUTH_SECRET_MIN || len > AUTH_SECRET_MAX) {
		memset(buf, 0, sizeof(buf));
		return acc_err("secret file %s: the secret must be %d to %d bytes",
			       path, AUTH_SECRET_MIN, AUTH_SECRET_MAX);
	}
	memcpy(s->key, buf, len);
	s->len = len;
	memset(buf, 0, sizeof(buf));
	return 0;
}

int auth_nonce(uint8_t nonce[AUTH_NONCE_LEN])
{
	size_t got = 0;
	ssize_t n;

	while (got < AUTH_NONCE_LEN) {
		n = getrandom(nonce + got, AUTH_NONCE_LEN - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return acc_err("getrandom: %s", strerror(errno));
		got += (size_t)n;
	}
	return 0;
}

void auth_proof(const struct auth_secret *s, enum auth_role role,
		const uint8_t nr[AUTH_NONCE_LEN],
		const uint8_t ns[AUTH_NONCE_LEN], uint8_t mac[AUTH_MAC_LEN])
{
	struct hmac_sha256_ctx ctx;

	hmac_sha256_set_key(&ctx, s->len, s->key);
	hmac_sha256_update(&ctx, strlen(labels[role]),
			   (const uint8_t *)labels[role]);
	hmac_sha256_update(&ctx, AUTH_NONCE_LEN, nr);
	hmac_sha256_update(&ctx, AUTH_NONCE_LEN, ns);
	hmac_sha256_digest(&ctx, AUTH_MAC_LEN, mac);
	memset(&ctx, 0, sizeof(ctx));
}

bool auth_check(const struct auth_secret *s, enum auth_role role,
		const uint8_t nr[AUTH_NONCE_LEN],
		const uint8_t ns[AUTH_NONCE_LEN],
		const uint8_t mac[AUTH_MAC_LEN])
{
	uint8_t want[AUTH_MAC_LEN];
	bool ok;

	auth_proof(s, role, nr, ns, want);
	ok = memeql_sec(want, mac, AUTH_MAC_LEN);
	memset(want, 0, sizeof(want));
	return ok;
}

void auth_wipe(struct auth_secret *s)
{
	memset(s, 0, sizeof(*s));
}
