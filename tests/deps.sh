#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Install everything accmdev needs to build, test and demonstrate itself,
# from Debian only. Safe to run again: it does only what is missing.
#
#  - host packages (build tools, QEMU, bats, libudev, mdevctl, ...) are
#    installed with apt-get when running as root; otherwise the exact
#    command to run is printed and the script stops;
#  - the kernels of tests/vm/matrix are resolved from their metapackages
#    to concrete versions now, downloaded with apt-get download and
#    unpacked into the cache ($ACCMDEV_CACHE/kernels/<version>). They are
#    never installed, so they never become boot kernels of this machine;
#  - the debug lane's kernel (tests/kernel/build.sh) is built from
#    linux-source-6.12 into the same cache, once per source version and
#    config fragment: the first run on a machine takes a few minutes.
#
# Writes $ACCMDEV_CACHE/matrix: one kernel a line, "<version> [debug]".
set -euo pipefail
. "$(dirname "$0")/vm/common.sh"

HOST_PKGS=(
	make gcc gcc-12 libc6-dev binutils pkg-config	# module and tools
	dwarves						# pahole, module BTF
	kmod cpio xz-utils zstd busybox-static		# guest initramfs
	qemu-system-x86					# the VM
	bats bats-support bats-assert bash-builtins	# test suites
	libudev-dev udev				# accctl, guest udevd
	clang libclang-rt-14-dev			# libFuzzer
	mdevctl iproute2 python3 util-linux bc jq		# guest tools
	linux-source-6.12				# checkpatch, debug kernel
	flex bison libelf-dev				# debug kernel build
)

apt_updated=0
apt_update_once() {
	if [ "$apt_updated" = 0 ]; then
		apt-get update -q >/dev/null
		apt_updated=1
	fi
}

is_root() {
	[ "$(id -u)" = 0 ]
}

missing_host_pkgs() {
	local p
	for p in "${HOST_PKGS[@]}"; do
		[ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" = installed ] ||
			echo "$p"
	done
}

install_host_pkgs() {
	local missing
	missing=$(missing_host_pkgs | tr '\n' ' ')
	[ -n "$missing" ] || return 0
	if ! is_root; then
		echo "accmdev: missing packages: $missing" >&2
		echo "accmdev: run: sudo apt-get install -y --no-install-recommends $missing" >&2
		echo "accmdev: (or: sudo make deps)" >&2
		exit 1
	fi
	echo "deps: installing $missing"
	apt_update_once
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends $missing >/dev/null
}

# The package a metapackage depends on, e.g. linux-image-6.1.0-56-amd64.
resolve_meta() {
	apt-cache depends "$1" 2>/dev/null |
		awk -v pfx="$2" '$1 == "Depends:" && index($2, pfx) == 1 { print $2; exit }'
}

# Candidate version of a package, or nothing.
candidate() {
	apt-cache policy "$1" 2>/dev/null | awk '$1 == "Candidate:" { print $2 }' |
		grep -v '(none)' || true
}

# The -common and kbuild packages a headers package needs.
headers_deps() {
	apt-cache depends "$1" 2>/dev/null |
		awk '$1 == "Depends:" && ($2 ~ /^linux-headers-.*-common$/ ||
					  $2 ~ /^linux-kbuild-/) { print $2 }' |
		sort -u
}

# Unpack one kernel (image + headers) into the cache, if not already.
fetch_kernel() {
	local image_meta=$1 headers_meta=$2
	local image headers kver pkgs extra p v stamp_new root tmp deb

	image=$(resolve_meta "$image_meta" linux-image-)
	headers=$(resolve_meta "$headers_meta" linux-headers-)
	if [ -z "$image" ] || [ -z "$headers" ]; then
		is_root || die "apt cannot resolve $image_meta; run: sudo apt-get update"
		apt_update_once
		image=$(resolve_meta "$image_meta" linux-image-)
		headers=$(resolve_meta "$headers_meta" linux-headers-)
	fi
	[ -n "$image" ] && [ -n "$headers" ] ||
		die "cannot resolve $image_meta / $headers_meta with apt-cache"
	kver=${image#linux-image-}
	[ "$headers" = "linux-headers-$kver" ] ||
		die "$headers_meta gives $headers, not linux-headers-$kver"

	mapfile -t extra < <(headers_deps "$headers")
	pkgs=("$image" "$headers" "${extra[@]}")
	stamp_new=""
	for p in "${pkgs[@]}"; do
		v=$(candidate "$p")
		[ -n "$v" ] || die "no installable version of $p"
		stamp_new+="$p=$v"$'\n'
	done

	root=$(kernel_root "$kver")
	if [ -f "$root/.stamp" ] && [ "$(cat "$root/.stamp")" = "${stamp_new%$'\n'}" ]; then
		echo "$kver"
		return 0
	fi

	echo "deps: fetching kernel $kver" >&2
	tmp=$(mktemp -d "$ACCMDEV_CACHE/fetch.XXXXXX")
	# apt-get download runs as _apt when it can; let it write here.
	chmod 0777 "$tmp"
	(cd "$tmp" && while read -r pv; do
		[ -n "$pv" ] || continue
		apt-get download -q "$pv" >/dev/null 2>"$tmp/download.err" ||
			{ cat "$tmp/download.err" >&2; exit 1; }
	done <<<"$stamp_new") || die "apt-get download failed"
	mkdir "$tmp/root"
	for deb in "$tmp"/*.deb; do
		dpkg-deb -x "$deb" "$tmp/root"
	done
	# The headers' Makefile includes the -common tree by absolute path.
	sed -i "s|^include /usr/src/|include $root/usr/src/|" \
		"$tmp/root/usr/src/linux-headers-$kver/Makefile"
	# Image packages leave modules.dep to their postinst; make it here.
	depmod -b "$tmp/root" "$kver"
	printf '%s' "${stamp_new%$'\n'}" >"$tmp/root/.stamp"
	rm -rf "$root"
	mv "$tmp/root" "$root"
	rm -rf "$tmp"
	echo "$kver"
}

main() {
	local line kvers=() k

	install_host_pkgs
	bash "$ACCMDEV_SRC/tests/qemu-deps.sh"	# QEMU 10 from backports (76-qemu)
	mkdir -p "$ACCMDEV_CACHE/kernels"
	# The guest sees this machine's root read-only and mounts its
	# kernel's modules on /lib/modules: the directory must exist. A
	# container or a fresh machine without a kernel of its own has none.
	mkdir -p /lib/modules
	while read -r line; do
		case "$line" in
		'' | '#'*) continue ;;
		build[[:space:]]*)
			k=$(bash "$ACCMDEV_SRC/${line#build*[[:space:]]}") ||
				die "building the debug kernel failed"
			kvers+=("$k debug")
			;;
		*)
			# shellcheck disable=SC2086
			kvers+=("$(fetch_kernel $line)")
			;;
		esac
	done <"$ACCMDEV_SRC/tests/vm/matrix"
	printf '%s\n' "${kvers[@]}" >"$ACCMDEV_CACHE/matrix.new"
	mv "$ACCMDEV_CACHE/matrix.new" "$ACCMDEV_CACHE/matrix"
	for k in "${kvers[@]}"; do
		k=${k%% *}
		echo "deps: kernel $k ready in $(kernel_root "$k")"
	done
}

main "$@"
