#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# A guest cannot hold the host: with the slowest work a guest can queue
# (level-9 deflates of 1 MiB of random bytes from a two-letter alphabet,
# on every queue pair, up to the ring depth), every control path returns
# within a bound, requests stopped by a migration complete once on the
# destination, and the device's work is charged to the cgroup of the
# process that opened it. See Documentation/device.rst, "Bounds".
bats_require_minimum_version 1.5.0

# The bound each control path must meet under emulation, in ms. The
# device waits for at most one step of the request in flight (4 KiB of
# level-9 deflate input, some 20 ms natively, well under a second under
# TCG even on the debug kernel); 5 s is generous on purpose: the bound
# is the feature under test, not a benchmark (bench/ has the figures).
BOUND_MS=5000

setup_file() {
	load helpers/common
	load helpers/device
	cleanup_devices
	device_tools_built
}

teardown_file() {
	load helpers/common
	cleanup_devices
}

setup() {
	load helpers/common
	load helpers/device
	ACCBOUND=$ACCMDEV_SRC/tests/bin/build/accbound
	[ -x "$ACCBOUND" ] || fail "$ACCBOUND is not built: make -C tests/bin"
}

teardown() {
	cleanup_devices
}

@test "disable, CTX_CLEAR, reset, STOP_COPY and close return within 5 s under a full adversarial load" {
	uuid=$(create_mdev accmdev0 accmdev-zip-r1-16qp)
	dmesg_mark
	run "$ACCBOUND" bounds "$uuid" "$BOUND_MS"
	assert_success
	# The measured times, as TAP comments.
	grep -E '^[A-Za-z_ >-]+: [0-9.]+ ms$' <<<"$output" | sed 's/^/# /' >&3
	refute_line --partial "not ok"
	assert_line "load: 16 QPs, 15 level-9 deflates of 1048576 bytes each"
	assert_line "ok - QP 0 completed 0 requests before its disable: its request in flight stopped"
	assert_line "ok - 15 of 15 QPs still have work queued"
	for what in "QP disable" CTX_CLEAR VFIO_DEVICE_RESET \
		"RUNNING -> STOP_COPY" "STOP_COPY -> RUNNING" close; do
		assert_line --regexp "^ok - $what returned in [0-9.]+ ms \(bound $BOUND_MS ms\)$"
	done
	for q in 0 15; do
		assert_line --regexp "^ok - after close: QP $q computes crc32c [0-9a-f]{8} equal to the reference"
		assert_line --regexp "^ok - after close: QP $q deflates 200000 bytes to [0-9]+ and inflates them back"
	done
	run dmesg_since_mark
	refute_output --regexp "blocked for more than|soft lockup"
}

@test "requests stopped by a stop-copy complete once on the destination, with the right results" {
	src=$(create_mdev accmdev0 accmdev-zip-r1-16qp)
	dst=$(create_mdev accmdev1 accmdev-zip-r1-16qp)
	run "$ACCBOUND" carry "$src" "$dst" "$BATS_TEST_TMPDIR"
	assert_success
	refute_line --partial "not ok"
	assert_line "ok - carry: the level-9 deflate completed on the destination (status 0)"
	assert_line "ok - carry: crc32c stream, 8 of 8 completions, 0 wrong"
	assert_line "ok - carry: one-shot crc32c, 4 of 4 completions, 0 wrong"
	assert_line "ok - carry: no request completed twice"
	run -0 py_inflate_check "$BATS_TEST_TMPDIR/carry.z" "$BATS_TEST_TMPDIR/carry.in"
	assert_output "same $BATS_TEST_TMPDIR/carry.in"
}

# ---- work charged to the opener's cgroup ------------------------------------

# The cgroup v2 hierarchy, mounted if the guest has not; its path.
cgroup2_root() {
	local cg=/sys/fs/cgroup
	grep -q "^[^ ]* $cg cgroup2 " /proc/mounts ||
		mount -t cgroup2 none "$cg" || return 1
	grep -qw cpu "$cg/cgroup.controllers" || return 1
	echo +cpu >"$cg/cgroup.subtree_control" || return 1
	echo "$cg"
}

# rate_of OUTPUT: the bytes/s figure of "accbound rate".
rate_of() {
	sed -n 's/^rate: .*: \([0-9]*\) bytes\/s$/\1/p' <<<"$1"
}

@test "a cpu.max limit on the opener's cgroup bounds the device's work" {
	# The debug lane's kernel (tinyconfig and tests/kernel/debug.config)
	# has no cgroups at all; tests/expect declares this skip there only.
	grep -qw cgroup2 /proc/filesystems ||
		skip "this kernel has no cgroup v2 (CONFIG_CGROUPS unset)"
	uuid=$(create_mdev accmdev0 accmdev-zip-r1-1qp)
	cg=$(cgroup2_root) || fail "no cgroup v2 with the cpu controller"
	grp=$cg/accmdev-bounds
	mkdir -p "$grp"
	write_to "$grp/cpu.max" "20000 100000"

	run "$ACCBOUND" rate "$uuid" 10
	assert_success
	free=$(rate_of "$output")
	# The opener joins the group before it opens the device.
	run sh -c 'echo $$ >"$1/cgroup.procs" && exec "$2" rate "$3" 10' \
		sh "$grp" "$ACCBOUND" "$uuid"
	assert_success
	limited=$(rate_of "$output")
	rmdir "$grp"
	echo "# unlimited $free bytes/s, cpu.max 20000 100000: $limited bytes/s" >&3
	[ -n "$free" ] && [ -n "$limited" ] && [ "$free" -gt 0 ] ||
		fail "no rate: '$free' '$limited'"
	# 20% of a CPU: the ratio must be clearly below 1. The tolerance
	# (0.5) covers the opener's own CPU time and TCG's timing noise; a
	# worker outside the group runs at the unlimited rate (ratio ~1).
	ratio=$((limited * 100 / free))
	echo "# ratio $ratio%" >&3
	[ "$ratio" -lt 50 ] || fail "limited/unlimited = $ratio% (want < 50%)"
}

# ---- the smaller findings ---------------------------------------------------

@test "the driver has no bind or unbind file: devices come and go by create and remove" {
	drv=/sys/bus/mdev/drivers/accmdev
	[ -d "$drv" ] || fail "no $drv"
	uuid=$(create_mdev accmdev0 accmdev-zip-r1-1qp)
	[ -e "$drv/$uuid" ] || fail "$uuid is not bound to accmdev"
	assert [ ! -e "$drv/unbind" ]
	assert [ ! -e "$drv/bind" ]
	run -1 "$SWRITE" -n "$drv/unbind" "$uuid"
	assert [ -e "$drv/$uuid" ]
	remove_mdev "$uuid"
}

@test "the saving data fd polls; GET_PRECOPY_INFO out of PRE_COPY is EINVAL" {
	[[ $(uname -r) != 6.1.* ]] || skip "6.1 has no PRE_COPY (compat.h)"
	uuid=$(create_mdev accmdev0 accmdev-zip-r1-1qp)
	run "$ACCBOUND" precopy "$uuid"
	assert_success
	refute_line --partial "not ok"
	refute_line "no PRE_COPY"
	assert_line --partial "ok - PRE_COPY: all read, poll waits 300 ms and times out"
	assert_line --partial "ok - STOP_COPY: VFIO_MIG_GET_PRECOPY_INFO fails with EINVAL"
	assert_line --partial "ok - session over: VFIO_MIG_GET_PRECOPY_INFO fails with EINVAL"
	assert_line --partial "ok - pre-copy abandoned: VFIO_MIG_GET_PRECOPY_INFO fails with EINVAL"
}

@test "a ring error at enable raises the QP's interrupt; a doorbell error in STOP none" {
	uuid=$(create_mdev accmdev0 accmdev-zip-r1-2qp)
	run "$ACCBOUND" qpirq "$uuid"
	assert_success
	assert_line "ok - a ring error at enable latches RING_SIZE and signals the QP's vector once"
	assert_line "ok - a doorbell error in STOP latches SQ_TAIL and raises no interrupt"
}

@test "a destination with more algorithms presents the source's after a migration" {
	# No type has fewer algorithms than its model revision's: a source
	# with fewer is another host's. Its stream, from a revision-2 device
	# with adler32 cut out, makes src such a device.
	donor=$(create_mdev accmdev2 accmdev-zip-r2-1qp)
	src=$(create_mdev accmdev2 accmdev-zip-r2-1qp)
	dst=$(create_mdev accmdev2 accmdev-zip-r2-1qp)
	run "$ACCBOUND" narrow "$donor" "$src" crc32c,deflate,inflate
	assert_success
	refute_line --partial "not ok"
	want='accmdev/1.0;kind=zip;rev=2;qps=1;algs=crc32c,deflate,inflate'
	assert_equal "$(<"$MDEV_DEVICES/$src/migration_version")" "$want"
	run "$ACCBOUND" superset "$src" "$dst"
	assert_success
	refute_line --partial "not ok"
	assert_line "ok - the destination's algorithms are a strict superset"
	assert_line --partial "ok - after the migration the destination's ALGS is the source's"
	assert_line "ok - adler32, not the source's, is UNSUPPORTED on the destination"
	assert_line "ok - a reset keeps the source's ALGS"
	assert_line "ok - and the device migrates back (ok)"
	assert_equal "$(<"$MDEV_DEVICES/$dst/migration_version")" "$want"
	# The type is still the type: a new device of it has all four.
	new=$(create_mdev accmdev2 accmdev-zip-r2-1qp)
	assert_equal "$(<"$MDEV_DEVICES/$new/migration_version")" \
		'accmdev/1.0;kind=zip;rev=2;qps=1;algs=crc32c,adler32,deflate,inflate'
}
