#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# check.sh BUILD SECONDS: the stream codec's unit test, then its fuzzer
# for SECONDS from a seed corpus the unit test writes, as one TAP stream
# on stdout: the unit test's lines, one line for its exit status, one
# for the fuzzer. Exits non-zero if any line is "not ok" or missing.

set -u
build=$1 seconds=$2
unit=$build/unit.tap corpus=$build/corpus log=$build/fuzz.log

case $seconds in
''|*[!0-9]*|0) echo "check.sh: FUZZ_SECONDS must be a positive integer" >&2
	exit 2 ;;
esac

export ASAN_OPTIONS="abort_on_error=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"

"$build/test_stream" >"$unit" 2>"$build/unit.err"
unit_rc=$?
planned=$(sed -n '1s/^1\.\.\([0-9][0-9]*\)$/\1/p' "$unit")
ran=$(grep -cE '^(not )?ok ' "$unit")
echo "1..$((${planned:-0} + 2))"
tail -n +2 "$unit" | grep -E '^(not )?ok |^#'
n=${planned:-0}

rc=0
if [ "$unit_rc" -eq 0 ] && [ -n "$planned" ] && [ "$ran" -eq "$planned" ]; then
	echo "ok $((n + 1)) - test_stream exited 0 after $ran of $planned tests"
else
	echo "not ok $((n + 1)) - test_stream exited $unit_rc after $ran of ${planned:-no} planned tests (see $build/unit.err)"
	rc=1
fi

rm -rf "$corpus"
mkdir -p "$corpus" || exit 2
if ! "$build/test_stream" --corpus "$corpus" 2>>"$build/unit.err"; then
	echo "not ok $((n + 2)) - libFuzzer stream parser: no seed corpus"
	exit 1
fi
seeds=$(ls "$corpus" | wc -l)
"$build/fuzz_stream" -max_total_time="$seconds" -max_len=70000 -len_control=0 -timeout=10 \
	-artifact_prefix="$build/" -print_final_stats=1 "$corpus" >"$log" 2>&1
frc=$?
# "Done 123456 runs in 10 second(s)"
done=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1 \2/p' "$log" |
	tail -n 1)
if [ "$frc" -eq 0 ] && [ -n "$done" ]; then
	echo "ok $((n + 2)) - libFuzzer stream parser: ${done% *} runs in ${done#* } s from $seeds seeds, no failure"
else
	echo "not ok $((n + 2)) - libFuzzer stream parser exited $frc (see $log)"
	grep -E 'ERROR|SUMMARY|deadly|artifact' "$log" | head -5 | sed 's/^/# /'
	rc=1
fi
exit $rc
