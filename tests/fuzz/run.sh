#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# run.sh BIN CORPUS DICT BUILD SECONDS
#
# Fuzz a copy of CORPUS for SECONDS and print one TAP test. The log and
# any crash artifact stay in BUILD. Exits non-zero on a crash.

set -u
bin=$1 corpus=$2 dict=$3 build=$4 seconds=$5
work=$build/corpus
log=$build/fuzz.log

case $seconds in
''|*[!0-9]*|0) echo "run.sh: FUZZ_SECONDS must be a positive integer" >&2
	exit 2 ;;
esac

rm -rf "$work"
mkdir -p "$work" || exit 2
cp "$corpus"/* "$work"/ || exit 2

echo "1..1"
ASAN_OPTIONS=abort_on_error=1:${ASAN_OPTIONS:-} \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-} \
"$bin" -max_total_time="$seconds" -max_len=4200 -timeout=10 \
	-dict="$dict" -artifact_prefix="$build/" -print_final_stats=1 \
	"$work" >"$log" 2>&1
rc=$?

# "Done 123456 runs in 20 second(s)"
done=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1 \2/p' "$log" |
	tail -n 1)
runs=${done% *}
secs=${done#* }

if [ "$rc" -eq 0 ] && [ -n "$done" ] && [ "${runs:-0}" -gt 0 ]; then
	echo "ok 1 - libFuzzer migver against the reference: $runs inputs in $secs s, 0 disagreements, no crash"
	exit 0
fi
echo "not ok 1 - libFuzzer migver against the reference: exit status $rc, see $log"
grep -E 'ERROR|DISAGREEMENT|module:|invariant failed|runtime error|SUMMARY|Test unit written' \
	"$log" | head -n 20 | sed 's/^/# /'
exit 1
