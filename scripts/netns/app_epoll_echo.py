#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# An echo server on epoll (selectors.EpollSelector, non-blocking sockets), run through
# libursa-preload.so by app-nc.sh: serves COUNT connections one after another or together,
# echoing everything until each peer closes, then exits 0.
import selectors
import socket
import sys

addr, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
sel = getattr(selectors, sys.argv[4] if len(sys.argv) > 4 else "EpollSelector")()
ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind((addr, port))
ls.listen(8)
ls.setblocking(False)
sel.register(ls, selectors.EVENT_READ)
done = 0
pending = {}
while done < count:
    for key, ev in sel.select(timeout=30):
        s = key.fileobj
        if s is ls:
            c, _ = ls.accept()
            c.setblocking(False)
            pending[c] = b""
            sel.register(c, selectors.EVENT_READ)
            continue
        if ev & selectors.EVENT_READ:
            try:
                data = s.recv(65536)
            except BlockingIOError:
                continue
            if not data:
                if pending[s]:
                    s.setblocking(True)
                    s.sendall(pending[s])
                sel.unregister(s)
                s.shutdown(socket.SHUT_WR)
                s.close()
                del pending[s]
                done += 1
                continue
            pending[s] += data
        if pending.get(s):
            try:
                n = s.send(pending[s])
                pending[s] = pending[s][n:]
            except BlockingIOError:
                pass
            sel.modify(s, selectors.EVENT_READ | (selectors.EVENT_WRITE if pending[s] else 0))
print("served", done)
