#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The migration benchmark (bench/README.md): stop-copy downtime, total
# time and device bytes of a live migration driven by QEMU 10 against the
# QP count and with work in flight, the kernel's mtty sample beside the
# smallest accmdev type, and accctl migrate (the device alone). Builds
# into build/bench-mig/ and nowhere else:
#
#   accmdev/   accmdev.ko for the kernel
#   mtty/      the mtty sample from Debian's linux-source-6.12, against
#              the same headers (never committed: build/ is ignored)
#
# plus tools/build/accctl (the release build), then boots the kernel once,
# runs bench/migration.bats inside and writes the figures to
# build/bench-mig/results.txt.
#
# usage: bench/migration.sh [KVER]   (default: the 6.12 kernel of
#                                     'make deps')
# BENCH_ROUNDS (10) migrations per type, idle; BENCH_REPEAT (5) with
# work in flight.
set -euo pipefail
. "$(dirname "$0")/../tests/vm/common.sh"
. "$ACCMDEV_SRC/bench/lib.sh"
cd "$ACCMDEV_SRC"

bench_kernel "${1:-}"
v=$(qemu-system-x86_64 --version | sed -n 's/^QEMU emulator version \([0-9]*\)\..*/\1/p')
[ "${v:-0}" -ge 10 ] || die "bench: QEMU ${v:-?} is older than 10; run: make deps"
out=build/bench-mig
mkdir -p "$out"
bench_build_accmdev "$out"
bench_build_mtty "$out"
echo "bench: building accctl"
make -s -C tools >"$out/tools.log" 2>&1 || die "bench: tools build failed, see $out/tools.log"
export ACCMDEV_GUEST_ENV="BENCH_ROUNDS=${BENCH_ROUNDS:-10} BENCH_REPEAT=${BENCH_REPEAT:-5}"
bench_run_vm "$out" migration
