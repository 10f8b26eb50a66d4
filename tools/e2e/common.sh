# Shared helpers of the end-to-end boot harness (sourced by the other tools/e2e scripts).
# Everything runs inside the Debian 13 build root; downloads and built artefacts are cached
# under $E2E_CACHE so a second run costs seconds, not minutes.
E2E_CACHE=${DROVER_E2E_CACHE:-/var/cache/drover/shared/e2e}
# Downloaded packages (the kernel's .deb), kept even where E2E_CACHE is made fresh (CI).
E2E_DEBS=${DROVER_E2E_DEBS:-/var/cache/drover/shared/downloads}
# The image builder's cache (base layers, and .deb files in its debs/). Its debs/ points into
# E2E_DEBS, so a fresh E2E_CACHE rebuilds the layers but downloads nothing again.
E2E_BUILD_CACHE=$E2E_CACHE/build-cache
if [[ ! -e $E2E_BUILD_CACHE/debs ]]; then
  mkdir -p "$E2E_BUILD_CACHE" "$E2E_DEBS/build-debs"
  ln -sfn "$E2E_DEBS/build-debs" "$E2E_BUILD_CACHE/debs"
fi
E2E_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# The modules Drover's init loads (docs/machine-side.md); their dependencies come along.
E2E_MODULES="virtio_pci virtio_net e1000 e1000e af_packet loop squashfs overlay erofs"

e2e_say() { printf 'e2e: %s\n' "$*" >&2; }
e2e_die() {
  printf 'e2e: FAIL: %s\n' "$*" >&2
  exit 1
}
# The host lacks a capability the test needs (README: "Where a test may skip"): ctest
# counts exit code 77 as skipped, and make test fails on any skip on the reference setup.
e2e_skip() {
  printf 'e2e: SKIP: %s\n' "$*" >&2
  exit 77
}
# Milliseconds since the epoch, for measuring on the host side.
e2e_ms() { date +%s%3N; }

# Gives the reference recipe in DIR (a copy of examples/recipes) a readiness check that
# always fails: the bad debian-server:3 of the rollout story (rollout.sh, tools/demo.sh).
e2e_break_recipe() {
  local dir=$1
  cat >"$dir/scripts/90-broken-check.sh" <<'SCRIPT'
#!/bin/sh
mkdir -p /usr/lib/drover/ready.d
printf '#!/bin/sh\necho "the service this image is for does not answer"\nexit 1\n' >/usr/lib/drover/ready.d/50-service
chmod 0755 /usr/lib/drover/ready.d/50-service
SCRIPT
  sed -i 's|"scripts": \["scripts/10-hostname.sh"\]|"scripts": ["scripts/10-hostname.sh", "scripts/90-broken-check.sh"]|' \
    "$dir/debian-server.json"
  grep -q 90-broken-check "$dir/debian-server.json" || { echo "e2e_break_recipe: $dir/debian-server.json has other scripts" >&2; return 1; }
}

# `grep -q PATTERN` for a command's output that reads all of it first: under pipefail, a
# writer killed by SIGPIPE when grep -q stops early would fail the pipeline at random.
e2e_has() {
  local out
  out=$(cat)
  grep -q -- "$1" <<<"$out"
}

# The lab segment of a test: network namespace NS with a bridge br0 holding SERVER/24 and
# the tap devices named after it (tap0 by default) on the bridge, for qemu's -netdev tap.
e2e_segment() {
  local ns=$1 server=$2
  shift 2
  local taps=("${@:-tap0}") tap
  ip netns add "$ns"
  nsenter --net="/run/netns/$ns" ip link set lo up
  nsenter --net="/run/netns/$ns" ip link add br0 type bridge
  nsenter --net="/run/netns/$ns" ip addr add "${server}/24" dev br0
  nsenter --net="/run/netns/$ns" ip link set br0 up
  for tap in "${taps[@]}"; do
    nsenter --net="/run/netns/$ns" ip tuntap add dev "$tap" mode tap
    nsenter --net="/run/netns/$ns" ip link set "$tap" master br0 up
  done
}

# Starts `drover --headless` in NS on br0 (DHCP MODE, HTTP 8080, TFTP 69, then any further
# arguments) with data DATA and its log in DATA/server.log; appends its pid to the caller's
# pids array and waits until its HTTP server answers at SERVER (20 s).
e2e_start_drover() {
  local ns=$1 exe=$2 data=$3 mode=$4 server=$5
  shift 5
  nsenter --net="/run/netns/$ns" "$exe" --data "$data" --headless --dhcp "$mode" --interface br0 --http-port 8080 \
    --tftp-port 69 "$@" 2>"$data/server.log" &
  pids+=($!)
  for _ in $(seq 100); do
    nsenter --net="/run/netns/$ns" curl -fs -o /dev/null "http://$server:8080/boot.ipxe" && return 0
    sleep 0.2
  done
  e2e_die "the boot server did not start"
}
