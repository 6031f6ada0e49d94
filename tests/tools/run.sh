#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Host tests of accctl: fake sysfs trees (mkfake.sh), golden output.
#
#   run.sh [ACCCTL]          default: tools/build-san/accctl
#   REGENERATE=1 run.sh      rewrite golden/*.txt from the current output
#                            (refused under CI=true: it passes every case)
#
# Prints TAP; exits non-zero if a test fails. Each case in cases.sh runs
# accctl once and compares its exit status, stdout and stderr with
# golden/NAME.txt. Whatever the golden file says, an exit status of 2
# must come with exactly one line on stderr, and a sanitizer report
# fails the case.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
accctl=${1:-$here/../../tools/build-san/accctl}
accctl=$(cd "$(dirname "$accctl")" && pwd)/$(basename "$accctl")
golden=$here/golden
regen=${REGENERATE:-0}
# Rewriting the golden files turns every golden case green: never in CI.
if [ "$regen" != 0 ] && [ "${CI:-}" = true ]; then
	echo "Bail out! REGENERATE=$regen is refused under CI=true"
	exit 1
fi

[ -x "$accctl" ] || { echo "Bail out! no accctl at $accctl"; exit 1; }

W=$(mktemp -d "${TMPDIR:-/tmp}/accctl-tests.XXXXXX")
trap 'rm -rf "$W"' EXIT
FILES=$W/files
mkdir -p "$FILES" "$W/copies"
for s in default devices empty race; do
	"$here/mkfake.sh" "$W/$s" "$s" || { echo "Bail out! mkfake $s"; exit 1; }
done

# Sanitizers: distinct exit codes, so no report can pass for a verdict.
export ASAN_OPTIONS=exitcode=99:detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:exitcode=98:print_stacktrace=1
# Tests never wait the full readiness bound.
export ACCCTL_READY_TIMEOUT_MS=100
unset ACCCTL_SYSFS_ROOT

declare -a names=() kinds=() specs=()

# t NAME TREE [ARGS...]: a golden case. TREE is a scenario of mkfake.sh,
# "copy:SCENARIO" for a private copy that the case may change, or "-"
# for no --sysfs-root. T_ENV (VAR=VALUE words), T_STDIN (a file) and
# T_PREP (shell code run first, with $root set) may be set in front.
t() {
	names+=("$1")
	kinds+=(golden)
	specs+=("$(declare -p T_ENV T_STDIN T_PREP 2>/dev/null | tr '\n' ';') args=($(printf '%q ' "${@:2}"))")
}

# a NAME FUNCTION [ARGS...]: a case decided by a shell function.
a() {
	names+=("$1")
	kinds+=(assert)
	specs+=("args=($(printf '%q ' "${@:2}"))")
}

# shellcheck source=cases.sh
. "$here/cases.sh"

tree_root() {	# TREE -> path ("" for none)
	local tree=$1 dst

	case $tree in
	-) echo "" ;;
	copy:*)
		dst=$W/copies/$RANDOM$RANDOM
		cp -a "$W/${tree#copy:}" "$dst"
		echo "$dst"
		;;
	*) echo "$W/$tree" ;;
	esac
}

# Run accctl for a golden case; print the normalized transcript.
transcript() {
	local root=$1; shift
	local out=$W/out err=$W/err rc env=() in=/dev/null

	[ -n "${T_ENV:-}" ] && read -ra env <<<"$T_ENV"
	[ -n "${T_STDIN:-}" ] && in=$T_STDIN
	if [ -n "$root" ]; then
		env "${env[@]}" "$accctl" --sysfs-root "$root" "$@" \
			<"$in" >"$out" 2>"$err"
	else
		env "${env[@]}" "$accctl" "$@" <"$in" >"$out" 2>"$err"
	fi
	rc=$?
	echo "# accctl $*"
	echo "[exit $rc]"
	echo "[stdout]"
	cat "$out"
	echo "[stderr]"
	cat "$err"
	if [ "$rc" = 2 ] && [ "$(wc -l <"$err")" != 1 ]; then
		echo "!! exit 2 without exactly one line on stderr"
	fi
	if grep -q -e 'Sanitizer' -e 'runtime error' "$err"; then
		echo "!! sanitizer report"
	fi
}

normalize() {
	sed -e "s|$W|\$TMP|g" -e 's|/copies/[0-9]*|/copy|g' -e "s|$here/|\$HERE/|g"
}

run_golden() {	# NAME SPEC
	local name=$1 T_ENV='' T_STDIN='' T_PREP='' args=() tree root got want

	eval "$2"
	tree=${args[0]}
	root=$(tree_root "$tree")
	eval "$T_PREP" || return 1
	got=$W/got
	transcript "$root" "${args[@]:1}" | normalize >"$got"
	want=$golden/$name.txt
	if grep -q '^!! ' "$got"; then
		sed 's/^/# /' "$got"
		return 1
	fi
	if [ "$regen" = 1 ]; then
		cp "$got" "$want"
		return 0
	fi
	if [ ! -f "$want" ]; then
		echo "# no golden file $want (REGENERATE=1 writes it)"
		return 1
	fi
	diff -u "$want" "$got" | sed 's/^/# /'
	return "${PIPESTATUS[0]}"
}

run_assert() {	# NAME SPEC
	local args=()

	eval "$2"
	"${args[@]}"
}

# An assertion that returns 77 is skipped; its last output line says why.
echo "1..${#names[@]}"
failed=0
for i in "${!names[@]}"; do
	out=$("run_${kinds[$i]}" "${names[$i]}" "${specs[$i]}")
	rc=$?
	if [ "$rc" = 77 ]; then
		echo "ok $((i + 1)) - ${names[$i]} # SKIP ${out##*$'\n'}"
		continue
	fi
	[ -n "$out" ] && printf '%s\n' "$out"
	if [ "$rc" = 0 ]; then
		echo "ok $((i + 1)) - ${names[$i]}"
	else
		echo "not ok $((i + 1)) - ${names[$i]}"
		failed=$((failed + 1))
	fi
done
if [ "$regen" = 1 ]; then
	# Golden files of cases that no longer exist.
	for f in "$golden"/*.txt; do
		n=$(basename "$f" .txt)
		printf '%s\n' "${names[@]}" | grep -qx -- "$n" ||
			echo "# stale golden file: $f"
	done
fi
[ "$failed" = 0 ]
