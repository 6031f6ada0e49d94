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
set -euo pipefail
. "$(dirname "$0")/vm/common.sh"

DEBIAN_SOURCES=${ACCMDEV_APT_SOURCES:-/etc/apt/sources.list.d/debian.sources}
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
# $1 whose Suites field lists "bookworm". Continuation lines (an inline
# Signed-By key) are kept with their field; comments are dropped.
derive_backports() {
	awk '
	function flush(   i, n, s, found) {
		if (nkeys == 0)
			return
		n = split(val["suites"], s, /[ \t]+/)
		found = 0
		for (i = 1; i <= n; i++)
			if (s[i] == "bookworm")
				found = 1
		if (found && !done) {
			for (i = 1; i <= nkeys; i++) {
				if (keys[i] == "suites")
					print "Suites: bookworm-backports"
				else
					printf "%s", text[keys[i]]
			}
			done = 1
		}
		delete val; delete text; delete keys; nkeys = 0
	}
	/^[ \t]*$/ { flush(); next }
	/^#/ { next }
	/^[ \t]/ {
		if (cur != "") text[cur] = text[cur] $0 "\n"
		next
	}
	{
		i = index($0, ":")
		if (i == 0) next
		cur = tolower(substr($0, 1, i - 1))
		v = substr($0, i + 1)
		gsub(/^[ \t]+|[ \t]+$/, "", v)
		val[cur] = v
		text[cur] = $0 "\n"
		keys[++nkeys] = cur
	}
	END { flush(); if (!done) exit 1 }' "$1"
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
	[ "${ACCMDEV_QEMU_DEPS:-}" != skip ] || return 0
	major=$(qemu_major)
	if [ -n "$major" ] && [ "$major" -ge "$QEMU_MIN_MAJOR" ]; then
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
