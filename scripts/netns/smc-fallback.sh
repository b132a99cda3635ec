#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# IPPROTO_SMC sockets of ursa against Linux TCP peers over veth: the peer neither offers nor
# echoes the SMC option, so every connection falls back to TCP on the same connection with
# Linux's reason 0x03010000 (peer not SMC-capable) and no CLC byte on the wire; each transfer
# is verified byte for byte against a seeded stream:
#   kernel client (socat)  -> ursa SMC listener (sink)
#   ursa SMC client (source) -> kernel server (socat)
#   ursa SMC client (echo)   -> kernel echo server (tcp_echo_server.py)
# URSA_INTEROP_BYTES sets the size per direction (8 MiB by default).
T=smc-fallback N=29
. "$(dirname "$0")/tcp-common.sh"
BYTES=${URSA_INTEROP_BYTES:-8388608}
PEERNOSMC=0x03010000

# 1. kernel -> ursa (SMC listener)
ursa --smc --listen 5101 --mode sink --bytes "$BYTES" --stream-seed 21
ursa_wait_listen
kexec timeout "$TIMEOUT" sh -c "'$URSA_TCP' gen --bytes $BYTES --stream-seed 21 |
	socat -u - TCP4:$UI:5101" || tc_fail "kernel client: socat failed"
ursa_result || tc_fail "ursa SMC server (sink) failed"
[ "$(field verify "$TC_TMP/ursa.out")" = ok ] || tc_fail "ursa received a different stream"
[ "$(field bytes "$TC_TMP/ursa.out")" = "$BYTES" ] || tc_fail "ursa received a short stream"
[ "$(field smc_fallback "$TC_TMP/ursa.out")" = $PEERNOSMC ] ||
	tc_fail "ursa server: fallback reason $(field smc_fallback "$TC_TMP/ursa.out")"
echo "kernel -> ursa SMC listener: $BYTES bytes verified, fell back ($PEERNOSMC)"

# 2. ursa (SMC client) -> kernel
kexec timeout "$TIMEOUT" sh -c "socat -u TCP4-LISTEN:5102,reuseaddr - | '$URSA_TCP' check \
	--bytes $BYTES --stream-seed 22" >"$TC_TMP/check.out" 2>&1 &
CPID=$!
TC_PIDS+=("$CPID")
for _ in $(seq 1 50); do
	kexec ss -Hltn "sport = :5102" | grep -q . && break
	sleep 0.1
done
ursa --smc --connect "$KI:5102" --mode source --bytes "$BYTES" --stream-seed 22
ursa_result || tc_fail "ursa SMC client (source) failed"
wait "$CPID" || { cat "$TC_TMP/check.out" >&2; tc_fail "the kernel received a wrong stream"; }
sent=$(field crc32 "$TC_TMP/ursa.out")
got=$(field crc32 "$TC_TMP/check.out")
[ "$sent" = "$got" ] || tc_fail "CRC-32 sent $sent, received $got"
[ "$(field smc_fallback "$TC_TMP/ursa.out")" = $PEERNOSMC ] ||
	tc_fail "ursa client: fallback reason $(field smc_fallback "$TC_TMP/ursa.out")"
echo "ursa SMC client -> kernel: $BYTES bytes verified, crc32 $got, fell back ($PEERNOSMC)"

# 3. ursa SMC client echo against the kernel's echo server
EBYTES=$((BYTES / 8))
kexec timeout "$TIMEOUT" python3 "$TC_TOP/scripts/netns/tcp_echo_server.py" 4 5103 \
	>/dev/null 2>&1 &
TC_PIDS+=("$!")
for _ in $(seq 1 50); do
	kexec ss -Hltn "sport = :5103" | grep -q . && break
	sleep 0.1
done
ursa --smc --connect "$KI:5103" --mode echo --bytes "$EBYTES" --stream-seed 23
ursa_result || tc_fail "ursa SMC echo client failed"
[ "$(field verify "$TC_TMP/ursa.out")" = ok ] || tc_fail "the echo differs"
echo "ursa SMC echo via kernel: $EBYTES bytes verified"
echo "PASS: IPPROTO_SMC falls back to TCP against Linux, byte-exact both ways"
