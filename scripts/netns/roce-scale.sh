#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# ursa-perf scale (the scaling benchmark's RDMA load) between two namespaces over af_packet
# on a veth pair, briefly and for correctness, not speed: 8 RC QPs each make 2000 64-byte
# RDMA WRITEs, every completion must succeed and the server finds each QP's pattern in its
# region. The client runs on 1 and on 2 shards (qpairs=2, the kernel's fanout spreads frames
# over the queues): with 2, each shard drives its own 4 QPs, and the ACKs that land on the
# other shard's queue are handed to the owner by destination QPN (dispatch counters).
# Then the same over net_memif with both processes on 2 shards: the port gets 2 queue pairs
# on each side (memif peers must agree on the count), and every QP's region is checked.
#   URSA_PERF=path/to/ursa-perf scripts/netns/roce-scale.sh
T=roce-scale N=43
set -euo pipefail
. "$(dirname "$0")/../lab"
lab_init "$T"
lab_need_root
PERF=${URSA_PERF:?set URSA_PERF to the ursa-perf binary}
[ "$(nproc)" -ge 2 ] || lab_skip "two shards need two CPUs"
ITERS=${URSA_SCALE_ITERS:-2000}

lab_ns_add a; A=$LAB_NS
lab_ns_add b; B=$LAB_NS
lab_veth "$A" rsa "$B" rsb
lab_addr "$A" rsa 192.168.$N.1/24
lab_addr "$B" rsb 192.168.$N.2/24

field() { grep "^ursa-perf: scale $2" "$1" | tr ' ' '\n' | sed -n "s/^$3=//p"; }

for lcores in ${URSA_SCALE_LCORES:-1 2}; do
	ip netns exec "$A" timeout 120 "$PERF" scale --server --addr 10.$N.0.1/24 \
		--port net_af_packet0,iface=rsa >"$LAB_TMP/srv.log" 2>&1 &
	SRV=$!
	LAB_PIDS+=("$SRV")
	for _ in $(seq 100); do grep -q waiting "$LAB_TMP/srv.log" && break; sleep 0.1; done
	ip netns exec "$B" timeout 110 "$PERF" scale --client 192.168.$N.1 --lcores "$lcores" \
		--qps 8 --iters "$ITERS" --addr 10.$N.0.2/24 --port net_af_packet0,iface=rsb \
		>"$LAB_TMP/cli.$lcores" 2>&1 ||
		{ grep -v '^EAL' "$LAB_TMP/cli.$lcores" "$LAB_TMP/srv.log" >&2; lab_fail "client, $lcores shard(s)"; }
	wait "$SRV" || { cat "$LAB_TMP/srv.log" >&2; lab_fail "server, $lcores shard(s)"; }
	grep -h "^ursa-perf: scale" "$LAB_TMP/cli.$lcores" "$LAB_TMP/srv.log"
	[ "$(field "$LAB_TMP/cli.$lcores" role=client verify)" = ok ] || lab_fail "data differs"
	[ "$(field "$LAB_TMP/cli.$lcores" role=client writes)" = $((8 * ITERS)) ] ||
		lab_fail "not every WRITE completed ($lcores shards)"
	[ "$(field "$LAB_TMP/srv.log" role=server bad)" = 0 ] || lab_fail "server found bad regions"
	for s in $(seq 0 $((lcores - 1))); do
		[ "$(field "$LAB_TMP/cli.$lcores" "shard=$s " writes)" = $((8 / lcores * ITERS)) ] ||
			lab_fail "shard $s of $lcores did not make its WRITEs"
	done
done
in=$(( $(field "$LAB_TMP/cli.2" "shard=0 " dispatch_in) + $(field "$LAB_TMP/cli.2" "shard=1 " dispatch_in) ))
echo "2 shards: $in frames handed to the QP's owner"
[ "$in" -gt 0 ] || lab_fail "no ACK landed on the other queue: is the fanout on?"

# memif, 2 queue pairs a side: server and client each on 2 shards, control over loopback.
sock=$LAB_TMP/memif.sock
timeout 120 "$PERF" scale --server --lcores 2 --addr 10.$N.1.1/24 --oob-port 18517 \
	--port "net_memif0,role=server,socket=$sock,socket-abstract=no,mac=02:00:00:00:$N:01" \
	>"$LAB_TMP/msrv.log" 2>&1 &
SRV=$!
LAB_PIDS+=("$SRV")
for _ in $(seq 100); do grep -q waiting "$LAB_TMP/msrv.log" && break; sleep 0.1; done
timeout 110 "$PERF" scale --client 127.0.0.1 --lcores 2 --qps 8 --iters "$ITERS" \
	--addr 10.$N.1.2/24 --oob-port 18517 \
	--port "net_memif0,role=client,socket=$sock,socket-abstract=no,mac=02:00:00:00:$N:02" \
	>"$LAB_TMP/mcli.log" 2>&1 ||
	{ grep -v '^EAL' "$LAB_TMP/mcli.log" "$LAB_TMP/msrv.log" >&2; lab_fail "memif client, 2 shards"; }
wait "$SRV" || { cat "$LAB_TMP/msrv.log" >&2; lab_fail "memif server, 2 shards"; }
grep -h "^ursa-perf: scale" "$LAB_TMP/mcli.log" "$LAB_TMP/msrv.log"
[ "$(field "$LAB_TMP/mcli.log" role=client verify)" = ok ] || lab_fail "memif: data differs"
[ "$(field "$LAB_TMP/mcli.log" role=client writes)" = $((8 * ITERS)) ] ||
	lab_fail "memif: not every WRITE completed"
[ "$(field "$LAB_TMP/msrv.log" role=server bad)" = 0 ] || lab_fail "memif: server found bad regions"
for s in 0 1; do
	[ "$(field "$LAB_TMP/mcli.log" "shard=$s " writes)" = $((4 * ITERS)) ] ||
		lab_fail "memif: shard $s did not make its WRITEs"
done
echo "PASS: 8 QPs x $ITERS WRITEs verified, client on 1 and 2 shards (af_packet), 2 shards a side (memif)"
