#!/usr/bin/env bash
# Takes the README's and the user guide's screenshots: runs drover under Xvfb on a demo data
# directory and saves the main window with --screenshot. Runs inside the build root.
set -euo pipefail
build=${1:-build}
src=$(cd "$(dirname "$0")/.." && pwd)
exe="$src/$build/app/drover"
out="$src/docs/images"
mkdir -p "$out"
data=$(mktemp -d /tmp/drover-shot-XXXXXX)
trap 'rm -rf "$data"' EXIT

# A small lab, made through the same commands a user would type.
d() { "$exe" --data "$data" "$@" >/dev/null; }
d machine add pc-01 --mac 52:54:00:00:01:01 --label group=room-a
d machine add pc-02 --mac 52:54:00:00:01:02 --label group=room-a
d machine add pc-03 --mac 52:54:00:00:01:03 --label group=room-a
d machine add bench-1 --mac 52:54:00:00:02:01 --label group=bench

export HOME="$data/home" XDG_CONFIG_HOME="$data/config"

# The main window of a lab at work — several images, machines in every state, a rollout under
# way, the server serving — at 1280x800 and in a dark palette, as tst_windowlayout checks it.
shots=$(mktemp -d /tmp/drover-shots-XXXXXX)
(cd "$shots" && xvfb-run -a -s "-screen 0 2560x1440x24" env QT_QPA_PLATFORM=xcb \
  "$src/$build/tests/tst_windowlayout" "layout:1280x800" "layout:1280x800 dark" >/dev/null)
cp "$shots/main-window-1280x800.png" "$out/main-window.png"
cp "$shots/main-window-1280x800-dark.png" "$out/main-window-dark.png"
rm -rf "$shots"
echo "screenshots: $out/main-window.png $out/main-window-dark.png"

# The fleet grouped by the label "room" (Group by), with a few more machines.
d machine add lab-01 --mac 52:54:00:00:03:01 --label group=room-b --label room=101
d machine add lab-02 --mac 52:54:00:00:03:02 --label group=room-b --label room=101
d machine add lab-03 --mac 52:54:00:00:03:03 --label group=room-b --label room=102
mkdir -p "$XDG_CONFIG_HOME/drover"
printf '[fleet]\ngroupBy=group\n' >>"$XDG_CONFIG_HOME/drover/drover.conf"
xvfb-run -a -s "-screen 0 1440x900x24" "$exe" --data "$data" --screenshot "$out/fleet-grouped.png"
echo "screenshot: $out/fleet-grouped.png"

# The details pane's Hardware and Tests tabs, from the widget test that renders them with a
# machine's inventory and burn-in (offscreen: the same painting as on a screen).
DROVER_SCREENSHOT_DIR="$out" DROVER_SCREENSHOT_QM="$src/$build/app/drover_en.qm" QT_QPA_PLATFORM=offscreen "$src/$build/tests/tst_machinedetails" tabScreenshots >/dev/null
echo "screenshots: $out/hardware-tab.png $out/tests-tab.png"
