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
cd "$ACCMDEV_SRC"

kver=${1:-$(matrix_kernels | grep '^6\.12' | head -n 1)}
[ -n "$kver" ] || die "bench: no 6.12 kernel in $ACCMDEV_CACHE/matrix; run: make deps"
kdir=$(kernel_kdir "$kver")
[ -f "$kdir/Makefile" ] || die "bench: no headers for $kver; run: make deps"
out=build/bench-dp
mkdir -p "$out"

echo "bench: building accmdev for $kver"
rm -rf "$out/accmdev"
mkdir -p "$out/accmdev"
tar -c --exclude='*.o' --exclude='*.ko' --exclude='*.cmd' --exclude='*.mod' \
	--exclude='*.mod.c' --exclude='*.order' Kbuild driver | tar -x -C "$out/accmdev"
make -s -C "$kdir" M="$PWD/$out/accmdev" modules >"$out/accmdev.log" 2>&1 ||
	die "bench: accmdev build failed, see $out/accmdev.log"

echo "bench: building dpbench"
${CC:-cc} -std=c11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -Itools/vfio -Idriver \
	-o "$out/dpbench" bench/dpbench.c tools/vfio/accvfio.c -lz -lcrypto

echo "bench: running in a $kver guest (this takes a few minutes)"
env ACCMDEV_GUEST_ENV="BENCH_SECONDS=${BENCH_SECONDS:-2}" \
	tests/vm/run --kernel "$kver" --module "$PWD/$out/accmdev/driver/accmdev.ko" \
	--out "$out/vm" --mode check "$PWD/bench/data-plane.bats"
tap=$out/vm/data-plane.tap
{
	echo "accmdev data-plane benchmark, $(date -u +%Y-%m-%dT%H:%MZ)"
	echo "host: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end;" \
		"guest: QEMU TCG ${ACCMDEV_KVM:+(KVM requested) }"
	sed -n 's/^# //p' "$tap" | grep -v -e '^exit ' -e '^(' -e '^ *$'
} >"$out/results.txt"
cat "$out/results.txt"
if grep -q '^not ok' "$tap"; then
	echo "bench: some measurements failed:" >&2
	grep -A5 '^not ok' "$tap" >&2
	exit 1
fi
if grep -aqE 'Oops|BUG:|WARNING:|KASAN|UBSAN' "$out/vm/dmesg.txt"; then
	echo "bench: the guest kernel log reports a bug, see $out/vm/dmesg.txt" >&2
	exit 1
fi
