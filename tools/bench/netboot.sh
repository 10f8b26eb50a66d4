#!/usr/bin/env bash
# Power-on to ready of the reference image (examples/recipes/debian-server.json) through
# Drover's own boot server: a BIOS qemu VM (TCG, 2 vCPUs, 2 GiB) on a bridge in a network
# namespace, Drover's DHCP, iPXE, then Drover's init assembling two verified layers — beside
# the baseline, the same recipe built as one all-in-one initramfs (what initramfs-only
# builders serve), booted the same way. Alternating, ROUNDS each (BOOT_ROUNDS, default 3);
# the time is from qemu's start to the server receiving the ready report.
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
rounds=${BOOT_ROUNDS:-3}
declare -A times mem root
for ((r = 1; r <= rounds; r++)); do
  formats=(layers initramfs)
  ((r % 2)) || formats=(initramfs layers)
  for format in "${formats[@]}"; do
    out=$(bash "$here/../e2e/netboot.sh" --mode full --drover "$build/app/drover" --format "$format" 2>&1) \
      || { echo "$out" | tail -n 20; echo "netboot.sh: round $r, $format failed" >&2; exit 1; }
    t=$(sed -n 's/^ready_ms=//p' <<<"$out")
    m=$(sed -n 's/.*mem_used_kib=\([0-9]*\).*/\1/p' <<<"$out" | tail -n 1)
    # The root's own memory: the compressed layers kept in RAM plus what the system wrote.
    rl=$(sed -n 's/.*layers_kib=\([0-9]*\) upper_kib=\([0-9]*\).*/\1 \2/p' <<<"$out" | tail -n 1)
    root[$format]+="$(( ${rl% *} + ${rl#* } )) "
    times[$format]+="$t "
    mem[$format]+="$m "
    echo "round $r: $format ready after $t ms, memory used $((m / 1024)) MiB"
  done
done
median() { tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
tl=$(median "${times[layers]}")
ti=$(median "${times[initramfs]}")
ml=$(median "${mem[layers]}")
rootl=$(median "${root[layers]}")
mi=$(median "${mem[initramfs]}")
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
echo "| figure | Drover (layers) | baseline (all-in-one initramfs) | ratio | goal |"
echo "|---|---|---|---|---|"
awk -v a="$tl" -v b="$ti" 'BEGIN { printf "| power-on to ready, median of '"$rounds"' | %.1f s | %.1f s | %.2f× | ≤ 30 s |\n", a / 1000, b / 1000, a / b }'
awk -v a="$ml" -v b="$mi" 'BEGIN { printf "| memory used at ready, whole system | %d MiB | %d MiB | %.2f× | |\n", a / 1024, b / 1024, a / b }'
awk -v a="$rootl" 'BEGIN { printf "| memory the root takes (layers in RAM + writes) | %.1f MiB | (the whole root unpacked in RAM) | | ≤ layers + 128 MiB |\n", a / 1024 }'
