#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# ursad's counters through DPDK telemetry: a small client of the telemetry socket (the
# protocol dpdk-telemetry.py speaks: SOCK_SEQPACKET, a JSON greeting, then one JSON answer per
# command) reads /ursa/shards, /ursa/stats, /ursa/shard_stats and /ursa/ports after pings,
# and the counters agree with what ursactl stats says. On two shards, so /ursa/stats sums
# them; a shard that does not exist gets DPDK's null answer.
T=ctl-telemetry N=42
. "$(dirname "$0")/ctl-common.sh"
lab_addr "$K" vk "$KERN_IP/24"

PREFIX=$LAB_PREFIX
TEL=/var/run/dpdk/$PREFIX/dpdk_telemetry.v2
trap 'lab_cleanup; rm -rf "/var/run/dpdk/$PREFIX"' EXIT

# tel CMD: one telemetry command's answer as JSON on stdout.
tel() {
	python3 - "$TEL" "$1" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.settimeout(5)
s.connect(sys.argv[1])
json.loads(s.recv(1 << 16))
s.send(sys.argv[2].encode())
print(json.dumps(json.loads(s.recv(1 << 20))))
PY
}

lab_ursad "$U" u --no-huge -m 256 --no-shconf --no-pci --file-prefix "$PREFIX" -l 0-1 -- \
	--port net_af_packet0,iface=vu --iface "port=0,mac=$URSA_MAC,ip=$URSA_IP/24" \
	--seed 1 --no-announce --lcores 2 --ctl-socket "$CTL"
UP=$LAB_URSAD_PID
lab_wait 10 test -S "$TEL" || lab_fail "no telemetry socket at $TEL"
kexec ping -n -q -c 6 -i 0.2 "$URSA_IP" >/dev/null || lab_fail "ursad does not answer pings"

tel /ursa/shards >"$LAB_TMP/sh.json" || lab_fail "/ursa/shards"
[ "$(lab_json "$LAB_TMP/sh.json" 'j["/ursa/shards"]["shards"]')" -eq 2 ] || lab_fail "not 2 shards"
tel /ursa/stats >"$LAB_TMP/tel.json" || lab_fail "/ursa/stats"
ctl --json stats >"$LAB_TMP/ctl.json" || lab_fail "ursactl stats"
python3 - "$LAB_TMP/tel.json" "$LAB_TMP/ctl.json" <<'PY' || lab_fail "telemetry and ursactl disagree"
import json, sys
tel = json.load(open(sys.argv[1]))["/ursa/stats"]
shards = json.load(open(sys.argv[2]))["shards"]
icmp = tel["icmp"]
want = {n: sum(s["counters"]["icmp"][n] for s in shards) for n in icmp}
assert icmp == want, (icmp, want)
echo = [n for n in icmp if "echo" in n and icmp[n] >= 6]
assert echo, f"no echo counter reached 6 pings: {icmp}"
print("telemetry /ursa/stats icmp:", {n: icmp[n] for n in echo}, "=", "ursactl's sum of 2 shards")
PY
tel /ursa/shard_stats,1 >"$LAB_TMP/s1.json" || lab_fail "/ursa/shard_stats,1"
lab_json "$LAB_TMP/s1.json" 'len(j["/ursa/shard_stats"])' >/dev/null || lab_fail "shard 1 stats"
[ "$(tel /ursa/shard_stats,7 | python3 -c 'import json,sys; print(json.load(sys.stdin)["/ursa/shard_stats"])')" = None ] ||
	lab_fail "/ursa/shard_stats,7 should fail: there are 2 shards"
tel /ursa/ports >"$LAB_TMP/p.json" || lab_fail "/ursa/ports"
rx=$(lab_json "$LAB_TMP/p.json" 'sum(p["rx_pkts"] for p in j["/ursa/ports"].values())')
[ "$rx" -ge 6 ] || lab_fail "/ursa/ports: $rx frames received, pings were 6"
lab_stop "$UP" || lab_fail "ursad exited with status $?"
echo "PASS: telemetry answers /ursa/shards, /ursa/stats (= ursactl stats), /ursa/shard_stats, /ursa/ports ($rx rx)"
