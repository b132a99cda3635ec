#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Verify the ICRC of every RoCEv2 frame (IPv4, UDP 4791) in a classic pcap file.

ICRC = CRC-32 (zlib's) over 8 bytes of 0xFF, the IPv4 header with TOS, TTL and header
checksum set to 0xFF, the UDP header with its checksum set to 0xFF, the BTH with byte 4 set to
0xFF, then the rest up to the ICRC; on the wire least-significant byte first.
Prints "frames=N bad=M" and exits 1 when a frame fails (or when there are none).
  icrc_check.py FILE.pcap
"""
import struct
import sys
import zlib


def frames(path):
    with open(path, "rb") as f:
        hdr = f.read(24)
        magic = struct.unpack("<I", hdr[:4])[0]
        end = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                return
            _, _, incl, _ = struct.unpack(end + "IIII", rec)
            yield f.read(incl)


def icrc_ok(fr):
    off = 14
    if struct.unpack("!H", fr[12:14])[0] == 0x8100:
        off = 18
    if struct.unpack("!H", fr[off - 2:off])[0] != 0x0800 or len(fr) < off + 20:
        return None
    ihl = (fr[off] & 0xF) * 4
    if fr[off + 9] != 17:
        return None
    udp = off + ihl
    if struct.unpack("!H", fr[udp + 2:udp + 4])[0] != 4791:
        return None
    tot = struct.unpack("!H", fr[off + 2:off + 4])[0]
    pkt = bytearray(fr[off:off + tot])
    pkt[1] = 0xFF
    pkt[8] = 0xFF
    pkt[10:12] = b"\xff\xff"
    pkt[ihl + 6:ihl + 8] = b"\xff\xff"
    pkt[ihl + 8 + 4] = 0xFF
    want = struct.unpack("<I", bytes(pkt[-4:]))[0]
    return zlib.crc32(bytes(pkt[:-4]), zlib.crc32(b"\xff" * 8)) == want


def main():
    n = bad = 0
    for fr in frames(sys.argv[1]):
        ok = icrc_ok(fr)
        if ok is None:
            continue
        n += 1
        bad += not ok
    print(f"frames={n} bad={bad}")
    return 0 if n > 0 and bad == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
