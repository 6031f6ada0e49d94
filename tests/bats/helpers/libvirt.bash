# SPDX-License-Identifier: GPL-2.0-only
# libvirt in the guest, for 87-libvirt9 and 88-libvirt: Debian's daemon
# from a root tests/pkg/virtroot.sh made on the host (passed as
# ACCMDEV_VIRT_ROOT_9 or _11), run in a chroot of an overlay of it (a
# tmpfs above), so that the daemon's configuration, state, logs and
# mdevctl's definitions all live in the guest's memory. The guest's
# /sys, /dev and udevd (its /run/udev) are the daemon's: it sees the
# devices the guest's kernel has, with the properties udev gave them.

VT=/run/accmdev-virt
VR=$VT/root
VIRSH_URI=qemu:///system

# in_virt CMD...: CMD in the libvirt root.
in_virt() {
	chroot "$VR" env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 "$@"
}

# vsh ARGS...: virsh ARGS, on the daemon of the root; a call that takes
# over VIRSH_TIMEOUT seconds (120) is killed and fails.
vsh() {
	timeout "${VIRSH_TIMEOUT:-120}" chroot "$VR" env PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 virsh -q -c "$VIRSH_URI" "$@"
}

# virt_daemon OUT CMD...: start CMD in the background with no descriptor
# but stdin (/dev/null), stdout and stderr (OUT): bats waits for every
# holder of its own descriptors.
virt_daemon() {
	local out=$1
	shift
	nofds "$@" </dev/null >"$out" 2>&1 &
}

# virt_up ROOT: mount the root and start libvirtd in it. Prints why not,
# and fails, when it cannot.
virt_up() {
	local root=$1
	[ -n "$root" ] || { echo "no libvirt root: make check makes it on the host (tests/pkg/virtroot.sh) and passes it"; return 1; }
	[ -x "$root/usr/sbin/libvirtd" ] || { echo "$root has no /usr/sbin/libvirtd"; return 1; }
	mkdir -p "$VT"
	mount -t tmpfs -o mode=0755 tmpfs "$VT"
	mkdir -p "$VT"/{upper,work,root}
	mount -t overlay overlay -o "lowerdir=$root,upperdir=$VT/upper,workdir=$VT/work" "$VR" ||
		{ echo "overlayfs over $root does not mount"; return 1; }
	mount -t proc proc "$VR/proc"
	mount --rbind /sys "$VR/sys"
	mount --rbind /dev "$VR/dev"
	mount -t tmpfs -o mode=1777 tmpfs "$VR/tmp"
	mount -t tmpfs -o mode=0755 tmpfs "$VR/run"
	mkdir -p "$VR/run/udev" "$VR/run/accmdev"
	mount --bind /run/udev "$VR/run/udev"
	# Root runs QEMU, with no cgroups, namespaces, seccomp or labels:
	# the guest has none of what they need, and the host's libvirt is
	# not involved. QEMU's output goes to a file, not to virtlogd.
	cat >"$VR/etc/libvirt/qemu.conf" <<-'EOF'
		user = "root"
		group = "root"
		dynamic_ownership = 0
		remember_owner = 0
		security_driver = "none"
		cgroup_controllers = [ ]
		namespaces = [ ]
		seccomp_sandbox = 0
		stdio_handler = "file"
	EOF
	# libvirt 9.0's QEMU driver looks its default user up before it
	# reads qemu.conf; libvirt-daemon-system (not installed) makes it,
	# and the log directory.
	grep -q '^libvirt-qemu:' "$VR/etc/passwd" || {
		echo 'libvirt-qemu:x:64055:64055:libvirt:/var/lib/libvirt:/usr/sbin/nologin' >>"$VR/etc/passwd"
		echo 'libvirt-qemu:x:64055:' >>"$VR/etc/group"
	}
	mkdir -p "$VR/var/log/libvirt"
	cat >"$VR/etc/libvirt/libvirtd.conf" <<-EOF
		auth_unix_ro = "none"
		auth_unix_rw = "none"
		log_outputs = "${VIRT_LOG_LEVEL:-2}:file:/var/log/libvirt/libvirtd.log"
	EOF
	virt_daemon /dev/null in_virt /usr/sbin/libvirtd
	# It answers once its drivers are up (the QEMU driver probes QEMU).
	local end=$((SECONDS + ${VIRT_START_TIMEOUT:-300}))
	while [ $SECONDS -lt $end ]; do
		if [ -S "$VR/run/libvirt/libvirt-sock" ] &&
			timeout $((end - SECONDS + 1)) chroot "$VR" virsh -q -c "$VIRSH_URI" uri >/dev/null 2>&1; then
			# Every node device event, from now on.
			virt_daemon "$VT/events.log" in_virt virsh -q -c "$VIRSH_URI" nodedev-event --event lifecycle --loop
			return 0
		fi
		sleep 0.2
	done
	echo "libvirtd did not answer in ${VIRT_START_TIMEOUT:-300} s: $(tail -n 3 "$VR/var/log/libvirt/libvirtd.log" 2>/dev/null)"
	return 1
}

# virt_ready: the suite's daemon is up, or the test fails saying why not.
virt_ready() {
	[ -z "$VIRT_ERR" ] || fail "libvirt $VIRT_VERSION: $VIRT_ERR"
}

# virt_stop_domains: destroy every running domain (each holds its mdev).
virt_stop_domains() {
	local d
	[ -S "$VR/run/libvirt/libvirt-sock" ] || return 0
	for d in $(vsh list --name 2>/dev/null); do
		vsh destroy "$d" >/dev/null 2>&1
	done
}

# virt_down: stop every domain and the daemon, and unmount.
virt_down() {
	local p
	[ -d "$VR/proc/1" ] || { umount -l "$VT" 2>/dev/null; return 0; }
	virt_stop_domains
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" != "$VR" ] || kill "${p#/proc/}" 2>/dev/null
	done
	sleep 0.5
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" != "$VR" ] || kill -9 "${p#/proc/}" 2>/dev/null
	done
	umount -R "$VR" 2>/dev/null || umount -lR "$VR"
	umount -l "$VT"
}

# nodedev_name ADDR: the node device name of the PCI function ADDR.
nodedev_name() {
	local a=${1//:/_}
	echo "pci_${a//./_}"
}

# mdev_nodedev UUID: the node device name libvirt gives the mdev UUID,
# active or only defined, found in its list (libvirt has named them
# mdev_UUID and mdev_UUID_PARENT).
mdev_nodedev() {
	vsh nodedev-list --cap mdev --all | grep -m1 "^mdev_${1//-/_}"
}

# nodedev_types NAME: "TYPE AVAILABLE DEVICE_API" per type, sorted, from
# libvirt's XML of the node device NAME.
nodedev_types() {
	vsh nodedev-dumpxml "$1" | xml_types
}

# xml_types: the same, from a node device's XML on stdin.
xml_types() {
	python3 -c '
import sys
import xml.etree.ElementTree as ET
root = ET.fromstring(sys.stdin.read())
for t in root.iter("type"):
    if t.get("id") is None:
        continue
    print(t.get("id"), t.findtext("availableInstances"), t.findtext("deviceAPI"))
' | sort
}

# sysfs_types ADDR: the same, from sysfs.
sysfs_types() {
	local t
	for t in "$MDEV_BUS/$1/mdev_supported_types"/*; do
		echo "${t##*/} $(<"$t/available_instances") $(<"$t/device_api")"
	done | sort
}

# mdev_xml PARENT_NODEDEV TYPE UUID: a node device XML of an mdev.
mdev_xml() {
	cat <<-EOF
		<device>
		  <parent>$1</parent>
		  <capability type='mdev'>
		    <type id='$2'/>
		    <uuid>$3</uuid>
		  </capability>
		</device>
	EOF
}

# wait_for CMD...: up to 30 s for CMD to succeed.
wait_for() {
	for _ in $(seq 150); do
		"$@" && return 0
		sleep 0.2
	done
	return 1
}

# event NAME WHAT: wait for libvirt's lifecycle event WHAT (Created,
# Deleted, Defined, Undefined) of the node device NAME.
event() {
	wait_for grep -q "event 'lifecycle' for node device $1: $2" "$VT/events.log" ||
		fail "no '$2' event for $1 from virsh nodedev-event: $(cat "$VT/events.log")"
}

# ---- the node device checks, for each libvirt version --------------------

# Every accelerator is a PCI node device with mdev_types, no other PCI
# device of the accelerators' domain is, and the list is libvirt's whole
# list of such parents with the PCI functions of accmdev in it.
check_parents_listed() {
	local p addr want=() got
	for p in "$ACC_CLASS"/accmdev*; do
		addr=$(parent_addr "${p##*/}")
		want+=("$(nodedev_name "$addr")")
	done
	[ ${#want[@]} -ge 4 ] || fail "only ${#want[@]} accelerators in $ACC_CLASS"
	run -0 vsh nodedev-list --cap mdev_types
	got=$(grep '^pci_1acce_' <<<"$output" | sort)
	assert_equal "$got" "$(printf '%s\n' "${want[@]}" | sort)"
}

# Each parent's XML: a PCI function of accmdev's domain and class, with
# every type sysfs has, each with sysfs's available_instances and API.
check_parent_types() {
	local p addr name
	for p in "$ACC_CLASS"/accmdev*; do
		addr=$(parent_addr "${p##*/}")
		name=$(nodedev_name "$addr")
		run -0 vsh nodedev-dumpxml "$name"
		assert_output --partial "<domain>$((0x${addr%%:*}))</domain>"
		assert_output --partial "<class>0x120000</class>"
		assert_output --partial "<vendor id='0xacce'"
		assert_output --partial "<capability type='mdev_types'>"
		run -0 xml_types <<<"$output"
		[ -n "$output" ] || fail "no types in libvirt's XML of $name"
		assert_equal "$output" "$(sysfs_types "$addr")"
	done
}

# A transient device: nodedev-create (mdevctl start), the type's
# availableInstances goes down by the device's share, nodedev-destroy.
check_transient() {
	local addr parent uuid name before after type=accmdev-zip-r1-2qp
	addr=$(parent_addr accmdev0)
	parent=$(nodedev_name "$addr")
	uuid=$(new_uuid)
	before=$(nodedev_types "$parent" | awk -v t=$type '$1 == t { print $2 }')
	mdev_xml "$parent" $type "$uuid" >"$VR/tmp/mdev.xml"
	run -0 vsh nodedev-create /tmp/mdev.xml
	assert [ -e "$MDEV_DEVICES/$uuid/migration_version" ]
	assert_equal "$(basename "$(readlink -f "$MDEV_DEVICES/$uuid/mdev_type")")" $type
	assert_equal "$(basename "$(readlink -f "$MDEV_DEVICES/$uuid/..")")" "$addr"
	wait_for mdev_nodedev "$uuid" >/dev/null || fail "libvirt does not list the mdev $uuid"
	name=$(mdev_nodedev "$uuid")
	run -0 vsh nodedev-dumpxml "$name"
	assert_output --partial "<parent>$parent</parent>"
	assert_output --partial "<type id='$type'/>"
	assert_output --partial "<uuid>$uuid</uuid>"
	event "$name" Created
	after=$(nodedev_types "$parent" | awk -v t=$type '$1 == t { print $2 }')
	assert_equal "$after" "$(cat "$MDEV_BUS/$addr/mdev_supported_types/$type/available_instances")"
	assert [ "$after" -lt "$before" ]
	run -0 vsh nodedev-destroy "$name"
	assert [ ! -e "$MDEV_DEVICES/$uuid" ]
	event "$name" Deleted
	assert_equal "$(nodedev_types "$parent" | awk -v t=$type '$1 == t { print $2 }')" "$before"
}

# A persistent device: nodedev-define (mdevctl define, a file under the
# parent's address), nodedev-start, nodedev-destroy stops it and keeps
# the definition, nodedev-undefine removes it.
check_persistent() {
	local addr parent uuid name type=accmdev-zip-r1-1qp
	addr=$(parent_addr accmdev1)
	parent=$(nodedev_name "$addr")
	uuid=$(new_uuid)
	mdev_xml "$parent" $type "$uuid" >"$VR/tmp/mdev.xml"
	run -0 vsh nodedev-define /tmp/mdev.xml
	assert [ -f "$VR/etc/mdevctl.d/$addr/$uuid" ]
	assert [ ! -e "$MDEV_DEVICES/$uuid" ]
	wait_for mdev_nodedev "$uuid" >/dev/null || fail "libvirt does not list the defined mdev $uuid"
	name=$(mdev_nodedev "$uuid")
	event "$name" Defined
	run -0 vsh nodedev-list --cap mdev --inactive
	assert_line "$name"
	run -0 vsh nodedev-start "$name"
	assert [ -e "$MDEV_DEVICES/$uuid/migration_version" ]
	assert_equal "$(basename "$(readlink -f "$MDEV_DEVICES/$uuid/mdev_type")")" $type
	event "$name" Created
	run -0 vsh nodedev-list --cap mdev
	assert_line "$name"
	run -0 vsh nodedev-destroy "$name"
	assert [ ! -e "$MDEV_DEVICES/$uuid" ]
	assert [ -f "$VR/etc/mdevctl.d/$addr/$uuid" ]
	run -0 vsh nodedev-undefine "$name"
	assert [ ! -e "$VR/etc/mdevctl.d/$addr/$uuid" ]
	event "$name" Undefined
	run -0 vsh nodedev-list --cap mdev --all
	refute_output --partial "$name"
}
