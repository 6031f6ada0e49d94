# SPDX-License-Identifier: GPL-2.0-only
#
# The judge of one suite's TAP stream (tests/check.sh). A suite passes
# only if it ran to the end: every way of not running is a failure with
# a one-line reason.
#
#   awk -v min=MIN -v skipmax=N -v skipwhy=REASON -f tapjudge.awk FILE
#
# The stream: a plan ("1..N") and N results ("ok", "not ok", "ok ... #
# skip"), then "# exit STATUS", the exit status of what produced it
# (bats, a host test program or its runner), written by whoever ran it.
# A test program run inside a bats test may print its own checks as a
# subtest (tests/bin/testlib.c): "    # Subtest: NAME", indented results,
# and its own plan "    1..N" once it exits; they count as checks of
# their own, and a subtest without its plan (the program crashed, was
# killed or aborted under a sanitizer) is a failure.
#
# Prints "counts PASS FAIL SKIP TESTS CHECKS", then one line per failed
# result ("notok LINE", followed by up to 10 of the comment lines after
# it, its diagnostics) and per reason ("reason TEXT"); every reason is
# counted in FAIL. Skips beyond the SKIPMAX declared in tests/expect are
# failures.

function reason(text, n) {
	reasons[++nreasons] = text
	fail += n
}

function close_subtest() {
	if (sub_open)
		reason("subtest \"" sub_name "\" ended without its plan: the program crashed or was killed", 1)
	sub_open = 0
}

BEGIN { plan = -1; exitcode = ""; min += 0; skipmax += 0 }

/^1\.\.[0-9]+/ {
	if (plan >= 0)
		reason("a second plan: " $0, 1)
	else
		plan = substr($1, 4) + 0
	next
}

/^(not )?ok( |$)/ {
	close_subtest()
	tests++
	if ($0 ~ /^ok/ && $0 ~ /# *[Ss][Kk][Ii][Pp]/) {
		if (skip < skipmax) {
			skip++
		} else {
			line = $0
			sub(/^ok [0-9]* */, "", line)
			reason("a skip tests/expect does not declare: " line, 1)
		}
	} else if ($0 ~ /^ok/) {
		pass++
	} else {
		fail++
		topfail++
		notok[++nnotok] = $0
		diag = 10
		next
	}
	diag = 0
	next
}

# A failed test's diagnostics.
/^# / && !/^# exit [0-9]+$/ && diag > 0 {
	notok[++nnotok] = "  " $0
	diag--
	next
}

/^    # Subtest: / {
	diag = 0
	close_subtest()
	sub_open = 1
	sub_n = 0
	sub_name = substr($0, 16)
	subtests++
	next
}

/^    (not )?ok( |$)/ {
	if (!sub_open)
		reason("a program's check outside a subtest: " $0, 1)
	sub_n++
	checks++
	if ($0 ~ /^    ok/)
		pass++
	else {
		fail++
		notok[++nnotok] = $0
	}
	next
}

/^    1\.\.[0-9]+/ {
	n = substr($1, 4) + 0
	if (!sub_open)
		reason("a program's plan outside a subtest: " $0, 1)
	else if (n != sub_n)
		reason("subtest \"" sub_name "\" planned " n " checks and reported " sub_n, 1)
	sub_open = 0
	next
}

/^# exit [0-9]+$/ { exitcode = $3 + 0; next }

# The producer gave up, and says why: that is the reason.
/^Bail out!/ {
	if (!bailed)
		reason($0, 1)
	bailed = 1
	next
}

END {
	close_subtest()
	# After a bail out, its reason stands for the plan and exit status.
	if (bailed)
		;
	else if (plan < 0)
		reason("no TAP plan: the suite did not run", 1)
	else if (plan == 0)
		reason("an empty plan (1..0): the suite ran no test", 1)
	else if (plan < min)
		reason("plan of " plan " tests, below the " min " tests/expect declares", 1)
	if (plan > tests)
		reason((plan - tests) " of " plan " planned tests did not report", plan - tests)
	else if (plan >= 0 && tests > plan)
		reason(tests " results for a plan of " plan, 1)
	if (bailed)
		;
	else if (exitcode == "")
		reason("no exit status: the suite did not finish", 1)
	else if (exitcode != 0 && !topfail)
		reason("exit status " exitcode " with no failed test", 1)
	printf "counts %d %d %d %d %d\n", pass, fail, skip, tests, checks
	for (i = 1; i <= nnotok && i <= 40; i++)
		print "notok " notok[i]
	if (nnotok > 40)
		print "notok ... and " (nnotok - 40) " more lines"
	for (i = 1; i <= nreasons; i++)
		print "reason " reasons[i]
}
