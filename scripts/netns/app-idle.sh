#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# ursad with applications attached but idle still naps: a preloaded nc blocked in accept (it
# sleeps on the channel's notifier) and a preloaded nc with an open, quiet connection to the
# kernel. Over 10 s ursad's main thread wakes no more often than its longest nap allows and
# uses a small share of a core, as scripts/netns/idle-cpu.sh checks for ursad alone. When
# ursad stops, the application blocked in accept gets an error instead of hanging.
T=app-idle N=64
. "$(dirname "$0")/app-common.sh"
command -v nc >/dev/null || lab_skip "nc is not installed"

SECS=${IDLE_SECS:-10}
NAP_US=2000
start_app_ursad --no-announce --idle-sleep-us "$NAP_US"
(exec ip netns exec "$U" env LD_PRELOAD="$PRELOAD" URSA_APP_SOCKET="$APP_SOCK" \
	nc -l "$URSA_IP" 7001) </dev/null >/dev/null 2>&1 &
LPID=$!
LAB_PIDS+=("$LPID")
kexec sh -c "sleep 3600 | nc -l $KERN_IP 7002" >/dev/null 2>&1 &
LAB_PIDS+=("$!")
kwait_listen 7002
(exec ip netns exec "$U" env LD_PRELOAD="$PRELOAD" URSA_APP_SOCKET="$APP_SOCK" \
	sh -c "sleep 3600 | nc $KERN_IP 7002") >/dev/null 2>&1 &
LAB_PIDS+=("$!")
for _ in $(seq 1 50); do
	[ "$(chan apps)" = 2 ] && [ "$(chan socks)" = 2 ] && break
	sleep 0.2
done
[ "$(chan apps)" = 2 ] || lab_fail "expected 2 applications attached, have $(chan apps)"
sleep 1
hz=$(getconf CLK_TCK)
a=$(lab_cpu_ticks "$UP") wa=$(lab_wakeups "$UP")
sleep "$SECS"
b=$(lab_cpu_ticks "$UP") wb=$(lab_wakeups "$UP")
pct=$(awk -v t=$((b - a)) -v hz="$hz" -v s="$SECS" 'BEGIN { printf "%.2f", 100 * t / hz / s }')
rate=$(((wb - wa) / SECS))
max_rate=$((1000000 / NAP_US * 3 / 2))
echo "ursad with 2 idle apps: $((b - a)) ticks in ${SECS}s = ${pct}% of one core," \
	"$rate wake-ups/s (limit $max_rate), bells $(chan bell)"
[ "$rate" -le "$max_rate" ] || lab_fail "ursad woke $rate times a second (limit $max_rate)"
[ "$rate" -ge 1 ] || lab_fail "ursad never slept: it polls instead of napping"
awk -v p="$pct" 'BEGIN { exit !(p < 10.0) }' || lab_fail "ursad used ${pct}% of a core (limit 10%)"
lab_stop "$UP" || lab_fail "ursad exited with status $?"
# ursad gone: the application blocked in accept gets an error and exits, it does not hang
lab_wait 10 sh -c "! kill -0 $LPID 2>/dev/null" ||
	lab_fail "the preloaded nc blocked in accept did not notice that ursad stopped"
echo "ursad stopped: the application blocked in accept returned"
echo "PASS: ursad naps with idle applications attached: $rate wake-ups/s, ${pct}% of a core"
