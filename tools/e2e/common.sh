# Shared helpers of the end-to-end boot harness (sourced by the other tools/e2e scripts).
# Everything runs inside the Debian 13 build root; downloads and built artefacts are cached
# under $E2E_CACHE so a second run costs seconds, not minutes.
E2E_CACHE=${DROVER_E2E_CACHE:-/var/cache/drover/shared/e2e}
E2E_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# The modules Drover's init loads (docs/machine-side.md); their dependencies come along.
E2E_MODULES="virtio_pci virtio_net e1000 e1000e af_packet loop squashfs overlay erofs"

e2e_say() { printf 'e2e: %s\n' "$*" >&2; }
e2e_die() {
  printf 'e2e: FAIL: %s\n' "$*" >&2
  exit 1
}
# Milliseconds since the epoch, for measuring on the host side.
e2e_ms() { date +%s%3N; }
