#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# accctl send/receive between "hosts" (here loopback): the shared-secret
# handshake over TCP and the one-way pipe mode, against real devices.
# Whether the destination device was opened or written is read from the
# kernel's function tracer (accmdev_open_device, accmdev_resume_write),
# not from accctl. See Documentation/accctl.rst, "Authentication".
bats_require_minimum_version 1.5.0

setup_file() {
	load helpers/common
	load helpers/device
	cleanup_devices
	device_tools_built
}

teardown_file() {
	load helpers/common
	trace_off
	cleanup_devices
}

setup() {
	load helpers/common
	load helpers/device
	load helpers/receiver
	SECRET=$BATS_TEST_TMPDIR/secret
	OTHER=$BATS_TEST_TMPDIR/other
	(umask 077 && printf 'a shared secret of 31 bytes....\n' >"$SECRET" &&
		printf 'a different secret of 33 bytes..\n' >"$OTHER")
}

teardown() {
	[ -n "${RECV_PID:-}" ] && kill "$RECV_PID" 2>/dev/null
	cleanup_devices
}

TRACING=/sys/kernel/tracing

# trace_on: trace calls of the destination side's device entry points.
trace_on() {
	[ -f "$TRACING/set_ftrace_filter" ] ||
		mount -t tracefs nodev "$TRACING" 2>/dev/null
	[ -f "$TRACING/set_ftrace_filter" ] || fail "no function tracer in this kernel"
	echo 0 >"$TRACING/tracing_on"
	echo nop >"$TRACING/current_tracer"
	echo 'accmdev_open_device accmdev_resume_write' >"$TRACING/set_ftrace_filter" ||
		fail "accmdev's functions cannot be traced"
	echo function >"$TRACING/current_tracer"
	: >"$TRACING/trace"
	echo 1 >"$TRACING/tracing_on"
}

trace_off() {
	[ -f "$TRACING/current_tracer" ] || return 0
	echo 0 >"$TRACING/tracing_on"
	echo nop >"$TRACING/current_tracer"
	: >"$TRACING/set_ftrace_filter"
}

# trace_count FUNCTION: calls traced since trace_on.
trace_count() {
	grep -c " $1 <-" "$TRACING/trace" || true
}

@test "a sender with the wrong secret is refused before the destination is opened" {
	src=$(create_mdev accmdev0 accmdev-zip-r1-2qp)
	dst=$(create_mdev accmdev1 accmdev-zip-r1-2qp)
	trace_on
	start_receiver "$dst" --secret-file "$SECRET"
	run -2 "$ACCCTL" send "$src" "127.0.0.1:$PORT" --secret-file "$OTHER" --timeout 600
	assert_output "accctl: send: the receiver refused: authentication failed (EACCES); nothing was sent"
	assert_equal "$(receiver_status)" 2
	run cat "$RECV_OUT"
	assert_output --regexp '^accctl: receive: the sender at 127\.0\.0\.1:[0-9]+ failed authentication'
	# Neither device was opened: no device byte was read or written.
	assert_equal "$(trace_count accmdev_open_device)" 0
	assert_equal "$(trace_count accmdev_resume_write)" 0

	# The same pair with the same secret migrates, and the tracer sees
	# it (so the zeros above could have been otherwise).
	start_receiver "$dst" --secret-file "$SECRET"
	run -0 "$ACCCTL" send "$src" "127.0.0.1:$PORT" --secret-file "$SECRET" --timeout 600
	assert_line "result       migrated"
	assert_equal "$(receiver_status)" 0
	assert [ "$(trace_count accmdev_open_device)" -ge 2 ]
	assert [ "$(trace_count accmdev_resume_write)" -ge 1 ]
}

@test "a sender without a secret is refused by a receiver that has one" {
	src=$(create_mdev accmdev0 accmdev-zip-r1-1qp)
	dst=$(create_mdev accmdev1 accmdev-zip-r1-1qp)
	trace_on
	start_receiver "$dst" --secret-file "$SECRET"
	run -2 "$ACCCTL" send "$src" "127.0.0.1:$PORT" --timeout 600
	assert_output --partial "the receiver asks for a shared secret"
	assert_equal "$(receiver_status)" 2
	assert_equal "$(trace_count accmdev_open_device)" 0
}

@test "pipe mode migrates a device: send SRC - | receive DST -" {
	src=$(create_mdev accmdev0 accmdev-zip-r1-2qp)
	dst=$(create_mdev accmdev1 accmdev-zip-r1-2qp)
	make_inputs "$BATS_TEST_TMPDIR"
	# The source has done work: a migrated destination runs on with it.
	run -0 "$ACCRUN" --uuid "$src" --alg crc32c "$BATS_TEST_TMPDIR/r65536"
	out=$BATS_TEST_TMPDIR/pipe
	set -o pipefail
	"$ACCCTL" send "$src" - --timeout 600 --json 2>"$out.send" |
		"$ACCCTL" receive "$dst" - --timeout 600 --json >"$out.recv" 2>&1
	rc=$?
	set +o pipefail
	cat "$out.send" "$out.recv" | sed 's/^/# /' >&3
	assert_equal "$rc" 0
	run jq -r '.result, .destination' "$out.send"
	assert_output "$(printf 'sent\nstandard output')"
	run jq -r '.result, .source, .destination' "$out.recv"
	assert_output "$(printf 'migrated\nstandard input\n%s' "$dst")"
	assert_equal "$(jq .bytes "$out.send")" "$(jq .bytes "$out.recv")"
	assert [ "$(jq .bytes "$out.recv")" -gt 0 ]
}

@test "pipe mode refuses an incompatible source with nothing written to the destination" {
	src=$(create_mdev accmdev2 accmdev-zip-r2-1qp)
	dst=$(create_mdev accmdev0 accmdev-zip-r1-1qp)
	trace_on
	out=$BATS_TEST_TMPDIR/pipe
	"$ACCCTL" send "$src" - --timeout 600 2>"$out.send" |
		{
			"$ACCCTL" receive "$dst" - --timeout 600 >"$out.recv" 2>&1
			echo $? >"$out.rc"
		} || true
	assert_equal "$(cat "$out.rc")" 1
	run cat "$out.recv"
	assert_line "result       refused: $dst does not accept the source: rev (ENOEXEC); no device state was received"
	# The sender may have opened its own device; the destination was not.
	assert_equal "$(trace_count accmdev_resume_write)" 0
}
