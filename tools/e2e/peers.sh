#!/usr/bin/env bash
# End-to-end peer download (docs/peer-download.md): machines that share layers, with real
# qemu VMs (BIOS, iPXE ROM, software emulation) on a bridge in a network namespace, Drover
# --headless as their DHCP and boot server with `drover peers on --uploads 1 --server-slots 1`,
# and a student's PC (a namespace with a real DHCP lease from Drover and its own valid boot)
# that claims to hold the layers and serves wrong bytes of the right size.
#   1. vm-1 boots debian-server:1; its layers come from Drover, and it reports them held.
#   2. vm-2 boots the same image: its layers come from vm-1 (Drover's log says so, and Drover
#      sent vm-2 no layer), and it reports ready with the image's digest.
#   3. The student claims every layer. vm-1 is switched off, vm-2 is power-cycled: for each
#      layer the tracker names vm-1 (it does not answer), then the student (the bytes do not
#      match: an error naming the student's PC), then Drover; vm-2 reports ready with the
#      right digest all the same.
# Each step is checked by the manifest digest the machine reports and by Drover's events.
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

ns=drv-pe-$$
stu=drv-ps-$$
subnet=10.$((120 + $$ % 60)).$(($$ % 250)).
server=${subnet}1
data=$(mktemp -d /tmp/drover-peers-XXXXXX)
pids=()
cleanup() {
  local rc=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  ip netns pids "$stu" 2>/dev/null | xargs -r kill 2>/dev/null || true
  ip netns del "$stu" 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
  if ((rc != 0)); then
    e2e_say "server log (last lines):"
    tail -n 40 "$data/server.log" >&2 2>/dev/null || true
    for i in 1 2; do
      e2e_say "console of vm-$i (last lines):"
      tail -n 15 "$data/vm-$i.log" >&2 2>/dev/null || true
    done
  fi
  rm -rf "$data"
  exit "$rc"
}
trap cleanup EXIT
in_ns=(nsenter --net="/run/netns/$ns")
in_stu=(nsenter --net="/run/netns/$stu")
d() { "$exe" --data "$data" "$@"; }
t0=$(e2e_ms)
step() { e2e_say "[$(((($(e2e_ms) - t0) / 1000)))s] $*"; }

step "building debian-server:1 (cached after the first run)"
recipe=$data/recipe
cp -r "$E2E_SRC/examples/recipes" "$recipe"
mkdir -p "$E2E_BUILD_CACHE"
d build "$recipe/debian-server.json" --tag debian-server:1 --cache "$E2E_BUILD_CACHE" >"$data/build.log" 2>&1 \
  || { tail -n 20 "$data/build.log" >&2; e2e_die "debian-server:1 did not build"; }
digest=$(d --json image inspect debian-server:1 | sed -n 's/.*"manifestDigest": *"\(sha256:[0-9a-f]*\)".*/\1/p' | head -n 1)
[[ -n $digest ]] || e2e_die "no digest for debian-server:1"
store=$data/store/blobs/sha256
[[ -f $store/${digest#sha256:} ]] || store=$(dirname "$(find "$data" -name "${digest#sha256:}" -print -quit)")
layers=$(grep -o '"layers":\[[^]]*\]' "$store/${digest#sha256:}" | grep -o 'sha256:[0-9a-f]\{64\}')
[[ -n $layers ]] || e2e_die "the manifest names no layers"
step "built ${digest:0:19}, $(wc -w <<<"$layers") layers"

# --- the lab: a bridge, two taps, two machines powered by QMP, and the student's PC
e2e_segment "$ns" "$server" tap1 tap2
for i in 1 2; do
  mac=52:54:00:e5:$(printf '%02x' $(($$ % 256))):0$i
  d machine add "vm-$i" --mac "$mac" --label group=peers >/dev/null
  d power set "vm-$i" "qmp://$data/vm-$i.qmp" >/dev/null
  echo "$mac" >"$data/vm-$i.mac"
done
stu_mac=52:54:00:e5:$(printf '%02x' $(($$ % 256))):99
d machine add student-pc --mac "$stu_mac" --label group=peers >/dev/null
d assign peers debian-server:1 --why "peers e2e" >/dev/null
d peers on --uploads 1 --server-slots 1 | e2e_has "each serves 1 at once, Drover 1" || e2e_die "peers on did not say so"
e2e_start_drover "$ns" "$exe" "$data" full "$server"

start_vm() {
  local i=$1
  "${in_ns[@]}" qemu-system-x86_64 -m 1536 -smp 1 -display none -monitor none -serial "file:$data/vm-$i.log" \
    -qmp "unix:$data/vm-$i.qmp,server=on,wait=off" \
    -netdev "tap,id=n0,ifname=tap$i,script=no,downscript=no" -device "virtio-net-pci,netdev=n0,mac=$(cat "$data/vm-$i.mac")" \
    -boot n &
  pids+=($!)
  echo $! >"$data/vm-$i.pid"
}
ready_count() { d --json events --machine "$1" --phase ready --limit 1000 | grep -c '"phase"' || true; }
# Waits for machine M's ready report number N and checks that it names the image's digest.
wait_ready() {
  local m=$1 n=$2 deadline=$(($(e2e_ms) + timeout * 1000)) got
  while (($(ready_count "$m") < n)); do
    (($(e2e_ms) < deadline)) || e2e_die "$m did not report ready"
    sleep 2
  done
  got=$(d --json events --machine "$m" --phase ready --limit 1 | sed -n 's/.*\[reported \(sha256:[0-9a-f]\{64\}\)\].*/\1/p')
  [[ $got == "$digest" ]] || e2e_die "$m reported ready with '$got', not debian-server:1 ($digest)"
  step "$m ready with debian-server:1"
}
step "1. vm-1 boots: its layers come from Drover"
start_vm 1
wait_ready vm-1 1
grep -q "serving verified layers to neighbours on port 8099" "$data/vm-1.log" || e2e_die "vm-1's init does not serve its layers"

step "2. vm-2 boots: its layers come from vm-1"
start_vm 2
wait_ready vm-2 1
for layer in $layers; do
  d --json events --machine vm-2 --phase layer --limit 50 | e2e_has "${layer:0:19} from its neighbour vm-1" \
    || { d events --machine vm-2 --limit 40 >&2; e2e_die "vm-2 did not fetch ${layer:0:19} from vm-1"; }
  d --json events --machine vm-2 --limit 200 | e2e_has "${layer:0:19} sent to" \
    && e2e_die "Drover sent vm-2 layer ${layer:0:19} although vm-1 held it"
done
grep -q "from ${subnet}" "$data/vm-2.log" || e2e_die "vm-2's console does not name the neighbour"
grep -a 'drover: layer .* verified' "$data/vm-2.log" | sed 's/^/    /' >&2
step "vm-2 fetched every layer from vm-1, verified"

step "3. the student's PC claims the layers and serves wrong bytes"
ip netns add "$stu"
"${in_ns[@]}" ip link add stu0 type veth peer name eth0 netns "$stu"
"${in_ns[@]}" ip link set stu0 master br0 up
"${in_stu[@]}" ip link set lo up
"${in_stu[@]}" ip link set eth0 address "$stu_mac" up
cat >"$data/udhcpc.sh" <<'SCRIPT'
#!/bin/sh
[ "$1" = bound ] && ip addr add "$ip/${mask:-24}" dev "$interface" && echo "$ip" >"$LEASE_FILE"
exit 0
SCRIPT
chmod +x "$data/udhcpc.sh"
LEASE_FILE=$data/stu.lease "${in_stu[@]}" busybox udhcpc -i eth0 -q -n -t 5 -s "$data/udhcpc.sh" >/dev/null 2>&1 \
  || e2e_die "the student's PC got no lease"
stu_ip=$(cat "$data/stu.lease")
script=$("${in_stu[@]}" curl -fsS "http://$server:8080/boot/$stu_mac.ipxe") || e2e_die "the student's PC got no script"
boot=$(grep -o 'drover\.boot=[^ ]*' <<<"$script" | head -n 1 | cut -d= -f2)
token=$(grep -o 'drover\.token=[^ ]*' <<<"$script" | head -n 1 | cut -d= -f2)
[[ -n $boot && -n $token ]] || e2e_die "no boot id and token in the student's script"
mkdir -p "$data/fake"
for layer in $layers; do
  size=$(stat -c %s "$store/${layer#sha256:}")
  head -c "$size" /dev/urandom >"$data/fake/${layer#sha256:}"
done
"${in_stu[@]}" busybox httpd -f -p 8099 -h "$data/fake" &
pids+=($!)
q="mac=$stu_mac&boot=$boot&token=$token"
for layer in $layers; do
  code=$("${in_stu[@]}" curl -s -o /dev/null -w '%{http_code}' "http://$server:8080/layer-report?$q&digest=$layer&result=verified&from=server")
  [[ $code == 204 ]] || e2e_die "the student's claim was answered $code"
done
# What a student cannot do: speak for another machine, or claim a blob that is no layer.
code=$("${in_stu[@]}" curl -s -o /dev/null -w '%{http_code}' \
  "http://$server:8080/layer-report?mac=$(cat "$data/vm-2.mac")&boot=$boot&token=$token&digest=$(head -n 1 <<<"$layers")&result=bad-digest&from=${subnet}2")
[[ $code == 403 ]] || e2e_die "a report for vm-2 from the student's PC was answered $code, not 403"
code=$("${in_stu[@]}" curl -s -o /dev/null -w '%{http_code}' "http://$server:8080/layer-report?$q&digest=$digest&result=verified&from=server")
[[ $code == 404 ]] || e2e_die "a claim of the manifest as a layer was answered $code, not 404"
step "the student's PC ($stu_ip) holds every layer, by its claim"

step "vm-1 is switched off, vm-2 power-cycled: vm-1 does not answer, the student's bytes are wrong, Drover serves"
kill "$(cat "$data/vm-1.pid")"
d power vm-2 cycle >/dev/null
wait_ready vm-2 2
peer_events=$(d --json events --machine vm-2 --phase peer --limit 50)
for layer in $layers; do
  grep -q "vm-1 ([0-9.]*) did not answer for layer [0-9]* ${layer:0:19}" <<<"$peer_events" \
    || { d events --machine vm-2 --limit 40 >&2; e2e_die "no 'did not answer' for vm-1 and ${layer:0:19}"; }
  grep -q "student-pc ($stu_ip) served bytes that do not match for layer [0-9]* ${layer:0:19}" <<<"$peer_events" \
    || { d events --machine vm-2 --limit 40 >&2; e2e_die "no bad-digest error for the student's PC and ${layer:0:19}"; }
done
d --json events --machine vm-2 --phase peer --limit 50 | e2e_has '"severity": *"error"' \
  || e2e_die "the student's wrong bytes are not an error event"
grep -a 'drover: neighbour\|drover: layer .* verified' "$data/vm-2.log" | tail -n 6 | sed 's/^/    /' >&2
step "PASS"
