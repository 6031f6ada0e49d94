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
cd "$ACCMDEV_SRC"

kver=${1:-$(matrix_kernels | grep '^6\.12' | head -n 1)}
[ -n "$kver" ] || die "bench: no 6.12 kernel in $ACCMDEV_CACHE/matrix; run: make deps"
kdir=$(kernel_kdir "$kver")
[ -f "$kdir/Makefile" ] || die "bench: no headers for $kver; run: make deps"
src=/usr/src/linux-source-6.12.tar.xz
[ -f "$src" ] || die "bench: no $src; run: make deps"
out=build/bench
mkdir -p "$out"

echo "bench: building accmdev for $kver"
rm -rf "$out/accmdev"
mkdir -p "$out/accmdev"
tar -c --exclude='*.o' --exclude='*.ko' --exclude='*.cmd' --exclude='*.mod' \
	--exclude='*.mod.c' --exclude='*.order' Kbuild driver | tar -x -C "$out/accmdev"
make -s -C "$kdir" M="$PWD/$out/accmdev" modules >"$out/accmdev.log" 2>&1 ||
	die "bench: accmdev build failed, see $out/accmdev.log"

echo "bench: building mtty from $src"
rm -rf "$out/mtty"
mkdir -p "$out/mtty"
tar -xJf "$src" -C "$out/mtty" --strip-components=3 \
	--wildcards '*/samples/vfio-mdev/mtty.c'
echo 'obj-m := mtty.o' >"$out/mtty/Kbuild"
make -s -C "$kdir" M="$PWD/$out/mtty" modules >"$out/mtty.log" 2>&1 ||
	die "bench: mtty build failed, see $out/mtty.log"

echo "bench: building cpbench"
${CC:-cc} -std=c11 -O2 -Wall -Wextra -Werror -o "$out/cpbench" bench/cpbench.c

echo "bench: running in a $kver guest (this takes a while)"
env ${BENCH_CYCLES:+ACCMDEV_GUEST_ENV="BENCH_CYCLES=$BENCH_CYCLES BENCH_OPS=${BENCH_OPS:-2000} BENCH_MANY=${BENCH_MANY:-1024}"} \
	tests/vm/run --kernel "$kver" --module "$PWD/$out/accmdev/driver/accmdev.ko" \
	--out "$out/vm" --mode check "$PWD/bench/control-plane.bats"
tap=$out/vm/control-plane.tap
{
	echo "accmdev control-plane benchmark, $(date -u +%Y-%m-%dT%H:%MZ)"
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
