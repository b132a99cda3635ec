#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# fork and exec through libursa-preload.so (app-fork.sh), as docs/app-channel.md defines them:
#   fork: the child cannot use the parent's socket (EBADF), may close it without harm to the
#         parent, and gets sockets of its own; the parent's socket goes on working;
#   exec: a socket marked inheritable is, after exec, a descriptor that is no socket
#         (ENOTSOCK), and the new program's own sockets work.
import errno
import os
import socket
import sys

ip, port, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
if mode == "fork":
    s = socket.create_connection((ip, port))
    s.sendall(b"parent-1\n")
    pid = os.fork()
    if pid == 0:
        try:
            s.send(b"child\n")
            os._exit(3)
        except OSError as e:
            if e.errno != errno.EBADF:
                os._exit(4)
        s.close()
        c = socket.create_connection((ip, port + 1))
        c.sendall(b"child-own\n")
        c.close()
        os._exit(0)
    _, st = os.waitpid(pid, 0)
    if os.WEXITSTATUS(st) != 0:
        sys.exit("child failed: %d" % os.WEXITSTATUS(st))
    s.sendall(b"parent-2\n")
    s.close()
elif mode == "exec":
    s = socket.create_connection((ip, port))
    s.sendall(b"before-exec\n")
    os.set_inheritable(s.fileno(), True)
    os.execvp(sys.executable, [sys.executable, sys.argv[0], ip, str(port + 1), "after",
                               str(s.fileno())])
else:  # after exec: the inherited fd is no socket; a new socket works
    try:
        socket.socket(fileno=int(sys.argv[4]))
        sys.exit("the inherited descriptor still looks like a socket")
    except OSError as e:
        if e.errno != errno.ENOTSOCK:
            sys.exit("inherited descriptor: %s" % e)
    c = socket.create_connection((ip, port))
    c.sendall(b"after-exec\n")
    c.close()
print("ok", mode)
