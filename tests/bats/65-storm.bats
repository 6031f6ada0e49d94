#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# Concurrency storm: several processes create, remove, read and check
# migration_version, write a device's version to its own type (which must
# accept it), and open, use and close devices through VFIO, all at once
# and across parents and types (tests/bin/storm). Then the pools equal
# the live devices, nothing leaked and the kernel log is clean.
#
#   STORM_SECONDS   how long the workers run (default 60)
#   STORM_PROCS     worker processes (default 6)
#   STORM_SEED      seed (default: random, printed in the TAP output)
bats_require_minimum_version 1.5.0

# Reports of a kernel bug: tests/lib/logscan.sh, exported by tests/vm/guest.sh.
SPLATS=$ACCMDEV_SPLATS

setup() {
	load helpers/common
	STORM=$ACCMDEV_SRC/tests/bin/build/storm
	export ASAN_OPTIONS=exitcode=99:detect_leaks=0
	export UBSAN_OPTIONS=halt_on_error=1:exitcode=98:print_stacktrace=1
	cleanup_devices
}

teardown() {
	cleanup_devices
}

@test "storm: concurrent create/remove/version/own-type/open across parents and types; pools follow the devices" {
	local seed=${STORM_SEED:-$(((RANDOM << 15) | RANDOM))}
	local secs=${STORM_SECONDS:-60} procs=${STORM_PROCS:-6} refcnt
	echo "# seed=$seed seconds=$secs procs=$procs (STORM_SEED=$seed to rerun)" >&3
	[ -x "$STORM" ] || fail "$STORM is not built: make -C tests/bin"
	refcnt=$(</sys/module/accmdev/refcnt)
	dmesg_mark

	run "$STORM" -s "$seed" -t "$secs" -p "$procs"
	echo "$output" | sed 's/^/# /' >&3
	assert_success
	assert_line --regexp "^seed=$seed\$"
	assert_line --regexp '^ops=[1-9][0-9]* unexpected=0 bad_results=0 hung=0 pool_ok=1 refcnt_ok=1 devices_left=[0-9]+$'
	# Every kind of operation ran, and some opened devices computed.
	local op
	for op in create remove read-version check-version own-type open-close read-pool; do
		assert_line --regexp "^op=$op n=[1-9][0-9]* ok=[1-9][0-9]* refused=[0-9]+ unexpected=0\$"
	done
	assert_line --regexp '^computed=[1-9][0-9]* bad_results=0 '

	# storm removed what it left: the pools are full, the module unused.
	run ls "$MDEV_DEVICES"
	assert_output ""
	local p
	for p in "$ACC_CLASS"/accmdev*; do
		assert_equal "$(<"$p/qp_free")" "$(<"$p/qp_total")"
	done
	assert_equal "$(</sys/module/accmdev/refcnt)" "$refcnt"
	run dmesg_since_mark
	refute_output --regexp "$SPLATS"
}

@test "after the storm a new device computes and checks versions" {
	local u
	u=$(create_mdev accmdev0 accmdev-zip-r1-2qp)
	printf 'storm' >"$BATS_TEST_TMPDIR/in"
	run "$ACCMDEV_SRC/tools/vfio/build-san/accrun" --uuid "$u" --alg crc32c "$BATS_TEST_TMPDIR/in"
	assert_success
	# CRC32C("storm"), from the bitwise reference.
	assert_output --partial "$("$ACCMDEV_SRC/tests/bin/build/accref" crc32c "$BATS_TEST_TMPDIR/in" | cut -d' ' -f1)"
	run "$SWRITE" -n "$ACC_CLASS/accmdev1/mdev_supported_types/accmdev-zip-r1-2qp/migration_version" \
		"$(<"$MDEV_DEVICES/$u/migration_version")"
	assert_output OK
}
