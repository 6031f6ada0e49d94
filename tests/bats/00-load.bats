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

@test "the default parents appear under /sys/class/mdev_bus, by PCI address" {
	for i in 0 1 2 3 4; do
		assert_equal "$(parent_addr accmdev$i)" "1acce:00:0$i.0"
		assert [ -d "$MDEV_BUS/1acce:00:0$i.0/mdev_supported_types" ]
		assert_equal "$(readlink -f "$ACC_CLASS/accmdev$i/mdev_supported_types")" \
			"$(readlink -f "$MDEV_BUS/1acce:00:0$i.0/mdev_supported_types")"
	done
	run ls "$MDEV_BUS"
	assert_output "$(printf '1acce:00:0%s.0\n' 0 1 2 3 4)"
	run ls "$ACC_CLASS"
	assert_output "$(printf 'accmdev%s\n' 0 1 2 3 4)"
}

@test "each accelerator is a PCI function of class 0x120000 on accmdev's root bus, bound to accmdev" {
	local i f
	for i in 0 1 2 3 4; do
		f=/sys/bus/pci/devices/1acce:00:0$i.0
		assert_equal "$(<"$f/vendor")" 0xacce
		assert_equal "$(<"$f/class")" 0x120000
		assert_equal "$(<"$f/subsystem_device")" "$(printf '0x%04x' "$i")"
		assert_equal "$(readlink -f "$f/driver")" /sys/bus/pci/drivers/accmdev
		assert_equal "$(readlink -f "$f/..")" /sys/devices/accmdev/pci1acce:00
	done
	assert_equal "$(</sys/bus/pci/devices/1acce:00:03.0/device)" 0x1002
	assert_equal "$(</sys/bus/pci/devices/1acce:00:02.0/device)" 0x1001
	assert_equal "$(</sys/bus/pci/devices/1acce:00:02.0/revision)" 0x02
	# No bind or unbind file: a function cannot go to another driver.
	assert [ ! -e /sys/bus/pci/drivers/accmdev/unbind ]
	assert [ ! -e /sys/bus/pci/drivers/accmdev/bind ]
	# What udev, and libvirt through it, sees.
	run udevadm info --query=property /sys/bus/pci/devices/1acce:00:00.0
	assert_line PCI_CLASS=120000
	assert_line PCI_ID=ACCE:1001
	assert_line PCI_SLOT_NAME=1acce:00:00.0
	assert_line DRIVER=accmdev
}

@test "parents describe their hardware" {
	assert_equal "$(<"$ACC_CLASS/accmdev0/kind")" zip
	assert_equal "$(<"$ACC_CLASS/accmdev0/revision")" 1
	assert_equal "$(<"$ACC_CLASS/accmdev0/algorithms")" crc32c,deflate,inflate
	assert_equal "$(<"$ACC_CLASS/accmdev2/revision")" 2
	assert_equal "$(<"$ACC_CLASS/accmdev2/algorithms")" crc32c,adler32,deflate,inflate
	assert_equal "$(<"$ACC_CLASS/accmdev3/kind")" sec
	assert_equal "$(<"$ACC_CLASS/accmdev3/qp_total")" 32
	assert_equal "$(<"$ACC_CLASS/accmdev4/migratable")" 0
	assert_equal "$(<"$ACC_CLASS/accmdev0/migratable")" 1
}

@test "each parent has one type per model revision and queue-pair shape" {
	run ls "$ACC_CLASS/accmdev0/mdev_supported_types"
	assert_output "$(printf 'accmdev-zip-r1-%sqp\n' 1 2 4 8 16 | sort)"
	run ls "$ACC_CLASS/accmdev1/mdev_supported_types"
	assert_output "$(printf 'accmdev-zip-r1-%sqp\n' 1 2 4 8 16 | sort)"
	# Revision-2 hardware offers the revision-1 model too.
	run ls "$ACC_CLASS/accmdev2/mdev_supported_types"
	assert_output "$(printf 'accmdev-zip-r%sqp\n' 1-1 1-2 1-4 1-8 1-16 2-1 2-2 2-4 2-8 2-16 | sort)"
	run ls "$ACC_CLASS/accmdev3/mdev_supported_types"
	assert_output "$(printf 'accmdev-sec-r1-%sqp\n' 1 2 4 8 16 | sort)"
	# A parent that cannot migrate says so in every type's name.
	run ls "$ACC_CLASS/accmdev4/mdev_supported_types"
	assert_output "$(printf 'accmdev-zip-r1-%sqp-nomig\n' 1 2 4 8 16 | sort)"
}

@test "every type attribute reads, with the expected values" {
	local types=("$ACC_CLASS"/*/mdev_supported_types/*)
	assert_equal "${#types[@]}" 30
	# One grep reads every file; any failing read makes it fail.
	run grep -c . "$ACC_CLASS"/*/mdev_supported_types/*/name \
		"$ACC_CLASS"/*/mdev_supported_types/*/description \
		"$ACC_CLASS"/*/mdev_supported_types/*/device_api \
		"$ACC_CLASS"/*/mdev_supported_types/*/available_instances
	assert_success
	refute_output --regexp ':0$'
	run cat "$ACC_CLASS"/*/mdev_supported_types/*/device_api
	assert_equal "$(sort -u <<<"$output")" vfio-pci
	# available_instances = the parent's free queue pairs / the shape
	run awk 'FNR == 1 {
		split(FILENAME, a, "/")
		n = a[7]; sub(/qp(-nomig)?$/, "", n); sub(/.*-/, "", n)
		f = "/" a[2] "/" a[3] "/" a[4] "/" a[5] "/qp_free"
		getline free < f; close(f)
		if ($0 != int(free / n)) print "bad", FILENAME, $0, free, n
	}' "$ACC_CLASS"/*/mdev_supported_types/*/available_instances
	assert_success
	assert_output ""
	run cat "$ACC_CLASS/accmdev2/mdev_supported_types/accmdev-zip-r2-4qp/description"
	assert_output "$(printf '%s\n' qps=4 kind=zip revision=2 \
		algorithms=crc32c,adler32,deflate,inflate migratable=1)"
	# The type's model, not the parent's hardware: revision 1 on
	# revision-2 hardware has revision 1's algorithms.
	run cat "$ACC_CLASS/accmdev2/mdev_supported_types/accmdev-zip-r1-4qp/description"
	assert_output "$(printf '%s\n' qps=4 kind=zip revision=1 \
		algorithms=crc32c,deflate,inflate migratable=1)"
	run cat "$ACC_CLASS/accmdev3/mdev_supported_types/accmdev-sec-r1-16qp/description"
	assert_output "$(printf '%s\n' qps=16 kind=sec revision=1 \
		algorithms=sha256,sha224 migratable=1)"
	run cat "$ACC_CLASS/accmdev4/mdev_supported_types/accmdev-zip-r1-16qp-nomig/description"
	assert_output "$(printf '%s\n' qps=16 kind=zip revision=1 \
		algorithms=crc32c,deflate,inflate migratable=0)"
}

@test "a type name means one model: the same on every parent, and the name says which" {
	local t p kind rev qps mig d=() o=()
	local -A algs=([zip1]=crc32c,deflate,inflate [zip2]=crc32c,adler32,deflate,inflate
		[sec1]=sha256,sha224)
	# accmdev0, accmdev1 and accmdev2 offer the revision-1 zip types.
	for t in "$ACC_CLASS"/accmdev0/mdev_supported_types/*; do
		t=${t##*/}
		mapfile -t o <"$ACC_CLASS/accmdev0/mdev_supported_types/$t/description"
		for p in accmdev1 accmdev2; do
			mapfile -t d <"$ACC_CLASS/$p/mdev_supported_types/$t/description"
			assert_equal "${d[*]}" "${o[*]}"
		done
	done
	assert_equal "${#o[@]}" 5
	for t in "$ACC_CLASS"/*/mdev_supported_types/*; do
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
	for p in "$ACC_CLASS"/*; do
		run bash -c "cat $p/mdev_supported_types/*/name | sort | uniq -d"
		assert_output ""
	done
	assert_equal "$(<"$ACC_CLASS/accmdev2/mdev_supported_types/accmdev-zip-r2-4qp/name")" \
		"accmdev zip rev2 4-QP"
	assert_equal "$(<"$ACC_CLASS/accmdev2/mdev_supported_types/accmdev-zip-r1-4qp/name")" \
		"accmdev zip rev1 4-QP"
	assert_equal "$(<"$ACC_CLASS/accmdev4/mdev_supported_types/accmdev-zip-r1-4qp-nomig/name")" \
		"accmdev zip rev1 4-QP (no migration)"
}

@test "a fresh parent has no devices and a full pool" {
	for p in "$ACC_CLASS"/*; do
		assert_equal "$(<"$p/qp_free")" "$(<"$p/qp_total")"
	done
	run ls "$MDEV_DEVICES"
	assert_output ""
}
