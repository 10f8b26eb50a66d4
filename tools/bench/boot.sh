#!/usr/bin/env bash
# Power-on to ready of a Debian image in qemu through Drover's init (two verified layers)
# against the same root as one all-in-one initramfs, alternately (tools/e2e/bench.sh).
set -euo pipefail
exec "$(dirname "$0")/../e2e/bench.sh" "${BOOT_ROUNDS:-2}"
