#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# tests/pkg/virtroot.sh VERSION: a root filesystem with Debian's libvirt
# in which tests/bats/88-libvirt.bats runs the daemon, in a guest, beside
# accmdev. Prints the root's path; progress goes to stderr.
#
#   11  bookworm with bookworm-backports: libvirt 11.3, QEMU 10 (VFIO
#       migration v2, so virsh save of a domain with an mdev), mdevctl.
#   9   bookworm: libvirt 9.0 (bookworm's own) and mdevctl; node devices
#       only (bookworm's QEMU 7.2 cannot save a VFIO device).
#
# The root is an mmdebstrap of those packages (no recommends) and python3,
# from the host's own apt source (bookworm-backports derived from it), in
# $ACCMDEV_CACHE/virtroot/VERSION-KEY; KEY: this script's recipe, the apt
# source and the package list. Minutes when cold; the downloads stay in
# $ACCMDEV_CACHE/pkgroot/debs, shared with tests/pkg/root.sh. Nothing is
# installed on the host, and no daemon runs here: the guest starts them.
# The last two roots of a version are kept. Needs root (mmdebstrap).
set -euo pipefail
. "$(dirname "$0")/../vm/common.sh"
. "$ACCMDEV_SRC/tests/kernel/debian.sh"

[ $# = 1 ] || die "usage: tests/pkg/virtroot.sh 9|11"
ver=$1
[ "$(id -u)" = 0 ] || die "virtroot: the libvirt root needs root (mmdebstrap)"
command -v mmdebstrap >/dev/null || die "virtroot: mmdebstrap missing; run: make deps"
[ -r "$DEBIAN_SOURCES" ] || die "virtroot: no apt source $DEBIAN_SOURCES to derive from"

say() {
	echo "virtroot: $*" >&2
}

sha() {
	sha256sum | cut -c1-16
}

common="mdevctl python3 libvirt-clients"
case "$ver" in
11)
	suites="bookworm bookworm-backports"
	default_release=bookworm-backports
	pkgs="$common libvirt-daemon libvirt-daemon-driver-qemu libvirt-daemon-driver-nodedev qemu-system-x86"
	;;
9)
	suites="bookworm"
	default_release=""
	pkgs="$common libvirt-daemon"
	;;
*) die "virtroot: no libvirt root $ver (9 or 11)" ;;
esac

make_root() {
	local t0=$SECONDS tmp=$root.new log=$root.log srcs aptopt=()
	say "making the libvirt $ver root ($pkgs; minutes)"
	rm -rf "$tmp"
	srcs=$(mktemp)
	derive_suites "$DEBIAN_SOURCES" bookworm "$suites" >"$srcs"
	[ -s "$srcs" ] || die "virtroot: no bookworm entry in $DEBIAN_SOURCES"
	[ -z "$default_release" ] ||
		aptopt=(--aptopt="APT::Default-Release \"$default_release\"")
	# shellcheck disable=SC2086
	mmdebstrap --variant=apt "${aptopt[@]+"${aptopt[@]}"}" \
		--include="$(echo $pkgs | tr ' ' ,)" \
		--skip=download/empty --skip=essential/unlink \
		--setup-hook='mkdir -p "$1"/var/cache/apt/archives/' \
		--setup-hook="sync-in $debcache /var/cache/apt/archives/" \
		--customize-hook='chroot "$1" apt-get -q autoclean' \
		--customize-hook="sync-out /var/cache/apt/archives $debcache" \
		--customize-hook='rm -rf "$1"/var/cache/apt/archives/*.deb' \
		bookworm "$tmp" "$srcs" >"$log" 2>&1 || {
		tail -n 20 "$log" >&2
		rm -rf "$tmp" "$srcs"
		die "virtroot: mmdebstrap failed (log: $log)"
	}
	rm -f "$srcs"
	[ -x "$tmp/usr/sbin/libvirtd" ] || {
		rm -rf "$tmp"
		die "virtroot: the root has no /usr/sbin/libvirtd (log: $log)"
	}
	mv "$tmp" "$root"
	say "libvirt $ver root ready in $((SECONDS - t0)) s: $root"
}

key=$({
	declare -f make_root
	echo "$ver $suites $default_release $pkgs"
	derive_suites "$DEBIAN_SOURCES" bookworm "$suites"
} | sha)
dir=$ACCMDEV_CACHE/virtroot
root=$dir/$ver-$key
debcache=$ACCMDEV_CACHE/pkgroot/debs
mkdir -p "$dir" "$debcache"
cache_lock "$dir/$ver.lock" virtroot

if [ -d "$root" ]; then
	say "cached: $root"
else
	make_root
fi
touch "$root"
cache_prune 2 "$dir/$ver"-????????????????
rm -rf "$dir/$ver"-*.new
echo "$root"
