#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the seed corpus of fuzz_tcp (its input format is described in fuzz_tcp.c): short
conversations with the harness's stack, a passive and an active open over IPv4 and IPv6
with data both ways, SACK, timestamps, window scale, out-of-order data, a zero window, FIN
and RST. The harness fixes ports, sequence and acknowledgment numbers up, so the seeds
reach established connections and libFuzzer mutates from there. Run it again to regenerate;
the output is deterministic. No dependencies beyond Python."""
import os
import struct
import sys

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus", "tcp")
os.makedirs(out, exist_ok=True)

SYN, FIN, RST, PSH, ACK = 0x02, 0x01, 0x04, 0x08, 0x10
F_V6, F_PORTS, F_ACTIVE, F_SEQ, F_ACK, F_DOFF = 1, 2, 4, 8, 16, 32


def opts_syn():
    # mss 1460, sackOK, TS val 1 ecr 0, nop, wscale 7
    return bytes([2, 4, 0x05, 0xb4, 4, 2, 8, 10]) + struct.pack(">II", 1, 0) + bytes([1, 3, 3, 7])


def opt_ts(val):
    return bytes([1, 1, 8, 10]) + struct.pack(">II", val, 0)


def opt_sack(blocks):
    b = bytes([1, 1, 5, 2 + 8 * len(blocks)])
    for s, e in blocks:
        b += struct.pack(">II", s, e)
    return b


def seg(fix, flags, seq=0, ack=0, win=65535, opts=b"", payload=b""):
    """op 0: fix-up byte, length, TCP header + options + payload."""
    fix |= F_PORTS | F_DOFF
    hdr = struct.pack(">HHIIBBHHH", 0, 0, seq, ack, (5 + len(opts) // 4) << 4, flags, win, 0, 0)
    body = hdr + opts + payload
    assert len(body) <= 255 and len(opts) <= 40 and len(opts) % 4 == 0
    return bytes([0, fix, len(body)]) + body


def wait(b):
    return bytes([3, b])


ACCEPT = bytes([4])


def call(conn, what, n=0):
    assert n < 8
    return bytes([5, (n << 5) | (what << 2) | conn])


SEND, RECV, SHUT, CLOSE, NODELAY, KEEPALIVE, LINGER0, PEEK = range(8)


def connect(b):
    return bytes([6, b])


def passive(v6):
    f = F_V6 if v6 else 0
    return (seg(f, SYN, seq=1000, opts=opts_syn())
            + seg(f | F_SEQ | F_ACK, ACK, opts=opt_ts(2))
            + ACCEPT
            + seg(f | F_SEQ | F_ACK, PSH | ACK, opts=opt_ts(3), payload=b"a" * 100)
            + call(0, RECV)
            + call(0, SEND, 3)
            + seg(f | F_SEQ | F_ACK, ACK, opts=opt_ts(4))
            + seg(f | F_SEQ | F_ACK, FIN | ACK, opts=opt_ts(5))
            + call(0, CLOSE)
            + seg(f | F_SEQ | F_ACK, ACK, opts=opt_ts(6))
            + wait(245))


seeds = {
    "passive-v4": passive(False),
    "passive-v6": passive(True),
    "active-sack": (connect(0)
                    + seg(F_ACTIVE | F_ACK, SYN | ACK, seq=5000, opts=opts_syn())
                    + call(0, NODELAY)
                    + call(0, SEND, 7)
                    + seg(F_ACTIVE | F_SEQ, ACK, ack=0, opts=opt_sack([(0, 0)]))
                    + seg(F_ACTIVE | F_SEQ | F_ACK, ACK, opts=opt_ts(9) + opt_sack([(1, 2)]))
                    + wait(250)
                    + call(0, SHUT)
                    + seg(F_ACTIVE | F_SEQ | F_ACK, FIN | ACK)
                    + wait(240)),
    "active-v6-rst": (connect(1)
                      + seg(F_ACTIVE | F_ACK | F_V6, SYN | ACK, seq=7, opts=opts_syn())
                      + seg(F_ACTIVE | F_SEQ | F_ACK | F_V6, RST | ACK)
                      + wait(10)),
    "ooo-zero-window": (seg(0, SYN, seq=1000, opts=opts_syn())
                        + seg(F_SEQ | F_ACK, ACK, opts=opt_ts(2))
                        + ACCEPT
                        + seg(F_ACK, PSH | ACK, seq=1101, opts=opt_ts(3), payload=b"b" * 50)
                        + seg(F_SEQ | F_ACK, PSH | ACK, opts=opt_ts(4), payload=b"c" * 100)
                        + call(0, SEND, 7) + call(0, SEND, 7)
                        + seg(F_SEQ | F_ACK, ACK, win=0, opts=opt_ts(5))
                        + wait(200) + wait(242)
                        + seg(F_SEQ | F_ACK, ACK, win=4096, opts=opt_ts(6))
                        + call(0, LINGER0) + call(0, CLOSE)),
    "syn-in-established": (seg(0, SYN, seq=1000, opts=opts_syn())
                           + seg(F_SEQ | F_ACK, ACK, opts=opt_ts(2))
                           + seg(F_SEQ, SYN, opts=opts_syn())
                           + seg(F_SEQ | F_ACK, RST)
                           + ACCEPT + call(0, RECV)),
    "keepalive": (seg(0, SYN, seq=1, opts=opts_syn())
                  + seg(F_SEQ | F_ACK, ACK)
                  + ACCEPT + call(0, KEEPALIVE)
                  + wait(241) + wait(241) + wait(241)),
    "bad-options": seg(0, SYN, seq=1, opts=bytes([2, 4, 0, 0, 3, 3, 14, 4, 2, 0, 8, 9])),
}

for name, data in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
print(f"wrote {len(seeds)} seeds to {out}")
