# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Helpers of the accctl and mdevctl suites (40-accctl, 45-mdevctl).
# Loaded after helpers/common, which provides ACCCTL, ACC_CLASS,
# MDEV_DEVICES, new_uuid and cleanup_devices.

# Sanitizer reports must not pass for an exit status of 1 or 2. Leak
# checks cost a quarter of a second per run under emulation; the host
# tests run them on every path but libudev's, and one test here turns
# them on for those (ACCCTL_LEAKS=1).
export ASAN_OPTIONS=exitcode=99:detect_leaks=${ACCCTL_LEAKS:-0}
export UBSAN_OPTIONS=halt_on_error=1:exitcode=98:print_stacktrace=1

accctl() {
	"$ACCCTL" "$@"
}

# The version strings of the nodes, as the kernel prints them. (Builtins
# and subshells, no programs: in the debug lane's guest an exec costs up
# to a second.)
type_version() {	# PARENT TYPE
	local v
	IFS= read -r v <"$ACC_CLASS/$1/mdev_supported_types/$2/migration_version" &&
		echo "$v"
}

device_version() {	# UUID
	local v
	IFS= read -r v <"$MDEV_DEVICES/$1/migration_version" && echo "$v"
}

# parent_of UUID, type_of UUID: the names behind the links.
parent_of() (
	cd -P "$MDEV_DEVICES/$1/../accmdev" && l=(accmdev*) && echo "${l[0]}"
)

type_of() (
	cd -P "$MDEV_DEVICES/$1/mdev_type" && echo "${PWD##*/}"
)

# How many mdevs exist (all parents).
mdev_count() {
	local n=0 d
	for d in "$MDEV_DEVICES"/*; do
		[ -e "$d" ] && n=$((n + 1))
	done
	echo "$n"
}

# After `run --separate-stderr`: a failed command said exactly one line
# on stderr, prefixed "accctl: ", and (optionally) it contains TEXT.
assert_one_line_error() {	# [TEXT]
	assert_equal "${#stderr_lines[@]}" 1
	[[ "$stderr" == "accctl: "* ]] ||
		fail "stderr does not start with 'accctl: ': $stderr"
	if [ $# -gt 0 ]; then
		[[ "$stderr" == *"$1"* ]] || fail "stderr lacks '$1': $stderr"
	fi
}

# check_class SRC DST EXIT CLASS ERRNO: the kernel decides CLASS, accctl
# reports it with ERRNO, and migver in accctl agrees with the kernel.
check_class() {
	local src=$1 dst=$2 status=$3 class=$4 err=$5

	run -"$status" "$ACCCTL" check "$src" "$dst"
	if [ "$class" = ok ]; then
		assert_line --regexp '^verdict +compatible, decided by kernel$'
	else
		assert_line --regexp "^verdict +incompatible: $class \\($err\\), decided by kernel\$"
	fi
	refute_line --partial 'note '
	run -"$status" "$ACCCTL" check --json "$src" "$dst"
	if [ "$class" = ok ]; then
		assert_equal "$(jq -r '[.authority, .migver, .compatible] | join(" ")' <<<"$output")" \
			"kernel ok yes"
	else
		assert_equal "$(jq -r '[.authority, .migver, .compatible, .reason, .errno] | join(" ")' <<<"$output")" \
			"kernel $class no $class $err"
	fi
}

# Start `accctl monitor` in the background, output in FILE; returns once
# it has subscribed and listed what exists (its "exists" lines end with
# the last parent). MONITOR_PID is its pid.
start_monitor() {	# FILE [OPTIONS...]
	local file=$1 i
	shift
	"$ACCCTL" monitor "$@" >"$file" 2>"$file.err" 3>&- &
	MONITOR_PID=$!
	for i in $(seq 100); do
		grep -q '^exists accmdev accmdev4$' "$file" && return 0
		sleep 0.1
	done
	fail "monitor did not start: $(cat "$file" "$file.err")"
}

# Reap the monitor and check its exit status (`run` cannot wait: it
# runs in a subshell, which is not the monitor's parent).
wait_monitor() {	# STATUS
	local rc=0
	wait "$MONITOR_PID" || rc=$?
	MONITOR_PID=
	assert_equal "$rc" "$1"
}

# Wait until FILE has a line matching REGEX (at most ~10 s).
wait_line() {	# FILE REGEX, for up to 30 s (a loaded emulated guest)
	local end=$((SECONDS + 30))
	while ((SECONDS < end)); do
		grep -qE "$2" "$1" && return 0
		sleep 0.2
	done
	fail "no line /$2/ in: $(cat "$1")"
}

# kernel_verdict FILE VALUE: write VALUE (one line) to a migration_version
# file with a builtin, in one write, and set VERDICT to OK or the errno's
# name: the kernel's own answer, read without accctl.
kernel_verdict() {
	local msg=''
	if printf '%s\n' "$2" 2>"$BATS_TEST_TMPDIR/kverdict" >"$1"; then
		VERDICT=OK
		return 0
	fi
	IFS= read -r msg <"$BATS_TEST_TMPDIR/kverdict" || true
	case $msg in
	*'Invalid argument') VERDICT=EINVAL ;;
	*'Invalid cross-device link') VERDICT=EXDEV ;;
	*'Numerical result out of range') VERDICT=ERANGE ;;
	*'Protocol error') VERDICT=EPROTO ;;
	*'Exec format error') VERDICT=ENOEXEC ;;
	*'Operation not supported') VERDICT=EOPNOTSUPP ;;
	*'No such device') VERDICT=ENODEV ;;
	*) VERDICT="unexpected: $msg" ;;
	esac
}

# The names of a type's acceptance class, from the type's name alone
# (Documentation/accctl.rst, "Scheduling"): LABEL and TRAIT.
class_names() {	# TYPE
	local c=${1#accmdev-}
	LABEL=feature.node.kubernetes.io/accmdev-migrate-$c
	c=${c//-/_}
	TRAIT=CUSTOM_ACCMDEV_MIGRATE_${c^^}
}

# Every type of the host as "PARENT/TYPE", in glob order: TYPES.
all_types() {
	local d p
	TYPES=()
	for d in "$ACC_CLASS"/accmdev*/mdev_supported_types/*/; do
		d=${d%/}
		p=${d%/mdev_supported_types/*}
		TYPES+=("${p##*/}/${d##*/}")
	done
}
