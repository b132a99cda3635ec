#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The app channel's attach without namespaces or root (suite unit): ursad on a net_null port
# serves an app socket; ursa-app-probe checks that an unsealed memfd is refused with its
# reason, that a sealed one cannot be truncated while the channel goes on working, and that a
# command flood and a broken cursor leave ursad running (it answers SIGUSR1 with its
# counters, which show the refusal, the stall and the detach, and no application left).
set -euo pipefail
URSAD=${URSAD:?} PROBE=${URSA_APP_PROBE:?}
command -v python3 >/dev/null || { echo "SKIP: python3 is needed to read the stats" >&2; exit 77; }
TMP=$(mktemp -d /tmp/ursa-app-attach.XXXXXX)
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
	rm -rf "$TMP"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; [ -f "$TMP/u.log" ] && tail -5 "$TMP/u.log" >&2; exit 1; }
wait_for() { # wait_for CMD...: up to 15 s
	local i
	for i in $(seq 1 150); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
	return 1
}

"$URSAD" --port net_null0 --iface port=0,ip=10.254.0.2/24 --seed 1 --no-announce \
	--app-socket "$TMP/app.sock" --pid-file "$TMP/u.pid" --stats-file "$TMP/u.json" \
	>"$TMP/u.log" 2>&1 &
UP=$!
PIDS+=("$UP")
if ! wait_for test -s "$TMP/u.pid"; then
	grep -qi "EAL\|permission\|cannot" "$TMP/u.log" && { echo "SKIP: ursad cannot start" \
		"here (EAL): $(tail -1 "$TMP/u.log")" >&2; exit 77; }
	fail "ursad did not start"
fi
export URSA_APP_SOCKET=$TMP/app.sock
"$PROBE" unsealed || fail "an unsealed memfd was not refused"
"$PROBE" truncate || fail "truncation"
"$PROBE" flood >"$TMP/flood.out" 2>&1 &
FP=$!
PIDS+=("$FP")
"$PROBE" badcursor >"$TMP/bad.out" 2>&1 &
BP=$!
PIDS+=("$BP")
wait_for grep -q ready "$TMP/flood.out" || fail "flood probe not ready"
wait_for grep -q ready "$TMP/bad.out" || fail "badcursor probe not ready"
kill -KILL "$FP" "$BP"
c() { # c NAME: the counter chan.NAME, fresh
	rm -f "$TMP/u.json"
	kill -USR1 "$UP"
	wait_for test -s "$TMP/u.json" || fail "no stats"
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["counters"]["chan"][sys.argv[2]])' \
		"$TMP/u.json" "$1"
}
for _ in $(seq 1 50); do
	[ "$(c apps)" = 0 ] && break
	sleep 0.2
done
[ "$(c apps)" = 0 ] || fail "applications left attached: $(c apps)"
[ "$(c refuse_unsealed)" = 1 ] || fail "refuse_unsealed $(c refuse_unsealed)"
[ "$(c detach_bad_cursor)" = 1 ] || fail "detach_bad_cursor $(c detach_bad_cursor)"
[ "$(c cmd_stall_evt_full)" -ge 1 ] || fail "no stall counted"
[ "$(c mem_bytes)" = 0 ] || fail "mem_bytes $(c mem_bytes)"
kill -TERM "$UP"
wait "$UP" || fail "ursad exited with status $?"
echo "PASS: attach refusals, truncation, flood and broken cursor on a net_null ursad"
