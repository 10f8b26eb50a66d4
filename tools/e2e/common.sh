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
