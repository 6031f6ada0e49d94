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
	uuid=$(create_mdev accmdev0 accmdev-zip-r1-2qp)
	assert [ -d "$MDEV_DEVICES/$uuid" ]
	assert_equal "$(basename "$(readlink -f "$MDEV_DEVICES/$uuid/mdev_type")")" \
		accmdev-zip-r1-2qp
	assert_equal "$(basename "$(dirname "$(readlink -f "$MDEV_DEVICES/$uuid")")")" \
		"$(parent_addr accmdev0)"
	assert [ -L "$ACC_CLASS/accmdev0/mdev_supported_types/accmdev-zip-r1-2qp/devices/$uuid" ]
	remove_mdev "$uuid"
	assert [ ! -e "$MDEV_DEVICES/$uuid" ]
	assert [ ! -e "$ACC_CLASS/accmdev0/mdev_supported_types/accmdev-zip-r1-2qp/devices/$uuid" ]
}

@test "available_instances of every type follows the shared pool" {
	local n before=() after=() i=0
	for n in 1 2 4 8 16; do
		before+=("$(<"$ACC_CLASS/accmdev0/mdev_supported_types/accmdev-zip-r1-${n}qp/available_instances")")
	done
	assert_equal "${before[*]}" "64 32 16 8 4"
	uuid=$(create_mdev accmdev0 accmdev-zip-r1-4qp)
	for n in 1 2 4 8 16; do
		after+=("$(<"$ACC_CLASS/accmdev0/mdev_supported_types/accmdev-zip-r1-${n}qp/available_instances")")
	done
	# 60 queue pairs left: 60/1 60/2 60/4 60/8 60/16
	assert_equal "${after[*]}" "60 30 15 7 3"
	assert_equal "$(<"$ACC_CLASS/accmdev0/qp_free")" 60
	# Other parents are untouched.
	assert_equal "$(<"$ACC_CLASS/accmdev1/mdev_supported_types/accmdev-zip-r1-4qp/available_instances")" 16
	remove_mdev "$uuid"
	for n in 1 2 4 8 16; do
		assert_equal "$(<"$ACC_CLASS/accmdev0/mdev_supported_types/accmdev-zip-r1-${n}qp/available_instances")" \
			"${before[i]}"
		i=$((i + 1))
	done
}

@test "both model revisions of a revision-2 parent draw on its one pool" {
	local r n
	r1=$(create_mdev accmdev2 accmdev-zip-r1-4qp)
	r2=$(create_mdev accmdev2 accmdev-zip-r2-8qp)
	assert_equal "$(<"$ACC_CLASS/accmdev2/qp_free")" 52
	for r in 1 2; do
		for n in 1 4 16; do
			assert_equal "$(<"$ACC_CLASS/accmdev2/mdev_supported_types/accmdev-zip-r$r-${n}qp/available_instances")" \
				$((52 / n))
		done
	done
	# Each device is listed under its own type only.
	assert [ -L "$ACC_CLASS/accmdev2/mdev_supported_types/accmdev-zip-r1-4qp/devices/$r1" ]
	assert [ ! -e "$ACC_CLASS/accmdev2/mdev_supported_types/accmdev-zip-r2-4qp/devices/$r1" ]
	assert [ -L "$ACC_CLASS/accmdev2/mdev_supported_types/accmdev-zip-r2-8qp/devices/$r2" ]
	assert [ ! -e "$ACC_CLASS/accmdev2/mdev_supported_types/accmdev-zip-r1-8qp/devices/$r2" ]
	remove_mdev "$r1"
	remove_mdev "$r2"
	assert_equal "$(<"$ACC_CLASS/accmdev2/mdev_supported_types/accmdev-zip-r1-16qp/available_instances")" 4
}

@test "creating past capacity fails with ENOSPC and leaves nothing behind" {
	local t=accmdev-zip-r1-16qp uuids=() u
	for _ in 1 2 3 4; do
		uuids+=("$(create_mdev accmdev0 $t)")
	done
	assert_equal "$(<"$ACC_CLASS/accmdev0/mdev_supported_types/$t/available_instances")" 0
	u=$(new_uuid)
	run "$SWRITE" "$ACC_CLASS/accmdev0/mdev_supported_types/$t/create" "$u"
	assert_failure
	assert_output ENOSPC
	assert [ ! -e "$MDEV_DEVICES/$u" ]
	run "$SWRITE" "$ACC_CLASS/accmdev0/mdev_supported_types/accmdev-zip-r1-1qp/create" "$u"
	assert_output ENOSPC
	assert [ ! -e "$MDEV_DEVICES/$u" ]
	run ls "$MDEV_DEVICES"
	assert_equal "${#lines[@]}" 4
	assert_equal "$(<"$ACC_CLASS/accmdev0/qp_free")" 0
}

@test "a malformed UUID is refused" {
	local bad
	run "$SWRITE" -n "$ACC_CLASS/accmdev0/mdev_supported_types/accmdev-zip-r1-1qp/create" ""
	assert_output EINVAL
	for bad in "not-a-uuid" "12345678-1234-1234-1234-12345678901" \
		"12345678-1234-1234-1234-12345678901z" \
		"g2345678-1234-1234-1234-123456789012"; do
		run "$SWRITE" "$ACC_CLASS/accmdev0/mdev_supported_types/accmdev-zip-r1-1qp/create" "$bad"
		assert_failure
		assert_output EINVAL
	done
	run ls "$MDEV_DEVICES"
	assert_output ""
	assert_equal "$(<"$ACC_CLASS/accmdev0/qp_free")" 64
}

@test "a duplicate UUID is refused, on the same and on another parent" {
	uuid=$(create_mdev accmdev0 accmdev-zip-r1-1qp)
	run "$SWRITE" "$ACC_CLASS/accmdev0/mdev_supported_types/accmdev-zip-r1-1qp/create" "$uuid"
	assert_failure
	assert_output EEXIST
	run "$SWRITE" "$ACC_CLASS/accmdev1/mdev_supported_types/accmdev-zip-r1-1qp/create" "$uuid"
	assert_failure
	assert_output EEXIST
	assert_equal "$(<"$ACC_CLASS/accmdev0/qp_free")" 63
	assert_equal "$(<"$ACC_CLASS/accmdev1/qp_free")" 64
}

@test "remove accepts only a non-zero number" {
	uuid=$(create_mdev accmdev3 accmdev-sec-r1-1qp)
	run "$SWRITE" "$MDEV_DEVICES/$uuid/remove" 0
	assert [ -d "$MDEV_DEVICES/$uuid" ]
	run "$SWRITE" "$MDEV_DEVICES/$uuid/remove" 1
	assert_output OK
	assert [ ! -e "$MDEV_DEVICES/$uuid" ]
}

@test "many devices across parents and types add up" {
	local u n=0
	for t in 1 2 4 8; do
		for p in accmdev0:r1-${t}qp accmdev1:r1-${t}qp accmdev2:r1-${t}qp \
			accmdev2:r2-${t}qp accmdev4:r1-${t}qp-nomig; do
			create_mdev ${p%%:*} accmdev-zip-${p#*:} >/dev/null
			n=$((n + 1))
		done
	done
	run ls "$MDEV_DEVICES"
	assert_equal "${#lines[@]}" "$n"
	assert_equal "$(<"$ACC_CLASS/accmdev0/qp_free")" $((64 - 15))
	assert_equal "$(<"$ACC_CLASS/accmdev2/qp_free")" $((64 - 30))
	assert_equal "$(<"$ACC_CLASS/accmdev4/qp_free")" $((16 - 15))
	cleanup_devices
	for p in "$ACC_CLASS"/*; do
		assert_equal "$(<"$p/qp_free")" "$(<"$p/qp_total")"
	done
}
