#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# The iommufd path: devices opened through their VFIO cdev
# (/dev/vfio/devices/vfioN), bound to /dev/iommu and attached to an
# IOAS, with DMA through IOMMU_IOAS_MAP of user memory; accmdev's side is
# the emulated-iommufd callbacks of driver/compat.h. tests/bin/accfd
# tests the cdev's own rules, a compute and a migration; then scenarios
# of 50-device and 74-migration run again with ACCVFIO_OPEN=cdev, which
# makes the accvfio library open every device that way (and fail rather
# than fall back to the group). Runs on kernels built with
# CONFIG_IOMMUFD and CONFIG_VFIO_DEVICE_CDEV (the debug lane's); skipped,
# saying so, on Debian's, which have neither. See
# Documentation/testing.rst.
bats_require_minimum_version 1.5.0

ACCFD=$ACCMDEV_SRC/tests/bin/build/accfd
ACCMIG=$ACCMDEV_SRC/tests/bin/build/accmig

# Does this kernel have iommufd (a module or built in)? Judged by its
# module lists, not by /dev/iommu: on a kernel that has it, a missing
# /dev/iommu is a failure.
kernel_has_iommufd() {
	local m
	m=/lib/modules/$(uname -r)
	# One grep, not a shell loop: Debian's modules.dep has thousands of
	# lines, and bats' per-command trap made the loop a minute a test.
	grep -qs '/iommufd\.ko' "$m/modules.builtin" "$m/modules.dep"
}

setup_file() {
	load helpers/common
	load helpers/device
	export HAVE_IOMMUFD=0
	kernel_has_iommufd || return 0
	HAVE_IOMMUFD=1
	device_suite_start
}

teardown_file() {
	load helpers/common
	cleanup_devices
}

setup() {
	load helpers/common
	load helpers/device
	[ "$HAVE_IOMMUFD" = 1 ] ||
		skip "no iommufd in this kernel (CONFIG_IOMMUFD unset, as in" \
			"Debian's): the cdev path runs on the debug lane's kernel"
	[ -x "$ACCFD" ] || fail "$ACCFD is not built: make -C tests/bin"
	cd "$DATA" || return 1
}

teardown() {
	cleanup_devices
}

@test "iommufd: /dev/iommu and the VFIO cdev, bind, attach, detach; group and cdev exclude each other" {
	uuid=$(create_mdev accmdev0 accmdev-zip-r1-1qp)
	run "$ACCFD" bind "$uuid"
	refute_line --partial "not ok"
	assert_line "ok - /dev/iommu is a character device"
	assert_line --regexp '^ok - the mdev has a VFIO cdev: /dev/vfio/devices/vfio[0-9]+$'
	assert_line "ok - before the bind: VFIO_DEVICE_GET_INFO fails EINVAL (want EINVAL)"
	assert_line --regexp '^ok - VFIO_DEVICE_BIND_IOMMUFD: 0, device id [1-9][0-9]*$'
	assert_line "ok - the group path while the cdev is bound: EBUSY (want EBUSY)"
	assert_line "ok - the cdev while the group is open: EBUSY (want EBUSY)"
	assert_line "ok - VFIO_DEVICE_DETACH_IOMMUFD_PT: 0"
	assert_success
}

@test "iommufd: regions, crc32c and adler32 by DMA through the IOAS, MSI-X, unmap and detach seen by the device" {
	uuid=$(create_mdev accmdev2 accmdev-zip-r2-2qp)
	run "$ACCFD" compute "$uuid"
	refute_line --partial "not ok"
	assert_line --regexp '^ok - crc32c of 8192 bytes by DMA: status ok, '
	assert_line --regexp '^ok - the MSI-X eventfd fired \([1-9][0-9]* signals, '
	assert_line "ok - after IOMMU_IOAS_UNMAP the source faults: status src-fault (want src-fault)"
	assert_line --regexp '^ok - detached: the QP halts with error 7 '
	assert_line --regexp '^ok - attached again: crc32c '
	assert_success
}

@test "iommufd: an open crc32c stream migrates between devices in one IOAS and back" {
	src=$(create_mdev accmdev0 accmdev-zip-r1-1qp)
	dst=$(create_mdev accmdev1 accmdev-zip-r1-1qp)
	run "$ACCFD" migrate "$src" "$dst"
	refute_line --partial "not ok"
	assert_line --regexp '^migrated: [0-9]+ pre-copy bytes, [1-9][0-9]* stop-copy bytes$'
	assert_line "ok - the destination is RUNNING (want RUNNING)"
	assert_line --regexp '^ok - the stream ends on the destination: crc32c '
	assert_line "ok - the first device is RUNNING again (want RUNNING)"
	assert_success
}

# ---- 50-device's scenarios, opened through the cdev ------------------------

@test "iommufd: BAR access, interrupts, reset, bad descriptors and QP errors as through the group" {
	export ACCVFIO_OPEN=cdev
	zip=$(create_mdev accmdev2 accmdev-zip-r2-2qp)
	dmesg_mark
	for t in irq reset bad qperr; do
		run "$ACCDEV" "$t" "$zip"
		assert_success
		refute_line --partial "not ok"
	done
	run "$ACCDEV" regs "$zip" 2
	assert_success
	run dmesg_since_mark
	refute_output --regexp 'accmdev|WARNING|BUG'
}

@test "iommufd: sha256, crc32c and deflate through the cdev equal sha256sum, the reference and python's zlib" {
	export ACCVFIO_OPEN=cdev
	sec=$(create_mdev accmdev3 accmdev-sec-r1-1qp)
	zip=$(create_mdev accmdev2 accmdev-zip-r2-1qp)
	run "$ACCRUN" --uuid "$sec" --alg sha256 r0 r4095 r1m
	assert_output "$(sha256sum r0 r4095 r1m)"
	assert_success
	run "$ACCRUN" --uuid "$zip" --alg crc32c --chunk 4096 --ring 8 t1m
	assert_output "$("$ACCREF" crc32c t1m)"
	assert_success
	run "$ACCRUN" --uuid "$zip" --alg deflate -o t1m.z t1m
	assert_success
	run py_inflate_check t1m.z t1m
	assert_success
}

# ---- 74-migration's scenarios, opened through the cdev ----------------------

@test "iommufd: the migration FSM, broken streams and close mid-migration as through the group" {
	export ACCVFIO_OPEN=cdev
	uuid=$(create_mdev accmdev0 accmdev-zip-r1-1qp)
	run "$ACCMIG" fsm "$uuid"
	refute_line --partial "not ok"
	assert_line "arcs: 47 legal done, 16 illegal refused, of 63"
	assert_success
	run "$ACCMIG" bad-stream "$uuid"
	refute_line --partial "not ok"
	assert_line "ok - the valid stream loads: state STOP"
	assert_success
	run "$ACCMIG" close "$uuid"
	refute_line --partial "not ok"
	assert_line "ok - STOP_COPY: closed and reopened, the device is RUNNING"
	assert_success
}

@test "iommufd: requests in flight and an open sha256 stream migrate through the cdev" {
	export ACCVFIO_OPEN=cdev
	src=$(create_mdev accmdev0 accmdev-zip-r1-1qp)
	dst=$(create_mdev accmdev1 accmdev-zip-r1-1qp)
	run "$ACCMIG" inflight "$src" "$dst"
	refute_line --partial "not ok"
	assert_line "ok - stalled: 48 completions for 48 requests, 0 duplicate, 0 wrong"
	assert_line "ok - racing: 60 completions for 60 requests, 0 duplicate, 0 wrong"
	assert_success
	s3=$(create_mdev accmdev3 accmdev-sec-r1-1qp)
	d3=$(create_mdev accmdev3 accmdev-sec-r1-1qp)
	run "$ACCRUN" --uuid "$s3" --alg sha256 --migrate-to "$d3" --at 393216 r1m
	assert_line "$(sha256sum r1m)"
	assert_line --regexp "^accrun: migrated to $d3 at 393216 bytes, "
	assert_success
}
