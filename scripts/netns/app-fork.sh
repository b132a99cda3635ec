#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# fork after socket and exec with an open socket through libursa-preload.so, as
# docs/app-channel.md defines them (scripts/netns/app_fork.py does the checks): the parent's
# stream to the kernel arrives whole and in order around a fork whose child uses a socket of
# its own; after exec the new program's socket works. The channel returns to its baseline.
T=app-fork N=67
. "$(dirname "$0")/app-common.sh"
command -v nc >/dev/null || lab_skip "nc is not installed"
start_app_ursad

# listen PORT: a kernel nc that keeps what it receives in $LAB_TMP/PORT.out
listen() {
	kexec timeout 60 nc -l "$KERN_IP" "$1" >"$LAB_TMP/$1.out" 2>/dev/null &
	eval "KP$1=$!"
	kwait_listen "$1"
}
listen 7101
listen 7102
uexec timeout 30 python3 "$LAB_TOP/scripts/netns/app_fork.py" "$KERN_IP" 7101 fork ||
	lab_fail "fork checks failed"
wait "$KP7101" "$KP7102" || true
[ "$(cat "$LAB_TMP/7101.out")" = "$(printf 'parent-1\nparent-2')" ] ||
	lab_fail "the parent's stream: '$(cat "$LAB_TMP/7101.out")'"
[ "$(cat "$LAB_TMP/7102.out")" = "child-own" ] ||
	lab_fail "the child's stream: '$(cat "$LAB_TMP/7102.out")'"
echo "fork: the parent's socket works around the fork; the child's own socket works"

listen 7103
listen 7104
uexec timeout 30 python3 "$LAB_TOP/scripts/netns/app_fork.py" "$KERN_IP" 7103 exec ||
	lab_fail "exec checks failed"
wait "$KP7104" || true
[ "$(cat "$LAB_TMP/7104.out")" = "after-exec" ] ||
	lab_fail "after exec: '$(cat "$LAB_TMP/7104.out")'"
echo "exec: the inherited descriptor is no socket; the new program's socket works"
chan_baseline
lab_stop "$UP" || lab_fail "ursad exited with status $?"
echo "PASS: fork and exec through libursa-preload.so behave as documented"
