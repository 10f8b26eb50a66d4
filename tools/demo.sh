#!/usr/bin/env bash
# `make demo`: Drover's story, headless, each step timed. It tells as much of the story as
# this build can: build the reference image, serve it, netboot a qemu VM to ready, assign a
# new version, reboot, roll back. Runs inside the build root; argument: the build dir.
set -euo pipefail
build=${1:-build}
src=$(cd "$(dirname "$0")/.." && pwd)
exe="$src/$build/app/drover"
data=${DEMO_DATA:-$(mktemp -d /tmp/drover-demo-XXXXXX)}
port=${DEMO_HTTP_PORT:-18080}
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [[ -n ${DEMO_DATA:-} ]] || rm -rf "$data"
}
trap cleanup EXIT

t0=$(date +%s.%N)
step_started=0
step() {
  step_started=$(date +%s.%N)
  printf '\n\033[1m▶ %s\033[0m\n' "$*"
}
done_step() {
  local now
  now=$(date +%s.%N)
  awk -v a="$step_started" -v b="$now" -v t="$t0" 'BEGIN { printf "  ✓ %.1f s (total %.1f s)\n", b - a, b - t }'
}
d() { "$exe" --data "$data" "$@"; }
has_verb() { d --help | grep -q "^  $1"; }

echo "Drover demo — data in $data"

step "A lab of three machines in group 'demo'"
for i in 1 2 3; do d machine add "vm-$i" --mac "52:54:00:de:00:0$i" --label group=demo; done
d machine ls
done_step

if ! has_verb build; then
  echo
  echo "This build has no image builder yet: the story stops here."
  exit 0
fi
