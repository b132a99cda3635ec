#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# IPv4 ping from the Linux kernel to ursad over veth/af_packet: every echo is answered, and
# ursad's port counters saw them. A ping from an address off ursa's subnet is answered only
# through the --route given to ursad (via the kernel as gateway).
T=ping N=11
. "$(dirname "$0")/common.sh"

lab_addr "$K" vk "$KERN_IP/24"
ip -n "$K" addr add 10.252.111.1/32 dev lo
start_ursad --route "tenant=0,dst=10.252.111.0/24,via=$KERN_IP"
lab_wait 5 kexec ping -c 1 -W 1 "$URSA_IP" || lab_fail "no first reply from $URSA_IP"
out=$(kexec ping -c 50 -i 0.02 -W 2 "$URSA_IP")
echo "$out" | tail -2
echo "$out" | grep -q " 50 received, 0% packet loss" || lab_fail "not every echo was answered"
# Large echoes: the kernel fragments the request (af_packet hands ursad the datagram the
# kernel reassembled), ursa fragments its reply at the 1500-byte MTU.
for size in 3000 8000; do
	kexec ping -c 3 -i 0.1 -W 2 -s $size "$URSA_IP" | grep -q " 3 received" ||
		lab_fail "no replies to $size-byte echoes"
done
echo "3000- and 8000-byte echoes answered (fragmented both ways)"
out=$(kexec ping -c 5 -i 0.05 -W 2 -I 10.252.111.1 "$URSA_IP") ||
	lab_fail "no replies to 10.252.111.1 through ursad's --route"
echo "from 10.252.111.1 (routed via $KERN_IP): $(echo "$out" | grep received)"
# with --lcores N (URSA_LCORES), each shard has its queue of the port: the sum of all
rx=$(stats 'sum(s["ports"][0]["rx_pkts"] for s in j.get("shards", [j]))')
tx=$(stats 'sum(s["ports"][0]["tx_pkts"] for s in j.get("shards", [j]))')
echo "ursad port: rx $rx tx $tx"
[ "$rx" -ge 51 ] && [ "$tx" -ge 51 ] || lab_fail "ursad counted rx $rx tx $tx, expected >= 51"
lab_stop "$UP" || lab_fail "ursad exited with status $?"
echo "PASS: 50/50 IPv4 echoes answered"
