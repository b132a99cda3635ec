#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The lab suite: ursa against the Linux kernel's soft-RoCE (rdma_rxe) in a qemu VM booted from
# Debian's kernel (scripts/lab-vm), with rdma-core's unmodified tools as ursa-perf's peers.
# One VM serves every case (booting takes half a minute or more under TCG); each case is
# reported on its own line, and the capture of the whole run (taken on the bridge port, so both
# directions) must decode with 0 malformed frames and every RoCEv2 frame's ICRC must verify.
#
# Cases (path MTU 1024, 4096-byte messages: four packets each):
#   ibv_rc_pingpong   ursa-perf --peer rc_pingpong, as client and as server
#   ib_write_bw       ursa-perf --peer perftest write_bw, as client and as server
#   ib_read_bw        ursa-perf --peer perftest read_bw, as client and as server
#   ib_send_bw        ursa-perf --peer perftest send_bw, as client and as server
# Data: in the ping-pong ursa-perf checks every message that comes back (see
# apps/perf/ursa_perf_peer.h); perftest does not check data, so neither side does there.
#
#   URSA_PERF=path/to/ursa-perf tests/lab/rxe-peers.sh     (root; 77 where the lab cannot boot)
#   URSA_LAB_KERNEL=6.12 for the backports kernel; URSA_LAB_CACHE for the VM cache.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
PERF=${URSA_PERF:?set URSA_PERF to the ursa-perf binary}
. "$TOP/scripts/lab"
. "$TOP/scripts/lab-vm"

lab_init lab-rxe
labvm_need
command -v tcpdump >/dev/null || lab_skip "tcpdump is not installed"
command -v tshark >/dev/null || lab_skip "tshark is not installed"
T0=$(date +%s)
if ! labvm_build "${URSA_LAB_KERNEL:-6.1}"; then
	lab_skip "the lab VM cannot be built here (Debian's archive unreachable?)"
fi
T1=$(date +%s)

URSA_IP=10.252.$LABVM_SUBNET.1
KERN_IP=10.252.$LABVM_SUBNET.3 # the namespace's kernel, for the out-of-band TCP
ITERS=${URSA_LAB_ITERS:-100}
SIZE=4096
lab_ns_add vm
NS=$LAB_NS
labvm_net "$NS"
lab_addr "$NS" lvbr "$KERN_IP/24"
# lvu belongs to ursa: the kernel answers no ARP there
ip netns exec "$NS" sysctl -qw net.ipv4.conf.lvu.arp_ignore=8
ip netns exec "$NS" timeout 1200 tcpdump -i lvb -U -s 0 -w "$LAB_TMP/lab.pcap" \
	>"$LAB_TMP/tcpdump.log" 2>&1 &
TCPDUMP=$!
LAB_PIDS+=("$TCPDUMP")
labvm_start "$NS"
T2=$(date +%s)
echo "lab: VM $(cat "$LABVM_DIR/kernel-release") up; build/cache $((T1 - T0)) s, boot $((T2 - T1)) s"

# The VM's GID index of its IPv4 address (RoCE v2 type).
# shellcheck disable=SC2016 # expanded in the VM
GIDX=$(labvm_exec 30 'd=/sys/class/infiniband/rxe0/ports/1
for g in $d/gids/*; do i=${g##*/}
  case "$(cat $g)" in *ffff:0afc:*) [ "$(cat $d/gid_attrs/types/$i)" = "RoCE v2" ] &&
    { echo $i; exit 0; } ;; esac; done; exit 1') || lab_fail "no RoCE v2 IPv4 GID on rxe0"
echo "lab: rxe0 GID index $GIDX"

perf() { # ursa-perf in the namespace on ursa's port, with a bound
	ip netns exec "$NS" timeout 180 "$PERF" --lcore 0 --port net_af_packet0,iface=lvu \
		--ip "$URSA_IP/24" --mtu 1024 -s "$SIZE" -n "$ITERS" "$@"
}

FAILS=0
CASES=0
result() { # CASE RC LOG...
	local name=$1 rc=$2
	shift 2
	CASES=$((CASES + 1))
	if [ "$rc" -eq 0 ]; then
		echo "PASS: $name"
	else
		FAILS=$((FAILS + 1))
		echo "FAIL: $name (exit $rc)"
		tail -n 15 "$@" | grep -v '^EAL' >&2 || true
	fi
}

# listening JOB: wait (60 s at most) until the tool in the VM listens on 18515, unless it ended.
listening() {
	local end=$(($(date +%s) + 60))
	while [ "$(date +%s)" -lt "$end" ] && [ ! -e "$LABVM_SHARE/jobs/$1.rc" ]; do
		labvm_exec 10 'ss -ltn | grep -q ":18515 "' && return 0
		sleep 0.5
	done
	return 1
}

# URSA_LAB_CASES: a regular expression; only the cases whose names match run.
want() { [[ $1 =~ ${URSA_LAB_CASES:-.} ]]; }

# ursa_client NAME 'tool command in the VM (server)' ursa-perf args: the tool listens first.
ursa_client() {
	local name=$1 tool=$2 n=$CASES rc=0
	shift 2
	want "$name" || return 0
	labvm_job "s$n" "$tool"
	listening "s$n" || lab_fail "$name: the tool does not listen: $(cat "$LABVM_SHARE/jobs/s$n.out")"
	perf --client "$LABVM_IP" "$@" >"$LAB_TMP/u$n.log" 2>&1 || rc=$?
	labvm_wait "s$n" 120 >"$LAB_TMP/k$n.log" || rc=1
	check "$n" || rc=1
	result "$name" "$rc" "$LAB_TMP/u$n.log" "$LAB_TMP/k$n.log"
}

# ursa_server NAME 'tool command in the VM (client)' ursa-perf args.
ursa_server() {
	local name=$1 tool=$2 n=$CASES rc=0 srv
	shift 2
	want "$name" || return 0
	perf --server "$@" >"$LAB_TMP/u$n.log" 2>&1 &
	srv=$!
	LAB_PIDS+=("$srv")
	lab_wait 30 grep -q waiting "$LAB_TMP/u$n.log" || lab_fail "$name: ursa-perf did not start"
	labvm_job "c$n" "$tool $KERN_IP"
	labvm_wait "c$n" 150 >"$LAB_TMP/k$n.log" || rc=$?
	wait "$srv" || rc=1
	check "$n" || rc=1
	result "$name" "$rc" "$LAB_TMP/u$n.log" "$LAB_TMP/k$n.log"
}

# What each tool prints when it has done its part, and ursa-perf's own check.
check() {
	local u=$LAB_TMP/u$1.log k=$LAB_TMP/k$1.log
	case $CHECK in
	pingpong)
		grep -h "iters in" "$u" "$k" | sed 's/^/    /'
		grep -q "^$ITERS iters in" "$k" &&
			grep -q "^# sent $ITERS received $ITERS, 0 failed" "$u"
		;;
	perftest)
		grep -h -A1 "#bytes" "$u" "$k" | grep -v "#bytes\|^--" | sed 's/^/    /'
		grep -q "^ $SIZE  *$ITERS " "$k"
		;;
	esac
}

PP="ibv_rc_pingpong -d rxe0 -g $GIDX -s $SIZE -n $ITERS"
CHECK=pingpong
ursa_client "rc_pingpong ursa client -> kernel rxe server" "$PP" --peer rc_pingpong
ursa_server "rc_pingpong kernel rxe client -> ursa server" "$PP" --peer rc_pingpong
CHECK=perftest
for t in write_bw read_bw send_bw; do
	PT="ib_$t -d rxe0 -x $GIDX -F -s $SIZE -n $ITERS"
	ursa_client "ib_$t ursa client -> kernel rxe server" "$PT" --peer perftest "$t" -q 16
	ursa_server "ib_$t kernel rxe client -> ursa server" "$PT" --peer perftest "$t"
done

# The capture: Wireshark decodes it all, every ICRC verifies.
sleep 1
kill -INT "$TCPDUMP" 2>/dev/null || true
labvm_stop
sleep 1
ts() { tshark -r "$LAB_TMP/lab.pcap" --disable-heuristic rpcrdma_infiniband "$@" 2>/dev/null; }
bad=$(ts -Y _ws.malformed | wc -l)
roce=$(ts -Y 'udp.dstport == 4791' | wc -l)
ib=$(ts -Y infiniband | wc -l)
icrc_rc=0
icrc=$(python3 "$TOP/tests/lab/icrc_check.py" "$LAB_TMP/lab.pcap") || icrc_rc=1
echo "lab: capture $roce RoCE frames, $ib decoded as InfiniBand, $bad malformed; ICRC $icrc"
if [ "$bad" -ne 0 ] || [ "$roce" -eq 0 ] || [ "$roce" -ne "$ib" ] || [ "$icrc_rc" -ne 0 ]; then
	FAILS=$((FAILS + 1))
	echo "FAIL: capture check"
fi
echo "lab: total $(($(date +%s) - T0)) s"
[ "$FAILS" -eq 0 ] || lab_fail "$FAILS case(s) failed"
echo "PASS: all $CASES cases against kernel rxe"
