#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# Types are compatible interfaces (the v5 contract of migration_version):
# one type per kind, model revision, queue-pair shape and migratability,
# named accmdev-<kind>-r<rev>-<N>qp[-nomig]. Shown here:
#
#  - the default parents offer exactly the 30 types listed below (the
#    list is this file's, not derived from the driver), each described
#    as its name says, and all types of a parent draw on one pool;
#  - a device has no model attributes: its type is its model;
#  - every type node answers every source string as a new default device
#    of that type answers it (tests/bin/typeagree agree), on the default
#    parents and on generated parent sets;
#  - one type name is one device on every parent: the same
#    migration_version and the same REVISION and ALGS registers
#    (tests/bin/typeagree same).
#
#   TYPES_SEED   seed of the generated parent sets (default 18; printed)
bats_require_minimum_version 1.5.0

DEFAULT_PARENTS=zip:1:64,zip:1:64,zip:2:64,sec:1:32,zip:1:16:nomig

setup() {
	load helpers/common
	TYPEAGREE=$ACCMDEV_SRC/tests/bin/build/typeagree
	export ASAN_OPTIONS=exitcode=99:detect_leaks=0
	export UBSAN_OPTIONS=halt_on_error=1:exitcode=98:print_stacktrace=1
	[ -x "$TYPEAGREE" ] || fail "$TYPEAGREE is not built: make -C tests/bin"
	lsmod | grep -q '^accmdev ' || insmod "$ACCMDEV_MODULE"
	cleanup_devices
	# The native algorithms of each model (Documentation, the admin
	# guide's table), in the order the module lists them.
	declare -gA NATIVE=(
		[zip-r1]=crc32c,deflate,inflate
		[zip-r2]=crc32c,adler32,deflate,inflate
		[sec-r1]=sha256,sha224
	)
}

# Back to the default parents, for the suites after this one.
teardown() {
	local p
	cleanup_devices
	IFS= read -r p </sys/module/accmdev/parameters/parents 2>/dev/null || p=
	if [ "$p" != "$DEFAULT_PARENTS" ]; then
		rmmod accmdev 2>/dev/null
		insmod "$ACCMDEV_MODULE"
	fi
}

# load_parents SPEC: the module again, with parents=SPEC.
load_parents() {
	cleanup_devices
	rmmod accmdev || return 1
	insmod "$ACCMDEV_MODULE" "parents=$1" || return 1
}

# type_names SPEC: the types SPEC's parents must offer, "accmdevN/NAME"
# one a line: for KIND:REV:QPS[:nomig], model revisions 1..REV, each in
# the shapes 1, 2, 4, 8, 16 that are at most QPS, "-nomig" appended on a
# parent that cannot migrate. Sorted (LC_ALL=C).
type_names() (
	trap - DEBUG
	IFS=, read -ra ps <<<"$1"
	n=0
	for p in "${ps[@]}"; do
		IFS=: read -r kind rev qps flag <<<"$p"
		for ((r = 1; r <= rev; r++)); do
			for q in 1 2 4 8 16; do
				((q <= qps)) || continue
				echo "accmdev$n/accmdev-$kind-r$r-${q}qp${flag:+-$flag}"
			done
		done
		n=$((n + 1))
	done | LC_ALL=C sort
)

# The types the module offers, in the same form.
offered() (
	trap - DEBUG
	for t in "$ACC_CLASS"/accmdev*/mdev_supported_types/*; do
		p=${t%/mdev_supported_types/*}
		echo "${p##*/}/${t##*/}"
	done | LC_ALL=C sort
)

# descriptions_match: every type's description is what its name says;
# prints each that is not, then "checked N".
descriptions_match() (
	trap - DEBUG
	n=0
	re='^accmdev-(zip|sec)-r([0-9]+)-([0-9]+)qp(-nomig)?$'
	for t in "$ACC_CLASS"/accmdev*/mdev_supported_types/*; do
		name=${t##*/}
		if [[ ! $name =~ $re ]]; then
			echo "$t: a name of another form"
			continue
		fi
		kind=${BASH_REMATCH[1]} rev=${BASH_REMATCH[2]} qps=${BASH_REMATCH[3]}
		mig=1
		[ -n "${BASH_REMATCH[4]}" ] && mig=0
		want="qps=$qps"$'\n'"kind=$kind"$'\n'"revision=$rev"$'\n'
		want+="algorithms=${NATIVE[$kind-r$rev]}"$'\n'"migratable=$mig"
		IFS= read -r -d '' got <"$t/description" || :
		[ "$got" = "$want"$'\n' ] || echo "$t: $(printf %q "$got")"
		n=$((n + 1))
	done
	echo "checked $n"
)

# pool_follows PARENT FREE: qp_free is FREE and every type's
# available_instances is FREE divided by its shape; prints what is not,
# then "checked N" (the parent's types).
pool_follows() (
	trap - DEBUG
	n=0
	d=$ACC_CLASS/$1
	IFS= read -r f <"$d/qp_free"
	[ "$f" = "$2" ] || echo "$1: qp_free $f, want $2"
	for t in "$d"/mdev_supported_types/*; do
		q=${t##*-r[0-9]-}
		q=${q%%qp*}
		IFS= read -r a <"$t/available_instances" || :
		[ "$a" = $(($2 / q)) ] || echo "${t##*/}: available_instances $a, want $(($2 / q))"
		n=$((n + 1))
	done
	echo "checked $n"
)

# The hand-made sources (typeagree adds one device of every type and,
# from each, a narrower, a one-algorithm and a next-revision string).
handmade() {
	cat <<'EOF'
accmdev/1.0;kind=zip;rev=1;qps=4;algs=deflate
accmdev/1.0;kind=zip;rev=1;qps=16;algs=inflate,crc32c
accmdev/1.0;kind=zip;rev=2;qps=4;algs=adler32
accmdev/1.0;kind=zip;rev=1;qps=4;algs=crc32c,adler32
accmdev/1.0;kind=zip;rev=2;qps=16;algs=crc32c,deflate,inflate
accmdev/1.0;kind=zip;rev=3;qps=1;algs=crc32c
accmdev/1.0;kind=sec;rev=1;qps=2;algs=sha224
accmdev/1.0;kind=sec;rev=2;qps=2;algs=sha256
accmdev/1.0;kind=sec;rev=1;qps=8;algs=sha256,deflate
accmdev/1.0;kind=zip;rev=1;qps=3;algs=crc32c
accmdev/1.0;kind=zip;rev=1;qps=4;algs=crc32c,lz4
accmdev/1.0;kind=lz;rev=1;qps=4;algs=crc32c
accmdev/1.0;algs=inflate;qps=8;rev=1;kind=zip
accmdev/1.0;kind=zip;rev=1;qps=1;algs=crc32c;x-vendor=a
accmdev/2.0;kind=zip;rev=1;qps=4;algs=crc32c
accmdev/1.1;kind=sec
accmdev/0.9;kind=zip;rev=1;qps=2;algs=crc32c
hello
i915-GVTg_V5_4
accmdev/1.0;kind=zip;rev=0;qps=4;algs=crc32c
accmdev/1.0;kind=zip;rev=1;qps=4;algs=
accmdev/1.0;kind=zip;rev=1;qps=4
accmdev/1.0;kind=zip;rev=1;qps=4;algs=crc32c;
accmdev/1.0;kind=ZIP;rev=1;qps=4;algs=crc32c
EOF
}

# agree: typeagree agree on the loaded parents; its summary lines in
# $output. Asserts the agreement and the pair count.
agree() {
	handmade >"$BATS_TEST_TMPDIR/sources"
	run "$TYPEAGREE" agree -x "$BATS_TEST_TMPDIR/sources"
	grep -E '^(types|answers)|^# ' <<<"$output" | sed 's/^/# /' >&3
	assert_success
	assert_line --regexp '^types=[1-9][0-9]* sources=[1-9][0-9]* pairs=[1-9][0-9]* disagreements=0 read_disagreements=0$'
	local l types sources pairs
	l=$(grep '^types=' <<<"$output")
	[[ $l =~ ^types=([0-9]+)\ sources=([0-9]+)\ pairs=([0-9]+) ]]
	types=${BASH_REMATCH[1]} sources=${BASH_REMATCH[2]} pairs=${BASH_REMATCH[3]}
	assert_equal "$pairs" $((types * sources))
	assert_equal "$types" "$(offered | wc -l)"
	assert_line --regexp '^answers OK=[1-9][0-9]* .* other=0$'
}

# same: typeagree same on the loaded parents.
same() {
	run "$TYPEAGREE" same
	grep -E '^types=' <<<"$output" | sed 's/^/# /' >&3
	assert_success
	assert_line --regexp '^types=[1-9][0-9]* names=[1-9][0-9]* shared_names=[0-9]+ probed=[1-9][0-9]* differences=0$'
}

# gen_parents SEED: a parents= list drawn from SEED (a 31-bit LCG, so the
# same seed gives the same list everywhere): 2 to 4 accelerators of a
# random kind, revision, size and migratability, and one more of the
# first one's kind at its highest revision, so that names repeat.
gen_parents() (
	trap - DEBUG
	x=$1
	rnd() {
		x=$(((x * 1103515245 + 12345) % 2147483648))
		r=$(((x >> 8) % $1))
	}
	sizes=(1 2 3 5 8 12 16 17 24 31 32 64)
	rnd 3
	n=$((2 + r))
	out=
	for ((i = 0; i < n; i++)); do
		rnd 2
		kind=zip max=2
		((r)) && kind=sec max=1
		[ "$i" = 0 ] && first=$kind firstmax=$max
		rnd "$max"
		rev=$((1 + r))
		rnd ${#sizes[@]}
		qps=${sizes[r]}
		rnd 4
		flag=
		((r == 0)) && flag=:nomig
		out+=${out:+,}$kind:$rev:$qps$flag
	done
	rnd ${#sizes[@]}
	echo "$out,$first:$firstmax:$((sizes[r] < 16 ? 16 : sizes[r]))"
)

@test "the default parents offer exactly the 30 expected types" {
	local want
	want=$(
		for p in 0 1 2; do
			for q in 1 2 4 8 16; do echo "accmdev$p/accmdev-zip-r1-${q}qp"; done
		done
		for q in 1 2 4 8 16; do echo "accmdev2/accmdev-zip-r2-${q}qp"; done
		for q in 1 2 4 8 16; do echo "accmdev3/accmdev-sec-r1-${q}qp"; done
		for q in 1 2 4 8 16; do echo "accmdev4/accmdev-zip-r1-${q}qp-nomig"; done
	)
	want=$(LC_ALL=C sort <<<"$want")
	assert_equal "$(wc -l <<<"$want")" 30
	run offered
	assert_output "$want"
	# The generator of the other sets says the same of the defaults.
	assert_equal "$(type_names "$DEFAULT_PARENTS")" "$want"
}

@test "each type's description is the model and shape its name says" {
	run descriptions_match
	assert_output "checked 30"
	# Spot checks, written out.
	assert_equal "$(<"$ACC_CLASS/accmdev2/mdev_supported_types/accmdev-zip-r1-8qp/description")" \
		"$(printf 'qps=8\nkind=zip\nrevision=1\nalgorithms=crc32c,deflate,inflate\nmigratable=1')"
	assert_equal "$(<"$ACC_CLASS/accmdev2/mdev_supported_types/accmdev-zip-r2-1qp/description")" \
		"$(printf 'qps=1\nkind=zip\nrevision=2\nalgorithms=crc32c,adler32,deflate,inflate\nmigratable=1')"
	assert_equal "$(<"$ACC_CLASS/accmdev4/mdev_supported_types/accmdev-zip-r1-16qp-nomig/description")" \
		"$(printf 'qps=16\nkind=zip\nrevision=1\nalgorithms=crc32c,deflate,inflate\nmigratable=0')"
}

@test "available_instances of all of a parent's types follow its one pool" {
	local a b c
	run pool_follows accmdev2 64
	assert_output "checked 10"
	a=$(create_mdev accmdev2 accmdev-zip-r2-4qp)
	run pool_follows accmdev2 60
	assert_output "checked 10"
	b=$(create_mdev accmdev2 accmdev-zip-r1-16qp)
	run pool_follows accmdev2 44
	assert_output "checked 10"
	c=$(create_mdev accmdev2 accmdev-zip-r1-1qp)
	run pool_follows accmdev2 43
	assert_output "checked 10"
	remove_mdev "$a"
	run pool_follows accmdev2 47
	assert_output "checked 10"
	# The other parents' pools did not move.
	run pool_follows accmdev0 64
	assert_output "checked 5"
	# A parent that cannot migrate: the same rule.
	create_mdev accmdev4 accmdev-zip-r1-8qp-nomig
	run pool_follows accmdev4 8
	assert_output "checked 5"
	create_mdev accmdev4 accmdev-zip-r1-4qp-nomig
	run pool_follows accmdev4 4
	assert_output "checked 5"
	run "$SWRITE" "$ACC_CLASS/accmdev4/mdev_supported_types/accmdev-zip-r1-8qp-nomig/create" "$(new_uuid)"
	assert_output ENOSPC
	remove_mdev "$b"
	remove_mdev "$c"
	run pool_follows accmdev2 64
	assert_output "checked 10"
}

@test "a device has no model_revision or model_algorithms: its type is its model" {
	local p t u
	for t in accmdev0/accmdev-zip-r1-4qp accmdev2/accmdev-zip-r1-1qp \
		accmdev2/accmdev-zip-r2-2qp accmdev3/accmdev-sec-r1-8qp \
		accmdev4/accmdev-zip-r1-1qp-nomig; do
		u=$(create_mdev "${t%%/*}" "${t#*/}")
		assert [ -e "$MDEV_DEVICES/$u/migration_version" ]
		for p in model_revision model_algorithms; do
			assert [ ! -e "$MDEV_DEVICES/$u/$p" ]
			run "$SWRITE" "$MDEV_DEVICES/$u/$p" 1
			assert_failure
		done
	done
}

@test "default parents: every type answers every source as a new device of that type" {
	agree
	# Every answer of the contract came up.
	assert_line --regexp '^answers OK=[1-9][0-9]* EINVAL=[1-9][0-9]* EXDEV=[1-9][0-9]* ERANGE=[1-9][0-9]* EPROTO=[1-9][0-9]* ENOEXEC=[1-9][0-9]* EOPNOTSUPP=[1-9][0-9]* ENODEV=[1-9][0-9]* other=0$'
	assert_line --regexp '^types=30 '
}

@test "default parents: one type name, one device on every parent (version, REVISION, ALGS)" {
	same
	# accmdev0, accmdev1 and accmdev2 share the zip r1 names. ALGS has
	# bit n for opcode n (driver/uapi/accmdev_regs.h: crc32c 0, adler32
	# 1, deflate 2, inflate 3, sha256 4, sha224 5).
	# Each name on one parent only is probed once per model: 15 devices
	# of the shared names and one each of zip r2, sec r1, zip r1 nomig.
	assert_line --regexp '^types=30 names=20 shared_names=5 probed=18 differences=0$'
	local q
	for q in 1 2 4 8 16; do
		assert_line "name=accmdev-zip-r1-${q}qp parents=3 rev=1 algs=0xd"
	done
	assert_line --regexp '^name=accmdev-zip-r2-[0-9]+qp parents=1 rev=2 algs=0xf$'
	assert_line --regexp '^name=accmdev-sec-r1-[0-9]+qp parents=1 rev=1 algs=0x30$'
	assert_line --regexp '^name=accmdev-zip-r1-[0-9]+qp-nomig parents=1 rev=1 algs=0xd$'
}

# generated K: the K-th generated parent set (from TYPES_SEED): its type
# list, every type against a new device of it, and each shared name.
generated() {
	local seed=$((${TYPES_SEED:-18} + $1)) spec
	[ "${TYPES_GENERATED:-1}" = 1 ] ||
		skip "TYPES_GENERATED=0: the generated parent sets run on the production lanes"
	spec=$(gen_parents "$seed")
	echo "# set $1: seed=$seed parents=$spec (TYPES_SEED=${TYPES_SEED:-18})" >&3
	load_parents "$spec"
	run offered
	assert_output "$(type_names "$spec")"
	run descriptions_match
	assert_output "checked $(type_names "$spec" | wc -l)"
	agree
	same
}

@test "generated parent set 1: types as listed, each type agrees with its devices, names shared alike" {
	generated 1
}

@test "generated parent set 2: types as listed, each type agrees with its devices, names shared alike" {
	generated 2
}

@test "generated parent set 3: types as listed, each type agrees with its devices, names shared alike" {
	generated 3
}
