#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# An idle ursad must back off: over 10 s with no traffic on net_af_packet (no Rx interrupts,
# so timed naps) its main thread wakes no more often than its longest nap allows, and it uses
# a small share of one CPU (utime + stime from /proc/PID/stat). The wake-up rate is the exact
# check: it does not depend on the machine's speed or load. The CPU share only has to tell
# napping from polling (a polling ursad uses a whole core), so its limit leaves room for a
# sanitizer build on a loaded machine.
T=idle N=16
. "$(dirname "$0")/common.sh"

SECS=${IDLE_SECS:-10}
NAP_US=2000
start_ursad --no-announce --idle-sleep-us "$NAP_US"
grep -q "timed naps" "$LAB_TMP/u.log" || { cat "$LAB_TMP/u.log"; lab_fail "ursad should nap on timers on net_af_packet"; }
sleep 1
hz=$(getconf CLK_TCK)
a=$(lab_cpu_ticks "$UP") wa=$(lab_wakeups "$UP")
sleep "$SECS"
b=$(lab_cpu_ticks "$UP") wb=$(lab_wakeups "$UP")
pct=$(awk -v t=$((b - a)) -v hz="$hz" -v s="$SECS" 'BEGIN { printf "%.2f", 100 * t / hz / s }')
rate=$(((wb - wa) / SECS))
# Naps of NAP_US give 1e6/NAP_US wake-ups a second; allow half as many again for the naps cut
# short by timers and signals.
max_rate=$((1000000 / NAP_US * 3 / 2))
echo "ursad idle: $((b - a)) ticks in ${SECS}s = ${pct}% of one core, $rate wake-ups/s (limit $max_rate)"
[ "$rate" -le "$max_rate" ] || lab_fail "idle ursad woke $rate times a second (limit $max_rate)"
[ "$rate" -ge 1 ] || lab_fail "idle ursad never slept: it polls instead of napping"
awk -v p="$pct" 'BEGIN { exit !(p < 10.0) }' || lab_fail "idle ursad used ${pct}% of a core (limit 10%)"
lab_stop "$UP" || lab_fail "ursad exited with status $?"
echo "PASS: idle ursad naps: $rate wake-ups/s, ${pct}% of a core"
