#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# The Debian packages of 'make deb' on a booted Debian kernel (the
# newest production kernel: tests/expect's "newest" lane).
#
# DKMS: on the host, tests/pkg/root.sh made a root of the kernel's Debian
# release in which 'apt-get install ./*.deb' installed both packages
# beside the kernel's linux-image and linux-headers packages, and DKMS
# built the module there natively (a DKMS build under emulation takes
# over 15 minutes). make check passes that root as ACCMDEV_PKG_ROOT; the
# guest, booted with the same kernel, checks what apt-get and DKMS left
# there and loads the module from it with 'modprobe accmdev' in a chroot.
#
# The tools package: dpkg installs it here, accctl and its man page work
# from it, and Debian's mdevctl defines, starts (from accmdev's udev
# rule, when the parent appears), lists and undefines a device with
# accmdev's callout in effect; the module is the build tree's.
#
# The guest's root is the host's, read-only: each root the suite works
# in is an overlay (the read-only root below, a tmpfs above) that it
# chroots into; the tools' root has its own udevd.
bats_require_minimum_version 1.5.0

R=/run/accmdev-pkg/root
T=/run/accmdev-pkg
# The DKMS root, over ACCMDEV_PKG_ROOT.
P=/run/accmdev-pkg/dkms

in_root() {
	chroot "$R" env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

# in_pkg CMD...: CMD in the DKMS root (the guest's environment is that
# root's too: the same PATH).
in_pkg() {
	chroot "$P" "$@"
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
	version=$(cat "$ACCMDEV_SRC/VERSION")
	export PKG_VERSION=$version
	DEBS=$ACCMDEV_SRC/build/deb
	for p in "accmdev-dkms_${version}_all" "accmdev-tools_${version}_amd64"; do
		[ -f "$DEBS/$p.deb" ] || {
			echo "no $DEBS/$p.deb: make deb (make check runs it)" >&2
			return 1
		}
	done
	# The writable root: the read-only root below, a tmpfs above.
	mkdir -p "$T"
	mount -t tmpfs -o mode=0755 tmpfs "$T"
	mkdir -p "$T"/{upper,work,root,mupper,mwork,pupper,pwork,dkms}
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
	# The kernel's modules, writable too (depmod may index).
	mkdir -p "$R/lib/modules/$ACCMDEV_KVER"
	mount -t overlay overlay \
		-o "lowerdir=/lib/modules/$ACCMDEV_KVER,upperdir=$T/mupper,workdir=$T/mwork" \
		"$R/lib/modules/$ACCMDEV_KVER"
	cp "$DEBS/accmdev-tools_${version}_amd64.deb" "$R/tmp/"
	# The DKMS root, if make check made one (its tests fail without).
	export PKG_ERR=""
	if [ -z "${ACCMDEV_PKG_ROOT:-}" ]; then
		PKG_ERR="no ACCMDEV_PKG_ROOT: make check makes the DKMS root on the host (tests/pkg/root.sh) and passes it"
	elif [ ! -f "$ACCMDEV_PKG_ROOT/lib/modules/$ACCMDEV_KVER/modules.dep" ]; then
		PKG_ERR="ACCMDEV_PKG_ROOT=$ACCMDEV_PKG_ROOT has no /lib/modules/$ACCMDEV_KVER/modules.dep"
	elif ! mount -t overlay overlay \
		-o "lowerdir=$ACCMDEV_PKG_ROOT,upperdir=$T/pupper,workdir=$T/pwork" "$P"; then
		PKG_ERR="overlayfs over $ACCMDEV_PKG_ROOT does not mount"
	else
		mount -t proc proc "$P/proc"
		mount --rbind /sys "$P/sys"
		mount --rbind /dev "$P/dev"
		mount -t tmpfs -o mode=1777 tmpfs "$P/tmp"
		mount -t tmpfs -o mode=0755 tmpfs "$P/run"
	fi
	# udevd of the packaged root, so that its rules (accmdev's) run.
	udevadm control --exit 2>/dev/null
	mkdir -p "$R/run/udev"
	daemon in_root /lib/systemd/systemd-udevd --daemon
	in_root dpkg -i "/tmp/accmdev-tools_${version}_amd64.deb" >"$T/dpkg.log" 2>&1 || {
		cat "$T/dpkg.log" >&2
		return 1
	}
}

# load_accmdev: the build tree's module.
load_accmdev() {
	insmod "$ACCMDEV_MODULE"
}

teardown_file() {
	load helpers/common
	umount -R "$P" 2>/dev/null
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

# A DKMS test that leaves the module unloaded: the build tree's again.
teardown() {
	[ -d /sys/module/accmdev ] || insmod "$ACCMDEV_MODULE"
}

# The DKMS tests need the root make check made on the host.
pkg_root() {
	[ -z "$PKG_ERR" ] || fail "$PKG_ERR"
}

# modinfo_field FIELD: FIELD of $output, modinfo's full output.
modinfo_field() {
	local line
	while IFS= read -r line; do
		[[ $line == "$1:"* ]] || continue
		line=${line#"$1:"}
		echo "${line#"${line%%[! ]*}"}"
		return 0
	done <<<"$output"
	return 1
}

@test "apt-get installed both packages in a root of the kernel's release, and DKMS built the module for this kernel there" {
	pkg_root
	# Beside the kernel the guest runs, its image and headers packages.
	run -0 in_pkg dpkg-query -W -f '${Package} ${Version} ${db:Status-Status}\n' \
		accmdev-dkms accmdev-tools "linux-image-$ACCMDEV_KVER" "linux-headers-$ACCMDEV_KVER"
	assert_line "accmdev-dkms $PKG_VERSION installed"
	assert_line "accmdev-tools $PKG_VERSION installed"
	assert_line --regexp "^linux-image-${ACCMDEV_KVER//+/\\+} [^ ]+ installed\$"
	assert_line --regexp "^linux-headers-${ACCMDEV_KVER//+/\\+} [^ ]+ installed\$"
	# DKMS's record of the install (what 'dkms status' reads; that
	# script takes about a minute under emulation): its build for this
	# kernel is the one installed, and the file it installed is the one
	# it built.
	run -0 readlink "$P/var/lib/dkms/accmdev/kernel-$ACCMDEV_KVER-x86_64"
	assert_output "$PKG_VERSION/$ACCMDEV_KVER/x86_64"
	built=("$P/var/lib/dkms/accmdev/$PKG_VERSION/$ACCMDEV_KVER/x86_64/module/accmdev.ko"*)
	installed=("$P/lib/modules/$ACCMDEV_KVER/updates/dkms/accmdev.ko"*)
	assert_equal "${#built[@]} ${#installed[@]}" "1 1"
	assert_equal "${built[0]##*/}" "${installed[0]##*/}"
	run -0 cmp "${built[0]}" "${installed[0]}"
	# What DKMS built is this tree's source.
	run -0 diff -r -x '*.o' -x '*.ko' -x '*.mod' -x '*.mod.c' -x '*.cmd' -x '*.order' \
		-x Module.symvers -x '.*' "$ACCMDEV_SRC/driver" "$P/usr/src/accmdev-$PKG_VERSION/driver"
	run -0 diff "$ACCMDEV_SRC/Kbuild" "$P/usr/src/accmdev-$PKG_VERSION/Kbuild"
}

@test "modprobe loads the DKMS module, whose version is the package's; a device is created and removed; it unloads" {
	pkg_root
	cleanup_devices
	# The build tree's module goes (its source checksum kept).
	read -r tree_srcversion </sys/module/accmdev/srcversion
	rmmod accmdev
	run -0 in_pkg dpkg-query -W -f '${Version}' accmdev-dkms
	pkgver=$output
	assert_equal "$pkgver" "$PKG_VERSION"
	run -0 in_pkg modinfo accmdev
	ko=$(modinfo_field filename)
	case "$ko" in
	"/lib/modules/$ACCMDEV_KVER/updates/dkms/accmdev.ko"*) ;;
	*) fail "modinfo accmdev: $ko, not under /lib/modules/$ACCMDEV_KVER/updates/dkms" ;;
	esac
	assert_equal "$(modinfo_field version)" "$pkgver"
	# srcversion is a checksum of the sources: the build tree's module
	# and DKMS's are built from the same.
	assert_equal "$(modinfo_field srcversion)" "$tree_srcversion"
	# DKMS signed it with its key (made on first use), as for Secure Boot.
	assert_equal "$(modinfo_field signer)" "DKMS module signing key"
	sig_key=$(modinfo_field sig_key)
	run -0 in_pkg openssl x509 -in /var/lib/dkms/mok.pub -noout -serial
	assert_equal "${sig_key//:/}" "${output#serial=}"

	run -0 in_pkg modprobe accmdev
	read -r version </sys/module/accmdev/version
	assert_equal "$version" "$pkgver"
	# The module loaded is that file: the same build ID.
	case "$ko" in
	*.xz) xz -dc "$P$ko" >"$BATS_TEST_TMPDIR/accmdev.ko" ;;
	*.zst) zstd -qdc "$P$ko" >"$BATS_TEST_TMPDIR/accmdev.ko" ;;
	*.gz) gzip -dc "$P$ko" >"$BATS_TEST_TMPDIR/accmdev.ko" ;;
	*) cp "$P$ko" "$BATS_TEST_TMPDIR/accmdev.ko" ;;
	esac
	run -0 readelf -n "$BATS_TEST_TMPDIR/accmdev.ko"
	[[ $output =~ Build\ ID:\ ([0-9a-f]+) ]] || fail "no build ID in $ko"
	file_id=${BASH_REMATCH[1]}
	# The sysfs note: its 12-byte header and "GNU\0", then the ID.
	loaded_id=$(od -An -v -tx1 /sys/module/accmdev/notes/.note.gnu.build-id)
	loaded_id=${loaded_id//[$' \n']/}
	assert_equal "${loaded_id:32}" "$file_id"

	udevadm settle -t 30
	uuid=$(create_mdev accmdev0 accmdev-zip-r1-4qp)
	assert [ -e "$MDEV_DEVICES/$uuid/migration_version" ]
	type=$(readlink "$MDEV_DEVICES/$uuid/mdev_type")
	assert_equal "${type##*/}" accmdev-zip-r1-4qp
	remove_mdev "$uuid"
	assert [ ! -e "$MDEV_DEVICES/$uuid" ]
	run -0 rmmod accmdev
	assert [ ! -d /sys/module/accmdev ]
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
	assert_equal "$(basename "$(readlink -f "$MDEV_DEVICES/$uuid/..")")" "$(parent_addr accmdev2)"
	in_root mdevctl stop -u "$uuid"
	in_root mdevctl undefine -u "$uuid"

	bad=$(new_uuid)
	printf '%s' '{"mdev_type":"accmdev-zip-r1-4qp","start":"auto","attrs":[{"migration_version":"accmdev/1.0;kind=zip;rev=1;qps=4;algs=crc32c,deflate,inflate"}]}' \
		>"$R/tmp/bad.json"
	run in_root mdevctl define -u "$bad" -p 1acce:00:00.0 --jsonfile /tmp/bad.json
	assert_failure
	assert_output --partial "migration_version is a one-time check"
	assert [ ! -e "$R/etc/mdevctl.d/1acce:00:00.0/$bad" ]
	# A definition of an earlier release: the model in attributes, the
	# type without the revision. Each is refused, saying what to use.
	printf '%s' '{"mdev_type":"accmdev-zip-r1-4qp","start":"auto","attrs":[{"model_revision":"1"}]}' \
		>"$R/tmp/bad.json"
	run in_root mdevctl define -u "$bad" -p 1acce:00:02.0 --jsonfile /tmp/bad.json
	assert_failure
	assert_output --partial "model_revision is no longer an attribute of accmdev devices: the type is the model"
	printf '%s' '{"mdev_type":"accmdev-zip-4qp","start":"auto","attrs":[]}' >"$R/tmp/bad.json"
	run in_root mdevctl define -u "$bad" -p 1acce:00:00.0 --jsonfile /tmp/bad.json
	assert_failure
	assert_output --partial "accmdev-zip-4qp is not a type of this accmdev: a type names the model revision"
	assert [ ! -e "$R/etc/mdevctl.d/1acce:00:00.0/$bad" ]
	assert [ ! -e "$R/etc/mdevctl.d/1acce:00:02.0/$bad" ]
}

@test "mdevctl: a defined device starts when its parent appears, lists, and undefines" {
	[ ! -e "$R/usr/sbin/mdevctl" ] || skip "this mdevctl has /usr/sbin/mdevctl: its own rule would start the device too"
	uuid=$(new_uuid)
	printf '%s' '{"mdev_type":"accmdev-zip-r1-2qp","start":"auto","attrs":[]}' \
		>"$R/tmp/dev.json"
	run -0 in_root mdevctl define -u "$uuid" -p 1acce:00:00.0 --jsonfile /tmp/dev.json
	assert [ -f "$R/etc/mdevctl.d/1acce:00:00.0/$uuid" ]
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
	assert_line --partial "$uuid 1acce:00:00.0 accmdev-zip-r1-2qp"
	run -0 in_root mdevctl list --defined
	assert_line --partial "$uuid 1acce:00:00.0 accmdev-zip-r1-2qp auto"
	run -0 in_root mdevctl stop -u "$uuid"
	run -0 in_root mdevctl undefine -u "$uuid"
	run -0 in_root mdevctl list --defined
	refute_output --partial "$uuid"
	assert [ ! -e "$R/etc/mdevctl.d/1acce:00:00.0/$uuid" ]
}
