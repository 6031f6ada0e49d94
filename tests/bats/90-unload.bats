#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# Unloading: with closed devices present, rmmod removes them all cleanly.
# (An open device holds a module reference: see 50-device.bats.)
bats_require_minimum_version 1.5.0

setup() {
	load helpers/common
}

teardown() {
	lsmod | grep -q '^accmdev ' || insmod "$ACCMDEV_MODULE"
}

@test "rmmod with devices present removes them and the parents" {
	u1=$(create_mdev accmdev0 accmdev-zip-r1-1qp)
	u2=$(create_mdev accmdev3 accmdev-sec-r1-4qp)
	run rmmod accmdev
	assert_success
	assert [ ! -e "$MDEV_DEVICES/$u1" ]
	assert [ ! -e "$MDEV_DEVICES/$u2" ]
	run ls "$MDEV_BUS"
	assert_output ""
	assert [ ! -e /sys/class/accmdev ]
	assert [ ! -e /sys/devices/accmdev ]
}

@test "the module loads again after an unload, with a full pool" {
	lsmod | grep -q '^accmdev ' && rmmod accmdev
	insmod "$ACCMDEV_MODULE"
	assert_equal "$(<"$ACC_CLASS/accmdev0/qp_free")" 64
	run ls "$MDEV_DEVICES"
	assert_output ""
}

@test "bad parents= values fail the load with a clear message" {
	rmmod accmdev
	local bad
	for bad in "" "zip" "zip:1" "foo:1:8" "zip:3:8" "zip:0:8" "zip:1:0" \
		"zip:1:4097" "zip:1:8:fast" "zip:1:8:nomig:x" "zip:1:8,,sec:1:8" \
		"zip:1:-1" "zip:1:8x"; do
		dmesg_mark
		run insmod "$ACCMDEV_MODULE" "parents=$bad"
		assert_failure
		run dmesg_since_mark
		assert_output --regexp "accmdev: parents"
		run lsmod
		refute_output --partial accmdev
	done
}

@test "parents= builds the accelerators it names" {
	lsmod | grep -q '^accmdev ' && rmmod accmdev
	insmod "$ACCMDEV_MODULE" parents=sec:1:8,zip:2:3:nomig
	run ls "$ACC_CLASS"
	assert_output "$(printf 'accmdev%s\n' 0 1)"
	assert_equal "$(<"$ACC_CLASS/accmdev0/kind")" sec
	run ls "$ACC_CLASS/accmdev0/mdev_supported_types"
	assert_output "$(printf 'accmdev-sec-r1-%sqp\n' 1 2 4 8 | sort)"
	# Revision-2 hardware: both model revisions, in the shapes that fit.
	run ls "$ACC_CLASS/accmdev1/mdev_supported_types"
	assert_output "$(printf 'accmdev-zip-r%sqp-nomig\n' 1-1 1-2 2-1 2-2 | sort)"
	assert_equal "$(<"$ACC_CLASS/accmdev1/migratable")" 0
	rmmod accmdev
}

# Another vendor's mdev parent, the kernel's mtty sample, beside accmdev:
# accmdev's root bus and parents leave it alone, through an unload and a
# load. (Last: it leaves mtty unloaded.)
@test "mtty beside accmdev: its parent and device outlive accmdev's unload and load" {
	modprobe mtty 2>/dev/null ||
		skip "no mtty in this kernel: Debian's kernels do not build samples/vfio-mdev, the debug kernel does"
	udevadm settle -t 30
	addr=$(parent_addr accmdev0)
	run ls "$MDEV_BUS"
	assert_line mtty
	assert_line "$addr"
	avail=$(<"$MDEV_BUS/mtty/mdev_supported_types/mtty-2/available_instances")
	m=$(new_uuid)
	write_to "$MDEV_BUS/mtty/mdev_supported_types/mtty-2/create" "$m"
	a=$(create_mdev accmdev0 accmdev-zip-r1-1qp)
	run rmmod accmdev
	assert_success
	assert [ ! -e "$MDEV_DEVICES/$a" ]
	assert [ -e "$MDEV_DEVICES/$m" ]
	run ls "$MDEV_BUS"
	assert_output mtty
	insmod "$ACCMDEV_MODULE"
	udevadm settle -t 30
	run ls "$MDEV_BUS"
	assert_line mtty
	assert_line "$addr"
	assert_equal "$(basename "$(readlink -f "$MDEV_DEVICES/$m/mdev_type")")" mtty-2
	# mtty's pool is its own: one device less, as before the reload.
	assert_equal "$(<"$MDEV_BUS/mtty/mdev_supported_types/mtty-2/available_instances")" $((avail - 1))
	write_to "$MDEV_DEVICES/$m/remove" 1
	assert [ ! -e "$MDEV_DEVICES/$m" ]
	assert_equal "$(<"$MDEV_BUS/mtty/mdev_supported_types/mtty-2/available_instances")" "$avail"
	run rmmod mtty
	assert_success
	run ls "$MDEV_BUS"
	refute_output --partial mtty
	assert_line "$addr"
}
