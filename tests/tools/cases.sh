# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# Cases of run.sh. "t NAME TREE ARGS..." compares with golden/NAME.txt;
# "a NAME FUNCTION ARGS..." passes if the function succeeds. On a fake
# tree, check and targets are decided by migver (the files cannot answer
# with kernel errnos); the VM tests cover the kernel's answers.

# shellcheck disable=SC2154	# W, FILES, accctl come from run.sh

U0=11111111-1111-4111-8111-111111111111	# accmdev0 zip-r1-4qp
U2=22222222-2222-4222-8222-222222222222	# accmdev2 zip-r1-4qp
U2B=2222aaaa-2222-4222-8222-222222222222	# accmdev2 zip-r2-4qp
U2N=2222bbbb-2222-4222-8222-222222222222	# accmdev2 zip-r2-4qp, narrowed to crc32c,adler32
U3=33333333-3333-4333-8333-333333333333	# accmdev3 sec-r1-2qp
U4=44444444-4444-4444-8444-444444444444	# accmdev4 zip-r1-1qp-nomig
UNEW=12345678-1234-4234-8234-123456789abc	# not on any tree
ZIP4=accmdev0/accmdev-zip-r1-4qp
HOSTB=$here/data/hostb-export.json	# another host's export, by hand

V_ZIP1='accmdev/1.0;kind=zip;rev=1;qps=1;algs=crc32c,deflate,inflate'
printf '%s\n' "$V_ZIP1" >"$FILES/zip1.ver"
printf 'accmdev/1.0;kind=zip;rev=1\n' >"$FILES/garbage.ver"
: >"$FILES/empty.ver"
printf 'accmdev/1.0;kind=zip;rev=1;\000qps=1\n' >"$FILES/binary.ver"
printf '%s\n%s\n' "$V_ZIP1" "$V_ZIP1" >"$FILES/twolines.ver"

# ---- list and types ----------------------------------------------------
t list-default default list
t list-devices devices list
t list-devices-json devices list --json
t list-parent devices list --parent accmdev2
t list-parent-json devices list --json --parent accmdev3
t list-empty empty list
t list-empty-json empty list --json
T_ENV="ACCCTL_READY_TIMEOUT_MS=50" t list-race-not-ready race list --parent accmdev0
t types-default default types
t types-default-json default types --json
t types-parent-json devices types -p accmdev3 --json
t types-empty-json empty types --json
T_ENV="ACCCTL_SYSFS_ROOT=$W/devices" t list-env-root - list --parent accmdev0

# ---- version -----------------------------------------------------------
t version-type devices version accmdev2/accmdev-zip-r2-4qp
t version-type-bare default version accmdev-sec-r1-4qp
t version-device devices version "$U2B"
t version-device-upper devices version 2222AAAA-2222-4222-8222-222222222222
t version-device-json devices version "$U0" --json
t version-literal-json default version 'accmdev/1.0;kind=sec;rev=1;qps=2;algs=sha224;x-note=a.b' --json
t version-newer-format-json default version 'accmdev/1.7;whatever=1' --json
t version-file default version "@$FILES/zip1.ver"
T_STDIN=$FILES/zip1.ver t version-stdin default version @-
t err-version-nomig-type default version accmdev4/accmdev-zip-r1-1qp-nomig
t err-version-nomig-device devices version "$U4"
t err-version-race race version accmdev1/accmdev-zip-r1-1qp
t err-version-ambiguous default version accmdev-zip-r1-1qp
t err-version-unknown-parent default version accmdev9/accmdev-zip-r1-1qp
t err-version-unknown-type default version accmdev0/accmdev-zip-r1-3qp
t err-version-rev-beyond-parent default version accmdev0/accmdev-zip-r2-1qp
t err-version-old-name default version accmdev0/accmdev-zip-4qp
t err-version-unknown-uuid devices version "$UNEW"
t err-version-garbage default version 'accmdev/1.0;kind=zip'
t err-version-garbage-file default version "@$FILES/garbage.ver"
t err-version-empty-file default version "@$FILES/empty.ver"
t err-version-binary-file default version "@$FILES/binary.ver"
t err-version-two-lines default version "@$FILES/twolines.ver"
t err-version-missing-file default version "@$FILES/nonexistent"
t err-version-at-only default version @

# ---- check: one case per verdict class, type and device nodes -----------
t check-type-same devices check "$ZIP4" accmdev1/accmdev-zip-r1-4qp
t check-type-r1-on-rev2-parent devices check "$ZIP4" accmdev2/accmdev-zip-r1-4qp
t check-type-rev-newer devices check "$ZIP4" accmdev2/accmdev-zip-r2-4qp
t check-type-rev devices check accmdev2/accmdev-zip-r2-4qp "$ZIP4"
t check-type-kind devices check "$ZIP4" accmdev3/accmdev-sec-r1-4qp
t check-type-qps devices check "$ZIP4" accmdev1/accmdev-zip-r1-8qp
t check-type-nomig devices check "$ZIP4" accmdev4/accmdev-zip-r1-4qp-nomig
t check-type-algs default check 'accmdev/1.0;kind=zip;rev=1;qps=4;algs=adler32' "$ZIP4"
t check-format default check 'accmdev/2.0;kind=zip;rev=1;qps=4;algs=crc32c' "$ZIP4"
t check-unknown-kind default check 'accmdev/1.0;kind=lz;rev=1;qps=4;algs=crc32c' "$ZIP4"
t check-unknown-alg default check 'accmdev/1.0;kind=zip;rev=1;qps=4;algs=crc32c,lz4' "$ZIP4"
t check-extension-field default check 'accmdev/1.0;x-host=a1;kind=zip;rev=1;qps=4;algs=deflate' "$ZIP4"
t check-device-same devices check "$U0" "$U2"
t check-device-rev devices check "$U2B" "$U2"
t check-device-to-type devices check "$U2B" accmdev2/accmdev-zip-r2-4qp
t check-device-narrowed devices check "$U2B" "$U2N"
t check-device-narrow-src devices check "$U2N" "$U2B"
t check-device-nomig devices check "$U0" "$U4"
t check-file default check "@$FILES/zip1.ver" accmdev2/accmdev-zip-r1-1qp
t check-json-ok devices check "$ZIP4" accmdev2/accmdev-zip-r1-4qp --json
t check-json-rev devices check --json "$U2B" "$U2"
t check-json-nomig devices check "$ZIP4" accmdev4/accmdev-zip-r1-4qp-nomig --json
t check-offline devices check --offline "$U0" "$U2"
t err-check-garbage default check 'accmdev/1.0;rev=1' "$ZIP4"
t err-check-garbage-file default check "@$FILES/garbage.ver" "$ZIP4"
t err-check-missing-file default check "@$FILES/nonexistent" "$ZIP4"
t err-check-unknown-src devices check "$UNEW" "$ZIP4"
t err-check-unknown-dst devices check "$ZIP4" "$UNEW"
t err-check-not-a-node default check "$ZIP4" 'accmdev/1.0;kind=zip'
t err-check-ambiguous-dst default check "$ZIP4" accmdev-zip-r1-4qp
t err-check-nomig-src default check accmdev4/accmdev-zip-r1-4qp-nomig "$ZIP4"
t err-check-race-dst race check "$ZIP4" accmdev1/accmdev-zip-r1-4qp
t err-check-one-operand default check "$ZIP4"
t err-check-three-operands default check "$ZIP4" "$ZIP4" "$ZIP4"

# ---- targets -------------------------------------------------------------
t targets-default-zip1 default targets "$V_ZIP1"
t targets-default-zip2 default targets accmdev2/accmdev-zip-r2-2qp
t targets-default-sec default targets accmdev3/accmdev-sec-r1-16qp
t targets-devices devices targets "$ZIP4"
t targets-devices-all devices targets "$ZIP4" --all
t targets-devices-json devices targets "$U3" --json
t targets-default-json default targets accmdev2/accmdev-zip-r2-16qp --json
t targets-devices-narrow devices targets "$U2N"
t targets-none default targets 'accmdev/1.0;kind=zip;rev=1;qps=3;algs=crc32c'
t targets-none-json empty targets "$V_ZIP1" --json
t err-targets-garbage default targets 'accmdev/x'

# ---- create and remove (a fake tree has no kernel to make the device) ----
t create-never-ready copy:default create -p accmdev0 -t accmdev-zip-r1-1qp -u "$UNEW"
t create-like-none devices create --like "$U3" --parent accmdev0
t create-like-nomig-parent default create --like 'accmdev/1.0;kind=zip;rev=1;qps=16;algs=crc32c' --parent accmdev4
T_PREP='for f in "$root"/sys/class/accmdev/*/mdev_supported_types/accmdev-zip-r1-16qp/available_instances; do echo 0 >"$f"; done' \
	t create-like-full copy:default create --like 'accmdev/1.0;kind=zip;rev=1;qps=16;algs=crc32c'
t err-create-no-type default create --parent accmdev0
t err-create-model-rev default create -p accmdev0 -t accmdev-zip-r1-1qp --model-rev 1
t err-create-model-algs default create -p accmdev0 -t accmdev-zip-r1-1qp --model-algs crc32c
t err-create-bad-uuid default create -p accmdev0 -t accmdev-zip-r1-1qp -u 1234
t err-create-like-and-type default create --like "$ZIP4" -t accmdev-zip-r1-4qp
t err-create-exists devices create -p accmdev0 -t accmdev-zip-r1-1qp -u "$U0"
t err-create-no-instances devices create -t accmdev4/accmdev-zip-r1-16qp-nomig
t err-create-unknown-parent default create -p accmdev7 -t accmdev-zip-r1-1qp
t err-create-parent-mismatch default create -p accmdev1 -t accmdev0/accmdev-zip-r1-1qp
t err-create-ambiguous default create -t accmdev-zip-r1-1qp
t err-create-like-garbage default create --like accmdev/1
t err-create-like-nomig default create --like accmdev4/accmdev-zip-r1-1qp-nomig
t err-create-operand default create -p accmdev0 -t accmdev-zip-r1-1qp extra
t remove-device copy:devices remove "$U3"
t err-remove-unknown devices remove "$UNEW"
t err-remove-not-uuid devices remove accmdev0
t err-remove-foreign devices remove 99999999-0000-4000-8000-000000000001
t err-remove-no-operand devices remove

# create --like writes the UUID to the create file of the type it picked
# (the fake tree then never shows the device, so it fails after that).
like_picks() {	# TREE SRC WANT-PARENT/TYPE [PREP [ARGS...]]
	local root f t p got=''

	root=$(tree_root "copy:$1")
	eval "${4:-}"
	"$accctl" --sysfs-root "$root" create --like "$2" -u "$UNEW" "${@:5}" \
		>/dev/null 2>&1
	for f in "$root"/sys/class/accmdev/*/mdev_supported_types/*/create; do
		[ -s "$f" ] || continue
		grep -qx "$UNEW" "$f" || { echo "# $f holds $(cat "$f")"; return 1; }
		t=${f%/create}
		p=${t%/mdev_supported_types/*}
		got+="${p##*/}/${t##*/} "
	done
	[ "$got" = "$3 " ] || { echo "# picked '$got', want '$3'"; return 1; }
}
a create-like-first-parent like_picks default "$V_ZIP1" accmdev0/accmdev-zip-r1-1qp
a create-like-rev2 like_picks default accmdev2/accmdev-zip-r2-8qp accmdev2/accmdev-zip-r2-8qp
a create-like-narrow-device like_picks devices "$U2N" accmdev2/accmdev-zip-r2-4qp
a create-like-given-parent like_picks default "$ZIP4" accmdev2/accmdev-zip-r1-4qp '' --parent accmdev2
a create-like-skips-full like_picks default "$ZIP4" accmdev1/accmdev-zip-r1-4qp \
	'echo 0 >"$root/sys/class/accmdev/accmdev0/mdev_supported_types/accmdev-zip-r1-4qp/available_instances"'
a create-like-sec like_picks default 'accmdev/1.0;kind=sec;rev=1;qps=16;algs=sha224' accmdev3/accmdev-sec-r1-16qp

# ---- export, require, check --export -------------------------------------
t export-default default export
t export-devices devices export --format json
t export-nfd default export --format nfd
t export-nova default export --format nova
t export-parent-nfd devices export --format nfd --parent accmdev2
t export-nomig-nova default export --format nova -p accmdev4
t export-nomig-nfd default export --format nfd -p accmdev4
t export-empty empty export
t export-empty-nova empty export --format nova
t export-race race export -p accmdev1
t err-export-format default export --format yaml
t err-export-unknown-parent default export --parent accmdev9
t err-export-operand default export accmdev0
t require-type default require accmdev2/accmdev-zip-r2-4qp
t require-type-nova default require accmdev2/accmdev-zip-r2-4qp --format nova
t require-narrow-device-json devices require "$U2N" --format json
t require-literal-json default require 'accmdev/1.0;kind=sec;rev=1;qps=2;algs=sha224' --format json
t require-file default require "@$FILES/zip1.ver" --format nova
t require-no-such-shape default require 'accmdev/1.0;kind=zip;rev=1;qps=3;algs=crc32c'
t err-require-algs default require 'accmdev/1.0;kind=zip;rev=1;qps=4;algs=crc32c,adler32'
t err-require-rev default require 'accmdev/1.0;kind=zip;rev=3;qps=4;algs=crc32c'
t err-require-kind default require 'accmdev/1.0;kind=lz;rev=1;qps=4;algs=crc32c'
t err-require-unknown-alg default require 'accmdev/1.0;kind=zip;rev=1;qps=4;algs=crc32c,lz4'
t err-require-format default require 'accmdev/2.0;kind=zip;rev=1;qps=4;algs=crc32c'
t err-require-malformed default require 'accmdev/1.0;kind=zip'
t err-require-nomig-src default require accmdev4/accmdev-zip-r1-1qp-nomig
t err-require-unknown-src devices require "$UNEW"
t err-require-bad-format default require "$ZIP4" --format yaml
t err-require-no-operand default require
t check-export-ok default check "$ZIP4" --export "$HOSTB"
t check-export-json default check "$ZIP4" --export "$HOSTB" --json
t check-export-none-available default check accmdev2/accmdev-zip-r2-4qp --export "$HOSTB"
t check-export-none-available-json default check accmdev2/accmdev-zip-r2-4qp --export "$HOSTB" --json
t check-export-sec default check 'accmdev/1.0;kind=sec;rev=1;qps=4;algs=sha224' --export "$HOSTB"
t check-export-algs default check 'accmdev/1.0;kind=zip;rev=1;qps=4;algs=crc32c,adler32' --export "$HOSTB"
t check-export-format default check 'accmdev/1.1;kind=zip;rev=1;qps=4;algs=crc32c' --export "$HOSTB" --json
t check-export-device devices check "$U2N" --export "$HOSTB"
T_STDIN=$HOSTB t check-export-stdin default check "$ZIP4" --export -
t err-check-export-missing default check "$ZIP4" --export "$FILES/nonexistent"
t err-check-export-not-json default check "$ZIP4" --export "$FILES/zip1.ver"
t err-check-export-with-dst default check "$ZIP4" "$ZIP4" --export "$HOSTB"
t err-check-export-offline default check "$ZIP4" --export "$HOSTB" --offline
t err-check-export-malformed-src default check 'accmdev/1.0;kind=zip' --export "$HOSTB"

# A file that is not a usable export: exit 2, one line that says why.
bad_export() {	# JSON WANT
	local f=$W/bad-export.json out rc

	printf '%s' "$1" >"$f"
	out=$("$accctl" --sysfs-root "$W/default" check "$ZIP4" --export "$f" 2>&1 >/dev/null)
	rc=$?
	[ "$rc" = 2 ] && [ "$(wc -l <<<"$out")" = 1 ] && [[ $out == *"$2"* ]] ||
		{ echo "# exit $rc: $out"; return 1; }
}
a export-file-empty bad_export '' 'unexpected end at byte 0'
a export-file-not-object bad_export '[]' 'not an accctl export'
a export-file-format-2 bad_export '{"format":2,"types":[]}' 'export format is not 1'
a export-file-format-text bad_export '{"format":"1","types":[]}' 'export format is not 1'
a export-file-types-object bad_export '{"format":1,"types":{}}' '"types" is not an array'
a export-file-trailing-comma bad_export '{"format":1,"types":[],}' 'expected a member name'
a export-file-trailing-data bad_export '{"format":1,"types":[]} x' 'trailing data'
a export-file-lone-surrogate bad_export '{"format":1,"types":["\ud800"]}' 'lone surrogate'
a export-file-nul-escape bad_export '{"format":1,"types":["a\u0000b"]}' '\u0000 in a string'
a export-file-control-char bad_export $'{"format":1,"types":["a\tb"]}' 'control character'
a export-file-deep bad_export "$(printf '[%.0s' {1..40})" 'nested too deeply'
a export-file-leading-zero bad_export '{"format":01,"types":[]}' "expected ',' or '}'"
a export-file-no-parent bad_export '{"format":1,"types":[{"type":"t","migratable":false,"available_instances":1}]}' 'types[0] has no string "parent"'
a export-file-mig-not-bool bad_export '{"format":1,"types":[{"parent":"p","type":"t","migratable":1,"available_instances":1}]}' 'no boolean "migratable"'
a export-file-no-version bad_export '{"format":1,"types":[{"parent":"p","type":"t","migratable":true,"migration_version":null,"available_instances":1}]}' 'no string "migration_version"'
a export-file-bad-version bad_export '{"format":1,"types":[{"parent":"p","type":"t","migratable":true,"migration_version":"accmdev/1.0;kind=zip","available_instances":1}]}' "p/t: migration_version 'accmdev/1.0;kind=zip' does not parse"
a export-file-nomig-version bad_export '{"format":1,"types":[{"parent":"p","type":"t","migratable":false,"migration_version":"accmdev/1.0;kind=zip;rev=1;qps=1;algs=crc32c","available_instances":1}]}' 'cannot migrate but has a migration_version'
a export-file-negative bad_export '{"format":1,"types":[{"parent":"p","type":"t","migratable":false,"available_instances":-1}]}' 'no count "available_instances"'
a export-file-fraction bad_export '{"format":1,"types":[{"parent":"p","type":"t","migratable":false,"available_instances":1.5}]}' 'no count "available_instances"'

# Mutated exports (a fixed seed, so a failure repeats): every one ends
# in 0, 1 or 2, with one line on stderr for 2, and no sanitizer report.
export_mutations() {
	local text mut f=$W/mutated.json i pos rc chars='{}[]":,\\u0-e.tnf ' n=0
	text=$(<"$HOSTB")
	RANDOM=18
	for ((i = 0; i < 300; i++)); do
		mut=$text
		for _ in 1 2; do
			pos=$((RANDOM % ${#mut}))
			mut=${mut:0:pos}${chars:RANDOM % ${#chars}:1}${mut:pos + 1}
		done
		((i % 10)) || mut=${mut:0:RANDOM % ${#mut}}
		printf '%s' "$mut" >"$f"
		"$accctl" --sysfs-root "$W/default" check "$ZIP4" --export "$f" \
			>/dev/null 2>"$W/mutated.err"
		rc=$?
		case $rc in
		0 | 1) n=$((n + 1)) ;;
		2) [ "$(wc -l <"$W/mutated.err")" = 1 ] ||
			{ echo "# mutation $i: $(cat "$W/mutated.err")"; return 1; } ;;
		*) echo "# mutation $i: exit $rc"; sed 's/^/# /' "$W/mutated.err"; return 1 ;;
		esac
	done
	# Some mutations (inside strings the check ignores) still parse.
	[ "$n" -gt 0 ] || { echo "# no mutation parsed"; return 1; }
}
a export-file-mutations export_mutations

# An export read back: check --export on this host's own export gives,
# type by type, the verdicts of check on this host's types (migver on
# their migration_version files, written by mkfake, not by accctl).
export_roundtrip() {
	local src own want got

	command -v jq >/dev/null || { echo "jq is not installed"; return 77; }
	own=$W/own-export.json
	"$accctl" --sysfs-root "$W/devices" export >"$own" || return 1
	for src in "$ZIP4" accmdev2/accmdev-zip-r2-16qp "$U2N" "$U3" \
		   'accmdev/1.0;kind=zip;rev=2;qps=4;algs=deflate' \
		   'accmdev/1.0;kind=zip;rev=1;qps=4;algs=adler32' \
		   'accmdev/1.3;kind=zip;rev=1;qps=4;algs=crc32c'; do
		want=$("$accctl" --sysfs-root "$W/devices" targets "$src" --all --json |
			jq -c '[.types[] | [.parent + "/" + .mdev_type, .result]]')
		got=$("$accctl" --sysfs-root "$W/devices" check "$src" --export "$own" --json |
			jq -c '[.types[] | [.parent + "/" + .type, if .ok then "ok" else .errno end]]' |
			sed -e 's/"EXDEV"/"kind"/g; s/"ERANGE"/"qps"/g; s/"ENOEXEC"/"rev"/g' \
			    -e 's/"EOPNOTSUPP"/"algs"/g; s/"ENODEV"/"migratable"/g; s/"EPROTO"/"format"/g')
		[ -n "$want" ] && [ "$want" = "$got" ] ||
			{ echo "# $src: targets $want"; echo "# export  $got"; return 1; }
	done
}
a export-roundtrip export_roundtrip

# The formats parse: JSON with jq, NFD lines by their grammar, the Nova
# file with python3's yaml (if there) into the schema's shape.
export_formats() {
	local out

	command -v jq >/dev/null || { echo "jq is not installed"; return 77; }
	out=$("$accctl" --sysfs-root "$W/devices" export) || return 1
	jq -e '.format == 1 and (.types | length) == 30 and
	       all(.types[]; (.migratable | type) == "boolean" and
		   (.available_instances | type) == "number" and
		   if .migratable then (.migration_version | type) == "string"
		   else .migration_version == null and .label == null and .trait == null end)' \
		<<<"$out" >/dev/null || return 1
	out=$("$accctl" --sysfs-root "$W/devices" export --format nfd) || return 1
	[ "$(head -n1 <<<"$out" | cut -c1)" = '#' ] &&
	[ "$(tail -n +2 <<<"$out" | grep -cvE '^[a-z0-9./-]+=true$')" = 0 ] &&
	[ "$(tail -n +2 <<<"$out" | wc -l)" = 15 ] || { echo "# nfd: $out"; return 1; }
	python3 -c 'import yaml' 2>/dev/null || { echo "python3 has no yaml"; return 77; }
	"$accctl" --sysfs-root "$W/devices" export --format nova | python3 -c '
import re, sys, yaml
d = yaml.safe_load(sys.stdin)
assert d["meta"] == {"schema_version": "1.0"}, d
(p,) = d["providers"]
assert p["identification"] == {"uuid": "$COMPUTE_NODE"}, p
t = p["traits"]["additional"]
assert len(t) == 15 and t == sorted(set(t)), t
assert all(re.fullmatch("CUSTOM_[A-Z0-9_]+", x) for x in t), t'
}
a export-formats-parse export_formats

# ---- command line ----------------------------------------------------------
t help - --help
t help-verb - check --help
t err-no-verb -
t err-unknown-verb - frobnicate
t err-unknown-global-option - --frob list
t err-unknown-option default list --frob
t err-unknown-short-option default types -x
t err-option-needs-value default list --parent
t err-root-missing - --sysfs-root "$W/nonexistent" list
t err-root-is-file - --sysfs-root "$FILES/zip1.ver" list
t err-monitor-fake-root default monitor --count 1

# ---- assertions ----------------------------------------------------------

# The remove file of the device got "1".
remove_writes_one() {
	local root

	root=$(tree_root copy:devices)
	"$accctl" --sysfs-root "$root" remove "$U3" || return 1
	[ "$(cat "$root/sys/bus/mdev/devices/$U3/remove")" = 1 ]
}
a remove-writes-1 remove_writes_one

# check and targets on a fake tree never write to it.
no_writes() {
	local root before

	root=$(tree_root copy:devices)
	before=$(cd "$root" && find . -type f -exec md5sum {} + | sort)
	"$accctl" --sysfs-root "$root" targets "$ZIP4" --all >/dev/null
	"$accctl" --sysfs-root "$root" check "$U2B" "$U2" >/dev/null
	[ "$(cd "$root" && find . -type f -exec md5sum {} + | sort)" = "$before" ]
}
a check-writes-nothing no_writes

# Every --json output parses, and values are strings except
# available_instances.
json_ok() {
	local out

	command -v jq >/dev/null || { echo "jq is not installed"; return 77; }
	out=$("$accctl" --sysfs-root "$W/$1" "${@:2}") || [ $? = 1 ] || return 1
	jq -e '[.. | select(type != "object" and type != "array")] |
	       all(type == "string" or type == "number")' <<<"$out" >/dev/null ||
		return 1
	# Numbers appear only as available_instances.
	[ "$(jq '[paths(type == "number")] | map(.[-1]) | unique' <<<"$out" \
	     | tr -d ' \n')" = '["available_instances"]' ] ||
	[ "$(jq '[paths(type == "number")] | length' <<<"$out")" = 0 ]
}
a json-list json_ok devices list --json
a json-types json_ok devices types --json
a json-check json_ok devices check "$U2B" "$U2" --json
a json-targets json_ok devices targets "$ZIP4" --all --json
a json-version json_ok devices version "$U0" --json

# `types --json` is `list --json`'s "types", and both are mdevctl's shape:
# one array element whose keys are parent names.
types_shape() {
	local types list

	command -v jq >/dev/null || { echo "jq is not installed"; return 77; }
	types=$("$accctl" --sysfs-root "$W/devices" types --json) || return 1
	list=$("$accctl" --sysfs-root "$W/devices" list --json) || return 1
	[ "$(jq -c . <<<"$types")" = "$(jq -c .types <<<"$list")" ] &&
	[ "$(jq -c 'length, (.[0] | keys)' <<<"$types" | tr '\n' ' ')" = \
	  '1 ["1acce:00:00.0","1acce:00:01.0","1acce:00:02.0","1acce:00:03.0","1acce:00:04.0"] ' ]
}
a types-json-shape types_shape

# The option and the environment variable re-root the same way.
root_env_same() {
	[ "$("$accctl" --sysfs-root "$W/devices" list)" = \
	  "$(ACCCTL_SYSFS_ROOT=$W/devices "$accctl" list)" ]
}
a root-option-equals-env root_env_same

# Readiness: a type without migration_version is waited for (bounded).
waits_for_type_file() {
	local root start end

	local f

	root=$(tree_root copy:default)
	f=$root/sys/class/accmdev/accmdev1/mdev_supported_types/accmdev-zip-r1-1qp/migration_version
	rm "$f"
	# Appears whole, as a sysfs file does: write aside, then rename.
	(sleep 0.3; printf '%s\n' "$V_ZIP1" >"$f.new"; mv "$f.new" "$f") &
	start=$(date +%s%N)
	ACCCTL_READY_TIMEOUT_MS=3000 "$accctl" --sysfs-root "$root" \
		version accmdev1/accmdev-zip-r1-1qp | grep -qx "$V_ZIP1" || return 1
	end=$(date +%s%N)
	wait
	# It waited for the file, not the full bound.
	[ $(((end - start) / 1000000)) -ge 250 ] &&
	[ $(((end - start) / 1000000)) -lt 2500 ]
}
a readiness-waits-for-type-file waits_for_type_file

# One readiness budget per command: two late devices cost one bound
# (1.5 s), not two. Anything under two bounds passes, so a loaded
# machine's slowness cannot fail it; a budget per device cannot pass.
one_budget() {
	local root start ms

	root=$(tree_root copy:race)
	cp -a "$root/sys/devices/accmdev/pci1acce:00/1acce:00:00.0/55555555-5555-4555-8555-555555555555" \
		"$root/sys/devices/accmdev/pci1acce:00/1acce:00:00.0/55555555-5555-4555-8555-666666666666"
	ln -s ../../../devices/accmdev/pci1acce:00/1acce:00:00.0/55555555-5555-4555-8555-666666666666 \
		"$root/sys/bus/mdev/devices/55555555-5555-4555-8555-666666666666"
	start=$(date +%s%N)
	ACCCTL_READY_TIMEOUT_MS=1500 "$accctl" --sysfs-root "$root" list \
		| grep -c 'not ready' | grep -qx 2 || return 1
	ms=$((($(date +%s%N) - start) / 1000000))
	[ "$ms" -ge 1500 ] && [ "$ms" -lt 3000 ] || { echo "# took $ms ms"; return 1; }
}
a readiness-one-budget one_budget

# Every exit status is 0, 1 or 2, also for odd inputs.
odd_inputs() {
	local arg rc

	for arg in '' ' ' '/' '//' '@/' '../..' 'accmdev/' 'accmdev0/' \
		   '/accmdev-zip-r1-1qp' "$(printf 'x%.0s' {1..5000})" \
		   "accmdev/1.0;$(printf 'x-a=b;%.0s' {1..800})"; do
		"$accctl" --sysfs-root "$W/devices" check "$arg" "$ZIP4" \
			>/dev/null 2>&1
		rc=$?
		[ "$rc" = 2 ] || { echo "# check '$arg': exit $rc"; return 1; }
	done
}
a odd-operands-exit-2 odd_inputs

# ---- migrate, send and receive (no kernel: the checks before a device
# is opened, the TCP framing, and the errors) -------------------------------
t migrate-refused-rev devices migrate "$U2B" "$U0"
t migrate-refused-rev-json devices migrate --json "$U2B" "$U0"
t migrate-refused-kind devices migrate "$U0" "$U3"
t err-migrate-nomig-src devices migrate "$U4" "$U0"
t err-migrate-same devices migrate "$U0" 11111111-1111-4111-8111-111111111111
t err-migrate-unknown-dst devices migrate "$U0" "$UNEW"
t err-migrate-not-uuid devices migrate "$ZIP4" "$U0"
t err-migrate-one-operand devices migrate "$U0"
t err-migrate-unknown-option devices migrate "$U0" "$U2" --frob
t help-migrate - migrate --help
t err-send-no-port devices send "$U0" localhost
t err-send-bad-port devices send "$U0" 127.0.0.1:65536
t err-send-empty-host devices send "$U0" :4000
t err-send-bad-timeout devices send "$U0" 127.0.0.1:1 --timeout 0
t err-send-port-file devices send "$U0" 127.0.0.1:1 --port-file x
t err-send-nomig-src devices send "$U4" 127.0.0.1:1
t err-send-connection-refused devices send "$U0" 127.0.0.1:1 --timeout 60
t err-receive-bad-port devices receive "$U0" port
t err-receive-no-precopy devices receive "$U0" 0 --no-precopy
t err-receive-unknown-dst devices receive "$UNEW" 0
t err-receive-no-sender devices receive "$U0" 127.0.0.1:0 --timeout 1

# xfer_pair SEND-ARGS -- RECEIVE-ARGS: accctl receive in the background on
# a free port of the devices tree, then accctl send to it. Sets the exit
# statuses S_RC and R_RC; the outputs are in $d/send.* and $d/recv.*.
xfer_pair() {
	local sargs=() rargs=() pf pid
	while [ "$1" != -- ]; do sargs+=("$1"); shift; done
	shift
	rargs=("$@")
	d=$(mktemp -d "$W/xfer.XXXXXX")
	pf=$d/port
	"$accctl" --sysfs-root "$W/devices" receive "${rargs[@]}" 0 \
		--port-file "$pf" --timeout 20 >"$d/recv.out" 2>"$d/recv.err" &
	pid=$!
	timeout 10 sh -c "until [ -s '$pf' ]; do sleep 0.05; done" ||
		{ wait "$pid"; sed 's/^/# /' "$d"/*; return 1; }
	"$accctl" --sysfs-root "$W/devices" send "${sargs[@]}" \
		"127.0.0.1:$(cat "$pf")" --timeout 20 >"$d/send.out" 2>"$d/send.err"
	S_RC=$?
	wait "$pid"
	R_RC=$?
}

# An incompatible destination: both ends exit 1, nothing of the device
# was sent or received, and each names the reason once on stderr.
xfer_refused() {
	xfer_pair "$U2B" -- "$U0" || return 1
	[ "$S_RC" = 1 ] && [ "$R_RC" = 1 ] || { echo "# exit $S_RC/$R_RC"; return 1; }
	grep -qx 'bytes        0 of device state' "$d/send.out" &&
	grep -qx 'bytes        0 of device state' "$d/recv.out" &&
	grep -q 'no device state was sent$' "$d/send.out" &&
	grep -qx "result       refused: $U0 does not accept the source: rev (ENOEXEC); no device state was received" \
		"$d/recv.out" &&
	[ "$(wc -l <"$d/send.err")" = 1 ] && [ "$(wc -l <"$d/recv.err")" = 1 ] ||
		{ sed 's/^/# /' "$d"/*; return 1; }
}
a xfer-refused-before-state xfer_refused

# The same in JSON, from both ends.
xfer_refused_json() {
	command -v jq >/dev/null || { echo "jq is not installed"; return 77; }
	xfer_pair "$U2B" --json -- "$U0" --json || return 1
	[ "$S_RC" = 1 ] && [ "$R_RC" = 1 ] || return 1
	[ "$(jq -r '[.result, .errno, .phase, .bytes] | join(" ")' "$d/send.out")" = \
	  "refused ENOEXEC check 0" ] &&
	[ "$(jq -r '[.result, .errno, .destination, .bytes] | join(" ")' "$d/recv.out")" = \
	  "refused ENOEXEC $U0 0" ] || { sed 's/^/# /' "$d"/*; return 1; }
}
a xfer-refused-json xfer_refused_json

# A compatible destination that cannot be opened (no kernel here): the
# receiver says why in its VERDICT, and the sender fails with it.
xfer_dst_fails() {
	xfer_pair "$U0" -- "$U2" || return 1
	[ "$S_RC" = 2 ] && [ "$R_RC" = 2 ] &&
	grep -q "the destination failed: .*$U2.*(EIO); no device state was sent" "$d/send.err" &&
	grep -q "^accctl: receive: destination: .*$U2" "$d/recv.err" ||
		{ echo "# exit $S_RC/$R_RC"; sed 's/^/# /' "$d"/*; return 1; }
}
a xfer-destination-error xfer_dst_fails

# A peer that does not speak the protocol is refused cleanly.
xfer_garbage() {
	local d pf pid rc
	d=$(mktemp -d "$W/xfer.XXXXXX")
	pf=$d/port
	"$accctl" --sysfs-root "$W/devices" receive "$U0" 0 --port-file "$pf" \
		--timeout 10 >"$d/out" 2>"$d/err" &
	pid=$!
	timeout 10 sh -c "until [ -s '$pf' ]; do sleep 0.05; done" || return 1
	# Held open until the receiver is done: it speaks first (CHALLENGE).
	exec 8<>"/dev/tcp/127.0.0.1/$(cat "$pf")" || return 1
	printf 'GET / HTTP/1.0\r\n\r\n' >&8
	wait "$pid"
	rc=$?
	exec 8>&-
	[ "$rc" = 2 ] && [ ! -s "$d/out" ] &&
	grep -qx "accctl: a frame of type .* where HELLO was due: the peer does not speak accctl's protocol" \
		"$d/err" ||
		{ echo "# exit $rc"; sed 's/^/# /' "$d"/*; return 1; }
}
a xfer-garbage-peer xfer_garbage

# A sender whose peer accepts and never answers times out, bounded.
xfer_silent_peer() {
	local start ms rc
	command -v python3 >/dev/null || { echo "python3 is not installed"; return 77; }
	exec 7< <(python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
print(s.getsockname()[1], flush=True)
c, _ = s.accept(); time.sleep(5)')
	read -r port <&7
	start=$(date +%s%N)
	"$accctl" --sysfs-root "$W/devices" send "$U0" "127.0.0.1:$port" \
		--timeout 1 >/dev/null 2>"$W/silent.err"
	rc=$?
	ms=$((($(date +%s%N) - start) / 1000000))
	exec 7<&-
	[ "$rc" = 2 ] && [ "$ms" -lt 4000 ] &&
	grep -qx 'accctl: waiting for CHALLENGE: Connection timed out' "$W/silent.err" ||
		{ echo "# exit $rc after $ms ms: $(cat "$W/silent.err")"; return 1; }
}
a xfer-silent-peer-times-out xfer_silent_peer

# Every new --json output parses; its counts are numbers.
json_mig() {
	local out
	command -v jq >/dev/null || { echo "jq is not installed"; return 77; }
	out=$("$accctl" --sysfs-root "$W/$1" "${@:2}" 2>/dev/null)
	[ $? = 1 ] || return 1
	jq -e '(.result | type) == "string" and (.bytes | type) == "number"' \
		<<<"$out" >/dev/null
}
a json-migrate-refused json_mig devices migrate --json "$U2B" "$U0"

# ---- version, per-verb help --------------------------------------------
# accctl --version prints the version of VERSION, the one place it is set.
version_matches() {
	local want
	want=$(cat "$here/../../VERSION") || return 1
	[ "$("$accctl" --version)" = "accctl $want" ] ||
		{ echo "# got '$("$accctl" --version)', VERSION says $want"; return 1; }
}
a version-from-file version_matches
t help-send - send --help
t help-receive - receive --help
t help-create - create --help

# Every option a verb takes is described in its --help, and in the man
# page's source (Documentation/accctl.rst).
help_covers_options() {
	local verb opt help rst=$here/../../Documentation/accctl.rst bad=0
	for verb in list types create remove version check targets export \
		require monitor migrate send receive; do
		help=$("$accctl" "$verb" --help) || return 1
		for opt in $(grep '^  accctl ' <<<"$help" | grep -o -- '--[a-z][a-z-]*' | sort -u); do
			grep -Eq -- "^  (-[a-z], )?$opt( |$)" <<<"$help" ||
				{ echo "# $verb --help does not describe $opt"; bad=1; }
			grep -Eq -- "^(\*\*-[a-z]\*\*, )?\*\*$opt\*\*" "$rst" ||
				{ echo "# accctl.rst has no entry for $opt"; bad=1; }
		done
	done
	return $bad
}
a help-describes-every-option help_covers_options

# ---- send/receive authentication (TCP) ---------------------------------
printf 'an example secret of 32 bytes!!\n' >"$FILES/secret"
printf 'another secret, also long enough\n' >"$FILES/secret2"
printf 'short\n' >"$FILES/short"
cp "$FILES/secret" "$FILES/secret-open"
chmod 600 "$FILES/secret" "$FILES/secret2" "$FILES/short"
chmod 644 "$FILES/secret-open"

# The same secret on both ends: the handshake passes, and the version
# check runs as without one (here it refuses: rev 2 into rev 1).
xfer_auth_ok() {
	xfer_pair "$U2B" --secret-file "$FILES/secret" -- \
		"$U0" --secret-file "$FILES/secret" || return 1
	[ "$S_RC" = 1 ] && [ "$R_RC" = 1 ] &&
	grep -qx "result       refused: $U0 does not accept the source: rev (ENOEXEC); no device state was received" \
		"$d/recv.out" || { echo "# exit $S_RC/$R_RC"; sed 's/^/# /' "$d"/*; return 1; }
}
a xfer-auth-same-secret xfer_auth_ok

# A wrong secret: the receiver refuses before it reads the version string
# (no report, no check) and says so; the sender is told.
xfer_auth_wrong() {
	xfer_pair "$U0" --secret-file "$FILES/secret2" -- \
		"$U0" --secret-file "$FILES/secret" || return 1
	[ "$S_RC" = 2 ] && [ "$R_RC" = 2 ] && [ ! -s "$d/recv.out" ] && [ ! -s "$d/send.out" ] &&
	grep -qx "accctl: receive: the sender at 127.0.0.1:[0-9]* failed authentication (not the same secret); the device was not opened" \
		"$d/recv.err" &&
	grep -qx "accctl: send: the receiver refused: authentication failed (EACCES); nothing was sent" \
		"$d/send.err" || { echo "# exit $S_RC/$R_RC"; sed 's/^/# /' "$d"/*; return 1; }
}
a xfer-auth-wrong-secret xfer_auth_wrong

# A sender without the secret is turned away; so is a sender with one by
# a receiver without (it would not know whom it sends to).
xfer_auth_missing() {
	xfer_pair "$U0" -- "$U0" --secret-file "$FILES/secret" || return 1
	[ "$S_RC" = 2 ] && [ "$R_RC" = 2 ] && [ ! -s "$d/recv.out" ] &&
	grep -qx "accctl: send: the receiver asks for a shared secret (--secret-file); nothing was sent" \
		"$d/send.err" || { echo "# exit $S_RC/$R_RC"; sed 's/^/# /' "$d"/*; return 1; }
	xfer_pair "$U0" --secret-file "$FILES/secret" -- "$U0" || return 1
	[ "$S_RC" = 2 ] && [ "$R_RC" = 2 ] && [ ! -s "$d/recv.out" ] &&
	grep -qx "accctl: send: the receiver does not authenticate (it has no --secret-file); nothing was sent" \
		"$d/send.err" || { echo "# exit $S_RC/$R_RC"; sed 's/^/# /' "$d"/*; return 1; }
}
a xfer-auth-missing-secret xfer_auth_missing

# A forged answer (the right frame, a random proof) from a peer that does
# not know the secret; then a HELLO it hopes will be read anyway.
xfer_auth_forged() {
	local d pf pid rc
	command -v python3 >/dev/null || { echo "python3 is not installed"; return 77; }
	d=$(mktemp -d "$W/xfer.XXXXXX")
	pf=$d/port
	"$accctl" --sysfs-root "$W/devices" receive "$U0" 0 --port-file "$pf" \
		--secret-file "$FILES/secret" --timeout 10 >"$d/out" 2>"$d/err" &
	pid=$!
	timeout 10 sh -c "until [ -s '$pf' ]; do sleep 0.05; done" || return 1
	python3 - "$(cat "$pf")" "$V_ZIP1" >"$d/peer" <<'PY' || return 1
import os, socket, struct, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
def frame():
    t, n = struct.unpack("<II", s.recv(8, socket.MSG_WAITALL))
    return t, s.recv(n, socket.MSG_WAITALL) if n else b""
t, ch = frame()
print("challenge", t, len(ch))
s.sendall(struct.pack("<II", 7, 64) + os.urandom(64))
hello = struct.pack("<II", 0x4d434341, 2) + sys.argv[2].encode()
s.sendall(struct.pack("<II", 1, len(hello)) + hello)
t, st = frame()
print("answer", t, struct.unpack("<I", st[:4])[0], st[16:].decode())
PY
	wait "$pid"
	rc=$?
	[ "$rc" = 2 ] && [ ! -s "$d/out" ] &&
	grep -qx 'challenge 6 44' "$d/peer" &&
	grep -qx 'answer 2 13 authentication failed' "$d/peer" &&
	grep -q 'failed authentication' "$d/err" ||
		{ echo "# exit $rc"; sed 's/^/# /' "$d"/*; return 1; }
}
a xfer-auth-forged-proof xfer_auth_forged

# Listening where other hosts reach it needs a secret.
t err-receive-any-address-no-secret devices receive "$U0" 0.0.0.0:0 --timeout 1
t err-receive-secret-readable devices receive "$U0" 0 --secret-file "$FILES/secret-open"
t err-receive-secret-short devices receive "$U0" 0 --secret-file "$FILES/short"
t err-receive-secret-missing devices receive "$U0" 0 --secret-file "$FILES/nothing"
t err-send-secret-pipe devices send "$U0" - --secret-file "$FILES/secret"
t err-receive-port-file-pipe devices receive "$U0" - --port-file x

# ---- pipe mode -----------------------------------------------------------
# send SRC - | receive DST -: the receiver checks the version string that
# comes first, and refuses an incompatible source with nothing written to
# its device; the sender then finds the pipe closed.
xfer_pipe_refused() {
	local d rc
	d=$(mktemp -d "$W/xfer.XXXXXX")
	set -o pipefail
	"$accctl" --sysfs-root "$W/devices" send "$U2B" - --timeout 10 2>"$d/send.err" |
		"$accctl" --sysfs-root "$W/devices" receive "$U0" - --timeout 10 \
			>"$d/recv.out" 2>"$d/recv.err"
	rc=("${PIPESTATUS[@]}")
	set +o pipefail
	[ "${rc[1]}" = 1 ] &&
	grep -qx "source       standard input" "$d/recv.out" &&
	grep -qx "result       refused: $U0 does not accept the source: rev (ENOEXEC); no device state was received" \
		"$d/recv.out" && grep -qx 'bytes        0 of device state' "$d/recv.out" ||
		{ echo "# exit ${rc[*]}"; sed 's/^/# /' "$d"/*; return 1; }
}
a xfer-pipe-refused xfer_pipe_refused

# A stream that is not accctl's is refused from its first frame.
xfer_pipe_garbage() {
	local out err rc
	out=$(printf 'GET / HTTP/1.0\r\n\r\n' | "$accctl" --sysfs-root "$W/devices" receive "$U0" - 2>"$W/pg.err")
	rc=$?
	[ "$rc" = 2 ] && [ -z "$out" ] &&
	grep -qx "accctl: a frame of type .* where HELLO was due: the peer does not speak accctl's protocol" "$W/pg.err" ||
		{ echo "# exit $rc: $(cat "$W/pg.err")"; return 1; }
}
a xfer-pipe-garbage xfer_pipe_garbage
