#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# Mutated migration streams (tests/bin/streamfuzz.c): 10,000 streams
# built from real ones that carry open hash and checksum streams, each
# fed to a destination in RESUMING: bit flips, cuts,
# lengths grown and shrunk, records repeated, dropped and reordered,
# bytes after END, oversized streams, valid headers with hostile bodies,
# unknown records. Every stream that must be refused is, the device stays
# in RESUMING and a reset gives RUNNING; the destination still computes
# and at last takes the real stream and finishes the source's stream.
# Two engines, 5,000 streams each (STREAMFUZZ_COUNT per engine).
bats_require_minimum_version 1.5.0

setup() {
	load helpers/common
	load helpers/device
	STREAMFUZZ=$ACCMDEV_SRC/tests/bin/build/streamfuzz
	[ -x "$STREAMFUZZ" ] || fail "$STREAMFUZZ is not built: make -C tests/bin"
	cleanup_devices
	dmesg_mark
}

teardown() {
	cleanup_devices
}

# streamfuzz PARENT TYPE: fuzz one pair of fresh devices of TYPE on PARENT.
streamfuzz() {
	local src dst
	src=$(create_mdev "$1" "$2")
	dst=$(create_mdev "$1" "$2")
	run "$STREAMFUZZ" -n "${STREAMFUZZ_COUNT:-5000}" "$src" "$dst"
	grep -E '^(seed|kind|streams)' <<<"$output" >&3
	assert_success
	assert_line --regexp '^streams: [0-9]+ mutated, 0 wrongly judged, 0 left in a bad state$'
	assert_line --regexp '^ok - the destination finishes the source'
	refute_line --partial 'not ok'
	run grep -E "$ACCMDEV_SPLATS" <<<"$(dmesg_since_mark)"
	assert_output ""
}

@test "hash engine: 5,000 mutated streams around open SHA-256 and SHA-224 streams" {
	streamfuzz accmdev3 accmdev-sec-4qp
}

@test "compression engine: 5,000 mutated streams around open CRC32C and Adler-32 streams" {
	streamfuzz accmdev2 accmdev-zip-2qp
}
