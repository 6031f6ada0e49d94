#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# The VFIO device: config space, regions, interrupts, the queue-pair
# engine and every algorithm against independent references, reset,
# the device model, bad descriptors, and removal while open.
# See Documentation/device.rst.
bats_require_minimum_version 1.5.0

setup_file() {
	load helpers/common
	load helpers/device
	device_suite_start
	# zip rev2 with 2 QPs (all four zip algorithms), sec rev1 with 1 QP.
	ZIP=$(create_mdev accmdev2 accmdev-zip-r2-2qp)
	SEC=$(create_mdev accmdev3 accmdev-sec-r1-1qp)
	export ZIP SEC
}

teardown_file() {
	load helpers/common
	cleanup_devices
}

setup() {
	load helpers/common
	load helpers/device
	cd "$DATA" || return 1
}

@test "config space: IDs, class, revision, BARs, MSI-X, write masks" {
	run "$ACCDEV" config "$ZIP" 0x0001 2 2
	assert_success
	run "$ACCDEV" config "$SEC" 0x0002 1 1
	assert_success
}

@test "VFIO uAPI: device, region and IRQ info, argsz, SET_IRQS" {
	run "$ACCDEV" uapi "$ZIP" 2
	assert_success
}

@test "BAR access: sizes, alignment, holes, read-only, MSI-X table, command bits" {
	run "$ACCDEV" regs "$ZIP" 2
	assert_success
	run "$ACCDEV" regs "$SEC" 1
	assert_success
}

@test "sha256 and sha224 equal sha256sum and sha224sum, 0 B to 1 MiB" {
	run "$ACCRUN" --uuid "$SEC" --alg sha256 r0 r1 r4095 r4096 r65536 r1m t1m
	assert_success
	assert_output "$(sha256sum r0 r1 r4095 r4096 r65536 r1m t1m)"
	run "$ACCRUN" --uuid "$SEC" --alg sha224 --chunk 1048576 r0 r1 r4095 r4096 r65536 r1m
	assert_success
	assert_output "$(sha224sum r0 r1 r4095 r4096 r65536 r1m)"
}

@test "sha256 and sha224 streamed through small rings (wrap-around)" {
	# 257 requests of 4095 bytes through a 4-entry ring; 1 MiB in 16
	# requests through a 2-entry ring (one request in flight).
	run "$ACCRUN" --uuid "$SEC" --alg sha256 --chunk 4095 --ring 4 r65536 t1m
	assert_success
	assert_output "$(sha256sum r65536 t1m)"
	run "$ACCRUN" --uuid "$SEC" --alg sha224 --chunk 65536 --ring 2 r1m
	assert_success
	assert_output "$(sha224sum r1m)"
}

@test "crc32c equals the bitwise reference, in one request and streamed" {
	run "$ACCRUN" --uuid "$ZIP" --alg crc32c --chunk 1048576 r0 r1 r4095 r4096 r65536 r1m
	assert_success
	assert_output "$("$ACCREF" crc32c r0 r1 r4095 r4096 r65536 r1m)"
	run "$ACCRUN" --uuid "$ZIP" --alg crc32c --qp 1 --chunk 4096 --ring 8 r65536 t1m
	assert_success
	assert_output "$("$ACCREF" crc32c r65536 t1m)"
}

@test "adler32 equals python's zlib.adler32 and the bitwise reference" {
	run "$ACCRUN" --uuid "$ZIP" --alg adler32 --chunk 3000 --ring 16 \
		r0 r1 r4095 r4096 r65536 r1m
	assert_success
	assert_output "$(py_adler32 r0 r1 r4095 r4096 r65536 r1m)"
	assert_output "$("$ACCREF" adler32 r0 r1 r4095 r4096 r65536 r1m)"
}

@test "deflate output inflates with python's zlib to the input" {
	local f
	for f in r0 r1 r4095 r1m t1m; do
		"$ACCRUN" --uuid "$ZIP" --alg deflate -o "$f.dz" "$f"
	done
	"$ACCRUN" --uuid "$ZIP" --alg deflate --level 1 -o t1m.1.dz t1m
	"$ACCRUN" --uuid "$ZIP" --alg deflate --level 9 --qp 1 -o t1m.9.dz t1m
	run py_inflate_check r0.dz r0 r1.dz r1 r4095.dz r4095 r1m.dz r1m \
		t1m.dz t1m t1m.1.dz t1m t1m.9.dz t1m
	assert_success
	refute_output --partial DIFFERS
	# Compression happened: the text shrinks, level 9 at least as well as 1.
	assert [ "$(stat -c %s t1m.dz)" -lt 400000 ]
	assert [ "$(stat -c %s t1m.9.dz)" -le "$(stat -c %s t1m.1.dz)" ]
}

@test "deflate level takes effect: higher levels no larger, 9 smaller than 1, 0 is 6" {
	local l
	for l in 1 4 6 9; do
		"$ACCRUN" --uuid "$ZIP" --alg deflate --level "$l" -o "t1m.L$l.dz" t1m
	done
	# param 0 (no --level) is level 6 (Documentation/device.rst).
	"$ACCRUN" --uuid "$ZIP" --alg deflate -o t1m.L0.dz t1m
	run py_inflate_check t1m.L1.dz t1m t1m.L4.dz t1m t1m.L6.dz t1m \
		t1m.L9.dz t1m t1m.L0.dz t1m
	assert_success
	refute_output --partial DIFFERS
	local s1 s4 s6 s9
	s1=$(stat -c %s t1m.L1.dz) s4=$(stat -c %s t1m.L4.dz)
	s6=$(stat -c %s t1m.L6.dz) s9=$(stat -c %s t1m.L9.dz)
	echo "# sizes: level 1 $s1, 4 $s4, 6 $s6, 9 $s9" >&3
	assert [ "$s4" -le "$s1" ]
	assert [ "$s6" -le "$s4" ]
	assert [ "$s9" -le "$s6" ]
	# The level reaches the engine: on this text 9 is strictly smaller
	# than 1 (zlib: about 95 KB against 163 KB).
	assert [ "$s9" -lt "$s1" ]
	run cmp t1m.L0.dz t1m.L6.dz
	assert_success
}

@test "inflate of python zlib streams (levels 0, 6, 9) returns the input" {
	local f
	# Level 0 (stored blocks) grows its input; random data does not
	# shrink: 1 MiB of either would not fit one request.
	py_deflate 0:r65536 6:r0 6:r1 6:r4095 9:t1m
	for f in r65536.0 r0.6 r1.6 r4095.6 t1m.9; do
		"$ACCRUN" --uuid "$ZIP" --alg inflate -o "$f.out" "$f.pz"
		cmp "$f.out" "${f%.*}"
	done
}

@test "interrupts: one MSI-X eventfd per QP, counted, loopback, on QP errors" {
	run "$ACCDEV" irq "$ZIP"
	assert_success
}

@test "streams are per queue pair: interleaved, restarted, cleared" {
	run "$ACCDEV" streams "$ZIP"
	assert_success
}

@test "a busy queue pair does not starve another (round robin, budget 16)" {
	run "$ACCDEV" fair "$ZIP"
	assert_success
}

@test "reset and disable return to a clean state; no DMA after reset" {
	run "$ACCDEV" reset "$ZIP"
	assert_success
}

@test "the type decides the device model; an algorithm outside it is refused" {
	run "$ACCDEV" model "$SEC" 0x30 1
	assert_success
	run "$ACCDEV" model "$ZIP" 0xf 2
	assert_success
	# The revision-1 model on revision-2 hardware: no adler32.
	u=$(create_mdev accmdev2 accmdev-zip-r1-1qp)
	run "$ACCDEV" model "$u" 0xd 1
	assert_success
	run "$ACCRUN" --uuid "$u" --alg adler32 r4096
	assert_failure 1
	assert_output --partial "status unsupported"
	# The model is not an attribute of the device.
	assert [ ! -e "$MDEV_DEVICES/$u/model_revision" ]
	assert [ ! -e "$MDEV_DEVICES/$u/model_algorithms" ]
	remove_mdev "$u"
}

@test "bad descriptors complete with errors, touch nothing else, log nothing" {
	dmesg_mark
	run "$ACCDEV" bad "$ZIP"
	assert_success
	run dmesg_since_mark
	refute_output --regexp 'accmdev|WARNING|BUG'
}

@test "QP errors: ring checks at enable, bad doorbells, ring faults, CQ full" {
	dmesg_mark
	run "$ACCDEV" qperr "$ZIP"
	assert_success
	run dmesg_since_mark
	refute_output --regexp 'accmdev|WARNING|BUG'
}

@test "rmmod is refused while a device is open" {
	pid=$(hold --no-req --close-after 60 "$BATS_TEST_TMPDIR/hold" "$ZIP")
	run rmmod accmdev
	kill "$pid"
	wait_gone "$pid"
	assert_failure
	assert_output --partial "in use"
	assert [ -d /sys/module/accmdev ]
	assert [ -d "$MDEV_DEVICES/$ZIP" ]
	run cat "$BATS_TEST_TMPDIR/hold"
	assert_line closing
}

@test "remove of an open device signals the request eventfd, then waits for the close" {
	u=$(create_mdev accmdev0 accmdev-zip-r1-1qp)
	pid=$(hold "$BATS_TEST_TMPDIR/hold" "$u")
	dmesg_mark
	t0=$(now_ms)
	write_to "$MDEV_DEVICES/$u/remove" 1
	t1=$(now_ms)
	assert [ ! -e "$MDEV_DEVICES/$u" ]
	run cat "$BATS_TEST_TMPDIR/hold"
	assert_line "request 1"
	assert_line closing
	# The holder closes one second after the request: remove waited.
	assert [ $((t1 - t0)) -ge 900 ]
	run dmesg_since_mark
	assert_output --partial "asking the user to release the device"
	wait_gone "$pid"
}

@test "remove without a request eventfd waits until the user closes" {
	u=$(create_mdev accmdev0 accmdev-zip-r1-1qp)
	pid=$(hold --no-req --close-after 3 "$BATS_TEST_TMPDIR/hold" "$u")
	dmesg_mark
	t0=$(now_ms)
	write_to "$MDEV_DEVICES/$u/remove" 1
	t1=$(now_ms)
	assert [ ! -e "$MDEV_DEVICES/$u" ]
	assert [ $((t1 - t0)) -ge 1500 ]
	run cat "$BATS_TEST_TMPDIR/hold"
	assert_line closing
	run dmesg_since_mark
	assert_output --partial "no request eventfd"
	wait_gone "$pid"
}
