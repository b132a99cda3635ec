#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# IPv6 ping from the kernel to ursad's global and link-local addresses: neighbour discovery
# (NS to the solicited-node group, NA back) and ICMPv6 echo, every echo answered.
T=ping6 N=12
. "$(dirname "$0")/common.sh"

lab_addr "$K" vk "$KERN_IP6/64"
start_ursad
for dst in "$URSA_IP6" "$URSA_LL%vk"; do
	lab_wait 8 kexec ping -6 -c 1 -W 1 "$dst" || lab_fail "no first reply from $dst"
	out=$(kexec ping -6 -c 20 -i 0.02 -W 2 "$dst")
	echo "$out" | tail -2
	echo "$out" | grep -q " 20 received, 0% packet loss" ||
		lab_fail "not every echo to $dst was answered"
done
mac=$(kexec ip -6 neigh show "$URSA_IP6" dev vk | awk '{print $3}')
echo "kernel neighbour $URSA_IP6: $mac"
[ "$mac" = "$URSA_MAC" ] || lab_fail "kernel resolved $URSA_IP6 to '$mac', not $URSA_MAC"
lab_stop "$UP" || lab_fail "ursad exited with status $?"
echo "PASS: IPv6 global and link-local echoes answered"
