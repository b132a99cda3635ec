#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Control clients that misbehave cannot stall ursad: a ninth client, a line without end, a
# client that sends requests and never reads the answers, binary garbage, fds nobody asked
# for, and a client that hangs up in the middle of its capture. Each is refused or dropped
# and counted (block "ctl"); ursad keeps answering pings and well-behaved clients.
T=ctl-abuse N=44
. "$(dirname "$0")/ctl-common.sh"
lab_addr "$K" vk "$KERN_IP/24"

start_ursad --no-announce --ctl-socket "$CTL"
lab_wait 10 test -S "$CTL" || lab_fail "no control socket"

python3 - "$CTL" "$LAB_TMP" <<'PY' || lab_fail "a misbehaving client was not handled"
import json, os, socket, sys, time
path, tmp = sys.argv[1], sys.argv[2]

def conn():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(path)
    return s

def ask(s, line, fds=None):
    if fds:
        socket.send_fds(s, [line.encode() + b"\n"], fds)
    else:
        s.sendall(line.encode() + b"\n")
    buf = b""
    while not buf.endswith(b"\n"):
        chunk = s.recv(1 << 16)
        assert chunk, "closed without an answer"
        buf += chunk
    return json.loads(buf)

def closed(s):
    try:
        return s.recv(1) == b""
    except ConnectionResetError:
        return True

def ctl_counter(name):
    with conn() as s:
        return ask(s, "stats")["data"]["shards"][0]["counters"]["ctl"][name]

# a ninth client is closed at once; the eight keep working
eight = [conn() for _ in range(8)]
for s in eight:
    assert ask(s, "settings")["ok"]
ninth = conn()
assert closed(ninth), "a ninth client was kept"
for s in eight:
    s.close()
time.sleep(0.5)
assert ctl_counter("drop_too_many_clients") >= 1

# a line that never ends
s = conn()
s.sendall(b"x" * 4096)
assert closed(s), "an endless line was kept"
assert ctl_counter("drop_line_too_long") == 1

# garbage: an unknown command, answered; the client stays
s = conn()
ans = ask(s, "\x01\x02\xff\xfe garbage")
assert not ans["ok"] and "unknown command" in ans["error"], ans
assert ask(s, "interfaces")["ok"]
s.close()

# fds nobody asked for: kept one per request at most, the others closed and counted
s = conn()
fds = [os.open("/dev/null", os.O_RDONLY) for _ in range(3)]
assert ask(s, "settings", fds)["ok"]
for fd in fds:
    os.close(fd)
s.close()
assert ctl_counter("drop_bad_fd") == 2

# requests that are never read: dropped once the socket buffer is full
s = conn()
s.setblocking(False)
sent = 0
t0 = time.time()
try:
    while time.time() - t0 < 20:
        try:
            s.send(b"stats\n" * 100)
            sent += 100
        except BlockingIOError:
            time.sleep(0.05)
except (BrokenPipeError, ConnectionResetError):
    pass
s.close()
assert ctl_counter("drop_slow_reader") == 1, "a client that never reads was kept"
print(f"a client that never read was dropped after {sent} requests")

# a capture whose client hangs up: ended (a failed request), and the next capture works
failed = ctl_counter("failed")
s = conn()
fd = os.open(f"{tmp}/gone.pcapng", os.O_WRONLY | os.O_CREAT, 0o600)
socket.send_fds(s, [b"capture 0 count=1000 seconds=60\n"], [fd])
os.close(fd)
time.sleep(0.5)
s.close()
for _ in range(50):
    if ctl_counter("failed") == failed + 1:
        break
    time.sleep(0.1)
assert ctl_counter("failed") == failed + 1, "a capture outlived its client"
fd = os.open(f"{tmp}/next.pcapng", os.O_WRONLY | os.O_CREAT, 0o600)
with conn() as s2:
    s2.settimeout(15)
    ans = ask(s2, "capture 0 count=1000 seconds=1", [fd])
os.close(fd)
assert ans["ok"], ans
print("ok")
PY
[ "$(kexec ping -n -q -c 3 -i 0.2 "$URSA_IP" | grep -c ' 0% packet loss')" -eq 1 ] ||
	lab_fail "ursad stopped answering pings"
ctl stats >/dev/null || lab_fail "ursactl stats after the abuse"
lab_stop "$UP" || lab_fail "ursad exited with status $?"
echo "PASS: misbehaving control clients are refused, dropped and counted; ursad unaffected"
