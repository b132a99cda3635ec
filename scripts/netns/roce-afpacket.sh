#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Two ursa processes in two network namespaces joined by a veth pair, each on net_af_packet
# (one core each): ursa-perf server and client run write_bw, read_bw and send_bw with the data
# checked (--verify) and the latency tests. The out-of-band exchange runs over kernel TCP on
# the same veth (kernel addresses 192.168.x, ursa's 10.x: the two stacks share the wire).
#   URSA_PERF=path/to/ursa-perf scripts/netns/roce-afpacket.sh
set -euo pipefail
PERF=${URSA_PERF:?set URSA_PERF to the ursa-perf binary}
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root for network namespaces"; exit 77; }
ip netns add "rpt-probe-$$" 2>/dev/null || { echo "SKIP: cannot create a namespace"; exit 77; }
ip netns del "rpt-probe-$$"
A=rpt-$$-a B=rpt-$$-b
TMP=$(mktemp -d /tmp/roce-afp.XXXXXX)
SRV=
cleanup() {
	[ -n "$SRV" ] && kill "$SRV" 2>/dev/null
	ip netns del "$A" 2>/dev/null || true
	ip netns del "$B" 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
ip netns add "$A"
ip netns add "$B"
ip link add rva netns "$A" type veth peer name rvb netns "$B"
for n in "$A" "$B"; do ip -n "$n" link set lo up; done
ip -n "$A" link set rva up
ip -n "$B" link set rvb up
ip -n "$A" addr add 192.168.231.1/24 dev rva
ip -n "$B" addr add 192.168.231.2/24 dev rvb
# real checksums on the wire: af_packet hands ursa the frames as they are
ip netns exec "$A" ethtool -K rva tx off >/dev/null
ip netns exec "$B" ethtool -K rvb tx off >/dev/null

pair() { # client arguments
	rm -f "$TMP/srv.log"
	ip netns exec "$A" timeout 120 "$PERF" --server --lcore 0 --ip 10.231.0.1/24 \
		--port net_af_packet0,iface=rva >"$TMP/srv.log" 2>&1 &
	SRV=$!
	for _ in $(seq 100); do grep -q waiting "$TMP/srv.log" 2>/dev/null && break; sleep 0.1; done
	if ! ip netns exec "$B" timeout 110 "$PERF" --client 192.168.231.1 --lcore 1 \
		--ip 10.231.0.2/24 --port net_af_packet0,iface=rvb "$@" >"$TMP/cli.log" 2>&1; then
		grep -v '^EAL' "$TMP/cli.log" "$TMP/srv.log"
		fail "$*"
	fi
	wait "$SRV" || { cat "$TMP/srv.log"; fail "server exited with $?"; }
	SRV=
	grep -v '^EAL\|^#\|#bytes' "$TMP/cli.log" | sed "s/^/  $1: /"
}
for t in write_bw read_bw send_bw; do
	pair "$t" -s 70000 -n 200 -q 8 --verify 99
done
for t in write_lat send_lat read_lat atomic_lat; do
	pair "$t" -s 64 -n 500
done
echo "PASS: every test between two namespaces over af_packet/veth, data verified"
