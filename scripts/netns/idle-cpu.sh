#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# An idle ursad must not burn a core: over 10 s with no traffic it uses < 2% of one CPU
# (utime + stime from /proc/PID/stat).
T=idle N=16
. "$(dirname "$0")/common.sh"

SECS=${IDLE_SECS:-10}
start_ursad --no-announce
sleep 1
hz=$(getconf CLK_TCK)
a=$(lab_cpu_ticks "$UP")
sleep "$SECS"
b=$(lab_cpu_ticks "$UP")
pct=$(awk -v t=$((b - a)) -v hz="$hz" -v s="$SECS" 'BEGIN { printf "%.2f", 100 * t / hz / s }')
echo "ursad idle CPU: $((b - a)) ticks in ${SECS}s = ${pct}% of one core"
awk -v p="$pct" 'BEGIN { exit !(p < 2.0) }' || lab_fail "idle ursad used ${pct}% of a core (limit 2%)"
lab_stop "$UP" || lab_fail "ursad exited with status $?"
echo "PASS: idle CPU ${pct}% < 2%"
