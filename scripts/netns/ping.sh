#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# IPv4 ping from the Linux kernel to ursad over veth/af_packet: every echo is answered, and
# ursad's port counters saw them.
T=ping N=11
. "$(dirname "$0")/common.sh"

lab_addr "$K" vk "$KERN_IP/24"
start_ursad
lab_wait 5 kexec ping -c 1 -W 1 "$URSA_IP" || lab_fail "no first reply from $URSA_IP"
out=$(kexec ping -c 50 -i 0.02 -W 2 "$URSA_IP")
echo "$out" | tail -2
echo "$out" | grep -q " 50 received, 0% packet loss" || lab_fail "not every echo was answered"
rx=$(stats 'j["ports"][0]["rx_pkts"]')
tx=$(stats 'j["ports"][0]["tx_pkts"]')
echo "ursad port: rx $rx tx $tx"
[ "$rx" -ge 51 ] && [ "$tx" -ge 51 ] || lab_fail "ursad counted rx $rx tx $tx, expected >= 51"
lab_stop "$UP" || lab_fail "ursad exited with status $?"
echo "PASS: 50/50 IPv4 echoes answered"
