#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The kernel-side echo server of the TCP interop tests: accept one connection on PORT
(IPv4 or IPv6 by FAMILY), send back every byte as it arrives, close after the peer's FIN.

One loop that reads, then writes what it read before reading again. `socat ... PIPE` is not
usable as the echo peer: it writes into its own pipe with blocking writes, and once that pipe
is full it waits forever for itself to drain it, so its receive window closes and the
transfer stalls whatever the TCP peer does (seen as `wchan=anon_pipe_write`)."""
import socket
import sys


def main() -> int:
    if len(sys.argv) != 3 or sys.argv[1] not in ("4", "6"):
        print("usage: tcp_echo_server.py 4|6 PORT", file=sys.stderr)
        return 2
    fam = socket.AF_INET6 if sys.argv[1] == "6" else socket.AF_INET
    ls = socket.socket(fam, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", int(sys.argv[2])))
    ls.listen(1)
    conn, _ = ls.accept()
    ls.close()
    total = 0
    with conn:
        while True:
            buf = conn.recv(1 << 16)
            if not buf:
                break
            conn.sendall(buf)
            total += len(buf)
        conn.shutdown(socket.SHUT_WR)
    print(f"tcp_echo_server: echoed {total} bytes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
