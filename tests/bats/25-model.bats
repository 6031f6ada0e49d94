#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# The device model: model_revision and model_algorithms, what they accept,
# how migration_version follows them, and EBUSY while the device is open
# (opened for real, through the VFIO group API, by tests/bin/vfio-hold).
bats_require_minimum_version 1.5.0

setup() {
	load helpers/common
	cleanup_devices
	VFIO_HOLD=$ACCMDEV_SRC/tests/bin/build/vfio-hold
	HOLD_PID=
	REV1='crc32c,deflate,inflate'
	REV2='crc32c,adler32,deflate,inflate'
}

teardown() {
	# A device left open would make cleanup_devices wait for ever.
	if [ -n "$HOLD_PID" ]; then
		exec {HOLD_FD}>&-
		kill "$HOLD_PID" 2>/dev/null
		wait "$HOLD_PID" 2>/dev/null
	fi
	cleanup_devices
}

# hold_open UUID: open the device with vfio-hold in the background and
# wait for its "open". Its stdin is a FIFO held open here; hold_close
# closes it, which ends vfio-hold. (3>&-: bats waits for fd 3 to close.)
hold_open() {
	local fifo=$BATS_TEST_TMPDIR/hold.in i line
	HOLD_OUT=$BATS_TEST_TMPDIR/hold.out
	rm -f "$fifo"
	mkfifo "$fifo"
	"$VFIO_HOLD" "$1" <"$fifo" >"$HOLD_OUT" 2>&1 3>&- &
	HOLD_PID=$!
	exec {HOLD_FD}>"$fifo"
	for ((i = 0; i < 300; i++)); do
		line=
		IFS= read -r line <"$HOLD_OUT" || :
		[ "$line" = open ] && return 0
		kill -0 "$HOLD_PID" 2>/dev/null || break
		sleep 0.2
	done
	echo "vfio-hold did not open $1: $(cat "$HOLD_OUT")" >&2
	return 1
}

# hold_close: end vfio-hold; fails unless it exits 0.
hold_close() {
	local rc=0
	exec {HOLD_FD}>&-
	wait "$HOLD_PID" || rc=$?
	HOLD_PID=
	[ "$rc" = 0 ] || echo "vfio-hold exited $rc: $(cat "$HOLD_OUT")" >&2
	return "$rc"
}

# model UUID: "REVISION ALGORITHMS" (read builtins: in the debug lane's
# guest each command substitution is a 0.1 s fork).
model() {
	local r a
	IFS= read -r r <"$MDEV_DEVICES/$1/model_revision" || :
	IFS= read -r a <"$MDEV_DEVICES/$1/model_algorithms" || :
	echo "$r $a"
}

@test "a new device presents its parent's native model" {
	local u
	u=$(create_mdev accmdev0 accmdev-zip-4qp)
	assert_equal "$(model "$u")" "1 $REV1"
	u=$(create_mdev accmdev2 accmdev-zip-4qp)
	assert_equal "$(model "$u")" "2 $REV2"
	u=$(create_mdev accmdev3 accmdev-sec-1qp)
	assert_equal "$(model "$u")" "1 sha256,sha224"
	# Even on the parent that cannot migrate.
	u=$(create_mdev accmdev4 accmdev-zip-1qp)
	assert_equal "$(model "$u")" "1 $REV1"
}

@test "model_revision takes 1 up to the parent's revision, and nothing else" {
	local n o
	n=$(create_mdev accmdev2 accmdev-zip-4qp)
	o=$(create_mdev accmdev0 accmdev-zip-4qp)
	run "$SWRITE" -e EINVAL -n "$MDEV_DEVICES/$n/model_revision" \
		0 3 256 -1 "" " " abc 1x 1.0 0x1 "1 2" 4294967297 $'1\n'
	assert_output ""
	assert_equal "$(model "$n")" "2 $REV2"
	run "$SWRITE" -n "$MDEV_DEVICES/$o/model_revision" 2
	assert_output EINVAL
	assert_equal "$(model "$o")" "1 $REV1"

	run "$SWRITE" -n "$MDEV_DEVICES/$n/model_revision" 1
	assert_output OK
	assert_equal "$(<"$MDEV_DEVICES/$n/model_revision")" 1
	run "$SWRITE" "$MDEV_DEVICES/$n/model_revision" 2
	assert_output OK
	assert_equal "$(<"$MDEV_DEVICES/$n/model_revision")" 2
	run "$SWRITE" -n "$MDEV_DEVICES/$o/model_revision" 1
	assert_output OK
}

@test "model_algorithms takes a non-empty subset of the model's algorithms" {
	local n s
	n=$(create_mdev accmdev2 accmdev-zip-4qp)
	s=$(create_mdev accmdev3 accmdev-sec-4qp)
	run "$SWRITE" -e EINVAL -n "$MDEV_DEVICES/$n/model_algorithms" \
		"" " " lz4 sha256 deflate,deflate deflate, ,deflate deflate,,inflate \
		DEFLATE " deflate" "deflate inflate" "deflate;inflate" crc32c,lz4 \
		"$REV2,sha224" $'deflate\n'
	assert_output ""
	assert_equal "$(model "$n")" "2 $REV2"

	run "$SWRITE" -n "$MDEV_DEVICES/$n/model_algorithms" adler32
	assert_output OK
	assert_equal "$(model "$n")" "2 adler32"
	# Any order in, the canonical order out.
	run "$SWRITE" "$MDEV_DEVICES/$n/model_algorithms" inflate,crc32c
	assert_output OK
	assert_equal "$(model "$n")" "2 crc32c,inflate"

	# A rev1 model has no adler32, whatever the hardware.
	echo 1 >"$MDEV_DEVICES/$n/model_revision"
	run "$SWRITE" -n "$MDEV_DEVICES/$n/model_algorithms" adler32,deflate
	assert_output EINVAL
	assert_equal "$(model "$n")" "1 $REV1"
	# Another kind's algorithms are not a subset either.
	run "$SWRITE" -n "$MDEV_DEVICES/$s/model_algorithms" deflate
	assert_output EINVAL
	run "$SWRITE" -n "$MDEV_DEVICES/$s/model_algorithms" sha224
	assert_output OK
	assert_equal "$(model "$s")" "1 sha224"
}

@test "writing model_revision resets model_algorithms to that model's native set" {
	local n
	n=$(create_mdev accmdev2 accmdev-zip-4qp)
	echo adler32 >"$MDEV_DEVICES/$n/model_algorithms"
	echo 1 >"$MDEV_DEVICES/$n/model_revision"
	assert_equal "$(model "$n")" "1 $REV1"
	echo deflate >"$MDEV_DEVICES/$n/model_algorithms"
	echo 2 >"$MDEV_DEVICES/$n/model_revision"
	assert_equal "$(model "$n")" "2 $REV2"
	# Rewriting the same revision resets too (documented).
	echo inflate >"$MDEV_DEVICES/$n/model_algorithms"
	echo 2 >"$MDEV_DEVICES/$n/model_revision"
	assert_equal "$(model "$n")" "2 $REV2"
	# A refused write resets nothing.
	echo inflate >"$MDEV_DEVICES/$n/model_algorithms"
	run "$SWRITE" -n "$MDEV_DEVICES/$n/model_revision" 3
	assert_output EINVAL
	assert_equal "$(model "$n")" "2 inflate"
}

@test "migration_version and the device-level check follow the model, type nodes do not" {
	local n dv types src
	n=$(create_mdev accmdev2 accmdev-zip-4qp)
	dv=$MDEV_DEVICES/$n/migration_version
	types=$(cat "$MDEV_BUS"/accmdev2/mdev_supported_types/*/migration_version)
	assert_equal "$(<"$dv")" "accmdev/1.0;kind=zip;rev=2;qps=4;algs=$REV2"

	echo adler32,inflate >"$MDEV_DEVICES/$n/model_algorithms"
	assert_equal "$(<"$dv")" "accmdev/1.0;kind=zip;rev=2;qps=4;algs=adler32,inflate"
	assert_equal "$(<"$dv")" "$(<"$dv")"

	echo 1 >"$MDEV_DEVICES/$n/model_revision"
	assert_equal "$(<"$dv")" "$(<"$MDEV_BUS/accmdev0/mdev_supported_types/accmdev-zip-4qp/migration_version")"

	echo 2 >"$MDEV_DEVICES/$n/model_revision"
	assert_equal "$(<"$dv")" "$(<"$MDEV_BUS/accmdev2/mdev_supported_types/accmdev-zip-4qp/migration_version")"
	assert_equal "$(cat "$MDEV_BUS"/accmdev2/mdev_supported_types/*/migration_version)" \
		"$types"

	# So does the device-level check.
	src="accmdev/1.0;kind=zip;rev=2;qps=4;algs=adler32"
	run "$SWRITE" -n "$dv" "$src"
	assert_output OK
	echo crc32c >"$MDEV_DEVICES/$n/model_algorithms"
	run "$SWRITE" -n "$dv" "$src"
	assert_output EOPNOTSUPP
	echo 1 >"$MDEV_DEVICES/$n/model_revision"
	run "$SWRITE" -n "$dv" "$src"
	assert_output ENOEXEC
}

@test "model writes fail with EBUSY while the device is open, and work after close" {
	local u other before
	u=$(create_mdev accmdev2 accmdev-zip-4qp)
	other=$(create_mdev accmdev2 accmdev-zip-4qp)
	hold_open "$u"
	before=$(<"$MDEV_DEVICES/$u/migration_version")

	run "$SWRITE" -e EBUSY -n "$MDEV_DEVICES/$u/model_revision" 1 2
	assert_output ""
	run "$SWRITE" -e EBUSY -n "$MDEV_DEVICES/$u/model_algorithms" \
		crc32c "$REV2"
	assert_output ""
	# Bad values are still EINVAL: validation comes first.
	run "$SWRITE" -n "$MDEV_DEVICES/$u/model_revision" 9
	assert_output EINVAL
	assert_equal "$(model "$u")" "2 $REV2"
	assert_equal "$(<"$MDEV_DEVICES/$u/migration_version")" "$before"

	# Reads and checks are not model writes: they still work.
	run "$SWRITE" -n "$MDEV_DEVICES/$u/migration_version" "$before"
	assert_output OK
	run "$SWRITE" -n "$MDEV_DEVICES/$u/migration_version" "${before/rev=2/rev=1}"
	assert_output ENOEXEC
	# Another device of the same parent is not locked.
	run "$SWRITE" -n "$MDEV_DEVICES/$other/model_revision" 1
	assert_output OK

	hold_close
	run "$SWRITE" -n "$MDEV_DEVICES/$u/model_revision" 1
	assert_output OK
	run "$SWRITE" -n "$MDEV_DEVICES/$u/model_algorithms" deflate
	assert_output OK
	assert_equal "$(model "$u")" "1 deflate"

	# Open and closed again: the lowered model is what it presents.
	hold_open "$u"
	run "$SWRITE" -n "$MDEV_DEVICES/$u/model_algorithms" inflate
	assert_output EBUSY
	hold_close
	assert_equal "$(model "$u")" "1 deflate"
}

@test "vfio-hold fails with one line and status 1 for a device that does not exist" {
	run "$VFIO_HOLD" "$(new_uuid)" </dev/null
	assert_equal "$status" 1
	assert_equal "${#lines[@]}" 1
	assert_output --regexp '^vfio-hold: iommu_group: '
	run "$VFIO_HOLD"
	assert_equal "$status" 2
}
