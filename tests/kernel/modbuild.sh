#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# tests/kernel/modbuild.sh KVER OUTDIR: build accmdev for KVER, a kernel
# cached by make deps ($ACCMDEV_CACHE/kernels/KVER), in OUTDIR, with the
# toolchain that kernel needs (tests/kernel/toolchain.sh): the host's
# compiler, or the chroot of the kernel's Debian release. Prints the path
# of accmdev.ko on stdout. The build log goes to OUTDIR/build.log; its
# first line names the compiler and where it ran. Fails on any compiler
# or modpost warning as well as on errors.
#
# KDIR=<headers> builds against another unpacked tree of headers (the
# sweep's); the toolchain is the one its .release names, unless
# ACCMDEV_RELEASE=<release> (empty: the host's) says otherwise.
#
# Used by tests/check.sh, tests/vm/demo, bench/lib.sh and
# tests/kernel/sweep.sh: this is the one place a module is built.
set -euo pipefail
. "$(dirname "$0")/../vm/common.sh"
. "$ACCMDEV_SRC/tests/kernel/debian.sh"
. "$ACCMDEV_SRC/tests/kernel/toolchain.sh"

[ $# = 2 ] || die "usage: tests/kernel/modbuild.sh KVER OUTDIR"
kver=$1
out=$2
kdir=${KDIR:-$(kernel_kdir "$kver")}
[ -f "$kdir/Makefile" ] || die "no headers for $kver in $kdir; run: make deps"
# The unpacked packages' root: <root>/usr/src/linux-headers-<kver>.
kroot=$(cd "$kdir/../../.." && pwd)
rel=${ACCMDEV_RELEASE-$(kernel_release "$kroot")}
case "$out" in
'' | / | "$ACCMDEV_SRC" | "$ACCMDEV_SRC/") die "modbuild: refusing OUTDIR '$out'" ;;
esac
mkdir -p "$out"
out=$(cd "$out" && pwd)
log=$out/build.log

# A fresh copy of the sources: the tree itself stays free of objects.
# kbuild cannot build an external module whose path has a space or a
# colon ("building multiple external modules is not supported"): such
# an OUTDIR gets its module from a build in a temporary directory.
bdir=$out
case "$out" in
*[[:space:]:]*)
	bdir=$(mktemp -d /tmp/accmdev-modbuild.XXXXXX)
	trap 'rm -rf "$bdir"' EXIT
	;;
esac
rm -rf "$bdir/Kbuild" "$bdir/VERSION" "$bdir/driver"
(cd "$ACCMDEV_SRC" && tar -c --exclude='*.o' --exclude='*.ko' --exclude='*.cmd' \
	--exclude='*.mod' --exclude='*.mod.c' --exclude='*.order' \
	--exclude='*.symvers' Kbuild VERSION driver) | tar -x -C "$bdir"

make_args=(-j"$(nproc)" -C "$kdir" M="$bdir" modules)
if [ -n "$rel" ]; then
	cc=$(kdir_cc "$kdir") || die "modbuild: no compiler named in $kdir/.config"
	[ -f "$(chroot_dir "$rel")/.packages" ] ||
		die "no $rel toolchain chroot for $kver; run: make deps"
	mapfile -t need < <(cat "$kroot/.toolchain" 2>/dev/null ||
		printf '%s\n' make libc6-dev "$cc")
	missing=$(chroot_missing "$rel" "${need[@]}" | tr '\n' ' ')
	[ -z "$missing" ] || die "the $rel chroot lacks $missing; run: make deps"
	echo "modbuild: $kver with $(kdir_cc_text "$kdir") in the $rel chroot" >"$log"
	in_chroot "$rel" "$kroot" "$bdir" -- make "${make_args[@]}" >>"$log" 2>&1 ||
		{ tail -n 30 "$log" >&2; die "module build for $kver failed (log: $log)"; }
else
	cc=$(kdir_cc "$kdir" || echo gcc)
	command -v "$cc" >/dev/null || die "no $cc for $kver on this machine; run: make deps"
	echo "modbuild: $kver with $(kdir_cc_text "$kdir") on the host" >"$log"
	make "${make_args[@]}" >>"$log" 2>&1 ||
		{ tail -n 30 "$log" >&2; die "module build for $kver failed (log: $log)"; }
fi
# -Werror (driver/Kbuild) stops on compiler warnings; modpost's are
# reported only.
if grep -qiE '(^|[^a-z])warning:' "$log"; then
	grep -iE '(^|[^a-z])warning:' "$log" >&2
	die "module build for $kver has warnings (log: $log)"
fi
[ -f "$bdir/driver/accmdev.ko" ] || die "no accmdev.ko after the build for $kver"
if [ "$bdir" != "$out" ]; then
	mkdir -p "$out/driver"
	cp "$bdir/driver/accmdev.ko" "$out/driver/accmdev.ko"
fi
echo "$out/driver/accmdev.ko"
