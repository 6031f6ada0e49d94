#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make check: every suite. Host-side suites first (version logic and
# stream codec unit tests and fuzzing, accctl against fake sysfs trees),
# then, for each kernel of the matrix, build accmdev for it, boot it in
# QEMU and run the bats suites inside. Each kernel's guest log is scanned
# too: an oops, BUG, WARNING, lockdep, KASAN, UBSAN or kmemleak report is
# a failure.
#
# The matrix has two lanes (Documentation/testing.rst): the production
# lane, Debian's 6.1 and 6.12 kernels, and the debug lane, a 6.12 built
# by make deps with KASAN, UBSAN, lockdep, kmemleak and fault injection.
# The guest scans kmemleak after each suite where the kernel has it.
#
# Ends with "N passed, N failed" and exits non-zero on any failure.
# KERNELS="<version> ..." limits the kernels; DEBUG_KERNEL=0 (make check
# DEBUG_KERNEL=0) skips the debug lane, for a quicker local loop;
# SUITES="00-load ..." limits the bats suites; ACCMDEV_VERBOSE=1 shows
# the guest console; ACCMDEV_RESULTS=<dir> puts results and builds
# elsewhere than build/results (one make check at a time per directory).
set -uo pipefail
. "$(dirname "$0")/vm/common.sh"
cd "$ACCMDEV_SRC" || exit 1

results=${ACCMDEV_RESULTS:-build/results}
mkdir -p "$results"
results=$(cd "$results" && pwd)
exec 9>"$results.lock"
flock -n 9 || die "another make check is using $results (set ACCMDEV_RESULTS)"
rm -rf "$results"
mkdir -p "$results"
total_pass=0 total_fail=0 total_skip=0
start_all=$SECONDS

# Count one TAP stream; a stream that ends early counts its missing tests
# as failures.
tap_count() {
	awk '
		/^1\.\.[0-9]+/ { split($0, a, "."); plan = a[3] + 0 }
		/^ok / { if ($0 ~ /# [Ss][Kk][Ii][Pp]/) skip++; else pass++; n++ }
		/^not ok / { fail++; n++ }
		END {
			if (plan > n) fail += plan - n
			printf "%d %d %d\n", pass, fail, skip
		}' "$1"
}

# report NAME TAPFILE [COST]: print one line, add to the totals.
report() {
	local name=$1 tap=$2 cost=${3:-} p f s
	read -r p f s < <(tap_count "$tap")
	printf '  %-28s %3d passed, %d failed, %d skipped%s\n' "$name" "$p" "$f" "$s" \
		"${cost:+ ($cost)}"
	grep -E '^not ok ' "$tap" | sed 's/^/      /' | head -20
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	total_skip=$((total_skip + s))
}

# suite_cost PREFIX: "N s, M processes" from the guest's PREFIX.time and
# PREFIX.forks, as far as they exist.
suite_cost() {
	local t n
	t=$(cat "$1.time" 2>/dev/null) || return 0
	n=$(cat "$1.forks" 2>/dev/null) || { echo "$t s"; return 0; }
	echo "$t s, $n processes"
}

# fail_tap FILE DESCRIPTION: a one-test stream that failed.
fail_tap() {
	printf '1..1\nnot ok 1 - %s\n' "$2" >"$1"
}

host_suites() {
	local out=$results/host
	mkdir -p "$out"
	echo "host:"
	if make -s -C tests/unit >"$out/unit.build" 2>&1; then
		make -s -C tests/unit run >"$out/unit.tap" 2>"$out/unit.err" || true
	else
		fail_tap "$out/unit.tap" "unit tests build (see $out/unit.build)"
	fi
	report "migver unit tests" "$out/unit.tap"

	if make -s -C tests/fuzz >"$out/fuzz.build" 2>&1; then
		make -s -C tests/fuzz run FUZZ_SECONDS="${FUZZ_SECONDS:-20}" \
			>"$out/fuzz.tap" 2>"$out/fuzz.err" || true
	else
		fail_tap "$out/fuzz.tap" "fuzz target build (see $out/fuzz.build)"
	fi
	report "migver libFuzzer" "$out/fuzz.tap"

	# The stream codec (driver/mig_stream.c): unit test, then fuzzer.
	if make -s -C tests/stream >"$out/stream.build" 2>&1; then
		make -s -C tests/stream check FUZZ_SECONDS="${FUZZ_SECONDS:-10}" \
			>"$out/stream.tap" 2>"$out/stream.err" ||
			grep -q '^not ok' "$out/stream.tap" ||
			fail_tap "$out/stream.tap" "stream codec tests (see $out/stream.err)"
	else
		fail_tap "$out/stream.tap" "stream codec tests build (see $out/stream.build)"
	fi
	report "stream codec unit test and libFuzzer" "$out/stream.tap"

	if [ -f tools/Makefile ]; then
		make -s -C tools check >"$out/tools.tap" 2>"$out/tools.err" ||
			grep -q '^not ok' "$out/tools.tap" ||
			fail_tap "$out/tools.tap" "accctl host tests (see $out/tools.err)"
		report "accctl host tests" "$out/tools.tap"
	fi
}

build_guest_tools() {
	make -s -C tests/bin >"$results/bin.build" 2>&1 ||
		die "building tests/bin failed: $(cat "$results/bin.build")"
	local d
	for d in tools tools/vfio; do
		[ -f "$d/Makefile" ] || continue
		make -s -C "$d" SAN=1 >"$results/tools-san.build" 2>&1 ||
			die "building $d failed: $(tail -5 "$results/tools-san.build")"
	done
}

# build_module KVER: prints the path of accmdev.ko built for KVER.
build_module() {
	local kver=$1 dir=$results/$1/module
	rm -rf "$dir"
	mkdir -p "$dir"
	tar -c --exclude='*.o' --exclude='*.ko' --exclude='*.cmd' \
		--exclude='*.mod' --exclude='*.mod.c' --exclude='*.order' \
		Kbuild driver | tar -x -C "$dir"
	make -C "$(kernel_kdir "$kver")" M="$dir" modules \
		>"$results/$kver/build.log" 2>&1 || return 1
	echo "$dir/driver/accmdev.ko"
}

# The guest's kernel log must hold no report of a kernel bug. On the
# debug kernel: KASAN ("BUG: KASAN: ..."), UBSAN ("UBSAN: ..."), lockdep
# ("WARNING: possible circular locking ..."), debug objects ("ODEBUG:",
# with a WARNING), might_sleep ("BUG: sleeping function ...") and the
# kmemleak files the guest saves after each suite ("unreferenced object").
BAD_LOG='Oops|BUG:|WARNING:|general protection|Kernel panic|KASAN|UBSAN|'\
'kmemleak: .*new suspected|unreferenced object|possible circular locking|'\
'possible recursive locking|inconsistent lock state|suspicious RCU usage|'\
'DEBUG_LOCKS_WARN_ON|INFO: task .* blocked for more than|'\
'lockdep: |BUG: sleeping function|ODEBUG:'

# Each hit is prefixed with the file it is in (a suite's .kmemleak file
# names the suite that leaked, or the one before it: kmemleak reports an
# object only once it is 5 s old).
scan_log() {
	local out=$1 tap=$2 hits
	hits=$(cd "$out" 2>/dev/null &&
		grep -aHE "$BAD_LOG" console.log dmesg.txt ./*.kmemleak 2>/dev/null |
		sed 's|^\./||' | sort -u | head -20)
	if [ -z "$hits" ]; then
		printf '1..1\nok 1 - guest kernel log is clean\n' >"$tap"
	else
		{
			printf '1..1\nnot ok 1 - guest kernel log reports a kernel bug\n'
			printf '%s\n' "$hits" | sed 's/^/# /'
		} >"$tap"
	fi
}

kernel_suites() {
	local kver=$1 out=$results/$1 ko t0 suites=() s first
	mkdir -p "$out"
	t0=$SECONDS
	echo "kernel $kver:"
	if [ -n "${SUITES:-}" ]; then
		for s in $SUITES; do suites+=("$ACCMDEV_SRC/tests/bats/$s.bats"); done
	else
		suites=("$ACCMDEV_SRC"/tests/bats/[0-9]*.bats)
	fi
	echo "  lane: $(kernel_lane "$kver")"
	if ! ko=$(build_module "$kver"); then
		fail_tap "$out/build.tap" "accmdev builds for $kver (see $out/build.log)"
		report "module build" "$out/build.tap"
		return
	fi
	if ! tests/vm/run --kernel "$kver" --module "$ko" --out "$out/vm" \
		--mode check "${suites[@]}"; then
		fail_tap "$out/vm.tap" "the $kver guest ran to completion"
		report "guest run" "$out/vm.tap"
	fi
	for s in "${suites[@]}"; do
		s=$(basename "$s" .bats)
		[ -f "$out/vm/$s.tap" ] || fail_tap "$out/vm/$s.tap" "suite $s ran"
		report "$s" "$out/vm/$s.tap" "$(suite_cost "$out/vm/$s")"
	done
	first=$(sed -n 's/^guest: suite [^ ]* at \([0-9.]*\) s.*/\1/p' \
		"$out/vm/console.log" 2>/dev/null | head -n 1)
	[ -z "$first" ] || echo "  (guest boot to the first suite: ${first%.*} s of guest time)"
	scan_log "$out/vm" "$out/log.tap"
	report "kernel log" "$out/log.tap"
	echo "  ($((SECONDS - t0)) s; results in $out)"
}

# run_kernel KVER: kernel_suites in the background, its report in
# $results/KVER.report and its counts in $results/KVER.counts.
run_kernel() {
	(
		total_pass=0 total_fail=0 total_skip=0
		# Side by side, a production guest gets one vCPU: with more
		# vCPU threads than host cores, a guest spins on locks whose
		# holder's thread is not running (20-migver took 197 s, not
		# 84 s). The debug lane keeps two, for the storm's races.
		if [ "$jobs_max" -gt 1 ] && [ "$(kernel_lane "$1")" = prod ]; then
			export ACCMDEV_VM_SMP=${ACCMDEV_VM_SMP:-1}
		fi
		kernel_suites "$1" >"$results/$1.report" 2>&1
		echo "$total_pass $total_fail $total_skip" >"$results/$1.counts"
	) &
}

host_suites
build_guest_tools
# DEBUG_KERNEL=0 leaves out the debug lane (unless KERNELS names it).
if [ "${DEBUG_KERNEL:-1}" = 0 ]; then
	kernels=${KERNELS:-$(matrix_kernels)}
else
	kernels=${KERNELS:-$(matrix_kernels all)}
fi
# The kernels run side by side, ACCMDEV_JOBS guests at a time (default 2:
# a guest's suites are mostly one shell at a time, so two guests keep two
# host cores busy). The debug lane, the longest, starts first; reports
# come out in that order, each once its kernel is done.
order=$(for k in $kernels; do
	[ "$(kernel_lane "$k")" = debug ] && echo "0 $k" || echo "1 $k"
done | sort -s -k1,1 | cut -d' ' -f2)
jobs_max=${ACCMDEV_JOBS:-1}
running=0
declare -A pids
for kver in $order; do
	if [ "$running" -ge "$jobs_max" ]; then
		wait -n
		running=$((running - 1))
	fi
	echo "kernel $kver: started at $((SECONDS - start_all)) s"
	run_kernel "$kver"
	pids[$kver]=$!
	running=$((running + 1))
done
for kver in $order; do
	wait "${pids[$kver]}" 2>/dev/null
	cat "$results/$kver.report" 2>/dev/null
	if read -r p f s <"$results/$kver.counts" 2>/dev/null; then
		total_pass=$((total_pass + p))
		total_fail=$((total_fail + f))
		total_skip=$((total_skip + s))
	else
		echo "kernel $kver: no result (see $results/$kver.report)"
		total_fail=$((total_fail + 1))
	fi
done

echo "make check: $((SECONDS - start_all)) s"
line="$total_pass passed, $total_fail failed"
[ "$total_skip" = 0 ] || line+=", $total_skip skipped"
echo "$line"
[ "$total_fail" = 0 ]
