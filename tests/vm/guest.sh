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

poweroff_now() {
	sync
	echo b >/proc/sysrq-trigger
	sleep 10
}
trap poweroff_now EXIT

setup_system() {
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
}

load_modules() {
	modprobe vfio && modprobe vfio_iommu_type1 && modprobe mdev &&
		insmod "$MODULE" || return 1
	udevadm settle -t 30 || echo "guest: udevadm settle failed" >&2
}

run_check() {
	local s name rc
	export BATS_LIB_PATH=/usr/lib/bats
	for s in "${SUITES[@]}"; do
		name=$(basename "$s" .bats)
		echo "guest: suite $name at $(cut -d' ' -f1 /proc/uptime) s" >/dev/console
		bats --formatter tap "$s" >"$OUT/$name.tap" 2>"$OUT/$name.err"
		rc=$?
		echo "# exit $rc" >>"$OUT/$name.tap"
		# A suite may leave the module unloaded; put it back.
		lsmod | grep -q '^accmdev ' || insmod "$MODULE"
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
if [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan >/sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak >"$OUT/kmemleak.txt"
fi
echo "guest: done at $(cut -d' ' -f1 /proc/uptime) s" >/dev/console
dmesg >"$OUT/dmesg.txt"
echo done >"$OUT/status"
