#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# migration_version on type and device nodes: what a read gives, the
# compatible pair, one errno per failure class at both levels, a device on
# newer hardware lowered to the older model, writes that change nothing,
# and the table of bad input.
#
# Default parents (driver/main.c): accmdev0 and accmdev1 zip rev1 (the
# compatible pair), accmdev2 zip rev2, accmdev3 sec rev1, accmdev4 zip
# rev1 that cannot migrate.
bats_require_minimum_version 1.5.0

setup() {
	load helpers/common
	cleanup_devices
	# What accmdev0..accmdev4 say for a 4-QP zip rev1 device.
	V='accmdev/1.0;kind=zip;rev=1;qps=4;algs=crc32c,deflate,inflate'
}

teardown() {
	cleanup_devices
}

# tver PARENT SHAPE: the type node, e.g. tver accmdev0 zip-4qp
tver() {
	echo "$(type_dir "$1" "accmdev-$2")/migration_version"
}

# dver UUID: the device node
dver() {
	echo "$MDEV_DEVICES/$1/migration_version"
}

# accepts NODE VERSION: one write(2) of VERSION and a newline succeeds.
accepts() {
	echo "+ accepts $1 '$2'" >&2
	run "$SWRITE" -n "$1" "$2"
	assert_success
	assert_output OK
}

# refused NODE ERRNO FIELD VERSION: the write fails with ERRNO and the
# kernel log gets "<node>: migration_version refused: FIELD ..." for it.
# The log line is rate limited (10 per 5 s per class): if a burst used
# the budget up, the write is tried once more after the window.
refused() {
	local node=$1 err=$2 field=$3 ver=$4 tag=device try
	[[ $node == */mdev_supported_types/* ]] && {
		tag=${node%/migration_version}
		tag=${tag##*/accmdev-}
	}
	echo "+ refused $node $err $field '$ver'" >&2
	for try in 1 2; do
		dmesg_mark
		run "$SWRITE" -n "$node" "$ver"
		assert_failure
		assert_output "$err"
		run dmesg_since_mark
		if grep -q "$tag: migration_version refused: $field[ :]" <<<"$output"; then
			return 0
		fi
		[ "$try" = 1 ] && sleep 5.5
	done
	fail "no '$tag: migration_version refused: $field' line in the kernel log"
}

# Since the mark, the kernel logged no bug report, and every line from
# accmdev is the refusal of a malformed string (or the rate limiter's
# note that it dropped some). Lines from elsewhere (in a slow guest, say
# "hrtimer: interrupt took ...") are not ours to judge.
log_only_malformed() {
	local log
	log=$(dmesg_since_mark)
	run grep -E 'Oops|BUG:|WARNING:|KASAN|UBSAN|general protection' <<<"$log"
	assert_output ""
	run grep -v -e 'migration_version refused: version malformed or foreign$' \
		-e 'accmdev_migver_log: [0-9]* callbacks suppressed' \
		<<<"$(grep accmdev <<<"$log")"
	assert_output ""
}

# expect_all ERRNO NODE VALUE...: in one child shell (bats' per-command
# trap is slow in the guest), write each VALUE plus a newline to NODE in
# one write(2) each; print every VALUE that did not get ERRNO.
expect_all() {
	local want=$1 node=$2 v r
	shift 2
	for v in "$@"; do
		r=$("$SWRITE" -n "$node" "$v")
		[ "$r" = "$want" ] || printf '%q -> %s\n' "$v" "$r"
	done
}

# expect_hex ERRNO NODE HEX...: the same with raw bytes, no newline added.
expect_hex() {
	local want=$1 node=$2 v r
	shift 2
	for v in "$@"; do
		r=$("$SWRITE" -x "$node" "$v")
		[ "$r" = "$want" ] || printf '%s -> %s\n' "$v" "$r"
	done
}

run_child() {
	run bash -c "$(declare -f expect_all expect_hex); \"\$@\"" _ "$@"
}

hex() {
	printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n'
}

# padded N: $V made exactly N bytes long with an ignored x- field.
padded() {
	printf '%s;x-pad=%s' "$V" "$(head -c $(($1 - ${#V} - 7)) /dev/zero | tr '\0' A)"
}

# ---- reads ------------------------------------------------------------

@test "a read is one stable line of printable ASCII, shorter than 4096 bytes" {
	local u0 u3
	u0=$(create_mdev accmdev0 accmdev-zip-4qp)
	u3=$(create_mdev accmdev3 accmdev-sec-2qp)
	# One child shell checks every node of the migratable parents, with
	# builtins where it can (each process costs in the guest).
	run bash -c '
		export LC_ALL=C
		for f in "$@"; do
			IFS= read -r -d "" a <"$f"
			IFS= read -r -d "" b <"$f"
			[ "$a" = "$b" ] || echo "$f: two reads differ"
			[ "$(wc -c <"$f")" = "${#a}" ] || echo "$f: holds a NUL"
			[ "${#a}" -gt 1 ] && [ "${#a}" -lt 4096 ] || echo "$f: ${#a} bytes"
			[[ $a =~ ^[\ -~]+$'"'"'\n'"'"'$ ]] ||
				echo "$f: not one line of printable ASCII: $(printf %q "$a")"
		done' _ "$MDEV_BUS"/accmdev[0-3]/mdev_supported_types/*/migration_version \
		"$(dver "$u0")" "$(dver "$u3")"
	assert_success
	assert_output ""
	# Every type of every parent has the file, accmdev4's too.
	run bash -c "ls $MDEV_BUS/*/mdev_supported_types/*/migration_version | wc -l"
	assert_output 25
}

@test "a type node describes a new device of its type; a device node, its model" {
	local before u
	assert_equal "$(<"$(tver accmdev0 zip-4qp)")" "$V"
	assert_equal "$(<"$(tver accmdev1 zip-4qp)")" "$V"
	assert_equal "$(<"$(tver accmdev2 zip-16qp)")" \
		'accmdev/1.0;kind=zip;rev=2;qps=16;algs=crc32c,adler32,deflate,inflate'
	assert_equal "$(<"$(tver accmdev3 sec-1qp)")" \
		'accmdev/1.0;kind=sec;rev=1;qps=1;algs=sha256,sha224'
	# The grammar of the admin guide, on every type.
	before=$(cat "$MDEV_BUS"/accmdev[0-3]/mdev_supported_types/*/migration_version)
	run grep -Evx 'accmdev/1\.0;kind=(zip|sec);rev=[12];qps=(1|2|4|8|16);algs=[a-z0-9]+(,[a-z0-9]+)*' \
		<<<"$before"
	assert_output ""
	# A new device says what its type said; type nodes stay as they were.
	u=$(create_mdev accmdev2 accmdev-zip-8qp)
	assert_equal "$(<"$(dver "$u")")" "$(<"$(tver accmdev2 zip-8qp)")"
	u=$(create_mdev accmdev0 accmdev-zip-4qp)
	assert_equal "$(<"$(dver "$u")")" "$V"
	assert_equal "$(cat "$MDEV_BUS"/accmdev[0-3]/mdev_supported_types/*/migration_version)" \
		"$before"
}

@test "on the parent that cannot migrate, reads fail with ENODEV at both levels" {
	local u
	run cat "$(tver accmdev4 zip-4qp)"
	assert_failure
	assert_output --partial "No such device"
	u=$(create_mdev accmdev4 accmdev-zip-4qp)
	run cat "$(dver "$u")"
	assert_failure
	assert_output --partial "No such device"
	# The device itself exists and has its model.
	assert_equal "$(<"$MDEV_DEVICES/$u/model_revision")" 1
}

# ---- the compatible pair ------------------------------------------------

@test "the compatible pair accepts each other's versions at both levels" {
	local a b s
	for s in zip-1qp zip-4qp zip-16qp; do
		accepts "$(tver accmdev1 "$s")" "$(<"$(tver accmdev0 "$s")")"
		accepts "$(tver accmdev0 "$s")" "$(<"$(tver accmdev1 "$s")")"
	done
	a=$(create_mdev accmdev0 accmdev-zip-4qp)
	b=$(create_mdev accmdev1 accmdev-zip-4qp)
	# device -> device, both ways
	accepts "$(dver "$b")" "$(<"$(dver "$a")")"
	accepts "$(dver "$a")" "$(<"$(dver "$b")")"
	# device -> type and type -> device, across the pair
	accepts "$(tver accmdev1 zip-4qp)" "$(<"$(dver "$a")")"
	accepts "$(dver "$a")" "$(<"$(tver accmdev1 zip-4qp)")"
	# A node accepts its own version, with or without the newline.
	accepts "$(dver "$a")" "$(<"$(dver "$a")")"
	run "$SWRITE" "$(tver accmdev0 zip-4qp)" "$V"
	assert_output OK
}

# ---- one errno per failure class, at both levels -------------------------

@test "malformed or foreign: EINVAL, logged as version, at both levels" {
	local u
	u=$(create_mdev accmdev1 accmdev-zip-4qp)
	refused "$(tver accmdev1 zip-4qp)" EINVAL version "i915-GVTg_V5_4"
	refused "$(dver "$u")" EINVAL version "${V%;algs=*}"
}

@test "another engine kind: EXDEV, logged as kind, at both levels" {
	local s z
	s=$(create_mdev accmdev3 accmdev-sec-4qp)
	z=$(create_mdev accmdev0 accmdev-zip-4qp)
	refused "$(tver accmdev0 zip-4qp)" EXDEV kind "$(<"$(tver accmdev3 sec-4qp)")"
	refused "$(dver "$z")" EXDEV kind "$(<"$(dver "$s")")"
	refused "$(tver accmdev3 sec-4qp)" EXDEV kind "$(<"$(dver "$z")")"
	assert_output --partial "kind differs (source zip, here sec)"
	# A well-formed kind this build does not know is another kind too.
	refused "$(dver "$s")" EXDEV kind "${V/kind=zip/kind=lz}"
}

@test "another queue-pair count: ERANGE, logged as qps, at both levels" {
	local a b
	a=$(create_mdev accmdev0 accmdev-zip-2qp)
	b=$(create_mdev accmdev1 accmdev-zip-4qp)
	refused "$(tver accmdev1 zip-4qp)" ERANGE qps "$(<"$(tver accmdev0 zip-2qp)")"
	assert_output --partial "zip-4qp: migration_version refused: qps differs (source 2, here 4)"
	refused "$(dver "$b")" ERANGE qps "$(<"$(dver "$a")")"
	refused "$(dver "$a")" ERANGE qps "$(<"$(dver "$b")")"
}

@test "another stream format: EPROTO, logged as format, at both levels" {
	local u
	u=$(create_mdev accmdev1 accmdev-zip-4qp)
	refused "$(tver accmdev1 zip-4qp)" EPROTO format "accmdev/2.0${V#accmdev/1.0}"
	assert_output --partial "format differs (source 2.0, here 1.0)"
	refused "$(dver "$u")" EPROTO format "accmdev/2.0${V#accmdev/1.0}"
	# A newer minor is refused; so is an older major.
	refused "$(tver accmdev1 zip-4qp)" EPROTO format "accmdev/1.1${V#accmdev/1.0}"
	assert_output --partial "format differs (source 1.1, here 1.0)"
	refused "$(dver "$u")" EPROTO format "accmdev/0.9${V#accmdev/1.0}"
	# Another major may have other fields: they are not judged.
	refused "$(dver "$u")" EPROTO format "accmdev/2.0;layout=new"
}

@test "another model revision: ENOEXEC, logged as rev, at both levels" {
	local n o
	n=$(create_mdev accmdev2 accmdev-zip-4qp)
	o=$(create_mdev accmdev0 accmdev-zip-4qp)
	# type: the source's revision is above this parent's hardware
	refused "$(tver accmdev0 zip-4qp)" ENOEXEC rev "$(<"$(dver "$n")")"
	assert_output --partial "rev differs (source 2, here at most 1)"
	refused "$(tver accmdev2 zip-4qp)" ENOEXEC rev "${V/rev=1/rev=3}"
	# device: the revision must equal the device's model
	refused "$(dver "$o")" ENOEXEC rev "$(<"$(dver "$n")")"
	refused "$(dver "$n")" ENOEXEC rev "$(<"$(dver "$o")")"
	assert_output --partial "device: migration_version refused: rev differs (source 1, here 2)"
}

@test "other algorithms: EOPNOTSUPP, logged as algs, at both levels" {
	local a b
	a=$(create_mdev accmdev0 accmdev-zip-4qp)
	b=$(create_mdev accmdev1 accmdev-zip-4qp)
	# An algorithm this build does not know.
	refused "$(tver accmdev0 zip-4qp)" EOPNOTSUPP algs "${V/algs=/algs=lz4,}"
	refused "$(dver "$a")" EOPNOTSUPP algs "${V/algs=/algs=lz4,}"
	# A destination device whose model dropped an algorithm the source has.
	run "$SWRITE" -n "$MDEV_DEVICES/$b/model_algorithms" deflate,inflate
	assert_output OK
	refused "$(dver "$b")" EOPNOTSUPP algs "$(<"$(dver "$a")")"
	assert_output --partial "algs differs (source needs crc32c)"
	# Its type still could: a new device there has every algorithm.
	accepts "$(tver accmdev1 zip-4qp)" "$(<"$(dver "$a")")"
	# rev2 hardware has adler32, but no rev1 model can offer it.
	refused "$(tver accmdev2 zip-4qp)" EOPNOTSUPP algs "${V/crc32c/crc32c,adler32}"
	assert_output --partial "algs differs (source needs adler32)"
}

@test "a destination that cannot migrate: ENODEV, logged as migratable, at both levels" {
	local u
	u=$(create_mdev accmdev4 accmdev-zip-4qp)
	refused "$(tver accmdev4 zip-4qp)" ENODEV migratable "$V"
	refused "$(dver "$u")" ENODEV migratable "$V"
	# Whatever is written: not migratable comes first.
	refused "$(dver "$u")" ENODEV migratable "hello"
}

# ---- newer hardware, lowered --------------------------------------------

@test "a rev2 device is refused by rev1 nodes until its model is lowered" {
	local n o
	n=$(create_mdev accmdev2 accmdev-zip-4qp)
	o=$(create_mdev accmdev0 accmdev-zip-4qp)
	refused "$(tver accmdev0 zip-4qp)" ENOEXEC rev "$(<"$(dver "$n")")"
	refused "$(dver "$o")" ENOEXEC rev "$(<"$(dver "$n")")"
	# The other way round, rev2 hardware can take the rev1 model at type
	# level, but the unlowered device is not that model.
	accepts "$(tver accmdev2 zip-4qp)" "$(<"$(dver "$o")")"
	run "$SWRITE" -n "$(dver "$n")" "$(<"$(dver "$o")")"
	assert_output ENOEXEC
	# Dropping adler32 alone is not enough: the revision is still 2.
	echo crc32c,deflate,inflate >"$MDEV_DEVICES/$n/model_algorithms"
	refused "$(tver accmdev0 zip-4qp)" ENOEXEC rev "$(<"$(dver "$n")")"

	echo 1 >"$MDEV_DEVICES/$n/model_revision"
	assert_equal "$(<"$(dver "$n")")" "$V"
	accepts "$(tver accmdev0 zip-4qp)" "$(<"$(dver "$n")")"
	accepts "$(tver accmdev1 zip-4qp)" "$(<"$(dver "$n")")"
	accepts "$(dver "$o")" "$(<"$(dver "$n")")"
	# And back: the rev1 device on rev2 hardware now takes rev1 sources.
	accepts "$(dver "$n")" "$(<"$(dver "$o")")"

	# A rev1 destination that dropped an algorithm refuses it: EOPNOTSUPP.
	echo deflate,inflate >"$MDEV_DEVICES/$o/model_algorithms"
	refused "$(dver "$o")" EOPNOTSUPP algs "$(<"$(dver "$n")")"
	accepts "$(tver accmdev0 zip-4qp)" "$(<"$(dver "$n")")"
}

# ---- a write is a pure check --------------------------------------------

# Everything a write could change, in one listing.
snapshot() {
	ls "$MDEV_DEVICES"
	grep -H . "$MDEV_BUS"/*/qp_free \
		"$MDEV_BUS"/*/mdev_supported_types/*/available_instances \
		"$MDEV_BUS"/accmdev[0-3]/mdev_supported_types/*/migration_version \
		"$MDEV_DEVICES"/*/model_revision "$MDEV_DEVICES"/*/model_algorithms \
		"$MDEV_DEVICES"/*/migration_version 2>&1
}

@test "a write changes nothing: no device, same versions, same models" {
	local a n before
	a=$(create_mdev accmdev0 accmdev-zip-4qp)
	n=$(create_mdev accmdev2 accmdev-zip-4qp)
	before=$(snapshot)
	run bash -c '
		v=$1
		shift
		for node in "$@"; do
			for s in "$v" hello "${v/rev=1/rev=2}" "${v/qps=4/qps=1}"; do
				"$SWRITE" -n "$node" "$s"
			done
		done' _ "$V" "$(tver accmdev0 zip-4qp)" "$(tver accmdev2 zip-4qp)" \
		"$(tver accmdev0 zip-1qp)" "$(tver accmdev4 zip-4qp)" \
		"$(dver "$a")" "$(dver "$n")"
	# Accepted and refused writes of every kind happened.
	assert_line OK
	assert_line EINVAL
	assert_line ENOEXEC
	assert_line ERANGE
	assert_line ENODEV
	assert_equal "$(snapshot)" "$before"
}

# ---- bad input -----------------------------------------------------------

@test "one trailing newline is accepted, none too, two or a CR are not" {
	local u node
	u=$(create_mdev accmdev1 accmdev-zip-4qp)
	# A write(2) of zero bytes never reaches the driver: sysfs returns 0.
	dmesg_mark
	run "$SWRITE" "$(tver accmdev1 zip-4qp)" ""
	assert_output OK
	run dmesg_since_mark
	refute_output --partial accmdev
	for node in "$(tver accmdev1 zip-4qp)" "$(dver "$u")"; do
		run "$SWRITE" "$node" "$V"
		assert_output OK
		run "$SWRITE" -n "$node" "$V"
		assert_output OK
		run "$SWRITE" -x "$node" "$(hex "$V")0a0a"
		assert_output EINVAL
		run "$SWRITE" -x "$node" "$(hex "$V")0d0a"
		assert_output EINVAL
		run "$SWRITE" -x "$node" "0a$(hex "$V")"
		assert_output EINVAL
	done
}

@test "the table of malformed strings gets EINVAL at both levels, and the log stays clean" {
	local u node bad
	u=$(create_mdev accmdev1 accmdev-zip-4qp)
	bad=(
		"" " " "hello" "i915-GVTg_V5_4" "accmdev" "accmdev/" "accmdev/1"
		"accmdev/1." "accmdev/.0" "accmdev/1.0" "accmdev/1.0;" "$V;" "$V;;"
		" $V" "$V " "ACCMDEV/1.0${V#accmdev/1.0}" "accmdev/01.0${V#accmdev/1.0}"
		"accmdev/1.00${V#accmdev/1.0}" "accmdev/65536.0${V#accmdev/1.0}"
		"accmdev/1.65536${V#accmdev/1.0}" "accmdev/-1.0${V#accmdev/1.0}"
		"accmdev/1,0${V#accmdev/1.0}"
		# truncated fields
		"${V%;algs=*}" "${V%;algs=*};algs=" "${V%;algs=*};algs"
		"${V%inflate}" "${V/crc32c,/crc32c,,}" "${V/algs=/algs=,}"
		"${V/;rev=1/}" "${V/;qps=4/}" "${V/;kind=zip/}" "${V/kind=zip/kind=}"
		"${V/rev=1/rev=}" "${V/qps=4/qps}" "${V%algs=*}=crc32c"
		# duplicated or unknown mandatory fields
		"$V;rev=1" "$V;kind=zip" "$V;qps=4" "$V;algs=crc32c" "${V/deflate/crc32c}"
		"$V;foo=1" "$V;x=1" "$V;x-=1" "$V;x-a=" "$V;x-a=b;c" "$V;Kind=zip"
		"$V;x-a=b=c" "$V;x-A=b" "$V;=1"
		# numbers out of range or not plain decimal
		"${V/rev=1/rev=0}" "${V/rev=1/rev=256}" "${V/rev=1/rev=01}"
		"${V/rev=1/rev=+1}" "${V/rev=1/rev=-1}" "${V/rev=1/rev=1x}"
		"${V/rev=1/rev=0x1}" "${V/qps=4/qps=0}" "${V/qps=4/qps=65536}"
		"${V/qps=4/qps=4294967300}" "${V/qps=4/qps=18446744073709551620}"
		# names: case, characters, length
		"${V/kind=zip/kind=ZIP}" "${V/kind=zip/kind=zip-1}"
		"${V/kind=zip/kind=zipzipzipzipzipzip}" "${V/algs=/algs=CRC32C,}"
		"${V/algs=/algs=a_b,}" "${V/;/$'\t'}" "${V/;kind/; kind}"
	)
	for node in "$(tver accmdev1 zip-4qp)" "$(dver "$u")"; do
		dmesg_mark
		run_child expect_all EINVAL "$node" "${bad[@]}"
		assert_output ""
		log_only_malformed
	done
	# An extension field that is well formed is ignored.
	accepts "$(dver "$u")" "$V;x-vendor=Acme_1.2:3+4,5-6"
}

@test "embedded NUL, control and non-ASCII bytes get EINVAL at both levels" {
	local u node h
	u=$(create_mdev accmdev1 accmdev-zip-4qp)
	h=$(hex "$V")
	for node in "$(tver accmdev1 zip-4qp)" "$(dver "$u")"; do
		dmesg_mark
		run_child expect_hex EINVAL "$node" \
			"00" "0a" "000a" "${h}00" "${h}0a00" "${h:0:40}00${h:40}" \
			"${h:0:40}7f${h:40}" "${h:0:40}1b${h:40}" "${h}3b782d613dff" \
			"$(hex 'accmdev/1.0;kind=z')c3af$(hex 'p;rev=1;qps=4;algs=deflate')" \
			"${h}3b782d613dc2a0" "80${h}"
		assert_output ""
		log_only_malformed
	done
	# The same bytes without the bad one are accepted.
	run "$SWRITE" -x "$(dver "$u")" "${h}"
	assert_output OK
}

@test "a write of a full page or more gets EINVAL; one byte less is judged" {
	local u node page
	page=$(getconf PAGESIZE)
	u=$(create_mdev accmdev1 accmdev-zip-4qp)
	assert_equal "$(padded "$page" | wc -c)" "$page"
	for node in "$(tver accmdev1 zip-4qp)" "$(dver "$u")"; do
		dmesg_mark
		# PAGE_SIZE - 1 bytes: a long but valid string, with or without
		# the newline.
		run "$SWRITE" "$node" "$(padded $((page - 1)))"
		assert_output OK
		run "$SWRITE" -n "$node" "$(padded $((page - 2)))"
		assert_output OK
		# Exactly PAGE_SIZE bytes, with or without the newline.
		run "$SWRITE" "$node" "$(padded "$page")"
		assert_output EINVAL
		run "$SWRITE" -n "$node" "$(padded $((page - 1)))"
		assert_output EINVAL
		run "$SWRITE" -r "$node" "$page" 65
		assert_output EINVAL
		# More than a page: sysfs passes only the first page to the
		# driver (it does not fail the write with E2BIG), so even a valid
		# string and newline in that page is refused.
		run "$SWRITE" "$node" "$(padded $((page - 1)))"$'\n'"tail"
		assert_output EINVAL
		run "$SWRITE" -r "$node" $((2 * page)) 65
		assert_output EINVAL
		log_only_malformed
	done
}
