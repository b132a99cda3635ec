#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""A user-space 802.1Q access switch for kernels without VLAN devices (no CONFIG_VLAN_8021Q).

    vlan_switch.py TRUNK VID=ACCESS [VID=ACCESS ...]

Frames arriving untagged on an ACCESS device leave TRUNK tagged with its VID; frames arriving
on TRUNK with a VID leave that VID's ACCESS device untagged; anything else is dropped. Runs
until killed. Used by scripts/netns/vlan-tenant.sh to put two kernel namespaces on VLANs 10
and 20 of ursad's wire when the kernel cannot make VLAN sub-interfaces itself.
"""
import select
import socket
import struct
import sys

ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_AUXDATA = 8
PACKET_OUTGOING = 4
TP_STATUS_VLAN_VALID = 1 << 4


def open_dev(name):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    s.bind((name, 0))
    return s


def receive(s):
    """One frame as (bytes with any VLAN tag put back in place, pkttype)."""
    data, anc, _, addr = s.recvmsg(65536, socket.CMSG_SPACE(20))
    for level, typ, cdata in anc:
        if level == SOL_PACKET and typ == PACKET_AUXDATA and len(cdata) >= 20:
            status, _, _, _, _, tci, tpid = struct.unpack("=IIIHHHH", cdata[:20])
            if status & TP_STATUS_VLAN_VALID:
                # The kernel took the tag off into metadata: put it back.
                data = data[:12] + struct.pack("!HH", tpid or 0x8100, tci) + data[12:]
    return data, addr[2]


def main():
    trunk = open_dev(sys.argv[1])
    by_vid, by_sock = {}, {}
    for arg in sys.argv[2:]:
        vid, dev = arg.split("=", 1)
        s = open_dev(dev)
        by_vid[int(vid)] = s
        by_sock[s] = int(vid)
    socks = [trunk] + list(by_sock)
    print("vlan_switch: ready", flush=True)
    while True:
        for s in select.select(socks, [], [])[0]:
            data, pkttype = receive(s)
            if pkttype == PACKET_OUTGOING or len(data) < 14:
                continue
            if s is trunk:
                if data[12:14] != b"\x81\x00" or len(data) < 18:
                    continue
                vid = struct.unpack("!H", data[14:16])[0] & 0x0FFF
                out = by_vid.get(vid)
                if out is not None:
                    out.send(data[:12] + data[16:])
            elif data[12:14] != b"\x81\x00":
                tag = struct.pack("!HH", 0x8100, by_sock[s])
                trunk.send(data[:12] + tag + data[12:])


if __name__ == "__main__":
    main()
