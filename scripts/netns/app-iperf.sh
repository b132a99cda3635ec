#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Unmodified iperf3 (select, non-blocking connect, control and data connections) through
# libursa-preload.so over ursad against the kernel's iperf3 server, both directions (-R),
# and, in the same run, the same client over Linux TCP on a second veth pair between the
# same namespaces: the baseline. Prints both rates and writes them as JSON to
# $APP_IPERF_JSON when set. Checks that every run finished without error and moved data.
T=app-iperf N=62
. "$(dirname "$0")/app-common.sh"
command -v iperf3 >/dev/null || lab_skip "iperf3 is not installed"
SECS=${APP_IPERF_SECS:-3}

# The baseline's own veth pair, kernel on both ends.
lab_veth "$K" vkb "$U" vub
lab_addr "$K" vkb 10.252.162.1/24
lab_addr "$U" vub 10.252.162.2/24
start_app_ursad
kexec iperf3 -s -p 5201 >"$LAB_TMP/iperfk.log" 2>&1 &
LAB_PIDS+=("$!")
kwait_listen 5201

# run NAME DEST [iperf3 options]: one client run; prints Gbit/s received.
run() {
	local name=$1 dst=$2
	shift 2
	"$@" timeout 60 iperf3 -c "$dst" -p 5201 -t "$SECS" -J ${IPERF_EXTRA:-} \
		>"$LAB_TMP/$name.json" 2>"$LAB_TMP/$name.err" ||
		lab_fail "iperf3 $name failed: $(tail -3 "$LAB_TMP/$name.err")"
	python3 - "$LAB_TMP/$name.json" <<'PY' || lab_fail "iperf3 $name: bad result"
import json, sys
j = json.load(open(sys.argv[1]))
if j.get("error"):
    sys.exit("error: " + j["error"])
r = j["end"]["sum_received"]
if r["bytes"] <= 0:
    sys.exit("no bytes")
print("%.3f" % (r["bits_per_second"] / 1e9))
PY
}

ursa_tx=$(run ursa-tx "$KERN_IP" uexec)
ursa_rx=$(IPERF_EXTRA=-R run ursa-rx "$KERN_IP" uexec)
linux_tx=$(run linux-tx 10.252.162.1 ip netns exec "$U")
linux_rx=$(IPERF_EXTRA=-R run linux-rx 10.252.162.1 ip netns exec "$U")
echo "iperf3 ${SECS}s, Gbit/s: preload over ursad tx $ursa_tx rx $ursa_rx;" \
	"Linux TCP over veth tx $linux_tx rx $linux_rx"
if [ -n "${APP_IPERF_JSON:-}" ]; then
	printf '{"secs": %s, "ursa_preload_tx_gbps": %s, "ursa_preload_rx_gbps": %s, ' \
		"$SECS" "$ursa_tx" "$ursa_rx" >"$APP_IPERF_JSON"
	printf '"linux_veth_tx_gbps": %s, "linux_veth_rx_gbps": %s}\n' "$linux_tx" "$linux_rx" \
		>>"$APP_IPERF_JSON"
fi
chan_baseline
lab_stop "$UP" || lab_fail "ursad exited with status $?"
echo "PASS: iperf3 through libursa-preload.so both directions"
