#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# ursad on net_tap, whose queues have Rx interrupts: ursad must say it naps on interrupts,
# answer every ping from the tap's kernel side, and while idle wake only for
# timers (a few times a second), not for timed naps.
set -euo pipefail
. "$(dirname "$0")/../lab"
lab_init tap
lab_need_root
[ -c /dev/net/tun ] || lab_skip "no /dev/net/tun (net_tap needs it)"
command -v python3 >/dev/null || lab_skip "python3 is needed to read ursad's JSON stats"

lab_ns_add u; U=$LAB_NS
lab_ursad "$U" u --port net_tap0,iface=ut0 --seed 1 \
	--iface port=0,mac=02:52:00:00:17:02,ip=10.252.17.2/24
UP=$LAB_URSAD_PID
grep -q "Rx interrupts" "$LAB_TMP/u.log" || { cat "$LAB_TMP/u.log"; lab_fail "ursad does not use Rx interrupts on net_tap"; }
ip -n "$U" link set ut0 up
lab_addr "$U" ut0 10.252.17.1/24
lab_wait 5 ip netns exec "$U" ping -c 1 -W 1 10.252.17.2 || lab_fail "no first reply"
out=$(ip netns exec "$U" ping -c 20 -i 0.05 -W 2 10.252.17.2)
echo "$out" | tail -2
echo "$out" | grep -q " 20 received, 0% packet loss" || lab_fail "not every echo was answered"
sleep 1
hz=$(getconf CLK_TCK)
a=$(lab_cpu_ticks "$UP") wa=$(lab_wakeups "$UP")
sleep 4
b=$(lab_cpu_ticks "$UP") wb=$(lab_wakeups "$UP")
pct=$(awk -v t=$((b - a)) -v hz="$hz" 'BEGIN { printf "%.2f", 100 * t / hz / 4 }')
rate=$(((wb - wa) / 4))
echo "ursad idle on Rx interrupts: $((b - a)) ticks in 4s = ${pct}% of one core, $rate wake-ups/s"
# On interrupts a nap lasts until the next timer, at most 100 ms: a few wake-ups a second,
# against 500 for timed naps of 2 ms. The CPU share only tells napping from polling.
[ "$rate" -le 50 ] || lab_fail "idle ursad woke $rate times a second on Rx interrupts (limit 50)"
awk -v p="$pct" 'BEGIN { exit !(p < 10.0) }' || lab_fail "idle ursad used ${pct}% of a core (limit 10%)"
lab_stop "$UP" || lab_fail "ursad exited with status $?"
echo "PASS: net_tap with Rx interrupts: 20/20 answered, idle: $rate wake-ups/s, ${pct}%"
