#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The tour that 'make demo' runs inside the VM: what accmdev is for,
# shown with the plain sysfs commands a management stack would use.
set -u
# The accelerators by name; /sys/class/mdev_bus has them by PCI address.
BUS=/sys/class/accmdev
DEVS=/sys/bus/mdev/devices
SWRITE=$ACCMDEV_SRC/tests/bin/build/swrite
ACCCTL=$ACCMDEV_SRC/tools/build/accctl
ACCRUN=$ACCMDEV_SRC/tools/vfio/build/accrun
# The commands shown call accctl and accrun by name: the clone's path may
# have spaces in it, and 'show' runs its text through bash -c.
export PATH="$ACCMDEV_SRC/tools/build:$ACCMDEV_SRC/tools/vfio/build:$PATH"
PAUSE=${ACCMDEV_TOUR_PAUSE:-0}
cd /sys || exit 1

bold=$'\e[1m' dim=$'\e[2m' off=$'\e[0m'

step() {
	echo
	echo "${bold}==> $*${off}"
	sleep "$PAUSE"
}

say() {
	echo "${dim}    $*${off}"
}

# show CMD...: print the command, then run it, indented.
show() {
	echo "    \$ $*"
	bash -c "$*" 2>&1 | sed 's/^/      /'
}

# check NODE VERSION: write a version into a migration_version node.
check() {
	local r
	echo "    \$ echo \"\$VERSION\" > ${1#/sys/}"
	r=$("$SWRITE" -n "$1" "$2")
	if [ "$r" = OK ]; then
		echo "      accepted"
	else
		echo "      refused: $r"
	fi
}

type_of() {
	echo "$BUS/$1/mdev_supported_types/$2"
}

step "accmdev turns accelerator queue pairs into VFIO mediated devices."
say "Loaded with its default parents: five simulated accelerators."
for p in "$BUS"/*; do
	printf '      %-9s kind=%s rev=%s qps=%s migratable=%s algorithms=%s\n' \
		"$(basename "$p")" "$(<"$p/kind")" "$(<"$p/revision")" \
		"$(<"$p/qp_total")" "$(<"$p/migratable")" "$(<"$p/algorithms")"
done

say "Each is a PCI function (class 0x120000, processing accelerator) on"
say "accmdev's own root bus, and the mdev parent; management tools name it"
say "by its address."
show "ls class/mdev_bus; readlink class/accmdev/accmdev0/device"

step "Each parent offers one mdev type per device model and queue-pair shape."
say "A type name is the interface a guest sees: kind, model revision, queue pairs."
show "ls $BUS/accmdev0/mdev_supported_types"
T=$(type_of accmdev0 accmdev-zip-r1-4qp)
show "cat ${T#/sys/}/name"
show "cat ${T#/sys/}/description"
say "accmdev2 is newer hardware (rev2): it offers the rev1 model too."
show "ls $BUS/accmdev2/mdev_supported_types"
show "grep . $BUS/accmdev0/mdev_supported_types/*/available_instances | sed 's|.*supported_types/||'"

step "Create a 4-QP device the usual way: write a UUID to 'create'."
SRC=$(cat /proc/sys/kernel/random/uuid)
show "echo $SRC > ${T#/sys/}/create"
say "All types of the parent share one pool of 64 queue pairs:"
show "grep . $BUS/accmdev0/mdev_supported_types/*/available_instances | sed 's|.*supported_types/||'"

step "The source device publishes an opaque version string."
show "cat ${DEVS#/sys/}/$SRC/migration_version"
VERSION=$(<"$DEVS/$SRC/migration_version")

step "Which destination types can take it? Write the string to each type node."
say "A write is a pure check: it creates nothing and changes nothing."
check "$(type_of accmdev1 accmdev-zip-r1-4qp)/migration_version" "$VERSION"
say "The same type on the newer hardware is the same device:"
check "$(type_of accmdev2 accmdev-zip-r1-4qp)/migration_version" "$VERSION"
say "Its rev2 type is another model:"
check "$(type_of accmdev2 accmdev-zip-r2-4qp)/migration_version" "$VERSION"
say "A 2-QP type has the wrong shape:"
check "$(type_of accmdev1 accmdev-zip-r1-2qp)/migration_version" "$VERSION"
say "A crypto engine is another kind:"
check "$(type_of accmdev3 accmdev-sec-r1-4qp)/migration_version" "$VERSION"
say "accmdev4 cannot migrate at all (its types say -nomig); even reading its version fails:"
show "cat $BUS/accmdev4/mdev_supported_types/accmdev-zip-r1-4qp-nomig/migration_version"
check "$(type_of accmdev4 accmdev-zip-r1-4qp-nomig)/migration_version" "$VERSION"
say "Each reason has its own errno, and the kernel log names the field:"
show "dmesg | grep 'migration_version refused' | tail -n 3"

step "Newer hardware to older: choose the older model's type at creation."
NEW=$(cat /proc/sys/kernel/random/uuid)
show "echo $NEW > ${BUS#/sys/}/accmdev2/mdev_supported_types/accmdev-zip-r2-4qp/create"
show "cat ${DEVS#/sys/}/$NEW/migration_version"
NEWVER=$(<"$DEVS/$NEW/migration_version")
say "A rev2 device cannot move to rev1 hardware, which has no rev2 type:"
check "$(type_of accmdev0 accmdev-zip-r1-4qp)/migration_version" "$NEWVER"
say "The rev1 type on the same parent, like a CPU model in QEMU, can:"
OLD=$(cat /proc/sys/kernel/random/uuid)
show "echo $OLD > ${BUS#/sys/}/accmdev2/mdev_supported_types/accmdev-zip-r1-4qp/create"
show "cat ${DEVS#/sys/}/$OLD/migration_version"
OLDVER=$(<"$DEVS/$OLD/migration_version")
check "$(type_of accmdev0 accmdev-zip-r1-4qp)/migration_version" "$OLDVER"

step "After creating the destination, check again on the device node."
DST=$(cat /proc/sys/kernel/random/uuid)
show "echo $DST > ${BUS#/sys/}/accmdev1/mdev_supported_types/accmdev-zip-r1-4qp/create"
check "$DEVS/$DST/migration_version" "$VERSION"
say "The device node checks what its type node checks: the rev1 device of"
say "accmdev2 fits it too, the rev2 one does not."
check "$DEVS/$DST/migration_version" "$OLDVER"
check "$DEVS/$DST/migration_version" "$NEWVER"

step "Bad input is refused with EINVAL, never a crash."
check "$DEVS/$DST/migration_version" "hello"
check "$DEVS/$DST/migration_version" "accmdev/1.0;kind=zip;rev=1;qps=4"

if [ -x "$ACCCTL" ]; then
	step "accctl wraps all of this for operators and scripts."
	show "accctl list"
	show "accctl check $SRC accmdev1/accmdev-zip-r1-4qp"
	show "accctl targets $SRC"
fi

if [ -x "$ACCRUN" ]; then
	step "Each device is a working VFIO PCI device whose queue pairs compute."
	HASH=$(cat /proc/sys/kernel/random/uuid)
	show "echo $HASH > ${BUS#/sys/}/accmdev3/mdev_supported_types/accmdev-sec-r1-1qp/create"
	head -c 300000 /dev/urandom >/tmp/tour.bin
	say "SHA-256 of a 300 KB file, streamed through the device's queue pair:"
	show "accrun --uuid $HASH --alg sha256 --chunk 65536 /tmp/tour.bin"
	say "and computed on the CPU for comparison:"
	show "sha256sum /tmp/tour.bin"
	echo 1 >"$DEVS/$HASH/remove"
fi

step "Remove the devices: the pool is whole again."
for u in "$SRC" "$NEW" "$OLD" "$DST"; do
	echo 1 >"$DEVS/$u/remove"
done
show "cat ${BUS#/sys/}/accmdev0/qp_free ${BUS#/sys/}/accmdev1/qp_free ${BUS#/sys/}/accmdev2/qp_free"
echo
echo "${bold}Tour done. 'make shell' boots the same VM with a shell to try things by hand.${off}"
