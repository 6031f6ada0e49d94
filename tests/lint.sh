#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make lint: checkpatch --strict over driver/, from the linux-source
# package that 'make deps' installs.
set -euo pipefail
. "$(dirname "$0")/vm/common.sh"
cd "$ACCMDEV_SRC"
cp="$ACCMDEV_CACHE/checkpatch/scripts/checkpatch.pl"
if [ ! -x "$cp" ]; then
	tarball=$(ls /usr/src/linux-source-6.12.tar.xz 2>/dev/null) ||
		die "no /usr/src/linux-source-6.12.tar.xz; run: make deps"
	mkdir -p "$ACCMDEV_CACHE/checkpatch"
	tar -xf "$tarball" -C "$ACCMDEV_CACHE/checkpatch" --strip-components=1 \
		--wildcards '*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'
fi
files=$(ls driver/*.c driver/*.h | grep -v -e '\.mod\.c$' -e '^driver/compat\.h$')
# shellcheck disable=SC2086
"$cp" --no-tree --strict --quiet --show-types --terse -f $files
# compat.h is the one place where kernel versions are compared.
"$cp" --no-tree --strict --quiet --show-types --terse \
	--ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON -f driver/compat.h
echo "lint: checkpatch --strict clean"
