#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The judge of a suite's TAP stream (tests/lib/tapjudge.awk) on canned
# streams: one for each way a suite can fail to run or end early, and
# the streams that must pass. Prints TAP; exits non-zero if a test fails.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
judge=$here/../lib/tapjudge.awk

n=0 failed=0
names=() mins=() skips=() wants=() reasons=() streams=()

# c NAME MIN SKIPMAX "PASS FAIL SKIP TESTS CHECKS" REASON STREAM: the
# judge of STREAM must print those counts and, unless REASON is empty, a
# reason holding REASON (and no reason when REASON is empty).
c() {
	names+=("$1") mins+=("$2") skips+=("$3") wants+=("$4") reasons+=("$5")
	streams+=("$6")
}

c "a complete run passes" 2 0 "2 0 0 2 0" "" \
'1..2
ok 1 a
ok 2 b
# exit 0'
c "a failed test fails, with no other reason" 2 0 "1 1 0 2 0" "" \
'1..2
ok 1 a
not ok 2 b
# exit 1'
c "no stream at all: no plan, no exit status" 1 0 "0 2 0 0 0" "no TAP plan" ''
c "an empty plan fails" 1 0 "0 1 0 0 0" "empty plan" \
'1..0
# exit 0'
c "a plan below the declared minimum fails" 3 0 "2 1 0 2 0" "below the 3 tests" \
'1..2
ok 1 a
ok 2 b
# exit 0'
c "planned tests that did not report fail, each" 3 0 "1 2 0 1 0" "2 of 3 planned tests did not report" \
'1..3
ok 1 a
# exit 0'
c "more results than planned fail" 1 0 "2 1 0 2 0" "2 results for a plan of 1" \
'1..1
ok 1 a
ok 2 b
# exit 0'
c "a non-zero exit with every test passed fails" 1 0 "1 1 0 1 0" "exit status 2 with no failed test" \
'1..1
ok 1 a
# exit 2'
c "a stream without its exit status fails" 1 0 "1 1 0 1 0" "no exit status" \
'1..1
ok 1 a'
c "an undeclared skip fails" 2 0 "1 1 0 2 0" "does not declare: b # skip no device" \
'1..2
ok 1 a
ok 2 b # skip no device
# exit 0'
c "a declared skip is a skip" 2 1 "1 0 1 2 0" "" \
'1..2
ok 1 a
ok 2 b # SKIP no device
# exit 0'
c "skips beyond the declared number fail" 3 1 "1 1 1 3 0" "does not declare" \
'1..3
ok 1 a
ok 2 b # skip no device
ok 3 c # skip no device
# exit 0'
c "a program's checks count, each" 1 0 "3 0 0 1 2" "" \
'1..1
    # Subtest: accdev irq
    ok 1 - x
    ok 2 - y
    1..2
ok 1 a
# exit 0'
c "a program's failed check fails" 1 0 "1 2 0 1 2" "" \
'1..1
    # Subtest: accdev irq
    ok 1 - x
    not ok 2 - y
    1..2
not ok 1 a
# exit 1'
c "a program that dies before its plan fails" 1 0 "2 1 0 1 1" "ended without its plan" \
'1..1
    # Subtest: accdev irq
    ok 1 - x
ok 1 a
# exit 0'
c "a program whose plan disagrees fails" 1 0 "2 1 0 1 1" "planned 2 checks and reported 1" \
'1..1
    # Subtest: accdev irq
    ok 1 - x
    1..2
ok 1 a
# exit 0'
c "a program crashing in the last test fails" 1 0 "1 2 0 1 1" "ended without its plan" \
'1..1
    # Subtest: accmig fsm
    ok 1 - x
not ok 1 a
# exit 1'
c "a bail out fails, with its reason" 2 0 "1 2 0 1 0" "Bail out! no accctl" \
'1..2
ok 1 a
Bail out! no accctl
# exit 1'
c "two plans fail" 1 0 "1 1 0 1 0" "a second plan" \
'1..1
ok 1 a
1..1
# exit 0'

echo "1..${#names[@]}"
for i in "${!names[@]}"; do
	n=$((n + 1))
	out=$(printf '%s\n' "${streams[$i]}" | sed '/^$/d' |
		awk -v min="${mins[$i]}" -v skipmax="${skips[$i]}" -f "$judge")
	counts=$(sed -n 's/^counts //p' <<<"$out")
	got_reasons=$(sed -n 's/^reason //p' <<<"$out")
	ok=1
	[ "$counts" = "${wants[$i]}" ] || ok=0
	if [ -n "${reasons[$i]}" ]; then
		[[ $got_reasons == *"${reasons[$i]}"* ]] || ok=0
	else
		[ -z "$got_reasons" ] || ok=0
	fi
	if [ "$ok" = 1 ]; then
		echo "ok $n - ${names[$i]}"
	else
		echo "not ok $n - ${names[$i]}"
		echo "# want counts ${wants[$i]}, reason \"${reasons[$i]}\""
		printf '%s\n' "$out" | sed 's/^/# got: /'
		failed=$((failed + 1))
	fi
done
[ "$failed" = 0 ]
