#!/usr/bin/env bash
# Boot-time benchmark of the machine side: the same Debian systemd image booted in qemu (TCG,
# 2 vCPUs, 2 GiB) through qemu's iPXE ROM, by HTTP from loopback, through Drover's init as two
# verified layers, and as one all-in-one initramfs (the baseline), alternately, ROUNDS times
# each: the machine is shared and noisy, so the ratio matters more than either figure, and
# qemu's CPU time is steadier than the wall clock. E2E_IPXE=0 loads kernel and initramfs
# directly instead; E2E_BASE_FS picks how the base layer is packed (tools/e2e/boot.sh).
#   bench.sh [ROUNDS]     (inside the build root: tools/buildroot/root.sh run tools/e2e/bench.sh)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
rounds=${1:-3}
out=$(mktemp)
trap 'rm -f "$out"' EXIT

for ((r = 1; r <= rounds; r++)); do
  for scenario in ok initramfs; do
    line=$(E2E_IPXE=${E2E_IPXE:-1} "$E2E_SRC/tools/e2e/boot.sh" --root debian --memory 2048 --scenario "$scenario" 2>/dev/null |
      grep '^RESULT') || e2e_die "round $r, $scenario: the boot failed (run tools/e2e/boot.sh --root debian --scenario $scenario)"
    echo "$line"
    echo "$line" >>"$out"
  done
done

# Medians per scenario of qemu start → init, → switch_root (or exec), → ready, and memory.
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
for scenario in ok initramfs; do
  grep "scenario=$scenario " "$out" | awk -v s="$scenario" '
    function val(k,   i) { for (i = 1; i <= NF; i++) if (index($i, k "=") == 1) { v = substr($i, length(k) + 2); sub(/s$|MiB$/, "", v); return v + 0 } }
    function median(a, n,   i, j, t) {
        for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
        return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    { n++; init[n] = val("qemu_start_to_init"); sw[n] = val("to_switch_root"); rd[n] = val("to_ready")
      csw[n] = val("qemu_cpu_to_switch_root"); crd[n] = val("qemu_cpu_to_ready"); mem[n] = val("mem_used") }
    END {
        printf "%-10s (%d runs, medians): qemu start -> init %.1f s, -> %s %.1f s, -> ready %.1f s; qemu CPU to %s %.1f s, to ready %.1f s; memory used %d MiB\n",
            s == "ok" ? "layers" : "initramfs", n, median(init, n), s == "ok" ? "switch_root" : "exec", median(sw, n),
            median(rd, n), s == "ok" ? "switch_root" : "exec", median(csw, n), median(crd, n), median(mem, n)
    }'
done
