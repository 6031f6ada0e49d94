#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make check: every suite. Host-side suites first (version logic and
# stream codec unit tests and fuzzing, accctl against fake sysfs trees, the kernel-log
# scan), then, for each kernel of the matrix, build accmdev for it, boot
# it in QEMU and run the bats suites inside. Each kernel's guest log is
# scanned too (tests/lib/logscan.sh): an oops, BUG, WARNING, lockdep,
# KASAN, UBSAN, kmemleak, RCU stall, lockup or hung task is a failure.
#
# The matrix has two lanes (Documentation/testing.rst): the production
# lane, Debian's kernels, and the debug lane, a 6.12 built by make deps
# with KASAN, UBSAN, lockdep, kmemleak and fault injection.
#
# It fails closed: tests/expect lists the suites each lane must run and
# the tests each holds at least, and the declared skips. A suite that
# did not run, ended early, exited non-zero or skipped without leave
# fails with a one-line reason (tests/lib/tapjudge.awk); so does an empty
# matrix or a selection that names nothing. Each suite's line is printed
# as it finishes; the last line is "N passed, N failed[, N skipped]",
# and the exit status is non-zero on any failure.
#
# KERNELS="<version> ..." limits the kernels; DEBUG_KERNEL=0 (make check
# DEBUG_KERNEL=0) leaves out the debug lane, for a quicker local loop;
# SUITES="00-load unit ..." limits the suites, host and guest;
# ACCMDEV_VERBOSE=1 shows the guest console; ACCMDEV_RESULTS=<dir> puts
# results and builds elsewhere than build/results (one make check at a
# time per directory).
set -uo pipefail
. "$(dirname "$0")/vm/common.sh"
cd "$ACCMDEV_SRC" || exit 1

EXPECT=$ACCMDEV_SRC/tests/expect
JUDGE=$ACCMDEV_SRC/tests/lib/tapjudge.awk
. "$ACCMDEV_SRC/tests/lib/logscan.sh"

results=${ACCMDEV_RESULTS:-build/results}
mkdir -p "$results"
results=$(cd "$results" && pwd)
exec 9>"$results.lock"
flock -n 9 || die "another make check is using $results (set ACCMDEV_RESULTS)"
rm -rf "$results"
mkdir -p "$results"
total_pass=0 total_fail=0 total_skip=0 total_checks=0
start_all=$SECONDS
export FUZZ_SECONDS=${FUZZ_SECONDS:-20}

# ---- tests/expect --------------------------------------------------------

# The manifest without comments and blank lines.
expect_lines() {
	sed -e 's/[[:space:]]*#.*//' -e '/^[[:space:]]*$/d' "$EXPECT"
}

# expect_guest LANE [newest]: "NAME MIN" of the guest suites of LANE, in
# order; with "newest" (the newest production kernel of the run), those
# of the newest lane too.
expect_guest() {
	expect_lines | awk -v lane="$1" -v newest="${2:-}" '$1 == "guest" {
		n = split($2, l, ",")
		for (i = 1; i <= n; i++)
			if (l[i] == lane || (newest != "" && l[i] == "newest")) {
				print $3, $4
				break
			}
	}'
}

# expect_leakcheck: the suites that run with kmemleak on the debug lane,
# one a line, in the order tests/expect lists its guest suites.
expect_leakcheck() {
	expect_lines | awk '$1 == "leakcheck" { for (i = 2; i <= NF; i++) l[$i] = 1 }
		$1 == "guest" { g[++n] = $3 }
		END { for (i = 1; i <= n; i++) if (g[i] in l) print g[i] }'
}

# expect_env LANE: the VAR=VALUE words of tests/expect's env lines for
# LANE, for the guest's environment.
expect_env() {
	expect_lines | awk -v lane="$1" '$1 == "env" && $2 == lane {
		for (i = 3; i <= NF; i++) printf "%s ", $i
	}'
}

# debug_order: "NAME MIN" lines on stdin, the leakcheck suites first
# (each group in its own order): kmemleak is switched off after them.
debug_order() {
	local lines leak
	lines=$(cat)
	leak=" $(expect_leakcheck | tr '\n' ' ')"
	awk -v l="$leak" 'index(l, " " $1 " ")' <<<"$lines"
	awk -v l="$leak" '!index(l, " " $1 " ")' <<<"$lines"
}

# skip_allowance SUITE KVER LANE: "MAX REASON" of the first skip line
# that matches, or "0".
skip_allowance() {
	local kind where suite max why
	while read -r kind where suite max why; do
		[ "$kind" = skip ] && [ "$suite" = "$1" ] || continue
		# shellcheck disable=SC2053
		if [ "$where" = "$3" ] || [[ $2 == $where ]] ||
			{ [ "$where" = newest ] && [ "$2" = "$newest_prod" ]; }; then
			echo "$max $why"
			return
		fi
	done < <(expect_lines)
	echo 0
}

# selected NAME: whether SUITES (if set) names NAME.
selected() {
	[ -z "${SUITES:-}" ] && return 0
	[[ " $SUITES " == *" $1 "* ]]
}

# ---- results -------------------------------------------------------------

# fail_tap FILE DESCRIPTION: a finished one-test stream that failed.
fail_tap() {
	printf '1..1\nnot ok 1 - %s\n# exit 1\n' "$2" >"$1"
}

# ok_tap FILE DESCRIPTION: a finished one-test stream that passed.
ok_tap() {
	printf '1..1\nok 1 - %s\n# exit 0\n' "$2" >"$1"
}

# report NAME TAPFILE [MIN [SKIPMAX [COST [PREFIX]]]]: judge one suite,
# print its line (and its failures, one line each), add to the totals.
report() {
	local name=$1 tap=$2 min=${3:-1} skip=${4:-0} cost=${5:-} pre=${6:-}
	local kind rest p=0 f=1 s=0 tests=0 checks=0 extra=() detail
	# No verdict from the judge is a failure too.
	extra=("reason tests/lib/tapjudge.awk gave no verdict on $tap")
	local line
	while IFS= read -r line; do
		kind=${line%% *} rest=${line#* }
		case "$kind" in
		counts)
			read -r p f s tests checks <<<"$rest"
			extra=()
			;;
		*) extra+=("$kind $rest") ;;
		esac
	done < <(awk -v min="$min" -v skipmax="${skip%% *}" -f "$JUDGE" "$tap" 2>/dev/null)
	detail="$tests tests"
	[ "$checks" = 0 ] || detail+=" + $checks program checks"
	[ -z "$cost" ] || detail+="; $cost"
	[ "$s" = 0 ] || detail+="; declared skip: ${skip#* }"
	printf '%s  %-24s %4d passed, %d failed, %d skipped (%s)\n' "$pre" "$name" \
		"$p" "$f" "$s" "$detail"
	local x
	for x in "${extra[@]+"${extra[@]}"}"; do
		case "$x" in
		"notok "*) printf '%s      %s\n' "$pre" "${x#notok }" ;;
		"reason "*) printf '%s      FAILED: %s\n' "$pre" "${x#reason }" ;;
		esac
	done
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	total_skip=$((total_skip + s))
	total_checks=$((total_checks + checks))
}

# harness_fail NAME REASON: a failure of the run itself (what to run).
harness_fail() {
	local t=$results/harness-$((++harness_n)).tap
	fail_tap "$t" "$2"
	report "$1" "$t"
}
harness_n=0

so_far() {
	echo "so far: $total_pass passed, $total_fail failed, $total_skip skipped"
}

# ---- what to run -----------------------------------------------------------

# The manifest is whole, and every bats file is in it.
check_expect() {
	local f n bad=0
	[ -s "$EXPECT" ] || { harness_fail manifest "no $EXPECT"; return; }
	local why
	while read -r why; do
		harness_fail manifest "tests/expect: $why"
		bad=1
	done < <(expect_lines | awk '
		$1 == "lane" { lanes[$2] = 1; next }
		BEGIN { lanes["newest"] = 1 }
		$1 == "host" && $3 ~ /^[1-9][0-9]*$/ && NF >= 4 { next }
		$1 == "guest" && $4 ~ /^[1-9][0-9]*$/ && NF == 4 {
			n = split($2, ls, ",")
			for (i = 1; i <= n; i++) used[ls[i]] = used[ls[i]] " " $3
			next
		}
		$1 == "skip" && $4 ~ /^[1-9][0-9]*$/ && NF >= 5 { next }
		$1 == "env" && NF >= 3 {
			for (i = 3; i <= NF; i++)
				if ($i !~ /^[A-Z][A-Z0-9_]*=[A-Za-z0-9_.,:-]*$/)
					print "env " $2 ": not VAR=VALUE: " $i
			used[$2] = used[$2]
			next
		}
		$1 == "leakcheck" && NF >= 2 {
			for (i = 2; i <= NF; i++) leak[$i] = 1
			next
		}
		{ print "a line it cannot read: " $0 }
		END {
			for (n in leak) if (index(used["debug"] " ", " " n " ") == 0)
				print "leakcheck names " n ", which is no suite of the debug lane"
			for (u in used) if (!(u in lanes))
				print "lane " u " (of" used[u] ") has no lane line"
		}' || echo "awk failed reading it")
	for f in tests/bats/[0-9]*.bats; do
		[ -f "$f" ] || continue
		n=$(basename "$f" .bats)
		expect_lines | awk -v n="$n" '$1 == "guest" && $3 == n { f = 1 } END { exit !f }' ||
			harness_fail manifest "$f is not in tests/expect"
	done
	return "$bad"
}

# Every word of SUITES names a suite of tests/expect.
check_selection() {
	local s
	for s in ${SUITES:-}; do
		expect_lines | awk -v n="$s" '($1 == "host" && $2 == n) ||
			($1 == "guest" && $3 == n) { f = 1 } END { exit !f }' ||
			harness_fail selection "SUITES names \"$s\", which is no suite of tests/expect"
	done
}

# ---- host suites -------------------------------------------------------------

# run_host NAME MIN COMMAND...: run one host suite, its exit status
# appended to its TAP stream, and report it.
run_host() {
	local name=$1 min=$2 out=$results/host t0 rc
	shift 2
	t0=$SECONDS
	"$@" >"$out/$name.tap" 2>"$out/$name.err" </dev/null
	rc=$?
	echo "# exit $rc" >>"$out/$name.tap"
	report "$name" "$out/$name.tap" "$min" \
		"$(skip_allowance "$name" host host)" "$((SECONDS - t0)) s"
	# What a crash said: the sanitizer's report, else the end of stderr.
	if [ "$rc" != 0 ] && [ -s "$out/$name.err" ]; then
		{
			grep -m 3 -E 'runtime error|ERROR: [A-Za-z]*Sanitizer|SUMMARY: ' "$out/$name.err" ||
				tail -n 3 "$out/$name.err"
		} | sed "s|^|      $name.err: |"
	fi
}

host_suites() {
	local kind name min cmd
	mkdir -p "$results/host"
	echo "host:"
	while read -r kind name min cmd; do
		[ "$kind" = host ] && selected "$name" || continue
		# shellcheck disable=SC2086
		run_host "$name" "$min" $cmd
	done < <(expect_lines)
	echo "  ($(so_far))"
}

# The programs the guest suites run; a build failure fails the run.
build_guest_tools() {
	local d san
	for d in tests/bin tools tools/vfio; do
		# tools and tools/vfio: their sanitizer builds.
		san=SAN=1
		[ "$d" != tests/bin ] || san=
		make -s -C "$d" $san >"$results/build-${d//\//-}.log" 2>&1 && continue
		harness_fail "guest tools" "$d builds (see $results/build-${d//\//-}.log)"
		return 1
	done
	# 86-packages installs what make deb builds (tests/pkg/root.sh
	# installs it on the host too, for the DKMS tests).
	selected 86-packages || return 0
	make -s deb >"$results/build-deb.log" 2>&1 && { deb_built=1; return 0; }
	harness_fail "packages" "make deb (see $results/build-deb.log)"
	return 1
}
deb_built=0

# ---- the DKMS root of 86-packages --------------------------------------------

# 86-packages's DKMS tests load the module that DKMS built on this host,
# natively, in a root of the kernel's Debian release where apt-get
# installed make deb's packages (tests/pkg/root.sh, cached). It is made
# in the background while the guests before that kernel's run, and
# handed to that kernel's guest as ACCMDEV_PKG_ROOT.
pkgroot_pid="" pkgroot_kver=""

# pkgroot_start KVER: start making the DKMS root for KVER.
pkgroot_start() {
	[ "$deb_built" = 1 ] && [ -n "$1" ] && selected 86-packages || return 0
	pkgroot_kver=$1
	(
		t0=$SECONDS
		bash tests/pkg/root.sh "$1" build/deb >"$results/pkgroot.path" 2>"$results/pkgroot.log"
		rc=$?
		echo "$((SECONDS - t0))" >"$results/pkgroot.time"
		exit "$rc"
	) &
	pkgroot_pid=$!
}

# pkgroot_env KVER: on the kernel the root is for, wait for it and set
# pkgroot_word to the guest's ACCMDEV_PKG_ROOT=... word. When it failed,
# that is reported here, and the DKMS tests fail in the guest.
pkgroot_word=""
pkgroot_env() {
	local root t0=$SECONDS
	pkgroot_word=""
	[ -n "$pkgroot_pid" ] && [ "$1" = "$pkgroot_kver" ] || return 0
	if wait "$pkgroot_pid" && root=$(head -n 1 "$results/pkgroot.path") && [ -n "$root" ]; then
		echo "${k_pre[$1]}  (86-packages' DKMS root: $(cat "$results/pkgroot.time") s on the host, $((SECONDS - t0)) s waited for; $(tail -n 1 "$results/pkgroot.log"))"
		pkgroot_word=$(printf 'ACCMDEV_PKG_ROOT=%q ' "$root")
	else
		fail_tap "$results/pkgroot.tap" "tests/pkg/root.sh made the DKMS root of 86-packages for $1: $(tail -n 1 "$results/pkgroot.log") (see $results/pkgroot.log)"
		report "DKMS root" "$results/pkgroot.tap" 1 0 "" "${k_pre[$1]}"
	fi
	pkgroot_pid=""
}

# ---- the libvirt roots of 88-libvirt ------------------------------------------

# 88-libvirt runs Debian's libvirt 11.3 and 9.0 in the guest, each from a
# root tests/pkg/virtroot.sh makes on the host (cached), in the
# background while the debug lane's guest runs. The production lane runs
# the suite, so every production kernel's guest gets both roots.
virtroot_pid="" virtroot_done=0

# virtroot_start KVER: start making the roots if the run has a production
# kernel (KVER, the newest).
virtroot_start() {
	[ -n "$1" ] && selected 88-libvirt || return 0
	(
		t0=$SECONDS rc=0
		for v in 11 9; do
			bash tests/pkg/virtroot.sh "$v" >"$results/virtroot-$v.path" \
				2>>"$results/virtroot.log" || rc=1
		done
		echo "$((SECONDS - t0))" >"$results/virtroot.time"
		exit "$rc"
	) &
	virtroot_pid=$!
}

# virtroot_env KVER: on a production kernel, wait for the roots (the
# first time) and set virtroot_words to the guest's
# ACCMDEV_VIRT_ROOT_11=... and _9=... words (_9 on the oldest production
# kernel only). A root that was not made is reported once, here;
# 88-libvirt's tests then fail in the guest.
virtroot_words=""
virtroot_env() {
	local v root t0=$SECONDS
	virtroot_words=""
	[ -n "$virtroot_pid" ] && [ "$(kernel_lane "$1")" = prod ] || return 0
	if [ "$virtroot_done" = 0 ]; then
		virtroot_done=1
		if ! wait "$virtroot_pid"; then
			fail_tap "$results/virtroot.tap" "tests/pkg/virtroot.sh made the libvirt roots of 88-libvirt: $(tail -n 1 "$results/virtroot.log") (see $results/virtroot.log)"
			report "libvirt roots" "$results/virtroot.tap" 1 0 "" "${k_pre[$1]}"
		else
			echo "${k_pre[$1]}  (88-libvirt's libvirt roots: $(cat "$results/virtroot.time") s on the host, $((SECONDS - t0)) s waited for)"
		fi
	fi
	for v in 11 9; do
		# libvirt 9.0 is bookworm's: it runs beside the oldest
		# production kernel (bookworm's 6.1); 11.3 on every one.
		[ "$v" = 11 ] || [ "$1" = "$oldest_prod" ] || continue
		root=$(head -n 1 "$results/virtroot-$v.path" 2>/dev/null) || root=""
		[ -z "$root" ] || virtroot_words+=$(printf 'ACCMDEV_VIRT_ROOT_%s=%q ' "$v" "$root")
	done
}

# ---- kernels -----------------------------------------------------------------

# build_module KVER: prints the path of accmdev.ko built for KVER, with
# the kernel's own toolchain (a chroot for newer releases'); the full
# log is $results/KVER/module/build.log.
build_module() {
	local dir=$results/$1/module
	rm -rf "$dir"
	mkdir -p "$dir"
	bash tests/kernel/modbuild.sh "$1" "$dir" 2>"$results/$1/build.log"
}

# suite_cost PREFIX: "N s, M processes" from the guest's PREFIX.time and
# PREFIX.forks, as far as they exist.
suite_cost() {
	local t n
	t=$(cat "$1.time" 2>/dev/null) || return 0
	n=$(cat "$1.forks" 2>/dev/null) || { echo "$t s"; return 0; }
	echo "$t s, $n processes"
}

# The guest's kernel log must hold no report of a kernel bug. Each hit
# is prefixed with the file it is in (a suite's .kmemleak file names the
# suite that leaked, or the one before it: kmemleak reports an object
# only once it is 5 s old).
scan_log() {
	local out=$1 tap=$2 hits
	if hits=$(cd "$out" 2>/dev/null && logscan console.log dmesg.txt ./*.kmemleak); then
		{
			printf '1..1\nnot ok 1 - guest kernel log reports a kernel bug\n'
			printf '%s\n' "$hits" | sed 's|^\./||; s/^/# /'
			echo "# exit 1"
		} >"$tap"
	elif [ ! -s "$out/dmesg.txt" ]; then
		fail_tap "$tap" "the guest saved its kernel log (no dmesg.txt; its console is scanned)"
	else
		ok_tap "$tap" "guest kernel log is clean"
	fi
}

# Per kernel (the version is the key): its output directory, the
# guest's pid, the suites still to report ("NAME MIN SKIP..." lines),
# its start time and its tag on output lines.
declare -A k_out=() k_pid=() k_pending=() k_t0=() k_pre=()

# start_kernel KVER: build the module and start the guest in the
# background; report what fails before that.
start_kernel() {
	local kver=$1 out=$results/$1 lane ko name min suites=() pending="" missing=0
	lane=$(kernel_lane "$kver")
	mkdir -p "$out"
	k_out[$kver]=$out k_t0[$kver]=$SECONDS
	k_pre[$kver]=${pre_tag:+[$kver]}
	echo "${k_pre[$kver]}kernel $kver ($lane lane): started at $((SECONDS - start_all)) s"
	while read -r name min; do
		selected "$name" || continue
		if [ ! -f "tests/bats/$name.bats" ]; then
			fail_tap "$out/$name.missing.tap" \
				"suite $name: tests/expect declares it for the $lane lane; tests/bats/$name.bats does not exist"
			report "$name" "$out/$name.missing.tap" 1 0 "" "${k_pre[$kver]}"
			missing=$((missing + 1))
			continue
		fi
		suites+=("$ACCMDEV_SRC/tests/bats/$name.bats")
		pending+="$name $min $(skip_allowance "$name" "$kver" "$lane")"$'\n'
	done < <(if [ "$lane" = debug ]; then expect_guest "$lane" | debug_order
		elif [ "$kver" = "$newest_prod" ]; then expect_guest "$lane" newest
		else expect_guest "$lane"; fi)
	# On the debug lane, the last leakcheck suite that runs: the guest
	# switches kmemleak off after it ("-": right after boot). Elsewhere
	# kmemleak is not built.
	local leak_until="" n
	if [ "$lane" = debug ]; then
		leak_until=-
		while read -r n; do
			selected "$n" && leak_until=$n
		done < <(expect_leakcheck)
	fi
	if [ ${#suites[@]} = 0 ]; then
		[ "$missing" = 0 ] || return 1
		harness_fail "$kver" "no suite to run on $kver ($lane lane): SUITES=\"${SUITES:-}\" names none of tests/expect's $lane suites"
		return 1
	fi
	if ! ko=$(build_module "$kver"); then
		fail_tap "$out/build.tap" "accmdev builds for $kver (see $out/build.log)"
		report "module build" "$out/build.tap" 1 0 "" "${k_pre[$kver]}"
		fail_tap "$out/notrun.tap" "the ${#suites[@]} suites of $kver did not run: the module did not build"
		report "suites" "$out/notrun.tap" 1 0 "" "${k_pre[$kver]}"
		return 1
	fi
	k_pending[$kver]=$pending
	pkgroot_env "$kver"
	virtroot_env "$kver"
	(
		# Side by side, a production guest gets one vCPU: with more
		# vCPU threads than host cores, a guest spins on locks whose
		# holder's thread is not running (20-migver took 197 s, not
		# 84 s). The debug lane keeps two, for the storm's races.
		if [ "$jobs_max" -gt 1 ] && [ "$lane" = prod ]; then
			export ACCMDEV_VM_SMP=${ACCMDEV_VM_SMP:-1}
		fi
		export ACCMDEV_KMEMLEAK_UNTIL=$leak_until
		# The lane's settings first, then the newest kernel's over
		# them, then the DKMS root (86-packages) and the libvirt
		# roots (88-libvirt): the user's
		# ACCMDEV_GUEST_ENV wins.
		newest_env=""
		[ "$kver" != "$newest_prod" ] || newest_env=$(expect_env newest)
		ACCMDEV_GUEST_ENV="$(expect_env "$lane")$newest_env$pkgroot_word$virtroot_words${ACCMDEV_GUEST_ENV:-}"
		export ACCMDEV_GUEST_ENV
		exec tests/vm/run --kernel "$kver" --module "$ko" --out "$out/vm" \
			--mode check "${suites[@]}"
	) 2>"$out/vm.err" &
	k_pid[$kver]=$!
}

# poll_kernel KVER: report the suites the guest has finished, in order;
# once the guest has ended, everything else. Returns 1 when done.
poll_kernel() {
	local kver=$1 out=${k_out[$1]} pre=${k_pre[$1]} ended=0 rc=0
	local name min skip rest="" first
	kill -0 "${k_pid[$kver]}" 2>/dev/null || {
		ended=1
		wait "${k_pid[$kver]}"
		rc=$?
	}
	while read -r name min skip; do
		[ -n "$name" ] || continue
		if [ -n "$rest" ] || { [ "$ended" = 0 ] && [ ! -f "$out/vm/$name.done" ]; }; then
			rest+="$name $min $skip"$'\n'
			continue
		fi
		if [ ! -f "$out/vm/$name.tap" ]; then
			fail_tap "$out/vm/$name.tap" "suite $name did not run (the guest ended before it)"
			min=1
		fi
		report "$name" "$out/vm/$name.tap" "$min" "$skip" \
			"$(suite_cost "$out/vm/$name")" "$pre"
	done <<<"${k_pending[$kver]}"
	k_pending[$kver]=$rest
	[ "$ended" = 1 ] || return 0

	if [ "$rc" != 0 ]; then
		fail_tap "$out/vm.tap" "the $kver guest ran to completion: $(tail -n 1 "$out/vm.err")"
		report "guest run" "$out/vm.tap" 1 0 "" "$pre"
	fi
	if [ -f "$out/vm/load.err" ]; then
		fail_tap "$out/load.tap" "the guest loaded vfio, mdev and accmdev: $(tail -n 1 "$out/vm/load.err") (see $out/vm/console.log)"
		report "module load" "$out/load.tap" 1 0 "" "$pre"
	fi
	first=$(sed -n 's/^guest: suite [^ ]* at \([0-9.]*\) s.*/\1/p' \
		"$out/vm/console.log" 2>/dev/null | head -n 1)
	[ -z "$first" ] || echo "$pre  (guest boot to the first suite: ${first%.*} s of guest time)"
	scan_log "$out/vm" "$out/log.tap"
	report "kernel log" "$out/log.tap" 1 0 "" "$pre"
	echo "${pre}kernel $kver done in $((SECONDS - k_t0[$kver])) s; results in $out; $(so_far)"
	unset "k_pid[$kver]"
	return 1
}

# ---- main --------------------------------------------------------------------

# tests/tools refuses it too (its golden cases then fail).
if [ "${CI:-}" = true ] && [ -n "${REGENERATE:-}" ]; then
	harness_fail REGENERATE "REGENERATE=$REGENERATE is refused under CI=true: it turns every golden test green"
fi

check_expect
check_selection
host_suites

# Guest suites at all? (SUITES may name host suites only.)
want_guest=0
while read -r _ _ name _; do
	selected "$name" && want_guest=1
done < <(expect_lines | awk '$1 == "guest"')

kernels=""
if [ "$want_guest" = 1 ]; then
	build_guest_tools || want_guest=0
fi
if [ "$want_guest" = 1 ]; then
	# The matrix (or KERNELS), with each lane tests/expect declares.
	if [ -n "${KERNELS:-}" ]; then
		for k in $KERNELS; do
			if [ -f "$(kernel_root "$k")/boot/vmlinuz-$k" ]; then
				kernels+="$k "
			else
				harness_fail kernels "KERNELS names \"$k\", which is not in $ACCMDEV_CACHE (make deps)"
			fi
		done
	else
		if [ "${DEBUG_KERNEL:-1}" = 0 ]; then
			kernels=$(matrix_kernels) || kernels=""
		else
			kernels=$(matrix_kernels all) || kernels=""
		fi
		while read -r _ lane; do
			[ "$lane" = debug ] && [ "${DEBUG_KERNEL:-1}" = 0 ] && continue
			for k in $kernels; do
				[ "$(kernel_lane "$k")" = "$lane" ] && continue 2
			done
			harness_fail kernels "the matrix ($ACCMDEV_CACHE/matrix) has no kernel of the $lane lane (make deps)"
		done < <(expect_lines | awk '$1 == "lane"')
	fi
	[ -n "${kernels// /}" ] ||
		harness_fail kernels "no kernel to run the guest suites on: the matrix is empty or KERNELS names none (make deps)"
fi

# The newest production kernel of the run: the suites of the "newest"
# lane (user space as the client) run there alone.
prod_kernels=$(for k in $kernels; do
	[ "$(kernel_lane "$k")" = prod ] && echo "$k"
done | sort -V)
newest_prod=$(tail -n 1 <<<"$prod_kernels")
oldest_prod=$(head -n 1 <<<"$prod_kernels")
# 86-packages runs there (the newest lane): its DKMS root is made on the
# host meanwhile.
pkgroot_start "$newest_prod"
virtroot_start "$newest_prod"

# The kernels run ACCMDEV_JOBS guests at a time (default 1: a guest
# alone keeps both cores of a 2-core machine busy), the debug lane,
# the longest, first. Each suite's line is printed as the guest finishes
# it; with several guests at once, each line starts with its kernel.
order=$(for k in $kernels; do
	[ "$(kernel_lane "$k")" = debug ] && echo "0 $k" || echo "1 $k"
done | sort -s -k1,1 | cut -d' ' -f2)
jobs_max=${ACCMDEV_JOBS:-1}
pre_tag=""
[ "$jobs_max" -le 1 ] || pre_tag=1
read -ra queue <<<"$(echo $order)"
while [ ${#queue[@]} -gt 0 ] || [ ${#k_pid[@]} -gt 0 ]; do
	while [ ${#queue[@]} -gt 0 ] && [ ${#k_pid[@]} -lt "$jobs_max" ]; do
		start_kernel "${queue[0]}"
		queue=("${queue[@]:1}")
	done
	[ ${#k_pid[@]} -gt 0 ] || continue
	sleep 2
	for kver in "${!k_pid[@]}"; do
		poll_kernel "$kver"
	done
done

echo "make check: $((SECONDS - start_all)) s; $total_checks of the passed and failed are checks of test programs"
line="$total_pass passed, $total_fail failed"
[ "$total_skip" = 0 ] || line+=", $total_skip skipped"
echo "$line"
[ "$total_fail" = 0 ]
