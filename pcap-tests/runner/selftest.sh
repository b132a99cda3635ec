#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The runner's own mechanics, independent of the stack: with --loopback every input frame
# is sent straight back, so replaying a capture against itself must pass, against anything
# else must report the exact differences, and bad arguments and configurations must be
# named and exit 2. Usage: selftest.sh RUNNER PCAP_TESTS_DIR
set -u
RUN=$1
SRC=$2
C=$SRC/cases
T=$(mktemp -d /tmp/pcap-selftest.XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0

check() { # check NAME WANT_STATUS GREP_PATTERN... -- ARGS...
	local name=$1 want=$2 out st
	shift 2
	local pats=()
	while [ "$1" != -- ]; do pats+=("$1"); shift; done
	shift
	out=$("$RUN" "$@" 2>&1)
	st=$?
	if [ $st = 77 ]; then
		echo "SKIP: $out"
		exit 77
	fi
	local ok=1
	[ $st = "$want" ] || ok=0
	for p in "${pats[@]}"; do
		grep -qE -- "$p" <<<"$out" || { ok=0; echo "  missing /$p/"; }
	done
	if [ $ok = 1 ]; then
		echo "ok   $name"
		pass=$((pass + 1))
	else
		echo "FAIL $name (exit $st, wanted $want)"
		sed 's/^/    | /' <<<"$out"
		fail=$((fail + 1))
	fi
}

# The first n frames of a capture (so the checks below do not depend on how long a case
# was recorded).
head_pcap() { # head_pcap IN N OUT
	python3 - "$@" <<'PY'
import struct, sys
src, n, dst = sys.argv[1], int(sys.argv[2]), sys.argv[3]
data = open(src, "rb").read()
magic = data[:4]
end = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
out, off = [data[:24]], 24
for _ in range(n):
    if off + 16 > len(data):
        break
    caplen = struct.unpack(end + "I", data[off + 8:off + 12])[0]
    out.append(data[off:off + 16 + caplen])
    off += 16 + caplen
open(dst, "wb").write(b"".join(out))
PY
}

E=$C/icmp/echo-v4
A=$C/arp/request-reply
printf 'port_mac = 02:00:00:fb:00:0b\niface = vlan=0,mac=02:00:00:fb:00:0b,ip=10.251.0.2/24\n' \
	>"$T/ok.conf"

check "input against itself passes" 0 '^PASS: 4 matched, 0 differ, 0 missing, 0 extra$' -- \
	--loopback --conf "$T/ok.conf" --input "$E/input.pcap" --expected "$E/input.pcap"
check "write-actual writes what was sent" 0 '^PASS' -- \
	--loopback --conf "$T/ok.conf" --input "$E/input.pcap" --expected "$E/input.pcap" \
	--write-actual "$T/actual.pcap"
check "the written capture replays as expected" 0 '^PASS: 4 matched' -- \
	--loopback --conf "$T/ok.conf" --input "$E/input.pcap" --expected "$T/actual.pcap"
check "unexpected kinds are missing and extra" 1 \
	'MISSING +expected #1 at \+0\.0000[0-9]+s: ARP reply 10\.251\.0\.2 > 10\.251\.0\.1' \
	'EXTRA +sent #1 at \+0\.000000s: ARP request 10\.251\.0\.1 > 10\.251\.0\.2' \
	'^FAIL: 0 matched, 0 differ, 4 missing, 4 extra$' -- \
	--loopback --conf "$T/ok.conf" --input "$E/input.pcap" --expected "$E/expected.pcap"
head_pcap "$A/input.pcap" 2 "$T/a2.pcap"
check "pairs follow the order" 1 'MISSING +expected #2 at -[0-9.]+s: ARP request' \
	'EXTRA +sent #2 at \+0\.000[0-9]+s: IPv4 10\.251\.0\.1 > 10\.251\.0\.2 ICMP echo-request' \
	'frame\.len +expected 58, got 42' \
	'eth\.trailer +expected 16 bytes \[00 00 [0-9a-f ]+\], got \(absent\)' \
	'^FAIL: 0 matched, 1 differ, 1 missing, 3 extra$' -- \
	--loopback --conf "$T/ok.conf" --input "$E/input.pcap" --expected "$T/a2.pcap"
# Same kinds of packets from another capture: ping's echo requests against scapy's.
head_pcap "$C/ipv4/bad-checksum-dropped/input.pcap" 4 "$T/b4.pcap"
check "checksums are verified, values compared" 1 \
	'DIFFERS +expected #3 at .*ICMP echo-request code 0 id 77 seq 1' \
	'ip\.cksum\.valid +expected no, got yes' 'icmp\.id +expected 77, got [0-9]+' \
	'payload +expected 32 bytes, got 100 bytes; first difference at offset 0' -- \
	--loopback --conf "$T/ok.conf" --input "$E/input.pcap" --expected "$T/b4.pcap"
cp "$T/ok.conf" "$T/ign.conf"
printf 'ignore = ip.* icmp.*\nignore = payload frame.len\nignore_reason = self-test\n' \
	>>"$T/ign.conf"
check "ignored fields (and patterns) are not compared" 0 \
	'not compared: ip\.\* icmp\.\* payload frame\.len \(self-test\)' '^PASS: 4 matched' -- \
	--loopback --conf "$T/ign.conf" --input "$E/input.pcap" --expected "$T/b4.pcap"
cp "$T/ok.conf" "$T/set.conf"
printf 'time_check = none\n' >>"$T/set.conf"
check "time_check none pairs as a set" 1 '^FAIL: 0 matched, 1 differ, 1 missing, 3 extra$' -- \
	--loopback --conf "$T/set.conf" --input "$E/input.pcap" --expected "$T/a2.pcap"
H=$C/ipv4/bad-header
check "malformed frames decode and compare" 0 '^PASS: [0-9]+ matched, 0 differ' -- \
	--loopback --conf "$T/ok.conf" --input "$H/input.pcap" --expected "$H/input.pcap" --verbose
# Random frames with plausible headers: the decoder must survive anything (run under ASan
# and UBSan in the sanitizer build).
python3 - "$T/rand.pcap" <<'PY'
import random, struct, sys
random.seed(7)
def frame():
    et = random.choice([0x0800, 0x86dd, 0x0806, 0x8100, 0x88a8, 0x1234])
    body = bytearray(random.getrandbits(8) for _ in range(random.randint(0, 120)))
    if et in (0x8100, 0x88a8) and len(body) >= 4:
        body[2:4] = struct.pack("!H", random.choice([0x0800, 0x86dd, 0x0806, 0x8100]))
    if et == 0x0800 and len(body) > 9 and random.random() < 0.7:
        body[0], body[6], body[7] = 0x45, 0, 0
        body[9] = random.choice([1, 6, 17])
        body[2:4] = struct.pack("!H", len(body))
        if body[9] == 17 and len(body) >= 24 and random.random() < 0.5:
            body[22:24] = struct.pack("!H", 4791)  # RoCEv2
    if et == 0x86dd and len(body) > 6 and random.random() < 0.7:
        body[0] = 0x60
        body[4:6] = struct.pack("!H", max(0, len(body) - 40))
        body[6] = random.choice([0, 6, 17, 43, 44, 58, 60])
    return bytes(random.getrandbits(8) for _ in range(12)) + struct.pack("!H", et) + bytes(body)
out = [struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)]
for i in range(500):
    f = frame() if i % 50 else bytes(random.getrandbits(8) for _ in range(i % 14))
    out.append(struct.pack("<IIII", 1000, i, len(f), len(f)) + f)
open(sys.argv[1], "wb").write(b"".join(out))
PY
check "random frames decode" 0 '^PASS: 500 matched' -- \
	--loopback --conf "$T/ok.conf" --input "$T/rand.pcap" --expected "$T/rand.pcap" --verbose
# RoCEv2: the crafted bad-ICRC request against the captured ones it was made from.
R=$C/roce
head_pcap "$R/write-bw/input.pcap" 3 "$T/w3.pcap"
check "RoCE headers decode, the ICRC is verified" 1 \
	'DIFFERS +expected #2 at .*RoCE WRITE_ONLY qp 0x000017 psn 0x16ebaf ackreq' \
	'icrc\.valid +expected yes, got no' 'bth\.psn +expected 0x16ebb0, got 0x16ebaf' \
	'reth\.va +expected 0x0000557c59dea080, got 0x0000557c59dea040' \
	'^FAIL: 1 matched, 2 differ, 0 missing, 0 extra$' -- \
	--loopback --conf "$T/ok.conf" --input "$R/bad-icrc-dropped/input.pcap" \
	--expected "$T/w3.pcap"
check "RoCE answers decode" 0 'aeth\.syndrome=0x60' \
	'^PASS: 5 matched' -- --loopback --conf "$T/ok.conf" --verbose \
	--input "$R/nak-psn-gap/expected.pcap" --expected "$R/nak-psn-gap/expected.pcap"
check "RoCE atomic answers decode" 0 'atomicacketh\.orig=0xa5ffcc283a21fa7c' -- --loopback \
	--conf "$T/ok.conf" --verbose --input "$R/atomic-bw/expected.pcap" \
	--expected "$R/atomic-bw/expected.pcap"
cp "$T/ok.conf" "$T/rq.conf"
printf 'rdma_qp = qpn=0x11,dest_qpn=0x12,local=10.251.0.2\n' >>"$T/rq.conf"
check "rdma_qp needs its keys" 2 \
	'rq.conf:3: rdma_qp: needs qpn=, dest_qpn=, rq_psn=, local= and peer=' -- \
	--loopback --conf "$T/rq.conf" --input "$E/input.pcap" --expected "$E/input.pcap"
cp "$T/ok.conf" "$T/rr.conf"
printf 'rdma_recv = qp=0,count=4,len=64\n' >>"$T/rr.conf"
check "rdma_recv names an rdma_qp line" 2 'rr.conf:3: rdma_recv: qp= is not the index' -- \
	--loopback --conf "$T/rr.conf" --input "$E/input.pcap" --expected "$E/input.pcap"
cp "$T/ok.conf" "$T/rm.conf"
printf 'rdma_mr = rkey=0x100,va=0x1000,len=64,access=write|exec\n' >>"$T/rm.conf"
check "rdma_mr access rights are checked" 2 "rm.conf:3: rdma_mr: access: unknown right 'exec'" -- \
	--loopback --conf "$T/rm.conf" --input "$E/input.pcap" --expected "$E/input.pcap"
# Two tenants with the RoCE case's address on two VLANs: the QP's interface must be named,
# and a QP bound to the other one takes none of the requests (they arrive untagged).
cp -r "$R/atomic-bw" "$T/two"
sed -i 's/^iface = vlan=0,.*$/&\niface = vlan=7,tenant=1,mac=52:54:00:77:00:02,ip=10.77.0.2\/24,ll=no/' \
	"$T/two/case.conf"
check "an address on two interfaces needs rdma_qp iface=" 2 \
	'rdma_qp 0: local=10.77.0.2 is on interfaces 0 and 1: say which with iface=' -- \
	--case "$T/two"
sed -i 's/^rdma_qp = /rdma_qp = iface=1,/' "$T/two/case.conf"
check "a QP bound to the other VLAN's interface gets nothing" 1 \
	'COUNTER +roce\.rx_req expected 5, got 0' '^FAIL: 0 matched, 0 differ, 5 missing' -- \
	--case "$T/two"
sed -i 's/^rdma_qp = iface=1,/rdma_qp = iface=0,/' "$T/two/case.conf"
check "a QP bound to its interface answers" 0 '^PASS: 5 matched' -- --case "$T/two"
cp "$T/ok.conf" "$T/ct.conf"
printf 'counter = drop_bad_icrc=1\n' >>"$T/ct.conf"
check "counter lines name block.name" 2 'ct.conf:3: counter: want block.name=value' -- \
	--loopback --conf "$T/ct.conf" --input "$E/input.pcap" --expected "$E/input.pcap"
cp "$T/ok.conf" "$T/cv.conf"
printf 'counter = mem0.rx_pkts=5\ncounter = eth.rx=0\n' >>"$T/cv.conf"
check "counters are checked after the replay" 1 'COUNTER +mem0\.rx_pkts expected 5, got 4' \
	'COUNTER +eth\.rx: no such counter' -- \
	--loopback --conf "$T/cv.conf" --input "$E/input.pcap" --expected "$E/input.pcap"
printf 'ignore = ip.id\n' >>"$T/ok.conf"
check "ignore needs a reason" 2 'ignore without ignore_reason' -- \
	--loopback --conf "$T/ok.conf" --input "$E/input.pcap" --expected "$E/input.pcap"
printf 'port_mac = 02:00:00:fb:00:0b\niface = vlan=5000\n' >"$T/bad.conf"
check "bad config lines are located" 2 \
	'bad.conf:2: iface: bad vlan .5000. \(0 = untagged, 1\.\.4094\)' -- \
	--loopback --conf "$T/bad.conf" --input "$E/input.pcap" --expected "$E/input.pcap"
check "unknown options are named" 2 "unknown option '--bogus'" -- --bogus
check "missing arguments are named" 2 'missing: --expected --conf' -- --input x.pcap
check "unreadable cases are named" 2 'nonexistent/case.conf: No such file' -- \
	--case "$T/nonexistent"
check "help" 0 'usage: ursa-pcap-replay --case DIR' -- --help

echo "$pass passed, $fail failed"
[ $fail = 0 ]
