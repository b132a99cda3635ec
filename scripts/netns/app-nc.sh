#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Unmodified nc (OpenBSD netcat: poll on stdin, stdout and the socket) through
# libursa-preload.so over ursad, against the kernel's nc over veth, byte-exact both ways:
#   ursa client (preload nc) -> kernel server        4 MiB of random bytes
#   kernel client           -> ursa server (preload nc -l)
#   kernel client           -> ursa epoll echo server (python selectors.EpollSelector)
#   ursa client (python, writes 4 MiB and exits at once) -> kernel server
# and then the app channel is back to its baseline (no application, socket or memory left).
T=app-nc N=60
. "$(dirname "$0")/app-common.sh"
command -v nc >/dev/null || lab_skip "nc is not installed"
nc -h 2>&1 | grep -q -- "-N" || lab_skip "nc is not OpenBSD netcat (needs -N)"

BYTES=${APP_NC_BYTES:-4194304}
head -c "$BYTES" /dev/urandom >"$LAB_TMP/a.bin"
head -c "$BYTES" /dev/urandom >"$LAB_TMP/b.bin"
start_app_ursad

# 1. ursa -> kernel
kexec timeout 60 nc -l "$KERN_IP" 5001 >"$LAB_TMP/a.out" 2>"$LAB_TMP/nck.log" &
KPID=$!
kwait_listen 5001
uexec timeout 60 nc -N "$KERN_IP" 5001 <"$LAB_TMP/a.bin" 2>"$LAB_TMP/ncu.log" ||
	lab_fail "preloaded nc client failed: $(cat "$LAB_TMP/ncu.log")"
wait "$KPID" || lab_fail "kernel nc server failed"
cmp "$LAB_TMP/a.bin" "$LAB_TMP/a.out" || lab_fail "the kernel received other bytes"
echo "ursa -> kernel: $BYTES bytes identical"

# 2. kernel -> ursa
uexec timeout 60 nc -l "$URSA_IP" 5002 >"$LAB_TMP/b.out" 2>"$LAB_TMP/ncu2.log" &
UPID2=$!
for _ in $(seq 1 50); do
	[ "$(chan socks)" -ge 1 ] && break
	sleep 0.2
done
kexec timeout 60 nc -N "$URSA_IP" 5002 <"$LAB_TMP/b.bin" || lab_fail "kernel nc client failed"
wait "$UPID2" || lab_fail "preloaded nc server failed: $(cat "$LAB_TMP/ncu2.log")"
cmp "$LAB_TMP/b.bin" "$LAB_TMP/b.out" || lab_fail "ursa received other bytes"
echo "kernel -> ursa: $BYTES bytes identical"

# 3. an epoll echo server over ursa (python selectors.EpollSelector), kernel nc clients
uexec timeout 60 python3 "$LAB_TOP/scripts/netns/app_epoll_echo.py" "$URSA_IP" 5003 2 \
	>"$LAB_TMP/echo.log" 2>&1 &
EPID=$!
for _ in $(seq 1 50); do
	[ "$(chan socks)" -ge 1 ] && break
	sleep 0.2
done
head -c 262144 "$LAB_TMP/a.bin" >"$LAB_TMP/e.bin"
for i in 1 2; do
	kexec timeout 30 nc -N "$URSA_IP" 5003 <"$LAB_TMP/e.bin" >"$LAB_TMP/e.out" ||
		lab_fail "kernel nc could not talk to the epoll echo server"
	cmp "$LAB_TMP/e.bin" "$LAB_TMP/e.out" || lab_fail "the epoll echo differs (round $i)"
done
wait "$EPID" || lab_fail "epoll echo server failed: $(cat "$LAB_TMP/echo.log")"
echo "epoll echo server over ursa: 2 x 256 KiB echoed identical"

# 4. a program that writes and exits at once: its queued bytes still reach the peer
kexec timeout 60 nc -l "$KERN_IP" 5004 >"$LAB_TMP/x.out" 2>/dev/null &
KPID=$!
kwait_listen 5004
uexec timeout 30 python3 -c 'import socket, sys
s = socket.create_connection((sys.argv[1], 5004))
s.sendall(open(sys.argv[2], "rb").read())' "$KERN_IP" "$LAB_TMP/a.bin" ||
	lab_fail "the writing python over ursa failed"
wait "$KPID" || lab_fail "kernel nc server (5004) failed"
cmp "$LAB_TMP/a.bin" "$LAB_TMP/x.out" || lab_fail "bytes queued at exit were lost"
echo "write and exit: $BYTES bytes queued at exit arrived identical"

chan_baseline
echo "app channel: attach $(chan attach), detach $(chan detach), tx $(chan tx_bytes) rx $(chan rx_bytes) bytes"
lab_stop "$UP" || lab_fail "ursad exited with status $?"
echo "PASS: nc through libursa-preload.so both ways, byte-exact"
