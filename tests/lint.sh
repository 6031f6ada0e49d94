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
# checkpatch leaves a CamelCase cache in the current directory.
trap 'rm -f .checkpatch-camelcase.git.*' EXIT
files=$(ls driver/*.c driver/*.h | grep -v -e '\.mod\.c$' -e '^driver/compat\.h$' \
	-e '^driver/engine\.c$')
# shellcheck disable=SC2086
"$cp" --no-tree --strict --quiet --show-types --terse -f $files
# compat.h is the one place where kernel versions are compared, and its
# op-member macros expand to nothing where the kernel lacks the op.
"$cp" --no-tree --strict --quiet --show-types --terse \
	--ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON,MACRO_ARG_UNUSED \
	-f driver/compat.h
# engine.c calls the kernel's zlib, whose API keeps zlib's CamelCase names
# (zlib_deflateInit2, zlib_inflateInit2).
"$cp" --no-tree --strict --quiet --show-types --terse --ignore CAMELCASE \
	-f driver/engine.c
# The register ABI shared with user space.
"$cp" --no-tree --strict --quiet --show-types --terse --ignore BIT_MACRO \
	-f driver/uapi/*.h
echo "lint: checkpatch --strict clean"
