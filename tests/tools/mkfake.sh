#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build a fake sysfs tree of accmdev under ROOT (ROOT/sys/...), laid out
# like the module's: class devices in sys/devices/virtual/accmdev, links
# from sys/class/accmdev and sys/class/mdev_bus, mdevs linked from
# sys/bus/mdev/devices, relative symlinks throughout.
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
pdir=$sys/devices/virtual/accmdev

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
	local d=$pdir/$name

	[ "$mig" = 1 ] || nomig=-nomig
	algs=$(native_algs "$kind" "$rev")
	mkdir -p "$d/mdev_supported_types" "$sys/class/accmdev" \
		"$sys/class/mdev_bus"
	attr "$d/kind" "$kind"
	attr "$d/revision" "$rev"
	attr "$d/algorithms" "$algs"
	attr "$d/qp_total" "$total"
	attr "$d/qp_free" "$total"
	attr "$d/migratable" "$mig"
	attr "$d/uevent" "MDEV_STATE=registered"
	ln -s "../../devices/virtual/accmdev/$name" "$sys/class/accmdev/$name"
	ln -s "../../devices/virtual/accmdev/$name" "$sys/class/mdev_bus/$name"
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
	local d=$pdir/$1 free t q

	free=$(($(cat "$d/qp_free") - $2))
	attr "$d/qp_free" "$free"
	for t in "$d"/mdev_supported_types/*/; do
		q=$(sed -n 's/^qps=//p' "$t/description")
		attr "$t/available_instances" "$((free / q))"
	done
}

# ALGS, if given, are what a resume from a narrower source left the
# device with; by default the type's.
add_device() {	# PARENT TYPE UUID [ALGS]
	local parent=$1 type=$2 uuid=$3 d kind qps rev algs t

	d=$pdir/$parent
	t=$d/mdev_supported_types/$type
	kind=$(sed -n 's/^kind=//p' "$t/description")
	qps=$(sed -n 's/^qps=//p' "$t/description")
	rev=$(sed -n 's/^revision=//p' "$t/description")
	algs=${4:-$(native_algs "$kind" "$rev")}
	mkdir -p "$d/$uuid" "$sys/bus/mdev/devices"
	ln -s "../mdev_supported_types/$type" "$d/$uuid/mdev_type"
	ln -s "../../../$uuid" "$d/mdev_supported_types/$type/devices/$uuid"
	ln -s "../../../devices/virtual/accmdev/$parent/$uuid" \
		"$sys/bus/mdev/devices/$uuid"
	: >"$d/$uuid/remove"
	if [ "$(cat "$d/migratable")" = 1 ]; then
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
	rm -f "$pdir"/accmdev1/mdev_supported_types/*/migration_version
	add_device accmdev0 accmdev-zip-r1-1qp 55555555-5555-4555-8555-555555555555
	rm "$pdir/accmdev0/55555555-5555-4555-8555-555555555555/mdev_type"
	;;
*)
	echo "mkfake: unknown scenario '$scenario'" >&2
	exit 1
	;;
esac
