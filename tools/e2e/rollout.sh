#!/usr/bin/env bash
# End-to-end rollout (docs/user-guide.md, "Rollouts"): three qemu VMs (BIOS, iPXE ROM,
# software emulation) in group "demo" on a bridge in a network namespace, Drover --headless
# as their DHCP and boot server, each VM powered by Drover through its QMP socket.
#   0. `drover image test` of :3 fails in a throwaway VM, naming its failing check.
#   1. All three boot debian-server:1 and report ready.
#   2. A rollout of :2 with --require-test --test-uefi, one canary and --reboot: the boot
#      server first tests :2 in a throwaway VM with UEFI firmware (OVMF; it passes, and the
#      VM's qemu command line and console show OVMF), then power-cycles the canary, it
#      reaches ready with :2 and bakes, then the other two follow; the rollout is done.
#   3. The group is rolled back and power-cycled: all three report ready with :1.
#   4. A rollout of :3 with --require-test fails at once on the failed test on record: no
#      machine is touched.
#   5. A rollout of :3 without the test: the canary's boot fails (its readiness check), the
#      rollout stops and reverts it (power-cycling it back to :1); the other two never
#      leave :1.
# Each step is checked by the manifest digest each machine reports. Runs as root inside the
# build root; argument --drover: the built drover executable. Takes about five minutes.
# With DROVER_SCREENSHOT_DIR set, it also photographs the window mid-rollout (under Xvfb)
# into that directory as fleet-rollout.png: the user guide's picture.
set -euo pipefail
source "$(dirname "$0")/common.sh"

exe=
timeout=900
while (($#)); do
  case $1 in
    --drover) exe=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    *) e2e_die "unknown argument $1" ;;
  esac
done
[[ -x $exe ]] || e2e_die "--drover: '$exe' is not an executable"

ns=drv-ro-$$
subnet=10.$((60 + $$ % 60)).$(($$ % 250)).
server=${subnet}1
data=$(mktemp -d /tmp/drover-rollout-XXXXXX)
pids=()
cleanup() {
  local rc=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
  if ((rc != 0)); then
    e2e_say "server log (last lines):"
    tail -n 40 "$data/server.log" >&2 2>/dev/null || true
    for i in 1 2 3; do
      e2e_say "console of vm-$i (last lines):"
      tail -n 8 "$data/vm-$i.log" >&2 2>/dev/null || true
    done
  fi
  rm -rf "$data"
  exit "$rc"
}
trap cleanup EXIT
inns() { nsenter --net="/run/netns/$ns" "$@"; }
in_ns=(nsenter --net="/run/netns/$ns")
d() { "$exe" --data "$data" "$@"; }
t0=$(e2e_ms)
step() { e2e_say "[$(((($(e2e_ms) - t0) / 1000)))s] $*"; }

# --- images: :1, :2 (another motd), :3 (a readiness check that fails)
recipe=$data/recipe
cp -r "$E2E_SRC/examples/recipes" "$recipe"
build() {
  d build "$recipe/debian-server.json" --tag "$1" --cache "$E2E_CACHE/build-cache" >"$data/build-$1.log" 2>&1 \
    || { tail -n 20 "$data/build-$1.log" >&2; e2e_die "$1 did not build"; }
}
mkdir -p "$E2E_CACHE/build-cache"
step "building debian-server:1, :2 and :3"
build debian-server:1
echo "debian-server version 2" >"$recipe/files/etc/motd"
build debian-server:2
e2e_break_recipe "$recipe"
build debian-server:3
declare -A digest
for v in 1 2 3; do
  digest[$v]=$(d --json image inspect "debian-server:$v" | sed -n 's/.*"manifestDigest": *"\(sha256:[0-9a-f]*\)".*/\1/p' | head -n 1)
  [[ -n ${digest[$v]} ]] || e2e_die "no digest for debian-server:$v"
done
step "built: ${digest[1]:0:19} ${digest[2]:0:19} ${digest[3]:0:19}"

# --- "Test in a VM": :3 fails and says why (a throwaway VM); the verdict is recorded.
if d image test debian-server:3 --timeout 600 >"$data/test-3.log" 2>&1; then
  e2e_die "image test of :3 passed"
fi
grep -q "^FAIL debian-server:3 .*check 50-service exited 1" "$data/test-3.log" \
  || { cat "$data/test-3.log" >&2; e2e_die "image test of :3 did not name the failing check"; }
step "$(grep '^FAIL' "$data/test-3.log" | cut -c1-160)"
d image inspect debian-server:3 | e2e_has "^tested in a VM: *failed" || e2e_die "the failed test of :3 is not on record"
d --json machine ls | e2e_has imagetest && e2e_die "an image test left its machine in the catalog"

# --- the lab: a bridge, three taps, three machines powered by QMP
e2e_segment "$ns" "$server" tap1 tap2 tap3
for i in 1 2 3; do
  mac=52:54:00:e3:$(printf '%02x' $(($$ % 256))):0$i
  d machine add "vm-$i" --mac "$mac" --label group=demo >/dev/null
  d power set "vm-$i" "qmp://$data/vm-$i.qmp" >/dev/null
  echo "$mac" >"$data/vm-$i.mac"
done
d assign demo debian-server:1 --why "rollout e2e" >/dev/null
e2e_start_drover "$ns" "$exe" "$data" full "$server"

# A VM that is "plugged in": qemu runs for the whole test; Drover power-cycles it by QMP.
start_vm() {
  local i=$1
  "${in_ns[@]}" qemu-system-x86_64 -m 1536 -smp 1 -display none -monitor none -serial "file:$data/vm-$i.log" \
    -qmp "unix:$data/vm-$i.qmp,server=on,wait=off" \
    -netdev "tap,id=n0,ifname=tap$i,script=no,downscript=no" -device "virtio-net-pci,netdev=n0,mac=$(cat "$data/vm-$i.mac")" \
    -boot n &
  pids+=($!)
}

# The digest of the newest ready report of a machine (shortened as the report shows it).
ready_count() { d --json events --machine "$1" --phase ready --limit 1000 | grep -c '"phase"' || true; }
declare -A seen
mark() { for i in 1 2 3; do seen[vm-$i]=$(ready_count "vm-$i"); done; }
# Waits until each named machine has a new ready report carrying debian-server:V's digest.
wait_ready() {
  local v=$1
  shift
  local deadline=$(($(e2e_ms) + timeout * 1000)) m
  for m in "$@"; do
    while (($(ready_count "$m") <= ${seen[$m]})); do
      (($(e2e_ms) < deadline)) || e2e_die "$m did not report ready (waiting for debian-server:$v)"
      sleep 2
    done
    local got
    # The whole digest the VM computed from the manifest it booted, as the server stored it
    # from the ready report ("[reported sha256:…]"), not the server's own "sent" events.
    got=$(d --json events --machine "$m" --phase ready --limit 1 | sed -n 's/.*\[reported \(sha256:[0-9a-f]\{64\}\)\].*/\1/p')
    [[ -n $got ]] || e2e_die "$m's ready report names no manifest digest"
    [[ ${digest[$v]} == "$got" ]] || e2e_die "$m reported ready with $got, not debian-server:$v (${digest[$v]})"
  done
  step "ready with debian-server:$v: $*"
}
rollout_state() { d --json rollout status demo | sed -n 's/.*"state": *"\([a-z]*\)".*/\1/p' | head -n 1; }
wait_rollout() {
  local want=$1 deadline=$(($(e2e_ms) + timeout * 1000)) state
  while state=$(rollout_state) && [[ $state != "$want" ]]; do
    [[ $state == running || $state == paused ]] || { d rollout status demo >&2; e2e_die "rollout is $state, not $want"; }
    (($(e2e_ms) < deadline)) || { d rollout status demo >&2; e2e_die "rollout did not become $want"; }
    sleep 2
  done
  step "rollout $want"
}

step "powering on vm-1, vm-2, vm-3"
mark
for i in 1 2 3; do start_vm "$i"; done
wait_ready 1 vm-1 vm-2 vm-3

step "rollout of debian-server:2 to demo: tested in a UEFI VM first, one canary, bake 10 s, Drover reboots the machines"
mark
d rollout start debian-server:2 --group demo --canary 1 --bake 10s --reboot --require-test --test-uefi >/dev/null
rollout_test() { d --json rollout status demo | sed -n 's/.*"test": *"\([a-z]*\)".*/\1/p' | head -n 1; }
deadline=$(($(e2e_ms) + timeout * 1000))
# Evidence that the gate's test VM runs OVMF: its qemu command line and (a copy of) its
# serial console, which the test removes when it ends.
saw_ovmf=0
while [[ $(rollout_test) != passed ]]; do
  if ps -eo args | grep -v grep | grep -F "$data/vms/imagetest-" | e2e_has "OVMF_CODE"; then saw_ovmf=1; fi
  for console in "$data"/vms/imagetest-*.log; do
    [[ -f $console ]] && cp "$console" "$data/uefi-console.log" 2>/dev/null || true
  done
  [[ $(rollout_state) == running ]] || { d rollout status demo >&2; e2e_die "the rollout stopped before its test passed"; }
  for m in vm-1 vm-2 vm-3; do
    (($(ready_count "$m") == ${seen[$m]})) || e2e_die "$m was rebooted before the image passed its test"
  done
  (($(e2e_ms) < deadline)) || e2e_die "the test of :2 in a VM did not pass"
  sleep 2
done
step "debian-server:2 passed its test in a VM: $(d image inspect debian-server:2 | sed -n 's/^tested in a VM: *//p')"
((saw_ovmf)) || e2e_die "the rollout's test VM did not run OVMF"
grep -aq BdsDxe "$data/uefi-console.log" || e2e_die "the rollout's test VM shows no UEFI boot manager (BdsDxe) on its console"
d image inspect debian-server:2 | e2e_has "^tested in a VM: *passed .*(UEFI)" || e2e_die "the UEFI verdict of :2 is not on record"
wait_ready 2 vm-1
if [[ -n ${DROVER_SCREENSHOT_DIR:-} ]]; then
  # The canary is ready and baking, the others still wait: the moment for the picture.
  xvfb-run -a -s "-screen 0 1600x1000x24" "$exe" --data "$data" --screenshot "$DROVER_SCREENSHOT_DIR/fleet-rollout.png" \
    >/dev/null 2>&1 || e2e_say "could not take the screenshot"
fi
for m in vm-2 vm-3; do
  (($(ready_count "$m") == ${seen[$m]})) || e2e_die "$m rebooted before the canary had baked"
done
wait_ready 2 vm-2 vm-3
wait_rollout done

step "roll the group back and power-cycle it"
mark
d rollback demo >/dev/null
for i in 1 2 3; do d power "vm-$i" cycle >/dev/null; done
wait_ready 1 vm-1 vm-2 vm-3

step "rollout of debian-server:3 requiring a passing test: it fails on the test on record"
mark
d rollout start debian-server:3 --group demo --canary 1 --bake 10s --reboot --require-test >/dev/null
wait_rollout failed
d rollout status demo | e2e_has "failed its test in a VM" || { d rollout status demo >&2; e2e_die "the rollout does not say the test failed"; }
for m in vm-1 vm-2 vm-3; do
  d --json machine show "$m" | e2e_has '"currentImage": *"debian-server:1"' || e2e_die "$m left debian-server:1"
  [[ $(d history "$m" | grep -c "debian-server:3" || true) == 0 ]] || e2e_die "$m was assigned :3 by a rollout that failed its test"
done

step "rollout of debian-server:3 without the test: its readiness check fails on the canary"
d rollout start debian-server:3 --group demo --canary 1 --bake 10s --reboot >/dev/null
wait_rollout failed
d rollout status demo
d events --machine vm-1 --phase failed --limit 1 | e2e_has "check 50-service exited 1" \
  || e2e_die "the canary's failure does not name the failing check"
# The canary gets its previous image back and boots it; the others never left :1.
wait_ready 1 vm-1
for m in vm-2 vm-3; do
  (($(ready_count "$m") == ${seen[$m]})) || e2e_die "$m was rebooted by a failed rollout"
  d --json machine show "$m" | e2e_has '"currentImage": *"debian-server:1"' || e2e_die "$m left debian-server:1"
done
d history vm-1
step "PASS"
