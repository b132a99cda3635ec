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
if ip -n "$K" link add link vk name vk.10 type vlan id 10 2>/dev/null; then
	# The kernel has VLAN devices: sub-interfaces 10 and 20 of vk, the second moved to K2.
	ip -n "$K" link set vk.10 up
	lab_vlan "$K" vk 20 vk.20
	ip -n "$K" link set vk.20 netns "$K2"
	ip -n "$K2" link set vk.20 up
	D1=vk.10 D2=vk.20
	echo "kernel side: VLAN sub-interfaces vk.10 and vk.20 (the latter in a second namespace)"
else
	# No CONFIG_VLAN_8021Q: a user-space 802.1Q access switch in its own namespace tags each
	# kernel namespace's untagged veth onto VLAN 10 or 20 of ursad's wire.
	echo "kernel side: no VLAN devices in this kernel; access ports of vlan_switch.py"
	lab_ns_add sw; S=$LAB_NS
	ip -n "$K" link del vk
	lab_veth "$S" trunk "$U" vu
	lab_veth "$S" a10 "$K" vk
	lab_veth "$S" a20 "$K2" vk
	for d in trunk a10 a20; do lab_quiet "$S" "$d"; done
	lab_quiet "$U" vu
	ip netns exec "$S" python3 "$(dirname "$0")/vlan_switch.py" trunk 10=a10 20=a20 \
		>"$LAB_TMP/switch.log" 2>&1 &
	LAB_PIDS+=($!)
	lab_wait 5 grep -q ready "$LAB_TMP/switch.log" || lab_fail "vlan_switch.py did not start"
	D1=vk D2=vk
fi
lab_addr "$K" "$D1" 10.252.14.1/24
lab_addr "$K2" "$D2" 10.252.14.1/24
lab_ursad "$U" u --port net_af_packet0,iface=vu --seed 1 \
	--iface "port=0,vlan=10,tenant=1,mac=$M1,ip=$X/24" \
	--iface "port=0,vlan=20,tenant=2,mac=$M2,ip=$X/24,ip=$ONLY2/24"
UP=$LAB_URSAD_PID

for pair in "$K:$D1:$M1" "$K2:$D2:$M2"; do
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
lab_ursad_stats u "$UP"
rx_before=$(lab_json "$LAB_TMP/u.json" 'j["ifaces"][0]["rx"]')
if ip netns exec "$K" ping -c 3 -i 0.2 -W 1 "$ONLY2" >/dev/null 2>&1; then
	lab_fail "$ONLY2 (tenant 2 only) answered on VLAN 10 (tenant 1)"
fi
echo "tenant 1 ($D1 in $K): $ONLY2 unreachable, as it should be"
if command -v arping >/dev/null &&
	ip netns exec "$K" arping -c 2 -w 2 -I "$D1" "$ONLY2" >/dev/null 2>&1; then
	lab_fail "$ONLY2 (tenant 2 only) answered ARP on VLAN 10"
fi
lab_ursad_stats u "$UP"
rx_after=$(lab_json "$LAB_TMP/u.json" 'j["ifaces"][0]["rx"]')
echo "ursad interface 0 (VLAN 10, tenant 1) accepted $((rx_after - rx_before)) frames meanwhile"
[ "$rx_after" -gt "$rx_before" ] || lab_fail "tenant 1's probes never reached ursad's VLAN 10"
lab_stop "$UP" || lab_fail "ursad exited with status $?"
echo "PASS: tenants with the same address are kept apart by VLAN"
