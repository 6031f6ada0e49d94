#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# migration_version on type and device nodes: what a read gives, the
# compatible pair, one errno per failure class at both levels, the two
# model revisions of newer hardware, writes that change nothing, and the
# table of bad input. (25-types checks every type against a device of it.)
#
# Default parents (driver/main.c): accmdev0 and accmdev1 zip rev1 (the
# compatible pair), accmdev2 zip rev2 (types of model revisions 1 and 2),
# accmdev3 sec rev1, accmdev4 zip rev1 that cannot migrate (types
# accmdev-zip-r1-*qp-nomig).
bats_require_minimum_version 1.5.0

setup() {
	local t p
	load helpers/common
	cleanup_devices
	# Type nodes by PARENT/NAME, e.g. ${TV[accmdev0/zip-r1-4qp]}; a
	# device's is $MDEV_DEVICES/UUID/migration_version. (Paths without a
	# command substitution: each costs a fork, 0.1 s in the debug lane.)
	declare -gA TV
	for t in "$ACC_CLASS"/*/mdev_supported_types/accmdev-*; do
		p=${t%/mdev_supported_types/*}
		TV[${p##*/}/${t##*/accmdev-}]=$t/migration_version
	done
	# What accmdev0..accmdev4 say for a 4-QP zip rev1 device.
	V='accmdev/1.0;kind=zip;rev=1;qps=4;algs=crc32c,deflate,inflate'
}

teardown() {
	cleanup_devices
}

# accepts NODE VERSION: one write(2) of VERSION and a newline succeeds.
accepts() {
	echo "+ accepts $1 '$2'" >&2
	run "$SWRITE" -n "$1" "$2"
	assert_success
	assert_output OK
}

# refused NODE ERRNO FIELD VERSION: the write fails with ERRNO and the
# kernel log gets "<node>: migration_version refused: FIELD ..." for it
# (swrite -k prints the records logged during the write after the errno).
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
		run "$SWRITE" -k -n "$node" "$ver"
		assert_failure
		assert_line --index 0 "$err"
		[[ $output == *"$tag: migration_version refused: $field"[\ :]* ]] &&
			return 0
		[ "$try" = 1 ] && sleep 5.5
	done
	fail "no '$tag: migration_version refused: $field' line in the kernel log"
}

# Since the mark, the kernel logged no bug report, and every line from
# accmdev is the refusal of a malformed string (or the rate limiter's
# note that it dropped some). Lines from elsewhere (in a slow guest, say
# "hrtimer: interrupt took ...") are not ours to judge.
log_only_malformed() {
	run unexpected_since_mark
	assert_output ""
}

# The shell loops below run in a subshell without bats' per-command DEBUG
# trap, which makes every command of a loop cost a trap call: a few
# hundred of them took 10 s in the guest.
unexpected_since_mark() (
	trap - DEBUG
	dmesg_since_mark | while IFS= read -r line; do
		if [[ ! $line =~ Oops|BUG:|WARNING:|KASAN|UBSAN|general\ protection ]]; then
			[[ $line == *accmdev* ]] || continue
			[[ $line == *'migration_version refused: version malformed or foreign' ]] &&
				continue
			[[ $line =~ accmdev_migver_refuse:\ [0-9]+\ callbacks\ suppressed ]] &&
				continue
		fi
		printf '%s\n' "$line"
	done
)

# hex STRING: its bytes in hex (ASCII strings only).
hex() (
	trap - DEBUG
	s=$1 out=
	for ((i = 0; i < ${#s}; i++)); do
		printf -v c '%02x' "'${s:i:1}"
		out+=$c
	done
	echo "$out"
)

# padded N: $V made exactly N bytes long with an ignored x- field.
padded() {
	local pad
	printf -v pad '%*s' $(($1 - ${#V} - 7)) ''
	printf '%s;x-pad=%s' "$V" "${pad// /A}"
}

# ---- reads ------------------------------------------------------------

@test "a read is one stable line of printable ASCII, shorter than 4096 bytes" {
	local u0 u3
	u0=$(create_mdev accmdev0 accmdev-zip-r1-4qp)
	u3=$(create_mdev accmdev3 accmdev-sec-r1-2qp)
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
		done' _ "$ACC_CLASS"/accmdev[0-3]/mdev_supported_types/*/migration_version \
		"$MDEV_DEVICES/$u0/migration_version" "$MDEV_DEVICES/$u3/migration_version"
	assert_success
	assert_output ""
	# Every type of every parent has the file, accmdev4's too.
	run bash -c "ls $ACC_CLASS/*/mdev_supported_types/*/migration_version | wc -l"
	assert_output 30
}

@test "a type node describes a new device of its type; a device node, its model" {
	local before u
	assert_equal "$(<"${TV[accmdev0/zip-r1-4qp]}")" "$V"
	assert_equal "$(<"${TV[accmdev1/zip-r1-4qp]}")" "$V"
	assert_equal "$(<"${TV[accmdev2/zip-r2-16qp]}")" \
		'accmdev/1.0;kind=zip;rev=2;qps=16;algs=crc32c,adler32,deflate,inflate'
	assert_equal "$(<"${TV[accmdev3/sec-r1-1qp]}")" \
		'accmdev/1.0;kind=sec;rev=1;qps=1;algs=sha256,sha224'
	# rev2 hardware's r1 types are the rev1 model, rev1 parents' alike.
	assert_equal "$(<"${TV[accmdev2/zip-r1-4qp]}")" "$V"
	# The grammar of the admin guide, on every type.
	before=$(cat "$ACC_CLASS"/accmdev[0-3]/mdev_supported_types/*/migration_version)
	run grep -Evx 'accmdev/1\.0;kind=(zip|sec);rev=[12];qps=(1|2|4|8|16);algs=[a-z0-9]+(,[a-z0-9]+)*' \
		<<<"$before"
	assert_output ""
	# A new device says what its type said; type nodes stay as they were.
	u=$(create_mdev accmdev2 accmdev-zip-r2-8qp)
	assert_equal "$(<"$MDEV_DEVICES/$u/migration_version")" "$(<"${TV[accmdev2/zip-r2-8qp]}")"
	u=$(create_mdev accmdev0 accmdev-zip-r1-4qp)
	assert_equal "$(<"$MDEV_DEVICES/$u/migration_version")" "$V"
	assert_equal "$(cat "$ACC_CLASS"/accmdev[0-3]/mdev_supported_types/*/migration_version)" \
		"$before"
}

@test "on the parent that cannot migrate, reads fail with ENODEV at both levels" {
	local u
	run cat "${TV[accmdev4/zip-r1-4qp-nomig]}"
	assert_failure
	assert_output --partial "No such device"
	u=$(create_mdev accmdev4 accmdev-zip-r1-4qp-nomig)
	run cat "$MDEV_DEVICES/$u/migration_version"
	assert_failure
	assert_output --partial "No such device"
	# The device itself exists, of its type.
	run readlink "$MDEV_DEVICES/$u/mdev_type"
	assert_output --regexp '/accmdev-zip-r1-4qp-nomig$'
}

# ---- the compatible pair ------------------------------------------------

@test "the compatible pair accepts each other's versions at both levels" {
	local a b s
	for s in zip-r1-1qp zip-r1-4qp zip-r1-16qp; do
		accepts "${TV[accmdev1/$s]}" "$(<"${TV[accmdev0/$s]}")"
		accepts "${TV[accmdev0/$s]}" "$(<"${TV[accmdev1/$s]}")"
	done
	a=$(create_mdev accmdev0 accmdev-zip-r1-4qp)
	b=$(create_mdev accmdev1 accmdev-zip-r1-4qp)
	# device -> device, both ways
	accepts "$MDEV_DEVICES/$b/migration_version" "$(<"$MDEV_DEVICES/$a/migration_version")"
	accepts "$MDEV_DEVICES/$a/migration_version" "$(<"$MDEV_DEVICES/$b/migration_version")"
	# device -> type and type -> device, across the pair
	accepts "${TV[accmdev1/zip-r1-4qp]}" "$(<"$MDEV_DEVICES/$a/migration_version")"
	accepts "$MDEV_DEVICES/$a/migration_version" "$(<"${TV[accmdev1/zip-r1-4qp]}")"
	# A node accepts its own version, with or without the newline.
	accepts "$MDEV_DEVICES/$a/migration_version" "$(<"$MDEV_DEVICES/$a/migration_version")"
	run "$SWRITE" "${TV[accmdev0/zip-r1-4qp]}" "$V"
	assert_output OK
}

# ---- one errno per failure class, at both levels -------------------------

@test "malformed or foreign: EINVAL, logged as version, at both levels" {
	local u
	u=$(create_mdev accmdev1 accmdev-zip-r1-4qp)
	refused "${TV[accmdev1/zip-r1-4qp]}" EINVAL version "i915-GVTg_V5_4"
	refused "$MDEV_DEVICES/$u/migration_version" EINVAL version "${V%;algs=*}"
}

@test "another engine kind: EXDEV, logged as kind, at both levels" {
	local s z
	s=$(create_mdev accmdev3 accmdev-sec-r1-4qp)
	z=$(create_mdev accmdev0 accmdev-zip-r1-4qp)
	refused "${TV[accmdev0/zip-r1-4qp]}" EXDEV kind "$(<"${TV[accmdev3/sec-r1-4qp]}")"
	refused "$MDEV_DEVICES/$z/migration_version" EXDEV kind "$(<"$MDEV_DEVICES/$s/migration_version")"
	refused "${TV[accmdev3/sec-r1-4qp]}" EXDEV kind "$(<"$MDEV_DEVICES/$z/migration_version")"
	assert_output --partial "kind differs (source zip, here sec)"
	# A well-formed kind this build does not know is another kind too.
	refused "$MDEV_DEVICES/$s/migration_version" EXDEV kind "${V/kind=zip/kind=lz}"
}

@test "another queue-pair count: ERANGE, logged as qps, at both levels" {
	local a b
	a=$(create_mdev accmdev0 accmdev-zip-r1-2qp)
	b=$(create_mdev accmdev1 accmdev-zip-r1-4qp)
	refused "${TV[accmdev1/zip-r1-4qp]}" ERANGE qps "$(<"${TV[accmdev0/zip-r1-2qp]}")"
	assert_output --partial "zip-r1-4qp: migration_version refused: qps differs (source 2, here 4)"
	refused "$MDEV_DEVICES/$b/migration_version" ERANGE qps "$(<"$MDEV_DEVICES/$a/migration_version")"
	refused "$MDEV_DEVICES/$a/migration_version" ERANGE qps "$(<"$MDEV_DEVICES/$b/migration_version")"
}

@test "another stream format: EPROTO, logged as format, at both levels" {
	local u
	u=$(create_mdev accmdev1 accmdev-zip-r1-4qp)
	refused "${TV[accmdev1/zip-r1-4qp]}" EPROTO format "accmdev/2.0${V#accmdev/1.0}"
	assert_output --partial "format differs (source 2.0, here 1.0)"
	refused "$MDEV_DEVICES/$u/migration_version" EPROTO format "accmdev/2.0${V#accmdev/1.0}"
	# A newer minor is refused; so is an older major.
	refused "${TV[accmdev1/zip-r1-4qp]}" EPROTO format "accmdev/1.1${V#accmdev/1.0}"
	assert_output --partial "format differs (source 1.1, here 1.0)"
	refused "$MDEV_DEVICES/$u/migration_version" EPROTO format "accmdev/0.9${V#accmdev/1.0}"
	# Another major may have other fields: they are not judged.
	refused "$MDEV_DEVICES/$u/migration_version" EPROTO format "accmdev/2.0;layout=new"
}

@test "another model revision: ENOEXEC, logged as rev, at both levels" {
	local n o
	n=$(create_mdev accmdev2 accmdev-zip-r2-4qp)
	o=$(create_mdev accmdev0 accmdev-zip-r1-4qp)
	# type: the source's revision must equal the type's, higher or lower
	refused "${TV[accmdev0/zip-r1-4qp]}" ENOEXEC rev "$(<"$MDEV_DEVICES/$n/migration_version")"
	assert_output --partial "zip-r1-4qp: migration_version refused: rev differs (source 2, here 1)"
	refused "${TV[accmdev2/zip-r2-4qp]}" ENOEXEC rev "$(<"$MDEV_DEVICES/$o/migration_version")"
	assert_output --partial "zip-r2-4qp: migration_version refused: rev differs (source 1, here 2)"
	refused "${TV[accmdev2/zip-r1-4qp]}" ENOEXEC rev "${V/rev=1/rev=3}"
	# device: the same rule
	refused "$MDEV_DEVICES/$o/migration_version" ENOEXEC rev "$(<"$MDEV_DEVICES/$n/migration_version")"
	refused "$MDEV_DEVICES/$n/migration_version" ENOEXEC rev "$(<"$MDEV_DEVICES/$o/migration_version")"
	assert_output --partial "device: migration_version refused: rev differs (source 1, here 2)"
}

@test "other algorithms: EOPNOTSUPP, logged as algs, at both levels" {
	local a n
	a=$(create_mdev accmdev0 accmdev-zip-r1-4qp)
	n=$(create_mdev accmdev2 accmdev-zip-r1-4qp)
	# An algorithm this build does not know.
	refused "${TV[accmdev0/zip-r1-4qp]}" EOPNOTSUPP algs "${V/algs=/algs=lz4,}"
	refused "$MDEV_DEVICES/$a/migration_version" EOPNOTSUPP algs "${V/algs=/algs=lz4,}"
	# rev2 hardware has adler32, but its rev1 model does not: neither
	# the r1 type there nor a device of it takes a rev1 source with it.
	refused "${TV[accmdev2/zip-r1-4qp]}" EOPNOTSUPP algs "${V/crc32c/crc32c,adler32}"
	assert_output --partial "algs differs (source needs adler32)"
	refused "$MDEV_DEVICES/$n/migration_version" EOPNOTSUPP algs "${V/crc32c/crc32c,adler32}"
	assert_output --partial "algs differs (source needs adler32)"
	# Another kind's algorithm.
	refused "$MDEV_DEVICES/$a/migration_version" EOPNOTSUPP algs "${V/inflate/inflate,sha256}"
	# A source with fewer algorithms is taken by both.
	accepts "${TV[accmdev2/zip-r1-4qp]}" "${V/crc32c,/}"
	accepts "$MDEV_DEVICES/$n/migration_version" "${V/crc32c,/}"
}

@test "a destination that cannot migrate: ENODEV, logged as migratable, at both levels" {
	local u
	u=$(create_mdev accmdev4 accmdev-zip-r1-4qp-nomig)
	refused "${TV[accmdev4/zip-r1-4qp-nomig]}" ENODEV migratable "$V"
	refused "$MDEV_DEVICES/$u/migration_version" ENODEV migratable "$V"
	# Whatever is written: not migratable comes first.
	refused "$MDEV_DEVICES/$u/migration_version" ENODEV migratable "hello"
}

# ---- newer hardware, both models ----------------------------------------

@test "rev2 hardware offers the rev1 model as its own types, with the rev1 parents' answers" {
	local n1 n2 o
	n1=$(create_mdev accmdev2 accmdev-zip-r1-4qp)
	n2=$(create_mdev accmdev2 accmdev-zip-r2-4qp)
	o=$(create_mdev accmdev0 accmdev-zip-r1-4qp)
	# The r1 device on rev2 hardware is the rev1 parents' device.
	assert_equal "$(<"$MDEV_DEVICES/$n1/migration_version")" "$V"
	accepts "${TV[accmdev0/zip-r1-4qp]}" "$(<"$MDEV_DEVICES/$n1/migration_version")"
	accepts "$MDEV_DEVICES/$o/migration_version" "$(<"$MDEV_DEVICES/$n1/migration_version")"
	accepts "${TV[accmdev2/zip-r1-4qp]}" "$(<"$MDEV_DEVICES/$o/migration_version")"
	accepts "$MDEV_DEVICES/$n1/migration_version" "$(<"$MDEV_DEVICES/$o/migration_version")"
	# The r2 device is another model: refused both ways, by types too.
	refused "$MDEV_DEVICES/$n1/migration_version" ENOEXEC rev "$(<"$MDEV_DEVICES/$n2/migration_version")"
	refused "$MDEV_DEVICES/$n2/migration_version" ENOEXEC rev "$(<"$MDEV_DEVICES/$n1/migration_version")"
	refused "${TV[accmdev2/zip-r2-4qp]}" ENOEXEC rev "$(<"$MDEV_DEVICES/$o/migration_version")"
	refused "${TV[accmdev1/zip-r1-4qp]}" ENOEXEC rev "$(<"$MDEV_DEVICES/$n2/migration_version")"
	# A rev2 source without adler32 is still rev2.
	refused "${TV[accmdev2/zip-r1-4qp]}" ENOEXEC rev "${V/rev=1/rev=2}"
	accepts "$MDEV_DEVICES/$n2/migration_version" "${V/rev=1/rev=2}"
}

# ---- a write is a pure check --------------------------------------------

# Everything a write could change, in one listing.
snapshot() {
	ls "$MDEV_DEVICES"
	grep -H . "$ACC_CLASS"/*/qp_free \
		"$ACC_CLASS"/*/mdev_supported_types/*/available_instances \
		"$ACC_CLASS"/accmdev[0-3]/mdev_supported_types/*/migration_version \
		"$MDEV_DEVICES"/*/migration_version 2>&1
}

@test "a write changes nothing: no device, same versions, same models" {
	local a n before
	a=$(create_mdev accmdev0 accmdev-zip-r1-4qp)
	n=$(create_mdev accmdev2 accmdev-zip-r2-4qp)
	before=$(snapshot)
	run bash -c '
		v=$1
		shift
		for node in "$@"; do
			for s in "$v" hello "${v/rev=1/rev=2}" "${v/qps=4/qps=1}"; do
				"$SWRITE" -n "$node" "$s"
			done
		done' _ "$V" "${TV[accmdev0/zip-r1-4qp]}" "${TV[accmdev2/zip-r2-4qp]}" \
		"${TV[accmdev0/zip-r1-1qp]}" "${TV[accmdev4/zip-r1-4qp-nomig]}" \
		"$MDEV_DEVICES/$a/migration_version" "$MDEV_DEVICES/$n/migration_version"
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
	u=$(create_mdev accmdev1 accmdev-zip-r1-4qp)
	# A write(2) of zero bytes never reaches the driver: sysfs returns 0.
	dmesg_mark
	run "$SWRITE" "${TV[accmdev1/zip-r1-4qp]}" ""
	assert_output OK
	run dmesg_since_mark
	refute_output --partial accmdev
	for node in "${TV[accmdev1/zip-r1-4qp]}" "$MDEV_DEVICES/$u/migration_version"; do
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
	u=$(create_mdev accmdev1 accmdev-zip-r1-4qp)
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
	for node in "${TV[accmdev1/zip-r1-4qp]}" "$MDEV_DEVICES/$u/migration_version"; do
		dmesg_mark
		run "$SWRITE" -e EINVAL -n "$node" "${bad[@]}"
		assert_output ""
		log_only_malformed
	done
	# An extension field that is well formed is ignored.
	accepts "$MDEV_DEVICES/$u/migration_version" "$V;x-vendor=Acme_1.2:3+4,5-6"
}

@test "embedded NUL, control and non-ASCII bytes get EINVAL at both levels" {
	local u node h
	u=$(create_mdev accmdev1 accmdev-zip-r1-4qp)
	h=$(hex "$V")
	for node in "${TV[accmdev1/zip-r1-4qp]}" "$MDEV_DEVICES/$u/migration_version"; do
		dmesg_mark
		run "$SWRITE" -e EINVAL -x "$node" \
			"00" "0a" "000a" "${h}00" "${h}0a00" "${h:0:40}00${h:40}" \
			"${h:0:40}7f${h:40}" "${h:0:40}1b${h:40}" "${h}3b782d613dff" \
			"$(hex 'accmdev/1.0;kind=z')c3af$(hex 'p;rev=1;qps=4;algs=deflate')" \
			"${h}3b782d613dc2a0" "80${h}"
		assert_output ""
		log_only_malformed
	done
	# The same bytes without the bad one are accepted.
	run "$SWRITE" -x "$MDEV_DEVICES/$u/migration_version" "${h}"
	assert_output OK
}

@test "a write of a full page or more gets EINVAL; one byte less is judged" {
	local u node page
	page=$(getconf PAGESIZE)
	u=$(create_mdev accmdev1 accmdev-zip-r1-4qp)
	assert_equal "$(padded "$page" | wc -c)" "$page"
	for node in "${TV[accmdev1/zip-r1-4qp]}" "$MDEV_DEVICES/$u/migration_version"; do
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
