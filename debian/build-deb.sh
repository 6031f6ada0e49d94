#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make deb: build the Debian packages accmdev-dkms and accmdev-tools from
# a copy of the tree in build/deb/accmdev-VERSION, with debian/changelog
# written from VERSION (the one place of the version), and leave the
# .deb files in build/deb/. Needs dpkg-buildpackage (dpkg-dev), debhelper,
# dh-dkms and the Build-Depends of debian/control.
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(cat VERSION)
case $version in
[0-9]*) ;;
*) echo "accmdev: VERSION '$version' does not start with a digit" >&2; exit 1 ;;
esac
for tool in dpkg-buildpackage dh dh_dkms; do
	command -v "$tool" >/dev/null || {
		echo "accmdev: make deb needs $tool (Debian: dpkg-dev, debhelper, dh-dkms)" >&2
		exit 1
	}
done
out=$PWD/build/deb
src=$out/accmdev-$version
rm -rf "$out"
mkdir -p "$src"
# The tracked files (git archive when this is a git tree), no build output.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git ls-files -z --cached --others --exclude-standard |
		grep -zv '^build/' | xargs -0 tar -c --no-recursion -f - | tar -x -C "$src"
else
	tar -c --exclude=./build --exclude='*.o' --exclude='*.ko' -f - . | tar -x -C "$src"
fi
# The date of the last commit (or now), so the packages are reproducible.
date=$(git log -1 --format=%aD 2>/dev/null || date -R)
cat >"$src/debian/changelog" <<CHANGELOG
accmdev ($version) unstable; urgency=medium

  * accmdev $version.

 -- accmdev maintainers <accmdev@example.org>  $date
CHANGELOG
echo "deb: building accmdev $version in $src"
(cd "$src" && dpkg-buildpackage -b -uc -us) >"$out/build.log" 2>&1 || {
	tail -30 "$out/build.log" >&2
	echo "accmdev: dpkg-buildpackage failed, see $out/build.log" >&2
	exit 1
}
ls "$out"/*.deb
