#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# QEMU as the VFIO client: two QEMU 10 processes in the guest, each with
# -device vfio-pci,sysfsdev=<mdev>, migrate the device over loopback
# (tests/bin/qemu-mig.py drives QMP, and stands in for a guest through
# the qtest protocol). See Documentation/qemu.rst.
bats_require_minimum_version 1.5.0

QEMU_MIG_MAJOR=10

# Why this guest cannot run the suite, or nothing.
why_not() {
	local v
	command -v qemu-system-x86_64 >/dev/null ||
		{ echo "no qemu-system-x86_64 (make deps installs QEMU $QEMU_MIG_MAJOR)"; return; }
	v=$(qemu-system-x86_64 --version | sed -n 's/^QEMU emulator version \([0-9]*\)\..*/\1/p')
	[ "${v:-0}" -ge "$QEMU_MIG_MAJOR" ] ||
		{ echo "QEMU ${v:-?} is older than $QEMU_MIG_MAJOR (make deps installs it from bookworm-backports)"; return; }
	command -v python3 >/dev/null || { echo "no python3"; return; }
	[ -c /dev/vfio/vfio ] || { echo "no /dev/vfio/vfio in this kernel"; return; }
	[ -d /sys/module/vfio_iommu_type1 ] ||
		{ echo "no vfio_iommu_type1 (QEMU needs the type1 container)"; return; }
	[ -d "$ACC_CLASS/accmdev0" ] || { echo "accmdev is not loaded"; return; }
	printf '{"execute":"qmp_capabilities"}\n{"execute":"quit"}\n' |
		timeout 120 qemu-system-x86_64 -M none -nodefaults -display none \
			-qmp stdio >/dev/null 2>&1 ||
		echo "QEMU does not start on this kernel"
}

setup_file() {
	load helpers/common
	cleanup_devices
	QEMU_WHY_NOT=$(why_not)
	export QEMU_WHY_NOT
}

teardown_file() {
	load helpers/common
	cleanup_devices
}

setup() {
	load helpers/common
	[ -z "$QEMU_WHY_NOT" ] || skip "$QEMU_WHY_NOT"
	MIG=(python3 "$ACCMDEV_SRC/tests/bin/qemu-mig.py" --timeout 300)
}

teardown() {
	cleanup_devices
}

# A pair of compatible 4-QP devices on the two zip:1 parents.
compatible_pair() {
	SRC=$(create_mdev accmdev0 accmdev-zip-r1-4qp)
	DST=$(create_mdev accmdev1 accmdev-zip-r1-4qp)
}

# check_failed_cleanly STATUS: the migration failed, QEMU on the source
# kept its run state and its device, and the device kept its registers.
check_failed_cleanly() {
	assert_line --regexp "^mig pair=0 round=0 result=failed .* src_before=$1 src_status=$1 device=answers regs=24 dst=exited"
}

@test "a compatible pair migrates there and back; the destination reads the source's registers" {
	compatible_pair
	run "${MIG[@]}" --rounds 2 "$SRC:$DST"
	assert_success
	assert_line --regexp '^qemu version=1[0-9]\.'
	# Ring registers of 4 QPs (6 each) read back on each destination;
	# the vfio section of query-migrate counts the device's stream.
	assert_line --regexp '^mig pair=0 round=0 result=completed .* vfio_bytes=[1-9][0-9]* .* dst_after=running regs=24 src_after=postmigrate src_rss_mb=[0-9]+$'
	assert_line --regexp '^mig pair=0 round=1 result=completed .* vfio_bytes=[1-9][0-9]* .* dst_after=running regs=24 src_after=postmigrate src_rss_mb=[0-9]+$'
}

@test "the source's vCPU may be running during the migration" {
	compatible_pair
	run "${MIG[@]}" --run "$SRC:$DST"
	assert_success
	assert_line --regexp '^mig pair=0 round=0 result=completed .* dst_after=running regs=24 '
}

@test "work queued at the switch-over completes once, on the destination, with the right output" {
	compatible_pair
	# 2 busy QPs with 8 deflate requests of 64 KiB each (slow enough to
	# be running when the migration starts), 2 QPs with ring registers
	# only; the vCPU runs, as it must for a guest to queue work.
	# Completions and output the source wrote before the stop reach the
	# destination through type1's dirty bitmap; the rest run there.
	run "${MIG[@]}" --inflight 8 --deflate --busy-qps 2 --req-bytes 65536 "$SRC:$DST"
	assert_success
	assert_line --regexp '^mig pair=0 round=0 result=completed .* regs=24 done=16/16 src_after=postmigrate src_rss_mb=[0-9]+ src_done=[0-9]+$'
}

@test "an incompatible destination (fewer QPs) fails the migration; the paused source goes on as before" {
	SRC=$(create_mdev accmdev0 accmdev-zip-r1-4qp)
	DST=$(create_mdev accmdev1 accmdev-zip-r1-2qp)
	run "${MIG[@]}" --expect failed "$SRC:$DST"
	assert_success
	check_failed_cleanly prelaunch
	# The destination refused the stream header with ERANGE, as a
	# write of the source's migration_version there would.
	assert_line --partial 'dst_error="qemu-system-x86_64: load of migration failed: Numerical result out of range"'
}

@test "another kind of engine refuses, and the running source keeps running" {
	SRC=$(create_mdev accmdev0 accmdev-zip-r1-4qp)
	DST=$(create_mdev accmdev3 accmdev-sec-r1-4qp)
	run "${MIG[@]}" --expect failed --run "$SRC:$DST"
	assert_success
	check_failed_cleanly running
	assert_line --partial 'load of migration failed: Invalid cross-device link"'
}

@test "a destination of the revision-1 type refuses a revision-2 source on the same parent" {
	SRC=$(create_mdev accmdev2 accmdev-zip-r2-4qp)
	DST=$(create_mdev accmdev2 accmdev-zip-r1-4qp)
	run "${MIG[@]}" --expect failed "$SRC:$DST"
	assert_success
	check_failed_cleanly prelaunch
	# ENOEXEC: the source's model is newer than this device's.
	assert_line --partial 'load of migration failed: Exec format error"'
}

@test "without enable-migration=on QEMU 10 blocks the migration: accmdev has no DMA logging" {
	compatible_pair
	run "${MIG[@]}" --mode default --expect blocked "$SRC:$DST"
	assert_success
	assert_line --regexp "^mig pair=0 round=0 result=blocked error=.*doesn't support device and IOMMU dirty tracking.* src_status=prelaunch device=answers regs=24"
}
