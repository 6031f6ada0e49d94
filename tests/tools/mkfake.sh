#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build a fake sysfs tree of accmdev under ROOT (ROOT/sys/...), laid out
# like the module's: accelerator N is the PCI function 1acce:00:0N.0 on
# the root bus in sys/devices/accmdev/pci1acce:00, its mdev parent, with
# the class device accmdevN under it (attributes, a "device" link to the
# function and a mdev_supported_types link); links from
# sys/class/accmdev (by name) and sys/class/mdev_bus (by address), mdevs
# linked from sys/bus/mdev/devices, relative symlinks throughout.
#
#   mkfake.sh ROOT SCENARIO
#
# Types, as the module makes them: one per model revision 1..the
# parent's hardware revision and queue-pair shape 1, 2, 4, 8, 16 that
# fits the pool, accmdev-<kind>-r<rev>-<N>qp, with -nomig appended on a
# parent that cannot migrate. A type's model (revision and that
# revision's native algorithms) is its devices' model; devices have no
# model attributes.
#
# Scenarios:
#   default   the five parents the module creates by default
#   devices   default plus mdevs on accmdev0, 2, 3, 4 and one on a
#             foreign parent (mtty), which accctl must ignore
#   empty     a /sys without accmdev (module not loaded)
#   race      default, but accmdev1's types lack migration_version (the
#             window after registration) and one mdev has no mdev_type
#
# Attribute files are plain files, so reads give what is written here
# and writes just replace them. A plain file cannot fail a read with
# ENODEV as the kernel does on a parent that cannot migrate, so there the
# file is empty; accctl does not read it when the parent's "migratable"
# is 0, and says so without asking.
set -euo pipefail

root=${1:?usage: mkfake.sh ROOT SCENARIO}
scenario=${2:-default}
sys=$root/sys
bus=$sys/devices/accmdev/pci1acce:00

# The function of accelerator NAME (accmdevN), and its class device.
fn() { echo "$bus/1acce:00:0${1#accmdev}.0"; }
cdev() { echo "$(fn "$1")/accmdev/$1"; }

native_algs() {	# KIND REV
	case $1/$2 in
	zip/1) echo crc32c,deflate,inflate ;;
	zip/2) echo crc32c,adler32,deflate,inflate ;;
	sec/1) echo sha256,sha224 ;;
	*) echo "mkfake: no model $1 rev $2" >&2; exit 1 ;;
	esac
}

version() {	# KIND REV QPS ALGS
	echo "accmdev/1.0;kind=$1;rev=$2;qps=$3;algs=$4"
}

attr() {	# FILE VALUE
	printf '%s\n' "$2" >"$1"
}

add_parent() {	# NAME KIND REV QPS MIGRATABLE
	local name=$1 kind=$2 rev=$3 total=$4 mig=$5 algs q t r nomig=''
	local d c addr

	d=$(fn "$name")
	c=$(cdev "$name")
	addr=${d##*/}
	[ "$mig" = 1 ] || nomig=-nomig
	algs=$(native_algs "$kind" "$rev")
	mkdir -p "$d/mdev_supported_types" "$c" "$sys/class/accmdev" \
		"$sys/class/mdev_bus"
	attr "$c/kind" "$kind"
	attr "$c/revision" "$rev"
	attr "$c/algorithms" "$algs"
	attr "$c/qp_total" "$total"
	attr "$c/qp_free" "$total"
	attr "$c/migratable" "$mig"
	attr "$d/uevent" "MDEV_STATE=registered"
	ln -s "../../../$addr" "$c/device"
	ln -s ../../mdev_supported_types "$c/mdev_supported_types"
	ln -s "../../devices/accmdev/pci1acce:00/$addr/accmdev/$name" \
		"$sys/class/accmdev/$name"
	ln -s "../../devices/accmdev/pci1acce:00/$addr" \
		"$sys/class/mdev_bus/$addr"
	for ((r = 1; r <= rev; r++)); do
		algs=$(native_algs "$kind" "$r")
		for q in 1 2 4 8 16; do
			[ "$q" -le "$total" ] || break
			t=$d/mdev_supported_types/accmdev-$kind-r$r-${q}qp$nomig
			mkdir -p "$t/devices"
			if [ "$mig" = 1 ]; then
				attr "$t/name" "accmdev $kind rev$r $q-QP"
			else
				attr "$t/name" "accmdev $kind rev$r $q-QP (no migration)"
			fi
			printf 'qps=%s\nkind=%s\nrevision=%s\nalgorithms=%s\nmigratable=%s\n' \
				"$q" "$kind" "$r" "$algs" "$mig" >"$t/description"
			attr "$t/device_api" vfio-pci
			attr "$t/available_instances" "$((total / q))"
			: >"$t/create"
			if [ "$mig" = 1 ]; then
				version "$kind" "$r" "$q" "$algs" \
					>"$t/migration_version"
			else
				: >"$t/migration_version"
			fi
		done
	done
}

# Take QPS queue pairs from PARENT's pool and recompute the instances.
take_qps() {	# PARENT QPS
	local d c free t q

	d=$(fn "$1")
	c=$(cdev "$1")
	free=$(($(cat "$c/qp_free") - $2))
	attr "$c/qp_free" "$free"
	for t in "$d"/mdev_supported_types/*/; do
		q=$(sed -n 's/^qps=//p' "$t/description")
		attr "$t/available_instances" "$((free / q))"
	done
}

# ALGS, if given, are what a resume from a narrower source left the
# device with; by default the type's.
add_device() {	# PARENT TYPE UUID [ALGS]
	local parent=$1 type=$2 uuid=$3 d kind qps rev algs t

	d=$(fn "$parent")
	t=$d/mdev_supported_types/$type
	kind=$(sed -n 's/^kind=//p' "$t/description")
	qps=$(sed -n 's/^qps=//p' "$t/description")
	rev=$(sed -n 's/^revision=//p' "$t/description")
	algs=${4:-$(native_algs "$kind" "$rev")}
	mkdir -p "$d/$uuid" "$sys/bus/mdev/devices"
	ln -s "../mdev_supported_types/$type" "$d/$uuid/mdev_type"
	ln -s "../../../$uuid" "$d/mdev_supported_types/$type/devices/$uuid"
	ln -s "../../../devices/accmdev/pci1acce:00/${d##*/}/$uuid" \
		"$sys/bus/mdev/devices/$uuid"
	: >"$d/$uuid/remove"
	if [ "$(cat "$(cdev "$parent")/migratable")" = 1 ]; then
		version "$kind" "$rev" "$qps" "$algs" \
			>"$d/$uuid/migration_version"
	else
		: >"$d/$uuid/migration_version"
	fi
	take_qps "$parent" "$qps"
}

default_parents() {
	add_parent accmdev0 zip 1 64 1
	add_parent accmdev1 zip 1 64 1
	add_parent accmdev2 zip 2 64 1
	add_parent accmdev3 sec 1 32 1
	add_parent accmdev4 zip 1 16 0
}

# An mdev of another parent driver; accctl must leave it out.
add_foreign_device() {
	local uuid=99999999-0000-4000-8000-000000000001
	local d=$sys/devices/virtual/mtty/mtty

	mkdir -p "$d/$uuid" "$d/mdev_supported_types/mtty-1/devices" \
		"$sys/bus/mdev/devices" "$sys/class/mdev_bus"
	ln -s ../mdev_supported_types/mtty-1 "$d/$uuid/mdev_type"
	ln -s ../../devices/virtual/mtty/mtty "$sys/class/mdev_bus/mtty"
	ln -s "../../../devices/virtual/mtty/mtty/$uuid" \
		"$sys/bus/mdev/devices/$uuid"
}

mkdir -p "$sys"
case $scenario in
default)
	default_parents
	;;
devices)
	default_parents
	add_device accmdev0 accmdev-zip-r1-4qp 11111111-1111-4111-8111-111111111111
	add_device accmdev2 accmdev-zip-r1-4qp 22222222-2222-4222-8222-222222222222
	add_device accmdev2 accmdev-zip-r2-4qp 2222aaaa-2222-4222-8222-222222222222
	add_device accmdev2 accmdev-zip-r2-4qp 2222bbbb-2222-4222-8222-222222222222 crc32c,adler32
	add_device accmdev3 accmdev-sec-r1-2qp 33333333-3333-4333-8333-333333333333
	add_device accmdev4 accmdev-zip-r1-1qp-nomig 44444444-4444-4444-8444-444444444444
	add_foreign_device
	;;
empty)
	mkdir -p "$sys/class" "$sys/bus/mdev/devices"
	;;
race)
	default_parents
	rm -f "$(fn accmdev1)"/mdev_supported_types/*/migration_version
	add_device accmdev0 accmdev-zip-r1-1qp 55555555-5555-4555-8555-555555555555
	rm "$(fn accmdev0)/55555555-5555-4555-8555-555555555555/mdev_type"
	;;
*)
	echo "mkfake: unknown scenario '$scenario'" >&2
	exit 1
	;;
esac
