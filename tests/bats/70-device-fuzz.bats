#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# Device fuzz: a hostile user of an open device (tests/bin/devfuzz):
# random region access, info and SET_IRQS ioctls, resets, and doorbells
# on rings of hostile descriptors, each answer checked against the model
# of Documentation/device.rst. A canary mapped in the same container and
# a second device's memory at the same IOVAs must not change unless a
# descriptor aimed at them, and afterwards the device still computes
# right (crc32c, deflate/inflate; sha256, sha224).
#
#   DEVICE_FUZZ_ITERATIONS  actions per device (default 3000)
#   DEVICE_FUZZ_SECONDS     time bound per device (default 90)
#   DEVICE_FUZZ_SEED        seed (default: random, printed in the TAP output)
bats_require_minimum_version 1.5.0

# Reports of a kernel bug: tests/lib/logscan.sh, exported by tests/vm/guest.sh.
SPLATS=$ACCMDEV_SPLATS

setup_file() {
	load helpers/common
	cleanup_devices
	# zip rev2 (all four zip algorithms) with 4 QPs, sec with 2, and a
	# bystander of another parent whose memory sits at the same IOVAs.
	ZIP=$(create_mdev accmdev2 accmdev-zip-r2-4qp)
	SEC=$(create_mdev accmdev3 accmdev-sec-r1-2qp)
	OTHER=$(create_mdev accmdev0 accmdev-zip-r1-1qp)
	export ZIP SEC OTHER
}

teardown_file() {
	load helpers/common
	cleanup_devices
}

setup() {
	load helpers/common
	DEVFUZZ=$ACCMDEV_SRC/tests/bin/build/devfuzz
	export ASAN_OPTIONS=exitcode=99:detect_leaks=0
	export UBSAN_OPTIONS=halt_on_error=1:exitcode=98:print_stacktrace=1
}

# fuzz UUID: run devfuzz on UUID with OTHER as the bystander.
fuzz() {
	local seed=${DEVICE_FUZZ_SEED:-$(((RANDOM << 15) | RANDOM))}
	local n=${DEVICE_FUZZ_ITERATIONS:-3000} t=${DEVICE_FUZZ_SECONDS:-90}
	echo "# seed=$seed iterations=$n seconds=$t (DEVICE_FUZZ_SEED=$seed to rerun)" >&3
	[ -x "$DEVFUZZ" ] || fail "$DEVFUZZ is not built: make -C tests/bin"
	dmesg_mark
	run "$DEVFUZZ" -s "$seed" -n "$n" -t "$t" "$1" "$OTHER"
	echo "$output" | sed 's/^/# /' >&3
	assert_success
	assert_line --regexp "^seed=$seed\$"
	assert_line --regexp '^iterations=[1-9][0-9]* region_ops=[1-9][0-9]* irq_ops=[1-9][0-9]* info_ops=[1-9][0-9]* sqes=[1-9][0-9]* judged=[1-9][0-9]* ring_tests=[1-9][0-9]* resets=[0-9]+ remaps=[0-9]+ mismatches=0 internal=0 canary_targeted=[0-9]+ canary_changed=0 other_changed=0 config_changed=0$'
	assert_line "verify ok"
	run dmesg_since_mark
	refute_output --regexp "$SPLATS"
}

@test "device fuzz: zip rev2, 4 QPs" {
	fuzz "$ZIP"
}

@test "device fuzz: sec, 2 QPs" {
	fuzz "$SEC"
}

@test "the fuzzed devices close cleanly and their pools come back" {
	echo 1 >"$MDEV_DEVICES/$ZIP/remove"
	echo 1 >"$MDEV_DEVICES/$SEC/remove"
	assert_equal "$(<"$ACC_CLASS/accmdev2/qp_free")" 64
	assert_equal "$(<"$ACC_CLASS/accmdev3/qp_free")" 32
	assert_equal "$(</sys/module/accmdev/refcnt)" 0
}
