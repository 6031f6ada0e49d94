# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Shared by the benchmark scripts (sourced): which kernel, building
# accmdev and the mtty sample for it into a build directory, one guest
# run of a bats file, and the results file. Sourcing scripts have
# tests/vm/common.sh loaded and run from the top of the tree.

# bench_kernel [KVER]: the kernel to measure (default: the 6.12 kernel
# of 'make deps'); sets BENCH_KVER and BENCH_KDIR.
bench_kernel() {
	BENCH_KVER=${1:-$(matrix_kernels | grep '^6\.12' | head -n 1)}
	[ -n "$BENCH_KVER" ] ||
		die "bench: no 6.12 kernel in $ACCMDEV_CACHE/matrix; run: make deps"
	BENCH_KDIR=$(kernel_kdir "$BENCH_KVER")
	[ -f "$BENCH_KDIR/Makefile" ] ||
		die "bench: no headers for $BENCH_KVER; run: make deps"
}

# bench_build_accmdev OUT: OUT/accmdev/driver/accmdev.ko from this tree.
bench_build_accmdev() {
	local out=$1
	echo "bench: building accmdev for $BENCH_KVER"
	rm -rf "$out/accmdev"
	bash tests/kernel/modbuild.sh "$BENCH_KVER" "$out/accmdev" >/dev/null 2>"$out/accmdev.log" ||
		die "bench: accmdev build failed, see $out/accmdev/build.log"
}

# bench_build_mtty OUT: OUT/mtty/mtty.ko, the kernel's mtty sample taken
# from Debian's linux-source-6.12 and built against the same headers. A
# comparison peer at benchmark time only: it lives under build/ (never
# committed) and nowhere else.
bench_build_mtty() {
	local out=$1 src=/usr/src/linux-source-6.12.tar.xz
	[ -f "$src" ] || die "bench: no $src; run: make deps"
	echo "bench: building mtty from $src"
	rm -rf "$out/mtty"
	mkdir -p "$out/mtty"
	tar -xJf "$src" -C "$out/mtty" --strip-components=3 \
		--wildcards '*/samples/vfio-mdev/mtty.c'
	echo 'obj-m := mtty.o' >"$out/mtty/Kbuild"
	make -s -C "$BENCH_KDIR" M="$PWD/$out/mtty" modules >"$out/mtty.log" 2>&1 ||
		die "bench: mtty build failed, see $out/mtty.log"
}

# bench_run_vm OUT NAME: boot the kernel once with accmdev and run
# bench/NAME.bats inside; ACCMDEV_GUEST_ENV passes settings in. Then
# write OUT/results.txt from the "# " lines of the TAP stream, print it,
# and fail if a measurement failed or the guest's kernel log reports a
# bug.
bench_run_vm() {
	local out=$1 name=$2 title tap
	echo "bench: running in a $BENCH_KVER guest (this takes a while)"
	tests/vm/run --kernel "$BENCH_KVER" --module "$PWD/$out/accmdev/driver/accmdev.ko" \
		--out "$out/vm" --mode check "$PWD/bench/$name.bats"
	tap=$out/vm/$name.tap
	title="accmdev $name benchmark"
	{
		echo "$title, $(date -u +%Y-%m-%dT%H:%MZ)"
		echo "host: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end;" \
			"guest: QEMU TCG ${ACCMDEV_KVM:+(KVM requested) }"
		sed -n 's/^# //p' "$tap" | grep -v -e '^exit ' -e '^(' -e '^ *$'
	} >"$out/results.txt"
	cat "$out/results.txt"
	if grep -q '^not ok' "$tap"; then
		echo "bench: some measurements failed:" >&2
		grep -A5 '^not ok' "$tap" >&2
		return 1
	fi
	if grep -aqE 'Oops|BUG:|WARNING:|KASAN|UBSAN' "$out/vm/dmesg.txt"; then
		echo "bench: the guest kernel log reports a bug, see $out/vm/dmesg.txt" >&2
		return 1
	fi
}
