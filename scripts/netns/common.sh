# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
# Shared set-up of the netns tests: a kernel namespace K with veth vk (10.252.N.1/24,
# fd00:252:N::1/64) wired to an ursa namespace U with veth vu, where ursad runs on
# net_af_packet. Source after setting T (test name) and N (subnet number, unique per test).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../lab"

lab_init "$T"
lab_need_root
command -v python3 >/dev/null || lab_skip "python3 is needed to read ursad's JSON stats"

URSA_MAC=02:52:00:00:${N}:02
KERN_MAC=02:52:00:00:${N}:01
# fe80:: address ursa derives from URSA_MAC (modified EUI-64, RFC 4291 2.5.1)
URSA_LL=fe80::52:ff:fe00:${N}02
URSA_IP=10.252.${N}.2
KERN_IP=10.252.${N}.1
URSA_IP6=fd00:252:${N}::2
KERN_IP6=fd00:252:${N}::1

lab_ns_add k; K=$LAB_NS
lab_ns_add u; U=$LAB_NS
lab_veth "$K" vk "$U" vu "$KERN_MAC"
lab_quiet "$U" vu

# start_ursad [extra ursad options]: ursad on vu with ursa's addresses; sets UP (its pid).
# URSA_LCORES=N (the meson tests *-lcores2) runs it as N shards.
if [ -n "${URSA_LCORES:-}" ] && [ "$(nproc)" -lt "$URSA_LCORES" ]; then
	lab_skip "URSA_LCORES=$URSA_LCORES needs as many CPUs"
fi
start_ursad() {
	lab_ursad "$U" u --port net_af_packet0,iface=vu \
		--iface "port=0,mac=$URSA_MAC,ip=$URSA_IP/24,ip6=$URSA_IP6/64" --seed 1 \
		${URSA_LCORES:+--lcores "$URSA_LCORES"} "$@"
	UP=$LAB_URSAD_PID
}

# kexec CMD...: run in the kernel namespace.
kexec() { ip netns exec "$K" "$@"; }

# stats EXPR: refresh ursad's JSON (SIGUSR1) and evaluate EXPR on it (as j).
stats() {
	lab_ursad_stats u "$UP"
	lab_json "$LAB_TMP/u.json" "$1"
}
