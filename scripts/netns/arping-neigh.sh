#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# ARP: arping gets an answer for every request, and the kernel's neighbour entry for ursa's
# address holds ursa's MAC and is REACHABLE (or STALE). ursad's ARP counters agree.
T=arping N=13
. "$(dirname "$0")/common.sh"

command -v arping >/dev/null || lab_skip "arping is not installed"
lab_addr "$K" vk "$KERN_IP/24"
start_ursad
out=$(kexec arping -c 5 -w 5 -I vk "$URSA_IP") || { echo "$out"; lab_fail "arping failed"; }
echo "$out" | tail -2
echo "$out" | grep -qi "$URSA_MAC" || lab_fail "arping answers did not come from $URSA_MAC"
echo "$out" | grep -q "5 packets received" || lab_fail "not every ARP request was answered"
kexec ping -c 2 -i 0.2 -W 1 "$URSA_IP" >/dev/null || lab_fail "ping failed"
entry=$(kexec ip neigh show "$URSA_IP" dev vk)
echo "kernel neighbour: $entry"
echo "$entry" | grep -qi "lladdr $URSA_MAC " || lab_fail "entry does not hold $URSA_MAC"
echo "$entry" | grep -Eq "REACHABLE|STALE|DELAY" || lab_fail "entry is not REACHABLE/STALE"
replies=$(stats 'j["counters"]["arp"]["tx_reply"]')
echo "ursad arp tx_reply: $replies"
[ "$replies" -ge 5 ] || lab_fail "ursad counted $replies ARP replies, expected >= 5"
ursa_sees=$(stats '[n["mac"] for n in j["neighbours"] if n["addr"] == "'"$KERN_IP"'"]')
echo "ursad's neighbour entry for $KERN_IP: $ursa_sees"
echo "$ursa_sees" | grep -qi "$KERN_MAC" || lab_fail "ursad did not learn $KERN_MAC"
lab_stop "$UP" || lab_fail "ursad exited with status $?"
echo "PASS: ARP answered, kernel and ursa know each other"
