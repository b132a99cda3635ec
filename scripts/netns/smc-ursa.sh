#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# SMC-R between two ursa processes in two network namespaces joined by a veth pair, each
# ursa-tcp on net_af_packet with softroce: IPPROTO_SMC sockets, the SMC option, CLC over
# TCP, then the data by RDMA WRITE + CDC over RoCEv2 on the veth. Checked: the connection did
# not fall back (smc_fallback=0x00000000 on both ends), the stream arrived byte for byte
# (source -> sink, and an echo), and the client's TCP sent only its two CLC messages.
# Then the same with different UEIDs: a fallback (0x03030008 at the server), bytes intact.
#   URSA_TCP=build/apps/tcpapps/ursa-tcp scripts/netns/smc-ursa.sh
# URSA_SMC_RMB=BYTES asks both ends for that receive buffer (default: stack/smc's 64 KiB).
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
URSA_TCP=${URSA_TCP:-$TOP/build/apps/tcpapps/ursa-tcp}
BYTES=${URSA_SMC_BYTES:-8388608}
RMB=()
[ -z "${URSA_SMC_RMB:-}" ] || RMB=(--smc-rmb "$URSA_SMC_RMB")
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root for network namespaces" >&2; exit 77; }
[ -x "$URSA_TCP" ] || { echo "SKIP: ursa-tcp is not built" >&2; exit 77; }
command -v ethtool >/dev/null || { echo "SKIP: ethtool is not installed" >&2; exit 77; }
A=smcu-$$-a B=smcu-$$-b
ip netns add "$A" 2>/dev/null || { echo "SKIP: cannot create a namespace" >&2; exit 77; }
TMP=$(mktemp -d /tmp/smc-ursa.XXXXXX)
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	ip netns del "$A" 2>/dev/null || true
	ip netns del "$B" 2>/dev/null || true
	[ -n "${KEEP_TMP:-}" ] || rm -rf "$TMP"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; sed 's/^/  /' "$TMP"/*.err >&2 2>/dev/null || true; exit 1; }
ip netns add "$B"
ip link add sua netns "$A" type veth peer name sub netns "$B"
for n in "$A" "$B"; do ip -n "$n" link set lo up; done
ip -n "$A" link set sua up
ip -n "$B" link set sub up
ip netns exec "$A" ethtool -K sua tx off rx off tso off gso off gro off >/dev/null 2>&1 || true
ip netns exec "$B" ethtool -K sub tx off rx off tso off gso off gro off >/dev/null 2>&1 || true
for n in "$A" "$B"; do ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1; done

# field NAME FILE: NAME= of ursa-tcp's summary line
field() { grep '^ursa-tcp: role=' "$2" | tail -1 | tr ' ' '\n' | sed -n "s/^$1=//p"; }

# run SERVER_UEID CLIENT_UEID SERVER_MODE CLIENT_MODE BYTES SEED
run() {
	ip netns exec "$A" timeout 100 "$URSA_TCP" --port net_af_packet0,iface=sua \
		--mac 02:54:00:00:30:01 --ip 10.254.30.1/24 --seed 1 --timeout 90 --smc --ueid "$1" \
		"${RMB[@]}" --listen 5201 --mode "$3" --bytes "$5" --stream-seed "$6" --stats \
		>"$TMP/srv.out" 2>"$TMP/srv.err" &
	local spid=$!
	PIDS+=("$spid")
	for _ in $(seq 100); do grep -q listening "$TMP/srv.out" 2>/dev/null && break; sleep 0.1; done
	ip netns exec "$B" timeout 100 "$URSA_TCP" --port net_af_packet0,iface=sub \
		--mac 02:54:00:00:30:02 --ip 10.254.30.2/24 --seed 2 --timeout 90 --smc --ueid "$2" \
		"${RMB[@]}" --connect 10.254.30.1:5201 --mode "$4" --bytes "$5" --stream-seed "$6" --stats \
		>"$TMP/cli.out" 2>"$TMP/cli.err" || fail "client ($4) failed"
	wait "$spid" || fail "server ($3) failed"
	grep '^ursa-tcp: role' "$TMP/srv.out" "$TMP/cli.out" | sed 's/^/  /'
}

# 1. SMC-R: client source -> server sink, recorded on both ends of the veth when tcpdump and
# tshark are there (each end sees only what the other sent: af_packet's own frames do not
# loop back): tshark must decode the CLC and the link's messages with nothing malformed.
CAP=
if command -v tcpdump >/dev/null && command -v tshark >/dev/null && command -v mergecap >/dev/null
then
	CAP=$TMP/smc.pcap
	ip netns exec "$A" tcpdump -i sua -U -s 256 -w "$TMP/a.pcap" >/dev/null 2>&1 &
	PIDS+=("$!")
	ip netns exec "$B" tcpdump -i sub -U -s 256 -w "$TMP/b.pcap" >/dev/null 2>&1 &
	PIDS+=("$!")
	for _ in $(seq 50); do [ -s "$TMP/a.pcap" ] && [ -s "$TMP/b.pcap" ] && break; sleep 0.1; done
fi
run URSA-LAB URSA-LAB sink source "$BYTES" 31
if [ -n "$CAP" ]; then
	sleep 0.5
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	sleep 0.2
	mergecap -w "$CAP" "$TMP/a.pcap" "$TMP/b.pcap"
	ts() { tshark -r "$CAP" --disable-heuristic rpcrdma_infiniband \
		--disable-heuristic eth_over_ib "$@" 2>/dev/null || true; }
	clc=$(ts -Y smc.clc_msg -T fields -e smc.clc_msg | sort | uniq -c | tr -s ' ' | tr '\n' ';')
	cdcs=$(ts -Y 'smc.rmbe.ctrl.seqno' | wc -l)
	bad=$(ts -Y '_ws.malformed || _ws.expert.severity == error' | wc -l)
	echo "tshark: CLC (count type) $clc CDC $cdcs, malformed or errors: $bad"
	[ "$bad" -eq 0 ] || { ts -Y '_ws.malformed || _ws.expert.severity == error' | head -5;
		fail "tshark finds $bad malformed packets in ursa's SMC traffic"; }
	for t in 1 2 3; do echo "$clc" | grep -q " $t;" || fail "tshark saw no CLC message of type $t"; done
	[ "$cdcs" -gt 0 ] || fail "tshark saw no CDC message"
fi
[ "$(field smc_fallback "$TMP/srv.out")" = 0x00000000 ] || fail "the server fell back"
[ "$(field smc_fallback "$TMP/cli.out")" = 0x00000000 ] || fail "the client fell back"
[ "$(field verify "$TMP/srv.out")" = ok ] || fail "the server received a different stream"
[ "$(field bytes "$TMP/srv.out")" = "$BYTES" ] || fail "the server received a short stream"
segs=$(sed -n 's/^ursa-tcp: stat tcp.tx_data_segs //p' "$TMP/cli.err" | head -1)
cdc=$(sed -n 's/^ursa-tcp: stat smc.cdc_rx //p' "$TMP/srv.err" | head -1)
echo "SMC-R source -> sink: $BYTES bytes verified, CDC received ${cdc:-0}," \
	"client TCP data segments ${segs:-0} (Proposal, Confirm)"
[ -n "$cdc" ] && [ "$cdc" -gt 0 ] || fail "no CDC message arrived: the data did not move by SMC"
[ "${segs:-0}" -le 2 ] || fail "the client sent $segs TCP data segments: data went by TCP"

# 2. SMC-R echo
run URSA-LAB URSA-LAB echo echo $((BYTES / 8)) 32
[ "$(field smc_fallback "$TMP/cli.out")" = 0x00000000 ] || fail "the echo client fell back"
[ "$(field verify "$TMP/cli.out")" = ok ] || fail "the echo differs"
echo "SMC-R echo: $((BYTES / 8)) bytes verified"

# 3. different UEIDs: fallback, bytes intact
run URSA-LAB OTHER-EID sink source "$BYTES" 33
[ "$(field smc_fallback "$TMP/srv.out")" = 0x03030008 ] || fail "server reason $(field smc_fallback "$TMP/srv.out")"
[ "$(field smc_fallback "$TMP/cli.out")" = 0x05000000 ] || fail "client reason $(field smc_fallback "$TMP/cli.out")"
[ "$(field verify "$TMP/srv.out")" = ok ] || fail "the fallback stream differs"
echo "UEID mismatch: fell back (0x03030008 / 0x05000000), $BYTES bytes verified"
echo "PASS: SMC-R between two ursa processes over veth, and its fallback"
