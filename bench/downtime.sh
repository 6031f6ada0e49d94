#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The stop-copy downtime benchmark (bench/README.md, "Downtime under
# load"): one 16-QP device migrated to another (tests/bin/accbound
# downtime, no pre-copy) while idle, and while every QP holds 15
# level-9 deflates of 1 MiB of random bytes from a two-letter alphabet,
# the slowest work a guest can queue. Builds into build/bench-down/ and
# nowhere else, boots the kernel once, runs bench/downtime.bats inside
# and writes the figures to build/bench-down/results.txt.
#
# usage: bench/downtime.sh [KVER]   (default: the 6.12 kernel of
#                                    'make deps')
# BENCH_ROUNDS (5) migrations of each kind, interleaved.
set -euo pipefail
. "$(dirname "$0")/../tests/vm/common.sh"
. "$ACCMDEV_SRC/bench/lib.sh"
cd "$ACCMDEV_SRC"

bench_kernel "${1:-}"
out=build/bench-down
mkdir -p "$out"
bench_build_accmdev "$out"

echo "bench: building accbound"
${CC:-cc} -std=c11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -Itools/vfio -Idriver \
	-o "$out/accbound" tests/bin/accbound.c tools/vfio/accvfio.c \
	tools/vfio/accmig.c tests/bin/testlib.c

export ACCMDEV_GUEST_ENV="BENCH_ROUNDS=${BENCH_ROUNDS:-5}"
bench_run_vm "$out" downtime
