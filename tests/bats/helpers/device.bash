# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Helpers of the device suites (50-device, 55-isolation). Loaded after
# helpers/common. The loops live in tests/bin/accdev (C): under emulation
# every traced shell command in a test body is expensive.

ACCDEV=$ACCMDEV_SRC/tests/bin/build/accdev
ACCREF=$ACCMDEV_SRC/tests/bin/build/accref
ACCRUN=${ACCRUN:-$ACCMDEV_SRC/tools/vfio/build-san/accrun}
export ACCDEV ACCREF ACCRUN

# A sanitizer report must not pass for an ordinary failure; no leak
# checks (they cost a quarter of a second per run under emulation).
export ASAN_OPTIONS=exitcode=99:detect_leaks=0
export UBSAN_OPTIONS=halt_on_error=1:exitcode=98:print_stacktrace=1

# The programs must exist: a missing one is a failure, not a skip.
device_tools_built() {
	local t
	for t in "$ACCDEV" "$ACCREF" "$ACCRUN"; do
		[ -x "$t" ] || {
			echo "$t is not built: make -C tests/bin; make -C tools/vfio SAN=1" >&2
			return 1
		}
	done
}

# Test inputs in DIR: r0 r1 r4095 r4096 r65536 r1m (pseudo-random) and
# t1m (compressible text), from accref gen.
make_inputs() {
	"$ACCREF" gen "$1"
}

# From a suite's setup_file: no device left, the programs built, and the
# test inputs in $DATA (the file's temporary directory), exported.
device_suite_start() {
	cleanup_devices
	device_tools_built
	export DATA=$BATS_FILE_TMPDIR
	make_inputs "$DATA"
}

# zlib.decompress(Z) == F for each pair "Z F"; prints one line per pair.
py_inflate_check() {
	python3 - "$@" <<'PY'
import sys, zlib
args = sys.argv[1:]
bad = 0
for z, f in zip(args[::2], args[1::2]):
    same = zlib.decompress(open(z, "rb").read()) == open(f, "rb").read()
    print("%s %s" % ("same" if same else "DIFFERS", f))
    bad += not same
sys.exit(1 if bad else 0)
PY
}

# For each LEVEL:FILE, compress FILE with python's zlib at LEVEL into
# FILE.LEVEL.pz.
py_deflate() {
	python3 - "$@" <<'PY'
import sys, zlib
for arg in sys.argv[1:]:
    level, f = arg.split(":", 1)
    data = zlib.compress(open(f, "rb").read(), int(level))
    open("%s.%s.pz" % (f, level), "wb").write(data)
PY
}

# adler32 of each FILE by python's zlib, formatted like accrun.
py_adler32() {
	python3 -c 'import sys, zlib
for f in sys.argv[1:]:
    print("%08x  %s" % (zlib.adler32(open(f, "rb").read()), f))' "$@"
}

# hold [--no-req] [--close-after S] OUT UUID: keep UUID open in the
# background (see tests/bin/accdev.c); prints the holder's pid.
hold() {
	"$ACCDEV" hold "$@" 120
}

# Wait (up to 30 s) for process PID to end; it is not our child.
wait_gone() {
	timeout 30 sh -c "while kill -0 $1 2>/dev/null; do sleep 0.1; done"
}

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# Whether the kernel has VFIO's PRE_COPY (6.2 and later; the matrix has
# 6.1 without it).
has_precopy() {
	[[ $(uname -r) != 6.1.* ]]
}
