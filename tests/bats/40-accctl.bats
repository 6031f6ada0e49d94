#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# accctl against the real module: every verb, the kernel's verdicts,
# rollback, events, the scheduler exports, and bad arguments.
bats_require_minimum_version 1.5.0

setup() {
	load helpers/common
	load helpers/accctl
	cleanup_devices
}

teardown() {
	[ -n "${MONITOR_PID:-}" ] && kill "$MONITOR_PID" 2>/dev/null
	cleanup_devices
}

Z0=accmdev0/accmdev-zip-r1-4qp
Z1=accmdev1/accmdev-zip-r1-4qp
Z2=accmdev2/accmdev-zip-r1-4qp
Z2R2=accmdev2/accmdev-zip-r2-4qp

# ---- list and types ------------------------------------------------------

@test "list shows the default parents, their types and instance counts" {
	run -0 accctl list
	assert_line 'accmdev0 address=1acce:00:00.0 kind=zip revision=1 qp_free=64 qp_total=64 migratable=1 algorithms=crc32c,deflate,inflate'
	assert_line 'accmdev2 address=1acce:00:02.0 kind=zip revision=2 qp_free=64 qp_total=64 migratable=1 algorithms=crc32c,adler32,deflate,inflate'
	assert_line 'accmdev3 address=1acce:00:03.0 kind=sec revision=1 qp_free=32 qp_total=32 migratable=1 algorithms=sha256,sha224'
	assert_line 'accmdev4 address=1acce:00:04.0 kind=zip revision=1 qp_free=16 qp_total=16 migratable=0 algorithms=crc32c,deflate,inflate'
	assert_line '  type    accmdev-zip-r1-4qp available=16 device_api=vfio-pci name="accmdev zip rev1 4-QP"'
	assert_line '  type    accmdev-zip-r2-4qp available=16 device_api=vfio-pci name="accmdev zip rev2 4-QP"'
	assert_line '  type    accmdev-sec-r1-16qp available=2 device_api=vfio-pci name="accmdev sec rev1 16-QP"'
	assert_line '  type    accmdev-zip-r1-16qp-nomig available=1 device_api=vfio-pci name="accmdev zip rev1 16-QP (no migration)"'
	assert_equal "$(grep -c '^accmdev' <<<"$output")" 5
	# Shapes 1..16 fit every pool: 5 types per model revision of a
	# parent, so 10 on accmdev2 (rev 2) and 5 on the others.
	assert_equal "$(grep -c '^  type ' <<<"$output")" 30
	refute_line --regexp '^  device '
}

@test "list shows a device with its type, and follows the pool" {
	uuid=$(create_mdev accmdev2 accmdev-zip-r2-4qp)
	run -0 accctl list --parent accmdev2
	assert_line "  device  $uuid accmdev-zip-r2-4qp"
	assert_line --partial 'accmdev2 address=1acce:00:02.0 kind=zip revision=2 qp_free=60 '
	# One pool for every type of the parent.
	assert_line '  type    accmdev-zip-r2-4qp available=15 device_api=vfio-pci name="accmdev zip rev2 4-QP"'
	assert_line '  type    accmdev-zip-r1-4qp available=15 device_api=vfio-pci name="accmdev zip rev1 4-QP"'
	refute_line --partial model_
	refute_line --partial accmdev0
	# A parent by its address, as mdevctl names it, is the same parent.
	by_name=$output
	run -0 accctl list --parent 1acce:00:02.0
	assert_equal "$output" "$by_name"
}

@test "list --json: parents, mdevctl-shaped types and devices, strings" {
	uuid=$(create_mdev accmdev3 accmdev-sec-r1-2qp)
	run -0 accctl list --json
	assert_equal "$(jq -r '.parents.accmdev3 | .address, .kind, .revision, .qp_free, .migratable' <<<"$output" | tr '\n' ' ')" \
		"1acce:00:03.0 sec 1 30 1 "
	# Types and devices as mdevctl shows them: by the parent's address.
	assert_equal "$(jq '.types | length' <<<"$output")" 1
	assert_equal "$(jq '.types[0]["1acce:00:00.0"][] | select(has("accmdev-zip-r1-1qp"))[].available_instances' <<<"$output")" 64
	assert_equal "$(jq '.types[0]["1acce:00:03.0"][] | select(has("accmdev-sec-r1-2qp"))[].available_instances' <<<"$output")" 15
	# The type decides the model: no attrs.
	assert_equal "$(jq -c ".devices[0][\"1acce:00:03.0\"][0][\"$uuid\"]" <<<"$output")" \
		'{"mdev_type":"accmdev-sec-r1-2qp","start":"manual","attrs":[]}'
	# Only available_instances is a number.
	assert_equal "$(jq -c '[paths(type == "number")] | map(.[-1]) | unique' <<<"$output")" \
		'["available_instances"]'
}

@test "types --json is list --json's types" {
	run -0 accctl types --json
	types=$output
	run -0 accctl list --json
	assert_equal "$(jq -c . <<<"$types")" "$(jq -c .types <<<"$output")"
}

# ---- create and remove ---------------------------------------------------

@test "create prints a new UUID; the device is there; remove deletes it" {
	run -0 accctl create --parent accmdev0 --type accmdev-zip-r1-2qp
	uuid=$output
	assert_regex "$uuid" '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'
	assert_equal "$(parent_of "$uuid")" accmdev0
	assert_equal "$(type_of "$uuid")" accmdev-zip-r1-2qp
	run -0 accctl remove "$uuid"
	assert_output ''
	assert [ ! -e "$MDEV_DEVICES/$uuid" ]
	assert_equal "$(<"$ACC_CLASS/accmdev0/qp_free")" 64
}

@test "create --uuid, PARENT/TYPE and a unique bare type" {
	u=$(new_uuid)
	run -0 accctl create -t accmdev3/accmdev-sec-r1-1qp -u "${u^^}"
	assert_output "$u"
	assert_equal "$(parent_of "$u")" accmdev3
	run -0 accctl create -t accmdev-sec-r1-4qp
	assert_equal "$(parent_of "$output")" accmdev3
	# Only accmdev2 offers revision 2.
	run -0 accctl create -t accmdev-zip-r2-1qp
	assert_equal "$(parent_of "$output")" accmdev2
}

@test "the type decides the model: a new device has its type's version" {
	run -0 accctl create -p accmdev2 -t accmdev-zip-r1-4qp
	uuid=$output
	assert_equal "$(device_version "$uuid")" 'accmdev/1.0;kind=zip;rev=1;qps=4;algs=crc32c,deflate,inflate'
	assert_equal "$(device_version "$uuid")" "$(type_version accmdev2 accmdev-zip-r1-4qp)"
	assert [ ! -e "$MDEV_DEVICES/$uuid/model_revision" ]
	assert [ ! -e "$MDEV_DEVICES/$uuid/model_algorithms" ]
	# No option sets a model any more; nothing is created.
	run -2 --separate-stderr accctl create -p accmdev2 -t accmdev-zip-r2-4qp --model-rev 1
	assert_one_line_error "unknown option '--model-rev'"
	run -2 --separate-stderr accctl create -p accmdev2 -t accmdev-zip-r2-4qp --model-algs crc32c
	assert_one_line_error "unknown option '--model-algs'"
	assert_equal "$(mdev_count)" 1
}

@test "create fails cleanly with no free instance or a taken UUID" {
	run -0 accctl create -p accmdev4 -t accmdev-zip-r1-16qp-nomig
	uuid=$output
	run -2 --separate-stderr accctl create -p accmdev4 -t accmdev-zip-r1-16qp-nomig
	assert_one_line_error 'no available instances of accmdev-zip-r1-16qp-nomig on accmdev4'
	run -2 --separate-stderr accctl create -p accmdev0 -t accmdev-zip-r1-1qp -u "$uuid"
	assert_one_line_error "device $uuid already exists"
	assert_equal "$(mdev_count)" 1
}

# ---- version -------------------------------------------------------------

@test "version prints the kernel's string for a type and a device" {
	run -0 accctl version "$Z2R2"
	assert_output "$(type_version accmdev2 accmdev-zip-r2-4qp)"
	assert_output 'accmdev/1.0;kind=zip;rev=2;qps=4;algs=crc32c,adler32,deflate,inflate'
	run -0 accctl version "$Z2"
	assert_output 'accmdev/1.0;kind=zip;rev=1;qps=4;algs=crc32c,deflate,inflate'
	uuid=$(create_mdev accmdev3 accmdev-sec-r1-8qp)
	run -0 accctl version "$uuid"
	assert_output 'accmdev/1.0;kind=sec;rev=1;qps=8;algs=sha256,sha224'
	run -0 accctl version --json "$uuid"
	assert_equal "$(jq -r '.origin, .kind, .rev, .qps, .algs' <<<"$output" | tr '\n' ' ')" \
		"$uuid sec 1 8 sha256,sha224 "
}

@test "version of a node that cannot migrate is an error" {
	run -2 --separate-stderr accctl version accmdev4/accmdev-zip-r1-1qp-nomig
	assert_one_line_error 'cannot migrate'
	uuid=$(create_mdev accmdev4 accmdev-zip-r1-1qp-nomig)
	run -2 --separate-stderr accctl version "$uuid"
	assert_one_line_error 'cannot migrate'
}

# ---- check: the kernel's verdict for each class --------------------------

@test "check: compatible pairs exit 0 (the same type, on any parent)" {
	check_class "$Z0" "$Z1" 0 ok ''
	# A revision-1 type of the revision-2 accelerator.
	check_class "$Z0" "$Z2" 0 ok ''
	check_class "$Z2R2" "$Z2R2" 0 ok ''
	check_class accmdev3/accmdev-sec-r1-2qp accmdev3/accmdev-sec-r1-2qp 0 ok ''
}

@test "check: a different kind is EXDEV" {
	check_class "$Z0" accmdev3/accmdev-sec-r1-4qp 1 kind EXDEV
}

@test "check: a different queue-pair count is ERANGE" {
	check_class "$Z0" accmdev1/accmdev-zip-r1-8qp 1 qps ERANGE
}

@test "check: another format version is EPROTO" {
	check_class 'accmdev/2.0;kind=zip;rev=1;qps=4;algs=crc32c' "$Z0" 1 format EPROTO
}

@test "check: another revision is ENOEXEC, for types as for devices" {
	check_class "$Z2R2" "$Z0" 1 rev ENOEXEC
	run -1 accctl check "$Z2R2" "$Z0"
	assert_line --regexp '^  rev +2 +1 +FAIL$'
	assert_line --regexp '^  algs .* FAIL  missing: adler32$'
	# Older into newer too: a type's revision is exact now.
	check_class "$Z0" "$Z2R2" 1 rev ENOEXEC
	run -1 accctl check "$Z0" "$Z2R2"
	assert_line --regexp '^  rev +1 +2 +FAIL$'
	assert_line --regexp '^  algs .* ok$'
}

@test "check: an algorithm the destination lacks is EOPNOTSUPP" {
	check_class 'accmdev/1.0;kind=zip;rev=1;qps=4;algs=crc32c,adler32' "$Z0" 1 algs EOPNOTSUPP
	run -1 accctl check 'accmdev/1.0;kind=zip;rev=1;qps=4;algs=crc32c,adler32' "$Z0"
	assert_line --regexp '^  algs .* FAIL  missing: adler32$'
}

@test "check: a destination that cannot migrate is ENODEV" {
	check_class "$Z0" accmdev4/accmdev-zip-r1-4qp-nomig 1 migratable ENODEV
}

@test "check against devices: the type's revision must match exactly" {
	src=$(create_mdev accmdev0 accmdev-zip-r1-4qp)
	dst=$(create_mdev accmdev2 accmdev-zip-r2-4qp)
	check_class "$src" "$dst" 1 rev ENOEXEC
	dst=$(create_mdev accmdev2 accmdev-zip-r1-4qp)
	check_class "$src" "$dst" 0 ok ''
	# A device takes a source with fewer algorithms than its own.
	check_class 'accmdev/1.0;kind=zip;rev=1;qps=4;algs=deflate' "$dst" 0 ok ''
	# A source read from a file, as carried from another host.
	device_version "$src" >"$BATS_TEST_TMPDIR/src.ver"
	check_class "@$BATS_TEST_TMPDIR/src.ver" "$Z1" 0 ok ''
}

@test "check --offline (migver) agrees with the kernel on every node" {
	uuid=$(create_mdev accmdev2 accmdev-zip-r2-4qp)
	for src in "$Z0" "$Z2R2" accmdev3/accmdev-sec-r1-1qp "$uuid" \
		   'accmdev/1.0;kind=zip;rev=1;qps=4;algs=adler32'; do
		# Exit 0 when something accepts, 1 when nothing does.
		run accctl targets --all --json "$src"
		kstatus=$status
		assert [ "$kstatus" -le 1 ]
		kernel=$(jq -c '[.types[], .devices[] | .result]' <<<"$output")
		run accctl targets --all --offline --json "$src"
		assert_equal "$status" "$kstatus"
		assert_equal "$(jq -c '[.types[], .devices[] | .result]' <<<"$output")" "$kernel"
	done
}

# ---- targets ---------------------------------------------------------------

@test "targets: the default parents that accept a revision-1 zip source" {
	run -0 accctl targets "$Z0"
	assert_output "$(printf 'type    %s  available=16\n' "$Z0" "$Z1" "$Z2")"
	run -0 accctl targets 'accmdev/1.0;kind=zip;rev=1;qps=1;algs=deflate'
	assert_output "$(printf 'type    accmdev%s/accmdev-zip-r1-1qp  available=64\n' 0 1 2)"
}

@test "targets: a revision-2 source fits only accmdev2, sec only accmdev3" {
	run -0 accctl targets accmdev2/accmdev-zip-r2-16qp
	assert_output 'type    accmdev2/accmdev-zip-r2-16qp  available=4'
	run -0 accctl targets accmdev3/accmdev-sec-r1-16qp
	assert_output 'type    accmdev3/accmdev-sec-r1-16qp  available=2'
	run -1 accctl targets 'accmdev/1.0;kind=zip;rev=1;qps=3;algs=crc32c'
	assert_output ''
}

@test "targets lists accepting devices and, with --all, every reason" {
	a=$(create_mdev accmdev1 accmdev-zip-r1-4qp)
	b=$(create_mdev accmdev2 accmdev-zip-r2-4qp)
	run -0 accctl targets "$Z0"
	assert_line "device  $a  accmdev1/accmdev-zip-r1-4qp"
	refute_line --partial "$b"
	run -0 accctl targets --all "$Z0"
	assert_line "device  $b  accmdev2/accmdev-zip-r2-4qp  result=rev"
	assert_line 'type    accmdev2/accmdev-zip-r2-4qp  available=15  result=rev'
	assert_line 'type    accmdev3/accmdev-sec-r1-4qp  available=8  result=kind'
	assert_line 'type    accmdev4/accmdev-zip-r1-4qp-nomig  available=4  result=migratable'
	assert_line 'type    accmdev1/accmdev-zip-r1-8qp  available=7  result=qps'
	run -0 accctl targets --json "$Z0"
	assert_equal "$(jq -c '[.types[] | .parent], [.devices[].uuid]' <<<"$output" | tr -d '\n')" \
		"[\"accmdev0\",\"accmdev1\",\"accmdev2\"][\"$a\"]"
}

# ---- create --like ---------------------------------------------------------

@test "create --like: the source's type, on the first parent, nothing set" {
	src=$(create_mdev accmdev2 accmdev-zip-r1-4qp)
	run -0 accctl create --like "$src"
	uuid=$output
	# accmdev0 is the first parent with the type.
	assert_equal "$(parent_of "$uuid")" accmdev0
	assert_equal "$(type_of "$uuid")" accmdev-zip-r1-4qp
	assert_equal "$(device_version "$uuid")" "$(device_version "$src")"
	run -0 accctl check "$src" "$uuid"
	run -0 accctl create --like "$src" --parent accmdev2
	assert_equal "$(parent_of "$output")" accmdev2
	assert_equal "$(type_of "$output")" accmdev-zip-r1-4qp
}

@test "create --like a revision-2 subset source lands on accmdev2's rev-2 type" {
	v='accmdev/1.0;kind=zip;rev=2;qps=2;algs=crc32c,adler32'
	run -0 accctl create --like "$v"
	uuid=$output
	assert_equal "$(parent_of "$uuid")" accmdev2
	assert_equal "$(type_of "$uuid")" accmdev-zip-r2-2qp
	# The device has its type's model, which includes the source's.
	assert_equal "$(device_version "$uuid")" 'accmdev/1.0;kind=zip;rev=2;qps=2;algs=crc32c,adler32,deflate,inflate'
	run -0 accctl check "$v" "$uuid"
	run -1 --separate-stderr accctl create --like "$v" --parent accmdev0
	assert_one_line_error 'no local type accepts'
	assert_equal "$(mdev_count)" 1
}

@test "create --like refuses a source no type accepts, creating nothing" {
	# adler32 is on the rev-2 hardware, but not in the rev-1 model.
	v='accmdev/1.0;kind=zip;rev=1;qps=4;algs=crc32c,adler32'
	run -1 accctl check "$v" "$Z2"
	run -1 --separate-stderr accctl create --like "$v"
	assert_one_line_error 'no local type accepts'
	assert_equal "$(mdev_count)" 0
	assert_equal "$(<"$ACC_CLASS/accmdev2/qp_free")" 64
}

@test "create --like with no free instance creates nothing" {
	accctl create -p accmdev3 -t accmdev-sec-r1-16qp
	accctl create -p accmdev3 -t accmdev-sec-r1-16qp
	run -1 --separate-stderr accctl create --like accmdev3/accmdev-sec-r1-16qp
	assert_one_line_error 'none has a free instance'
	assert_equal "$(mdev_count)" 2
}

# ---- export, require, check --export (Documentation/accctl.rst,
# "Scheduling"); the oracles are sysfs and the kernel's own answers -------

@test "export: every type, with the kernel's versions, counts and labels" {
	# A device moves the counts, not the labels.
	create_mdev accmdev1 accmdev-zip-r1-16qp >/dev/null
	all_types
	want=()
	for pt in "${TYPES[@]}"; do
		p=${pt%%/*} t=${pt#*/}
		read -r n <"$ACC_CLASS/$p/mdev_supported_types/$t/available_instances"
		if [[ $t == *-nomig ]]; then
			want+=("$pt false null $n null null")
		else
			class_names "$t"
			want+=("$pt true $(type_version "$p" "$t") $n $LABEL $TRAIT")
		fi
	done
	assert_equal "${#want[@]}" 30
	run -0 accctl export
	assert_equal "$(jq -c '.format, (.types | length)' <<<"$output" | tr '\n' ' ')" '1 30 '
	assert_equal "$(jq -r '.types[] | "\(.parent)/\(.type) \(.migratable) \(.migration_version) \(.available_instances) \(.label) \(.trait)"' <<<"$output" | sort)" \
		"$(printf '%s\n' "${want[@]}" | sort)"
	# JSON types as the spec gives them.
	assert_equal "$(jq -c '[.types[] | [(.migratable | type), (.available_instances | type)]] | unique' <<<"$output")" \
		'[["boolean","number"]]'
	# --parent keeps one parent's types.
	run -0 accctl export --parent accmdev2
	assert_equal "$(jq -c '[.types[].parent] | unique, length' <<<"$output" | tr '\n' ' ')" '["accmdev2"] 10 '
}

@test "export --format nfd: a feature file with one line per label of the host" {
	# Capability, not availability: a full type keeps its label.
	accctl create -p accmdev3 -t accmdev-sec-r1-16qp
	accctl create -p accmdev3 -t accmdev-sec-r1-16qp
	all_types
	want=()
	for pt in "${TYPES[@]}"; do
		[[ $pt == *-nomig ]] && continue
		class_names "${pt#*/}"
		want+=("$LABEL=true")
	done
	run -0 accctl export --format nfd
	assert_equal "${lines[0]:0:1}" '#'
	body=$(tail -n +2 <<<"$output")
	assert_equal "$(grep -cvE '^[a-z0-9./-]+=true$' <<<"$body")" 0
	assert_equal "$body" "$(printf '%s\n' "${want[@]}" | LC_ALL=C sort -u)"
	assert_equal "${#lines[@]}" 16
	assert_line 'feature.node.kubernetes.io/accmdev-migrate-sec-r1-16qp=true'
}

@test "export --format nova: a provider config that parses, with the host's traits" {
	all_types
	want=()
	for pt in "${TYPES[@]}"; do
		[[ $pt == *-nomig ]] && continue
		class_names "${pt#*/}"
		want+=("$TRAIT")
	done
	traits=$(printf '%s\n' "${want[@]}" | LC_ALL=C sort -u)
	run -0 accctl export --format nova
	nova=$output
	# The exact text: a comment, then the schema's shape.
	assert_equal "$(tail -n +2 <<<"$nova")" "$(printf '%s\n' 'meta:' "  schema_version: '1.0'" \
		'providers:' '  - identification:' '      uuid: $COMPUTE_NODE' '    traits:' \
		'      additional:'; sed 's/^/        - /' <<<"$traits")"
	assert_equal "${lines[0]:0:1}" '#'
	# And a YAML parser reads the same, where the guest has one.
	if python3 -c 'import yaml' 2>/dev/null; then
		run -0 python3 -c '
import sys, yaml
d = yaml.safe_load(sys.stdin)
assert d["meta"] == {"schema_version": "1.0"}, d
(p,) = d["providers"]
assert p["identification"] == {"uuid": "$COMPUTE_NODE"}, p
print("\n".join(p["traits"]["additional"]))' <<<"$nova"
		assert_output "$traits"
	else
		echo "# python3 yaml is not in this guest: the line check above stands alone" >&3
	fi
}

@test "export of a parent that cannot migrate: no label, no trait, no version" {
	run -0 accctl export --parent accmdev4
	assert_equal "$(jq -c '[.types[] | [.migratable, .migration_version, .label, .trait]] | unique, length' <<<"$output" | tr '\n' ' ')" \
		'[[false,null,null,null]] 5 '
	run -0 accctl export --parent accmdev4 --format nfd
	assert_equal "${#lines[@]}" 1
	assert_equal "${lines[0]:0:1}" '#'
	run -0 accctl export --parent accmdev4 --format nova
	assert_line '      additional: []'
}

@test "require gives the label of the source's type" {
	for pt in accmdev0/accmdev-zip-r1-4qp accmdev2/accmdev-zip-r2-16qp \
		  accmdev3/accmdev-sec-r1-2qp; do
		p=${pt%%/*} t=${pt#*/}
		class_names "$t"
		uuid=$(create_mdev "$p" "$t")
		run -0 accctl require "$uuid"
		assert_output "$LABEL"
		run -0 accctl require "$uuid" --format nova
		assert_output "$TRAIT"
		run -0 accctl require "$uuid" --format json
		assert_equal "$(jq -r '.label, .trait, .type' <<<"$output" | tr '\n' ' ')" "$LABEL $TRAIT $t "
		# The type node names the same class.
		run -0 accctl require "$pt"
		assert_output "$LABEL"
	done
	# A source with fewer algorithms needs the same class.
	run -0 accctl require 'accmdev/1.0;kind=zip;rev=2;qps=4;algs=adler32'
	assert_output feature.node.kubernetes.io/accmdev-migrate-zip-r2-4qp
	# No type anywhere accepts a revision-1 source with adler32.
	run -1 --separate-stderr accctl require 'accmdev/1.0;kind=zip;rev=1;qps=4;algs=crc32c,adler32'
	assert_one_line_error 'no accmdev type accepts'
	run -1 --separate-stderr accctl require 'accmdev/1.0;kind=zip'
	assert_one_line_error 'malformed version string'
}

# Type by type against the kernel, for every source of a generated
# fleet, is 82-fleet's differential; here the output's shapes.
@test "check --export: a line per type; a type that accepts but is full is no answer" {
	# accmdev3's 16-QP type is full after two devices.
	accctl create -p accmdev3 -t accmdev-sec-r1-16qp
	accctl create -p accmdev3 -t accmdev-sec-r1-16qp
	accctl export >"$BATS_TEST_TMPDIR/host.json"
	run -0 accctl check "$(type_version accmdev0 accmdev-zip-r1-4qp)" --export "$BATS_TEST_TMPDIR/host.json"
	assert_equal "${#lines[@]}" 30
	assert_line 'accmdev0/accmdev-zip-r1-4qp: ok (16 available)'
	assert_line 'accmdev2/accmdev-zip-r2-4qp: refused: rev (ENOEXEC)'
	assert_line 'accmdev4/accmdev-zip-r1-4qp-nomig: refused: migratable (ENODEV)'
	run -1 accctl check "$(type_version accmdev3 accmdev-sec-r1-16qp)" --export "$BATS_TEST_TMPDIR/host.json" --json
	assert_equal "$(jq -r '.accepted, (.types[] | select(.ok) | "\(.parent)/\(.type) \(.available_instances)")' <<<"$output")" \
		"$(printf '%s\n' false 'accmdev3/accmdev-sec-r1-16qp 0')"
	assert_equal "$(jq '[.types[] | select(.ok | not)] | length' <<<"$output")" 29
}

@test "Documentation/samples are accctl's export on the default parents" {
	local bad=''
	for f in nfd:accmdev-nfd.features nova:accmdev-nova-provider.yaml; do
		run -0 accctl export --format "${f%%:*}"
		[ "$output" = "$(<"$ACCMDEV_SRC/Documentation/samples/${f#*:}")" ] && continue
		sed "s/^/# sample ${f#*:}: /" <<<"$output" >&3
		bad+=" ${f#*:}"
	done
	[ -z "$bad" ] || fail "not what accctl export writes now, in Documentation/samples:$bad"
}

# ---- monitor ---------------------------------------------------------------

@test "monitor lists what exists, then add, bind and remove with the type" {
	old=$(create_mdev accmdev1 accmdev-zip-r1-1qp)
	start_monitor "$BATS_TEST_TMPDIR/mon"
	assert_equal "$(grep -c '^exists accmdev ' "$BATS_TEST_TMPDIR/mon")" 5
	grep -qx "exists mdev $old parent=accmdev1 type=accmdev-zip-r1-1qp" "$BATS_TEST_TMPDIR/mon"
	uuid=$(accctl create -p accmdev0 -t accmdev-zip-r1-2qp)
	# Remove only once the monitor has seen the device: a monitor that
	# lags behind a removal cannot find the type of what is gone.
	wait_line "$BATS_TEST_TMPDIR/mon" "^bind mdev $uuid "
	accctl remove "$uuid"
	wait_line "$BATS_TEST_TMPDIR/mon" "^remove mdev $uuid "
	kill -TERM "$MONITOR_PID"
	wait_monitor 0
	run cat "$BATS_TEST_TMPDIR/mon"
	# add comes before mdev_type exists: the monitor waited for it.
	assert_line "add mdev $uuid parent=accmdev0 type=accmdev-zip-r1-2qp"
	assert_line --regexp "^bind mdev $uuid parent=accmdev0 type=accmdev-zip-r1-2qp driver=.+"
	assert_line "remove mdev $uuid parent=accmdev0"
	assert_equal "$(grep -oE "^(add|bind|remove) mdev $uuid" "$BATS_TEST_TMPDIR/mon" |
		cut -d' ' -f1 | tr '\n' ' ')" "add bind remove "
}

@test "monitor --count stops after N events; --timeout without them is 1" {
	start_monitor "$BATS_TEST_TMPDIR/mon" --count 1 --timeout 60
	uuid=$(create_mdev accmdev0 accmdev-zip-r1-1qp)
	wait_monitor 0
	assert_equal "$(grep -vc '^exists ' "$BATS_TEST_TMPDIR/mon")" 1
	grep -q "^add mdev $uuid " "$BATS_TEST_TMPDIR/mon"
	run -1 accctl monitor --count 1 --timeout 1
	run -0 accctl monitor --timeout 1
}

@test "libudev paths leak nothing (LSan): list, targets, monitor" {
	export ACCCTL_LEAKS=1 ASAN_OPTIONS=exitcode=99:detect_leaks=1
	uuid=$(create_mdev accmdev0 accmdev-zip-r1-1qp)
	run -0 accctl list
	run -0 accctl targets "$uuid"
	run -0 accctl export
	run -0 accctl monitor --timeout 1
	assert_line "exists mdev $uuid parent=accmdev0 type=accmdev-zip-r1-1qp"
	start_monitor "$BATS_TEST_TMPDIR/mon" --count 2
	remove_mdev "$uuid"
	wait_monitor 0
}

@test "monitor exits 0 on SIGINT" {
	start_monitor "$BATS_TEST_TMPDIR/mon"
	kill -INT "$MONITOR_PID"
	wait_monitor 0
}

# ---- bad arguments: one line on stderr, exit 2 ----------------------------

@test "bad arguments exit 2 with one line on stderr" {
	local unknown
	unknown=$(new_uuid)
	printf 'accmdev/1.0;kind=zip\n' >"$BATS_TEST_TMPDIR/garbage.ver"
	while IFS='|' read -r args expect; do
		eval "set -- $args"
		run -2 --separate-stderr "$ACCCTL" "$@"
		assert_one_line_error "$expect"
		assert_output ''
	done <<EOF2
version $unknown|unknown device $unknown
check $unknown $Z0|unknown device $unknown
check $Z0 $unknown|unknown device $unknown
remove $unknown|unknown device $unknown
remove not-a-uuid|'not-a-uuid' is not a UUID
version accmdev0/accmdev-zip-r1-3qp|unknown type 'accmdev-zip-r1-3qp' on accmdev0
version accmdev0/accmdev-zip-4qp|unknown type 'accmdev-zip-4qp' on accmdev0
version accmdev0/accmdev-zip-r2-4qp|unknown type 'accmdev-zip-r2-4qp' on accmdev0
check accmdev-zip-r1-4qp $Z0|is on several parents
check $Z0 accmdev9/accmdev-zip-r1-4qp|unknown parent 'accmdev9'
create -p accmdev0 -t nope|unknown type 'nope' on accmdev0
check 'accmdev/1.0;kind=zip' $Z0|malformed version string
targets 'accmdev/garbage'|malformed version string
check @$BATS_TEST_TMPDIR/garbage.ver $Z0|malformed version string
check @$BATS_TEST_TMPDIR/missing.ver $Z0|No such file or directory
create --like @$BATS_TEST_TMPDIR/missing.ver|No such file or directory
check $Z0 'accmdev/1.0;kind=zip;rev=1;qps=4;algs=crc32c'|not a local type or UUID
export --format yaml|bad value 'yaml' for --format
export --parent accmdev9|unknown parent 'accmdev9'
require $unknown|unknown device $unknown
require accmdev4/accmdev-zip-r1-1qp-nomig|cannot migrate
check $Z0 --export $BATS_TEST_TMPDIR/missing.json|No such file or directory
check $Z0 --export $BATS_TEST_TMPDIR/garbage.ver|not JSON
check $Z0 $Z1 --export $BATS_TEST_TMPDIR/garbage.ver|unexpected operand
frobnicate|unknown verb 'frobnicate'
list --frobnicate|unknown option '--frobnicate'
--frobnicate list|unknown option '--frobnicate'
check $Z0|missing operand
monitor --count x|bad value 'x' for --count
EOF2
	assert_equal "$(mdev_count)" 0
}
