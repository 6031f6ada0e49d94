#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# accmdev with Debian's mdevctl (bookworm: 1.2.0). Only transient devices
# (start/stop): bookworm's udev rule calls /usr/sbin/mdevctl, which does
# not exist, so autostart cannot work there and nothing here needs it.
bats_require_minimum_version 1.5.0

setup() {
	load helpers/common
	load helpers/accctl
	command -v mdevctl >/dev/null || skip "mdevctl is not installed"
	cleanup_devices
}

teardown() {
	cleanup_devices
}

# mdevctl's --dumpjson, reduced to accmdev's parents.
accmdev_only() {
	jq -S 'map(with_entries(select(.key | startswith("1acce:"))))'
}

# jsonfile FILE TYPE ATTR=VALUE...: a device config with ordered attrs.
jsonfile() {
	local file=$1 type=$2 kv attrs=()
	shift 2
	for kv in "$@"; do
		attrs+=("$(jq -cn --arg k "${kv%%=*}" --arg v "${kv#*=}" '{($k): $v}')")
	done
	jq -n --arg t "$type" --argjson a "[$(IFS=,; echo "${attrs[*]}")]" \
		'{mdev_type: $t, start: "manual", attrs: $a}' >"$file"
}

@test "mdevctl types --dumpjson lists accmdev's types, as accctl does" {
	run -0 mdevctl types --dumpjson
	mdevctl_types=$(accmdev_only <<<"$output")
	assert_equal "$(jq '.[0]["1acce:00:00.0"][] | select(has("accmdev-zip-r1-1qp"))[].available_instances' <<<"$mdevctl_types")" 64
	assert_equal "$(jq '.[0]["1acce:00:03.0"][] | select(has("accmdev-sec-r1-16qp"))[].available_instances' <<<"$mdevctl_types")" 2
	assert_equal "$(jq -r '.[0]["1acce:00:02.0"][] | select(has("accmdev-zip-r1-4qp"))[].description' <<<"$mdevctl_types")" \
		'qps=4, kind=zip, revision=1, algorithms=crc32c,deflate,inflate, migratable=1'
	assert_equal "$(jq '[.[0][][]] | length' <<<"$mdevctl_types")" 30
	run -0 accctl types --json
	assert_equal "$mdevctl_types" "$(jq -S . <<<"$output")"
}

@test "mdevctl types follows the pool when devices exist" {
	create_mdev accmdev0 accmdev-zip-r1-4qp
	run -0 mdevctl types --dumpjson
	assert_equal "$(jq '.[0]["1acce:00:00.0"][] | select(has("accmdev-zip-r1-1qp"))[].available_instances' <<<"$output")" 60
	assert_equal "$(jq '.[0]["1acce:00:00.0"][] | select(has("accmdev-zip-r1-16qp"))[].available_instances' <<<"$output")" 3
	assert_equal "$(jq '.[0]["1acce:00:01.0"][] | select(has("accmdev-zip-r1-16qp"))[].available_instances' <<<"$output")" 4
	run -0 mdevctl types --parent 1acce:00:00.0
	assert_output --partial accmdev-zip-r1-16qp
	assert_output --partial 'Available instances: 3'
	assert_output --partial 'Device API: vfio-pci'
	assert_output --partial 'Name: accmdev zip rev1 16-QP'
	assert_output --partial 'Description: qps=16, kind=zip, revision=1, algorithms=crc32c,deflate,inflate, migratable=1'
}

@test "mdevctl start -p -t creates, mdevctl list shows it, mdevctl stop removes" {
	run -0 mdevctl start -p 1acce:00:00.0 -t accmdev-zip-r1-1qp
	uuid=$output
	assert [ -d "$MDEV_DEVICES/$uuid" ]
	assert_equal "$(type_of "$uuid")" accmdev-zip-r1-1qp
	run -0 mdevctl list
	assert_line --partial "$uuid 1acce:00:00.0 accmdev-zip-r1-1qp"
	run -0 mdevctl list --dumpjson
	assert_equal "$(jq -r ".[0][\"1acce:00:00.0\"][0][\"$uuid\"].mdev_type" <<<"$output")" accmdev-zip-r1-1qp
	# accctl sees the same devices, in the same shape.
	mdevctl_devs=$(jq -c '[.[0] | to_entries[] | .key as $p | .value[] | keys[0] + "@" + $p]' <<<"$output")
	run -0 accctl list --json
	assert_equal "$(jq -c '[.devices[0] | to_entries[] | .key as $p | .value[] | keys[0] + "@" + $p]' <<<"$output")" \
		"$mdevctl_devs"
	run -0 mdevctl stop -u "$uuid"
	assert [ ! -e "$MDEV_DEVICES/$uuid" ]
	run -0 mdevctl list
	refute_output --partial "$uuid"
}

@test "start --jsonfile: the type, then a compatible source version, leaves a device of that model" {
	# A revision-1 source onto revision-2 hardware: the revision-1 type.
	src=$(type_version accmdev0 accmdev-zip-r1-4qp)
	jsonfile "$BATS_TEST_TMPDIR/dst.json" accmdev-zip-r1-4qp "migration_version=$src"
	run -0 mdevctl start -p 1acce:00:02.0 --jsonfile "$BATS_TEST_TMPDIR/dst.json"
	uuid=$output
	assert_equal "$(parent_of "$uuid")" accmdev2
	assert_equal "$(type_of "$uuid")" accmdev-zip-r1-4qp
	assert_equal "$(device_version "$uuid")" \
		'accmdev/1.0;kind=zip;rev=1;qps=4;algs=crc32c,deflate,inflate'
	# The kernel, asked again through accctl, agrees.
	run -0 accctl check "$src" "$uuid"
}

@test "start --jsonfile: an incompatible source version leaves no device" {
	# A revision-2 source onto the revision-2 type of revision-1
	# hardware: no such type.
	src=$(type_version accmdev2 accmdev-zip-r2-4qp)
	jsonfile "$BATS_TEST_TMPDIR/dst.json" accmdev-zip-r2-4qp "migration_version=$src"
	run ! mdevctl start -p 1acce:00:00.0 --jsonfile "$BATS_TEST_TMPDIR/dst.json"
	assert_equal "$(mdev_count)" 0
	# The revision-1 type there: the device's check refuses.
	jsonfile "$BATS_TEST_TMPDIR/dst.json" accmdev-zip-r1-4qp "migration_version=$src"
	run ! mdevctl start -p 1acce:00:00.0 --jsonfile "$BATS_TEST_TMPDIR/dst.json"
	assert_equal "$(mdev_count)" 0
	assert_equal "$(<"$ACC_CLASS/accmdev0/qp_free")" 64
	# Another kind.
	src=$(type_version accmdev3 accmdev-sec-r1-4qp)
	jsonfile "$BATS_TEST_TMPDIR/dst.json" accmdev-zip-r1-4qp "migration_version=$src"
	run ! mdevctl start -p 1acce:00:01.0 --jsonfile "$BATS_TEST_TMPDIR/dst.json"
	assert_equal "$(mdev_count)" 0
	assert_equal "$(<"$ACC_CLASS/accmdev1/qp_free")" 64
}

@test "start --jsonfile: the type is the model, model attributes leave no device" {
	# The revision-2 type on revision-2 hardware refuses a revision-1
	# source, on the device as on the type.
	src=$(type_version accmdev0 accmdev-zip-r1-4qp)
	jsonfile "$BATS_TEST_TMPDIR/dst.json" accmdev-zip-r2-4qp "migration_version=$src"
	run ! mdevctl start -p 1acce:00:02.0 --jsonfile "$BATS_TEST_TMPDIR/dst.json"
	assert_equal "$(mdev_count)" 0
	# The model attributes of earlier releases are gone: no file to
	# write, so mdevctl removes the device it created.
	jsonfile "$BATS_TEST_TMPDIR/dst.json" accmdev-zip-r2-4qp \
		model_revision=1 "migration_version=$src"
	run ! mdevctl start -p 1acce:00:02.0 --jsonfile "$BATS_TEST_TMPDIR/dst.json"
	assert_equal "$(mdev_count)" 0
	jsonfile "$BATS_TEST_TMPDIR/dst.json" accmdev-zip-r1-4qp \
		model_algorithms=crc32c,deflate,inflate
	run ! mdevctl start -p 1acce:00:02.0 --jsonfile "$BATS_TEST_TMPDIR/dst.json"
	assert_equal "$(mdev_count)" 0
	assert_equal "$(<"$ACC_CLASS/accmdev2/qp_free")" 64
	# The type of the source's revision takes it.
	jsonfile "$BATS_TEST_TMPDIR/dst.json" accmdev-zip-r1-4qp "migration_version=$src"
	run -0 mdevctl start -p 1acce:00:02.0 --jsonfile "$BATS_TEST_TMPDIR/dst.json"
	assert_equal "$(mdev_count)" 1
}

@test "a device of accctl list --json replays through mdevctl --jsonfile" {
	orig=$(create_mdev accmdev2 accmdev-zip-r1-2qp)
	run -0 accctl list --json
	jq ".devices[0][\"1acce:00:02.0\"][0][\"$orig\"]" <<<"$output" >"$BATS_TEST_TMPDIR/copy.json"
	assert_equal "$(jq -c .attrs "$BATS_TEST_TMPDIR/copy.json")" '[]'
	run -0 mdevctl start -p 1acce:00:02.0 --jsonfile "$BATS_TEST_TMPDIR/copy.json"
	copy=$output
	assert_equal "$(type_of "$copy")" accmdev-zip-r1-2qp
	assert_equal "$(device_version "$copy")" "$(device_version "$orig")"
	assert_equal "$(device_version "$copy")" 'accmdev/1.0;kind=zip;rev=1;qps=2;algs=crc32c,deflate,inflate'
}
