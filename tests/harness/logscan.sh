#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The kernel-log scan (tests/lib/logscan.sh) on canned logs, one per
# class of report (logs/*.log) and a clean one with the lines a
# healthy guest prints (logs/clean.log). Prints TAP; exits non-zero
# if a test fails.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../lib/logscan.sh"
scan=$here/../lib/logscan.sh
samples=("$here"/logs/*.log)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/logscan.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

n=0 failed=0
ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
}

# One test per sample, three for the clean log, three for the script's
# exit status.
echo "1..$(( ${#samples[@]} - 1 + 3 + 3 ))"

[ -s "$here/logs/clean.log" ]
ok $? "the clean log exists and is not empty"
hits=$(logscan "$here/logs/clean.log")
[ -z "$hits" ]
ok $? "the clean log has no hit${hits:+: $hits}"
# bats judges a test's log lines with bash's =~ (refute_output
# --regexp): it must agree with grep -E on every line.
bad=
while IFS= read -r line; do
	r1=0 r2=0
	[[ $line =~ $ACCMDEV_SPLATS ]] || r1=1
	grep -qE -- "$ACCMDEV_SPLATS" <<<"$line" || r2=1
	[ "$r1" = "$r2" ] || bad+=" [$line]"
done < <(cat "${samples[@]}")
[ -z "$bad" ]
ok $? "bash's =~ and grep -E agree on every sample line${bad:+:$bad}"

# What each sample's report must be found by: a line holding this text
# must be among the hits (so that another line of the same report, such
# as the "invalid opcode" after 6.1's "kernel BUG at", cannot stand in
# for it). A sample without an entry fails.
declare -A expect=(
	[oops-6.12]='Oops: invalid opcode'
	[bug-at-6.1]='kernel BUG at /tmp/accmdev/driver/qp.c:212!'
	[null-deref]='BUG: kernel NULL pointer dereference'
	[gpf]='general protection fault'
	[panic]='Kernel panic - not syncing'
	[kasan]='BUG: KASAN: slab-use-after-free'
	[ubsan]='UBSAN: array-index-out-of-bounds'
	[kmemleak]='unreferenced object 0xffff888003a4b000'
	[kmemleak-auto]='kmemleak: 2 new suspected memory leaks'
	[lockdep-circular]='possible circular locking dependency'
	[lockdep-recursive]='possible recursive locking'
	[lockdep-inconsistent]='inconsistent lock state'
	[rcu-stall-self]='rcu_sched self-detected stall on CPU'
	[rcu-stall]='rcu_preempt detected stalls on CPUs/tasks'
	[soft-lockup]='soft lockup - CPU#1 stuck'
	[soft-lockup-old]='NMI watchdog: soft lockup - CPU#0'
	[hung-task]='INFO: task rmmod:1122 blocked for more than 122 seconds.'
	[list-add]='list_add corruption.'
	[list-del]='list_del corruption,'
	[warning]='WARNING: CPU: 0 PID: 612 at'
	[odebug]='ODEBUG: free active'
	[might-sleep]='BUG: sleeping function called from invalid context'
	[refcount]='refcount_t: underflow; use-after-free.'
)

# Each report, alone and in the middle of the clean log, is found by
# the line that says what it is, with the name of its file.
for f in "${samples[@]}"; do
	name=${f##*/}
	name=${name%.log}
	[ "$name" = clean ] && continue
	want=${expect[$name]:-}
	{
		head -n 10 "$here/logs/clean.log"
		cat "$f"
		tail -n +11 "$here/logs/clean.log"
	} >"$tmp/$name.log"
	alone=$(LOGSCAN_MAX=100 logscan "$f")
	mixed=$(LOGSCAN_MAX=100 logscan "$tmp/$name.log")
	[ -n "$want" ] && [[ $alone == *"$f: "*"$want"* ]] &&
		[[ $mixed == *"$tmp/$name.log: "*"$want"* ]]
	ok $? "$name: ${want:-(no expectation in run.sh)} is found"
done

# As a program: 0 on a clean log, 1 on a report, 2 on a missing file.
"$scan" "$here/logs/clean.log" >/dev/null
ok $? "logscan.sh exits 0 on the clean log"
"$scan" "$here/logs/clean.log" "$here/logs/bug-at-6.1.log" >/dev/null
[ $? = 1 ]
ok $? "logscan.sh exits 1 on a log with a report"
"$scan" "$tmp/no-such-file" >/dev/null 2>&1
[ $? = 2 ]
ok $? "logscan.sh exits 2 on a file it cannot read"
[ "$failed" = 0 ]
