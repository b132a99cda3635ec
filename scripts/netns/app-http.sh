#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Unmodified python3 -m http.server through libursa-preload.so over ursad, fetched by the
# kernel's curl, and an unmodified curl through the library fetching from a kernel
# http.server: each file (1 MiB of random bytes, and a small one) byte-exact, then the app
# channel is back to its baseline.
T=app-http N=61
. "$(dirname "$0")/app-common.sh"
command -v curl >/dev/null || lab_skip "curl is not installed"

mkdir -p "$LAB_TMP/www"
head -c 1048576 /dev/urandom >"$LAB_TMP/www/big.bin"
echo "hello from ursa" >"$LAB_TMP/www/small.txt"
start_app_ursad

# 1. http.server over ursa, curl in the kernel
# exec'd, so that $! is timeout itself and the SIGTERM below reaches the server
(exec ip netns exec "$U" env LD_PRELOAD="$PRELOAD" URSA_APP_SOCKET="$APP_SOCK" \
	timeout 60 python3 -m http.server --bind "$URSA_IP" --directory "$LAB_TMP/www" 8080) \
	>"$LAB_TMP/httpu.log" 2>&1 &
HPID=$!
LAB_PIDS+=("$HPID")
for _ in $(seq 1 50); do
	[ "$(chan socks)" -ge 1 ] && break
	sleep 0.2
done
for f in small.txt big.bin big.bin; do
	kexec curl -sf --max-time 30 -o "$LAB_TMP/got" "http://$URSA_IP:8080/$f" ||
		lab_fail "kernel curl could not fetch $f from http.server over ursa"
	cmp "$LAB_TMP/www/$f" "$LAB_TMP/got" || lab_fail "$f differs (server over ursa)"
done
echo "http.server over ursa -> kernel curl: small.txt, big.bin x2 identical"

# 2. http.server in the kernel, curl over ursa
kexec timeout 60 python3 -m http.server --bind "$KERN_IP" --directory "$LAB_TMP/www" 8081 \
	>"$LAB_TMP/httpk.log" 2>&1 &
LAB_PIDS+=("$!")
kwait_listen 8081
for f in small.txt big.bin; do
	uexec curl -sf --max-time 30 -o "$LAB_TMP/got2" "http://$KERN_IP:8081/$f" ||
		lab_fail "curl over ursa could not fetch $f"
	cmp "$LAB_TMP/www/$f" "$LAB_TMP/got2" || lab_fail "$f differs (curl over ursa)"
done
echo "kernel http.server -> curl over ursa: small.txt, big.bin identical"

kill -0 "$HPID" 2>/dev/null || {
	cat "$LAB_TMP/httpu.log" >&2
	lab_fail "http.server over ursa exited before it was stopped"
}
kill -TERM "$HPID" # the server over ursa goes; ursad reclaims what it held
chan_baseline
lab_stop "$UP" || lab_fail "ursad exited with status $?"
echo "PASS: http.server and curl through libursa-preload.so"
