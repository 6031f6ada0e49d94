#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# QEMU 10 for the suites where QEMU itself is the VFIO client
# (tests/bats/76-qemu.bats, bench/migration.sh). Called by tests/deps.sh;
# safe to run again.
#
# Debian 12 ships QEMU 7.2, whose VFIO migration code predates what
# accmdev needs (PRE_COPY, GET_PRECOPY_INFO, the P2P states together);
# bookworm-backports has QEMU 10. This script:
#
#  - enables bookworm-backports, if no apt source has it yet, by writing
#    one deb822 file derived from the machine's own source of Debian:
#    the entry whose Suites include "bookworm", with its URIs, Components
#    and Signed-By, and Suites: bookworm-backports. No archive is named
#    here. Backports packages have priority 100, so nothing else on the
#    machine changes unless it is asked for by release;
#  - installs qemu-system-x86 from bookworm-backports system-wide (apt
#    resolves what it needs: today qemu-system-common, qemu-system-data
#    and seabios from backports, libraries from bookworm).
#
# System-wide, the harness's VM runner (tests/vm/run) uses QEMU 10 too;
# see Documentation/qemu.rst for why this is preferred to a private copy.
#
# ACCMDEV_QEMU_DEPS=skip leaves QEMU as it is (76-qemu then skips).
# ACCMDEV_QEMU_DEPS_PLAN=1 only says what it would change (tests/deps.sh
# prints that before it changes anything) and succeeds if it would.
set -euo pipefail
. "$(dirname "$0")/vm/common.sh"
. "$ACCMDEV_SRC/tests/kernel/debian.sh"

BPO_SOURCES=/etc/apt/sources.list.d/accmdev-bookworm-backports.sources
QEMU_MIN_MAJOR=10

qemu_major() {
	local v
	v=$(dpkg-query -W -f='${Version}' qemu-system-x86 2>/dev/null) || return 0
	v=${v#*:}
	echo "${v%%.*}"
}

# Is bookworm-backports already among apt's sources (ours or the admin's)?
have_backports() {
	grep -rqsE '^[^#]*bookworm-backports' /etc/apt/sources.list \
		/etc/apt/sources.list.d/
}

# Print a deb822 entry for bookworm-backports, from the first entry of
# $1 whose Suites field lists "bookworm" (tests/kernel/debian.sh).
derive_backports() {
	derive_suites "$1" bookworm bookworm-backports
}

enable_backports() {
	local tmp
	have_backports && return 0
	[ -r "$DEBIAN_SOURCES" ] ||
		die "qemu-deps: no $DEBIAN_SOURCES to derive bookworm-backports from"
	tmp=$(mktemp)
	derive_backports "$DEBIAN_SOURCES" >"$tmp" || {
		rm -f "$tmp"
		die "qemu-deps: no entry with Suites: bookworm in $DEBIAN_SOURCES"
	}
	grep -q '^URIs:' "$tmp" || {
		rm -f "$tmp"
		die "qemu-deps: the bookworm entry of $DEBIAN_SOURCES has no URIs"
	}
	install -m 0644 "$tmp" "$BPO_SOURCES"
	rm -f "$tmp"
	echo "qemu-deps: enabled bookworm-backports in $BPO_SOURCES"
	apt-get update -q >/dev/null
}

main() {
	local major
	if [ "${ACCMDEV_QEMU_DEPS:-}" = skip ]; then
		[ -z "${ACCMDEV_QEMU_DEPS_PLAN:-}" ] || return 1
		return 0
	fi
	major=$(qemu_major)
	if [ -n "$major" ] && [ "$major" -ge "$QEMU_MIN_MAJOR" ]; then
		[ -z "${ACCMDEV_QEMU_DEPS_PLAN:-}" ] || return 1
		return 0
	fi
	if [ -n "${ACCMDEV_QEMU_DEPS_PLAN:-}" ]; then
		have_backports ||
			echo "deps: will add the apt source $BPO_SOURCES (bookworm-backports," \
				"derived from $DEBIAN_SOURCES; backports packages have priority 100)"
		echo "deps: will upgrade qemu-system-x86 (${major:-none}) to" \
			"$QEMU_MIN_MAJOR or later from bookworm-backports, system-wide"
		return 0
	fi
	if [ "$(id -u)" != 0 ]; then
		echo "accmdev: QEMU $QEMU_MIN_MAJOR is missing (have ${major:-none})" >&2
		echo "accmdev: run: sudo make deps" >&2
		exit 1
	fi
	enable_backports
	# The candidate from backports, or apt-get update once more.
	apt-cache policy qemu-system-x86 | grep -q 'bookworm-backports' ||
		apt-get update -q >/dev/null
	echo "qemu-deps: installing qemu-system-x86 from bookworm-backports"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		qemu-system-x86/bookworm-backports >/dev/null
	major=$(qemu_major)
	[ -n "$major" ] && [ "$major" -ge "$QEMU_MIN_MAJOR" ] ||
		die "qemu-deps: qemu-system-x86 is still ${major:-missing}"
	echo "qemu-deps: $(qemu-system-x86_64 --version | head -n 1)"
}

main "$@"
