# SPDX-License-Identifier: GPL-2.0-only
# Loaded by every suite: bats libraries, paths and small sysfs helpers.
# Runs inside the test VM, as root, with accmdev loaded with its default
# parents (see driver/main.c).

# bats runs every command of a test, its setup and what they source
# through its DEBUG trap: 0.2 ms a command on a host, some 4 ms in the
# emulated guest. Loading the libraries below is a few hundred commands
# (0.7 s a test in the guest), so it runs with the trap off; the trap is
# put back as it was at the end of this file.
accmdev_debug_trap=$(trap -p DEBUG)
trap - DEBUG

# bats-support and bats-assert, the files their load.bash lists, sourced
# here without load.bash's "$(dirname ...)" per file: every test loads
# them, and in the debug lane's guest those 17 forks took 7 s a test.
accmdev_load_library() {
	local dir line d dirs n=0 re='^source "\$\(dirname "\$\{BASH_SOURCE\[0\]\}"\)/(.*)"$'
	IFS=: read -ra dirs <<<"${BATS_LIB_PATH:-/usr/lib/bats}"
	for d in "${dirs[@]}"; do
		[ -f "$d/$1/load.bash" ] && dir=$d/$1 && break
	done
	[ -n "${dir:-}" ] || {
		bats_load_library "$1"
		return
	}
	while IFS= read -r line; do
		[[ $line =~ $re ]] || continue
		source "$dir/${BASH_REMATCH[1]}"
		n=$((n + 1))
	done <"$dir/load.bash"
	# A load.bash of another shape: let it load itself.
	[ "$n" -gt 0 ] || bats_load_library "$1"
}
accmdev_load_library bats-support
accmdev_load_library bats-assert

ACCMDEV_SRC=${ACCMDEV_SRC:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
ACCCTL=${ACCCTL:-$ACCMDEV_SRC/tools/build-san/accctl}
SWRITE=$ACCMDEV_SRC/tests/bin/build/swrite
# The accelerators by their stable names: /sys/class/accmdev/accmdevN has
# each one's attributes and a link to its mdev_supported_types. The mdev
# core's view, /sys/class/mdev_bus, names the parents (the accelerators'
# PCI functions) by PCI address; parent_addr maps one to the other.
ACC_CLASS=/sys/class/accmdev
MDEV_BUS=/sys/class/mdev_bus
MDEV_DEVICES=/sys/bus/mdev/devices
# The emulated guest is ~20x slower than a host: give accctl's wait for
# a new device's files (2 s by default) the same margin.
ACCCTL_READY_TIMEOUT_MS=${ACCCTL_READY_TIMEOUT_MS:-20000}
export ACCMDEV_SRC ACCCTL SWRITE ACCCTL_READY_TIMEOUT_MS
# The test programs of tests/bin print their checks into bats' TAP
# stream (fd 3) as a subtest of the test that runs them (testlib.h), so
# that make check counts each one.
export ACCMDEV_TAP_FD=3
# ACCMDEV_SPLATS, what in a kernel log is a report of a kernel bug: the
# guest exports it (tests/vm/guest.sh); from the one list in
# tests/lib/logscan.sh.
[ -n "${ACCMDEV_SPLATS:-}" ] || source "$ACCMDEV_SRC/tests/lib/logscan.sh"

# Builtins where they do: in the debug lane's guest every process costs
# 0.1 s (a fork) to 1 s (an exec), and the helpers run in every test.
new_uuid() {
	local u
	read -r u </proc/sys/kernel/random/uuid
	echo "$u"
}

# Every sysfs write is shown in a failing test's output, since set -x does
# not show redirections.
write_to() {
	echo "+ echo '$2' > $1" >&2
	echo "$2" >"$1"
}

# parent_addr accmdevN: the PCI address of the accelerator's function,
# its name as an mdev parent (mdevctl, libvirt, /sys/class/mdev_bus).
parent_addr() {
	local l
	l=$(readlink "$ACC_CLASS/$1/device") || return 1
	echo "${l##*/}"
}

# create_mdev PARENT TYPE [UUID]: prints the UUID
create_mdev() {
	local uuid=${3:-}
	[ -n "$uuid" ] || read -r uuid </proc/sys/kernel/random/uuid
	write_to "$ACC_CLASS/$1/mdev_supported_types/$2/create" "$uuid" || return 1
	echo "$uuid"
}

remove_mdev() {
	write_to "$MDEV_DEVICES/$1/remove" 1
}

# Remove every mdev, so that each test starts from a known state.
cleanup_devices() {
	local d
	for d in "$MDEV_DEVICES"/*; do
		[ -e "$d/remove" ] && echo 1 >"$d/remove" 2>/dev/null
	done
	return 0
}

# Mark the kernel log, so that a test can read only what came after.
# (Never clear the log: the harness scans all of it.)
dmesg_mark() {
	DMESG_MARK="accmdev-test-mark-$RANDOM$RANDOM"
	echo "$DMESG_MARK" >/dev/kmsg
}

# The lines after the mark. (Not in bash: its pattern removal is
# quadratic, and took 3 s on a long log.)
dmesg_since_mark() {
	dmesg | sed "0,/$DMESG_MARK/d"
}

# nofds CMD...: CMD (a program or a function), in a subshell without the
# shell's descriptors above 2. A daemon started with them would hold
# bats's fd 3 (its TAP stream), and bats waits until every holder is
# gone.
nofds() {
	(
		for fd in /proc/self/fd/*; do
			fd=${fd##*/}
			[ "$fd" -le 2 ] || eval "exec $fd>&-"
		done
		"$@"
	)
}

eval "$accmdev_debug_trap"
unset accmdev_debug_trap
