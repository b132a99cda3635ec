#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# ursa-tcp refuses a bad command line before starting DPDK: exit status 2 and a message that
# names the option and what it expects. Usage: bad-args.sh path/to/ursa-tcp
B=$1
fails=0
check() { # expected message fragment, then the arguments
	want=$1
	shift
	out=$("$B" "$@" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" -ne 2 ] || ! printf '%s' "$out" | grep -q -- "$want"; then
		echo "FAIL: ursa-tcp $*: exit $rc, said: $out (wanted exit 2 and '$want')"
		fails=$((fails + 1))
	else
		echo "ok: ursa-tcp $* -> $want"
	fi
}
A="--port net_null0 --ip 192.0.2.1/24"
check "--listen 0: expected a port" $A --listen 0
check "--listen 70000" $A --listen 70000
check "--count 0: expected" $A --listen 5 --count 0
check "--msg-size 0" $A --listen 5 --msg-size 0
check "--timeout -1" $A --listen 5 --timeout -1
check "--timeout abc" $A --listen 5 --timeout abc
check "--bytes 12x" $A --connect 192.0.2.2:5 --bytes 12x
check "--bytes 0: expected how much" $A --connect 192.0.2.2:5 --mode source
check "--mode foo" $A --listen 5 --mode foo
check "--close maybe" $A --listen 5 --close maybe
check "--lcore -3" $A --listen 5 --lcore -3
check "--ip/--ip6 (missing)" --port net_null0 --listen 5
check "--port (missing)" --ip 192.0.2.1/24 --listen 5
check "exactly one of them" $A
check "exactly one of them" $A --listen 5 --connect 192.0.2.2:5
check "no positional arguments" $A --listen 5 extra
check "unrecognized option" $A --listen 5 --bogus
check "--bytes -5" gen --bytes -5
check "--conns 0: expected 1 to 4096" load --kernel --listen 5 --conns 0
check "--lcores 0: expected 1 to" load --kernel --listen 5 --conns 4 --lcores 0
check "--conns (too few)" load --kernel --listen 5 --conns 1 --lcores 2
check "--seconds/--count (both or neither)" load --kernel --connect 192.0.2.2:5 --conns 2
check "--connect 192.0.2.2: expected IPv4:PORT" load --kernel --connect 192.0.2.2 --conns 2
check "--port/--ip (missing)" load --listen 5 --conns 2
[ "$fails" -eq 0 ] || exit 1
echo "PASS: every bad command line named"
