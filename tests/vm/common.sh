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
# $ACCMDEV_CACHE/matrix has one kernel a line, "<version> [<lane>]": no
# lane for the Debian kernels, "debug" for the kernel built by
# tests/kernel/build.sh. matrix_kernels prints the Debian kernels (what
# the demo and the benchmarks want); matrix_kernels all adds the debug
# lane, which make check runs too. Without a matrix, or with no kernel
# in it, it says so and returns 1: it runs in command substitutions,
# where die would end only the substitution, so callers must test it.
matrix_kernels() {
	local k
	k=$(awk -v all="${1:-}" '$1 != "" && $1 !~ /^#/ &&
		(all == "all" || $2 == "") { print $1 }' "$ACCMDEV_CACHE/matrix" 2>/dev/null)
	if [ -z "$k" ]; then
		echo "accmdev: no kernels in $ACCMDEV_CACHE/matrix; run: make deps" >&2
		return 1
	fi
	echo "$k"
}

# kernel_lane KVER: "debug" for a kernel of the debug lane, else "prod".
kernel_lane() {
	awk -v k="$1" '$1 == k && $2 != "" { lane = $2 } END { print lane ? lane : "prod" }' \
		"$ACCMDEV_CACHE/matrix" 2>/dev/null || echo prod
}

kernel_root() {
	echo "$ACCMDEV_CACHE/kernels/$1"
}

kernel_kdir() {
	echo "$ACCMDEV_CACHE/kernels/$1/usr/src/linux-headers-$1"
}

# cache_lock FILE WHO: hold FILE's lock on descriptor 8 until this shell
# exits, waiting up to an hour for another run's (tests/pkg/*.sh).
cache_lock() {
	exec 8>"$1"
	flock -w 3600 8 || die "$2: $1 is held by another run"
}

# cache_prune KEEP DIR...: of the DIRs, all but the KEEP most recently
# used (touched) go, each with its DIR.log.
cache_prune() {
	local keep=$1 d
	shift
	ls -dt "$@" 2>/dev/null | tail -n +$((keep + 1)) | while read -r d; do
		rm -rf "$d" "$d.log"
	done
}
