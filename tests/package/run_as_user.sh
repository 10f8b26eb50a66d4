#!/usr/bin/env bash
# `make run` through sudo (ctest make_run_user): the window must run as the user who called
# sudo, not as root, with the built binary allowed to bind the boot ports, and everything it
# writes in that user's home must be that user's. SUDO_UID and SUDO_GID are set as sudo sets
# them; the window opens under Xvfb (no display here) and saves a screenshot as it quits.
#   run_as_user.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=${1:?usage: run_as_user.sh SOURCE_DIR BUILD_DIR} build=${2:?usage: run_as_user.sh SOURCE_DIR BUILD_DIR}
. "$src/tools/e2e/common.sh"
((EUID == 0)) || e2e_skip "needs root (sudo's part: setcap and the change of user)"
fail() { printf 'make_run_user: FAIL: %s\n' "$*" >&2; exit 1; }
uid=61310
home=$(mktemp -d "${TMPDIR:-/tmp}/drover-run-user.XXXXXX")
trap 'rm -rf "$home"' EXIT
chown "$uid:$uid" "$home"
rc=0
env -u DISPLAY -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM SUDO_UID=$uid SUDO_GID=$uid \
  make -C "$src" --no-print-directory run BUILD="$build" RUN_HOME="$home" ARGS="--screenshot $home/window.png" \
  >"$home/run.log" 2>&1 || rc=$?
((rc == 0)) || { cat "$home/run.log" >&2; fail "make run exited with $rc"; }
grep -q "the window runs as uid $uid" "$home/run.log" || { cat "$home/run.log" >&2; fail "make run did not say whom the window runs as"; }
[[ -s $home/window.png ]] || { cat "$home/run.log" >&2; fail "no screenshot: the window did not open"; }
[[ $(stat -c %u "$home/window.png") == "$uid" ]] || fail "the window ran as uid $(stat -c %u "$home/window.png"), not $uid"
[[ -d $home/.local/share/drover ]] || fail "no data directory in the user's home"
others=$(find "$home/.local" ! -uid "$uid" -print | head -n 5)
[[ -z $others ]] || fail "files in the user's data directory that are not the user's: $others"
getcap "$build/app/drover-run" | grep -q 'cap_net_bind_service=ep' ||
  fail "the window's drover may not bind the boot ports: $(getcap "$build/app/drover-run")"
[[ -z $(getcap "$build/app/drover") ]] || fail "the built drover got a capability: the tests of its refusals would pass for the wrong reason"
echo "make_run_user: PASS: the window ran as uid $uid with its data in the user's home; $(getcap "$build/app/drover-run")" >&2
