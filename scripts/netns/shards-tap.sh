#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# ursad --lcores 2 on net_tap: the tap gets two queues (the kernel's tun picks one per flow)
# and each shard polls its own. Pings from 16 source addresses are all answered, both queues
# carry some, and each shard's neighbours reached the other through the command rings.
set -euo pipefail
. "$(dirname "$0")/../lab"
lab_init shtap
lab_need_root
[ -c /dev/net/tun ] || lab_skip "no /dev/net/tun (net_tap needs it)"
[ "$(nproc)" -ge 2 ] || lab_skip "two shards need two CPUs"
command -v python3 >/dev/null || lab_skip "python3 is needed to read ursad's JSON stats"

lab_ns_add u; U=$LAB_NS
lab_ursad "$U" u --port net_tap0,iface=ut0 --seed 1 --lcores 2 \
	--iface port=0,mac=02:52:00:00:19:02,ip=10.252.19.2/24
UP=$LAB_URSAD_PID
ip -n "$U" link set ut0 up
lab_addr "$U" ut0 10.252.19.1/24
SRCS=$(seq 11 26)
for i in $SRCS; do ip -n "$U" addr add "10.252.19.$i/24" dev ut0; done
lab_wait 5 ip netns exec "$U" ping -c 1 -W 1 10.252.19.2 || lab_fail "no first reply"
for i in $SRCS; do
	out=$(ip netns exec "$U" ping -c 3 -i 0.05 -W 2 -I "10.252.19.$i" 10.252.19.2) || true
	echo "$out" | grep -q " 3 received" ||
		lab_fail "from 10.252.19.$i: $(echo "$out" | grep transmitted)"
done
echo "16 sources x 3 echoes answered"
lab_ursad_stats u "$UP"
q=$(lab_json "$LAB_TMP/u.json" '" ".join("%d:%d:%d" % (s["ports"][0]["queue"], s["ports"][0]["rx_pkts"], s["counters"]["neigh"]["shared_in"]) for s in j["shards"])')
echo "queue:rx:neighbours shared in = $q"
for e in $q; do
	IFS=: read -r queue rx shin <<<"$e"
	[ "$rx" -gt 0 ] || lab_fail "queue $queue received nothing"
	[ "$shin" -gt 0 ] || lab_fail "the shard of queue $queue heard of no neighbour"
done
lab_stop "$UP" || lab_fail "ursad exited with status $?"
echo "PASS: 2 shards on net_tap's 2 queues: every echo answered ($q)"
