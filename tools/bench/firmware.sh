#!/usr/bin/env bash
# Power-on to ready of the reference image through Drover's own boot server (full DHCP), by
# firmware path: BIOS (SeaBIOS, qemu's iPXE ROM) as the baseline; UEFI PXE with iPXE (OVMF,
# the machine's secure boot setting off); UEFI HTTP Boot (OVMF's own HTTP client, its PXE off)
# with iPXE; UEFI with Secure Boot on by PXE and by HTTP Boot (OVMF's Secure Boot build,
# Microsoft's keys) through shim → GRUB → the signed kernel. Each a qemu VM under software
# emulation (TCG, 2 vCPUs, 2 GiB), rounds alternating (BOOT_ROUNDS, default 3); the time is
# from qemu's start to the server receiving the ready report, qemu started once Drover's
# DHCP serves (netboot.sh --serving: a lab's server runs before its machines power on).
# Goal (issue 14): every UEFI path within 1.3× of BIOS.
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
rounds=${BOOT_ROUNDS:-3}
declare -A times
# BENCH_PATHS: a subset, e.g. "bios http-boot" (BIOS, the baseline, is always run).
read -ra paths <<<"${BENCH_PATHS:-bios uefi http-boot secure-boot http-secure-boot}"
[[ " ${paths[*]} " == *" bios "* ]] || paths=(bios "${paths[@]}")
flags() {
  case $1 in
    bios) ;;
    uefi) echo --uefi ;;
    http-boot) echo --http-boot ;;
    http-secure-boot) echo --secure-boot --http-boot ;;
    secure-boot) echo --secure-boot ;;
  esac
}
for ((r = 1; r <= rounds; r++)); do
  order=("${paths[@]}")
  if ((r % 2 == 0)); then
    order=()
    for ((i = ${#paths[@]} - 1; i >= 0; i--)); do order+=("${paths[i]}"); done
  fi
  for p in "${order[@]}"; do
    # shellcheck disable=SC2046 # flags: zero to two words
    out=$(bash "$here/../e2e/netboot.sh" --mode full --serving --drover "$build/app/drover" $(flags "$p") 2>&1) \
      || { echo "$out" | tail -n 20; echo "netboot.sh: round $r, $p failed" >&2; exit 1; }
    t=$(sed -n 's/^ready_ms=//p' <<<"$out")
    times[$p]+="$t "
    echo "round $r: $p ready after $t ms"
  done
done
median() { tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
tb=$(median "${times[bios]}")
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
echo "| path | power-on to ready, median of $rounds | vs BIOS | goal |"
echo "|---|---|---|---|"
awk -v a="$tb" 'BEGIN { printf "| BIOS, iPXE (baseline) | %.1f s | 1.00× | |\n", a / 1000 }'
row() { # PATH LABEL
  [[ -n ${times[$1]:-} ]] || return 0
  local t
  t=$(median "${times[$1]}")
  awk -v a="$t" -v b="$tb" -v l="$2" 'BEGIN { printf "| %s | %.1f s | %.2f× | ≤ 1.3× |\n", l, a / 1000, a / b }'
}
row uefi "UEFI PXE, iPXE"
row http-boot "UEFI HTTP Boot, iPXE"
row secure-boot "UEFI PXE, Secure Boot on: shim → GRUB → signed kernel"
row http-secure-boot "UEFI HTTP Boot, Secure Boot on: shim → GRUB → signed kernel, all by HTTP"
