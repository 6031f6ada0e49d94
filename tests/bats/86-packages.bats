#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# The Debian packages of 'make deb' on a booted Debian kernel: apt-get
# installs them, DKMS builds and installs the module, modprobe loads that
# module (not the build tree's), its version is the package's, accctl and
# its man page work; Debian's mdevctl defines, starts (from accmdev's udev
# rule, when the parent appears), lists and undefines a device with
# accmdev's callout in effect.
#
# The guest's root is the host's, read-only: the packages go into an
# overlay (the root below, a tmpfs above) that the suite chroots into,
# with its own udevd. The DKMS build under emulation takes many minutes
# (Documentation/testing.rst), so the suite runs only on the kernel that
# ACCMDEV_PKG_KERNEL names (in ACCMDEV_GUEST_ENV); elsewhere it skips,
# saying so, as tests/expect declares.
bats_require_minimum_version 1.5.0

R=/run/accmdev-pkg/root
T=/run/accmdev-pkg

in_root() {
	chroot "$R" env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

setup_file() {
	load helpers/common
	cleanup_devices
	local lane version
	# The kernel the packages are tested on: ACCMDEV_PKG_KERNEL, passed
	# in ACCMDEV_GUEST_ENV. A DKMS build under emulation takes longer
	# than the whole of make check may, so by default none.
	lane=${ACCMDEV_PKG_KERNEL:-none}
	export SKIP_REASON=""
	if [ "$lane" = none ]; then
		SKIP_REASON="a DKMS build under emulation takes over 15 minutes; ACCMDEV_GUEST_ENV=ACCMDEV_PKG_KERNEL=<kver> runs this suite"
		return 0
	fi
	if [ "$ACCMDEV_KVER" != "$lane" ]; then
		SKIP_REASON="the DKMS build under emulation takes many minutes: packages are tested on $lane only"
		return 0
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
	[ -f "$headers/Makefile" ] || {
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
	ln -sfn "$headers" "$R/lib/modules/$ACCMDEV_KVER/build"
	cp "$DEBS/accmdev-dkms_${version}_all.deb" "$DEBS/accmdev-tools_${version}_amd64.deb" "$R/tmp/"
	# udevd of the packaged root, so that its rules (accmdev's) run.
	udevadm control --exit 2>/dev/null
	mkdir -p "$R/run/udev"
	in_root /lib/systemd/systemd-udevd --daemon >/dev/null 2>&1
	# The build tree's module, loaded by the guest, goes.
	rmmod accmdev
}

teardown_file() {
	load helpers/common
	[ -d "$R/proc/1" ] || return 0
	cleanup_devices
	[ -n "${SKIP_REASON:-}" ] && return 0
	in_root mdevctl list --defined 2>/dev/null | while read -r u _; do
		in_root mdevctl undefine -u "$u"
	done
	in_root udevadm control --exit 2>/dev/null
	rmmod accmdev 2>/dev/null
	umount -R "$R" 2>/dev/null || umount -lR "$R"
	umount -l "$T"
	/lib/systemd/systemd-udevd --daemon >/dev/null 2>&1
	insmod "$ACCMDEV_MODULE"
	udevadm settle -t 30
}

setup() {
	load helpers/common
	[ -z "${SKIP_REASON:-}" ] || skip "$SKIP_REASON"
}

@test "apt-get installs both packages, and DKMS builds the module for the guest's kernel" {
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
	uuid=$(create_mdev accmdev0 accmdev-zip-1qp)
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

@test "mdevctl: define keeps a running device's model, the callout refuses migration_version" {
	[ -d /sys/module/accmdev ] || in_root modprobe accmdev
	udevadm settle -t 30
	# A revision-2 parent, a device lowered to revision 1.
	uuid=$(in_root accctl create --parent accmdev2 --type accmdev-zip-4qp --model-rev 1)
	run -0 in_root mdevctl define -u "$uuid"
	run -0 in_root mdevctl list --defined --dumpjson -u "$uuid"
	assert_equal "$(jq -r ".[0].accmdev2[0][\"$uuid\"].attrs[0].model_revision" <<<"$output")" 1
	assert_equal "$(jq -r ".[0].accmdev2[0][\"$uuid\"].attrs[1] | keys[0]" <<<"$output")" model_algorithms
	in_root mdevctl undefine -u "$uuid"
	in_root mdevctl stop -u "$uuid"

	bad=$(new_uuid)
	printf '%s' '{"mdev_type":"accmdev-zip-4qp","start":"auto","attrs":[{"migration_version":"accmdev/1.0;kind=zip;rev=1;qps=4;algs=crc32c,deflate,inflate"}]}' \
		>"$R/tmp/bad.json"
	run in_root mdevctl define -u "$bad" -p accmdev0 --jsonfile /tmp/bad.json
	assert_failure
	assert_output --partial "migration_version is a one-time check"
	assert [ ! -e "$R/etc/mdevctl.d/accmdev0/$bad" ]
}

@test "mdevctl: a defined device starts when its parent appears, lists, and undefines" {
	[ ! -e "$R/usr/sbin/mdevctl" ] || skip "this mdevctl has /usr/sbin/mdevctl: its own rule would start the device too"
	uuid=$(new_uuid)
	printf '%s' '{"mdev_type":"accmdev-zip-2qp","start":"auto","attrs":[{"model_revision":"1"},{"model_algorithms":"crc32c,deflate"}]}' \
		>"$R/tmp/dev.json"
	run -0 in_root mdevctl define -u "$uuid" -p accmdev0 --jsonfile /tmp/dev.json
	assert [ -f "$R/etc/mdevctl.d/accmdev0/$uuid" ]
	assert [ ! -e "$MDEV_DEVICES/$uuid" ]
	# The parent appears: reload the module. udev's rule starts the device.
	cleanup_devices
	rmmod accmdev 2>/dev/null || true
	run -0 in_root modprobe accmdev
	for _ in $(seq 300); do
		[ -e "$MDEV_DEVICES/$uuid/model_algorithms" ] && break
		sleep 0.2
	done
	assert [ -e "$MDEV_DEVICES/$uuid" ]
	assert_equal "$(cat "$MDEV_DEVICES/$uuid/model_algorithms")" crc32c,deflate
	run -0 in_root mdevctl list
	assert_line --partial "$uuid accmdev0 accmdev-zip-2qp"
	run -0 in_root mdevctl list --defined
	assert_line --partial "$uuid accmdev0 accmdev-zip-2qp auto"
	run -0 in_root mdevctl stop -u "$uuid"
	run -0 in_root mdevctl undefine -u "$uuid"
	run -0 in_root mdevctl list --defined
	refute_output --partial "$uuid"
	assert [ ! -e "$R/etc/mdevctl.d/accmdev0/$uuid" ]
}
