# SPDX-License-Identifier: GPL-2.0-only
# Loaded by every suite: bats libraries, paths and small sysfs helpers.
# Runs inside the test VM, as root, with accmdev loaded with its default
# parents (see driver/main.c).

bats_load_library bats-support
bats_load_library bats-assert

ACCMDEV_SRC=${ACCMDEV_SRC:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
ACCCTL=${ACCCTL:-$ACCMDEV_SRC/tools/build-san/accctl}
SWRITE=$ACCMDEV_SRC/tests/bin/build/swrite
MDEV_BUS=/sys/class/mdev_bus
MDEV_DEVICES=/sys/bus/mdev/devices
# The emulated guest is ~20x slower than a host: give accctl's wait for
# a new device's files (2 s by default) the same margin.
ACCCTL_READY_TIMEOUT_MS=${ACCCTL_READY_TIMEOUT_MS:-20000}
export ACCMDEV_SRC ACCCTL SWRITE ACCCTL_READY_TIMEOUT_MS

new_uuid() {
	cat /proc/sys/kernel/random/uuid
}

# type_dir PARENT TYPE
type_dir() {
	echo "$MDEV_BUS/$1/mdev_supported_types/$2"
}

# Every sysfs write is shown in a failing test's output, since set -x does
# not show redirections.
write_to() {
	echo "+ echo '$2' > $1" >&2
	echo "$2" >"$1"
}

# create_mdev PARENT TYPE [UUID]: prints the UUID
create_mdev() {
	local uuid=${3:-$(new_uuid)}
	write_to "$(type_dir "$1" "$2")/create" "$uuid" || return 1
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

read_attr() {
	local v
	v=$(<"$1") || return 1
	echo "$v"
}

# Mark the kernel log, so that a test can read only what came after.
# (Never clear the log: the harness scans all of it.)
dmesg_mark() {
	DMESG_MARK="accmdev-test-mark-$RANDOM$RANDOM"
	echo "$DMESG_MARK" >/dev/kmsg
}

dmesg_since_mark() {
	dmesg | sed -n "/$DMESG_MARK/,\$p" | tail -n +2
}
