#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# Fault injection (the debug lane): each allocation accmdev performs in an
# operation fails in turn (failslab and fail_page_alloc filtered to
# accmdev's code, /proc/thread-self/fail-nth), for the module load with
# its parent setup, device create, open, QP setup, migration save and
# resume. Every case must end in a clean error or be absorbed, leave
# nothing behind, log no splat, leak nothing, and leave the module usable;
# an absorbed failure must leave something that does real work (a device
# that computes, a stream that loads), and every class must reach at
# least one injection point.
# The loops are in tests/bin/faultinj; each test records its counts as a
# TAP comment. Skipped on kernels without fault injection (Debian's).
bats_require_minimum_version 1.5.0

FAULTINJ=$ACCMDEV_SRC/tests/bin/build/faultinj
ACCDEV=$ACCMDEV_SRC/tests/bin/build/accdev
# Linux 6.12's vfio_create_group() puts a group whose iommu_group is still
# set when dev_set_name() or cdev_device_add() fails, and the release
# function WARNs about it: a core bug on the device-create path, outside
# accmdev. Allocations under it are not injected, so that the WARN does
# not hide accmdev's own behaviour.
FAULTINJ_OPTS=(-x vfio_create_group)
# Reports of a kernel bug: tests/lib/logscan.sh, exported by tests/vm/guest.sh.
SPLAT=$ACCMDEV_SPLATS

# udevd is stopped while the suite runs and started again after it. Each
# injection point loads the module or creates a device, and udevd's
# rules for the dozens of uevents that makes cost a large share of the
# load sweep's time (Documentation/testing.rst, "Fault injection"), for
# work no test here looks at. The kernel still builds every uevent, and
# those allocations are still injected; with no listener it allocates no
# message to send (lib/kobject_uevent.c), so those points are not.
setup_file() {
	if udevadm control --ping 2>/dev/null; then
		udevadm control --exit || return
		export FAULTINJ_UDEVD=stopped
	fi
}

teardown_file() {
	[ "${FAULTINJ_UDEVD:-}" = stopped ] || return 0
	load helpers/common
	nofds /lib/systemd/systemd-udevd --daemon </dev/null >/dev/null 2>&1 ||
		return
	# What was added while it was down, and is still there, gets its udev
	# properties: the accelerators' bus, functions and class devices
	# (all under accmdev's root device), and the module. Not every
	# device, whose events are slow to process on the debug kernel.
	udevadm trigger --action=add --parent-match=/sys/devices/accmdev
	udevadm trigger --action=add --subsystem-match=module \
		--sysname-match=accmdev
	udevadm settle -t 60
}

setup() {
	load helpers/common
	[ -e /proc/thread-self/fail-nth ] &&
		[ -e /sys/kernel/debug/failslab/require-start ] ||
		skip "no fault injection in this kernel (fail-nth, failslab with" \
			"a stack-trace filter): only the debug lane has it"
	cleanup_devices
	dmesg_mark
}

teardown() {
	lsmod | grep -q '^accmdev ' || insmod "$ACCMDEV_MODULE"
	cleanup_devices
}

# inject OP ARGS...: run the loop, keep its summary in the TAP stream,
# and check that it converged with every case clean and no splat, that
# it reached at least one injection point, and that every absorbed
# failure was followed by real work on what it left (faultinj counts
# those as "worked after absorbing"). The parents used here can
# migrate, so faultinj's "cannot migrate" skip (77) is a failure.
inject() {
	local l re="^$1: ([0-9]+) injection points: ([0-9]+) failed cleanly, ([0-9]+) absorbed, 0 unclean \\([^)]*\\), ([0-9]+) worked after absorbing"
	run "$FAULTINJ" "${FAULTINJ_OPTS[@]}" "$@"
	printf '# %s\n' "${lines[@]}" >&3
	[ "$status" -ne 77 ] || fail "faultinj could not run $1: ${lines[-1]}"
	assert_success
	refute_line --partial 'not ok'
	for l in "${lines[@]}"; do
		[[ $l =~ $re ]] && break
	done
	[[ $l =~ $re ]] || fail "no clean summary line for $1"
	assert [ "${BASH_REMATCH[1]}" -ge 1 ]
	assert_equal "${BASH_REMATCH[4]}" "${BASH_REMATCH[3]}"
	run dmesg_since_mark
	refute_output --regexp "$SPLAT"
}

# Two parents, one migratable and one not, so that a failure in the
# second one undoes the first and one in the first meets no other; every
# parent is set up by the same code, and each kind's setup fails at each
# of its allocations here. The first has two model revisions (two
# types, one per revision, of one QP): each further type would only
# repeat the same allocations.
@test "module load: every allocation fails in turn, cleanly" {
	rmmod accmdev
	# The PCI core's enumeration of the accelerators' root bus, outside
	# accmdev, has two broken error paths in Linux 6.12
	# (drivers/pci/probe.c): pci_register_host_bridge() puts the host
	# bridge when device_register() of the bus fails, and then
	# pci_create_root_bus() puts it again (KASAN: use-after-free in
	# kobject_put); pci_device_add() WARNs when device_add() fails. Both
	# lie between pci_device_add() and pci_create_root_bus() in that
	# file, so that span is not injected; the allocations of a
	# function's probe (pci_bus_add_devices(), in bus.c) still are, and
	# a function the scan does not find fails the load with -ENODEV.
	FAULTINJ_OPTS=(-x pci_device_add..pci_create_root_bus)
	inject load "$ACCMDEV_MODULE" "parents=zip:2:1,sec:1:1:nomig"
	# The helper leaves accmdev loaded with its default parents.
	assert [ -d "$ACC_CLASS/accmdev4" ]
}

@test "device create: every allocation fails in turn, cleanly" {
	inject create accmdev0 accmdev-zip-r1-2qp
}

@test "device open: every allocation fails in turn, cleanly" {
	inject open accmdev2 accmdev-zip-r2-1qp
}

@test "QP setup: every allocation fails in turn, cleanly" {
	inject qp accmdev0 accmdev-zip-r1-1qp
}

@test "migration save: every allocation fails in turn, cleanly" {
	inject save accmdev0 accmdev-zip-r1-1qp
}

@test "migration resume: every allocation fails in turn, cleanly" {
	inject resume accmdev0 accmdev-zip-r1-1qp
}

@test "after the injections the devices still compute, and nothing leaked" {
	u=$(create_mdev accmdev0 accmdev-zip-r1-2qp)
	run "$ACCDEV" irq "$u"
	assert_success
	refute_output --partial 'not ok'
	[ -w /sys/kernel/debug/kmemleak ] || skip "no kmemleak in this kernel"
	# kmemleak reports an object once it is 5 s old.
	sleep 5
	echo scan >/sys/kernel/debug/kmemleak
	run cat /sys/kernel/debug/kmemleak
	refute_output --partial 'unreferenced object'
}
