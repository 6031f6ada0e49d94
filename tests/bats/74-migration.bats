#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# Live migration from user space: the FSM and its data fds, broken
# streams, close mid-migration, continuity of an open stream, requests
# in flight and the in-band check. accctl migrate, send and receive are
# 73-accctl-migrate's. See Documentation/migration.rst.
bats_require_minimum_version 1.5.0

setup_file() {
	load helpers/common
	load helpers/device
	device_suite_start
}

teardown_file() {
	load helpers/common
	cleanup_devices
}

setup() {
	load helpers/common
	load helpers/device
	ACCMIG=$ACCMDEV_SRC/tests/bin/build/accmig
	[ -x "$ACCMIG" ] || fail "$ACCMIG is not built: make -C tests/bin"
	cd "$DATA" || return 1
}

teardown() {
	cleanup_devices
}

want_flags() {
	if has_precopy; then
		echo "flags: STOP_COPY P2P PRE_COPY"
	else
		echo "flags: STOP_COPY P2P"
	fi
}

# ---- the state machine ---------------------------------------------------

@test "FSM: every legal arc succeeds, every other is EINVAL with the state kept" {
	uuid=$(create_mdev accmdev0 accmdev-zip-r1-1qp)
	run -0 "$ACCMIG" fsm "$uuid"
	assert_line "$(want_flags)"
	refute_line --partial "not ok"
	if has_precopy; then
		assert_line "arcs: 47 legal done, 16 illegal refused, of 63"
		assert_line "ok - RUNNING -> PRE_COPY: done, state PRE_COPY, a new data fd"
		assert_line "ok - PRE_COPY -> STOP_COPY: done, state STOP_COPY, no data fd"
		assert_line "ok - STOP_COPY -> PRE_COPY: refused EINVAL, state STOP_COPY"
	else
		assert_line "arcs: 25 legal done, 20 illegal refused, of 45"
		assert_line "ok - RUNNING -> PRE_COPY: refused EINVAL, state RUNNING"
	fi
	assert_line "ok - RUNNING -> STOP_COPY: done, state STOP_COPY, a new data fd"
	assert_line "ok - RESUMING -> RUNNING: done, state RUNNING, no data fd"
	assert_line "ok - STOP -> ERROR: refused EINVAL, state STOP"
}

@test "close mid-migration: reopen finds RUNNING, the old data fd fails" {
	uuid=$(create_mdev accmdev0 accmdev-zip-r1-1qp)
	run -0 "$ACCMIG" close "$uuid"
	refute_line --partial "not ok"
	assert_line "ok - STOP_COPY: closed and reopened, the device is RUNNING"
	assert_line "ok - STOP_COPY: the old data fd fails reads: ENODEV"
	assert_line "ok - RESUMING: closed and reopened, the device is RUNNING"
	assert_line "ok - RESUMING: the old data fd fails writes: ENODEV"
	if has_precopy; then
		assert_line "ok - PRE_COPY: the old data fd fails reads: ENODEV"
	else
		assert_line "skip: PRE_COPY is not supported"
	fi
}

@test "a broken stream fails RESUMING -> STOP; after a reset the device computes" {
	uuid=$(create_mdev accmdev0 accmdev-zip-r1-1qp)
	run -0 "$ACCMIG" bad-stream "$uuid"
	refute_line --partial "not ok"
	assert_line "ok - an empty stream is refused: RESUMING -> STOP ENODATA, state RESUMING"
	assert_line "ok - a truncated stream is refused: RESUMING -> STOP ENODATA, state RESUMING"
	assert_line "ok - a corrupted stream is refused: RESUMING -> STOP EBADMSG, state RESUMING"
	assert_line "ok - a stream with trailing bytes is refused: RESUMING -> STOP EINVAL, state RESUMING"
	assert_line "ok - the valid stream loads: state STOP"
	assert_line "ok - after a corrupted stream and a reset: RUNNING, and the device computes"
}

# ---- continuity ------------------------------------------------------------

@test "an open sha256 stream migrates mid-way and ends equal to sha256sum" {
	src=$(create_mdev accmdev3 accmdev-sec-r1-1qp)
	dst=$(create_mdev accmdev3 accmdev-sec-r1-1qp)
	run -0 "$ACCRUN" --uuid "$src" --alg sha256 --migrate-to "$dst" --at 393216 r1m
	assert_line "$(sha256sum r1m)"
	assert_line --regexp "^accrun: migrated to $dst at 393216 bytes, [1-9][0-9]* requests in flight, "
}

@test "an open crc32c stream migrates at an odd offset and equals the reference" {
	src=$(create_mdev accmdev0 accmdev-zip-r1-1qp)
	dst=$(create_mdev accmdev1 accmdev-zip-r1-1qp)
	run -0 "$ACCRUN" --uuid "$src" --alg crc32c --chunk 4096 --ring 8 \
		--migrate-to "$dst" --at 100001 t1m
	assert_line "$("$ACCREF" crc32c t1m)"
	assert_line --regexp "^accrun: migrated to $dst at 100001 bytes, [1-9][0-9]* requests in flight, "
}

@test "the revision-1 type migrates from revision-1 to revision-2 hardware and back" {
	src=$(create_mdev accmdev0 accmdev-zip-r1-1qp)
	dst=$(create_mdev accmdev2 accmdev-zip-r1-1qp)
	back=$(create_mdev accmdev1 accmdev-zip-r1-1qp)
	want='accmdev/1.0;kind=zip;rev=1;qps=1;algs=crc32c,deflate,inflate'
	assert_equal "$(<"$MDEV_DEVICES/$dst/migration_version")" "$want"
	run -0 "$ACCRUN" --uuid "$src" --alg crc32c --chunk 4096 --ring 8 \
		--migrate-to "$dst" --at 100001 t1m
	assert_line "$("$ACCREF" crc32c t1m)"
	assert_line --regexp "^accrun: migrated to $dst at 100001 bytes, "
	assert_equal "$(<"$MDEV_DEVICES/$dst/migration_version")" "$want"
	run -0 "$ACCCTL" migrate "$dst" "$back"
	assert_line "result       migrated"
}

@test "requests pending at the stop complete once, on the destination" {
	src=$(create_mdev accmdev0 accmdev-zip-r1-1qp)
	dst=$(create_mdev accmdev1 accmdev-zip-r1-1qp)
	run -0 "$ACCMIG" inflight "$src" "$dst"
	refute_line --partial "not ok"
	assert_line --partial "stalled: 48 requests, 33 pending in the stream, "
	assert_line "ok - stalled: 33 requests pending at the stop, want 33"
	assert_line "ok - stalled: 48 completions for 48 requests, 0 duplicate, 0 wrong"
	assert_line "ok - racing: 60 completions for 60 requests, 0 duplicate, 0 wrong"
	assert_line "ok - racing: source STOP, destination RUNNING"
}

# ---- the in-band check ------------------------------------------------------

@test "an incompatible destination refuses the first write; the source computes on" {
	z2=$(create_mdev accmdev2 accmdev-zip-r2-1qp)
	z0=$(create_mdev accmdev0 accmdev-zip-r1-1qp)
	s3=$(create_mdev accmdev3 accmdev-sec-r1-1qp)
	run -0 "$ACCMIG" refuse "$z2" "$z0" ENOEXEC
	refute_line --partial "not ok"
	if has_precopy; then
		assert_line "refused: ENOEXEC at chunk 1 in pre-copy"
		assert_line --regexp '^sent: [1-9][0-9]* pre-copy bytes, 0 stop-copy bytes$'
	else
		assert_line "refused: ENOEXEC at chunk 1 in stop-copy"
		assert_line --regexp '^sent: 0 pre-copy bytes, [1-9][0-9]* stop-copy bytes$'
	fi
	assert_line "ok - the source is RUNNING"
	assert_line "ok - the source still computes: its open crc32c stream ends right"
	run -0 "$ACCMIG" refuse "$z0" "$s3" EXDEV
	refute_line --partial "not ok"
	assert_line --regexp '^refused: EXDEV at chunk 1 in (pre|stop)-copy$'
}
