#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# The migration benchmark, run in the guest by bench/migration.sh. Not a
# test suite: it prints figures ("# ..." lines in the TAP stream) and
# fails only when it cannot measure. The loops are in
# tests/bin/qemu-mig.py (QEMU 10 as the VFIO client, QMP and qtest) and
# in accctl migrate (the device alone, no QEMU).
bats_require_minimum_version 1.5.0

setup() {
	load ../tests/bats/helpers/common
	BENCH=$ACCMDEV_SRC/build/bench-mig
	ROUNDS=${BENCH_ROUNDS:-10}
	REPEAT=${BENCH_REPEAT:-5}
	MIG=(python3 "$ACCMDEV_SRC/tests/bin/qemu-mig.py" --timeout 900 --summary)
	ACCCTL_REL=$ACCMDEV_SRC/tools/build/accctl
	cleanup_devices
}

teardown() {
	cleanup_devices
}

# say LINE: one figure into the TAP stream.
say() {
	echo "# $*" >&3
}

# stat KEY LINE: "median (p10-p90)" of KEY in a qemu-mig summary line.
stat() {
	sed -n "s/.* $1=\([^[]*\)\[p10=\([^,]*\),p90=\([^,]*\),.*/\1 (\2-\3)/p" <<<"$2"
}

# med KEY LINE: the median alone.
med() {
	sed -n "s/.* $1=\([^[]*\)\[.*/\1/p" <<<"$2"
}

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'
}

# summary TYPE: the summary line of TYPE in $output.
summary() {
	grep "^summary .* type=$1 " <<<"$output"
}

@test "environment" {
	say "kernel $(uname -r), $(nproc) vCPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)"
	say "$(qemu-system-x86_64 --version | head -n 1); inner QEMUs: -accel tcg -m 32M, no guest OS (qtest), loopback TCP"
	say "guest memory: $(awk '/MemTotal|MemAvailable/ { printf "%s %d MiB  ", $1, $2 / 1024 }' /proc/meminfo)"
}

@test "QEMU: downtime, total time and device bytes against QP count, idle device" {
	local n pairs=() line
	for n in 1 2 4 8 16; do
		pairs+=("$(create_mdev accmdev0 accmdev-zip-${n}qp):$(create_mdev accmdev1 accmdev-zip-${n}qp)")
	done
	# One QEMU per pair at a time, migrating there and back; the pairs
	# take turns so that their figures share the same host load.
	run "${MIG[@]}" --rounds "$ROUNDS" "${pairs[@]}"
	printf '%s\n' "$output" >"$BATS_RUN_TMPDIR/qps.out"
	assert_success
	say "$(printf '%-6s %-24s %-24s %-10s %s' QPs 'downtime ms (p10-p90)' 'total ms (p10-p90)' 'vfio B' 'RAM B')"
	for n in 1 2 4 8 16; do
		line=$(summary "accmdev-zip-${n}qp")
		say "$(printf '%-6s %-24s %-24s %-10s %s' "$n" "$(stat downtime_ms "$line")" \
			"$(stat total_ms "$line")" "$(med vfio_bytes "$line")" "$(med ram_bytes "$line")")"
	done
	say "(n=$ROUNDS migrations per type; RAM is the inner guest's 32 MiB, mostly zero pages)"
}

# inflight LABEL ARGS...: migrations of 1, 4 and 16-QP devices with 16
# requests queued on every QP just before the migration starts.
inflight() {
	local label=$1 n pairs=() line
	shift
	for n in 1 4 16; do
		pairs+=("$(create_mdev accmdev0 accmdev-zip-${n}qp):$(create_mdev accmdev1 accmdev-zip-${n}qp)")
	done
	run "${MIG[@]}" --repeat "$REPEAT" --inflight 16 "$@" "${pairs[@]}"
	printf '%s\n' "$output" >"$BATS_RUN_TMPDIR/inflight-$label.out"
	assert_success
	say "$label"
	say "$(printf '%-6s %-24s %-24s %-10s %s' QPs 'downtime ms (p10-p90)' 'total ms (p10-p90)' 'vfio B' 'done at the stop, of queued (p10-p90)')"
	for n in 1 4 16; do
		line=$(summary "accmdev-zip-${n}qp")
		say "$(printf '%-6s %-24s %-24s %-10s %s' "$n" "$(stat downtime_ms "$line")" \
			"$(stat total_ms "$line")" "$(med vfio_bytes "$line")" \
			"$(stat src_done "$line") of $((16 * n))")"
	done
	say "(n=$REPEAT migrations per type, each from a fresh source; every request completed once, checked on the destination)"
}

@test "QEMU: 16 CRC-32C requests of 1 MiB queued per QP" {
	inflight "CRC-32C, 16 x 1 MiB per QP" --req-bytes 1048576
}

@test "QEMU: 16 deflate requests of 256 KiB queued per QP" {
	inflight "deflate level 9, 16 x 256 KiB per QP" --deflate --req-bytes 262144
}

@test "QEMU: the mtty sample against accmdev-zip-r1-1qp, interleaved" {
	local e f acc mtty t
	lsmod | grep -q '^mtty ' || insmod "$BENCH/mtty/mtty.ko"
	t=$MDEV_BUS/mtty/mdev_supported_types/mtty-1
	assert [ -d "$t" ]
	e=$(new_uuid)
	f=$(new_uuid)
	write_to "$t/create" "$e"
	write_to "$t/create" "$f"
	# mtty has no-op DMA-logging ops, so QEMU would ask it for a dirty
	# report, which Debian's 6.12 (no IOMMUFD_DRIVER) cannot give: use
	# type1's bitmap for both devices, as accmdev does anyway.
	run "${MIG[@]}" --rounds $((ROUNDS * 2)) --vfio-opts x-device-dirty-page-tracking=off \
		"$e:$f" "$(create_mdev accmdev0 accmdev-zip-r1-1qp):$(create_mdev accmdev1 accmdev-zip-r1-1qp)"
	printf '%s\n' "$output" >"$BATS_RUN_TMPDIR/mtty.out"
	assert_success
	cleanup_devices
	rmmod mtty
	mtty=$(summary mtty-1)
	acc=$(summary accmdev-zip-r1-1qp)
	say "$(printf '%-20s %-24s %-24s %-24s %s' '' 'downtime ms (p10-p90)' 'total ms (p10-p90)' 'wall ms (p10-p90)' 'vfio B')"
	say "$(printf '%-20s %-24s %-24s %-24s %s' mtty-1 "$(stat downtime_ms "$mtty")" "$(stat total_ms "$mtty")" "$(stat wall_ms "$mtty")" "$(med vfio_bytes "$mtty")")"
	say "$(printf '%-20s %-24s %-24s %-24s %s' accmdev-zip-r1-1qp "$(stat downtime_ms "$acc")" "$(stat total_ms "$acc")" "$(stat wall_ms "$acc")" "$(med vfio_bytes "$acc")")"
	say "ratio accmdev/mtty, medians: downtime $(ratio "$(med downtime_ms "$acc")" "$(med downtime_ms "$mtty")")," \
		"total $(ratio "$(med total_ms "$acc")" "$(med total_ms "$mtty")")," \
		"wall $(ratio "$(med wall_ms "$acc")" "$(med wall_ms "$mtty")")," \
		"device bytes $(ratio "$(med vfio_bytes "$acc")" "$(med vfio_bytes "$mtty")") (n=$((ROUNDS * 2)) each)"
}

@test "accctl migrate: the device alone, no QEMU, against QP count" {
	local n i src dst js
	[ -x "$ACCCTL_REL" ] || skip "no $ACCCTL_REL (make -C tools)"
	say "$(printf '%-6s %-26s %-26s %-14s %s' QPs 'downtime us (p10-p90)' 'total us (p10-p90)' 'pre-copy B' 'stop-copy B')"
	for n in 1 2 4 8 16; do
		src=$(create_mdev accmdev0 accmdev-zip-${n}qp)
		dst=$(create_mdev accmdev1 accmdev-zip-${n}qp)
		: >"$BATS_TEST_TMPDIR/$n.json"
		for ((i = 0; i < ROUNDS; i++)); do
			"$ACCCTL_REL" migrate --json "$src" "$dst" >>"$BATS_TEST_TMPDIR/$n.json" ||
				fail "accctl migrate $src $dst failed"
			js=$src src=$dst dst=$js
		done
		say "$(python3 - "$n" "$BATS_TEST_TMPDIR/$n.json" <<'EOF'
import json, statistics, sys
text, rows, dec = open(sys.argv[2]).read(), [], json.JSONDecoder()
pos = 0
while text[pos:].strip():
    obj, end = dec.raw_decode(text[pos:].lstrip())
    pos = len(text) - len(text[pos:].lstrip()) + end
    rows.append(obj)
def s(k):
    v = sorted(r[k] for r in rows)
    q = statistics.quantiles(v, n=10, method='inclusive')
    return '%g (%g-%g)' % (statistics.median(v), q[0], q[-1])
print('%-6s %-26s %-26s %-14s %s' % (sys.argv[1], s('downtime_us'), s('total_us'),
      rows[0]['pre_copy_bytes'], rows[0]['stop_copy_bytes']))
EOF
)"
	done
	say "(n=$ROUNDS per type)"
}
