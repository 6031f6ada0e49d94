/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * accctl: check SRC --export FILE, another host's verdicts, offline.
 */
#ifndef ACCCTL_CHECK_EXPORT_H
#define ACCCTL_CHECK_EXPORT_H

#include <stdbool.h>

#include "node.h"

/*
 * Print each type of the export in @file with its verdict on @src.
 * Returns the exit status: 0 if a type accepts and has an available
 * instance, 1 if none does, 2 (with a message) if @file is unusable.
 */
int check_export(const struct acc_source *src, const char *file, bool json);

#endif /* ACCCTL_CHECK_EXPORT_H */
