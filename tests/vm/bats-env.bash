# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# BASH_ENV of the guest's bats runs (tests/vm/guest.sh): every bash that
# bats starts (bats itself, bats-exec-file, one bats-exec-test per test)
# and every bash a test starts sources this file first.
#
# bats runs small programs around each test: mkdir twice, date twice and
# rm once (bats 1.8), and about ten more per suite. In the emulated guest
# a process costs 0.05 s on a production kernel and 0.3-0.9 s on the
# debug one, where those five came to about 2 s a test. The commands
# below are bash builtins instead: mkdir, rm and sleep from Debian's
# bash-builtins (the same options, no process), and `date +%s%N` from
# bash's own clock. Anything else goes to the real programs.

for accmdev_b in mkdir rm sleep; do
	if [ -f "/usr/lib/bash/$accmdev_b" ]; then
		enable -f "/usr/lib/bash/$accmdev_b" "$accmdev_b" 2>/dev/null
	fi
done
unset accmdev_b

# date +%s%N (bats' clock): EPOCHREALTIME has microseconds (and the
# locale's decimal point, hence the removal of anything not a digit).
date() {
	if [ "$#" = 1 ] && [ "$1" = +%s%N ]; then
		echo "${EPOCHREALTIME//[!0-9]/}000"
	else
		command date "$@"
	fi
}
