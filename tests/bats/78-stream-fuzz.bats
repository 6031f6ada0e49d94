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
#
# Then the hand-built streams of tests/stream/cases.c
# (tests/bin/streamcases.c): checksum-valid streams that each break one
# rule of the format, refused with the errno and the kernel log reason
# the table gives, the same table the host unit test runs against the
# parser (make -C tests/stream check). The refusal line is rate limited:
# checking every case's line means waiting out the limit (about 50 s),
# which the newest kernel's lane does; with STREAMCASES_LOG=sample (the
# other lanes, tests/expect) every errno, state and reset is checked and
# the log lines only as far as the limit lets them through, unwaited.
bats_require_minimum_version 1.5.0

setup() {
	load helpers/common
	load helpers/device
	STREAMFUZZ=$ACCMDEV_SRC/tests/bin/build/streamfuzz
	STREAMCASES=$ACCMDEV_SRC/tests/bin/build/streamcases
	[ -x "$STREAMFUZZ" ] || fail "$STREAMFUZZ is not built: make -C tests/bin"
	[ -x "$STREAMCASES" ] || fail "$STREAMCASES is not built: make -C tests/bin"
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
	streamfuzz accmdev3 accmdev-sec-r1-4qp
}

@test "compression engine: 5,000 mutated streams around open CRC32C and Adler-32 streams" {
	streamfuzz accmdev2 accmdev-zip-r2-2qp
}

@test "hand-built streams, one broken rule each: refused with the rule's errno and log reason, on both engines" {
	local zip sec
	zip=$(create_mdev accmdev2 accmdev-zip-r2-2qp)
	sec=$(create_mdev accmdev3 accmdev-sec-r1-4qp)
	if [ "${STREAMCASES_LOG:-all}" = sample ]; then
		run "$STREAMCASES" -s "$zip" "$sec"
	else
		run "$STREAMCASES" "$zip" "$sec"
	fi
	grep -E '^(cases|log lines|#)' <<<"$output" >&3
	grep -E '^not ok' <<<"$output" >&3 || true
	assert_success
	assert_line --regexp '^cases: [0-9]+ run on 2 devices, 0 failed, every case run$'
	[[ $output =~ log\ lines:\ ([0-9]+)\ of\ ([0-9]+)\ refusals ]] ||
		fail "no \"log lines\" summary"
	if [ "${STREAMCASES_LOG:-all}" = sample ]; then
		# At least a window's worth on each call site: 9 + 9.
		assert [ "${BASH_REMATCH[1]}" -ge 18 ]
	else
		assert_equal "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
	fi
	assert_line --regexp 'the valid stream.s QP 0 registers read back as carried'
	refute_line --partial 'not ok'
	run grep -E 'Oops|BUG:|WARNING:|KASAN|UBSAN|general protection' \
		<<<"$(dmesg_since_mark)"
	assert_output ""
}
