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

@test "each parent has one type per model revision and queue-pair shape" {
	run ls "$MDEV_BUS/accmdev0/mdev_supported_types"
	assert_output "$(printf 'accmdev-zip-r1-%sqp\n' 1 2 4 8 16 | sort)"
	run ls "$MDEV_BUS/accmdev1/mdev_supported_types"
	assert_output "$(printf 'accmdev-zip-r1-%sqp\n' 1 2 4 8 16 | sort)"
	# Revision-2 hardware offers the revision-1 model too.
	run ls "$MDEV_BUS/accmdev2/mdev_supported_types"
	assert_output "$(printf 'accmdev-zip-r%sqp\n' 1-1 1-2 1-4 1-8 1-16 2-1 2-2 2-4 2-8 2-16 | sort)"
	run ls "$MDEV_BUS/accmdev3/mdev_supported_types"
	assert_output "$(printf 'accmdev-sec-r1-%sqp\n' 1 2 4 8 16 | sort)"
	# A parent that cannot migrate says so in every type's name.
	run ls "$MDEV_BUS/accmdev4/mdev_supported_types"
	assert_output "$(printf 'accmdev-zip-r1-%sqp-nomig\n' 1 2 4 8 16 | sort)"
}

@test "every type attribute reads, with the expected values" {
	local types=("$MDEV_BUS"/*/mdev_supported_types/*)
	assert_equal "${#types[@]}" 30
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
		n = a[7]; sub(/qp(-nomig)?$/, "", n); sub(/.*-/, "", n)
		f = "/" a[2] "/" a[3] "/" a[4] "/" a[5] "/qp_free"
		getline free < f; close(f)
		if ($0 != int(free / n)) print "bad", FILENAME, $0, free, n
	}' "$MDEV_BUS"/*/mdev_supported_types/*/available_instances
	assert_success
	assert_output ""
	run cat "$MDEV_BUS/accmdev2/mdev_supported_types/accmdev-zip-r2-4qp/description"
	assert_output "$(printf '%s\n' qps=4 kind=zip revision=2 \
		algorithms=crc32c,adler32,deflate,inflate migratable=1)"
	# The type's model, not the parent's hardware: revision 1 on
	# revision-2 hardware has revision 1's algorithms.
	run cat "$MDEV_BUS/accmdev2/mdev_supported_types/accmdev-zip-r1-4qp/description"
	assert_output "$(printf '%s\n' qps=4 kind=zip revision=1 \
		algorithms=crc32c,deflate,inflate migratable=1)"
	run cat "$MDEV_BUS/accmdev3/mdev_supported_types/accmdev-sec-r1-16qp/description"
	assert_output "$(printf '%s\n' qps=16 kind=sec revision=1 \
		algorithms=sha256,sha224 migratable=1)"
	run cat "$MDEV_BUS/accmdev4/mdev_supported_types/accmdev-zip-r1-16qp-nomig/description"
	assert_output "$(printf '%s\n' qps=16 kind=zip revision=1 \
		algorithms=crc32c,deflate,inflate migratable=0)"
}

@test "a type name means one model: the same on every parent, and the name says which" {
	local t p kind rev qps mig d=() o=()
	local -A algs=([zip1]=crc32c,deflate,inflate [zip2]=crc32c,adler32,deflate,inflate
		[sec1]=sha256,sha224)
	# accmdev0, accmdev1 and accmdev2 offer the revision-1 zip types.
	for t in "$MDEV_BUS"/accmdev0/mdev_supported_types/*; do
		t=${t##*/}
		mapfile -t o <"$MDEV_BUS/accmdev0/mdev_supported_types/$t/description"
		for p in accmdev1 accmdev2; do
			mapfile -t d <"$MDEV_BUS/$p/mdev_supported_types/$t/description"
			assert_equal "${d[*]}" "${o[*]}"
		done
	done
	assert_equal "${#o[@]}" 5
	for t in "$MDEV_BUS"/*/mdev_supported_types/*; do
		[[ ${t##*/} =~ ^accmdev-(zip|sec)-r([12])-([0-9]+)qp(-nomig)?$ ]] ||
			fail "unexpected type name ${t##*/}"
		kind=${BASH_REMATCH[1]} rev=${BASH_REMATCH[2]} qps=${BASH_REMATCH[3]}
		mig=1
		[ -z "${BASH_REMATCH[4]}" ] || mig=0
		mapfile -t d <"$t/description"
		assert_equal "${d[*]}" \
			"qps=$qps kind=$kind revision=$rev algorithms=${algs[$kind$rev]} migratable=$mig"
	done
}

@test "type names are human-readable and unique on each parent" {
	local p
	for p in "$MDEV_BUS"/*; do
		run bash -c "cat $p/mdev_supported_types/*/name | sort | uniq -d"
		assert_output ""
	done
	assert_equal "$(<"$MDEV_BUS/accmdev2/mdev_supported_types/accmdev-zip-r2-4qp/name")" \
		"accmdev zip rev2 4-QP"
	assert_equal "$(<"$MDEV_BUS/accmdev2/mdev_supported_types/accmdev-zip-r1-4qp/name")" \
		"accmdev zip rev1 4-QP"
	assert_equal "$(<"$MDEV_BUS/accmdev4/mdev_supported_types/accmdev-zip-r1-4qp-nomig/name")" \
		"accmdev zip rev1 4-QP (no migration)"
}

@test "a fresh parent has no devices and a full pool" {
	for p in "$MDEV_BUS"/*; do
		assert_equal "$(<"$p/qp_free")" "$(<"$p/qp_total")"
	done
	run ls "$MDEV_DEVICES"
	assert_output ""
}
