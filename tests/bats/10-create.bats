#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# Creating and removing devices, and the shared queue-pair pool.
bats_require_minimum_version 1.5.0

setup() {
	load helpers/common
	cleanup_devices
}

teardown() {
	cleanup_devices
}

@test "create gives a device with its mdev_type link, remove deletes it" {
	uuid=$(create_mdev accmdev0 accmdev-zip-2qp)
	assert [ -d "$MDEV_DEVICES/$uuid" ]
	assert_equal "$(basename "$(readlink -f "$MDEV_DEVICES/$uuid/mdev_type")")" \
		accmdev-zip-2qp
	assert_equal "$(basename "$(dirname "$(readlink -f "$MDEV_DEVICES/$uuid")")")" \
		accmdev0
	assert [ -L "$MDEV_BUS/accmdev0/mdev_supported_types/accmdev-zip-2qp/devices/$uuid" ]
	remove_mdev "$uuid"
	assert [ ! -e "$MDEV_DEVICES/$uuid" ]
	assert [ ! -e "$MDEV_BUS/accmdev0/mdev_supported_types/accmdev-zip-2qp/devices/$uuid" ]
}

@test "available_instances of every type follows the shared pool" {
	local n before=() after=() i=0
	for n in 1 2 4 8 16; do
		before+=("$(<"$MDEV_BUS/accmdev0/mdev_supported_types/accmdev-zip-${n}qp/available_instances")")
	done
	assert_equal "${before[*]}" "64 32 16 8 4"
	uuid=$(create_mdev accmdev0 accmdev-zip-4qp)
	for n in 1 2 4 8 16; do
		after+=("$(<"$MDEV_BUS/accmdev0/mdev_supported_types/accmdev-zip-${n}qp/available_instances")")
	done
	# 60 queue pairs left: 60/1 60/2 60/4 60/8 60/16
	assert_equal "${after[*]}" "60 30 15 7 3"
	assert_equal "$(<"$MDEV_BUS/accmdev0/qp_free")" 60
	# Other parents are untouched.
	assert_equal "$(<"$MDEV_BUS/accmdev1/mdev_supported_types/accmdev-zip-4qp/available_instances")" 16
	remove_mdev "$uuid"
	for n in 1 2 4 8 16; do
		assert_equal "$(<"$MDEV_BUS/accmdev0/mdev_supported_types/accmdev-zip-${n}qp/available_instances")" \
			"${before[i]}"
		i=$((i + 1))
	done
}

@test "creating past capacity fails with ENOSPC and leaves nothing behind" {
	local t=accmdev-zip-16qp uuids=() u
	for _ in 1 2 3 4; do
		uuids+=("$(create_mdev accmdev0 $t)")
	done
	assert_equal "$(<"$MDEV_BUS/accmdev0/mdev_supported_types/$t/available_instances")" 0
	u=$(new_uuid)
	run "$SWRITE" "$MDEV_BUS/accmdev0/mdev_supported_types/$t/create" "$u"
	assert_failure
	assert_output ENOSPC
	assert [ ! -e "$MDEV_DEVICES/$u" ]
	run "$SWRITE" "$MDEV_BUS/accmdev0/mdev_supported_types/accmdev-zip-1qp/create" "$u"
	assert_output ENOSPC
	assert [ ! -e "$MDEV_DEVICES/$u" ]
	run ls "$MDEV_DEVICES"
	assert_equal "${#lines[@]}" 4
	assert_equal "$(<"$MDEV_BUS/accmdev0/qp_free")" 0
}

@test "a malformed UUID is refused" {
	local bad
	run "$SWRITE" -n "$MDEV_BUS/accmdev0/mdev_supported_types/accmdev-zip-1qp/create" ""
	assert_output EINVAL
	for bad in "not-a-uuid" "12345678-1234-1234-1234-12345678901" \
		"12345678-1234-1234-1234-12345678901z" \
		"g2345678-1234-1234-1234-123456789012"; do
		run "$SWRITE" "$MDEV_BUS/accmdev0/mdev_supported_types/accmdev-zip-1qp/create" "$bad"
		assert_failure
		assert_output EINVAL
	done
	run ls "$MDEV_DEVICES"
	assert_output ""
	assert_equal "$(<"$MDEV_BUS/accmdev0/qp_free")" 64
}

@test "a duplicate UUID is refused, on the same and on another parent" {
	uuid=$(create_mdev accmdev0 accmdev-zip-1qp)
	run "$SWRITE" "$MDEV_BUS/accmdev0/mdev_supported_types/accmdev-zip-1qp/create" "$uuid"
	assert_failure
	assert_output EEXIST
	run "$SWRITE" "$MDEV_BUS/accmdev1/mdev_supported_types/accmdev-zip-1qp/create" "$uuid"
	assert_failure
	assert_output EEXIST
	assert_equal "$(<"$MDEV_BUS/accmdev0/qp_free")" 63
	assert_equal "$(<"$MDEV_BUS/accmdev1/qp_free")" 64
}

@test "remove accepts only a non-zero number" {
	uuid=$(create_mdev accmdev3 accmdev-sec-1qp)
	run "$SWRITE" "$MDEV_DEVICES/$uuid/remove" 0
	assert [ -d "$MDEV_DEVICES/$uuid" ]
	run "$SWRITE" "$MDEV_DEVICES/$uuid/remove" 1
	assert_output OK
	assert [ ! -e "$MDEV_DEVICES/$uuid" ]
}

@test "many devices across parents and types add up" {
	local u n=0
	for t in 1 2 4 8; do
		for p in accmdev0 accmdev1 accmdev2 accmdev4; do
			create_mdev $p accmdev-zip-${t}qp >/dev/null
			n=$((n + 1))
		done
	done
	run ls "$MDEV_DEVICES"
	assert_equal "${#lines[@]}" "$n"
	assert_equal "$(<"$MDEV_BUS/accmdev0/qp_free")" $((64 - 15))
	assert_equal "$(<"$MDEV_BUS/accmdev4/qp_free")" $((16 - 15))
	cleanup_devices
	for p in "$MDEV_BUS"/*; do
		assert_equal "$(<"$p/qp_free")" "$(<"$p/qp_total")"
	done
}
