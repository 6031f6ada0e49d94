# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# accctl receive in the background, for the suites that migrate over TCP
# (73-accctl-migrate, 75-xfer-auth). Loaded after helpers/common (ACCCTL).

# start_receiver DST [ARGS...]: accctl receive in the background on a
# free loopback port, into $RECV_OUT; sets RECV_PID, RECV_OUT and PORT.
start_receiver() {
	local pf=$BATS_TEST_TMPDIR/port
	RECV_OUT=$BATS_TEST_TMPDIR/recv.out
	rm -f "$pf"
	"$ACCCTL" receive "$1" 0 --port-file "$pf" --timeout 600 "${@:2}" \
		>"$RECV_OUT" 2>&1 3>&- &
	RECV_PID=$!
	timeout 120 sh -c "until [ -s '$pf' ]; do sleep 0.2; done" ||
		fail "the receiver did not listen: $(cat "$RECV_OUT")"
	PORT=$(cat "$pf")
}

# receiver_status: the receiver's exit status, once it has ended.
receiver_status() {
	local rc=0
	wait "$RECV_PID" || rc=$?
	RECV_PID=
	echo "$rc"
}
