#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# ursa-tcp load (the scaling benchmark's load) against the Linux kernel over veth, briefly and
# for correctness, not speed: 64 connections of 64-byte request/response, every reply checked
# against the bytes sent (ursa-tcp exits 1 on a differing or missing byte).
#   1. ursa client on 1 and on 2 shards (af_packet qpairs=2, fanout) -> kernel echo server
#      (ursa-tcp load --kernel, 2 threads): each shard's connections all finish, and with 2
#      shards both shards carry transactions; replies that the kernel's fanout put on the
#      other shard's queue are handed over (dispatch counters printed).
#   2. kernel client (2 threads) -> ursa echo server on 2 shards: every connection echoed,
#      each shard accepted some (the SYNs spread over both queues).
T=tcp-load N=41
. "$(dirname "$0")/tcp-common.sh"

[ "$(nproc)" -ge 2 ] || tc_skip "two shards need two CPUs"
CONNS=64 COUNT=${URSA_LOAD_COUNT:-200}
LOAD=(load --msg-size 64 --timeout "$TIMEOUT")
UARGS=(--port net_af_packet0,iface=tcu --mac "$UMAC" --ip "$UI/24" --seed 1)

# kserver PORT: the kernel echo server in K (2 threads); sets KPID.
kserver() {
	kexec "$URSA_TCP" "${LOAD[@]}" --kernel --lcores 2 --listen "$1" --conns "$CONNS" \
		>"$TC_TMP/k.$1" 2>&1 &
	KPID=$!
	TC_PIDS+=("$KPID")
	for _ in $(seq 1 50); do
		kexec ss -Hltn "sport = :$1" | grep -q . && return 0
		sleep 0.1
	done
	tc_fail "the kernel echo server does not listen on $1"
}
# total FILE NAME: NAME= of the total line; shard FILE I NAME: of shard I's line.
total() { grep '^ursa-tcp: load role=' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
shard() { grep "^ursa-tcp: load shard=$2 " "$1" | tr ' ' '\n' | sed -n "s/^$3=//p"; }

for lcores in 1 2; do
	port=$((5400 + lcores))
	kserver "$port"
	ip netns exec "$U" "$URSA_TCP" "${LOAD[@]}" "${UARGS[@]}" --lcores "$lcores" \
		--connect "$KI:$port" --conns "$CONNS" --count "$COUNT" \
		>"$TC_TMP/u.$lcores" 2>"$TC_TMP/u.$lcores.err" ||
		{ cat "$TC_TMP/u.$lcores" "$TC_TMP/u.$lcores.err" >&2; tc_fail "ursa client on $lcores shard(s)"; }
	wait "$KPID" || { cat "$TC_TMP/k.$port" >&2; tc_fail "kernel echo server failed"; }
	cat "$TC_TMP/u.$lcores"
	[ "$(total "$TC_TMP/u.$lcores" verify)" = ok ] || tc_fail "replies differ ($lcores shards)"
	[ "$(total "$TC_TMP/u.$lcores" transactions)" = $((CONNS * COUNT)) ] ||
		tc_fail "not every request answered ($lcores shards)"
	[ "$(total "$TC_TMP/k.$port" bytes)" = $((CONNS * COUNT * 64)) ] ||
		tc_fail "the kernel echoed $(total "$TC_TMP/k.$port" bytes) bytes"
	for s in $(seq 0 $((lcores - 1))); do
		[ "$(shard "$TC_TMP/u.$lcores" "$s" transactions)" = $((CONNS / lcores * COUNT)) ] ||
			tc_fail "shard $s of $lcores did not finish its connections"
	done
done
in=$(( $(shard "$TC_TMP/u.2" 0 dispatch_in) + $(shard "$TC_TMP/u.2" 1 dispatch_in) ))
echo "2 shards: $in frames handed to their owner shard"
[ "$in" -gt 0 ] || tc_fail "no reply landed on the other queue: is the fanout on?"

ip netns exec "$U" "$URSA_TCP" "${LOAD[@]}" "${UARGS[@]}" --lcores 2 --listen 5410 \
	--conns "$CONNS" >"$TC_TMP/us" 2>"$TC_TMP/us.err" &
UPID=$!
TC_PIDS+=("$UPID")
for _ in $(seq 1 100); do
	grep -q listening "$TC_TMP/us" 2>/dev/null && break
	kill -0 "$UPID" 2>/dev/null || break
	sleep 0.1
done
for _ in $(seq 1 50); do kexec ping -c 1 -W 1 "$UI" >/dev/null 2>&1 && break; done
kexec "$URSA_TCP" "${LOAD[@]}" --kernel --lcores 2 --connect "$UI:5410" --conns "$CONNS" \
	--count "$COUNT" >"$TC_TMP/kc" 2>&1 || { cat "$TC_TMP/kc" >&2; tc_fail "kernel client"; }
wait "$UPID" || { cat "$TC_TMP/us" "$TC_TMP/us.err" >&2; tc_fail "ursa echo server failed"; }
cat "$TC_TMP/kc" "$TC_TMP/us"
[ "$(total "$TC_TMP/kc" verify)" = ok ] || tc_fail "the kernel client got different replies"
[ "$(total "$TC_TMP/us" bytes)" = $((CONNS * COUNT * 64)) ] ||
	tc_fail "ursa echoed $(total "$TC_TMP/us" bytes) bytes"
for s in 0 1; do
	[ "$(shard "$TC_TMP/us" $s conns)" -gt 0 ] || tc_fail "shard $s accepted no connection"
done
echo "PASS: 64 connections x $COUNT requests verified, ursa on 1 and 2 shards, both directions"
