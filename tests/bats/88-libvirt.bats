#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# libvirt 11.3 (Debian's, from bookworm-backports) drives accmdev: its
# node device driver lists the accelerators' PCI functions as mdev
# parents with their types, creates, defines and destroys devices
# through mdevctl and reports the events; its QEMU driver (QEMU 10) runs
# a domain with an accmdev device and saves and restores it, the
# device's state through VFIO migration. The daemon runs from a root the
# host made (tests/pkg/virtroot.sh), with its state in the guest's
# memory (helpers/libvirt.bash). The last test runs the node device
# checks with libvirt 9.0, bookworm's own, on the oldest production
# kernel (bookworm's 6.1), where 11.3's run the domain only.
bats_require_minimum_version 1.5.0

setup_file() {
	load helpers/common
	load helpers/libvirt
	cleanup_devices
	export VIRT_VERSION=11.3
	VIRT_ERR=$(virt_up "${ACCMDEV_VIRT_ROOT_11:-}") || true
	export VIRT_ERR
}

teardown_file() {
	load helpers/common
	load helpers/libvirt
	virt_down
	cleanup_devices
}

setup() {
	load helpers/common
	load helpers/libvirt
}

# A domain still running holds its device, whose removal would wait.
teardown() {
	virt_stop_domains
	cleanup_devices
}

# libvirt 11.3's node device tests run on the newest production kernel
# (make check sets VIRT_NODEDEV_11 there), 9.0's on the oldest (bookworm's
# 6.1), and the domain on every one: the node device driver reads sysfs,
# which is the same on each, while QEMU's migration uses the kernel's
# uAPI, which is not.
nodedev_11_here() {
	[ "${VIRT_NODEDEV_11:-0}" = 1 ] ||
		skip "libvirt 11.3's node device tests run on the newest production kernel, 9.0's here"
}

DOM=accmdev-vm

# domain_xml UUID: a domain of no disk, with the mdev at slot 4 (where
# tests/bin/qemu-mig.py's guest looks), a firmware that halts, and
# QEMU's qtest socket for virt-save.py; the VFIO device's migration is
# switched on as QEMU's property, through libvirt's qemu:override.
domain_xml() {
	cat <<-EOF
		<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
		  <name>$DOM</name>
		  <memory unit='MiB'>32</memory>
		  <vcpu>1</vcpu>
		  <os>
		    <type arch='x86_64' machine='pc'>hvm</type>
		    <loader readonly='yes' type='rom'>/var/lib/accmdev/halt.bin</loader>
		  </os>
		  <on_crash>destroy</on_crash>
		  <devices>
		    <emulator>/usr/bin/qemu-system-x86_64</emulator>
		    <controller type='usb' model='none'/>
		    <memballoon model='none'/>
		    <hostdev mode='subsystem' type='mdev' model='vfio-pci'>
		      <source>
		        <address uuid='$1'/>
		      </source>
		      <alias name='ua-acc0'/>
		      <address type='pci' domain='0x0000' bus='0x00' slot='0x04' function='0x0'/>
		    </hostdev>
		  </devices>
		  <qemu:commandline>
		    <qemu:arg value='-qtest'/>
		    <qemu:arg value='unix:/run/accmdev/qtest.sock'/>
		    <qemu:arg value='-qtest-log'/>
		    <qemu:arg value='none'/>
		  </qemu:commandline>
		  <qemu:override>
		    <qemu:device alias='ua-acc0'>
		      <qemu:frontend>
		        <qemu:property name='enable-migration' type='string' value='on'/>
		      </qemu:frontend>
		    </qemu:device>
		  </qemu:override>
		</domain>
	EOF
}

# The firmware: 64 KiB whose reset vector halts the CPU for good (the
# same as qemu-mig.py's), so that nothing but the test touches the device.
halt_bios() {
	mkdir -p "$VR/var/lib/accmdev"
	head -c 65536 /dev/zero | tr '\0' '\364' >"$VR/var/lib/accmdev/halt.bin"
	printf '\364\353\375' | dd of="$VR/var/lib/accmdev/halt.bin" bs=1 seek=65520 conv=notrunc status=none
}

@test "libvirt: a domain with an accmdev device starts, saves and restores; queued work completes once, after the restore" {
	virt_ready
	addr=$(parent_addr accmdev0)
	uuid=$(new_uuid)
	mdev_xml "$(nodedev_name "$addr")" accmdev-zip-r1-4qp "$uuid" >"$VR/tmp/mdev.xml"
	run -0 vsh nodedev-create /tmp/mdev.xml
	halt_bios
	domain_xml "$uuid" >"$VR/tmp/dom.xml"
	run -0 vsh define /tmp/dom.xml
	# 2 of the 4 QPs with 8 deflate requests of 64 KiB each: still
	# queued when the domain is saved.
	run python3 "$ACCMDEV_SRC/tests/bin/virt-save.py" \
		--virsh "chroot $VR virsh -q -c $VIRSH_URI" --domain "$DOM" \
		--qtest "$VR/run/accmdev/qtest.sock" --file /var/lib/accmdev/vm.save \
		--inflight 8 --busy-qps 2 --req-bytes 65536 --deflate
	echo "# libvirt $VIRT_VERSION: $output" >&3
	assert_success
	assert_output --regexp '^save result=completed start_ms=[0-9.]+ queued=16 save_ms=[0-9.]+ restore_ms=[0-9.]+ regs=24 done=16/16 state=running$'
	# QEMU's command line (libvirt gives -device as JSON) has the
	# device, with the property the override set.
	run -0 grep -a -- '"driver":"vfio-pci"' "$VR/var/log/libvirt/qemu/$DOM.log"
	assert_output --partial "\"sysfsdev\":\"/sys/bus/mdev/devices/$uuid\""
	assert_output --partial '"enable-migration":"on"'
	# The running domain holds the device: the module stays.
	run rmmod accmdev
	assert_failure
	assert [ -d /sys/module/accmdev ]
	run -0 vsh destroy "$DOM"
	run -0 vsh undefine "$DOM"
	# Free again: libvirt removes it.
	run -0 vsh nodedev-destroy "$(mdev_nodedev "$uuid")"
	assert [ ! -e "$MDEV_DEVICES/$uuid" ]
}

@test "libvirt lists every accelerator's PCI function as a node device with mdev types" {
	nodedev_11_here
	virt_ready
	check_parents_listed
}

@test "libvirt's XML of each parent has every type, with sysfs's available instances" {
	nodedev_11_here
	virt_ready
	check_parent_types
}

@test "libvirt creates and destroys a transient device; its events say so" {
	nodedev_11_here
	virt_ready
	check_transient
}

@test "libvirt defines, starts, stops and undefines a persistent device with mdevctl" {
	nodedev_11_here
	virt_ready
	check_persistent
}

@test "libvirt 9.0 (bookworm's) lists the parents with their types, and creates, defines and destroys devices" {
	# make check hands the root to the oldest production kernel only.
	[ -n "${ACCMDEV_VIRT_ROOT_9:-}" ] ||
		skip "libvirt 9.0 runs on the oldest production kernel (bookworm's 6.1)"
	virt_down
	export VIRT_VERSION=9.0
	VIRT_ERR=$(virt_up "${ACCMDEV_VIRT_ROOT_9:-}") || true
	virt_ready
	check_parents_listed
	check_parent_types
	check_transient
	check_persistent
}
