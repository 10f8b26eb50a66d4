#!/usr/bin/env bash
# `make run`: opens the built Drover, under Xvfb when there is no display. Started through
# sudo, the window runs as the user who called sudo, not as root — the way the package runs
# it (docs/architecture.md, Privileges): a copy of the built binary, BUILD/app/drover-run, gets
# cap_net_bind_service, as the package's postinst gives /usr/bin/drover, so the user's
# window serves on ports 67 and 69 (a copy: the tests hold the built one to running without);
# building images goes through the build helper and pkexec. Runs where the build ran (the
# build root, or a Debian 13 host).
#   tools/run.sh BUILD_DIR [drover's arguments…]
#   RUN_UID, RUN_GID, RUN_HOME: the user (default: SUDO_UID, SUDO_GID and that user's home)
set -euo pipefail
build=${1:?usage: tools/run.sh BUILD_DIR [ARGS…]}
shift
exe=$build/app/drover
[[ -x $exe ]] || { echo "run: $exe is not built" >&2; exit 1; }
uid=${RUN_UID:-${SUDO_UID:-}}
as_user=() # the change of user, before everything else (xvfb-run too: its X authority file is the user's)
cmd=("$exe" "$@")
if ((EUID == 0)) && [[ -n $uid && $uid != 0 ]]; then
  gid=${RUN_GID:-${SUDO_GID:-$uid}}
  home=${RUN_HOME:-$HOME}
  run_exe=$build/app/drover-run
  if [[ ! -e $run_exe || $exe -nt $run_exe ]]; then
    cp "$exe" "$run_exe.new" && mv -f "$run_exe.new" "$run_exe"
  fi
  setcap cap_net_bind_service=ep "$run_exe" || echo "run: setcap on $run_exe failed: the window will not bind ports 67 and 69" >&2
  cmd[0]=$run_exe
  echo "run: the window runs as uid $uid (who called sudo), HOME $home; $run_exe may bind ports below 1024 (cap_net_bind_service)" >&2
  name=$(id -nu "$uid" 2>/dev/null || echo "$uid")
  as_user=(setpriv --reuid="$uid" --regid="$gid" --clear-groups env HOME="$home" USER="$name" LOGNAME="$name")
elif ((EUID == 0)); then
  echo "run: running as root; start it with sudo from your own account to run the window as yourself" >&2
fi
if [[ -z ${DISPLAY:-}${WAYLAND_DISPLAY:-} ]]; then
  echo "run: no display (DISPLAY is unset): starting Drover under Xvfb; use tools/screenshot.sh to see it" >&2
  cmd=(xvfb-run -a -s "-screen 0 1440x900x24" "${cmd[@]}")
fi
exec "${as_user[@]}" "${cmd[@]}"
