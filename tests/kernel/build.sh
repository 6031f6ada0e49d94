#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build the reliability lane's kernel (KASAN, UBSAN, lockdep, kmemleak,
# debug objects, fault injection, KUnit) from Debian's linux-source-6.12:
# `make tinyconfig`, then tests/kernel/debug.config merged over it.
# Called by tests/deps.sh; prints the kernel release on stdout, and one
# line on stderr when it has to build (the build time ends the log).
#
# The result is cached like the Debian kernels, in
# $ACCMDEV_CACHE/kernels/<release>:
#
#   boot/vmlinuz-<release>, boot/config-<release>, boot/System.map-<release>
#   lib/modules/<release>/           modules_install: modules.dep,
#                                    modules.builtin, vfio, mdev, mtty.ko
#   usr/src/linux-headers-<release>  the build tree, usable as KDIR for
#                                    out-of-tree modules (objects pruned)
#   .stamp                           source package version and a hash of
#                                    the fragment and this script
#
# The build is skipped when .stamp matches; anything else (a new
# linux-source-6.12, a changed fragment or script, a fresh machine)
# rebuilds. The full build log stays in $ACCMDEV_CACHE/kernels/<release>.log.
set -euo pipefail
. "$(dirname "$0")/../vm/common.sh"

SRC_PKG=linux-source-6.12
TARBALL=/usr/src/$SRC_PKG.tar.xz
FRAGMENT=$ACCMDEV_SRC/tests/kernel/debug.config
SELF=$ACCMDEV_SRC/tests/kernel/build.sh
CC_KERNEL=gcc-12

command -v "$CC_KERNEL" >/dev/null || die "kernel: $CC_KERNEL missing; run: make deps"
[ -f "$TARBALL" ] || die "kernel: $TARBALL missing; run: make deps"
pkg_version=$(dpkg-query -W -f='${Version}' "$SRC_PKG" 2>/dev/null) ||
	die "kernel: $SRC_PKG is not installed; run: make deps"

# The release: the upstream version of the package plus the fragment's
# LOCALVERSION. Checked against `make kernelrelease` after configuring.
localversion=$(sed -n 's/^CONFIG_LOCALVERSION="\(.*\)"$/\1/p' "$FRAGMENT")
kver=${pkg_version%%-*}$localversion
stamp=$(printf '%s=%s\nconfig+script=%s\n' "$SRC_PKG" "$pkg_version" \
	"$(cat "$FRAGMENT" "$SELF" | sha256sum | cut -c1-16)")
root=$(kernel_root "$kver")

cached() {
	[ -f "$root/.stamp" ] && [ "$(cat "$root/.stamp")" = "$stamp" ] &&
		[ -f "$root/boot/vmlinuz-$kver" ]
}

# Every line of the fragment must hold in the final .config.
check_config() {
	local config=$1 line sym bad=0
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=*)
			grep -qxF -- "$line" "$config" && continue
			echo "kernel: asked for $line, got:" \
				"$(grep -E "^(# )?${line%%=*}[= ]" "$config" || echo unset)"
			bad=1
			;;
		'# CONFIG_'*' is not set')
			sym=${line#\# }
			sym=${sym%% *}
			grep -q "^$sym=" "$config" || continue
			echo "kernel: asked for $sym off, got: $(grep "^$sym=" "$config")"
			bad=1
			;;
		esac
	done <"$FRAGMENT"
	return "$bad"
}

# Drop what an out-of-tree module build does not read: objects, archives,
# the linked images, C and assembler sources (as Debian's headers
# packages do; headers, Makefiles and Kconfig files stay). Host programs
# (scripts/, objtool) stay.
prune_tree() {
	local tree=$1
	find "$tree" \( -path "$tree/scripts" -o -path "$tree/tools" \) -prune -o \
		-type f \( -name '*.o' -o -name '*.a' -o -name '*.o.cmd' \
		-o -name '*.a.cmd' -o -name '.tmp_*' -o -name '*.c' -o -name '*.S' \
		-o -name '*.rst' \) -print0 | xargs -0r rm -f
	rm -f "$tree/vmlinux" "$tree/vmlinux.o" "$tree/vmlinux.unstripped"
	rm -rf "$tree/arch/x86/boot/compressed/vmlinux" "$tree/.tmp_vmlinux"*
	# Sources a module build never reads: other architectures, documents.
	find "$tree/arch" -mindepth 1 -maxdepth 1 -type d ! -name x86 -exec rm -rf {} +
	rm -rf "$tree/Documentation" "$tree/tools/testing"
}

build() {
	local tmp tree log t0 mods
	t0=$SECONDS
	tmp=$(mktemp -d "$ACCMDEV_CACHE/kernels/.build.XXXXXX")
	# shellcheck disable=SC2064
	trap "rm -rf '$tmp'" EXIT
	tree=$tmp/root/usr/src/linux-headers-$kver
	log=$tmp/build.log
	mkdir -p "$tree" "$tmp/root/boot"
	echo "deps: building the debug kernel $kver with $(nproc) jobs" \
		"(a few minutes; log: $root.log)" >&2
	{
		tar -xJf "$TARBALL" -C "$tree" --strip-components=1
		# Debian's top Makefile reads this file: the compiler of the
		# Debian kernels, here and for every out-of-tree build.
		printf 'CC = %s\nHOSTCC = %s\n' "$CC_KERNEL" "$CC_KERNEL" \
			>"$tree/.kernelvariables"
		make -C "$tree" tinyconfig
		"$tree/scripts/kconfig/merge_config.sh" -m -O "$tree" \
			"$tree/.config" "$FRAGMENT"
		make -C "$tree" olddefconfig
	} >"$log" 2>&1 || { cp "$log" "$root.log"; die "kernel: configuring failed, see $root.log"; }
	if ! check_config "$tree/.config" >>"$log" 2>&1; then
		cp "$log" "$root.log"
		grep '^kernel: asked' "$log" >&2
		die "kernel: the fragment does not apply, see $root.log"
	fi
	if ! make -C "$tree" -j"$(nproc)" bzImage modules >>"$log" 2>&1 ||
		! make -C "$tree" modules_install INSTALL_MOD_PATH="$tmp/root" \
			>>"$log" 2>&1; then
		cp "$log" "$root.log"
		die "kernel: build failed, see $root.log (last lines: $(tail -3 "$log"))"
	fi
	[ "$(make -s -C "$tree" kernelrelease)" = "$kver" ] ||
		die "kernel: release $(make -s -C "$tree" kernelrelease), expected $kver"
	mods=$tmp/root/lib/modules/$kver
	rm -f "$mods/build" "$mods/source"
	ln -s "../../../usr/src/linux-headers-$kver" "$mods/build"
	cp "$tree/arch/x86/boot/bzImage" "$tmp/root/boot/vmlinuz-$kver"
	cp "$tree/.config" "$tmp/root/boot/config-$kver"
	cp "$tree/System.map" "$tmp/root/boot/System.map-$kver"
	prune_tree "$tree"
	echo "built in $((SECONDS - t0)) s" >>"$log"
	printf '%s' "$stamp" >"$tmp/root/.stamp"
	rm -rf "$root"
	mv "$tmp/root" "$root"
	mv "$log" "$root.log"
	rm -rf "$tmp"
}

mkdir -p "$ACCMDEV_CACHE/kernels"
# One build at a time: concurrent `make check`s all run `make deps`.
exec 8>"$ACCMDEV_CACHE/kernels/.debug-build.lock"
flock 8
cached || build
echo "$kver"
