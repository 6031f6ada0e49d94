#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# The downtime benchmark, run in the guest by bench/downtime.sh. Not a
# test suite: it prints figures ("# ..." lines in the TAP stream) and
# fails only when it cannot measure.
bats_require_minimum_version 1.5.0

setup() {
	load ../tests/bats/helpers/common
	ACCBOUND=$ACCMDEV_SRC/build/bench-down/accbound
	ROUNDS=${BENCH_ROUNDS:-5}
}

teardown() {
	cleanup_devices
}

say() {
	echo "# $*" >&3
}

# stats NAME FILE: median, min and max of the numbers in FILE.
stats() {
	sort -n "$2" | awk -v name="$1" '
		{ v[NR] = $1 }
		END {
			m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "%-8s %d rounds: median %8.1f ms  min %8.1f  max %8.1f\n",
				name, NR, m, v[1], v[NR]
		}'
}

@test "stop-copy downtime, idle vs every QP full of level-9 deflates" {
	local kind i src dst line
	say "stop-copy downtime (STOP_COPY entered to destination RUNNING), 16-QP zip device, no pre-copy"
	for i in $(seq 1 "$ROUNDS"); do
		for kind in idle loaded; do
			cleanup_devices
			src=$(create_mdev accmdev0 accmdev-zip-r1-16qp)
			dst=$(create_mdev accmdev1 accmdev-zip-r1-16qp)
			line=$("$ACCBOUND" downtime "$src" "$dst" "$kind")
			say "round $i: $line"
			sed -n 's/^downtime [a-z]*: \([0-9.]*\) ms.*/\1/p' \
				<<<"$line" >>"$BATS_TEST_TMPDIR/$kind"
		done
	done
	say "$(stats idle "$BATS_TEST_TMPDIR/idle")"
	say "$(stats loaded "$BATS_TEST_TMPDIR/loaded")"
}
