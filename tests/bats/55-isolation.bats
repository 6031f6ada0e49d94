#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# Two devices cannot reach each other's memory or state: each has its
# own IOMMU group and container, its own registers, rings, streams and
# interrupts. See Documentation/device.rst, "Isolation".
bats_require_minimum_version 1.5.0

setup_file() {
	load helpers/common
	load helpers/device
	cleanup_devices
	device_tools_built
	# A and C share a parent; B is another accelerator.
	A=$(create_mdev accmdev0 accmdev-zip-r1-1qp)
	B=$(create_mdev accmdev1 accmdev-zip-r1-2qp)
	C=$(create_mdev accmdev0 accmdev-zip-r1-1qp)
	export A B C
}

teardown_file() {
	load helpers/common
	cleanup_devices
}

setup() {
	load helpers/common
	load helpers/device
}

@test "every device has its own IOMMU group" {
	ga=$(readlink -f "$MDEV_DEVICES/$A/iommu_group")
	gb=$(readlink -f "$MDEV_DEVICES/$B/iommu_group")
	gc=$(readlink -f "$MDEV_DEVICES/$C/iommu_group")
	assert [ "$ga" != "$gb" ]
	assert [ "$ga" != "$gc" ]
	assert [ "$gb" != "$gc" ]
}

@test "a device cannot read or write memory mapped only for another" {
	run "$ACCDEV" isolate-mem "$A" "$B"
	assert_success
	assert_line --partial "A cannot read an IOVA mapped only in B's container"
}

@test "devices of one parent are isolated from each other's memory too" {
	run "$ACCDEV" isolate-mem "$C" "$A"
	assert_success
}

@test "streams, registers, reset and interrupts of one device leave another alone" {
	run "$ACCDEV" isolate-state "$A" "$B"
	assert_success
	run "$ACCDEV" isolate-state "$C" "$A"
	assert_success
	assert_line --partial "a 1-QP device has no QP 1"
}

@test "two devices working at once each compute their own results" {
	d=$BATS_TEST_TMPDIR
	"$ACCREF" gen "$d"
	"$ACCRUN" --uuid "$A" --alg crc32c --chunk 4096 --ring 4 "$d/t1m" "$d/r1m" \
		>"$d/a.out" 3>&- &
	"$ACCRUN" --uuid "$B" --alg crc32c --chunk 8192 --ring 8 "$d/r1m" "$d/t1m" \
		>"$d/b.out"
	wait $!
	assert_equal "$(cat "$d/a.out")" "$("$ACCREF" crc32c "$d/t1m" "$d/r1m")"
	assert_equal "$(cat "$d/b.out")" "$("$ACCREF" crc32c "$d/r1m" "$d/t1m")"
}
