#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# tests/pkg/root.sh KVER DEBDIR: a root filesystem of KVER's Debian
# release in which the packages of 'make deb' (DEBDIR/*.deb) are
# installed as on a host: 'apt-get install ./*.deb', beside KVER's own
# linux-image and linux-headers packages, so that DKMS builds accmdev
# for KVER and installs it under /lib/modules/KVER/updates/dkms, natively
# on this machine. tests/bats/86-packages.bats, in a guest booted with
# KVER, loads the module from that root (make check passes its path as
# ACCMDEV_PKG_ROOT). Prints the root's path; progress goes to stderr.
#
# Two layers, kept in $ACCMDEV_CACHE/pkgroot/KVER/ with their logs:
#
#   base-KEY  mmdebstrap of the release (the apt source of
#             tests/kernel/debian.sh, or the host's own for a kernel of
#             the host's release) with dkms, openssl (DKMS signs modules
#             with it), linux-image-KVER and linux-headers-KVER at the
#             versions of the cached kernel (its .stamp), and what the
#             packages depend on. KEY: this script, the apt source, the
#             kernel's packages and that list. Minutes when cold; the
#             downloads stay in $ACCMDEV_CACHE/pkgroot/debs.
#   pkg-KEY   a copy of the base in which apt-get installs the packages
#             (no recommends, nothing downloaded): DKMS builds and
#             installs the module. KEY: the base's, and the packages'
#             contents (control files and maintainer scripts, every
#             file's path, mode and bytes, but not the changelog, whose
#             date is the last commit's). About a minute.
#
# A warm run (both found) only hashes the packages. The last three
# package roots of a kernel are kept; older ones and older bases go.
# Needs root (mmdebstrap, chroot).
set -euo pipefail
. "$(dirname "$0")/../vm/common.sh"
. "$ACCMDEV_SRC/tests/kernel/debian.sh"
. "$ACCMDEV_SRC/tests/kernel/toolchain.sh"

[ $# = 2 ] || die "usage: tests/pkg/root.sh KVER DEBDIR"
kver=$1
debdir=$2
[ "$(id -u)" = 0 ] || die "pkgroot: the package root for $kver needs root (mmdebstrap, chroot)"
command -v mmdebstrap >/dev/null || die "pkgroot: mmdebstrap missing; run: make deps"
kroot=$(kernel_root "$kver")
[ -f "$kroot/.stamp" ] || die "pkgroot: no kernel $kver in $ACCMDEV_CACHE; run: make deps"
debs=()
for deb in "$debdir"/*.deb; do
	[ -f "$deb" ] && debs+=("$(cd "$(dirname "$deb")" && pwd)/$(basename "$deb")")
done
[ ${#debs[@]} -gt 0 ] || die "pkgroot: no .deb in $debdir; run: make deb"

say() {
	echo "pkgroot: $*" >&2
}

# The release and its apt source.
host=$(host_codename)
rel=$(kernel_release "$kroot")
[ -n "$rel" ] || rel=$host
if [ "$rel" = "$host" ]; then
	sources=$DEBIAN_SOURCES
else
	sources=$(xapt_dir "$rel")/sources.list.d/$rel.sources
	[ -f "$sources" ] || xapt_init "$rel"
fi
[ -r "$sources" ] || die "pkgroot: no apt source for $rel ($sources)"

# The kernel's packages at the cached kernel's versions; a backports
# kernel is installed as from backports (apt-get -t REL-backports).
image=$(grep "^linux-image-$kver=" "$kroot/.stamp") ||
	die "pkgroot: $kroot/.stamp names no linux-image-$kver"
headers=$(grep "^linux-headers-$kver=" "$kroot/.stamp") ||
	die "pkgroot: $kroot/.stamp names no linux-headers-$kver"
default_release=""
case "$image" in *~bpo*) default_release=$rel-backports ;; esac

# What the packages depend on (the first of each alternative), but not
# on each other: the base has it, so that installing them downloads
# nothing.
deps=$(for deb in "${debs[@]}"; do
	dpkg-deb -f "$deb" Depends Pre-Depends
done | sed 's/^[A-Za-z-]*: *//' | tr ',' '\n' |
	sed -e 's/|.*//' -e 's/(.*)//' -e 's/[[:space:]]//g' | grep . |
	grep -v '^accmdev-' | sort -u)
# shellcheck disable=SC2086
base_pkgs=$(printf '%s\n' dkms openssl "$image" "$headers" $deps | sort -u)

sha() {
	sha256sum | cut -c1-16
}


# debs_digest DEB...: the packages' contents, without their dates.
debs_digest() {
	local t deb
	t=$(mktemp -d)
	for deb in "$@"; do
		rm -rf "$t/c" "$t/d"
		dpkg-deb -e "$deb" "$t/c"
		dpkg-deb -x "$deb" "$t/d"
		echo "== $(basename "$deb")"
		(cd "$t/c" && find . -type f ! -name md5sums -print0 | sort -z | xargs -0 sha256sum)
		(cd "$t/d" && find . ! -path './usr/share/doc/*/changelog*' -printf '%y %m %p %l\n' | sort)
		(cd "$t/d" && find . -type f ! -path './usr/share/doc/*/changelog*' -print0 |
			sort -z | xargs -0 -r sha256sum)
	done
	rm -rf "$t"
}

# in_root ROOT CMD...: CMD in ROOT, with /proc, in a private mount
# namespace (the mount ends with the command).
in_root() {
	local c=$1
	shift
	# shellcheck disable=SC2016
	unshare --mount --propagation private bash -c '
		c=$1
		shift
		mount -t proc proc "$c/proc" || exit 1
		exec chroot "$c" "$@"' accmdev-pkgroot "$c" \
		env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

make_base() {
	local t0=$SECONDS tmp=$base.new log=$base.log aptopt=() unpin=()
	say "making the $rel base for $kver ($(echo "$base_pkgs" | paste -sd" "); minutes)"
	rm -rf "$tmp"
	# A release that needs a default (a kernel from backports) gets it
	# while the base is made, and loses it afterwards; mmdebstrap writes
	# 99mmdebstrap only when given an --aptopt.
	if [ -n "$default_release" ]; then
		aptopt=(--aptopt="APT::Default-Release \"$default_release\"")
		unpin=(--customize-hook='sed -i "/APT::Default-Release/d" "$1"/etc/apt/apt.conf.d/99mmdebstrap')
	fi
	# The downloads are kept in $debcache (mmdebstrap's own recipe),
	# without what the archive no longer has.
	mmdebstrap --variant=apt "${aptopt[@]+"${aptopt[@]}"}" \
		--include="$(echo "$base_pkgs" | paste -sd,)" \
		--skip=download/empty --skip=essential/unlink \
		--setup-hook='mkdir -p "$1"/var/cache/apt/archives/' \
		--setup-hook="sync-in $debcache /var/cache/apt/archives/" \
		--customize-hook='chroot "$1" apt-get -q autoclean' \
		--customize-hook="sync-out /var/cache/apt/archives $debcache" \
		"${unpin[@]+"${unpin[@]}"}" \
		"$rel" "$tmp" "$sources" >"$log" 2>&1 || {
		tail -n 20 "$log" >&2
		rm -rf "$tmp"
		die "pkgroot: mmdebstrap $rel failed (log: $log)"
	}
	[ -f "$tmp/lib/modules/$kver/modules.dep" ] || {
		rm -rf "$tmp"
		die "pkgroot: the $rel base has no /lib/modules/$kver/modules.dep (log: $log)"
	}
	mv "$tmp" "$base"
	say "base ready in $((SECONDS - t0)) s: $base"
}

make_pkg() {
	local t0=$SECONDS tmp=$root.new log=$root.log
	say "installing $(basename -a "${debs[@]}" | tr '\n' ' ')in a copy of the base"
	rm -rf "$tmp"
	cp -a "$base" "$tmp"
	mkdir -p "$tmp/tmp/accmdev-debs"
	cp "${debs[@]}" "$tmp/tmp/accmdev-debs/"
	# As an administrator would: apt-get installs the files; DKMS,
	# from accmdev-dkms's postinst, builds for the installed kernel.
	# shellcheck disable=SC2016
	in_root "$tmp" sh -c 'cd /tmp/accmdev-debs && apt-get install -y --no-install-recommends ./*.deb' \
		>"$log" 2>&1 || {
		tail -n 30 "$log" >&2
		rm -rf "$tmp"
		die "pkgroot: apt-get install of the packages failed (log: $log)"
	}
	rm -rf "$tmp/tmp/accmdev-debs"
	mv "$tmp" "$root"
	say "packages installed in $((SECONDS - t0)) s"
}

# The keys: what makes each layer (the functions that make it, not the
# whole script, so that a change elsewhere keeps the cache).
base_key=$({
	declare -f make_base
	echo "$rel $default_release"
	cat "$sources"
	echo "$base_pkgs"
} | sha)
pkg_key=$({
	echo "$base_key"
	declare -f make_pkg in_root
	debs_digest "${debs[@]}"
} | sha)

dir=$ACCMDEV_CACHE/pkgroot/$kver
base=$dir/base-$base_key
root=$dir/pkg-$pkg_key
debcache=$ACCMDEV_CACHE/pkgroot/debs
mkdir -p "$dir" "$debcache"
cache_lock "$dir.lock" pkgroot

if [ -d "$root" ]; then
	say "cached: $root"
else
	if [ -d "$base" ]; then
		say "base cached: $base"
	else
		make_base
	fi
	make_pkg
fi
# The most recently used first, for the pruning below.
touch "$root" "$base"

# Older bases go, and all but the last three package roots.
for d in "$dir"/base-* "$dir"/*.new; do
	[ -e "$d" ] && [ "$d" != "$base" ] && [ "$d" != "$base.log" ] || continue
	rm -rf "$d"
done
cache_prune 3 "$dir"/pkg-????????????????
echo "$root"
