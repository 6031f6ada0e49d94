#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build the reliability lane's kernel (KASAN, UBSAN, lockdep, kmemleak,
# debug objects, fault injection, KUnit, iommufd and the VFIO device
# cdev): `make tinyconfig`, then tests/kernel/debug.config merged over
# it, compiled with bookworm's gcc-12. Called by tests/deps.sh; prints
# the kernel release on stdout, and one line on stderr when it has to
# build (the build time ends the log).
#
# The source (Documentation/testing.rst says why and what it costs):
#
#   6.12     (default) bookworm's linux-source-6.12, installed by make deps.
#   newest   the newest linux-source-<N.M> of Debian's
#            trixie-backports, resolved at run time: an apt state of its
#            own under $ACCMDEV_CACHE/apt/debug-source, with a source
#            derived from the machine's own Debian source (the entry
#            whose Suites list "bookworm"; no archive is named here),
#            and the package downloaded with `apt-get download`, never
#            installed. Offline, the last release resolved is reused.
#
# ACCMDEV_DEBUG_SOURCE=newest picks the second: it has not been shown to
# fit CI's time budget yet (Documentation/testing.rst).
#
# The result is cached like the Debian kernels, in
# $ACCMDEV_CACHE/kernels/<release>:
#
#   boot/vmlinuz-<release>, boot/config-<release>, boot/System.map-<release>
#   lib/modules/<release>/           modules_install: modules.dep,
#                                    modules.builtin, vfio, mdev, iommufd,
#                                    mtty.ko
#   usr/src/linux-headers-<release>  the build tree, usable as KDIR for
#                                    out-of-tree modules (objects pruned)
#   .stamp                           source package and version and a
#                                    hash of the fragment and this script
#
# The build is skipped when .stamp matches; anything else (a new source
# package, a changed fragment or script, a fresh machine) rebuilds. The
# full build log stays in $ACCMDEV_CACHE/kernels/<release>.log.
set -euo pipefail
. "$(dirname "$0")/../vm/common.sh"

SOURCE=${ACCMDEV_DEBUG_SOURCE:-6.12}
FRAGMENT=$ACCMDEV_SRC/tests/kernel/debug.config
SELF=$ACCMDEV_SRC/tests/kernel/build.sh
# gcc 8.1 is the minimum of 6.12 and 7.x alike (scripts/min-tool-version.sh);
# out-of-tree modules are built with the kernel's compiler (.kernelvariables
# below), so the host builds accmdev for this kernel without a chroot.
CC_KERNEL=gcc-12
DEBIAN_SOURCES=${ACCMDEV_APT_SOURCES:-/etc/apt/sources.list.d/debian.sources}
APT_DIR=$ACCMDEV_CACHE/apt/debug-source
SRC_DIR=$ACCMDEV_CACHE/src

# ---- the newest source package of trixie-backports ----------------------

# A deb822 entry for trixie-backports from the first entry of $1 whose
# Suites list "bookworm": its other fields (with continuation lines)
# kept, comments dropped.
derive_source() {
	awk '
	function flush(   i, n, s, hit) {
		n = split(suites, s, /[ \t]+/)
		hit = 0
		for (i = 1; i <= n; i++)
			if (s[i] == "bookworm")
				hit = 1
		if (hit && !done) {
			printf "%s", text
			print "Suites: trixie-backports"
			done = 1
		}
		text = ""; suites = ""; skip = 0
	}
	/^[ \t]*$/ { flush(); next }
	/^#/ { next }
	/^[ \t]/ { if (!skip) text = text $0 "\n"; next }
	/^[Ss]uites:/ { suites = substr($0, 8); skip = 1; next }
	{ skip = 0; text = text $0 "\n" }
	END { flush(); if (!done) exit 1 }' "$1"
}

apt_private() {
	apt-get -q -o Dir::Etc::SourceList=/dev/null \
		-o Dir::Etc::SourceParts="$APT_DIR/sources.list.d" \
		-o Dir::Etc::Preferences=/dev/null \
		-o Dir::Etc::PreferencesParts="$APT_DIR/preferences.d" \
		-o Dir::State="$APT_DIR/state" \
		-o Dir::State::status="$APT_DIR/state/status" \
		-o Dir::Cache="$APT_DIR/cache" \
		-o APT::Architecture=amd64 -o APT::Sandbox::User=root \
		-o Acquire::Languages=none "$@"
}

apt_cache_private() {
	apt-cache -q -o Dir::Etc::SourceList=/dev/null \
		-o Dir::Etc::SourceParts="$APT_DIR/sources.list.d" \
		-o Dir::Etc::Preferences=/dev/null \
		-o Dir::Etc::PreferencesParts="$APT_DIR/preferences.d" \
		-o Dir::State="$APT_DIR/state" \
		-o Dir::State::status="$APT_DIR/state/status" \
		-o Dir::Cache="$APT_DIR/cache" \
		-o APT::Architecture=amd64 "$@"
}

# Sets SRC_PKG and pkg_version to the newest linux-source-<N.M>; the
# last answer is kept in $APT_DIR/resolved for an offline run.
resolve_newest() {
	local tmp pkgs
	mkdir -p "$APT_DIR"/{sources.list.d,preferences.d,state/lists/partial,cache/archives/partial}
	touch "$APT_DIR/state/status"
	tmp=$(mktemp)
	derive_source "$DEBIAN_SOURCES" >"$tmp" ||
		{ rm -f "$tmp"; die "kernel: no entry with Suites: bookworm in $DEBIAN_SOURCES"; }
	install -m 0644 "$tmp" "$APT_DIR/sources.list.d/trixie-backports.sources"
	rm -f "$tmp"
	if apt_private update >"$APT_DIR/update.log" 2>&1 &&
		pkgs=$(apt_cache_private search --names-only '^linux-source-[0-9]+\.[0-9]+$' |
			awk '{ print $1 }' | sort -V) && [ -n "$pkgs" ]; then
		SRC_PKG=$(tail -n 1 <<<"$pkgs")
		pkg_version=$(apt_cache_private show --no-all-versions "$SRC_PKG" |
			sed -n 's/^Version: //p')
		[ -n "$pkg_version" ] || die "kernel: no version for $SRC_PKG"
		printf '%s %s\n' "$SRC_PKG" "$pkg_version" >"$APT_DIR/resolved"
	elif read -r SRC_PKG pkg_version <"$APT_DIR/resolved" 2>/dev/null; then
		echo "deps: trixie-backports unreachable; the debug kernel stays" \
			"$SRC_PKG $pkg_version" >&2
	else
		die "kernel: cannot list trixie-backports (see $APT_DIR/update.log)"
	fi
}

# Unpack the source package's tarball into $1 (downloaded once per version).
unpack_newest() {
	local deb
	mkdir -p "$SRC_DIR"
	deb=$SRC_DIR/${SRC_PKG}_${pkg_version}_all.deb
	if [ ! -f "$deb" ]; then
		rm -f "$SRC_DIR"/linux-source-*.deb
		(cd "$SRC_DIR" && apt_private download "$SRC_PKG=$pkg_version") >/dev/null ||
			die "kernel: cannot download $SRC_PKG $pkg_version"
		[ -f "$deb" ] || die "kernel: apt-get download gave no $deb"
	fi
	dpkg-deb --fsys-tarfile "$deb" |
		tar -xO "./usr/src/$SRC_PKG.tar.xz" | tar -xJ -C "$1" --strip-components=1
}

unpack_installed() {
	tar -xJf "/usr/src/$SRC_PKG.tar.xz" -C "$1" --strip-components=1
}

mkdir -p "$ACCMDEV_CACHE/kernels"
# One build (and one resolution) at a time: concurrent `make check`s all
# run `make deps`.
exec 8>"$ACCMDEV_CACHE/kernels/.debug-build.lock"
flock 8

case "$SOURCE" in
newest)
	resolve_newest
	unpack=unpack_newest
	;;
6.12)
	SRC_PKG=linux-source-6.12
	[ -f "/usr/src/$SRC_PKG.tar.xz" ] || die "kernel: /usr/src/$SRC_PKG.tar.xz missing; run: make deps"
	pkg_version=$(dpkg-query -W -f='${Version}' "$SRC_PKG" 2>/dev/null) ||
		die "kernel: $SRC_PKG is not installed; run: make deps"
	unpack=unpack_installed
	;;
*) die "kernel: ACCMDEV_DEBUG_SOURCE=$SOURCE: newest or 6.12" ;;
esac

command -v "$CC_KERNEL" >/dev/null || die "kernel: $CC_KERNEL missing; run: make deps"

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

# Every line of the fragment must hold in the final .config. A line after
# the comment "# only where Kconfig has it:" may name a symbol this
# kernel's Kconfig does not declare (a rename between 6.12 and 7.x); the
# log says so. A symbol declared but dropped still fails.
check_config() {
	local tree=$1 config=$1/.config line sym bad=0 optional=0
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=* | '# CONFIG_'*' is not set')
			sym=${line#\# }
			sym=${sym%%[= ]*}
			if [ "$optional" = 1 ] &&
				! grep -rqsE "^(menu)?config ${sym#CONFIG_}\$" \
					--include='Kconfig*' "$tree"; then
				echo "kernel: $sym is not in this kernel's Kconfig (optional)"
				optional=0
				continue
			fi
			optional=0
			;;
		'# only where Kconfig has it:') optional=1; continue ;;
		*) optional=0 ;;
		esac
		case "$line" in
		CONFIG_*=*)
			grep -qxF -- "$line" "$config" && continue
			echo "kernel: asked for $line, got:" \
				"$(grep -E "^(# )?${line%%=*}[= ]" "$config" || echo unset)"
			bad=1
			;;
		'# CONFIG_'*' is not set')
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
	echo "deps: building the debug kernel $kver from $SRC_PKG $pkg_version" \
		"with $(nproc) jobs (a few minutes; log: $root.log)" >&2
	{
		"$unpack" "$tree"
		# Debian's top Makefile reads this file: the compiler of the
		# Debian kernels, here and for every out-of-tree build.
		printf 'CC = %s\nHOSTCC = %s\n' "$CC_KERNEL" "$CC_KERNEL" \
			>"$tree/.kernelvariables"
		make -C "$tree" tinyconfig
		"$tree/scripts/kconfig/merge_config.sh" -m -O "$tree" \
			"$tree/.config" "$FRAGMENT"
		make -C "$tree" olddefconfig
	} >"$log" 2>&1 || { cp "$log" "$root.log"; die "kernel: configuring failed, see $root.log"; }
	if ! check_config "$tree" >>"$log" 2>&1; then
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

cached || build
echo "$kver"
