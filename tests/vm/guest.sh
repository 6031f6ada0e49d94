#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Runs inside the guest as PID 1 after tests/vm/init: finish the system
# setup, load the modules, run the job from /run/accmdev/job.env, save
# the kernel log and power off.
set -u
OUT=/run/accmdev
. "$OUT/job.env"
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=${TERM:-linux} LANG=C.UTF-8
export ACCMDEV_SRC=$SRC ACCMDEV_KVER=$KVER ACCMDEV_MODULE=$MODULE
# What in a kernel log is a report of a kernel bug, for the suites' own
# checks of their log lines: the list make check scans the whole log with.
. "$SRC/tests/lib/logscan.sh"
export ACCMDEV_SPLATS

# One line on the console, with the guest's uptime: the timeline.
guest_log() {
	local up
	read -r up _ </proc/uptime
	echo "guest: $* at $up s" >/dev/console
}

poweroff_now() {
	sync
	echo b >/proc/sysrq-trigger
	sleep 10
}
trap poweroff_now EXIT

setup_system() {
	guest_log "init done"
	mkdir -p /dev/pts /dev/shm
	mount -t devpts -o gid=5,mode=0620 devpts /dev/pts
	mount -t tmpfs tmpfs /dev/shm
	ln -sf /proc/self/fd /dev/fd
	ln -sf /proc/self/fd/0 /dev/stdin
	ln -sf /proc/self/fd/1 /dev/stdout
	ln -sf /proc/self/fd/2 /dev/stderr
	mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug
	mkdir -p "/lib/modules/$KVER"
	mount --bind "$MODDIR" "/lib/modules/$KVER"
	ip link set lo up
	hostname accmdev-vm
	# udevd, as on a real host: tools on libudev listen to its events.
	mkdir -p /run/udev
	[ -n "${ACCMDEV_NO_UDEVD:-}" ] || /lib/systemd/systemd-udevd --daemon >/dev/null 2>&1
	[ -n "${ACCMDEV_GUEST_ENV:-}" ] && eval "export $ACCMDEV_GUEST_ENV"
	kmemleak_start
}

# kmemleak, on the kernels that have it (the debug lane; Debian's do not).
# What leaked before the job started belongs to the kernel: keep it apart
# (boot.kmemleak-ignored, not scanned by make check) and mark it seen.
# After every suite: scan, save SUITE.kmemleak (make check fails on any
# object in it), and mark those seen, so each file names only new leaks.
KMEMLEAK=/sys/kernel/debug/kmemleak

kmemleak_scan() {
	[ -w "$KMEMLEAK" ] && [ -z "${KMEMLEAK_OFF:-}" ] || return 0
	guest_log "kmemleak scan for $(basename "$1")"
	echo scan >"$KMEMLEAK"
	cat "$KMEMLEAK" >"$1"
	echo clear >"$KMEMLEAK"
	[ -s "$1" ] || rm -f "$1"
}

kmemleak_start() {
	[ -w "$KMEMLEAK" ] || return 0
	kmemleak_scan "$OUT/boot.kmemleak-ignored"
	[ "${KMEMLEAK_UNTIL:-}" != - ] || kmemleak_off noscan
}

# kmemleak_off: after the suites of tests/expect's leakcheck line (make
# check passes the last as KMEMLEAK_UNTIL), kmemleak goes off for good:
# it makes each process in the guest cost about three times as much
# (Documentation/testing.rst, "Time"). One last scan first, 5 s on, so
# that the last suite's leaks are old enough to be reported (none when
# no leakcheck suite ran: "noscan").
kmemleak_off() {
	[ -w "$KMEMLEAK" ] && [ -z "${KMEMLEAK_OFF:-}" ] || return 0
	if [ "${1:-}" != noscan ]; then
		sleep 5
		kmemleak_scan "$OUT/leakcheck-end.kmemleak"
	fi
	echo off >"$KMEMLEAK"
	KMEMLEAK_OFF=1
	guest_log "kmemleak off"
}

load_modules() {
	modprobe vfio && modprobe vfio_iommu_type1 && modprobe mdev &&
		insmod "$MODULE" || return 1
	udevadm settle -t 30 || echo "guest: udevadm settle failed" >&2
	guest_log "modules loaded"
}

# The suite loop uses builtins only: a process costs up to a second in
# the debug lane's guest.

# forks VAR: processes created since boot (fork, clone and vfork alike).
forks() {
	local key n
	while read -r key n _; do
		[ "$key" = processes ] && printf -v "$1" %s "$n" && return
	done </proc/stat
}

# uptime_cs VAR: the guest's uptime in hundredths of a second.
uptime_cs() {
	local up
	read -r up _ </proc/uptime
	printf -v "$1" %s "${up//./}"
}

run_check() {
	local s name rc t0 t1 p0 p1
	export BATS_LIB_PATH=/usr/lib/bats
	for s in "${SUITES[@]}"; do
		name=${s##*/}
		name=${name%.bats}
		guest_log "suite $name"
		uptime_cs t0
		forks p0
		BASH_ENV=$SRC/tests/vm/bats-env.bash \
			bats --formatter tap --timing "$s" >"$OUT/$name.tap" 2>"$OUT/$name.err"
		rc=$?
		# The exit status of bats: make check reads it
		# (tests/lib/tapjudge.awk).
		echo "# exit $rc" >>"$OUT/$name.tap"
		uptime_cs t1
		forks p1
		# A suite may leave the module unloaded; put it back.
		[ -d /sys/module/accmdev ] || insmod "$MODULE"
		# The suite's own time, rounded to seconds (the scan's is on
		# the console), and the processes it created: their cost is
		# most of a suite's time on the debug kernel
		# (Documentation/testing.rst).
		echo $(((10#$t1 - 10#$t0 + 50) / 100)) >"$OUT/$name.time"
		echo $((p1 - p0)) >"$OUT/$name.forks"
		kmemleak_scan "$OUT/$name.kmemleak"
		[ "$name" != "${KMEMLEAK_UNTIL:-}" ] || kmemleak_off
		# The suite is complete: make check reports it now.
		echo "$name" >"$OUT/$name.done"
	done
}

setup_system
if ! load_modules; then
	echo "guest: loading the modules failed" | tee "$OUT/load.err"
else
	case "$MODE" in
	check) run_check ;;
	tour) bash "$SRC/tests/vm/tour.sh" ;;
	shell)
		echo "accmdev shell on $KVER: accmdev is loaded; 'exit' powers off."
		setsid -c bash -i </dev/ttyS0 >/dev/ttyS0 2>&1
		;;
	esac
fi
# kmemleak reports only objects older than 5 s: wait that long, so the
# last suite's leaks are caught too.
if [ -w "$KMEMLEAK" ] && [ -z "${KMEMLEAK_OFF:-}" ]; then
	sleep 5
	kmemleak_scan "$OUT/end.kmemleak"
fi
echo "guest: done at $(cut -d' ' -f1 /proc/uptime) s" >/dev/console
dmesg >"$OUT/dmesg.txt"
echo done >"$OUT/status"
