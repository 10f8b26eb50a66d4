#!/usr/bin/env bash
# Build benchmark: `drover build` of examples/recipes/debian-server.json with empty caches,
# against the baseline pipeline of the all-in-the-initramfs builders — mmdebstrap of the same
# package set, then `find | cpio -o -H newc | zstd -3` of the whole root — in the same run,
# once with the same pruning and eatmydata as Drover (the fair ratio) and once plain;
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
mirror=$(bash "$src/tools/mirror.sh")
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

# 2. Baselines: mmdebstrap of the same package set (each its own empty cache), then the whole
#    root as one cpio + zstd -3 initramfs, and the kernel beside it.
#    a. "pruned": with everything Drover's builder does to a tree that is not its design:
#       eatmydata while installing, update-initramfs diverted to a no-op, the recipe's dpkg
#       path excludes (docs, man pages, locales), and the kernel modules cut to the set in
#       Drover's base layer — so the ratio measures layers + verification, not the pruning.
#    b. "plain": the same without any of that, as the all-in-the-initramfs builders ship
#       (the row earlier versions of this page compared against).
prune_opts=(
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright'
  --dpkgopt='path-exclude=/usr/share/info/*' --dpkgopt='path-exclude=/usr/share/lintian/*'
  --dpkgopt='path-exclude=/usr/share/man/*'
  --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/locale/locale.alias'
  --essential-hook='chroot "$1" dpkg-divert --quiet --local --rename --add /usr/sbin/update-initramfs && printf "#!/bin/sh\nexit 0\n" >"$1/usr/sbin/update-initramfs" && chmod 755 "$1/usr/sbin/update-initramfs"'
)
[[ -d /usr/share/mmdebstrap/hooks/eatmydata ]] && prune_opts+=(--hook-dir=/usr/share/mmdebstrap/hooks/eatmydata)

# The kernel modules Drover kept: every .ko in the squashfs layers of the cold build.
for blob in $(find "$data" -path '*/blobs/sha256/*' -type f); do
  unsquashfs -l "$blob" 2>/dev/null | grep -E '\.ko(\.[a-z]+)?$' | sed 's|^squashfs-root/||' || true
done | sed -E 's|^(usr/)?lib/modules/[^/]+/||' | sort -u >"$work/kept-modules"

baseline_build() { # NAME [mmdebstrap options…]: prints seconds; leaves $work/NAME/{vmlinuz,initrd.img}
  local name=$1 dir=$work/$1 t0 t1
  shift
  mkdir -p "$dir"
  t0=$(now)
  mmdebstrap --variant=essential --mode=root --format=directory --quiet --include="$packages" "$@" \
    trixie "$dir/root" "deb $mirror trixie main" >"$work/$name.log" 2>&1
  if [[ $name == pruned && -s $work/kept-modules ]]; then
    local kver
    kver=$(ls "$dir/root/lib/modules" 2>/dev/null || ls "$dir/root/usr/lib/modules")
    (cd "$dir/root/lib/modules/$kver" 2>/dev/null || cd "$dir/root/usr/lib/modules/$kver"
      find . -name '*.ko*' | sed 's|^\./||' | grep -vxF -f "$work/kept-modules" | xargs -r rm -f)
    depmod -b "$dir/root" "$kver"
  fi
  cp "$dir"/root/boot/vmlinuz-* "$dir/vmlinuz"
  (cd "$dir/root" && find . | cpio -o -H newc --quiet | zstd -3 -q -T0 >"$dir/initrd.img")
  t1=$(now)
  rm -rf "$dir/root"
  seconds "$t0" "$t1"
}
bytes_of() { echo $(($(stat -c %s "$work/$1/vmlinuz") + $(stat -c %s "$work/$1/initrd.img"))); }
baseline=$(baseline_build pruned "${prune_opts[@]}")
baseline_bytes=$(bytes_of pruned)
plain=$(baseline_build plain)
plain_bytes=$(bytes_of plain)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "| cold build, empty caches (s), against the pruned baseline | $cold | $baseline | $(ratio "$cold" "$baseline") | <= 120 s |"
echo "| cold build, empty caches (s), against the plain baseline (no pruning, no eatmydata) | $cold | $plain | $(ratio "$cold" "$plain") | — |"

# 3. Rebuild after changing one file of the recipe's files.
echo "changed $(date)" >>"$recipe_dir/files/etc/motd"
t0=$(now)
"$drover" --data "$data" build "$recipe_dir/debian-server.json" --tag bench:rebuild --json >"$work/rebuild.json"
t1=$(now)
rebuild=$(seconds "$t0" "$t1")
echo "| rebuild after changing one file (s) | $rebuild | $baseline | $(awk -v a="$rebuild" -v b="$baseline" 'BEGIN { printf "%.2f", a / b }') | <= 15 s |"

echo "| bytes a machine downloads (MiB), against the pruned baseline | $(mib "$download") | $(mib "$baseline_bytes") | $(ratio "$download" "$baseline_bytes") | <= 130 MB |"
echo "| bytes a machine downloads (MiB), against the plain baseline | $(mib "$download") | $(mib "$plain_bytes") | $(ratio "$download" "$plain_bytes") | — |"
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
