#!/usr/bin/env bash
# Build benchmark: `drover build` of examples/recipes/debian-server.json with empty caches,
# against the baseline pipeline of the all-in-the-initramfs builders — mmdebstrap of the same
# package set, then `find | cpio -o -H newc | zstd -3` of the whole root — in the same run;
# then a rebuild after changing one file of the recipe's files; the bytes a machine downloads
# to boot (kernel + initrd + layers, against kernel + the baseline's initramfs); and the
# builder's peak memory (drover and its children, sampled from /proc, plus its tmpfs).
# Prints Markdown table rows. Goals (issue 4): cold <= 120 s, rebuild <= 15 s,
# download <= 130 MB, peak memory <= 1 GiB.
#
#   tools/bench/build.sh BUILD_DIR      (inside the build root, as root; needs the mirror)
set -euo pipefail

build=${1:?usage: build.sh BUILD_DIR}
src=$(cd "$(dirname "$0")/../.." && pwd)
drover=$(cd "$build" && pwd)/app/drover
[[ -x $drover ]] || { echo "build.sh: $drover is not built" >&2; exit 1; }
[[ $(id -u) == 0 ]] || { echo "build.sh: building images needs root" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/drover-bench-build.XXXXXX")
trap 'rm -rf "$work"' EXIT

now() { date +%s.%N; }
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }

# The mirror, as drover finds it: the host's apt configuration (never written here).
mirror=$({
  grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}'
  grep -hE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
    sed -E 's/^deb (\[[^]]*\] )?//' | awk '{print $1}'
} | grep -v security | head -n1 || true)
[[ -n $mirror ]] || { echo "build.sh: no Debian mirror in /etc/apt" >&2; exit 1; }
mirror=${mirror%/}

# Runs a command, sampling every 0.2 s the summed RSS of it and its descendants (peak kept
# in $work/rss.peak, KiB) and the growth of the system's tmpfs/shmem use ($work/shmem.peak).
sample() {
  local shmem0
  shmem0=$(awk '/^Shmem:/ { print $2 }' /proc/meminfo)
  echo 0 >"$work/rss.peak"
  echo 0 >"$work/shmem.peak"
  "$@" &
  local pid=$! peak=0 speak=0 rss shm
  while kill -0 "$pid" 2>/dev/null; do
    rss=$(ps -e -o pid=,ppid=,rss= | awk -v root="$pid" '
      { parent[$1] = $2; mem[$1] = $3 }
      END { for (p in parent) { q = p; while (q != "" && q != 0 && q != root) q = parent[q]; if (q == root) s += mem[p] } print s + 0 }')
    ((rss > peak)) && peak=$rss
    shm=$(($(awk '/^Shmem:/ { print $2 }' /proc/meminfo) - shmem0))
    ((shm > speak)) && speak=$shm
    sleep 0.2
  done
  echo "$peak" >"$work/rss.peak"
  echo "$speak" >"$work/shmem.peak"
  wait "$pid"
}

recipe_dir=$work/recipes
cp -a "$src/examples/recipes" "$recipe_dir"
packages=$(sed -n '/"packages"/,/\]/p' "$recipe_dir/debian-server.json" | grep -o '"[a-z0-9.+-]*"' | tr -d '"' |
  grep -v '^packages$' | paste -sd,)

# A field of drover's indented --json output, and its stages as "name seconds bytes cached".
field() { grep -o "\"$2\": *[0-9.]*" "$1" | head -n1 | grep -o '[0-9.]*$'; }
stages() {
  awk '/"stages": \[/ { on = 1; next } on && /^    \]/ { on = 0 }
    on && /"bytes":/ { gsub(/[",]/, ""); b = $2 } on && /"cached":/ { gsub(/[",]/, ""); c = $2 }
    on && /"name":/ { gsub(/[",]/, ""); n = $2 } on && /"seconds":/ { gsub(/[",]/, ""); s = $2 }
    on && /^        }/ { printf "%s %.1f %s %s\n", n, s, b, c }' "$1"
}

echo "| figure | Drover | baseline | ratio | goal |"
echo "|---|---|---|---|---|"

# 1. Cold build, empty caches (a fresh data directory: no .deb cache, no base cache).
data=$work/data
t0=$(now)
sample "$drover" --data "$data" build "$recipe_dir/debian-server.json" --tag bench:cold --json >"$work/cold.json"
t1=$(now)
cold=$(seconds "$t0" "$t1")
cold_rss=$(cat "$work/rss.peak")
cold_shm=$(cat "$work/shmem.peak")
download=$(field "$work/cold.json" download)

# 2. Baseline: mmdebstrap of the same package set (its own empty cache), then the whole root
#    as one cpio + zstd -3 initramfs, and the kernel beside it.
base=$work/baseline
mkdir -p "$base"
t0=$(now)
mmdebstrap --variant=essential --mode=root --format=directory --quiet --include="$packages" \
  trixie "$base/root" "deb $mirror trixie main" >"$work/baseline.log" 2>&1
cp "$base"/root/boot/vmlinuz-* "$base/vmlinuz"
(cd "$base/root" && find . | cpio -o -H newc --quiet | zstd -3 -q -T0 >"$base/initrd.img")
t1=$(now)
baseline=$(seconds "$t0" "$t1")
baseline_bytes=$(($(stat -c %s "$base/vmlinuz") + $(stat -c %s "$base/initrd.img")))
rm -rf "$base/root"

echo "| cold build, empty caches (s) | $cold | $baseline | $(awk -v a="$cold" -v b="$baseline" 'BEGIN { printf "%.2f", a / b }') | <= 120 s |"

# 3. Rebuild after changing one file of the recipe's files.
echo "changed $(date)" >>"$recipe_dir/files/etc/motd"
t0=$(now)
"$drover" --data "$data" build "$recipe_dir/debian-server.json" --tag bench:rebuild --json >"$work/rebuild.json"
t1=$(now)
rebuild=$(seconds "$t0" "$t1")
echo "| rebuild after changing one file (s) | $rebuild | $baseline | $(awk -v a="$rebuild" -v b="$baseline" 'BEGIN { printf "%.2f", a / b }') | <= 15 s |"

echo "| bytes a machine downloads (MiB) | $(mib "$download") | $(mib "$baseline_bytes") | $(awk -v a="$download" -v b="$baseline_bytes" 'BEGIN { printf "%.2f", a / b }') | <= 130 MB |"
echo "| builder peak memory: RSS of drover + children (MiB) | $(awk -v k="$cold_rss" 'BEGIN { printf "%.0f", k / 1024 }') | | | <= 1 GiB |"
echo "| builder peak tmpfs (work tree in RAM, MiB) | $(awk -v k="$cold_shm" 'BEGIN { printf "%.0f", k / 1024 }') | | | |"

# Per-stage times of the cold build and the rebuild, for the record.
echo
echo "| stage | cold (s) | size (MiB) | rebuild (s) |"
echo "|---|---|---|---|"
paste -d' ' <(stages "$work/cold.json") <(stages "$work/rebuild.json") |
  while read -r name secs bytes _ _ secs2 _ cached2; do
    echo "| $name | $secs | $(mib "$bytes") | $secs2$([[ $cached2 == true ]] && echo ' (cached)') |"
  done
