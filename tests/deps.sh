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
#    never installed, so they never become boot kernels of this machine.
#    Kernels of a newer Debian release (suite=trixie-backports) come
#    through a private apt tree (tests/kernel/debian.sh) that leaves the
#    host's apt sources alone;
#  - such kernels need their release's compiler: a chroot of that
#    release is made with mmdebstrap ($ACCMDEV_CACHE/chroot/<release>,
#    tests/kernel/toolchain.sh), with the compiler the kernel names;
#  - the debug lane's kernel (tests/kernel/build.sh) is built from
#    linux-source-6.12 into the same cache, once per source version and
#    config fragment: the first run on a machine takes a few minutes;
#  - the build sweep's headers (tests/kernel/sweep.sh --fetch).
#
# Writes $ACCMDEV_CACHE/matrix: one kernel a line, "<version> [debug]",
# and $ACCMDEV_CACHE/demo-kernel, the kernel make demo boots.
#
#   tests/deps.sh            everything (make deps, make check)
#   tests/deps.sh --demo     only what make demo and make shell need: the
#                            host packages of a build and a VM, and the
#                            matrix's demo kernel; no QEMU from backports,
#                            no debug kernel, no chroot, no sweep
#   tests/deps.sh --dry-run  say what would change on this machine, and
#                            stop (with --demo: for the demo)
#
# DEBUG_KERNEL=0 skips the debug kernel's build (a debug kernel already
# in the matrix stays there).
#
# Before anything changes on the machine, the plan is printed: packages
# to install, apt sources to add. Each step says when it starts and how
# long it took.
set -euo pipefail
. "$(dirname "$0")/vm/common.sh"
. "$ACCMDEV_SRC/tests/kernel/debian.sh"
. "$ACCMDEV_SRC/tests/kernel/toolchain.sh"

# What make demo / make shell need: build the module and the tools, make
# an initramfs, boot QEMU (Debian 12's QEMU 7.2 is enough for that).
DEMO_PKGS=(
	make gcc gcc-12 libc6-dev binutils pkg-config	# module and tools
	dwarves						# pahole, module BTF
	kmod cpio xz-utils zstd busybox-static		# guest initramfs
	qemu-system-x86					# the VM
	libudev-dev udev iproute2 util-linux		# accctl, guest udevd
	nettle-dev					# accctl send/receive (HMAC)
)
HOST_PKGS=(
	"${DEMO_PKGS[@]}"
	bats bats-support bats-assert bash-builtins	# test suites
	clang libclang-rt-14-dev			# libFuzzer
	mdevctl python3 bc jq				# guest tools
	linux-source-6.12				# checkpatch, debug kernel
	flex bison libelf-dev				# debug kernel build
	mmdebstrap					# newer releases' toolchains
	python3-docutils				# accctl.8 (rst2man)
	dpkg-dev debhelper dh-dkms fakeroot		# make deb, 86-packages
)

mode=full
dry_run=0
for arg in "$@"; do
	case "$arg" in
	--demo) mode=demo ;;
	--dry-run) dry_run=1 ;;
	*) die "usage: tests/deps.sh [--demo] [--dry-run]" ;;
	esac
done
[ "$mode" = full ] || HOST_PKGS=("${DEMO_PKGS[@]}")

# step NAME: the start of a step, with the time the last one took.
step_no=0
step_t0=$SECONDS
step_total=0
step() {
	local now=$SECONDS
	[ "$step_no" = 0 ] || echo "deps: ... done in $((now - step_t0)) s"
	step_no=$((step_no + 1))
	step_t0=$now
	[ -n "${1:-}" ] || return 0
	echo "deps: [$step_no/$step_total] $1"
}

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

# resolve_metas REL SUITE IMAGE_META HEADERS_META: "<image> <headers>",
# the packages the two metapackages depend on in SUITE (or their
# candidates, without SUITE), e.g. linux-image-6.1.0-56-amd64, in one
# apt-cache run.
resolve_metas() {
	local rel=$1 suite=$2
	kapt "$rel" apt-cache depends "$3${suite:+/$suite}" "$4${suite:+/$suite}" 2>/dev/null |
		awk '/^[^ \t]/ { n++ }
		     $1 == "Depends:" && n == 1 && !i && index($2, "linux-image-") == 1 { i = $2 }
		     $1 == "Depends:" && n == 2 && !h && index($2, "linux-headers-") == 1 { h = $2 }
		     END { if (i != "" && h != "") print i, h }'
}

# Fetch one kernel (image + headers) into the cache, if not already. A
# third matrix field names the suite it comes from, when that is not
# one of the host's (trixie-backports).
fetch_kernel() {
	local image_meta=$1 headers_meta=$2 suite=${3:-}
	local rel="" image="" headers="" kver pkgs=() extra

	if [ -n "$suite" ]; then
		rel=${suite%%-*}
		[ "$rel" != "$(host_codename)" ] || rel=""
	fi
	read -r image headers < <(resolve_metas "$rel" "$suite" "$image_meta" "$headers_meta") || true
	if [ -z "$rel" ] && { [ -z "$image" ] || [ -z "$headers" ]; }; then
		is_root || die "apt cannot resolve $image_meta; run: sudo apt-get update"
		apt_update_once
		read -r image headers < <(resolve_metas "" "$suite" "$image_meta" "$headers_meta") || true
	fi
	[ -n "$image" ] && [ -n "$headers" ] ||
		die "cannot resolve $image_meta / $headers_meta${suite:+ in $suite} with apt-cache"
	kver=${image#linux-image-}
	[ "$headers" = "linux-headers-$kver" ] ||
		die "$headers_meta gives $headers, not linux-headers-$kver"

	mapfile -t extra < <(kernel_deps "$rel" "$kver" "$image" "$headers")
	pkgs=("$image" "$headers" "${extra[@]}")
	fetch_debs "$rel" "$kver" "$(kernel_root "$kver")" "${pkgs[@]}" ||
		die "fetching kernel $kver failed"
	echo "$kver"
}

# The matrix's lines, comments dropped; build lines only in full mode;
# in demo mode only the line marked "demo".
matrix_lines() {
	local line
	while read -r line; do
		case "$line" in
		'' | '#'*) continue ;;
		build[[:space:]]*)
			[ "$mode" = full ] && [ "${DEBUG_KERNEL:-1}" != 0 ] || continue ;;
		*) [ "$mode" = full ] || [[ " $line " == *[[:space:]]demo[[:space:]]* ]] ||
			continue ;;
		esac
		echo "$line"
	done <"$ACCMDEV_SRC/tests/vm/matrix"
}

# The releases other than the host's that the matrix names.
matrix_releases() {
	matrix_lines | tr -s ' \t' '\n' | sed -n 's/^suite=\([a-z][a-z]*\).*/\1/p' |
		grep -vx "$(host_codename)" | sort -u || true
}

# The plan: what this run will change on the machine, before it does.
plan() {
	local missing rel changes=0
	missing=$(missing_host_pkgs | tr '\n' ' ')
	if [ -n "$missing" ]; then
		echo "deps: will install with apt-get: $missing"
		changes=1
	fi
	if [ "$mode" = full ]; then
		ACCMDEV_QEMU_DEPS_PLAN=1 bash "$ACCMDEV_SRC/tests/qemu-deps.sh" && changes=1
	fi
	for rel in $(matrix_releases); do
		[ -f "$(xapt_dir "$rel")/sources.list.d/$rel.sources" ] ||
			echo "deps: will keep a private apt tree for $rel in $(xapt_dir "$rel")" \
				"(the machine's apt sources stay as they are)"
	done
	[ "$changes" = 1 ] || echo "deps: no packages or apt sources of this machine change"
	echo "deps: kernels and toolchains go to $ACCMDEV_CACHE"
}

# The kernel of a matrix line: fetch_kernel with the line's words.
matrix_fetch() {
	local w args=() suite=""
	for w in $1; do
		case "$w" in
		demo | nocheck) ;;
		suite=*) suite=${w#suite=} ;;
		*) args+=("$w") ;;
		esac
	done
	[ -z "$suite" ] || xapt_init_once "${suite%%-*}"
	fetch_kernel "${args[@]}" "$suite"
}

declare -A xapt_done
xapt_init_once() {
	[ "$1" != "$(host_codename)" ] || return 0
	[ -z "${xapt_done[$1]:-}" ] || return 0
	xapt_init "$1"
	xapt_done[$1]=1
}

# The chroots the fetched kernels need, with the union of their packages.
ensure_chroots() {
	local k root rel
	declare -A want
	for k in "$@"; do
		root=$(kernel_root "${k%% *}")
		rel=$(kernel_release "$root")
		[ -n "$rel" ] || continue
		want[$rel]+=" $(tr '\n' ' ' <"$root/.toolchain")"
	done
	for rel in "${!want[@]}"; do
		# shellcheck disable=SC2086
		chroot_ensure "$rel" ${want[$rel]}
		echo "deps: $rel toolchain chroot ready in $(chroot_dir "$rel")"
	done
}

main() {
	local line kvers=() nocheck=() k lane demo="" lines

	plan
	[ "$dry_run" = 0 ] || exit 0
	mapfile -t lines < <(matrix_lines)
	[ "${#lines[@]}" -gt 0 ] || die "no $mode kernel in tests/vm/matrix (make demo boots the line marked demo)"
	step_total=$((2 + ${#lines[@]}))
	[ "$mode" = demo ] || step_total=$((step_total + 3))
	step "host packages"
	install_host_pkgs
	if [ "$mode" = full ]; then
		step "QEMU 10 (76-qemu)"
		bash "$ACCMDEV_SRC/tests/qemu-deps.sh"
	fi
	mkdir -p "$ACCMDEV_CACHE/kernels"
	# The guest sees this machine's root read-only and mounts its
	# kernel's modules on /lib/modules: the directory must exist. A
	# container or a fresh machine without a kernel of its own has none.
	mkdir -p /lib/modules
	for line in "${lines[@]}"; do
		case "$line" in
		build[[:space:]]*)
			step "debug kernel (${line#build*[[:space:]]}; the first build takes minutes)"
			k=$(bash "$ACCMDEV_SRC/${line#build*[[:space:]]}") ||
				die "building the debug kernel failed"
			kvers+=("$k debug")
			;;
		*)
			step "kernel: $line"
			k=$(matrix_fetch "$line")
			# nocheck: fetched (the demo's, the sweep's), not in
			# make check's matrix.
			if [[ " $line " == *[[:space:]]nocheck[[:space:]]* ]]; then
				nocheck+=("$k")
			else
				kvers+=("$k")
			fi
			[[ " $line " != *[[:space:]]demo[[:space:]]* ]] || demo=$k
			;;
		esac
	done
	# The demo's kernel needs a chroot only if it is of a newer release.
	[ "${#kvers[@]}" -gt 0 ] || kvers=("${nocheck[@]}") nocheck=()
	if [ "$mode" = full ] || [ -n "$(kernel_release "$(kernel_root "${kvers[0]%% *}")")" ]; then
		if [ "$mode" = demo ]; then
			step_total=$((step_total + 1))
			HOST_PKGS=(mmdebstrap)
		fi
		step "toolchain chroots for newer releases"
		install_host_pkgs
		ensure_chroots "${kvers[@]}"
	fi
	if [ "$mode" = full ]; then
		step "build sweep headers"
		bash "$ACCMDEV_SRC/tests/kernel/sweep.sh" --fetch
	fi
	step "matrix and demo kernel"
	if [ "$mode" = full ]; then
		# DEBUG_KERNEL=0 keeps the debug kernel the matrix already has.
		if [ "${DEBUG_KERNEL:-1}" = 0 ] && [ -f "$ACCMDEV_CACHE/matrix" ]; then
			while read -r k lane; do
				[ -n "$lane" ] && [ -d "$(kernel_root "$k")" ] &&
					kvers+=("$k $lane")
			done <"$ACCMDEV_CACHE/matrix"
		fi
		printf '%s\n' "${kvers[@]}" >"$ACCMDEV_CACHE/matrix.new"
		mv "$ACCMDEV_CACHE/matrix.new" "$ACCMDEV_CACHE/matrix"
	fi
	[ -z "$demo" ] || echo "$demo" >"$ACCMDEV_CACHE/demo-kernel"
	for k in "${kvers[@]}" "${nocheck[@]}"; do
		k=${k%% *}
		echo "deps: kernel $k ready in $(kernel_root "$k")"
	done
	step ""
	echo "deps: $mode set ready in $SECONDS s"
}

main
