#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# ursad --lcores 2 on af_packet (IPv4 and IPv6): the port gets qpairs=2, whose fanout group hashes each flow to
# one of the two queues, and each queue is polled by its own shard. Pings from 16 source
# addresses (16 flows, so both queues carry echoes) are all answered. ARP frames hash to one
# queue, yet a shard that receives an echo from a new source must resolve it before it can
# reply: the answer lands on the ARP queue and reaches the replying shard through the
# shards' command rings. arping is answered whichever queue it lands on.
T=shards N=18
. "$(dirname "$0")/common.sh"

[ "$(nproc)" -ge 2 ] || lab_skip "two shards need two CPUs"
lab_addr "$K" vk "$KERN_IP/24"
SRCS=$(seq 11 26)
for i in $SRCS; do ip -n "$K" addr add "10.252.$N.$i/24" dev vk; done
lab_addr "$K" vk "$KERN_IP6/64"
SRCS6=$(seq 11 18)
for i in $SRCS6; do ip -n "$K" addr add "fd00:252:$N::$i/64" dev vk nodad; done
start_ursad --lcores 2
grep -q "ursad: shard 1 finds rdma provider 'softroce': yes" "$LAB_TMP/u.log" ||
	lab_fail "shard 1 does not find the softroce provider in the stack's registry"
lab_wait 5 kexec ping -c 1 -W 1 "$URSA_IP" || lab_fail "no first reply from $URSA_IP"
for i in $SRCS; do
	out=$(kexec ping -c 3 -i 0.05 -W 2 -I "10.252.$N.$i" "$URSA_IP") || true
	echo "$out" | grep -q " 3 received" ||
		lab_fail "from 10.252.$N.$i: $(echo "$out" | grep transmitted)"
done
echo "16 sources x 3 echoes answered"
# IPv6: neighbour solicitations and advertisements go through the same sharing (ND).
lab_wait 5 kexec ping -6 -c 1 -W 1 "$URSA_IP6" || lab_fail "no first IPv6 reply"
for i in $SRCS6; do
	out=$(kexec ping -6 -c 3 -i 0.05 -W 2 -I "fd00:252:$N::$i" "$URSA_IP6") || true
	echo "$out" | grep -q " 3 received" ||
		lab_fail "from fd00:252:$N::$i: $(echo "$out" | grep transmitted)"
done
echo "8 IPv6 sources x 3 echoes answered"
if command -v arping >/dev/null; then
	out=$(kexec arping -c 3 -w 5 -I vk "$URSA_IP") || { echo "$out"; lab_fail "arping failed"; }
	echo "$out" | grep -q "3 packets received" || lab_fail "not every ARP request was answered"
	echo "arping: 3/3 answered"
fi
rx0=$(stats 'j["shards"][0]["ports"][0]["rx_pkts"]')
rx1=$(stats 'j["shards"][1]["ports"][0]["rx_pkts"]')
q1=$(stats 'j["shards"][1]["ports"][0]["queue"]')
out0=$(stats 'j["shards"][0]["counters"]["neigh"]["shared_out"]')
out1=$(stats 'j["shards"][1]["counters"]["neigh"]["shared_out"]')
in0=$(stats 'j["shards"][0]["counters"]["neigh"]["shared_in"]')
in1=$(stats 'j["shards"][1]["counters"]["neigh"]["shared_in"]')
full=$(stats 'sum(s["counters"]["stack"]["cmd_ring_full"] for s in j["shards"])')
echo "queue 0: rx $rx0, neighbours shared out $out0 in $in0"
echo "queue $q1: rx $rx1, neighbours shared out $out1 in $in1"
[ "$q1" = 1 ] || lab_fail "shard 1 does not poll queue 1"
[ "$rx0" -gt 0 ] && [ "$rx1" -gt 0 ] || lab_fail "one queue received nothing (rx $rx0 / $rx1)"
[ $((out0 + out1)) -gt 0 ] && [ $((in0 + in1)) -gt 0 ] ||
	lab_fail "no neighbour went from one shard to the other"
[ "$full" = 0 ] || lab_fail "$full commands found a full ring"
# Every source is known to shard 0 (its table is the top level), whichever queue resolved it.
known=$(stats 'len([n for n in j["neighbours"] if n["mac"] and n["addr"].startswith("10.252.'"$N"'.")])')
echo "shard 0 knows $known neighbours"
[ "$known" -ge 16 ] || lab_fail "shard 0 knows only $known of the 16 sources"
lab_stop "$UP" || lab_fail "ursad exited with status $?"
echo "PASS: 2 shards on af_packet qpairs=2: every echo and ARP answered, neighbours shared"
