/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * target_of(): the destination a hand-built stream's model migrates to
 * (the same device, migratable), for the unit test and
 * the fuzzer of tests/stream. Include after cases.h and mig_stream.h.
 */
#ifndef ACCMDEV_TESTS_STREAM_TARGET_H
#define ACCMDEV_TESTS_STREAM_TARGET_H

#include <string.h>

static inline void target_of(const struct sc_model *m,
			     struct accmdev_mig_target *t)
{
	memset(t, 0, sizeof(*t));
	t->dst.migratable = true;
	t->dst.kind = m->device_id == ACCMDEV_PCI_DEVICE_SEC ? ACCMDEV_KIND_SEC :
							    ACCMDEV_KIND_ZIP;
	t->dst.qps = m->nqps;
	t->dst.rev = m->rev;
	t->dst.algs = m->algs;
	t->device_id = m->device_id;
}

#endif
