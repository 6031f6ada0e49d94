#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# The data-plane benchmark, run in the guest by bench/data-plane.sh. Not
# a test suite: it prints figures ("# ..." lines in the TAP stream) and
# fails only when it cannot measure. The timing loops are in dpbench.
bats_require_minimum_version 1.5.0

setup_file() {
	load ../tests/bats/helpers/common
	cleanup_devices
	ZIP=$(create_mdev accmdev2 accmdev-zip-r2-1qp)
	SEC=$(create_mdev accmdev3 accmdev-sec-r1-1qp)
	export ZIP SEC
}

teardown_file() {
	load ../tests/bats/helpers/common
	cleanup_devices
}

setup() {
	load ../tests/bats/helpers/common
	DPBENCH=$ACCMDEV_SRC/build/bench-dp/dpbench
	SECS=${BENCH_SECONDS:-2}
}

say() {
	echo "# $*" >&3
}

# bench UUID ALG: one table block per algorithm.
bench() {
	local out
	out=$("$DPBENCH" "$1" "$2" "$SECS")
	awk '
		{ for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] } }
		f["where"] == "device" { drps = f["rps"]; dmb = f["mbps"]; next }
		{
			printf "%-8s %8s  device %9.1f req/s %8.2f MB/s   user %9.1f req/s %8.2f MB/s (%s)   device/user %.3f\n",
				f["alg"], f["size"], drps, dmb, f["rps"], f["mbps"], f["impl"],
				dmb / f["mbps"]
		}' <<<"$out" | while IFS= read -r line; do say "$line"; done
}

@test "environment" {
	say "kernel $(uname -r), $(nproc) vCPUs,$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)"
	say "one QP, 64-entry ring, up to 32 one-shot requests in flight; ${SECS}s per figure"
}

@test "crc32c" {
	bench "$ZIP" crc32c
}

@test "adler32" {
	bench "$ZIP" adler32
}

@test "deflate (level 6)" {
	bench "$ZIP" deflate
}

@test "inflate" {
	bench "$ZIP" inflate
}

@test "sha256" {
	bench "$SEC" sha256
}

@test "sha224" {
	bench "$SEC" sha224
}
