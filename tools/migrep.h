/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * accctl: what migrate, send and receive report, as text or JSON.
 */
#ifndef ACCCTL_MIGREP_H
#define ACCCTL_MIGREP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "accmig.h"

/* MIG_SENT: a one-way send wrote its whole stream (the receiver knows
 * the rest). */
enum mig_result { MIG_DONE, MIG_REFUSED, MIG_FAILED, MIG_SENT };

struct mig_report {
	const char *verb;		/* "migrate", "send" or "receive" */
	const char *source;		/* UUID or peer address */
	const char *destination;
	enum mig_result result;
	int err;			/* errno of a refusal or failure */
	const char *phase;		/* where it happened, or NULL */
	char msg[512];
	bool precopy;			/* pre-copy rounds were run */
	bool receiver;			/* st counts what arrived */
	const struct acc_mig_stats *st;	/* NULL: no device state moved */
	uint64_t bytes;			/* device state bytes moved */
	int64_t downtime_ns;		/* -1: not known on this side */
	int64_t total_ns;
	FILE *out;			/* NULL: stdout */
};

/* The exit status for @r: 0 migrated or sent, 1 refused, 2 failed. */
int mig_report_print(const struct mig_report *r, bool json);

/* Is @err what a destination answers for an incompatible source? */
bool mig_refusal_errno(int err);

#endif /* ACCCTL_MIGREP_H */
