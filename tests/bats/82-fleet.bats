#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# The fleet differential (issue 18): a scheduler that matches only
# labels (NFD), traits (Nova) or an exported type list (accctl check
# --export) must decide a migration exactly as the destination's kernel
# does. A generated fleet of hosts, each host one load of the module
# with its own parents= set, is exported (accctl export, json/nfd/nova)
# and yields one source string per migratable type (a device's
# migration_version). Then, for every (source, destination host) pair,
# the destination's kernel is asked (a write of the string to every
# type's migration_version, and the type's available_instances), and its
# answer must equal the one computed from the exported files alone
# (Documentation/testing.rst, "The fleet differential").
#
#   FLEET_SEED   seed of the fleet (printed; default random)
#   FLEET_HOSTS  number of hosts (default 6)
#
# The module is loaded with the default parents when the suite starts;
# teardown_file loads it so again, for the suites after this one.
bats_require_minimum_version 1.5.0

DEFAULT_PARENTS=zip:1:64,zip:1:64,zip:2:64,sec:1:32,zip:1:16:nomig

setup_file() {
	load helpers/common
	export FLEET=$BATS_FILE_TMPDIR
	export FLEET_SEED=${FLEET_SEED:-$(((RANDOM << 15) | RANDOM))}
	cleanup_devices
}

teardown_file() {
	load helpers/common
	cleanup_devices
	[ "$(</sys/module/accmdev/parameters/parents)" = "$DEFAULT_PARENTS" ] &&
		return 0
	[ -d /sys/module/accmdev ] && rmmod accmdev
	insmod "$ACCMDEV_MODULE"
}

setup() {
	load helpers/common
	load helpers/accctl
	# The errno names below are read from strerror(3)'s text.
	export LC_ALL=C
	KW_ERR=$BATS_TEST_TMPDIR/kwrite.err
	FLEET_TRAP=$(trap -p DEBUG)
	cleanup_devices
}

teardown() {
	cleanup_devices
}

# ---- helpers ---------------------------------------------------------------

# bats runs every command of a test through its DEBUG trap, some 4 ms a
# command in the emulated guest; the loops below run thousands of
# builtins, so they run with the trap off (as helpers/common loads), and
# they collect their failures instead of failing inside.
trap_off() {
	trap - DEBUG
}

trap_on() {
	eval "$FLEET_TRAP"
}

# kwrite FILE VALUE: one write of VALUE and a newline, by the shell's echo
# (no process); KW is OK or the errno's name, read from the message of
# the failed write.
kwrite() {
	local msg
	if { echo "$2" >"$1"; } 2>"$KW_ERR"; then
		KW=OK
		return 0
	fi
	IFS= read -r msg <"$KW_ERR"
	case $msg in
	*"Invalid argument") KW=EINVAL ;;
	*"Invalid cross-device link") KW=EXDEV ;;
	*"Numerical result out of range") KW=ERANGE ;;
	*"Protocol error") KW=EPROTO ;;
	*"Exec format error") KW=ENOEXEC ;;
	*"Operation not supported") KW=EOPNOTSUPP ;;
	*"No such device") KW=ENODEV ;;
	*"No space left on device") KW=ENOSPC ;;
	*"Device or resource busy") KW=EBUSY ;;
	*"No such file or directory") KW=ENOENT ;;
	*) KW="E?($msg)" ;;
	esac
	return 1
}

# The fleet's PRNG (an LCG, so that a seed gives the same fleet on any
# bash): fleet_rand N sets R to 0..N-1.
fleet_rand() {
	RNG=$(((RNG * 1103515245 + 12345) & 0x7fffffff))
	R=$(((RNG >> 8) % $1))
}

# load_parents [SET]: the module, loaded again with parents=SET (with
# its default parents, as the harness loads it, without SET).
load_parents() {
	cleanup_devices
	if [ -d /sys/module/accmdev ]; then
		rmmod accmdev || return 1
	fi
	insmod "$ACCMDEV_MODULE" ${1:+"parents=$1"}
}

# The type nodes of the loaded module: NODES (accmdevN/TYPE, sorted) and
# AVAIL[node].
read_nodes() {
	local t p
	NODES=()
	declare -gA AVAIL=()
	for t in "$ACC_CLASS"/accmdev*/mdev_supported_types/*; do
		p=${t%/mdev_supported_types/*}
		p=${p##*/}/${t##*/}
		NODES+=("$p")
		read -r "AVAIL[$p]" <"$t/available_instances"
	done
}

# node_dir accmdevN/TYPE: ND, the type's directory (no subshell).
node_dir() {
	ND=$ACC_CLASS/${1%%/*}/mdev_supported_types/${1#*/}
}

# The host's partial-use device (fleet file: host N PARENTS PARTIAL).
make_partial() {
	local u d
	[ "$1" = - ] && return 0
	d=$ACC_CLASS/${1%%/*}/mdev_supported_types/${1#*/}
	read -r u </proc/sys/kernel/random/uuid
	kwrite "$d/create" "$u" || {
		echo "creating the partial-use device $1: $KW" >&2
		return 1
	}
}

# The fleet, read back: HOST_SET[i], HOST_PARTIAL[i], NHOSTS.
read_fleet() {
	local tag i set partial
	HOST_SET=()
	HOST_PARTIAL=()
	while read -r tag i set partial; do
		[ "$tag" = host ] || continue
		HOST_SET[i]=$set
		HOST_PARTIAL[i]=$partial
	done <"$FLEET/fleet"
	NHOSTS=${#HOST_SET[@]}
	[ "$NHOSTS" -gt 0 ]
}

# The sources, read back: SRC_ORIGIN[i], SRC_STR[i], NSRC.
read_sources() {
	local id origin s
	SRC_ORIGIN=()
	SRC_STR=()
	while IFS=$'\t' read -r id origin s; do
		SRC_ORIGIN[id]=$origin
		SRC_STR[id]=$s
	done <"$FLEET/sources"
	NSRC=${#SRC_STR[@]}
	[ "$NSRC" -gt 0 ]
}

# What accctl require said, read back: REQ_RC, REQ_LABEL, REQ_TRAIT,
# REQ_TYPE, by source id.
read_requires() {
	local id rc label trait type
	REQ_RC=()
	REQ_LABEL=()
	REQ_TRAIT=()
	REQ_TYPE=()
	while IFS=$'\t' read -r id rc label trait type; do
		REQ_RC[id]=$rc
		REQ_LABEL[id]=$label
		REQ_TRAIT[id]=$trait
		REQ_TYPE[id]=$type
	done <"$FLEET/requires"
	[ "${#REQ_RC[@]}" = "$NSRC" ]
}

# The kernel's answers on host H, read back: KERR[src node], KAVAIL[node],
# KNODES (the host's nodes) and KYES[src] (some node accepts it and has
# an instance available).
read_kernel() {
	local id node err avail
	declare -gA KERR=() KAVAIL=()
	KNODES=()
	KYES=()
	while read -r id node err avail; do
		if [ "$id" = node ]; then
			KNODES+=("$node")
			KAVAIL[$node]=$err
			continue
		fi
		KERR[$id $node]=$err
		[ "$err" = OK ] && [ "$avail" -gt 0 ] && KYES[id]=1
	done <"$FLEET/h$1/kernel"
	[ "${#KNODES[@]}" -gt 0 ]
}

# The export of host H, read back: EX_AVAIL[type] (the most instances
# any parent of H has of it), EX_NA[parent/type] (its instances) and
# EX_NODES (parent/type, in order).
read_export() {
	local parent type mig avail label trait mv
	declare -gA EX_AVAIL=() EX_NA=()
	EX_NODES=()
	while IFS=$'\t' read -r parent type mig avail label trait mv; do
		EX_NODES+=("$parent/$type")
		EX_NA[$parent/$type]=$avail
		[ "${EX_AVAIL[$type]:-0}" -ge "$avail" ] || EX_AVAIL[$type]=$avail
	done <"$FLEET/h$1/export.tsv"
}

yesno() {
	if [ -n "$1" ]; then echo yes; else echo no; fi
}

# ---- the fleet ---------------------------------------------------------------

@test "pass 1: every host of a generated fleet loads, exports json, nfd and nova, and gives one source per migratable type" {
	local nh=${FLEET_HOSTS:-6} qps=(1 3 8 16 20 64) h i np kind rev q mig
	local sets=() partial=() small=-1 nomig=0 p cand d t u v tv
	local errs=() s n ids=0 dev=0 parent type avail label trait mv
	local -A srcof=() jnode=() labels=() traits=() sysnode=()
	echo "# fleet seed $FLEET_SEED (FLEET_SEED=$FLEET_SEED to rerun)" >&3
	RNG=$FLEET_SEED
	trap_off

	# Hosts of 1-4 parents: kind zip or sec, revision 1..the kind's
	# highest (zip 2, sec 1), a pool from qps, one in four not
	# migratable.
	declare -a P
	for ((h = 0; h < nh; h++)); do
		fleet_rand 4
		np=$((R + 1))
		P=()
		for ((i = 0; i < np; i++)); do
			fleet_rand 2
			if [ "$R" = 0 ]; then kind=zip; else kind=sec; fi
			rev=1
			[ "$kind" = zip ] && fleet_rand 2 && rev=$((R + 1))
			fleet_rand ${#qps[@]}
			q=${qps[R]}
			fleet_rand 4
			mig=
			[ "$R" = 0 ] && mig=:nomig && nomig=$((nomig + 1))
			[ "$q" -lt 16 ] && small=$h
			P+=("$kind:$rev:$q$mig")
		done
		sets[h]=$(IFS=,; echo "${P[*]}")
	done
	# At least one pool too small for some shapes (a 16-QP type missing)...
	# (the first parent of host 0 becomes one, if none is)...
	[ "$small" -ge 0 ] || sets[0]=zip:1:8${sets[0]#"${sets[0]%%,*}"}
	# ...and one host whose pool is partly used by a device that stays
	# (created after its sources, before its export, and again in pass 2):
	# a migratable parent of 3, 8, 16 or 20 QPs with a device of the
	# largest shape below its pool leaves the largest shapes without an
	# instance; it is the host's only migratable parent of its kind, so
	# that no other parent there has those types free, and the kernel
	# accepts a source on a type with no instance (the first such
	# parent from a random host on; if there is none, the random host
	# gets sec:1:8 first and loses its migratable sec parents)...
	fleet_rand "$nh"
	for ((i = 0; i < nh; i++)); do
		partial[i]=-
	done
	cand=
	for ((i = 0; i < nh; i++)); do
		h=$(((R + i) % nh))
		IFS=, read -ra P <<<"${sets[h]}"
		for ((p = 0; p < ${#P[@]}; p++)); do
			[[ ${P[p]} =~ ^(zip|sec):[12]:(3|8|16|20)$ ]] || continue
			kind=${P[p]%%:*}
			n=0
			for d in "${P[@]}"; do
				[[ $d == "$kind":* && $d != *:nomig ]] && n=$((n + 1))
			done
			[ "$n" = 1 ] || continue
			cand=$h/$p
			break
		done
		[ -z "$cand" ] || break
	done
	if [ -z "$cand" ]; then
		h=$R
		IFS=, read -ra P <<<"${sets[h]}"
		sets[h]=sec:1:8
		for d in "${P[@]}"; do
			[[ $d == sec:* && $d != *:nomig ]] || sets[h]+=,$d
		done
		cand=$h/0
	fi
	h=${cand%/*}
	p=${cand#*/}
	IFS=, read -ra P <<<"${sets[h]}"
	IFS=: read -r kind rev q <<<"${P[p]}"
	for d in 16 8 4 2 1; do
		[ "$d" -lt "$q" ] && break
	done
	partial[h]=accmdev$p/accmdev-$kind-r1-${d}qp
	# ...and some parent that cannot migrate.
	if [ "$nomig" = 0 ]; then
		i=$(((h + 1) % nh))
		sets[i]=${sets[i]},zip:1:16:nomig
	fi
	for ((h = 0; h < nh; h++)); do
		echo "host $h ${sets[h]} ${partial[h]}"
	done >"$FLEET/fleet"
	sed 's/^/# /' "$FLEET/fleet" >&3

	# The errno helper agrees with swrite (one write(2), errno by name,
	# here a table of every value's result), also for a write after a
	# refused one; on the default parents.
	d=$ACC_CLASS/accmdev0/mdev_supported_types/accmdev-zip-r1-4qp/migration_version
	IFS= read -r v <"$d"
	P=("$v" "${v/qps=4/qps=8}" "${v/kind=/kind=x}" accmdev/1.0
		"${v/;algs=/;x-a=b;algs=}" "${v/rev=1/rev=2}" "$v")
	u=
	for s in "${P[@]}"; do
		kwrite "$d" "$s" || true
		u+="$s -> $KW"$'\n'
	done
	run -1 "$SWRITE" -e none -n "$d" "${P[@]}"
	assert_equal "$output"$'\n' "$u"
	assert_line --index 2 --partial ' -> EXDEV'

	: >"$FLEET/sources"
	for ((h = 0; h < nh; h++)); do
		mkdir -p "$FLEET/h$h"
		load_parents "${sets[h]}" || fail "loading parents=${sets[h]}"
		read_nodes
		# One device per migratable type of the fleet, on the first
		# parent that offers it: its version string is a source. The
		# type node reads that string, on that parent and wherever
		# the fleet offers the type (the v5 contract: a type accepts
		# what a default device of it does; one name, one device).
		for n in "${NODES[@]}"; do
			[[ $n == *-nomig ]] && continue
			node_dir "$n"
			IFS= read -r tv <"$ND/migration_version"
			t=${n#*/}
			if [ -n "${srcof[$t]:-}" ]; then
				[ "${srcof[$t]}" = "$tv" ] ||
					errs+=("host $h: $n reads '$tv', a device of $t '${srcof[$t]}'")
				continue
			fi
			read -r u </proc/sys/kernel/random/uuid
			if ! kwrite "$ND/create" "$u"; then
				errs+=("host $h: create on $n: $KW")
				continue
			fi
			dev=$((dev + 1))
			IFS= read -r v <"$MDEV_DEVICES/$u/migration_version"
			[ "$v" = "$tv" ] ||
				errs+=("host $h: $n reads '$tv', its device '$v'")
			kwrite "$MDEV_DEVICES/$u/remove" 1 ||
				errs+=("host $h: remove $u: $KW")
			srcof[$t]=$v
			printf '%s\th%s:%s\t%s\n' "$ids" "$h" "$n" "$v" >>"$FLEET/sources"
			ids=$((ids + 1))
		done
		make_partial "${partial[h]}" || fail "host $h: partial-use device"
		read_nodes
		for n in "${NODES[@]}"; do
			node_dir "$n"
			v=-
			[[ $n == *-nomig ]] || IFS= read -r v <"$ND/migration_version"
			sysnode[$n]="${AVAIL[$n]} $v"
		done

		"$ACCCTL" export --format json >"$FLEET/h$h/export.json"
		"$ACCCTL" export --format nfd >"$FLEET/h$h/export.nfd"
		"$ACCCTL" export --format nova >"$FLEET/h$h/export.nova"
		jq -r 'if .format != 1 then error("format \(.format)") else
			.types[] | [.parent, .type, (.migratable | tostring),
			(.available_instances | tostring), .label // "-",
			.trait // "-", .migration_version // "-"] | @tsv end' \
			"$FLEET/h$h/export.json" >"$FLEET/h$h/export.tsv"

		# The export is this host's sysfs: every type, its
		# availability and version string, its label and trait.
		jnode=()
		labels=()
		traits=()
		while IFS=$'\t' read -r parent type mig avail label trait mv; do
			n=$parent/$type
			jnode[$n]=1
			[ -n "${sysnode[$n]:-}" ] ||
				errs+=("host $h: export lists $n, sysfs has no such type")
			[ "${sysnode[$n]:-}" = "$avail $mv" ] ||
				errs+=("host $h: $n: export '$avail $mv', sysfs '${sysnode[$n]:-}'")
			if [[ $type == *-nomig ]]; then
				[ "$mig $label $trait" = "false - -" ] ||
					errs+=("host $h: $n: migratable=$mig label=$label trait=$trait")
				continue
			fi
			t=${type#accmdev-}
			[ "$mig" = true ] ||
				errs+=("host $h: $n: migratable=$mig")
			[ "$label" = "feature.node.kubernetes.io/accmdev-migrate-$t" ] ||
				errs+=("host $h: $n: label $label")
			t=${t^^}
			[ "$trait" = "CUSTOM_ACCMDEV_MIGRATE_${t//-/_}" ] ||
				errs+=("host $h: $n: trait $trait")
			labels[$label=true]=1
			traits[$trait]=1
		done <"$FLEET/h$h/export.tsv"
		for n in "${NODES[@]}"; do
			[ -n "${jnode[$n]:-}" ] || errs+=("host $h: export lacks $n")
		done
		# nfd: a '#' header, then one label=true per label; nova: the
		# traits, under the compute node's provider.
		n=0
		while IFS= read -r s; do
			n=$((n + 1))
			[ "$n" = 1 ] && [[ $s != '#'* ]] &&
				errs+=("host $h: nfd starts with '$s'")
			[[ $s == '#'* ]] && continue
			if [ -n "${labels[$s]:-}" ]; then
				labels[$s]=2
			else
				errs+=("host $h: nfd line '$s' is no migratable type's label")
			fi
		done <"$FLEET/h$h/export.nfd"
		for s in "${!labels[@]}"; do
			[ "${labels[$s]}" = 2 ] || errs+=("host $h: nfd lacks $s")
		done
		n=
		while IFS= read -r s; do
			# shellcheck disable=SC2016 # a literal $COMPUTE_NODE
			case $s in
			"  schema_version: '1.0'") n+=s ;;
			*' uuid: $COMPUTE_NODE') n+=u ;;
			esac
			[[ $s =~ ^\ *-\ (CUSTOM_[A-Z0-9_]+)$ ]] || continue
			s=${BASH_REMATCH[1]}
			if [ -n "${traits[$s]:-}" ]; then
				traits[$s]=2
			else
				errs+=("host $h: nova trait $s is no migratable type's")
			fi
		done <"$FLEET/h$h/export.nova"
		[ "$n" = su ] ||
			errs+=("host $h: nova has no schema_version '1.0' or no \$COMPUTE_NODE")
		for s in "${!traits[@]}"; do
			[ "${traits[$s]}" = 2 ] || errs+=("host $h: nova lacks $s")
		done
		sysnode=()
	done
	trap_on
	echo "# $nh hosts, $ids sources (one device of each migratable type)" >&3
	[ "${#errs[@]}" = 0 ] || fail "$(printf '%s\n' "${errs[@]}")"
	assert_equal "$dev" "$ids"
	assert [ "$ids" -gt 0 ]
}

@test "pass 1: accctl require names one label, trait and type per source (nfd, nova, json agree); hand-made sources too" {
	local id s o rc rcn rcv out outn outv type label trait t errs=() n
	local lines=()
	trap_off
	read_sources
	read_fleet
	n=$NSRC
	# Hand-made sources: narrowed algorithms (what a resumed device may
	# carry; one with an extension key), a foreign kind, algorithms a
	# revision does not have, a shape no parent offers, another stream
	# format, a malformed string.
	local hand=(
		"narrow	accmdev/1.0;kind=zip;rev=2;qps=4;algs=crc32c,deflate"
		"narrow	accmdev/1.0;kind=sec;rev=1;qps=2;algs=sha256;x-vendor=acme"
		"foreign-kind	accmdev/1.0;kind=gpu;rev=1;qps=4;algs=crc32c"
		"not-native	accmdev/1.0;kind=zip;rev=1;qps=4;algs=crc32c,adler32,deflate,inflate"
		"no-shape	accmdev/1.0;kind=zip;rev=1;qps=3;algs=crc32c,deflate,inflate"
		"format	accmdev/2.0;kind=zip;rev=1;qps=4;algs=crc32c,deflate,inflate"
		"malformed	accmdev/1.0;kind=zip;rev=1;qps=4"
	)
	for s in "${hand[@]}"; do
		printf '%s\thand:%s\t%s\n' "$n" "${s%%	*}" "${s#*	}" >>"$FLEET/sources"
		n=$((n + 1))
	done
	read_sources

	: >"$FLEET/requires"
	for ((id = 0; id < NSRC; id++)); do
		s=${SRC_STR[id]}
		o=${SRC_ORIGIN[id]}
		rc=0 rcn=0 rcv=0
		out=$("$ACCCTL" require "$s" --format json 2>"$KW_ERR") || rc=$?
		outn=$("$ACCCTL" require "$s" 2>>"$KW_ERR") || rcn=$?
		outv=$("$ACCCTL" require "$s" --format nova 2>>"$KW_ERR") || rcv=$?
		if [ "$rc $rcn $rcv" = "1 1 1" ]; then
			mapfile -t lines <"$KW_ERR"
			[ "${#lines[@]}" = 3 ] && [[ ${lines[0]} == "accctl: "* ]] ||
				errs+=("$o '$s': require failed, but said: $(<"$KW_ERR")")
			[ -z "$out$outn$outv" ] ||
				errs+=("$o '$s': require failed, but printed: $out$outn$outv")
			printf '%s\t1\t-\t-\t-\n' "$id" >>"$FLEET/requires"
			continue
		fi
		if [ "$rc $rcn $rcv" != "0 0 0" ]; then
			errs+=("$o '$s': require exits json=$rc nfd=$rcn nova=$rcv: $(<"$KW_ERR")")
			continue
		fi
		# (JSON strings without escapes: these names need none.)
		[[ $out =~ \"label\":[[:space:]]*\"([^\"]*)\" ]] && label=${BASH_REMATCH[1]} || label=-
		[[ $out =~ \"trait\":[[:space:]]*\"([^\"]*)\" ]] && trait=${BASH_REMATCH[1]} || trait=-
		[[ $out =~ \"type\":[[:space:]]*\"([^\"]*)\" ]] && type=${BASH_REMATCH[1]} || type=-
		[ "$outn" = "$label" ] && [ "$outv" = "$trait" ] ||
			errs+=("$o '$s': json $out, nfd '$outn', nova '$outv'")
		# The label and trait name the type's acceptance class.
		t=${type#accmdev-}
		[ "$label" = "feature.node.kubernetes.io/accmdev-migrate-$t" ] ||
			errs+=("$o '$s': type $type, label $label")
		t=${t^^}
		[ "$trait" = "CUSTOM_ACCMDEV_MIGRATE_${t//-/_}" ] ||
			errs+=("$o '$s': type $type, trait $trait")
		# A device's string requires the device's own type.
		case $o in
		h[0-9]*) [ "$type" = "${o##*/}" ] ||
			errs+=("$o '$s': requires $type") ;;
		esac
		printf '%s\t0\t%s\t%s\t%s\n' "$id" "$label" "$trait" "$type" >>"$FLEET/requires"
	done
	trap_on
	[ "${#errs[@]}" = 0 ] || fail "$(printf '%s\n' "${errs[@]}")"
	read_requires
	# Independent of accctl: which hand-made sources some type of some
	# parent accepts (the narrowed ones), and which none does. (A shape no parent offers may be named
	# or refused: no host carries its label.)
	for ((id = 0; id < NSRC; id++)); do
		case ${SRC_ORIGIN[id]} in
		hand:narrow) [ "${REQ_RC[id]}" = 0 ] ;;
		hand:no-shape | h[0-9]*) true ;;
		*) [ "${REQ_RC[id]}" = 1 ] ;;
		esac || errs+=("${SRC_ORIGIN[id]} '${SRC_STR[id]}': require exits ${REQ_RC[id]}")
	done
	[ "${#errs[@]}" = 0 ] || fail "$(printf '%s\n' "${errs[@]}")"
}

@test "pass 2: on every host the kernel accepts a source where its NFD labels and exported availability say so, and only there" {
	local h id n s d errs=() pairs=0 yes=0 no=0 full=0 lab avail
	trap_off
	read_fleet
	read_sources
	read_requires
	# The last host of pass 1 first: it is still loaded.
	for ((h = NHOSTS - 1; h >= 0; h--)); do
		if [ "$(</sys/module/accmdev/parameters/parents)" = "${HOST_SET[h]}" ]; then
			cleanup_devices
		else
			load_parents "${HOST_SET[h]}" || fail "loading parents=${HOST_SET[h]}"
		fi
		make_partial "${HOST_PARTIAL[h]}" || fail "host $h: partial-use device"
		read_nodes
		{
			for n in "${NODES[@]}"; do
				echo "node $n ${AVAIL[$n]} -"
			done
			for ((id = 0; id < NSRC; id++)); do
				s=${SRC_STR[id]}
				for n in "${NODES[@]}"; do
					kwrite "$ACC_CLASS/${n%%/*}/mdev_supported_types/${n#*/}/migration_version" "$s" || true
					echo "$id $n $KW ${AVAIL[$n]}"
				done
			done
		} >"$FLEET/h$h/kernel"
		# The host is as it was exported (the partial-use device
		# again): same types, same availability.
		read_export "$h"
		[ "${#NODES[@]}" = "${#EX_NODES[@]}" ] ||
			errs+=("host $h: pass 2 has ${#NODES[@]} types, the export ${#EX_NODES[@]}")
		for n in "${NODES[@]}"; do
			[ "${EX_NA[$n]:-none}" = "${AVAIL[$n]}" ] ||
				errs+=("host $h: $n: ${AVAIL[$n]} available in pass 2, ${EX_NA[$n]:-none} exported")
		done
		read_kernel "$h"
		declare -A nfd=()
		while IFS= read -r s; do
			[[ $s == '#'* ]] || nfd[$s]=1
		done <"$FLEET/h$h/export.nfd"
		for ((id = 0; id < NSRC; id++)); do
			pairs=$((pairs + 1))
			lab=
			avail=0
			if [ "${REQ_RC[id]}" = 0 ]; then
				avail=${EX_AVAIL[${REQ_TYPE[id]:--}]:-0}
				[ -n "${nfd[${REQ_LABEL[id]}=true]:-}" ] && [ "$avail" -gt 0 ] && lab=1
			fi
			if [ -n "${KYES[id]:-}" ]; then
				yes=$((yes + 1))
			else
				no=$((no + 1))
				for n in "${KNODES[@]}"; do
					[ "${KERR[$id $n]}" = OK ] && full=$((full + 1)) && break
				done
			fi
			[ "${KYES[id]:-}" = "$lab" ] ||
				errs+=("host $h (${HOST_SET[h]}) <- ${SRC_ORIGIN[id]} '${SRC_STR[id]}': kernel $(yesno "${KYES[id]:-}"), labels $(yesno "$lab") (requires ${REQ_LABEL[id]}, ${REQ_TYPE[id]} available $avail)")
		done
		unset nfd
	done
	trap_on
	echo "# seed $FLEET_SEED: $NHOSTS hosts, $NSRC sources, $pairs pairs: $yes accepted, $no refused ($full of them only for want of a free instance)" >&3
	[ "${#errs[@]}" = 0 ] || fail "$(printf '%s\n' "seed $FLEET_SEED" "${errs[@]}")"
	# Both answers occur, and a refusal for want of an instance alone
	# (the partly used pool): the comparison is not vacuous.
	assert [ "$yes" -gt 0 ]
	assert [ "$no" -gt 0 ]
	assert [ "$full" -gt 0 ]
}

@test "pass 2: the Nova traits and exported availability give the kernel's answer for every pair" {
	local h id s errs=() pairs=0 yes=0 no=0 tr avail
	trap_off
	read_fleet
	read_sources
	read_requires
	for ((h = 0; h < NHOSTS; h++)); do
		read_kernel "$h"
		read_export "$h"
		declare -A nova=()
		while IFS= read -r s; do
			[[ $s =~ ^\ *-\ (CUSTOM_[A-Z0-9_]+)$ ]] && nova[${BASH_REMATCH[1]}]=1
		done <"$FLEET/h$h/export.nova"
		for ((id = 0; id < NSRC; id++)); do
			pairs=$((pairs + 1))
			tr=
			avail=0
			if [ "${REQ_RC[id]}" = 0 ]; then
				avail=${EX_AVAIL[${REQ_TYPE[id]:--}]:-0}
				[ -n "${nova[${REQ_TRAIT[id]}]:-}" ] && [ "$avail" -gt 0 ] && tr=1
			fi
			if [ -n "${KYES[id]:-}" ]; then yes=$((yes + 1)); else no=$((no + 1)); fi
			[ "${KYES[id]:-}" = "$tr" ] ||
				errs+=("host $h (${HOST_SET[h]}) <- ${SRC_ORIGIN[id]} '${SRC_STR[id]}': kernel $(yesno "${KYES[id]:-}"), traits $(yesno "$tr") (requires ${REQ_TRAIT[id]}, ${REQ_TYPE[id]} available $avail)")
		done
		unset nova
	done
	trap_on
	echo "# seed $FLEET_SEED: $NHOSTS hosts, $NSRC sources, $pairs pairs: $yes accepted, $no refused" >&3
	[ "${#errs[@]}" = 0 ] || fail "$(printf '%s\n' "seed $FLEET_SEED" "${errs[@]}")"
	assert [ "$yes" -gt 0 ]
}

@test "pass 2: accctl check SRC --export gives, offline, every type's kernel verdict and the kernel's answer" {
	local h id s n out rc want got pairs=0 verdicts=0 malformed=0 errs=() line
	local -A field=([EINVAL]=version [EXDEV]=kind [ERANGE]=qps [EPROTO]=format
		[ENOEXEC]=rev [EOPNOTSUPP]=algs [ENODEV]=migratable)
	local -A cv=()
	local lines=()
	trap_off
	read_fleet
	read_sources
	for ((h = 0; h < NHOSTS; h++)); do
		read_kernel "$h"
		for ((id = 0; id < NSRC; id++)); do
			pairs=$((pairs + 1))
			s=${SRC_STR[id]}
			rc=0
			out=$("$ACCCTL" check "$s" --export "$FLEET/h$h/export.json" 2>"$KW_ERR") || rc=$?
			# A malformed string may be refused as such (exit 2, one
			# line), where the kernel refuses it on every type (EINVAL,
			# or ENODEV where the type cannot migrate).
			if [ "$rc" = 2 ]; then
				want=
				for n in "${KNODES[@]}"; do
					[[ $n == *-nomig ]] && got=ENODEV || got=EINVAL
					[ "${KERR[$id $n]}" = "$got" ] || want+=" $n:${KERR[$id $n]}"
				done
				mapfile -t lines <"$KW_ERR"
				if [ -z "$want$out" ] && [ "${#lines[@]}" = 1 ] &&
					[[ ${lines[0]} == "accctl: malformed"* ]]; then
					malformed=$((malformed + 1))
				else
					errs+=("host $h <- ${SRC_ORIGIN[id]} '$s': check exits 2 (${lines[*]}) $out; the kernel:${want:- EINVAL}")
				fi
				continue
			fi
			cv=()
			while IFS= read -r line; do
				[ -n "$line" ] || continue
				if [[ $line =~ ^([^/]+/[^:]+):\ ok\ \(([0-9]+)\ available\)$ ]]; then
					cv[${BASH_REMATCH[1]}]="OK ${BASH_REMATCH[2]}"
				elif [[ $line =~ ^([^/]+/[^:]+):\ refused:\ ([a-z]+)\ \((E[A-Z]+)\)$ ]]; then
					cv[${BASH_REMATCH[1]}]="${BASH_REMATCH[3]} ${BASH_REMATCH[2]}"
				else
					errs+=("host $h <- ${SRC_ORIGIN[id]} '$s': check printed '$line'")
				fi
			done <<<"$out"
			want=1
			[ -n "${KYES[id]:-}" ] && want=0
			[ "$rc" = "$want" ] ||
				errs+=("host $h <- ${SRC_ORIGIN[id]} '$s': check exits $rc, the kernel says $(yesno "${KYES[id]:-}") $(<"$KW_ERR")")
			[ "${#cv[@]}" = "${#KNODES[@]}" ] ||
				errs+=("host $h <- ${SRC_ORIGIN[id]} '$s': check has ${#cv[@]} types, the host ${#KNODES[@]}")
			for n in "${KNODES[@]}"; do
				verdicts=$((verdicts + 1))
				got=${cv[$n]:-none}
				want=${KERR[$id $n]}
				if [ "$want" = OK ]; then
					want="OK ${KAVAIL[$n]}"
				else
					want="$want ${field[$want]:-?}"
				fi
				[ "$got" = "$want" ] ||
					errs+=("host $h <- ${SRC_ORIGIN[id]} '$s': $n: kernel '$want', check '$got'")
			done
		done
	done
	trap_on
	echo "# seed $FLEET_SEED: $pairs pairs, $verdicts type verdicts; $malformed pairs refused by accctl as malformed" >&3
	[ "${#errs[@]}" = 0 ] || fail "$(printf '%s\n' "seed $FLEET_SEED" "${errs[@]}")"
}

@test "after the fleet, the default parents load again" {
	load_parents || fail "loading the default parents"
	read_nodes
	assert_equal "${#NODES[@]}" 30
	assert_equal "$(</sys/module/accmdev/parameters/parents)" "$DEFAULT_PARENTS"
}
