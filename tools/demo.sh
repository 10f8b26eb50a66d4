#!/usr/bin/env bash
# `make demo`: Drover's story on a laptop with no lab, headless, each step timed. Builds the
# reference image in three versions (:2 changes one file, :3 ships a readiness check that
# fails), starts three virtual machines in group "demo" that netboot :1 from Drover, rolls
# :2 out (tested in a throwaway VM first, one canary, then the rest), rolls the group back,
# and shows the two ways a bad :3 is stopped: by its test in a VM before any machine, and —
# without the test — at the canary, which is reverted while the other two never leave :1.
# Every "ready" is checked in the catalog: the state and image each machine reported.
# Runs inside the build root; argument: the build dir. Takes about nine minutes on two
# cores without KVM.
set -euo pipefail
build=${1:-build}
src=$(cd "$(dirname "$0")/.." && pwd)
source "$src/tools/e2e/common.sh" # e2e_break_recipe
exe="$src/$build/app/drover"
data=${DEMO_DATA:-$(mktemp -d /tmp/drover-demo-XXXXXX)}
port=${DEMO_HTTP_PORT:-18080}
pids=()
recipe_dir=
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [[ -n $recipe_dir ]] && rm -rf "$recipe_dir"
  [[ -n ${DEMO_DATA:-} ]] || rm -rf "$data"
}
trap cleanup EXIT

t0=$(date +%s.%N)
step_started=0
summary=()
step_title=
step() {
  step_started=$(date +%s.%N)
  step_title=$*
  printf '\n\033[1m▶ %s\033[0m\n' "$*"
}
done_step() {
  local now took
  now=$(date +%s.%N)
  took=$(awk -v a="$step_started" -v b="$now" 'BEGIN { printf "%.1f", b - a }')
  awk -v took="$took" -v b="$now" -v t="$t0" 'BEGIN { printf "  ✓ %s s (total %.1f s)\n", took, b - t }'
  summary+=("$(printf '%8s s  %s' "$took" "$step_title")")
}
since_step() { awk -v a="$step_started" -v b="$(date +%s.%N)" 'BEGIN { printf "%6.1f s", b - a }'; }
d() { "$exe" --data "$data" "$@"; }
die() {
  echo "  ✗ $*"
  echo "  the server's log: $data/server.log; consoles: $data/vms/"
  DEMO_DATA=${DEMO_DATA:-kept} # keep the data for a look
  trap - EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  exit 1
}

echo "Drover demo — data in $data"
# A field of the JSON Drover prints, by a path such as state or machines.0.name.
json_field() { python3 -c 'import json,sys
v = json.load(sys.stdin)
for k in sys.argv[1].split("."):
    v = v[int(k)] if isinstance(v, list) else v.get(k, "")
print(v)' "$1"; }
machine_state() {
  local j
  j=$(d --json machine show "$1")
  echo "$(json_field state <<<"$j") $(json_field currentImage <<<"$j")"
}
# Waits until each machine reports ready running TAG (in the catalog, from its own report).
wait_ready() {
  local tag=$1 timeout=900 m state waited want got
  shift
  for m in "$@"; do
    waited=0
    while state=$(machine_state "$m") && [[ $state != "ready $tag" ]]; do
      ((waited < timeout)) || die "$m did not reach ready with $tag in ${timeout} s (now: $state)"
      sleep 2
      waited=$((waited + 2))
    done
    # The digest the machine computed from the manifest it booted, as stored from its ready
    # report: not empty, and the image's own.
    want=$(d --json image inspect "$tag" | json_field manifestDigest)
    got=$(d --json events --machine "$m" --phase ready --limit 1 | sed -n 's/.*\[reported \(sha256:[0-9a-f]\{64\}\)\].*/\1/p' | head -n 1)
    [[ -n $got ]] || die "$m's ready report names no manifest digest"
    [[ $got == "$want" ]] || die "$m reported $got, but $tag is $want"
    echo "  [$(since_step)] $m is ready with $tag (reported ${got:0:19}…)"
  done
}
# Follows the rollout of group demo, printing what it says as it changes, until it ends;
# then checks it ended as expected.
follow_rollout() {
  local want=$1 last= j state message
  while :; do
    j=$(d --json rollout status demo)
    state=$(json_field 0.state <<<"$j")
    message=$(json_field 0.message <<<"$j")
    if [[ $message != "$last" ]]; then
      echo "  [$(since_step)] $message"
      last=$message
    fi
    [[ $state == running || $state == paused ]] || break
    sleep 2
  done
  [[ $state == "$want" ]] || die "the rollout ended $state, not $want"
}

recipe_dir=$(mktemp -d /tmp/drover-demo-recipe-XXXXXX)
cp -r "$src/examples/recipes/." "$recipe_dir/"

step "Build the reference image debian-server:1 (Debian 13, layers)"
d build "$recipe_dir/debian-server.json" --tag debian-server:1
done_step

step "Change one file and build debian-server:2 (only the top layer is rebuilt)"
echo "Welcome to debian-server version 2 — built by Drover" >"$recipe_dir/files/etc/motd"
d build "$recipe_dir/debian-server.json" --tag debian-server:2
done_step

step "Build debian-server:3, which ships a readiness check that fails"
e2e_break_recipe "$recipe_dir"
d build "$recipe_dir/debian-server.json" --tag debian-server:3
d image ls
done_step

step "A virtual lab: three qemu machines in group 'demo' netboot debian-server:1 from Drover"
d vm add --count 3 --group demo
d assign demo debian-server:1 --why "the lab's first image"
"$exe" --data "$data" --headless --dhcp off --http-port "$port" --tftp-port $((port + 1)) 2>"$data/server.log" &
pids+=($!)
for _ in $(seq 50); do curl -fs -o /dev/null "http://127.0.0.1:$port/boot.ipxe" && break; sleep 0.2; done
echo "  boot server on http://127.0.0.1:$port; the VMs' consoles in $data/vms/"
wait_ready debian-server:1 vm-1 vm-2 vm-3
d machine ls
done_step

step "Roll debian-server:2 out to 'demo': tested in a VM first, then one canary, then the rest"
d rollout start debian-server:2 --group demo --canary 1 --bake 10s --reboot --require-test >/dev/null
follow_rollout done
wait_ready debian-server:2 vm-1 vm-2 vm-3
done_step

step "Roll the group back to debian-server:1 and power-cycle it"
d rollback demo
for m in vm-1 vm-2 vm-3; do d power "$m" cycle; done
wait_ready debian-server:1 vm-1 vm-2 vm-3
done_step

step "Roll debian-server:3 out, requiring a passing test: it fails in its VM, no machine is touched"
d rollout start debian-server:3 --group demo --canary 1 --bake 10s --reboot --require-test >/dev/null
follow_rollout failed
for m in vm-1 vm-2 vm-3; do
  [[ $(machine_state "$m") == "ready debian-server:1" ]] || die "$m left debian-server:1"
done
echo "  vm-1, vm-2 and vm-3 still run debian-server:1"
done_step

step "Roll debian-server:3 out without the test: the canary fails and is reverted"
d rollout start debian-server:3 --group demo --canary 1 --bake 10s --reboot >/dev/null
follow_rollout failed
wait_ready debian-server:1 vm-1
for m in vm-2 vm-3; do
  [[ $(machine_state "$m") == "ready debian-server:1" ]] || die "$m left debian-server:1"
  d history "$m" | e2e_has "debian-server:3" && die "$m was assigned debian-server:3"
done
echo "  vm-2 and vm-3 never left debian-server:1"
d history vm-1
done_step

echo
echo "Demo complete. Each step:"
printf '%s\n' "${summary[@]}"
