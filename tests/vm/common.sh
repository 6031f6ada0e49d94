# SPDX-License-Identifier: GPL-2.0-only
# Shared by tests/deps.sh, tests/vm/run and tests/check.sh (sourced).

ACCMDEV_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# The cache lives outside the clone, so that a fresh clone reuses it.
if [ -z "${ACCMDEV_CACHE:-}" ]; then
	if [ "$(id -u)" = 0 ]; then
		ACCMDEV_CACHE=/var/cache/accmdev
	else
		ACCMDEV_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/accmdev
	fi
fi
export ACCMDEV_SRC ACCMDEV_CACHE

die() {
	echo "accmdev: $*" >&2
	exit 1
}

# The kernel versions of the matrix, as resolved by the last tests/deps.sh.
matrix_kernels() {
	[ -s "$ACCMDEV_CACHE/matrix" ] ||
		die "no kernels in $ACCMDEV_CACHE; run: make deps"
	cat "$ACCMDEV_CACHE/matrix"
}

kernel_root() {
	echo "$ACCMDEV_CACHE/kernels/$1"
}

kernel_kdir() {
	echo "$ACCMDEV_CACHE/kernels/$1/usr/src/linux-headers-$1"
}
