#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Wireshark decodes everything ursa's soft RoCE sends: ursa-perf runs every test in loopback
# (two stacks in one process) at several path MTUs and message sizes and records every frame
# both stacks send (libpcap); tshark must find no malformed packet and must decode every
# UDP 4791 frame as InfiniBand (RRoCE), with every opcode family present.
# Besides rpcrdma_infiniband, the eth_over_ib heuristic is off too: it reads the first two
# payload bytes of any RDMA WRITE/SEND as an EtherType, so application data such as 08 00
# shows up as a "malformed IPv4 packet" inside a perfectly valid RoCE frame.
#   URSA_PERF=path/to/ursa-perf scripts/netns/roce-tshark.sh
set -euo pipefail
PERF=${URSA_PERF:?set URSA_PERF to the ursa-perf binary}
command -v tshark >/dev/null || { echo "SKIP: tshark is not installed"; exit 77; }
TMP=$(mktemp -d /tmp/roce-tshark.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
ts() {
	tshark -r "$1" --disable-heuristic rpcrdma_infiniband --disable-heuristic eth_over_ib \
		"${@:2}" 2>/dev/null
}

n=0
for t in write_bw read_bw send_bw write_lat read_lat send_lat atomic_lat; do
	for run in "256 1" "256 70000" "1024 3000" "4096 9000"; do
		set -- $run
		[ "$t" = atomic_lat ] && [ "$2" != 1 ] && continue
		n=$((n + 1))
		timeout 60 "$PERF" --loopback "$t" -n 6 -q 4 -m "$1" -s "$2" \
			--pcap "$TMP/$n.pcap" >"$TMP/out" 2>&1 || { cat "$TMP/out"; fail "$t $run"; }
	done
done
mergecap -a -w "$TMP/all.pcap" "$TMP"/[0-9]*.pcap
bad=$(ts "$TMP/all.pcap" -Y _ws.malformed | wc -l)
roce=$(ts "$TMP/all.pcap" -Y 'udp.dstport == 4791' | wc -l)
ib=$(ts "$TMP/all.pcap" -Y infiniband | wc -l)
[ "$bad" -eq 0 ] || { ts "$TMP/all.pcap" -Y _ws.malformed | head; fail "$bad malformed frames"; }
[ "$roce" -gt 0 ] && [ "$roce" -eq "$ib" ] ||
	fail "$roce frames to UDP 4791, $ib decoded as InfiniBand"
total=$roce
# every opcode family ursa-perf makes was seen and decoded (CMP_SWAP is not among them)
ops=$(ts "$TMP/all.pcap" -T fields -e infiniband.bth.opcode | grep . | sort -u | tr '\n' ' ')
echo "opcodes seen: $ops"
for want in 0 1 2 4 6 7 8 10 12 13 14 15 16 17 18 20; do
	echo " $ops " | grep -q " $want " || fail "opcode $want never seen"
done
echo "PASS: $total RoCE frames, 0 malformed, all decoded as InfiniBand"
