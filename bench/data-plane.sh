#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The data-plane benchmark: throughput of every algorithm through an
# accmdev device (requests/s and MB/s at 4 KiB, 64 KiB and 1 MiB), next
# to the same algorithm computed in user space in the same guest, as a
# ratio. Builds into build/bench-dp/ and nowhere else:
#
#   accmdev/    accmdev.ko for the kernel
#   dpbench     the timing loops (bench/dpbench.c, on tools/vfio/accvfio)
#
# then boots that kernel once, runs bench/data-plane.bats inside and
# writes the figures to build/bench-dp/results.txt. Figures, never test
# assertions: under QEMU TCG both sides are emulated, so only the ratio
# means much.
#
# usage: bench/data-plane.sh [KVER]   (default: the 6.12 kernel of
#                                      'make deps')
# BENCH_SECONDS sets the time per measurement (default 2).
set -euo pipefail
. "$(dirname "$0")/../tests/vm/common.sh"
. "$ACCMDEV_SRC/bench/lib.sh"
cd "$ACCMDEV_SRC"

bench_kernel "${1:-}"
out=build/bench-dp
mkdir -p "$out"
bench_build_accmdev "$out"

echo "bench: building dpbench"
${CC:-cc} -std=c11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -Itools/vfio -Idriver \
	-o "$out/dpbench" bench/dpbench.c tools/vfio/accvfio.c -lz -lcrypto

export ACCMDEV_GUEST_ENV="BENCH_SECONDS=${BENCH_SECONDS:-2}"
bench_run_vm "$out" data-plane
