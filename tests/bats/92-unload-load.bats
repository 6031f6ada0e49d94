#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# Unload under load: rmmod while devices exist, are open and are
# migrating, and while a storm of create/remove/open runs
# (Documentation/admin-guide.rst, "Unloading"). rmmod is refused while
# anything holds the module (an open device, a migration data fd), and
# changes nothing then; once nothing does, it removes every device; the
# module loads again and works. Self-contained: the module is loaded
# again at the end (and by teardown), so later suites find it.
#
#   UNLOAD_STORM_SECONDS  length of the storm the unload meets (default 20)
bats_require_minimum_version 1.5.0

# Reports of a kernel bug: tests/lib/logscan.sh, exported by tests/vm/guest.sh.
SPLATS=$ACCMDEV_SPLATS

setup() {
	load helpers/common
	load helpers/device
	UNLOAD=$ACCMDEV_SRC/tests/bin/build/unload
	STORM=$ACCMDEV_SRC/tests/bin/build/storm
	PIDS=()
	lsmod | grep -q '^accmdev ' || insmod "$ACCMDEV_MODULE"
	cleanup_devices
}

teardown() {
	local p
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null
		wait_gone "$p"
	done
	lsmod | grep -q '^accmdev ' || insmod "$ACCMDEV_MODULE"
	cleanup_devices
}

# The state rmmod must leave alone: devices, pools, the module's users.
snapshot() {
	ls "$MDEV_DEVICES"
	cat "$ACC_CLASS"/accmdev*/qp_free
}

# rmmod is refused as "in use", by rmmod(8) and by the system call.
assert_rmmod_refused() {
	run rmmod accmdev
	assert_failure
	assert_output --partial "in use"
	run "$UNLOAD" try
	assert_failure
	assert_output EAGAIN
	assert [ -d /sys/module/accmdev ]
}

assert_unloaded() {
	assert [ ! -e /sys/module/accmdev ]
	assert [ ! -e /sys/class/accmdev ]
	run ls "$MDEV_BUS"
	assert_output ""
	assert [ ! -e /sys/devices/accmdev ]
	run ls "$MDEV_DEVICES"
	assert_output ""
}

@test "rmmod with devices present, one open: refused, nothing changes, the user is not asked" {
	local open closed1 closed2 before pid
	closed1=$(create_mdev accmdev0 accmdev-zip-r1-4qp)
	closed2=$(create_mdev accmdev3 accmdev-sec-r1-2qp)
	open=$(create_mdev accmdev2 accmdev-zip-r2-1qp)
	pid=$(hold "$BATS_TEST_TMPDIR/hold" "$open")
	PIDS+=("$pid")
	before=$(snapshot)
	dmesg_mark

	assert_rmmod_refused
	assert_equal "$(snapshot)" "$before"
	# The open device's user got no request: it still has its device.
	run cat "$BATS_TEST_TMPDIR/hold"
	assert_output open
	# The closed devices still work.
	printf 'abc' >"$BATS_TEST_TMPDIR/abc"
	run "$ACCRUN" --uuid "$closed2" --alg sha256 "$BATS_TEST_TMPDIR/abc"
	assert_success
	assert_output --partial ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
	run dmesg_since_mark
	refute_output --partial "asking the user to release"

	# Once the user closes, rmmod removes every device and parent.
	kill "$pid"
	wait_gone "$pid"
	run rmmod accmdev
	assert_success
	assert_unloaded
	run dmesg_since_mark
	refute_output --regexp "$SPLATS"
}

@test "rmmod during a migration: refused while the devices are open, and while a data fd outlives them" {
	local src dst pid
	src=$(create_mdev accmdev0 accmdev-zip-r1-2qp)
	dst=$(create_mdev accmdev1 accmdev-zip-r1-2qp)

	# Source in STOP_COPY and destination in RESUMING, both open.
	pid=$("$UNLOAD" hold-mig "$BATS_TEST_TMPDIR/mig" "$src" "$dst")
	PIDS+=("$pid")
	assert_rmmod_refused
	kill "$pid"
	wait_gone "$pid"
	run cat "$BATS_TEST_TMPDIR/mig"
	assert_line --regexp '^save-read=OK resume-write=(OK|E[A-Z]+)$'
	assert_line closing

	# The devices closed, their data fds kept: the fds hold the module.
	pid=$("$UNLOAD" hold-mig --close "$BATS_TEST_TMPDIR/mig2" "$src" "$dst")
	PIDS+=("$pid")
	assert_rmmod_refused
	# The devices themselves can go: they are closed.
	remove_mdev "$src"
	remove_mdev "$dst"
	assert_rmmod_refused
	kill "$pid"
	wait_gone "$pid"
	# The sessions ended with the close: their fds fail, cleanly.
	run cat "$BATS_TEST_TMPDIR/mig2"
	assert_line "save-read=ENODEV resume-write=ENODEV"
	run rmmod accmdev
	assert_success
	assert_unloaded
}

@test "rmmod under load: retried during a storm, it succeeds when nothing is open and nothing breaks" {
	local seed=${STORM_SEED:-$(((RANDOM << 15) | RANDOM))}
	local secs=${UNLOAD_STORM_SECONDS:-20}
	echo "# seed=$seed seconds=$secs (STORM_SEED=$seed to rerun)" >&3
	export ASAN_OPTIONS=exitcode=99:detect_leaks=0
	dmesg_mark
	# 4 workers; 5 s in, delete_module is tried every 20 ms.
	run "$STORM" -s "$seed" -t "$secs" -p 4 -r 5
	echo "$output" | sed 's/^/# /' >&3
	assert_success
	# under_load=0: a slow kernel never had a moment with nothing open
	# while the workers ran; the module then went once they stopped.
	assert_line --regexp '^unload attempts=[1-9][0-9]* in_use=[0-9]+ unloaded=1 under_load=[01] at=[0-9.]+ devices=[1-9][0-9]*$'
	assert_line --regexp '^ops=[1-9][0-9]* unexpected=0 bad_results=0 hung=0 '
	assert_unloaded
	run dmesg_since_mark
	refute_output --regexp "$SPLATS"
}

@test "the module loads again after an unload under load, and works" {
	local u v
	lsmod | grep -q '^accmdev ' && rmmod accmdev
	insmod "$ACCMDEV_MODULE"
	run ls "$MDEV_DEVICES"
	assert_output ""
	for p in "$ACC_CLASS"/accmdev*; do
		assert_equal "$(<"$p/qp_free")" "$(<"$p/qp_total")"
	done
	u=$(create_mdev accmdev0 accmdev-zip-r1-4qp)
	v=$(create_mdev accmdev1 accmdev-zip-r1-4qp)
	printf 'unload' >"$BATS_TEST_TMPDIR/in"
	run "$ACCRUN" --uuid "$u" --alg crc32c "$BATS_TEST_TMPDIR/in"
	assert_success
	assert_output --partial "$("$ACCREF" crc32c "$BATS_TEST_TMPDIR/in" | cut -d' ' -f1)"
	run "$SWRITE" -n "$MDEV_DEVICES/$v/migration_version" \
		"$(<"$MDEV_DEVICES/$u/migration_version")"
	assert_output OK
	remove_mdev "$u"
	remove_mdev "$v"
	assert_equal "$(</sys/module/accmdev/refcnt)" 0
}
