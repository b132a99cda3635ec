#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# VLANs and tenants: two kernel namespaces on VLAN 10 and VLAN 20 of the same wire hold the
# SAME address; ursad has one interface per VLAN, in tenants 1 and 2, with the same address
# and different MACs. Each kernel namespace reaches ursa and resolves ITS tenant's MAC; an
# address configured only in tenant 2 is unreachable from tenant 1's VLAN.
T=vlan N=14
. "$(dirname "$0")/common.sh"

M1=02:52:00:01:00:01
M2=02:52:00:02:00:01
X=10.252.14.2
ONLY2=10.252.14.3
lab_ns_add k2; K2=$LAB_NS
lab_vlan "$K" vk 10 vk.10
lab_vlan "$K" vk 20 vk.20
ip -n "$K" link set vk.20 netns "$K2"
ip -n "$K2" link set vk.20 up
lab_addr "$K" vk.10 10.252.14.1/24
lab_addr "$K2" vk.20 10.252.14.1/24
lab_ursad "$U" u --port net_af_packet0,iface=vu --seed 1 \
	--iface "port=0,vlan=10,tenant=1,mac=$M1,ip=$X/24" \
	--iface "port=0,vlan=20,tenant=2,mac=$M2,ip=$X/24,ip=$ONLY2/24"
UP=$LAB_URSAD_PID

for pair in "$K:vk.10:$M1" "$K2:vk.20:$M2"; do
	IFS=: read -r ns dev mac <<<"$pair"
	lab_wait 5 ip netns exec "$ns" ping -c 1 -W 1 "$X" || lab_fail "$dev: no reply from $X"
	out=$(ip netns exec "$ns" ping -c 10 -i 0.05 -W 2 "$X")
	echo "$dev: $(echo "$out" | grep received)"
	echo "$out" | grep -q " 10 received" || lab_fail "$dev: not every echo was answered"
	got=$(ip -n "$ns" neigh show "$X" dev "$dev" | awk '{print $3}')
	echo "$dev: kernel resolved $X to $got"
	[ "$got" = "$mac" ] || lab_fail "$dev resolved $X to '$got', expected its tenant's $mac"
done
ip netns exec "$K2" ping -c 2 -i 0.2 -W 1 "$ONLY2" >/dev/null || lab_fail "tenant 2 cannot reach $ONLY2"
if ip netns exec "$K" ping -c 3 -i 0.2 -W 1 "$ONLY2" >/dev/null 2>&1; then
	lab_fail "$ONLY2 (tenant 2 only) answered on VLAN 10 (tenant 1)"
fi
echo "vk.10: $ONLY2 unreachable, as it should be"
if command -v arping >/dev/null &&
	ip netns exec "$K" arping -c 2 -w 2 -I vk.10 "$ONLY2" >/dev/null 2>&1; then
	lab_fail "$ONLY2 (tenant 2 only) answered ARP on VLAN 10"
fi
lab_stop "$UP" || lab_fail "ursad exited with status $?"
echo "PASS: tenants with the same address are kept apart by VLAN"
