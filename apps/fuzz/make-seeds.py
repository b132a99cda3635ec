#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the seed corpus of fuzz_rx: one file per frame, byte 0 = ms of virtual time to pass.

The frames are ordinary traffic to the harness's interfaces (10.0.0.2 / fd00::2 untagged,
10.0.0.2 / fd00:10::2 on VLAN 10, MAC 02:00:00:00:00:01): ARP, ICMP and ICMPv6 echo,
neighbour discovery, UDP, IPv4 and IPv6 fragments, and a few malformed ones. libFuzzer
mutates from here. Run it again to regenerate; the output is deterministic."""
import os
import sys

from scapy.all import (ARP, ICMP, IP, UDP, Dot1Q, Ether, ICMPv6EchoRequest,
                       ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6NDOptSrcLLAddr, IPv6,
                       IPv6ExtHdrFragment, IPv6ExtHdrHopByHop, Raw, fragment)

US = "02:00:00:00:00:01"
PEER = "02:00:00:00:00:02"
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus", "rx")
os.makedirs(out, exist_ok=True)

frames = {
    "arp-request": Ether(dst="ff:ff:ff:ff:ff:ff", src=PEER) / ARP(op=1, hwsrc=PEER, psrc="10.0.0.1", pdst="10.0.0.2"),
    "arp-reply": Ether(dst=US, src=PEER) / ARP(op=2, hwsrc=PEER, psrc="10.0.0.1", hwdst=US, pdst="10.0.0.2"),
    "arp-vlan10": Ether(dst="ff:ff:ff:ff:ff:ff", src=PEER) / Dot1Q(vlan=10) / ARP(op=1, hwsrc=PEER, psrc="10.0.0.1", pdst="10.0.0.2"),
    "arp-vlan30": Ether(dst="ff:ff:ff:ff:ff:ff", src=PEER) / Dot1Q(vlan=30) / ARP(op=1, hwsrc=PEER, psrc="10.0.0.1", pdst="10.0.0.2"),
    "icmp-echo": Ether(dst=US, src=PEER) / IP(src="10.0.0.1", dst="10.0.0.2") / ICMP(id=7, seq=1) / Raw(b"x" * 56),
    "icmp-echo-ttl1": Ether(dst=US, src=PEER) / IP(src="10.0.0.1", dst="10.0.0.2", ttl=1) / ICMP(id=7, seq=2),
    "icmp-echo-bcast": Ether(dst="ff:ff:ff:ff:ff:ff", src=PEER) / IP(src="10.0.0.1", dst="10.0.0.255") / ICMP(),
    "ip-bad-cksum": Ether(dst=US, src=PEER) / IP(src="10.0.0.1", dst="10.0.0.2", chksum=0x1234) / ICMP(),
    "ip-options": Ether(dst=US, src=PEER) / IP(src="10.0.0.1", dst="10.0.0.2", options=b"\x01\x01\x01\x00") / ICMP(),
    "udp-9": Ether(dst=US, src=PEER) / IP(src="10.0.0.1", dst="10.0.0.2") / UDP(sport=4000, dport=9) / Raw(b"hello"),
    "udp-closed": Ether(dst=US, src=PEER) / IP(src="10.0.0.1", dst="10.0.0.2") / UDP(sport=4000, dport=7777) / Raw(b"?"),
    "udp-4791": Ether(dst=US, src=PEER) / IP(src="10.0.0.1", dst="10.0.0.2", flags="DF") / UDP(sport=0xc001, dport=4791, chksum=0)
    / Raw(bytes.fromhex("0400ffff000000118000000170696e67") + b"\x1f\x3c\xe4\x22"),
    "tcp-syn": Ether(dst=US, src=PEER) / IP(src="10.0.0.1", dst="10.0.0.2") / bytes.fromhex(
        "c35000500000000100000000a002faf000000000020405b40402080a000000010000000001030307"),
    "icmp6-echo": Ether(dst=US, src=PEER) / IPv6(src="fd00::1", dst="fd00::2") / ICMPv6EchoRequest(id=1, seq=1, data=b"y" * 32),
    "nd-ns": Ether(dst="33:33:ff:00:00:02", src=PEER) / IPv6(src="fd00::1", dst="ff02::1:ff00:2", hlim=255)
    / ICMPv6ND_NS(tgt="fd00::2") / ICMPv6NDOptSrcLLAddr(lladdr=PEER),
    "nd-na": Ether(dst=US, src=PEER) / IPv6(src="fd00::1", dst="fd00::2", hlim=255) / ICMPv6ND_NA(tgt="fd00::1", R=0, S=1, O=1),
    "ip6-hbh": Ether(dst=US, src=PEER) / IPv6(src="fd00::1", dst="fd00::2") / IPv6ExtHdrHopByHop() / ICMPv6EchoRequest(),
    "udp6-9": Ether(dst=US, src=PEER) / IPv6(src="fd00::1", dst="fd00::2") / UDP(sport=4000, dport=9) / Raw(b"six"),
}
big = IP(src="10.0.0.1", dst="10.0.0.2", id=99) / ICMP(id=9, seq=9) / Raw(b"z" * 3000)
for i, f in enumerate(fragment(big, fragsize=1480)):
    frames[f"ip-frag{i}"] = Ether(dst=US, src=PEER) / f
big6 = IPv6(src="fd00::1", dst="fd00::2") / IPv6ExtHdrFragment(id=5) / ICMPv6EchoRequest(data=b"q" * 2000)
from scapy.all import fragment6
for i, f in enumerate(fragment6(big6, 1280)):
    frames[f"ip6-frag{i}"] = Ether(dst=US, src=PEER) / f

for name, pkt in sorted(frames.items()):
    raw = bytes(pkt)
    with open(os.path.join(out, name), "wb") as fh:
        fh.write(bytes([1]) + raw)
    # A truncated twin of every frame: parsers must not read past the end.
    with open(os.path.join(out, name + "-trunc"), "wb") as fh:
        fh.write(bytes([0]) + raw[: max(1, len(raw) // 2)])
print(f"wrote {2 * len(frames)} seeds to {out}")
