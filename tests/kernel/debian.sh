# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# Debian suites other than the host's, without changing the host's apt
# (sourced after tests/vm/common.sh).
#
# Newer kernels (trixie, trixie-backports) are fetched through a private
# apt configuration under $ACCMDEV_CACHE/apt/<suite>: its own sources,
# lists and an empty dpkg status. The host's sources, preferences and
# package set are never touched, so adding trixie there can never
# upgrade the host. The source is derived from the machine's own Debian
# source (the entry whose Suites list the host's codename, with its URIs,
# Components and Signed-By); no archive is named here.

DEBIAN_SOURCES=${ACCMDEV_APT_SOURCES:-/etc/apt/sources.list.d/debian.sources}

# The host's codename (bookworm).
host_codename() {
	. /etc/os-release && echo "${VERSION_CODENAME:?}"
}

# derive_suites FILE FROM TO...: print a deb822 entry for the suites TO,
# from the first entry of FILE whose Suites field lists FROM.
# Continuation lines (an inline Signed-By key) stay with their field;
# comments are dropped. Fails if there is no such entry.
derive_suites() {
	local file=$1 from=$2
	shift 2
	awk -v from="$from" -v to="$*" '
	function flush(   i, n, s, found) {
		if (nkeys == 0)
			return
		n = split(val["suites"], s, /[ \t]+/)
		found = 0
		for (i = 1; i <= n; i++)
			if (s[i] == from)
				found = 1
		if (found && !done) {
			for (i = 1; i <= nkeys; i++) {
				if (keys[i] == "suites")
					print "Suites: " to
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
	END { flush(); if (!done) exit 1 }' "$file"
}

# The private apt tree of a Debian release (trixie).
xapt_dir() {
	echo "$ACCMDEV_CACHE/apt/$1"
}

# xapt RELEASE apt-get|apt-cache ARGS...: run apt against RELEASE only.
xapt() {
	local dir cmd
	dir=$(xapt_dir "$1")
	cmd=$2
	shift 2
	"$cmd" -q \
		-o Dir::Etc::SourceList="$dir/none.list" \
		-o Dir::Etc::SourceParts="$dir/sources.list.d" \
		-o Dir::Etc::Preferences="$dir/none.pref" \
		-o Dir::Etc::PreferencesParts="$dir/preferences.d" \
		-o Dir::State="$dir/state" \
		-o Dir::State::status="$dir/state/status" \
		-o Dir::Cache="$dir/cache" \
		-o APT::Architecture=amd64 \
		-o APT::Get::List-Cleanup=0 \
		"$@"
}

# xapt_sources RELEASE: the deb822 sources for RELEASE, its backports and
# its security updates, derived from the host's entries.
xapt_sources() {
	local rel=$1 host
	host=$(host_codename)
	[ -r "$DEBIAN_SOURCES" ] || die "no $DEBIAN_SOURCES to derive $rel from"
	derive_suites "$DEBIAN_SOURCES" "$host" "$rel $rel-updates $rel-backports" ||
		die "no entry with Suites: $host in $DEBIAN_SOURCES"
	echo
	derive_suites "$DEBIAN_SOURCES" "$host-security" "$rel-security" || true
}

# xapt_init RELEASE: create or refresh the private apt tree of RELEASE
# (apt-get update: kernels are resolved against today's archive).
xapt_init() {
	local rel=$1 dir tmp
	dir=$(xapt_dir "$rel")
	mkdir -p "$dir/sources.list.d" "$dir/preferences.d" \
		"$dir/state/lists/partial" "$dir/cache/archives/partial"
	touch "$dir/state/status"
	tmp=$(mktemp)
	xapt_sources "$rel" >"$tmp"
	grep -q '^URIs:' "$tmp" || { rm -f "$tmp"; die "no URIs for $rel"; }
	if ! cmp -s "$tmp" "$dir/sources.list.d/$rel.sources"; then
		install -m 0644 "$tmp" "$dir/sources.list.d/$rel.sources"
	fi
	rm -f "$tmp"
	# The lists are readable by apt's download user (_apt).
	chmod -R a+rX "$dir"
	chown -R _apt "$dir/state/lists/partial" "$dir/cache/archives/partial" 2>/dev/null || true
	xapt "$rel" apt-get update >"$dir/update.log" 2>&1 || {
		cat "$dir/update.log" >&2
		die "apt-get update for $rel failed"
	}
}

# xapt_download RELEASE DIR PKG[=VER]...: .debs of RELEASE into DIR.
xapt_download() {
	local rel=$1 dir=$2
	shift 2
	chmod 0777 "$dir"
	(cd "$dir" && xapt "$rel" apt-get download "$@" >download.log 2>&1) || {
		cat "$dir/download.log" >&2
		return 1
	}
}
