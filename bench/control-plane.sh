#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The control-plane benchmark (bench/README.md). Builds, into build/bench/
# and never anywhere else:
#
#   accmdev/     accmdev.ko for the kernel
#   mtty/        the kernel's mtty sample, from Debian's linux-source-6.12,
#                against the same headers (never committed: build/ is
#                ignored)
#   cpbench      the timing loops (bench/cpbench.c)
#
# then boots that kernel once, runs bench/control-plane.bats inside and
# writes the figures to build/bench/results.txt.
#
# usage: bench/control-plane.sh [KVER]    (default: the 6.12 kernel of
#                                          'make deps')
# BENCH_CYCLES, BENCH_OPS and BENCH_MANY change the loop sizes (200, 2000,
# 1024).
set -euo pipefail
. "$(dirname "$0")/../tests/vm/common.sh"
. "$ACCMDEV_SRC/bench/lib.sh"
cd "$ACCMDEV_SRC"

bench_kernel "${1:-}"
out=build/bench
mkdir -p "$out"
bench_build_accmdev "$out"
bench_build_mtty "$out"

echo "bench: building cpbench"
${CC:-cc} -std=c11 -O2 -Wall -Wextra -Werror -o "$out/cpbench" bench/cpbench.c

export ACCMDEV_GUEST_ENV=${BENCH_CYCLES:+"BENCH_CYCLES=$BENCH_CYCLES BENCH_OPS=${BENCH_OPS:-2000} BENCH_MANY=${BENCH_MANY:-1024}"}
bench_run_vm "$out" control-plane
