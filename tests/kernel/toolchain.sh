# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# Kernels unpacked into the cache and the toolchains that build modules
# for them (sourced after tests/vm/common.sh and tests/kernel/debian.sh).
#
# A Debian kernel is built with its own release's compiler, and its
# headers carry kbuild programs (fixdep, modpost, objtool) linked against
# that release's C library: bookworm's gcc-12 cannot build for trixie's
# kernels (unknown -fmin-function-alignment, then GLIBC_2.38 not found).
# Such a kernel is fetched from a private apt tree (debian.sh) and its
# cache directory says so in .release (trixie) and .toolchain (the
# packages a module build needs). Its modules are built in a chroot of
# that release, $ACCMDEV_CACHE/chroot/<release>, made with mmdebstrap.
# Every other kernel builds with the host's compiler.

# normalize_kernel TMPROOT KVER ROOT: shape an unpacked kernel (TMPROOT,
# which will be moved to ROOT) the way tests/vm/run and make expect it:
# modules in lib/modules/KVER, the image in boot/vmlinuz-KVER (newer
# Debian kernels ship both under usr/lib/modules/KVER), and the headers'
# Makefile including the -common tree under ROOT, not /usr/src.
normalize_kernel() {
	local t=$1 kver=$2 root=$3 f kdir

	if [ -d "$t/usr/lib/modules/$kver" ] && [ ! -e "$t/lib/modules/$kver" ]; then
		mkdir -p "$t/lib/modules"
		mv "$t/usr/lib/modules/$kver" "$t/lib/modules/$kver"
	fi
	mkdir -p "$t/boot"
	for f in vmlinuz config System.map; do
		if [ -f "$t/lib/modules/$kver/$f" ] && [ ! -e "$t/boot/$f-$kver" ]; then
			ln "$t/lib/modules/$kver/$f" "$t/boot/$f-$kver"
		fi
	done
	if [ -L "$t/lib/modules/$kver/build" ]; then
		ln -sfn "../../../usr/src/linux-headers-$kver" "$t/lib/modules/$kver/build"
	fi
	kdir=$t/usr/src/linux-headers-$kver
	if [ -f "$kdir/Makefile" ]; then
		sed -i -e "s|^include /usr/src/|include $root/usr/src/|" \
			-e "s|^KBUILD_OUTPUT *= */usr/src/|KBUILD_OUTPUT=$root/usr/src/|" \
			"$kdir/Makefile"
	fi
}

# kdir_cc KDIR: the compiler package the kernel was built with (gcc-14),
# from CONFIG_CC_VERSION_TEXT ("x86_64-linux-gnu-gcc-14 (Debian ...)").
kdir_cc() {
	sed -n 's/^CONFIG_CC_VERSION_TEXT="\([^ ]*\) .*/\1/p' "$1/.config" |
		sed -n 's/^\(.*-\)\{0,1\}\(gcc-[0-9][0-9]*\)$/\2/p' | grep .
}

# kdir_cc_text KDIR: the compiler's full version line.
kdir_cc_text() {
	sed -n 's/^CONFIG_CC_VERSION_TEXT="\(.*\)"$/\1/p' "$1/.config"
}

# kernel_release ROOT: the Debian release whose toolchain builds for the
# kernel in ROOT, or nothing for the host's own.
kernel_release() {
	cat "$1/.release" 2>/dev/null || true
}

chroot_dir() {
	echo "$ACCMDEV_CACHE/chroot/$1"
}

# chroot_missing REL PKG...: the packages REL's chroot lacks.
chroot_missing() {
	local c p
	c=$(chroot_dir "$1")
	shift
	for p in "$@"; do
		[ "$(dpkg-query --admindir="$c/var/lib/dpkg" -W \
			-f='${db:Status-Status}' "$p" 2>/dev/null)" = installed ] ||
			echo "$p"
	done
}

# chroot_ensure REL PKG...: REL's chroot with at least PKG... (the union
# with what it has is kept). Made with mmdebstrap from the private apt
# source of REL, so nothing of the host changes; remade only when a
# package is missing (about 30 s on an idle machine). Needs root.
chroot_ensure() {
	local rel=$1 c have=() want tmp sources
	shift
	c=$(chroot_dir "$rel")
	[ -n "$(chroot_missing "$rel" "$@")" ] || return 0
	[ "$(id -u)" = 0 ] || die "making the $rel chroot needs root; run: sudo make deps"
	command -v mmdebstrap >/dev/null || die "mmdebstrap missing; run: make deps"
	[ -f "$c/.packages" ] && mapfile -t have <"$c/.packages"
	want=$(printf '%s\n' "${have[@]+"${have[@]}"}" "$@" | sort -u | grep .)
	echo "deps: making the $rel toolchain chroot ($(echo "$want" | tr '\n' ' '))" >&2
	sources=$(xapt_dir "$rel")/sources.list.d/$rel.sources
	[ -f "$sources" ] || xapt_init "$rel"
	mkdir -p "$ACCMDEV_CACHE/chroot"
	tmp="$c.new"
	rm -rf "$tmp"
	mmdebstrap --quiet --variant=apt --include="$(echo "$want" | paste -sd,)" \
		"$rel" "$tmp" "$sources" >"$ACCMDEV_CACHE/chroot/$rel.log" 2>&1 || {
		tail -20 "$ACCMDEV_CACHE/chroot/$rel.log" >&2
		rm -rf "$tmp"
		die "mmdebstrap $rel failed (log: $ACCMDEV_CACHE/chroot/$rel.log)"
	}
	echo "$want" >"$tmp/.packages"
	rm -rf "$c"
	mv "$tmp" "$c"
}

# in_chroot REL DIR... -- CMD...: run CMD in REL's chroot, in a private
# mount namespace with /proc and each DIR bind-mounted at its own path.
# The mounts end with the command.
in_chroot() {
	local rel=$1 c dirs=() userns=()
	shift
	c=$(chroot_dir "$rel")
	while [ "$1" != -- ]; do
		dirs+=("$1")
		shift
	done
	shift
	[ "$(id -u)" = 0 ] || userns=(--map-root-user)
	# shellcheck disable=SC2016
	unshare "${userns[@]+"${userns[@]}"}" --mount --propagation private \
		bash -c '
		c=$1 n=$2
		shift 2
		mount -t proc proc "$c/proc" || exit 1
		while [ "$n" -gt 0 ]; do
			mkdir -p "$c$1" && mount --bind "$1" "$c$1" || exit 1
			shift
			n=$((n - 1))
		done
		exec chroot "$c" "$@"' accmdev-chroot "$c" "${#dirs[@]}" "${dirs[@]}" "$@"
}

# apt for a kernel's release: the host's own (empty REL) or a private
# tree (tests/kernel/debian.sh) for a newer Debian release.
kapt() {
	local rel=$1
	shift
	if [ -z "$rel" ]; then
		"$@"
	else
		xapt "${rel%%-*}" "$@"
	fi
}

# candidates REL PKG...: "PKG=VERSION" for each package that has a
# candidate, in one apt-cache run (each run loads apt's whole cache).
candidates() {
	local rel=$1
	shift
	kapt "$rel" apt-cache policy "$@" 2>/dev/null |
		awk '/^[^ \t]/ { p = $1; sub(/:$/, "", p) }
		     $1 == "Candidate:" && $2 != "(none)" { print p "=" $2 }'
}

# kernel_deps REL KVER PKG...: the packages of kernel KVER that PKG...
# need beside themselves: the headers' -common tree and kbuild; in the
# newer Debian packaging (7.x) also an image's binary, modules and base
# (System.map, config) packages.
kernel_deps() {
	local rel=$1 k=$2
	shift 2
	kapt "$rel" apt-cache depends "$@" 2>/dev/null |
		awk -v k="$k" '$1 == "Depends:" &&
			($2 ~ /^linux-headers-.*-common$/ || $2 ~ /^linux-kbuild-/ ||
			 $2 == "linux-base-" k || $2 == "linux-binary-" k ||
			 $2 == "linux-modules-" k) { print $2 }' |
		sort -u
}

# toolchain_pkgs REL KDIR KBUILD: what building a module for this kernel
# needs in REL's chroot: make, libc headers, the compiler the kernel was
# built with (CONFIG_CC_VERSION_TEXT) and what kbuild's tools link to.
toolchain_pkgs() {
	local rel=$1 kdir=$2 kbuild=$3 cc
	cc=$(kdir_cc "$kdir") || die "no compiler named in $kdir/.config"
	printf "%s\n" make libc6-dev "$cc"
	kapt "$rel" apt-cache depends "$kbuild" 2>/dev/null |
		awk '$1 == "Depends:" && $2 !~ /^</ { print $2 }'
}

# fetch_debs REL KVER ROOT PKG...: download PKG... (from REL's private
# apt tree, or the host's for an empty REL) and unpack them into ROOT,
# unless ROOT's .stamp already lists these packages at these versions.
# An image gets its modules.dep; a kernel of another release gets
# .release and .toolchain (the packages its module builds need).
fetch_debs() {
	local rel=$1 kver=$2 root=$3 p stamp tmp deb kbuild
	shift 3
	stamp=$(candidates "$rel" "$@" | sort -u)
	for p in "$@"; do
		grep -q "^$p=" <<<"$stamp" ||
			{ echo "accmdev: no installable version of $p" >&2; return 1; }
	done
	[ -z "$rel" ] || stamp+=$'\n'"release=$rel"
	if [ -f "$root/.stamp" ] &&
		[ "$(sort "$root/.stamp")" = "$(sort <<<"$stamp")" ]; then
		return 0
	fi
	echo "deps: fetching $kver${rel:+ from $rel}" >&2
	mkdir -p "$(dirname "$root")"
	tmp=$(mktemp -d "$(dirname "$root")/.fetch.XXXXXX")
	# apt-get download runs as _apt when it can; let it write here.
	chmod 0777 "$tmp"
	# shellcheck disable=SC2046
	(cd "$tmp" && kapt "$rel" apt-get download -q $(grep -v '^release=' <<<"$stamp") \
		>/dev/null 2>"$tmp/download.err") ||
		{ cat "$tmp/download.err" >&2; rm -rf "$tmp"; return 1; }
	mkdir "$tmp/root"
	for deb in "$tmp"/*.deb; do
		dpkg-deb -x "$deb" "$tmp/root"
	done
	normalize_kernel "$tmp/root" "$kver" "$root"
	# Image packages leave modules.dep to their postinst; make it here.
	[ ! -d "$tmp/root/lib/modules/$kver/kernel" ] || depmod -b "$tmp/root" "$kver"
	if [ -n "$rel" ]; then
		kbuild=$(sed -n 's/^\(linux-kbuild-[^=]*\)=.*/\1/p' <<<"$stamp")
		echo "$rel" >"$tmp/root/.release"
		toolchain_pkgs "$rel" "$tmp/root/usr/src/linux-headers-$kver" "$kbuild" |
			sort -u >"$tmp/root/.toolchain"
	fi
	printf '%s' "$stamp" >"$tmp/root/.stamp"
	rm -rf "$root"
	mv "$tmp/root" "$root"
	rm -rf "$tmp"
}
