#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# ursad refuses bad command lines: nonzero exit and a message naming the bad option (and its
# value). Parsing happens before EAL, so these need no root.
set -uo pipefail
. "$(dirname "$0")/../lab"
LAB_PREFIX="ut-badargs-$$"
URSAD_BIN=$(lab_find_bin ursad URSAD) || lab_skip "ursad is not built"

fails=0
# expect OPTION_IN_MESSAGE ARGS...
expect() {
	local want=$1 out rc
	shift
	out=$("$URSAD_BIN" "$@" 2>&1 >/dev/null)
	rc=$?
	if [ $rc -ne 0 ] && printf '%s' "$out" | grep -qF -- "$want"; then
		echo "ok   (rc $rc) $out"
	else
		echo "FAIL (rc $rc) ursad $*: expected a message with '$want', got: $out"
		fails=$((fails + 1))
	fi
}

P=(--port net_af_packet0,iface=lo)
expect "--iface: bad address '10.0.0.500/24'" "${P[@]}" --iface port=0,ip=10.0.0.500/24
expect "--iface: bad address 'fd00::zz/64'" "${P[@]}" --iface port=0,ip6=fd00::zz/64
expect "--iface: bad vlan '4095'" "${P[@]}" --iface port=0,vlan=4095,ip=10.252.0.2/24
expect "--iface: bad mac '02:00:00:00:00'" "${P[@]}" --iface port=0,mac=02:00:00:00:00,ip=10.252.0.2/24
expect "--iface: 'port=0' has no address" "${P[@]}" --iface port=0
expect "--iface: unknown key 'colour'" "${P[@]}" --iface port=0,colour=red,ip=10.252.0.2/24
expect "--iface: interface 0 uses port 3" "${P[@]}" --iface port=3,ip=10.252.0.2/24
expect "--iface: at least one interface" "${P[@]}"
expect "--port: at least one port" --iface port=0,ip=10.252.0.2/24
expect "--lcores: bad count '0'" "${P[@]}" --iface port=0,ip=10.252.0.2/24 --lcores 0
expect "--lcores: bad count '65'" "${P[@]}" --iface port=0,ip=10.252.0.2/24 --lcores 65
expect "--fault: bad dir 'sideways'" "${P[@]}" --iface port=0,ip=10.252.0.2/24 --fault port=0,dir=sideways
expect "--fault: bad value '1.5'" "${P[@]}" --iface port=0,ip=10.252.0.2/24 --fault port=0,drop=1.5
expect "--fault: unknown fault option 'smash'" "${P[@]}" --iface port=0,ip=10.252.0.2/24 --fault port=0,smash=1
expect "--route: gateway 10.9.9.1 is on no subnet" "${P[@]}" --iface port=0,ip=10.252.0.2/24 \
	--route tenant=0,dst=0.0.0.0/0,via=10.9.9.1
expect "--route: bad destination '10.0.0.0/33'" "${P[@]}" --iface port=0,ip=10.252.0.2/24 \
	--route tenant=0,dst=10.0.0.0/33,via=10.252.0.1
expect "--seed: bad number 'many'" "${P[@]}" --iface port=0,ip=10.252.0.2/24 --seed many
expect "--idle-sleep-us: bad value '0'" "${P[@]}" --iface port=0,ip=10.252.0.2/24 --idle-sleep-us 0
expect "--log-level: bad level 'loud'" "${P[@]}" --iface port=0,ip=10.252.0.2/24 --log-level loud
expect "--frobnicate: unknown option" --frobnicate
expect "--stats-file: missing value" "${P[@]}" --iface port=0,ip=10.252.0.2/24 --stats-file
# Found only once EAL runs: a device that cannot be opened.
if [ "$(id -u)" -eq 0 ]; then
	expect "--port 'net_af_packet0,iface=ut-no-such-dev': cannot open" \
		--port net_af_packet0,iface=ut-no-such-dev --iface port=0,ip=10.252.0.2/24
fi
out=$("$URSAD_BIN" --help) && printf '%s' "$out" | grep -q -- "--stats-file" ||
	{ echo "FAIL: --help does not document the options"; fails=$((fails + 1)); }
[ $fails -eq 0 ] || lab_fail "$fails bad-argument case(s) misbehaved"
echo "PASS: every bad argument refused with a message naming it"
