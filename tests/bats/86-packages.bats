#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# The Debian packages of 'make deb' on a booted Debian kernel.
#
# On every production kernel, the tools package: dpkg installs it, accctl
# and its man page work from it, and Debian's mdevctl defines, starts
# (from accmdev's udev rule, when the parent appears), lists and
# undefines a device with accmdev's callout in effect; the module is the
# build tree's. On the kernel that ACCMDEV_PKG_KERNEL names (in
# ACCMDEV_GUEST_ENV), both packages through apt-get: DKMS builds and
# installs the module, and modprobe loads that module (not the build
# tree's), whose version is the package's. A DKMS build under emulation
# takes many minutes (Documentation/testing.rst), so by default no kernel
# does that part, and its two tests skip, saying so, as tests/expect
# declares.
#
# The guest's root is the host's, read-only: the packages go into an
# overlay (the root below, a tmpfs above) that the suite chroots into,
# with its own udevd.
bats_require_minimum_version 1.5.0

R=/run/accmdev-pkg/root
T=/run/accmdev-pkg

in_root() {
	chroot "$R" env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

# daemon CMD...: start CMD with no descriptor but stdin, stdout and
# stderr, all three /dev/null. bats waits for every holder of its own
# descriptors (the TAP stream and others) before it ends.
daemon() {
	(
		for fd in /proc/self/fd/*; do
			fd=${fd##*/}
			[ "$fd" -le 2 ] || eval "exec $fd>&-"
		done
		"$@" </dev/null >/dev/null 2>&1
	)
}

setup_file() {
	load helpers/common
	cleanup_devices
	local version
	# MODE dkms: both packages, the module from DKMS (the kernel that
	# ACCMDEV_PKG_KERNEL names, in ACCMDEV_GUEST_ENV); tools: the tools
	# package, the build tree's module.
	export MODE=tools DKMS_SKIP=""
	if [ "${ACCMDEV_PKG_KERNEL:-none}" = "$ACCMDEV_KVER" ]; then
		MODE=dkms
	else
		DKMS_SKIP="a DKMS build under emulation takes over 15 minutes; ACCMDEV_GUEST_ENV=ACCMDEV_PKG_KERNEL=<kver> runs it"
	fi
	version=$(cat "$ACCMDEV_SRC/VERSION")
	export PKG_VERSION=$version
	DEBS=$ACCMDEV_SRC/build/deb
	for p in "accmdev-dkms_${version}_all" "accmdev-tools_${version}_amd64"; do
		[ -f "$DEBS/$p.deb" ] || {
			echo "no $DEBS/$p.deb: make deb (make check runs it)" >&2
			return 1
		}
	done
	local headers=/var/cache/accmdev/kernels/$ACCMDEV_KVER/usr/src/linux-headers-$ACCMDEV_KVER
	[ "$MODE" = tools ] || [ -f "$headers/Makefile" ] || {
		echo "no headers for $ACCMDEV_KVER in $headers (make deps)" >&2
		return 1
	}
	# The writable root: the read-only root below, a tmpfs above.
	mkdir -p "$T"
	mount -t tmpfs -o mode=0755 tmpfs "$T"
	mkdir -p "$T"/{upper,work,root,mupper,mwork}
	mount -t overlay overlay -o "lowerdir=/,upperdir=$T/upper,workdir=$T/work" "$R" || {
		echo "overlayfs over the 9p root does not mount" >&2
		return 1
	}
	mount -t proc proc "$R/proc"
	mount --rbind /sys "$R/sys"
	mount --rbind /dev "$R/dev"
	mount -t tmpfs -o mode=1777 tmpfs "$R/tmp"
	mount -t tmpfs -o mode=0755 tmpfs "$R/run"
	# man-db's trigger would rebuild the whole manual index over 9p under
	# emulation (minutes); man accctl reads the page without it.
	rm -f "$R/var/lib/man-db/auto-update"
	# The kernel's modules, writable too (DKMS adds one, depmod indexes).
	mkdir -p "$R/lib/modules/$ACCMDEV_KVER"
	mount -t overlay overlay \
		-o "lowerdir=/lib/modules/$ACCMDEV_KVER,upperdir=$T/mupper,workdir=$T/mwork" \
		"$R/lib/modules/$ACCMDEV_KVER"
	[ "$MODE" = tools ] || ln -sfn "$headers" "$R/lib/modules/$ACCMDEV_KVER/build"
	cp "$DEBS/accmdev-dkms_${version}_all.deb" "$DEBS/accmdev-tools_${version}_amd64.deb" "$R/tmp/"
	# udevd of the packaged root, so that its rules (accmdev's) run.
	udevadm control --exit 2>/dev/null
	mkdir -p "$R/run/udev"
	daemon in_root /lib/systemd/systemd-udevd --daemon
	if [ "$MODE" = tools ]; then
		in_root dpkg -i "/tmp/accmdev-tools_${version}_amd64.deb" >"$T/dpkg.log" 2>&1 || {
			cat "$T/dpkg.log" >&2
			return 1
		}
		return 0
	fi
	# The build tree's module, loaded by the guest, goes.
	rmmod accmdev
}

# load_accmdev: the module of this mode (DKMS's, or the build tree's).
load_accmdev() {
	if [ "$MODE" = dkms ]; then
		in_root modprobe accmdev
	else
		insmod "$ACCMDEV_MODULE"
	fi
}

teardown_file() {
	load helpers/common
	[ -d "$R/proc/1" ] || return 0
	cleanup_devices
	in_root mdevctl list --defined 2>/dev/null | while read -r u _; do
		in_root mdevctl undefine -u "$u"
	done
	in_root udevadm control --exit 2>/dev/null
	# Whatever still runs in the root (its udevd, if the exit did not
	# reach it) goes too: nothing of the suite outlives it.
	local p
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" != "$R" ] || kill "${p#/proc/}" 2>/dev/null
	done
	rmmod accmdev 2>/dev/null
	umount -R "$R" 2>/dev/null || umount -lR "$R"
	umount -l "$T"
	daemon /lib/systemd/systemd-udevd --daemon
	insmod "$ACCMDEV_MODULE"
	udevadm settle -t 30
}

setup() {
	load helpers/common
}

# The DKMS tests: on the ACCMDEV_PKG_KERNEL kernel only.
dkms_only() {
	[ -z "$DKMS_SKIP" ] || skip "$DKMS_SKIP"
}

@test "apt-get installs both packages, and DKMS builds the module for the guest's kernel" {
	dkms_only
	# No network here: the dependencies are the root's already. The
	# output goes to the TAP stream as it comes (it takes minutes).
	in_root apt-get install -y \
		"/tmp/accmdev-dkms_${PKG_VERSION}_all.deb" "/tmp/accmdev-tools_${PKG_VERSION}_amd64.deb" 2>&1 |
		sed -u 's/^/# /' >&3
	assert_equal "${PIPESTATUS[0]}" 0
	run -0 in_root dpkg-query -W -f '${Version} ${db:Status-Status}\n' accmdev-dkms accmdev-tools
	assert_output "$(printf '%s installed\n%s installed' "$PKG_VERSION" "$PKG_VERSION")"
	run -0 in_root dkms status accmdev
	assert_output --partial "accmdev/$PKG_VERSION, $ACCMDEV_KVER, x86_64: installed"
}

@test "modprobe loads the DKMS module, whose version is the package's, and devices can be created" {
	dkms_only
	run -0 in_root modinfo -n accmdev
	assert_output "/lib/modules/$ACCMDEV_KVER/updates/dkms/accmdev.ko"
	run -0 in_root modinfo -F version accmdev
	assert_output "$PKG_VERSION"
	dkms_srcversion=$(in_root modinfo -F srcversion accmdev)
	run -0 in_root modprobe accmdev
	assert_equal "$(cat /sys/module/accmdev/version)" "$PKG_VERSION"
	# The module loaded is that file: the same source checksum.
	assert_equal "$(cat /sys/module/accmdev/srcversion)" "$dkms_srcversion"
	udevadm settle -t 30
	uuid=$(create_mdev accmdev0 accmdev-zip-r1-1qp)
	assert [ -e "$MDEV_DEVICES/$uuid/migration_version" ]
	remove_mdev "$uuid"
}

@test "accctl --version and man accctl work from the package" {
	run -0 in_root sh -c 'command -v accctl'
	assert_output /usr/bin/accctl
	run -0 in_root accctl --version
	assert_output "accctl $PKG_VERSION"
	run -0 in_root man -P cat accctl
	assert_output --partial "list, create, check and migrate accmdev mediated devices"
	assert_output --partial "--secret-file"
	run -0 in_root accctl list
	assert_output --partial accmdev0
}

@test "mdevctl: the type carries the model, the callout refuses migration_version and model attributes" {
	[ -d /sys/module/accmdev ] || load_accmdev
	udevadm settle -t 30
	# The revision-1 type on a revision-2 parent.
	uuid=$(create_mdev accmdev2 accmdev-zip-r1-4qp)
	run -0 in_root mdevctl define -u "$uuid"
	# With -u, mdevctl prints that one device's configuration: the
	# type, and no attributes.
	run -0 in_root mdevctl list --defined --dumpjson -u "$uuid"
	assert_equal "$(jq -r '.mdev_type' <<<"$output")" accmdev-zip-r1-4qp
	assert_equal "$(jq -c '.attrs // []' <<<"$output")" '[]'
	# The definition starts as a revision-1 device.
	in_root mdevctl stop -u "$uuid"
	assert [ ! -e "$MDEV_DEVICES/$uuid" ]
	run -0 in_root mdevctl start -u "$uuid"
	assert_equal "$(cat "$MDEV_DEVICES/$uuid/migration_version")" \
		'accmdev/1.0;kind=zip;rev=1;qps=4;algs=crc32c,deflate,inflate'
	assert_equal "$(basename "$(readlink -f "$MDEV_DEVICES/$uuid/mdev_type")")" accmdev-zip-r1-4qp
	assert_equal "$(basename "$(readlink -f "$MDEV_DEVICES/$uuid/..")")" accmdev2
	in_root mdevctl stop -u "$uuid"
	in_root mdevctl undefine -u "$uuid"

	bad=$(new_uuid)
	printf '%s' '{"mdev_type":"accmdev-zip-r1-4qp","start":"auto","attrs":[{"migration_version":"accmdev/1.0;kind=zip;rev=1;qps=4;algs=crc32c,deflate,inflate"}]}' \
		>"$R/tmp/bad.json"
	run in_root mdevctl define -u "$bad" -p accmdev0 --jsonfile /tmp/bad.json
	assert_failure
	assert_output --partial "migration_version is a one-time check"
	assert [ ! -e "$R/etc/mdevctl.d/accmdev0/$bad" ]
	# A definition of an earlier release: the model in attributes, the
	# type without the revision. Each is refused, saying what to use.
	printf '%s' '{"mdev_type":"accmdev-zip-r1-4qp","start":"auto","attrs":[{"model_revision":"1"}]}' \
		>"$R/tmp/bad.json"
	run in_root mdevctl define -u "$bad" -p accmdev2 --jsonfile /tmp/bad.json
	assert_failure
	assert_output --partial "model_revision is no longer an attribute of accmdev devices: the type is the model"
	printf '%s' '{"mdev_type":"accmdev-zip-4qp","start":"auto","attrs":[]}' >"$R/tmp/bad.json"
	run in_root mdevctl define -u "$bad" -p accmdev0 --jsonfile /tmp/bad.json
	assert_failure
	assert_output --partial "accmdev-zip-4qp is not a type of this accmdev: a type names the model revision"
	assert [ ! -e "$R/etc/mdevctl.d/accmdev0/$bad" ]
	assert [ ! -e "$R/etc/mdevctl.d/accmdev2/$bad" ]
}

@test "mdevctl: a defined device starts when its parent appears, lists, and undefines" {
	[ ! -e "$R/usr/sbin/mdevctl" ] || skip "this mdevctl has /usr/sbin/mdevctl: its own rule would start the device too"
	uuid=$(new_uuid)
	printf '%s' '{"mdev_type":"accmdev-zip-r1-2qp","start":"auto","attrs":[]}' \
		>"$R/tmp/dev.json"
	run -0 in_root mdevctl define -u "$uuid" -p accmdev0 --jsonfile /tmp/dev.json
	assert [ -f "$R/etc/mdevctl.d/accmdev0/$uuid" ]
	assert [ ! -e "$MDEV_DEVICES/$uuid" ]
	# The parent appears: reload the module. udev's rule starts the device.
	cleanup_devices
	rmmod accmdev 2>/dev/null || true
	run -0 load_accmdev
	for _ in $(seq 300); do
		[ -e "$MDEV_DEVICES/$uuid/migration_version" ] && break
		sleep 0.2
	done
	assert [ -e "$MDEV_DEVICES/$uuid" ]
	assert_equal "$(cat "$MDEV_DEVICES/$uuid/migration_version")" \
		'accmdev/1.0;kind=zip;rev=1;qps=2;algs=crc32c,deflate,inflate'
	run -0 in_root mdevctl list
	assert_line --partial "$uuid accmdev0 accmdev-zip-r1-2qp"
	run -0 in_root mdevctl list --defined
	assert_line --partial "$uuid accmdev0 accmdev-zip-r1-2qp auto"
	run -0 in_root mdevctl stop -u "$uuid"
	run -0 in_root mdevctl undefine -u "$uuid"
	run -0 in_root mdevctl list --defined
	refute_output --partial "$uuid"
	assert [ ! -e "$R/etc/mdevctl.d/accmdev0/$uuid" ]
}
