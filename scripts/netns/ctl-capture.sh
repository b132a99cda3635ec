#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# ursactl capture: pcapng of what ursad's port receives and sends, written by ursad to the
# file ursactl opened. Bounded by count: 10 frames while pings run gives exactly 10 frames in
# the file, tshark reads them, echo requests in and replies out among them. Bounded by time:
# 2 s of an idle port ends on time with what came. On one lcore and on two shards.
T=ctl-capture N=41
. "$(dirname "$0")/ctl-common.sh"
command -v tshark >/dev/null || lab_skip "tshark is needed to read the capture"
lab_addr "$K" vk "$KERN_IP/24"

# frames FILE [FILTER]: how many frames tshark reads from FILE (that match FILTER).
frames() {
	tshark -n -r "$1" ${2:+-Y "$2"} 2>"$LAB_TMP/tshark.err" | wc -l
}

for lcores in 1 2; do
	start_ursad --no-announce --ctl-socket "$CTL" --lcores "$lcores"
	lab_wait 10 test -S "$CTL" || lab_fail "no control socket"
	f=$LAB_TMP/cap$lcores.pcapng
	ctl --json capture 0 "$f" --count 10 --seconds 30 >"$LAB_TMP/cap.json" &
	cp=$!
	sleep 1
	kexec ping -n -q -c 10 -i 0.2 "$URSA_IP" >/dev/null || true
	wait "$cp" || lab_fail "ursactl capture failed"
	[ "$(lab_json "$LAB_TMP/cap.json" 'j["frames"]')" -eq 10 ] || lab_fail "capture did not say 10 frames"
	n=$(frames "$f")
	[ "$n" -eq 10 ] || { cat "$LAB_TMP/tshark.err"; lab_fail "tshark reads $n frames, not 10"; }
	req=$(frames "$f" "icmp.type == 8 && ip.dst == $URSA_IP")
	rep=$(frames "$f" "icmp.type == 0 && ip.src == $URSA_IP")
	echo "capture ($lcores shard(s)): $n frames, $req echo requests in, $rep replies out"
	[ "$req" -ge 2 ] && [ "$rep" -ge 2 ] || lab_fail "the capture misses the pings: $req in, $rep out"

	t0=$(date +%s)
	ctl --json capture 0 "$LAB_TMP/idle.pcapng" --count 100000 --seconds 2 >"$LAB_TMP/cap.json" ||
		lab_fail "timed capture failed"
	dt=$(($(date +%s) - t0))
	got=$(lab_json "$LAB_TMP/cap.json" 'j["frames"]')
	[ "$dt" -ge 2 ] && [ "$dt" -le 10 ] || lab_fail "a 2 s capture took $dt s"
	[ "$(frames "$LAB_TMP/idle.pcapng")" -eq "$got" ] || lab_fail "timed capture: file and answer disagree"
	mkdir -p -m 1777 "$LAB_TMP/pub"
	expect_fail 1 "only root" ctl_nobody capture 0 "$LAB_TMP/pub/nobody.pcapng" --count 1
	expect_fail 1 "cannot open" ctl capture 0 "$LAB_TMP/no/such/dir.pcapng"
	expect_fail 1 "not an ethdev\|no port" ctl capture 5 "$LAB_TMP/x.pcapng"
	lab_stop "$UP" || lab_fail "ursad exited with status $?"
done
echo "PASS: ursactl capture, bounded by count and by time, read by tshark"
