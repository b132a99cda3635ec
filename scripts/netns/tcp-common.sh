# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
# Shared set-up of the TCP interop tests (tcp-*.sh): a kernel namespace with veth tck
# (10.253.N.1/24, fd00:253:N::1/64) wired to a namespace where ursa-tcp runs on
# net_af_packet over veth tcu (10.253.N.2, fd00:253:N::2). Namespaces are named tc-<test>-<pid>-*
# and removed on exit, also on failure. Source after setting T (test name) and N (subnet).
set -euo pipefail

TC_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TC_NS=()
TC_PIDS=()
TC_TMP=$(mktemp -d "/tmp/tc-$T.XXXXXX")

tc_log() { printf '%s\n' "$*" >&2; }
tc_fail() { tc_log "FAIL: $*"; exit 1; }
tc_skip() { tc_log "SKIP: $*"; exit 77; }

tc_cleanup() {
	local p ns
	for p in "${TC_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	sleep 0.2
	for p in "${TC_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
	for ns in "${TC_NS[@]}"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
		ip netns del "$ns" 2>/dev/null || true
	done
	rm -rf "$TC_TMP"
}
trap tc_cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" -eq 0 ] || tc_skip "needs root (network namespaces, af_packet)"
command -v ip >/dev/null || tc_skip "iproute2 (ip) is not installed"
command -v socat >/dev/null || tc_skip "socat is not installed (the kernel-side peer)"
command -v python3 >/dev/null || tc_skip "python3 is not installed (the kernel-side peer)"
command -v ethtool >/dev/null || tc_skip "ethtool is not installed (checksum offload off)"
URSA_TCP=${URSA_TCP:-}
if [ -z "$URSA_TCP" ]; then
	for b in "$TC_TOP"/build*/apps/tcpapps/ursa-tcp; do [ -x "$b" ] && URSA_TCP=$b && break; done
fi
[ -x "$URSA_TCP" ] || tc_skip "ursa-tcp is not built"

# Transfer size per direction: 8 MiB by default, so that all tcp-* tests finish within
# 3 minutes in CI (ursa as a sender manages only a few Mbit/s under 5% loss in both
# directions); URSA_INTEROP_BYTES=1073741824 for the full 1 GiB run. Faults: ursa's own
# injection (the kernel here has no netem).
BYTES=${URSA_INTEROP_BYTES:-8388608}
FAULT=${URSA_INTEROP_FAULT:-drop=0.05,reorder=0.05,dup=0.01,seed=7}
# Per step: a normal step takes well under 30 s; three steps stay inside meson's 300 s, so a
# stuck transfer fails here with its step named instead of being killed by meson.
TIMEOUT=${URSA_INTEROP_TIMEOUT:-${TIMEOUT:-80}}

KI=10.253.$N.1 UI=10.253.$N.2 KI6=fd00:253:$N::1 UI6=fd00:253:$N::2
UMAC=02:53:00:00:$N:02

K=tc-$T-$$-k U=tc-$T-$$-u
ip netns add "$K" || tc_skip "cannot create network namespaces here"
TC_NS+=("$K")
ip netns add "$U"
TC_NS+=("$U")
ip -n "$K" link set lo up
ip -n "$U" link set lo up
ip link add tck netns "$K" type veth peer name tcu netns "$U"
# The kernel must put real checksums on frames ursa reads through af_packet.
ip netns exec "$K" ethtool -K tck tx off >/dev/null 2>&1 || tc_fail "ethtool -K tck tx off"
ip netns exec "$U" ethtool -K tcu tx off rx off tso off gso off gro off >/dev/null 2>&1 || true
ip netns exec "$U" sysctl -qw net.ipv6.conf.tcu.disable_ipv6=1
ip -n "$K" link set tck up
ip -n "$U" link set tcu up
ip -n "$K" addr add "$KI/24" dev tck
ip -n "$K" addr add "$KI6/64" dev tck nodad

kexec() { ip netns exec "$K" "$@"; }

# ursa ARGS...: run ursa-tcp in the ursa namespace in the background, output to
# $TC_TMP/ursa.out; sets UPID.
ursa() {
	ip netns exec "$U" "$URSA_TCP" --port net_af_packet0,iface=tcu --mac "$UMAC" \
		--ip "$UI/24" --ip6 "$UI6/64" --seed 1 --timeout "$TIMEOUT" "$@" \
		>"$TC_TMP/ursa.out" 2>"$TC_TMP/ursa.err" &
	UPID=$!
	TC_PIDS+=("$UPID")
}

# ursa_wait_reachable: until the kernel can reach ursa's address. ursa's IPv6 addresses are
# tentative until DAD ends (1-2 s after start): a connect before that fails with EHOSTUNREACH
# when the kernel's neighbour solicitations go unanswered.
ursa_wait_reachable() {
	local i dst=$UI
	[ "${TC_FAMILY:-4}" = 6 ] && dst=$UI6
	for i in $(seq 1 50); do
		kexec ping -c 1 -W 1 "$dst" >/dev/null 2>&1 && return 0
	done
	tc_fail "ursa's address $dst never answered a ping"
}

# ursa_wait_listen: until ursa-tcp says it listens, and its address answers.
ursa_wait_listen() {
	local i
	for i in $(seq 1 100); do
		grep -q listening "$TC_TMP/ursa.out" 2>/dev/null && { ursa_wait_reachable; return 0; }
		kill -0 "$UPID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$TC_TMP/ursa.err" >&2
	tc_fail "ursa-tcp did not start listening"
}

# ursa_result: wait for ursa-tcp, print its summary line and TCP figures; returns its exit status.
ursa_result() {
	local rc=0
	wait "$UPID" || rc=$?
	grep '^ursa-tcp: ' "$TC_TMP/ursa.out" >&2 || true
	grep '^ursa-tcp: tcp ' "$TC_TMP/ursa.err" >&2 || true
	[ "$rc" -eq 0 ] || sed 's/^/  ursa-tcp stderr: /' "$TC_TMP/ursa.err" >&2
	return "$rc"
}

# field NAME FILE: the value of NAME= in the last ursa-tcp line of FILE.
field() { grep '^ursa-tcp: role=' "$2" | tail -1 | tr ' ' '\n' | sed -n "s/^$1=//p"; }
