#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Fault injection: with --fault dir=rx,drop=0.3,seed=1 on ursad's port, ping loses about 30%
# of its echoes, and ursad's fault counters agree with what ping saw: every lost echo was
# dropped by the injector, and it dropped nothing else beyond the few ARP frames.
T=fault N=15
. "$(dirname "$0")/common.sh"

COUNT=300
lab_addr "$K" vk "$KERN_IP/24"
ip netns exec "$K" sysctl -qw net.ipv6.conf.vk.disable_ipv6=1
# A static entry: the kernel sends ursa only the echo requests.
ip -n "$K" neigh replace "$URSA_IP" lladdr "$URSA_MAC" dev vk nud permanent
start_ursad --fault port=0,dir=rx,drop=0.3,seed=1
out=$(kexec ping -c "$COUNT" -i 0.005 -W 1 "$URSA_IP" || true)
echo "$out" | tail -2
recv=$(echo "$out" | sed -n 's/.* \([0-9]*\) received.*/\1/p')
lost=$((COUNT - recv))
in=$(stats 'j["ports"][0]["fault"]["rx"]["in"]')
dropped=$(stats 'j["ports"][0]["fault"]["rx"]["dropped"]')
echo "ping: $lost of $COUNT lost ($((100 * lost / COUNT))%); ursad rx fault: in $in dropped $dropped"
[ "$lost" -ge $((COUNT * 20 / 100)) ] && [ "$lost" -le $((COUNT * 40 / 100)) ] ||
	lab_fail "loss $lost/$COUNT is not near 30%"
[ "$in" -ge "$COUNT" ] || lab_fail "ursad saw $in frames, fewer than the $COUNT sent"
[ "$dropped" -ge "$lost" ] || lab_fail "ping lost $lost but ursad dropped only $dropped"
[ $((dropped - lost)) -le $((in - COUNT)) ] ||
	lab_fail "ursad dropped $dropped, more than the $lost echoes plus $((in - COUNT)) others"
lab_stop "$UP" || lab_fail "ursad exited with status $?"
echo "PASS: seeded 30% Rx drop seen by ping and counted by ursad"
