#!/usr/bin/env bash
# End-to-end virtual lab and UEFI image test (docs/user-guide.md, "A virtual lab" and "Test in
# a VM"), with the reference image (examples/recipes/debian-server.json, built with the
# shared cache of the other e2e scripts). Two real qemu VMs at once, software emulation:
#   1. `drover vm add` makes a virtual machine in group vlab, debian-server:1 is assigned to
#      the group, and `drover --headless` (in a network namespace made for the run, so its
#      fixed ports collide with nothing) starts it: SeaBIOS, qemu's iPXE ROM on qemu's user
#      network, Drover's script, the init. The machine must reach ready in the catalog with
#      debian-server:1, and its ready report must carry the manifest digest of debian-server:1.
#   2. Meanwhile `drover image test debian-server:1 --uefi` boots the image in a throwaway VM
#      with OVMF (UEFI firmware, the NIC's EFI iPXE ROM): it must print PASS, the verdict on
#      record must say UEFI, and the VM must really have run OVMF (its qemu command line and
#      the firmware's own lines on its serial console).
#   3. Then `drover image test debian-server:1 --secure-boot`: OVMF's Secure Boot build with
#      Microsoft's keys boots shim → GRUB → the signed kernel; it must PASS and the test VM's
#      init must have reported Secure Boot on with the kernel locked down.
# Everything after the build runs as an unprivileged user without any capability, as a
# desktop user would (docs/architecture.md, Privileges): qemu's user network needs none.
# Runs as root inside the build root; argument --drover: the built drover executable.
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

ns=drv-vl-$$
data=$(mktemp -d /tmp/drover-vlab-XXXXXX)
pids=()
cleanup() {
  local rc=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
  if ((rc != 0)); then
    e2e_say "server log (last lines):"
    tail -n 30 "$data/server.log" >&2 2>/dev/null || true
    e2e_say "image test output:"
    cat "$data/test.log" >&2 2>/dev/null || true
    e2e_say "console of vlab-1 (last lines):"
    tail -n 30 "$data/vms/vlab-1.log" >&2 2>/dev/null || true
    e2e_say "console of the UEFI test VM (last lines):"
    tail -n 30 "$data/uefi-console.log" >&2 2>/dev/null || true
  fi
  rm -rf "$data"
  exit "$rc"
}
trap cleanup EXIT
in_ns=(nsenter --net="/run/netns/$ns")
d() { "$exe" --data "$data" "$@"; }
# The desktop user: a uid of no one's, no groups; setpriv's change from root clears every
# capability. Its data directory is its own.
user_uid=61301
as_user() { setpriv --reuid="$user_uid" --regid="$user_uid" --clear-groups env HOME="$data" "$@"; }
u() { as_user "$exe" --data "$data" "$@"; }
t0=$(e2e_ms)
step() { e2e_say "[$(((($(e2e_ms) - t0) / 1000)))s] $*"; }

step "building debian-server:1 (shared build cache in $E2E_CACHE/build-cache)"
mkdir -p "$E2E_CACHE/build-cache"
cp -r "$E2E_SRC/examples/recipes" "$data/recipe"
d build "$data/recipe/debian-server.json" --tag debian-server:1 --cache "$E2E_CACHE/build-cache" >"$data/build.log" 2>&1 \
  || { tail -n 20 "$data/build.log" >&2; e2e_die "the reference image did not build"; }
digest=$(d --json image inspect debian-server:1 | sed -n 's/.*"manifestDigest": *"\(sha256:[0-9a-f]*\)".*/\1/p' | head -n 1)
[[ -n $digest ]] || e2e_die "no manifest digest for debian-server:1"
step "built; manifest $digest"
chown -R "$user_uid:$user_uid" "$data"
d() { u "$@"; }
step "from here on as uid $user_uid, without capabilities"

# --- 1. the virtual lab: one BIOS VM, started by the boot server
d vm add --count 1 --prefix vlab --group vlab >/dev/null
d assign vlab debian-server:1 --why "virtual lab e2e" >/dev/null
ip netns add "$ns"
"${in_ns[@]}" ip link set lo up
"${in_ns[@]}" setpriv --reuid="$user_uid" --regid="$user_uid" --clear-groups env HOME="$data" \
  "$exe" --data "$data" --headless --dhcp off --http-port 8080 --tftp-port 6969 2>"$data/server.log" &
pids+=($!)
for _ in $(seq 100); do
  "${in_ns[@]}" curl -fs -o /dev/null "http://127.0.0.1:8080/boot.ipxe" && break
  sleep 0.2
done
"${in_ns[@]}" curl -fs -o /dev/null "http://127.0.0.1:8080/boot.ipxe" || e2e_die "the boot server did not start"
step "boot server running; vlab-1 netboots debian-server:1"

# --- 2. meanwhile: the image test with UEFI firmware, its own VM and loopback boot server
d image test debian-server:1 --uefi --timeout "$timeout" >"$data/test.log" 2>&1 &
test_pid=$!
pids+=("$test_pid")
step "drover image test debian-server:1 --uefi started"

# Evidence that the test VM runs OVMF: its qemu command line, and a copy of its serial
# console (the test removes the file when it ends).
saw_ovmf=0
watch_test_vm() {
  local console
  if ps -eo args | grep -v grep | grep -F "$data/vms/imagetest-" | e2e_has "OVMF_CODE"; then
    saw_ovmf=1
  fi
  for console in "$data"/vms/imagetest-*.log; do
    [[ -f $console ]] && cp "$console" "$data/uefi-console.log" 2>/dev/null || true
  done
}

machine_state() { d --json machine show vlab-1 | awk -F'"' '/"state"/ { s = $4 } /"currentImage"/ { i = $4 } END { print s, i }'; }
ready_count() { d --json events --machine vlab-1 --phase ready --limit 1000 | grep -c '"phase"' || true; }
deadline=$(($(e2e_ms) + timeout * 1000))
state=
while :; do
  kill -0 "$test_pid" 2>/dev/null && watch_test_vm
  state=$(machine_state)
  [[ $state == "ready debian-server:1" ]] && (($(ready_count) > 0)) && break
  [[ $state == failed* ]] && e2e_die "vlab-1 failed its boot: $(d events --machine vlab-1 --phase failed --limit 1 | tail -n 1)"
  (($(e2e_ms) < deadline)) || e2e_die "vlab-1 did not reach ready with debian-server:1 (now: '$state')"
  sleep 2
done
# The whole digest the VM computed from the manifest it booted, as the server stored it from
# the ready report ("[reported sha256:…]"), not the server's own "sent" events.
got=$(d --json events --machine vlab-1 --phase ready --limit 1 | sed -n 's/.*\[reported \(sha256:[0-9a-f]\{64\}\)\].*/\1/p')
[[ -n $got ]] || e2e_die "vlab-1's ready report names no manifest digest"
[[ $got == "$digest" ]] || e2e_die "vlab-1 reported ready with $got, not debian-server:1 ($digest)"
d --json events --machine vlab-1 --phase script --limit 1 | e2e_has "script served" || e2e_die "no script event for vlab-1"
step "vlab-1 is ready with debian-server:1, reporting ${got}"
# The VM was the desktop user's: qemu ran as that uid, not as root.
[[ $(stat -c %u "$data/vms/vlab-1.log") == "$user_uid" ]] || e2e_die "vlab-1's console is not the user's: qemu ran as $(stat -c %U "$data/vms/vlab-1.log")"

while kill -0 "$test_pid" 2>/dev/null; do
  watch_test_vm
  (($(e2e_ms) < deadline + 60000)) || e2e_die "drover image test did not end"
  sleep 2
done
test_rc=0
wait "$test_pid" || test_rc=$?
((test_rc == 0)) && grep -q "^PASS debian-server:1: ready after" "$data/test.log" \
  || { cat "$data/test.log" >&2; e2e_die "drover image test debian-server:1 --uefi did not pass (exit $test_rc)"; }
step "$(grep '^PASS' "$data/test.log")"
((saw_ovmf)) || e2e_die "no qemu with OVMF ran for the image test"
# OVMF's boot manager and iPXE's EFI build write to the serial console before Linux does.
grep -aq "BdsDxe" "$data/uefi-console.log" \
  || { tail -n 30 "$data/uefi-console.log" >&2; e2e_die "the test VM's console shows no UEFI boot manager (BdsDxe)"; }
d image inspect debian-server:1 | e2e_has "^tested in a VM: *passed .*(UEFI)" \
  || { d image inspect debian-server:1 >&2; e2e_die "the UEFI verdict is not on record"; }
d --json machine ls | e2e_has imagetest && e2e_die "the image test left its machine in the catalog"

# --- 3. the image test with Secure Boot on: shim → GRUB → the image's signed kernel in OVMF's
# Secure Boot build; the test VM's init must report Secure Boot on and the kernel locked down.
d image test debian-server:1 --secure-boot --timeout "$timeout" >"$data/test-sb.log" 2>&1 \
  || { cat "$data/test-sb.log" >&2; e2e_die "drover image test debian-server:1 --secure-boot did not pass"; }
grep -q "^PASS debian-server:1: ready after" "$data/test-sb.log" \
  || { cat "$data/test-sb.log" >&2; e2e_die "drover image test --secure-boot printed no PASS"; }
d --json events --phase fetched --limit 50 | e2e_has "imagetest.*firmware UEFI, Secure Boot on, lockdown integrity\|firmware UEFI, Secure Boot on, lockdown integrity" \
  || { d events --phase fetched --limit 10 >&2; e2e_die "the Secure Boot test VM did not report Secure Boot on"; }
step "$(grep '^PASS' "$data/test-sb.log") with Secure Boot on"
step "PASS"
