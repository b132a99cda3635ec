#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# TCP interop between ursa (ursa-tcp on af_packet, with fault injection drop 5%, reorder 5%,
# duplicate 1% in both directions) and the Linux kernel over veth, both directions and an
# echo, each transfer verified byte for byte against a seeded stream:
#   kernel client (socat)  -> ursa server (sink)        kernel sends the stream
#   ursa client (source)   -> kernel server (socat)     kernel checks what it received
#   ursa client (echo)     -> kernel echo server (tcp_echo_server.py)
# URSA_INTEROP_BYTES sets the size per direction (8 MiB by default; 1 GiB for the full run).
# TC_FAMILY=6 runs it over IPv6 (tcp-interop6.sh).
FAM=${TC_FAMILY:-4}
T=tcp-interop$FAM N=$((10 + FAM))
. "$(dirname "$0")/tcp-common.sh"

if [ "$FAM" = 6 ]; then
	UADDR="[$UI6]" KADDR="[$KI6]" SOCAT_L=TCP6-LISTEN SOCAT_C=TCP6
else
	UADDR=$UI KADDR=$KI SOCAT_L=TCP4-LISTEN SOCAT_C=TCP4
fi
echo "IPv$FAM, $BYTES bytes per direction, faults $FAULT"

# 1. kernel -> ursa
ursa --listen 5001 --mode sink --bytes "$BYTES" --stream-seed 11 --fault "$FAULT"
ursa_wait_listen
t0=$(date +%s.%N)
kexec timeout "$TIMEOUT" sh -c "'$URSA_TCP' gen --bytes $BYTES --stream-seed 11 |
	socat -u - $SOCAT_C:$UADDR:5001" || tc_fail "kernel client: socat failed"
ursa_result || tc_fail "ursa server (sink) failed"
[ "$(field verify "$TC_TMP/ursa.out")" = ok ] || tc_fail "ursa received a different stream"
[ "$(field bytes "$TC_TMP/ursa.out")" = "$BYTES" ] || tc_fail "ursa received a short stream"
echo "kernel -> ursa: $BYTES bytes verified ($(echo "$(date +%s.%N) - $t0" | bc) s)"

# 2. ursa -> kernel
kexec timeout "$TIMEOUT" sh -c "socat -u $SOCAT_L:5002,reuseaddr - | '$URSA_TCP' check --bytes $BYTES \
	--stream-seed 12" >"$TC_TMP/check.out" 2>&1 &
CPID=$!
TC_PIDS+=("$CPID")
for _ in $(seq 1 50); do
	kexec ss -Hltn "sport = :5002" | grep -q . && break
	sleep 0.1
done
t0=$(date +%s.%N)
ursa --connect "$KADDR:5002" --mode source --bytes "$BYTES" --stream-seed 12 --fault "$FAULT"
ursa_result || tc_fail "ursa client (source) failed"
wait "$CPID" || { cat "$TC_TMP/check.out" >&2; tc_fail "the kernel received a wrong stream"; }
cat "$TC_TMP/check.out" >&2
sent=$(field crc32 "$TC_TMP/ursa.out")
got=$(field crc32 "$TC_TMP/check.out")
[ "$sent" = "$got" ] || tc_fail "CRC-32 sent $sent, received $got"
echo "ursa -> kernel: $BYTES bytes verified, crc32 $got ($(echo "$(date +%s.%N) - $t0" | bc) s)"

# 3. ursa client echo against the kernel's echo server
EBYTES=$((BYTES / 8))
kexec timeout "$TIMEOUT" python3 "$TC_TOP/scripts/netns/tcp_echo_server.py" "$FAM" 5003 \
	>/dev/null 2>&1 &
TC_PIDS+=("$!")
for _ in $(seq 1 50); do
	kexec ss -Hltn "sport = :5003" | grep -q . && break
	sleep 0.1
done
ursa --connect "$KADDR:5003" --mode echo --bytes "$EBYTES" --stream-seed 13 --fault "$FAULT"
ursa_result || tc_fail "ursa echo client failed"
[ "$(field verify "$TC_TMP/ursa.out")" = ok ] || tc_fail "the echo differs"
echo "ursa echo via kernel: $EBYTES bytes verified"
echo "PASS: IPv$FAM interop both ways with faults"
