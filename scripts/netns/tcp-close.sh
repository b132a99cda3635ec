#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# How connections between ursa and the Linux kernel end, checked on the kernel side:
#   1. ursa closes cleanly (FIN): the kernel reads every byte, then end of stream, and no
#      connection is left in the kernel (it closed passively through LAST-ACK).
#   2. ursa aborts (SO_LINGER 0, RST): the kernel's recv fails with ECONNRESET.
#   3. the kernel closes cleanly: ursa sees end of stream, and the kernel's socket is in
#      TIME-WAIT (its FIN was acknowledged and ursa's FIN came back).
#   4. the kernel aborts: ursa reports the reset.
# The kernel-to-ursa transfers stay within the first receive window: bulk transfers are
# tcp-interop*.sh's subject.
T=tcp-close N=21
TIMEOUT=60
. "$(dirname "$0")/tcp-common.sh"

# A kernel server: accept one connection, read to the end; exit 0 after EOF with the byte
# count on stdout, 3 on a reset.
KSERVER='
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", int(sys.argv[1]))); s.listen(1); s.settimeout(30)
c, _ = s.accept(); c.settimeout(30); n = 0
try:
    while True:
        d = c.recv(65536)
        if not d: break
        n += len(d)
except ConnectionResetError:
    print("reset after", n); sys.exit(3)
print(n); c.close()
'
# A kernel client: send N bytes, then close with FIN ("fin") or RST ("rst").
KCLIENT='
import socket, struct, sys, time
c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=30)
c.sendall(b"x" * int(sys.argv[3]))
time.sleep(0.3)
if sys.argv[4] == "rst":
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
c.close()
'
waitlisten() {
	for _ in $(seq 1 50); do
		kexec ss -Hltn "sport = :$1" | grep -q . && return 0
		sleep 0.1
	done
	tc_fail "the kernel is not listening on $1"
}

# 1. ursa FIN
kexec timeout 60 python3 -c "$KSERVER" 5004 >"$TC_TMP/k1" 2>&1 &
KP=$!
waitlisten 5004
ursa --connect "$KI:5004" --mode source --bytes 1000000 --close fin
ursa_result || tc_fail "ursa source (fin) failed"
wait "$KP" || tc_fail "kernel server: status $? ($(cat "$TC_TMP/k1"))"
[ "$(cat "$TC_TMP/k1")" = 1000000 ] || tc_fail "kernel received $(cat "$TC_TMP/k1") bytes"
sleep 0.5
left=$(kexec ss -Htan "( sport = :5004 )" | grep -v TIME-WAIT || true)
[ -z "$left" ] || tc_fail "connection left in the kernel after ursa's FIN: $left"
echo "1. ursa FIN: kernel read 1000000 bytes and end of stream; nothing left in the kernel"

# 2. ursa RST
kexec timeout 60 python3 -c "$KSERVER" 5005 >"$TC_TMP/k2" 2>&1 &
KP=$!
waitlisten 5005
ursa --connect "$KI:5005" --mode source --bytes 100000 --close rst
ursa_result || tc_fail "ursa source (rst) failed"
rc=0
wait "$KP" || rc=$?
[ "$rc" = 3 ] || tc_fail "kernel server did not see a reset (status $rc: $(cat "$TC_TMP/k2"))"
echo "2. ursa RST: kernel recv failed with ECONNRESET ($(cat "$TC_TMP/k2"))"

# 3. kernel FIN
ursa --listen 5006 --mode discard
ursa_wait_listen
kexec timeout 60 python3 -c "$KCLIENT" "$UI" 5006 20000 fin || tc_fail "kernel client (fin) failed"
ursa_result || tc_fail "ursa server did not end cleanly after the kernel's FIN"
[ "$(field bytes "$TC_TMP/ursa.out")" = 20000 ] || tc_fail "ursa received a short stream"
kexec ss -Htan state time-wait "( dport = :5006 )" | grep -q . ||
	tc_fail "the kernel's socket is not in TIME-WAIT: $(kexec ss -Htan "( dport = :5006 )")"
echo "3. kernel FIN: ursa read 20000 bytes and end of stream; kernel socket in TIME-WAIT"

# 4. kernel RST
ursa --listen 5007 --mode discard
ursa_wait_listen
kexec timeout 60 python3 -c "$KCLIENT" "$UI" 5007 20000 rst || tc_fail "kernel client (rst) failed"
rc=0
ursa_result || rc=$?
[ "$rc" = 1 ] && [ "$(field error "$TC_TMP/ursa.out")" = reset ] ||
	tc_fail "ursa did not report the kernel's reset (status $rc)"
echo "4. kernel RST: ursa reported the reset"
echo "PASS: clean and abortive close both ways"
