# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
# Shared by the ctl-* tests: common.sh's namespaces, ursad with a control socket of the test's
# own ($CTL, in a directory others may enter so that a non-root ursactl can connect), and
# ursactl ($URSACTL, else the build tree's).
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

URSACTL_BIN=$(lab_find_bin ursactl URSACTL) || lab_skip "ursactl is not in the build tree"
chmod 755 "$LAB_TMP"
CTL=$LAB_TMP/ctl.sock

# ctl ARGS...: ursactl as root on the test's socket (exit status passed on).
ctl() { "$URSACTL_BIN" --socket "$CTL" "$@"; }
# ctl_nobody ARGS...: the same as user nobody.
ctl_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$URSACTL_BIN" --socket "$CTL" "$@"
}
# ctl_json EXPR ARGS...: evaluate EXPR on the answer's data (as j) of ursactl --json ARGS.
ctl_json() {
	local expr=$1
	shift
	ctl --json "$@" >"$LAB_TMP/ans.json" || lab_fail "ursactl $* failed"
	lab_json "$LAB_TMP/ans.json" "$expr"
}
# expect_fail STATUS PATTERN CMD...: CMD exits with STATUS and says PATTERN on stderr.
expect_fail() {
	local want=$1 pat=$2 rc=0
	shift 2
	"$@" >"$LAB_TMP/out" 2>"$LAB_TMP/err" || rc=$?
	[ "$rc" -eq "$want" ] || { cat "$LAB_TMP/err"; lab_fail "$* exited $rc, not $want"; }
	grep -q -- "$pat" "$LAB_TMP/err" || { cat "$LAB_TMP/err"; lab_fail "$*: no '$pat' in its error"; }
}
