#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# An idle ursad with control clients attached still naps: two clients connected for the whole
# measurement (one asks for stats once a second, one says nothing), and ursad's main thread
# wakes no more often than its naps allow (voluntary context switches, as netns-idle-cpu
# measures them) and uses a small share of a core.
T=ctl-idle N=43
. "$(dirname "$0")/ctl-common.sh"

SECS=${IDLE_SECS:-10}
NAP_US=2000
start_ursad --no-announce --idle-sleep-us "$NAP_US" --ctl-socket "$CTL"
lab_wait 10 test -S "$CTL" || lab_fail "no control socket"
python3 - "$CTL" "$((SECS + 3))" >"$LAB_TMP/clients.log" 2>&1 <<'PY' &
import json, socket, sys, time
path, secs = sys.argv[1], int(sys.argv[2])
quiet = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
quiet.connect(path)
busy = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
busy.connect(path)
f = busy.makefile("rwb")
n = 0
end = time.time() + secs
while time.time() < end:
    f.write(b"stats\n")
    f.flush()
    ans = json.loads(f.readline())
    assert ans["ok"], ans
    n += 1
    time.sleep(1)
print(f"answered {n} requests")
PY
cp=$!
LAB_PIDS+=("$cp")
sleep 1.5
hz=$(getconf CLK_TCK)
a=$(lab_cpu_ticks "$UP") wa=$(lab_wakeups "$UP")
sleep "$SECS"
b=$(lab_cpu_ticks "$UP") wb=$(lab_wakeups "$UP")
wait "$cp" || { cat "$LAB_TMP/clients.log"; lab_fail "a control client failed"; }
[ "$(ctl_json 'j["shards"][0]["counters"]["ctl"]["accepted"]' stats)" -ge 2 ] ||
	lab_fail "the clients were not accepted"
pct=$(awk -v t=$((b - a)) -v hz="$hz" -v s="$SECS" 'BEGIN { printf "%.2f", 100 * t / hz / s }')
rate=$(((wb - wa) / SECS))
max_rate=$((1000000 / NAP_US * 3 / 2))
echo "ursad idle with 2 control clients: $(cat "$LAB_TMP/clients.log"), ${pct}% of a core, $rate wake-ups/s (limit $max_rate)"
[ "$rate" -le "$max_rate" ] || lab_fail "ursad woke $rate times a second (limit $max_rate)"
[ "$rate" -ge 1 ] || lab_fail "ursad never slept: it polls instead of napping"
awk -v p="$pct" 'BEGIN { exit !(p < 10.0) }' || lab_fail "ursad used ${pct}% of a core (limit 10%)"
lab_stop "$UP" || lab_fail "ursad exited with status $?"
echo "PASS: ursad naps with control clients attached: $rate wake-ups/s, ${pct}% of a core"
