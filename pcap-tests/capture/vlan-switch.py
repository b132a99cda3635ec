#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""A minimal 802.1Q switch for scripts/pcap-capture, on kernels without VLAN devices.

The test kernel has no 8021q module (no VLAN sub-interfaces) and no VLAN-filtering bridge,
so scripts/pcap-capture joins untagged kernel hosts to a tagged wire through this relay:

    A hosts --(access a<V>)--> [tag V] --> trunk ta ==veth== trunk tb --> [untag V] --(access b<V>)--> B hosts

Frames from an access port of VLAN V are tagged with V (VLAN 0: sent untagged) and sent on its
trunk end; tagged frames arriving on a trunk end go untagged to the access port of their VLAN
on that side, or are dropped when there is none, as a switch with no such VLAN does. Frames are
otherwise untouched: what crosses the wire is what the kernels sent, plus the tag.

Usage: vlan-switch.py TA TB SIDE:VLAN:IFNAME...  (SIDE a or b). Runs until killed.
"""
import select
import socket
import struct
import sys

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
SOL_PACKET = 263
PACKET_AUXDATA = 8
TP_STATUS_VLAN_VALID = 0x10


def opensock(ifname):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((ifname, 0))
    # Received tags are taken out of the frame by the kernel (skb_vlan_untag) and reported in
    # the packet's auxiliary data.
    s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    return s


def receive(s):
    """One frame and its VLAN (0 when untagged); None for frames this host sent."""
    frame, anc, _, addr = s.recvmsg(65535, socket.CMSG_SPACE(20))
    if addr[2] == PACKET_OUTGOING:
        return None, 0
    vlan = 0
    for level, kind, data in anc:
        if level == SOL_PACKET and kind == PACKET_AUXDATA and len(data) >= 20:
            status, _, _, _, _, tci, _ = struct.unpack("=IIIHHHH", data[:20])
            if status & TP_STATUS_VLAN_VALID:
                vlan = tci & 0xFFF
    if not vlan and len(frame) >= 18 and frame[12:14] == b"\x81\x00":
        vlan = struct.unpack("!H", frame[14:16])[0] & 0xFFF
        frame = frame[:12] + frame[16:]
    return frame, vlan


def main():
    ta, tb = sys.argv[1], sys.argv[2]
    trunk = {"a": opensock(ta), "b": opensock(tb)}
    access = {}  # (side, vlan) -> socket
    where = {}  # socket -> (kind, side, vlan)
    for spec in sys.argv[3:]:
        side, vlan, ifname = spec.split(":")
        s = opensock(ifname)
        access[(side, int(vlan))] = s
        where[s] = ("access", side, int(vlan))
    for side, s in trunk.items():
        where[s] = ("trunk", side, None)
    print("vlan-switch ready", flush=True)
    while True:
        ready, _, _ = select.select(list(where), [], [])
        for s in ready:
            frame, v = receive(s)
            if frame is None:
                continue
            kind, side, vlan = where[s]
            if kind == "access":
                if vlan:
                    frame = frame[:12] + struct.pack("!HH", 0x8100, vlan) + frame[12:]
                trunk[side].send(frame)
            else:
                out = access.get((side, v))
                if out is not None:
                    out.send(frame)


if __name__ == "__main__":
    main()
