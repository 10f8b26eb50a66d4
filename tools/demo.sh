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

# The machine's state and current image, from the catalog, as "state image".
machine_state() {
  d --json machine show "$1" | awk -F'"' '/"state"/ { s = $4 } /"currentImage"/ { i = $4 } END { print s, i }'
}
# Waits until MACHINE reports ready running TAG; fails after TIMEOUT seconds.
wait_ready() {
  local machine=$1 tag=$2 timeout=${3:-300} waited=0 state
  while ((waited < timeout)); do
    state=$(machine_state "$machine")
    [[ $state == "ready $tag" ]] && return 0
    [[ $state == failed* ]] && { echo "  ✗ $machine failed: $(d events --machine "$machine" --limit 3)"; return 1; }
    sleep 2
    waited=$((waited + 2))
  done
  echo "  ✗ $machine did not reach ready with $tag in ${timeout} s (now: $state); console: $data/$machine.log"
  tail -n 20 "$data/$machine.log" || true
  return 1
}
vm_pid=
# Powers a qemu machine on (or cycles it): SeaBIOS, qemu's iPXE ROM, DHCP from qemu's user
# network, then Drover's /boot.ipxe over HTTP on the host's loopback (10.0.2.2).
power_cycle() {
  local machine=$1 mac=$2
  [[ -n $vm_pid ]] && { kill "$vm_pid" 2>/dev/null || true; wait "$vm_pid" 2>/dev/null || true; }
  qemu-system-x86_64 -m 1536 -smp 2 -display none -monitor none -serial "file:$data/$machine.log" \
    -nic "user,model=virtio-net-pci,mac=$mac,bootfile=http://10.0.2.2:$port/boot.ipxe" -boot n &
  vm_pid=$!
  pids+=("$vm_pid")
}

if ! has_verb build; then
  echo
  echo "This build has no image builder yet: the story stops here."
  exit 0
fi

recipe_dir=$(mktemp -d /tmp/drover-demo-recipe-XXXXXX)
cp -r "$src/examples/recipes/." "$recipe_dir/"

step "Build the reference image debian-server:1 (Debian 13, layers)"
d build "$recipe_dir/debian-server.json" --tag debian-server:1
done_step

step "Change one file of the recipe and build debian-server:2 (only the top layer is rebuilt)"
echo "Welcome to debian-server version 2 — built by Drover" >"$recipe_dir/files/etc/motd"
d build "$recipe_dir/debian-server.json" --tag debian-server:2
done_step

step "Assign debian-server:1 to group 'demo' and start the boot server"
d assign demo debian-server:1 --why "first rollout"
"$exe" --data "$data" --headless --dhcp off --http-port "$port" --tftp-port $((port + 1)) 2>"$data/server.log" &
pids+=($!)
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/boot.ipxe" >/dev/null && break; sleep 0.2; done
curl -fs "http://127.0.0.1:$port/boot.ipxe" | head -n 3
done_step

step "Power on vm-1: it netboots debian-server:1 and reports ready"
power_cycle vm-1 52:54:00:de:00:01
wait_ready vm-1 debian-server:1 600
d events --machine vm-1 --limit 12
done_step

step "Assign debian-server:2 to vm-1 and reboot it"
d assign vm-1 debian-server:2 --why "try the new motd"
power_cycle vm-1 52:54:00:de:00:01
wait_ready vm-1 debian-server:2 600
done_step

step "Roll vm-1 back and reboot: it runs debian-server:1 again"
d rollback vm-1
power_cycle vm-1 52:54:00:de:00:01
wait_ready vm-1 debian-server:1 600
d history vm-1
done_step

echo
echo "Demo complete."
