#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# accctl migrate, send and receive: a device moved between two parents
# and over loopback TCP, the report of each, and the refusal of an
# incompatible destination before any device state moves. Their client
# is accctl, so they run on the production lanes, with and without
# PRE_COPY (6.1 has none); the kernel paths they drive are
# 74-migration's, which the debug lane runs. See
# Documentation/accctl.rst.
bats_require_minimum_version 1.5.0

setup_file() {
	load helpers/common
	load helpers/device
	device_suite_start
}

teardown_file() {
	load helpers/common
	cleanup_devices
}

setup() {
	load helpers/common
	load helpers/device
	load helpers/receiver
	cd "$DATA" || return 1
}

teardown() {
	[ -n "${RECV_PID:-}" ] && kill "$RECV_PID" 2>/dev/null
	cleanup_devices
}

@test "accctl migrate moves a device and reports bytes, downtime and total time" {
	src=$(create_mdev accmdev0 accmdev-zip-r1-2qp)
	dst=$(create_mdev accmdev1 accmdev-zip-r1-2qp)
	run -0 "$ACCCTL" migrate "$src" "$dst"
	printf '# %s\n' "${lines[@]}" >&3
	assert_line "source       $src"
	assert_line "destination  $dst"
	assert_line "result       migrated"
	if has_precopy; then
		assert_line --regexp '^pre-copy     [1-9][0-9]* bytes in 1 round$'
	else
		assert_line "pre-copy     none (the kernel has no PRE_COPY)"
	fi
	assert_line --regexp '^stop-copy    [1-9][0-9]* bytes'
	assert_line --regexp '^bytes        [1-9][0-9]* of device state$'
	assert_line --regexp '^downtime     [0-9]+\.[0-9]{3} ms$'
	assert_line --regexp '^total time   [0-9]+\.[0-9]{3} ms$'

	run -0 "$ACCCTL" migrate "$src" "$dst" --json
	assert_equal "$(jq -r '.result, .pre_copy' <<<"$output" | tr '\n' ' ')" \
		"migrated $(has_precopy && echo yes || echo no) "
	assert_equal "$(jq '.bytes == .pre_copy_bytes + .stop_copy_bytes and
		.bytes > 0 and .downtime_us <= .total_us' <<<"$output")" true
}

@test "accctl migrate refuses an incompatible destination, by sysfs or in band" {
	src=$(create_mdev accmdev2 accmdev-zip-r2-1qp)
	dst=$(create_mdev accmdev0 accmdev-zip-r1-1qp)
	run -1 "$ACCCTL" migrate "$src" "$dst"
	assert_line "result       refused: $dst does not accept $src: rev (ENOEXEC); no device state was sent"
	assert_line "bytes        0 of device state"
	run -1 --separate-stderr "$ACCCTL" migrate "$src" "$dst" --no-check --json
	assert_equal "$(jq -r '.result, .errno, .phase' <<<"$output" | tr '\n' ' ')" \
		"refused ENOEXEC $(has_precopy && echo pre-copy || echo stop-copy) "
	# The source still works after the refusal.
	run -0 "$ACCRUN" --uuid "$src" --alg crc32c r65536
	assert_output "$("$ACCREF" crc32c r65536)"
}

@test "send and receive migrate over loopback TCP and both report it" {
	src=$(create_mdev accmdev0 accmdev-zip-r1-2qp)
	dst=$(create_mdev accmdev1 accmdev-zip-r1-2qp)
	start_receiver "$dst" --json
	run -0 "$ACCCTL" send "$src" "127.0.0.1:$PORT" --timeout 600
	printf '# %s\n' "${lines[@]}" >&3
	assert_line "result       migrated"
	assert_line --regexp '^downtime     [0-9]+\.[0-9]{3} ms$'
	sent=$(sed -n 's/^bytes        \([0-9]*\) of device state$/\1/p' <<<"$output")
	assert_equal "$(receiver_status)" 0
	run jq -r '.result, .bytes, .destination' "$RECV_OUT"
	assert_output "$(printf 'migrated\n%s\n%s' "$sent" "$dst")"
}

@test "send and receive refuse an incompatible destination before any device state" {
	src=$(create_mdev accmdev2 accmdev-zip-r2-1qp)
	dst=$(create_mdev accmdev0 accmdev-zip-r1-1qp)
	start_receiver "$dst"
	run -1 "$ACCCTL" send "$src" "127.0.0.1:$PORT" --timeout 600
	assert_line --partial "result       refused: the destination refused the source: "
	assert_line --partial "rev (ENOEXEC); no device state was sent"
	assert_line "bytes        0 of device state"
	assert_equal "$(receiver_status)" 1
	run cat "$RECV_OUT"
	assert_line "result       refused: $dst does not accept the source: rev (ENOEXEC); no device state was received"
	assert_line "bytes        0 of device state"
}
