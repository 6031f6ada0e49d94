/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * accctl: the shared secret of send and receive over TCP, and the
 * HMAC-SHA256 challenge-response both ends answer with it (nettle's
 * HMAC-SHA256; see Documentation/accctl.rst, "Authentication").
 *
 * The receiver opens with a fresh random nonce; the sender answers with
 * its own nonce and its proof, the receiver with its proof:
 *
 *   sender proof   = HMAC-SHA256(secret, "accctl send"    || Nr || Ns)
 *   receiver proof = HMAC-SHA256(secret, "accctl receive" || Nr || Ns)
 *
 * Each side checks the other's proof (in constant time) before it goes
 * on: the receiver before it reads the sender's version string or opens
 * its device, the sender before it opens its device.
 */
#ifndef ACCCTL_AUTH_H
#define ACCCTL_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AUTH_NONCE_LEN		32
#define AUTH_MAC_LEN		32	/* SHA-256 */
#define AUTH_SECRET_MIN		16
#define AUTH_SECRET_MAX		1024

struct auth_secret {
	size_t len;			/* 0: none given */
	uint8_t key[AUTH_SECRET_MAX];
};

enum auth_role { AUTH_SENDER, AUTH_RECEIVER };

/*
 * Read the secret from @path: its bytes, less one trailing newline,
 * AUTH_SECRET_MIN to AUTH_SECRET_MAX of them. The file must not be
 * readable by group or others. 0, or -1 with a message.
 */
int auth_read_secret(const char *path, struct auth_secret *s);
/* AUTH_NONCE_LEN random bytes. 0, or -1 with a message. */
int auth_nonce(uint8_t nonce[AUTH_NONCE_LEN]);
/* @role's proof for the nonces. */
void auth_proof(const struct auth_secret *s, enum auth_role role,
		const uint8_t nr[AUTH_NONCE_LEN],
		const uint8_t ns[AUTH_NONCE_LEN], uint8_t mac[AUTH_MAC_LEN]);
/* Is @mac @role's proof? Compared in constant time. */
bool auth_check(const struct auth_secret *s, enum auth_role role,
		const uint8_t nr[AUTH_NONCE_LEN],
		const uint8_t ns[AUTH_NONCE_LEN],
		const uint8_t mac[AUTH_MAC_LEN]);
/* Forget the secret. */
void auth_wipe(struct auth_secret *s);

#endif /* ACCCTL_AUTH_H */
