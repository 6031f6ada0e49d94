#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# The control-plane benchmark, run in the guest by bench/control-plane.sh.
# Not a test suite: it prints figures ("# ..." lines in the TAP stream)
# and fails only when it cannot measure. Timing loops are in cpbench.
bats_require_minimum_version 1.5.0

setup() {
	load ../tests/bats/helpers/common
	BENCH=$ACCMDEV_SRC/build/bench
	CPBENCH=$BENCH/cpbench
	CYCLES=${BENCH_CYCLES:-200}
	OPS=${BENCH_OPS:-2000}
	MANY=${BENCH_MANY:-1024}
}

# say LINE: one figure into the TAP stream.
say() {
	echo "# $*" >&3
}

# field NAME LINE: the value of NAME= in a cpbench line.
field() {
	sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"
}

# fmt LABEL LINE: a cpbench line as median and spread.
fmt() {
	printf '%-38s median %8s us  p25-p75 %s-%s  p10-p90 %s-%s  min %s  max %s (n=%s)' \
		"$1" "$(field median "$2")" "$(field p25 "$2")" "$(field p75 "$2")" \
		"$(field p10 "$2")" "$(field p90 "$2")" "$(field min "$2")" \
		"$(field max "$2")" "$(field n "$2")"
}

# measure ARGS...: cpbench ARGS after the guest's udev has handled every
# event so far, and after an untimed warm-up of the same loop (QEMU
# translates code the first time it runs).
measure() {
	udevadm settle -t 120 || true
	[ "$1" != ops ] || "$CPBENCH" "$@" >/dev/null
	"$CPBENCH" "$@"
}

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'
}

@test "environment" {
	say "kernel $(uname -r), $(nproc) vCPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)"
	say "accmdev parents: $(cat /sys/module/accmdev/parameters/parents)"
}

@test "create+remove cycle: accmdev and the mtty sample, interleaved" {
	local acc mtty n line
	cleanup_devices
	lsmod | grep -q '^mtty ' || insmod "$BENCH/mtty/mtty.ko"
	acc=$(type_dir accmdev0 accmdev-zip-r1-1qp)
	mtty=$MDEV_BUS/mtty/mdev_supported_types/mtty-1
	assert [ -d "$mtty" ]
	"$CPBENCH" cycle 20 "$acc" "$mtty" >/dev/null # warm up
	run -0 measure cycle "$CYCLES" "$acc" "$mtty"
	rmmod mtty
	for line in cycle create remove; do
		say "$(fmt "accmdev $line" "$(grep "^${line}1 " <<<"$output")")"
		say "$(fmt "mtty    $line" "$(grep "^${line}2 " <<<"$output")")"
	done
	for n in median p10 min; do
		say "cycle $n ratio accmdev/mtty: $(ratio \
			"$(field $n "$(grep '^cycle1 ' <<<"$output")")" \
			"$(field $n "$(grep '^cycle2 ' <<<"$output")")")"
	done
}

@test "migration_version writes against a read of available_instances, interleaved" {
	local u v t8 t4 i base line
	cleanup_devices
	u=$(create_mdev accmdev1 accmdev-zip-r1-4qp)
	v=$(<"$(type_dir accmdev0 accmdev-zip-r1-4qp)/migration_version")
	t4=$(type_dir accmdev1 accmdev-zip-r1-4qp)
	t8=$(type_dir accmdev1 accmdev-zip-r1-8qp)
	run -0 measure ops "$OPS" \
		r "$t4/available_instances" \
		r "$t4/migration_version" \
		r "$MDEV_DEVICES/$u/migration_version" \
		w "$t4/migration_version" "$v" \
		w "$MDEV_DEVICES/$u/migration_version" "$v" \
		w "$t8/migration_version" "$v" \
		w "$MDEV_DEVICES/$u/migration_version" hello
	assert_line --partial "op4 n=$OPS"
	base=$(grep '^op1 ' <<<"$output")
	i=1
	for line in "read available_instances" "read type migration_version" \
		"read device migration_version" "write type (accepted)" \
		"write device (accepted)" "write type (refused, ERANGE)" \
		"write device (refused, EINVAL)"; do
		say "$(fmt "$line" "$(grep "^op$i " <<<"$output")") x$(ratio \
			"$(field median "$(grep "^op$i " <<<"$output")")" \
			"$(field median "$base")")"
		i=$((i + 1))
	done
	assert_line --regexp '^op4 .* result=OK$'
	assert_line --regexp '^op5 .* result=OK$'
	assert_line --regexp '^op6 .* result=ERANGE$'
	assert_line --regexp '^op7 .* result=EINVAL$'
}

@test "many devices on one parent, and available_instances at 1 and at many" {
	local t ai one rest all rm
	cleanup_devices
	rmmod accmdev
	insmod "$ACCMDEV_MODULE" "parents=zip:1:$MANY"
	t=$(type_dir accmdev0 accmdev-zip-r1-1qp)
	ai=$t/available_instances

	run -0 measure ops "$OPS" r "$ai"
	say "$(fmt "available_instances, 0 devices" "$output")"
	run -0 measure create "$t" 1 "$BATS_TEST_TMPDIR/one"
	one=$output
	run -0 measure ops "$OPS" r "$ai"
	say "$(fmt "available_instances, 1 device" "$output")"
	run -0 measure create "$t" $((MANY - 1)) "$BATS_TEST_TMPDIR/rest"
	rest=$output
	assert_equal "$(<"$ai")" 0
	assert_equal "$(ls "$MDEV_DEVICES" | wc -l)" "$MANY"
	run -0 measure ops "$OPS" r "$ai"
	say "$(fmt "available_instances, $MANY devices" "$output")"

	cat "$BATS_TEST_TMPDIR/one" "$BATS_TEST_TMPDIR/rest" >"$BATS_TEST_TMPDIR/all"
	run -0 measure remove "$BATS_TEST_TMPDIR/all"
	rm=$output
	assert_equal "$(<"$ai")" "$MANY"
	all=$(awk -v a="$(field total "$one")" \
		-v b="$(field total "$(grep '^create-all ' <<<"$rest")")" \
		'BEGIN { printf "%.0f", a + b }')
	say "create $MANY devices: ${all} ms in all"
	say "$(fmt "  create, per device" "$(grep '^create-all ' <<<"$rest")")"
	say "$(fmt "  create, first tenth" "$(grep '^create-all-first ' <<<"$rest")")"
	say "$(fmt "  create, last tenth" "$(grep '^create-all-last ' <<<"$rest")")"
	say "remove $MANY devices: $(field total "$(grep '^remove-all ' <<<"$rm")") ms in all"
	say "$(fmt "  remove, per device" "$(grep '^remove-all ' <<<"$rm")")"
	say "$(fmt "  remove, first tenth" "$(grep '^remove-all-first ' <<<"$rm")")"
	say "$(fmt "  remove, last tenth" "$(grep '^remove-all-last ' <<<"$rm")")"

	rmmod accmdev
	insmod "$ACCMDEV_MODULE"
}
