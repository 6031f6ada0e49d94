#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# sysfs fuzz: random and structured garbage to every writable file accmdev
# adds (migration_version of types and devices, create), each write's
# errno checked against the independent reference (tests/ref/migref.c,
# written from the docs, for migration_version; the mdev core's rule for
# create), the same input to a device and to its type answered alike,
# every read checked to stay what it should be, and no device created by
# garbage. The loop is
# tests/bin/sysfuzz (see its header); the first test runs it, the others
# judge one file class each.
#
#   SYSFS_FUZZ_WRITES   writes per file class (default 10000)
#   SYSFS_FUZZ_SEED     seed (default: random, printed in the TAP output)
bats_require_minimum_version 1.5.0

# Reports of a kernel bug: tests/lib/logscan.sh, exported by tests/vm/guest.sh.
SPLATS=$ACCMDEV_SPLATS

setup_file() {
	load helpers/common
	cleanup_devices
	export FUZZ_OUT=$BATS_FILE_TMPDIR/sysfuzz.out
}

teardown_file() {
	load helpers/common
	cleanup_devices
}

setup() {
	load helpers/common
	SYSFUZZ=$ACCMDEV_SRC/tests/bin/build/sysfuzz
	WRITES=${SYSFS_FUZZ_WRITES:-10000}
	export ASAN_OPTIONS=exitcode=99:detect_leaks=0
	export UBSAN_OPTIONS=halt_on_error=1:exitcode=98:print_stacktrace=1
}

# class NAME [WRITES]: the class's line has no mismatch; show its mismatches.
class_ok() {
	local writes=${2:-$WRITES}
	[ -s "$FUZZ_OUT" ] || fail "the fuzz did not run (see the first test)"
	grep "^# mismatch $1 " "$FUZZ_OUT" | sed 's/^/#/' >&3 || true
	run grep "^class=$1 " "$FUZZ_OUT"
	assert_output --regexp "^class=$1 files=[1-9][0-9]* writes=$writes refused=[0-9]+ accepted_ok=[0-9]+ empty=[0-9]+ mismatches=0\$"
}

@test "sysfs fuzz: garbage to every writable file, every read stable, no device created, log clean" {
	local seed=${SYSFS_FUZZ_SEED:-$(((RANDOM << 15) | RANDOM))} held before
	echo "# seed=$seed writes per class=$WRITES (SYSFS_FUZZ_SEED=$seed to rerun)" >&3
	[ -x "$SYSFUZZ" ] || fail "$SYSFUZZ is not built: make -C tests/bin"
	# One device per parent, of different shapes, both models of the
	# rev-2 parent, and one held open through VFIO.
	create_mdev accmdev0 accmdev-zip-r1-4qp
	create_mdev accmdev1 accmdev-zip-r1-1qp
	create_mdev accmdev2 accmdev-zip-r2-16qp
	create_mdev accmdev2 accmdev-zip-r1-2qp
	create_mdev accmdev3 accmdev-sec-r1-2qp
	create_mdev accmdev4 accmdev-zip-r1-8qp-nomig
	held=$(create_mdev accmdev2 accmdev-zip-r2-1qp)
	before=$(cat "$ACC_CLASS"/accmdev*/qp_free)
	dmesg_mark

	run "$SYSFUZZ" -s "$seed" -n "$WRITES" -o "$held"
	echo "$output" >"$FUZZ_OUT"
	grep -E '^(class=|writes=|not ok)' "$FUZZ_OUT" | sed 's/^/# /' >&3
	# Exit 1 means a mismatch (judged by the tests below); more is worse.
	assert [ "$status" -le 1 ]
	assert_line --regexp "^seed=$seed\$"
	# Every read gave what it should, before, during and after; three
	# "UUID plus one byte" writes created a device each (removed again),
	# garbage created none.
	assert_line --regexp "^writes=[0-9]+ refused=[0-9]+ accepted_ok=[0-9]+ empty=[0-9]+ mismatches=[0-9]+ reads=[1-9][0-9]* unstable=0 created=3 stray_devices=0\$"
	assert_equal "$(cat "$ACC_CLASS"/accmdev*/qp_free)" "$before"
	run ls "$MDEV_DEVICES"
	assert_equal "${#lines[@]}" 7
	run dmesg_since_mark
	refute_output --regexp "$SPLATS"
}

@test "sysfs fuzz: type migration_version, every errno as the reference says" {
	class_ok type-migver
}

@test "sysfs fuzz: device migration_version, every errno as the reference says" {
	class_ok dev-migver
}

@test "sysfs fuzz: a type node answers every input as a device of the type does" {
	class_ok type-vs-dev
}

@test "sysfs fuzz: create refuses all garbage (and takes a UUID plus any one byte)" {
	class_ok create $((WRITES + 3))
	run grep '^class=create ' "$FUZZ_OUT"
	assert_output --regexp ' accepted_ok=3 '
}

@test "after the fuzz a compatible source is still accepted and a new device has its type's model" {
	local u
	u=$(create_mdev accmdev2 accmdev-zip-r1-4qp)
	run "$SWRITE" -n "$ACC_CLASS/accmdev1/mdev_supported_types/accmdev-zip-r1-4qp/migration_version" \
		"$(<"$ACC_CLASS/accmdev0/mdev_supported_types/accmdev-zip-r1-4qp/migration_version")"
	assert_output OK
	run "$SWRITE" -n "$MDEV_DEVICES/$u/migration_version" \
		"$(<"$ACC_CLASS/accmdev0/mdev_supported_types/accmdev-zip-r1-4qp/migration_version")"
	assert_output OK
	assert_equal "$(<"$MDEV_DEVICES/$u/migration_version")" \
		"$(<"$ACC_CLASS/accmdev0/mdev_supported_types/accmdev-zip-r1-4qp/migration_version")"
}
