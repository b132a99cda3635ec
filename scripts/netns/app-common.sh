# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
# Shared set-up of the app channel tests (app-*.sh): common.sh's two namespaces (the kernel
# in K, ursad on af_packet in U), ursad serving applications on $APP_SOCK, and helpers to run
# an unmodified program in U through libursa-preload.so. Source after setting T and N.
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

PRELOAD=${URSA_PRELOAD:-}
if [ -z "$PRELOAD" ]; then
	for b in "$LAB_TOP"/build*/apps/preload/libursa-preload.so; do
		[ -f "$b" ] && PRELOAD=$b && break
	done
fi
[ -f "$PRELOAD" ] || lab_skip "libursa-preload.so is not built"
# A preload library built with AddressSanitizer cannot be loaded into programs that are not
# (nc, curl, python): in the ASan build the programs take the gcc build's library, while the
# ursad under test is the ASan one.
if nm -D "$PRELOAD" 2>/dev/null | grep ' __asan_init' >/dev/null; then
	plain=
	for b in "$LAB_TOP"/build*/apps/preload/libursa-preload.so; do
		[ -f "$b" ] && ! nm -D "$b" | grep ' __asan_init' >/dev/null && plain=$b && break
	done
	[ -n "$plain" ] || lab_skip "$PRELOAD is built with ASan, which uninstrumented programs" \
		"cannot load, and no build without ASan has libursa-preload.so"
	lab_log "ASan build: programs preload $plain; ursad is $URSAD"
	PRELOAD=$plain
fi
APP_SOCK=$LAB_TMP/app.sock
lab_addr "$K" vk "$KERN_IP/24"
lab_addr "$K" vk "$KERN_IP6/64"

# start_app_ursad [ursad options]: ursad with the app channel; waits for its socket.
start_app_ursad() {
	start_ursad --app-socket "$APP_SOCK" "$@"
	lab_wait 10 test -S "$APP_SOCK" || lab_fail "ursad made no app socket"
}

# uexec CMD...: run CMD in the ursa namespace over ursad (LD_PRELOAD).
uexec() {
	ip netns exec "$U" env LD_PRELOAD="$PRELOAD" URSA_APP_SOCKET="$APP_SOCK" "$@"
}

# chan NAME: the app channel's counter NAME now.
chan() {
	stats "j['counters']['chan']['$1']"
}

# chan_baseline: wait (up to 10 s) until no application, socket or shared memory is left.
chan_baseline() {
	local i
	for i in $(seq 1 50); do
		[ "$(chan apps)/$(chan socks)/$(chan mem_bytes)" = "0/0/0" ] && return 0
		sleep 0.2
	done
	lab_fail "app channel not back to baseline: apps $(chan apps) socks $(chan socks)" \
		"mem_bytes $(chan mem_bytes)"
}

# wait_port NS PORT: a listener on PORT in the kernel namespace.
kwait_listen() {
	lab_wait 10 kexec sh -c "ss -Hltn 'sport = :$1' | grep -q ." ||
		lab_fail "nothing listens on $1 in the kernel namespace"
}
