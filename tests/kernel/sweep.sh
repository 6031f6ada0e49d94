#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The build-only sweep: accmdev must build without a warning against the
# newest headers of every Debian kernel series from 6.1 on that apt can
# see: the host's release (and its backports) and every newer release
# the matrix fetches from (tests/vm/matrix, suite=...). Each kernel is
# built with its own toolchain (tests/kernel/modbuild.sh): the host's
# gcc for the host's kernels, the release's chroot for the others. The
# set is resolved when the sweep runs, from apt's lists; nothing here
# names a version.
#
#   tests/kernel/sweep.sh --fetch   download the headers (make deps), and
#                                   make sure the chroots have the compilers
#   tests/kernel/sweep.sh           build; TAP on stdout, one test per
#                                   series and release, naming the compiler;
#                                   exits non-zero on any failure
#
# Headers only (no images): $ACCMDEV_CACHE/sweep/<version>, or the
# matrix's own copy in $ACCMDEV_CACHE/kernels/<version> when it is the
# same kernel. Builds go to $ACCMDEV_RESULTS/sweep (default build/sweep).
set -euo pipefail
. "$(dirname "$0")/../vm/common.sh"
. "$ACCMDEV_SRC/tests/kernel/debian.sh"
. "$ACCMDEV_SRC/tests/kernel/toolchain.sh"

MIN_SERIES=6.1

# The releases to sweep: the host's (empty name) and the matrix's others.
releases() {
	echo ""
	sed 's/#.*//' "$ACCMDEV_SRC/tests/vm/matrix" | tr -s ' \t' '\n' |
		sed -n 's/^suite=\([a-z][a-z]*\).*/\1/p' | grep -vx "$(host_codename)" |
		sort -u || true
}

# series_kernels REL: "<series> <kver>" for the newest generic amd64
# headers package of each series REL's apt knows, from MIN_SERIES on.
series_kernels() {
	kapt "$1" apt-cache search --names-only '^linux-headers-[0-9]' 2>/dev/null |
		sed -n 's/^linux-headers-\([0-9][0-9.]*[-+][^ ]*-amd64\) - .*/\1/p' |
		grep -vE -- '-(cloud|rt)-amd64$' |
		awk -F. '{ print $1 "." $2 " " $0 }' | sort -k1,1V -k2,2V |
		awk -v min="$MIN_SERIES" '
			function num(s,   a) { split(s, a, "."); return a[1] * 1000 + a[2] }
			num($1) >= num(min) { last[$1] = $2 }
			END { for (s in last) print s, last[s] }' |
		sort -V
}

# kernel_home REL KVER: where KVER's headers are (or go).
kernel_home() {
	local m
	m=$(kernel_root "$2")
	if [ -f "$m/usr/src/linux-headers-$2/Makefile" ] &&
		[ "$(kernel_release "$m")" = "$1" ]; then
		echo "$m"
	else
		echo "$ACCMDEV_CACHE/sweep/$2"
	fi
}

# The whole set: "<release or -> <series> <kver>" a line.
sweep_set() {
	local rel s k
	while read -r rel; do
		while read -r s k; do
			[ -n "$k" ] && echo "${rel:--} $s $k"
		done < <(series_kernels "$rel")
	done < <(releases)
}

fetch() {
	local rel s k home pkgs=() extra n=0 kset
	declare -A want_rel
	kset=$(sweep_set)
	while read -r rel s k; do
		[ "$rel" != - ] || rel=""
		home=$(kernel_home "$rel" "$k")
		n=$((n + 1))
		# The matrix's copy of this kernel is make deps' to keep.
		[ "$home" = "$ACCMDEV_CACHE/sweep/$k" ] || continue
		mapfile -t extra < <(kernel_deps "$rel" "$k" "linux-headers-$k")
		pkgs=("linux-headers-$k" "${extra[@]}")
		fetch_debs "$rel" "$k" "$home" "${pkgs[@]}" || die "sweep: fetching $k failed"
		if [ -n "$rel" ]; then
			want_rel[$rel]+=" $(tr '\n' ' ' <"$home/.toolchain")"
		fi
	done <<<"$kset"
	for rel in "${!want_rel[@]}"; do
		# shellcheck disable=SC2086
		chroot_ensure "$rel" ${want_rel[$rel]}
	done
	# Headers of series that left the archive go too.
	if [ -d "$ACCMDEV_CACHE/sweep" ]; then
		for home in "$ACCMDEV_CACHE/sweep"/*; do
			[ -d "$home" ] || continue
			awk -v k="${home##*/}" '$3 == k { f = 1 } END { exit !f }' <<<"$kset" ||
				rm -rf "$home"
		done
	fi
	echo "deps: sweep headers ready for $n kernels in $ACCMDEV_CACHE/sweep"
}

run() {
	local results rel s k home out n=0 fail=0 t0 lines line cc where
	results=${ACCMDEV_RESULTS:-$ACCMDEV_SRC/build}/sweep
	mkdir -p "$results"
	mapfile -t lines < <(sweep_set)
	[ "${#lines[@]}" -gt 0 ] || { echo "1..1"; echo "not ok 1 - no kernel series resolved; run: make deps"; exit 1; }
	echo "1..${#lines[@]}"
	for line in "${lines[@]}"; do
		read -r rel s k <<<"$line"
		[ "$rel" != - ] || rel=""
		n=$((n + 1))
		home=$(kernel_home "$rel" "$k")
		out=$results/$k
		where=${rel:-$(host_codename)}
		if [ ! -f "$home/usr/src/linux-headers-$k/Makefile" ]; then
			echo "not ok $n - $s ($k, $where): headers not fetched; run: make deps"
			fail=$((fail + 1))
			continue
		fi
		cc=$(kdir_cc_text "$home/usr/src/linux-headers-$k")
		t0=$SECONDS
		if KDIR=$home/usr/src/linux-headers-$k bash "$ACCMDEV_SRC/tests/kernel/modbuild.sh" "$k" "$out" \
			>/dev/null 2>"$results/$k.err"; then
			echo "ok $n - $s ($k, $where) builds warning-free with $cc ($((SECONDS - t0)) s)"
		else
			echo "not ok $n - $s ($k, $where) with $cc: see $out/build.log"
			sed 's/^/# /' "$results/$k.err" | tail -n 15
			fail=$((fail + 1))
		fi
	done
	[ "$fail" = 0 ]
}

case "${1:-}" in
--fetch) fetch ;;
'') run ;;
*) die "usage: tests/kernel/sweep.sh [--fetch]" ;;
esac
