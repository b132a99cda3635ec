#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Applications that misbehave cannot stall or crash ursad or hurt another application:
#   - an unsealed memfd handed in is refused with a reason (refuse_unsealed);
#   - a sealed memfd cannot be truncated under ursad (the kernel says EPERM) and the channel
#     goes on working;
#   - an application that connects and never reads (its receive ring fills, its own TCP
#     window closes), one that floods the command ring without reading replies (ursad stalls
#     it alone: cmd_stall_evt_full), one that publishes a broken cursor (detached:
#     detach_bad_cursor), and a preloaded nc killed with SIGKILL in the middle of a transfer;
# while they are there, and after, a well-behaved preloaded nc moves 2 MiB byte-exact.
# When they are gone the channel is back to its baseline (apps, socks, mem_bytes all 0) and
# their connections were aborted (sock_abort).
T=app-misbehave N=63
. "$(dirname "$0")/app-common.sh"
command -v nc >/dev/null || lab_skip "nc is not installed"
PROBE=${URSA_APP_PROBE:-}
if [ -z "$PROBE" ]; then
	for b in "$LAB_TOP"/build*/apps/app/ursa-app-probe; do [ -x "$b" ] && PROBE=$b && break; done
fi
[ -x "$PROBE" ] || lab_skip "ursa-app-probe is not built"
start_app_ursad

probe() { ip netns exec "$U" env URSA_APP_SOCKET="$APP_SOCK" "$PROBE" "$@"; }
# bgprobe NAME ARGS...: a sleeping probe in the background (exec'd, so that $! is the probe
# itself and SIGKILL reaches it); waits for its "ready".
bgprobe() {
	local name=$1
	shift
	(exec ip netns exec "$U" env URSA_APP_SOCKET="$APP_SOCK" "$PROBE" "$@") \
		>"$LAB_TMP/$name.out" 2>&1 &
	eval "${name}_PID=$!"
	LAB_PIDS+=("$!")
	lab_wait 20 grep -q ready "$LAB_TMP/$name.out" ||
		lab_fail "probe $name not in place: $(cat "$LAB_TMP/$name.out")"
}
# good PORT: a preloaded nc sends 2 MiB to the kernel, byte-exact.
good() {
	head -c 2097152 /dev/urandom >"$LAB_TMP/good.bin"
	kexec timeout 60 nc -l "$KERN_IP" "$1" >"$LAB_TMP/good.out" 2>/dev/null &
	local kp=$!
	kwait_listen "$1"
	uexec timeout 60 nc -N "$KERN_IP" "$1" <"$LAB_TMP/good.bin" ||
		lab_fail "the well-behaved nc failed"
	wait "$kp" || lab_fail "kernel nc server failed"
	cmp -s "$LAB_TMP/good.bin" "$LAB_TMP/good.out" || lab_fail "the well-behaved nc: bytes differ"
}
# counter_at_least NAME MIN: wait (up to 10 s) for chan.NAME >= MIN.
counter_at_least() {
	local i
	for i in $(seq 1 50); do
		[ "$(chan "$1")" -ge "$2" ] && return 0
		sleep 0.2
	done
	lab_fail "chan.$1 is $(chan "$1"), expected at least $2"
}

out=$(probe unsealed) || lab_fail "unsealed memfd: $out"
echo "$out"
[ "$(chan refuse_unsealed)" = 1 ] || lab_fail "refuse_unsealed is $(chan refuse_unsealed)"
out=$(probe truncate) || lab_fail "truncate: $out"
echo "$out"

kexec nc -l "$KERN_IP" 6001 </dev/zero >/dev/null 2>&1 &
LAB_PIDS+=("$!")
kexec nc -l "$KERN_IP" 6002 </dev/zero >/dev/null 2>&1 &
LAB_PIDS+=("$!")
kwait_listen 6001
kwait_listen 6002
bgprobe noread noread "$KERN_IP" 6001
bgprobe flood flood
counter_at_least cmd_stall_evt_full 1
bgprobe bad badcursor
counter_at_least detach_bad_cursor 1
(exec ip netns exec "$U" env LD_PRELOAD="$PRELOAD" URSA_APP_SOCKET="$APP_SOCK" \
	nc "$KERN_IP" 6002) >/dev/null 2>&1 &
KILLME=$!
LAB_PIDS+=("$KILLME")
counter_at_least rx_bytes 4194304
echo "in place: a reader that never reads, a flood, a broken cursor, a streaming nc"

good 6003
echo "a well-behaved nc: 2 MiB identical while they are attached"
kill -KILL "$KILLME" "$noread_PID" "$flood_PID" "$bad_PID"
chan_baseline
[ "$(chan sock_abort)" -ge 2 ] || lab_fail "sock_abort is $(chan sock_abort), expected >= 2"
good 6004
echo "a well-behaved nc: 2 MiB identical after they were killed"
echo "chan: attach $(chan attach) detach $(chan detach) hangup $(chan detach_hangup)" \
	"bad_cursor $(chan detach_bad_cursor) stall $(chan cmd_stall_evt_full)" \
	"sock_abort $(chan sock_abort) refuse_unsealed $(chan refuse_unsealed)"
lab_stop "$UP" || lab_fail "ursad exited with status $?"
echo "PASS: misbehaving applications leave ursad and the others working"
