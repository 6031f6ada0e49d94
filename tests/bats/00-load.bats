#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# The module is loaded: parents, types and their core attributes.
bats_require_minimum_version 1.5.0

setup() {
	load helpers/common
}

@test "accmdev is loaded with the vfio and mdev modules" {
	run lsmod
	assert_output --partial "accmdev"
	assert_output --partial "mdev"
	assert_output --partial "vfio_iommu_type1"
}

@test "the default parents appear under /sys/class/mdev_bus" {
	for i in 0 1 2 3 4; do
		assert [ -d "$MDEV_BUS/accmdev$i/mdev_supported_types" ]
		assert [ -d "/sys/class/accmdev/accmdev$i" ]
	done
	run ls "$MDEV_BUS"
	assert_output "$(printf 'accmdev%s\n' 0 1 2 3 4)"
}

@test "parents describe their hardware" {
	assert_equal "$(<"$MDEV_BUS/accmdev0/kind")" zip
	assert_equal "$(<"$MDEV_BUS/accmdev0/revision")" 1
	assert_equal "$(<"$MDEV_BUS/accmdev0/algorithms")" crc32c,deflate,inflate
	assert_equal "$(<"$MDEV_BUS/accmdev2/revision")" 2
	assert_equal "$(<"$MDEV_BUS/accmdev2/algorithms")" crc32c,adler32,deflate,inflate
	assert_equal "$(<"$MDEV_BUS/accmdev3/kind")" sec
	assert_equal "$(<"$MDEV_BUS/accmdev3/qp_total")" 32
	assert_equal "$(<"$MDEV_BUS/accmdev4/migratable")" 0
	assert_equal "$(<"$MDEV_BUS/accmdev0/migratable")" 1
}

@test "each parent has one type per queue-pair shape" {
	run ls "$MDEV_BUS/accmdev0/mdev_supported_types"
	assert_output "$(printf 'accmdev-zip-%sqp\n' 16 1 2 4 8 | sort)"
	run ls "$MDEV_BUS/accmdev3/mdev_supported_types"
	assert_output "$(printf 'accmdev-sec-%sqp\n' 16 1 2 4 8 | sort)"
}

@test "every type attribute reads, with the expected values" {
	local types=("$MDEV_BUS"/*/mdev_supported_types/*)
	assert_equal "${#types[@]}" 25
	# One grep reads every file; any failing read makes it fail.
	run grep -c . "$MDEV_BUS"/*/mdev_supported_types/*/name \
		"$MDEV_BUS"/*/mdev_supported_types/*/description \
		"$MDEV_BUS"/*/mdev_supported_types/*/device_api \
		"$MDEV_BUS"/*/mdev_supported_types/*/available_instances
	assert_success
	refute_output --regexp ':0$'
	run cat "$MDEV_BUS"/*/mdev_supported_types/*/device_api
	assert_equal "$(sort -u <<<"$output")" vfio-pci
	# available_instances = the parent's free queue pairs / the shape
	run awk 'FNR == 1 {
		split(FILENAME, a, "/")
		n = a[7]; sub(/.*-/, "", n); sub(/qp$/, "", n)
		f = "/" a[2] "/" a[3] "/" a[4] "/" a[5] "/qp_free"
		getline free < f; close(f)
		if ($0 != int(free / n)) print "bad", FILENAME, $0, free, n
	}' "$MDEV_BUS"/*/mdev_supported_types/*/available_instances
	assert_success
	assert_output ""
	run cat "$MDEV_BUS/accmdev2/mdev_supported_types/accmdev-zip-4qp/description"
	assert_output "$(printf '%s\n' qps=4 kind=zip revision=2 \
		algorithms=crc32c,adler32,deflate,inflate migratable=1)"
	run cat "$MDEV_BUS/accmdev3/mdev_supported_types/accmdev-sec-16qp/description"
	assert_line qps=16
	assert_line kind=sec
}

@test "type names are human-readable and unique on each parent" {
	local p
	for p in "$MDEV_BUS"/*; do
		run bash -c "cat $p/mdev_supported_types/*/name | sort | uniq -d"
		assert_output ""
	done
	assert_equal "$(<"$MDEV_BUS/accmdev2/mdev_supported_types/accmdev-zip-4qp/name")" \
		"accmdev zip rev2 4-QP"
}

@test "a fresh parent has no devices and a full pool" {
	for p in "$MDEV_BUS"/*; do
		assert_equal "$(<"$p/qp_free")" "$(<"$p/qp_total")"
	done
	run ls "$MDEV_DEVICES"
	assert_output ""
}
