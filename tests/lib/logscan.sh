#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The one kernel-log scan of the test harness: what in a kernel log is a
# report of a kernel bug. tests/check.sh scans each guest's console, its
# final dmesg and its kmemleak reports with it; the guest exports
# ACCMDEV_SPLATS (tests/vm/guest.sh), which the bats suites match the
# log lines of a test against; tests/harness/logscan.sh proves every class
# on canned logs.
#
# Sourced: sets ACCMDEV_SPLATS (one extended regular expression) and
# defines logscan FILE...: print every matching line as "FILE: line"
# (at most LOGSCAN_MAX, default 20, each once); false if there is none.
# Run: tests/lib/logscan.sh FILE... prints the hits and exits 1 if any.
#
# Only builtins while sourced: the debug lane's guest sources it in every
# test, where a process costs up to a second.

# One pattern per class; the comment says which report it catches.
accmdev_splat_patterns=(
	'Oops'                          # x86 oops: "Oops: 0000 [#1]", 6.12 "Oops: invalid opcode"
	'BUG:'                          # KASAN, might_sleep, page faults, scheduling while atomic
	'kernel BUG at'                 # BUG_ON() on 6.1: "kernel BUG at file:line!"
	'invalid opcode:'               # the trap a BUG_ON() raises, on 6.1 without "Oops:"
	'general protection fault'      # bad pointer dereference
	'Kernel panic'                  # panic()
	'KASAN'                         # "BUG: KASAN: slab-use-after-free in ..."
	'UBSAN:'                        # "UBSAN: array-index-out-of-bounds in ..."
	'kmemleak: .*new suspected'     # kmemleak's automatic scan
	'unreferenced object'           # kmemleak's report (the guest's .kmemleak files)
	'possible circular locking'     # lockdep
	'possible recursive locking'    # lockdep
	'inconsistent lock state'       # lockdep
	'possible irq lock inversion'   # lockdep
	'bad unlock balance'            # lockdep
	'suspicious RCU usage'          # lockdep's RCU checking
	'DEBUG_LOCKS_WARN_ON'           # lockdep's own assertions
	'lockdep: '                     # lockdep's own messages
	'turning off the locking correctness validator' # lockdep gave up
	'self-detected stall'           # RCU: "rcu_sched self-detected stall on CPU"
	'detected stalls'               # RCU: "rcu: INFO: rcu_preempt detected stalls on CPUs/tasks"
	'soft lockup - CPU#'            # watchdog: "BUG: soft lockup - CPU#0 stuck for 22s!"
	'hard LOCKUP'                   # watchdog
	'blocked for more than'         # hung task: "INFO: task x:12 blocked for more than 120 seconds."
	'list_add corruption'           # DEBUG_LIST
	'list_del corruption'           # DEBUG_LIST
	'WARNING:'                      # WARN_ON() and every report that comes with one
	'ODEBUG: .*object type'         # debug objects: "ODEBUG: free active ... object type: ..."
	'ODEBUG: Out of memory'         # debug objects gave up
	'is on stack .* but NOT annotated' # debug objects
	'refcount_t: '                  # "refcount_t: underflow; use-after-free."
	'Unable to handle kernel'       # faults on other architectures
	'stack-protector: '             # "stack-protector: Kernel stack is corrupted in: ..."
)

accmdev_join() {
	local IFS='|'
	ACCMDEV_SPLATS="${accmdev_splat_patterns[*]}"
}
accmdev_join
unset -f accmdev_join

logscan() {
	local hits
	hits=$(grep -aHE -- "$ACCMDEV_SPLATS" "$@" 2>/dev/null |
		sed 's/:/: /' | awk '!seen[$0]++' | head -n "${LOGSCAN_MAX:-20}")
	[ -n "$hits" ] || return 1
	printf '%s\n' "$hits"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	[ $# -gt 0 ] || { echo "usage: $0 FILE..." >&2; exit 2; }
	for f in "$@"; do
		[ -r "$f" ] || { echo "logscan: cannot read $f" >&2; exit 2; }
	done
	! logscan "$@"
fi
