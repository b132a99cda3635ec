#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Two ursa processes over net_memif (one core each): ursa-perf server and client run every
# test with the data checked (--verify: seeded pattern, byte for byte), on a clean link and
# then with seeded faults on both transmit sides (5% loss, 5% reordering, 2% duplication,
# 0.1% corruption). No root needed: memif uses a socket file.
#   URSA_PERF=path/to/ursa-perf scripts/netns/roce-memif.sh
#   ROCE_BIG=1 ...   the big run: every size 2^1..2^23 (-a) and more iterations
set -euo pipefail
PERF=${URSA_PERF:?set URSA_PERF to the ursa-perf binary}
TMP=$(mktemp -d /tmp/roce-memif.XXXXXX)
SRV=
cleanup() { [ -n "$SRV" ] && kill "$SRV" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
OOB=$((20000 + $$ % 10000))
FAULT="drop=0.05,reorder=0.05,window=8,dup=0.02,corrupt=0.001"
if [ "${ROCE_BIG:-0}" = 1 ]; then SIZES=(-a); ITERS=200; else SIZES=(-s 5000); ITERS=30; fi

pair() { # name, then client arguments
	local name=$1 sock="$TMP/$1.sock"
	shift
	rm -f "$sock" "$TMP/srv.log"
	timeout 300 "$PERF" --server --lcore 0 --oob-port "$OOB" $FARGS \
		--port "net_memif0,role=server,socket=$sock,socket-abstract=no,mac=02:00:00:00:09:01" \
		>"$TMP/srv.log" 2>&1 &
	SRV=$!
	for _ in $(seq 100); do grep -q waiting "$TMP/srv.log" 2>/dev/null && break; sleep 0.1; done
	if ! timeout 280 "$PERF" --client 127.0.0.1 --lcore 1 --oob-port "$OOB" $FARGS \
		--port "net_memif0,role=client,socket=$sock,socket-abstract=no,mac=02:00:00:00:09:02" \
		"$@" >"$TMP/cli.log" 2>&1; then
		grep -v '^EAL\|mp action' "$TMP/cli.log" "$TMP/srv.log"
		fail "$name: $*"
	fi
	wait "$SRV" || { cat "$TMP/srv.log"; fail "$name: server exited with $?"; }
	SRV=
	grep -v '^EAL\|mp action\|^#\|#bytes' "$TMP/cli.log" | sed "s/^/  $name $FNAME: /"
}

for FNAME in clean faults; do
	FARGS=""
	# With faults, a 268 ms ACK timeout (x 8 tries) instead of the default 67 ms: a lost
	# READ response is recovered only by that timeout, and CI's sanitizer build on a
	# loaded machine once ran 8 tries out ("transport retry counter exceeded").
	[ $FNAME = faults ] && FARGS="--fault $FAULT --ack-timeout 16"
	for t in write_bw read_bw send_bw; do
		pair "$t" "$t" "${SIZES[@]}" -n "$ITERS" -q 16 --verify 4242
	done
	for t in write_lat send_lat read_lat; do
		pair "$t" "$t" -s 3000 -n "$ITERS"
	done
	pair atomic_lat atomic_lat -n "$ITERS"
done
# Every path MTU between the two processes (memif has no MTU of its own: frames up to
# 4096 + headers cross it), data verified.
FNAME=clean
for m in 256 512 2048 4096; do
	FARGS="-m $m" # the server sizes its port and buffers for this path MTU
	pair "write_bw_mtu$m" write_bw -s 20000 -n "$ITERS" -q 16 -m $m --verify 77
	pair "read_bw_mtu$m" read_bw -s 20000 -n "$ITERS" -q 16 -m $m --verify 78
done
echo "PASS: every test over memif, data verified, clean and with faults, every path MTU"
