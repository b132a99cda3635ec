#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# ursactl's effect classes against a running ursad: read commands for anyone (root and
# nobody), write commands for root only, destructive ones refused while locked and for
# non-root peers even when unlocked; every write and destructive request logged with the
# peer's pid and uid; bad arguments rejected with a non-zero exit. Then the writes at work:
# fault injection on and off (pings lost, then answered), an address and a route added while
# a ping runs (answers start), removed again; on one lcore and on two shards, where a change
# is answered once both shards have applied it.
T=ctl-classes N=40
. "$(dirname "$0")/ctl-common.sh"
command -v setpriv >/dev/null || lab_skip "setpriv (util-linux) is needed to run ursactl as nobody"

ALT_IP=10.252.${N}.3
FAR_NET=10.253.${N}
lab_addr "$K" vk "$KERN_IP/24"
lab_addr "$K" vk "$FAR_NET.1/24"

# pings_answered SRC DST COUNT: how many of COUNT pings from SRC (kernel side) came back.
pings_answered() {
	kexec ping -n -q -c "$3" -i 0.2 -W 1 -I "$1" "$2" 2>/dev/null |
		awk '/received/ { for (i = 1; i <= NF; i++) if ($i ~ /^received/) print $(i - 1) }'
}

# ping_during SRC DST CMD...: ping every 0.2 s for 6 s, run CMD after 2 s; prints the
# replies received before CMD and after it.
ping_during() {
	local src=$1 dst=$2
	shift 2
	kexec ping -n -D -c 30 -i 0.2 -W 1 -I "$src" "$dst" >"$LAB_TMP/ping" 2>&1 &
	local pp=$!
	sleep 2
	local t=$(date +%s.%N)
	"$@" >/dev/null || lab_fail "$* failed while ping ran"
	wait "$pp" || true
	awk -v t="$t" '/bytes from/ { ts = substr($1, 2, length($1) - 2); if (ts < t) b++; else a++ }
		END { printf "%d %d\n", b, a }' "$LAB_TMP/ping"
}

check_reads() {
	local who=$1
	for c in help stats interfaces neighbours routes connections settings; do
		$who "$c" >/dev/null || lab_fail "read command $c failed for $who"
		$who --json "$c" >/dev/null || lab_fail "read command $c --json failed for $who"
	done
}

phase() { # phase LCORES [ursad options]
	local lcores=$1
	shift
	start_ursad --no-announce --ctl-socket "$CTL" --lcores "$lcores" "$@"
	lab_wait 10 test -S "$CTL" || lab_fail "no control socket at $CTL"
	[ "$(pings_answered "$KERN_IP" "$URSA_IP" 3)" -ge 1 ] || lab_fail "ursad does not answer pings"

	# read: always allowed
	check_reads ctl
	check_reads ctl_nobody
	[ "$(ctl_json 'len(j["shards"])' stats)" -eq "$lcores" ] || lab_fail "stats: not $lcores shard(s)"
	[ "$(ctl_json '[a for i in j for a in i["addrs"]][0]' interfaces)" = "$URSA_IP/24" ] ||
		lab_fail "interfaces: $URSA_IP/24 missing"
	[ "$(ctl_json '[n["mac"].lower() for n in j if n["addr"] == "'"$KERN_IP"'"][0]' neighbours)" = \
		"$KERN_MAC" ] || lab_fail "neighbours: $KERN_IP at $KERN_MAC missing"
	[ "$(ctl_json 'j[0]["dst"]' routes)" = "10.252.$N.0/24" ] || lab_fail "routes: no connected route"
	[ "$(ctl_json 'sorted(j)' connections)" = "['qps', 'tcp']" ] || lab_fail "connections: kinds"
	ctl stats >"$LAB_TMP/table" || lab_fail "stats as a table"
	grep -q "^icmp\." "$LAB_TMP/table" || lab_fail "stats table has no icmp counters"

	# write and destructive: not for nobody; destructive not while locked
	expect_fail 1 "only root" ctl_nobody log-level info
	expect_fail 1 "only root" ctl_nobody route-add "tenant=0,dst=$FAR_NET.0/24,via=$KERN_IP,iface=0"
	expect_fail 1 "only root" ctl_nobody tcp-abort "$URSA_IP:80" "$KERN_IP:40000"
	if [ "${UNLOCKED:-0}" = 0 ]; then
		expect_fail 1 "ctl-unlock-destructive" ctl tcp-abort "$URSA_IP:80" "$KERN_IP:40000"
		expect_fail 1 "ctl-unlock-destructive" ctl qp-reset 4242
	else
		expect_fail 1 "No such file" ctl tcp-abort "$URSA_IP:80" "$KERN_IP:40000"
		expect_fail 1 "No such file" ctl qp-reset 4242
	fi

	# bad arguments
	expect_fail 2 "unknown command" ctl frobnicate
	expect_fail 2 "takes no arguments" ctl stats now
	expect_fail 1 "usage: fault" ctl fault 0
	expect_fail 1 "no port" ctl fault 7 rx drop=1
	expect_fail 1 "bad address" ctl addr-add 0 10.1.2
	expect_fail 3 "cannot reach" "$URSACTL_BIN" --socket "$LAB_TMP/none.sock" stats

	# log level
	ctl log-level debug >/dev/null || lab_fail "log-level debug"
	[ "$(ctl_json 'j["log_level"]' settings)" = 8 ] || lab_fail "log level not 8"
	ctl log-level notice >/dev/null

	# fault injection: every frame dropped on receive, then off again
	ctl fault 0 rx drop=1,seed=3 >/dev/null || lab_fail "fault on"
	[ "$(ctl_json 'j["faults"][0]["drop"]' settings)" = 1 ] || lab_fail "settings: fault missing"
	[ "$(pings_answered "$KERN_IP" "$URSA_IP" 3)" -eq 0 ] || lab_fail "pings answered through drop=1"
	ctl fault 0 rx off >/dev/null || lab_fail "fault off"
	[ "$(ctl_json 'len(j["faults"])' settings)" = 0 ] || lab_fail "settings: fault still there"
	[ "$(pings_answered "$KERN_IP" "$URSA_IP" 3)" -ge 1 ] || lab_fail "pings lost after fault off"

	# an address added while a ping to it runs
	read -r before after < <(ping_during "$KERN_IP" "$ALT_IP" ctl addr-add 0 "$ALT_IP/24")
	echo "ping $ALT_IP ($lcores shard(s)): $before replies before addr-add, $after after"
	[ "$before" -eq 0 ] && [ "$after" -ge 5 ] || lab_fail "addr-add during ping: $before/$after"
	ctl addr-del 0 "$ALT_IP" >/dev/null || lab_fail "addr-del"
	[ "$(pings_answered "$KERN_IP" "$ALT_IP" 2)" -eq 0 ] || lab_fail "$ALT_IP answered after addr-del"

	# a route added while a ping from another subnet runs
	read -r before after < <(ping_during "$FAR_NET.1" "$URSA_IP" ctl route-add \
		"tenant=0,dst=$FAR_NET.0/24,via=$KERN_IP,iface=0")
	echo "ping from $FAR_NET.1 ($lcores shard(s)): $before replies before route-add, $after after"
	[ "$before" -eq 0 ] && [ "$after" -ge 5 ] || lab_fail "route-add during ping: $before/$after"
	[ "$(ctl_json '[r["via"] for r in j if r["type"] == "static"]' routes)" = "['$KERN_IP']" ] ||
		lab_fail "routes: the static route is not listed"
	ctl route-del "tenant=0,dst=$FAR_NET.0/24,iface=0" >/dev/null || lab_fail "route-del"
	[ "$(pings_answered "$FAR_NET.1" "$URSA_IP" 2)" -eq 0 ] || lab_fail "answered after route-del"
	expect_fail 1 "No such file" ctl route-del "tenant=0,dst=$FAR_NET.0/24,iface=0"

	# the log names every write and destructive request with its peer
	grep -q "ctl: pid [0-9]* uid 0: fault 0 rx drop=1,seed=3: done\|ctl: pid [0-9]* uid 0: fault 0 rx drop=1,seed=3: posted" \
		"$LAB_TMP/u.log" || { cat "$LAB_TMP/u.log"; lab_fail "fault request not logged"; }
	grep -q "ctl: pid [0-9]* uid 65534: log-level info: Operation not permitted" "$LAB_TMP/u.log" ||
		lab_fail "refused request not logged"
	[ "$(ctl_json 'j["shards"][0]["counters"]["ctl"]["refused_not_root"]' stats)" -eq 3 ] ||
		lab_fail "refused_not_root is not 3"
	lab_stop "$UP" || lab_fail "ursad exited with status $?"
	[ ! -e "$CTL" ] || lab_fail "ursad left its socket behind"
}

phase 1
UNLOCKED=1 phase 2 --ctl-unlock-destructive
echo "PASS: ursactl effect classes, faults, addresses and routes while pinging (1 and 2 shards)"
