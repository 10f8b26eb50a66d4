#!/usr/bin/env bash
# Base-layer compression benchmark (issue 18): the reference image's base tree
# (examples/recipes/debian-server.json, built by `drover build --keep-work`) packed as
# squashfs with zstd levels 3, 9, 15, 19, 22 at 128 KiB, 256 KiB and 1 MiB blocks, squashfs
# xz at 1 MiB blocks with and without the x86 BCJ filter, and erofs lz4hc, zstd and lzma, each
# with mksquashfs/mkfs.erofs as the builder calls them (all cores, fixed times). For each:
# the layer's size, the time to make it, and the time to read the whole layer back through a
# fresh read-only mount of it (`tar` of every file to a pipe, one reader: what decompressing
# it costs on this host; the layer file itself is in the page cache, as a machine's layer is
# in its RAM). The baseline is today's builder setting, squashfs zstd -3 with 128 KiB blocks,
# made and read in the same run; every ratio is against it. Prints Markdown table rows.
#
#   tools/bench/compression.sh BUILD_DIR   (inside the build root, as root; needs the mirror)
#   COMPRESSION_LAYER=FILE.squashfs tools/bench/compression.sh   takes that base layer's tree
#   instead of building the image (e.g. the base.squashfs a --keep-work build left)
#   COMPRESSION_SETTINGS="sq-zstd-3-128K sq-xz-1M ..." runs only those (the baseline always)
set -euo pipefail

build=${1:-build}
src=$(cd "$(dirname "$0")/../.." && pwd)
[[ $(id -u) == 0 ]] || { echo "compression.sh: mounting layers needs root" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/drover-bench-compression.XXXXXX")
cleanup() {
  mountpoint -q "$work/mnt" 2>/dev/null && umount "$work/mnt"
  rm -rf "$work"
}
trap cleanup EXIT

now() { date +%s.%N; }
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

layer=${COMPRESSION_LAYER:-}
if [[ -z $layer ]]; then
  drover=$(cd "$build" && pwd)/app/drover
  [[ -x $drover ]] || { echo "compression.sh: $drover is not built" >&2; exit 1; }
  "$drover" --data "$work/lab" build "$src/examples/recipes/debian-server.json" --keep-work \
    --tag debian-server:compression --json >"$work/build.json"
  layer=$(find "$work/lab/cache/build/work" -maxdepth 2 -name base.squashfs | head -1)
  [[ -n $layer ]] || { echo "compression.sh: the build left no base.squashfs" >&2; exit 1; }
fi
tree=$work/tree
unsquashfs -q -n -d "$tree" "$layer" >/dev/null
rm -rf "$work/lab"
epoch=$(stat -c %Y "$tree/etc/hostname" 2>/dev/null || stat -c %Y "$tree/etc")
procs=$(nproc)
mkdir -p "$work/mnt"
echo "tree: $(du -s --apparent-size -m "$tree" | cut -f1) MiB in $(find "$tree" | wc -l) entries; $procs cores; load $(cut -d' ' -f1-3 /proc/loadavg)"

# make SETTING OUT: packs the tree; prints nothing, fails on an unknown setting.
make_layer() {
  local setting=$1 out=$2 kind comp rest level block
  IFS=- read -r kind comp rest <<<"$setting"
  case $kind in
  sq)
    local args=("$tree" "$out" -noappend -quiet -reproducible -mkfs-time "$epoch" -all-time "$epoch" -processors "$procs")
    case $comp in
    zstd) level=${rest%%-*} block=${rest#*-}; args+=(-comp zstd -Xcompression-level "$level" -b "$block") ;;
    xz) block=${rest%%-*}; args+=(-comp xz -b "$block" -Xdict-size 100%); [[ $rest == *-bcj ]] && args+=(-Xbcj x86) ;;
    *) return 1 ;;
    esac
    env -u SOURCE_DATE_EPOCH mksquashfs "${args[@]}" >/dev/null
    ;;
  erofs)
    local z
    case $comp in
    lz4hc) z=-zlz4hc ;;
    zstd) z=-zzstd,level=${rest%%-*} ;;
    lzma) z=-zlzma,level=${rest%%-*} ;;
    *) return 1 ;;
    esac
    local args=("$z" -T"$epoch" -U 00000000-0000-0000-0000-000000000001 --quiet)
    [[ $rest == *-1M ]] && args+=(-C1048576)
    mkfs.erofs "${args[@]}" "$out" "$tree" >/dev/null
    ;;
  *) return 1 ;;
  esac
}

# read SETTING FILE: seconds to read every file through a fresh mount, the median of
# COMPRESSION_READS (default 5) mounts: one read is under a second and the machine is shared
# ("n/a" when this host's kernel cannot mount the layer).
read_layer() {
  local type=squashfs t0 t1 i times=()
  [[ $1 == erofs-* ]] && type=erofs
  for ((i = 0; i < ${COMPRESSION_READS:-5}; i++)); do
    if ! mount -t "$type" -o loop,ro "$2" "$work/mnt" 2>/dev/null; then
      echo n/a
      return
    fi
    t0=$(now)
    tar -C "$work/mnt" -cf - . | cat >/dev/null
    t1=$(now)
    umount "$work/mnt"
    times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

baseline=sq-zstd-3-128K
settings=()
for level in 3 9 15 19 22; do
  for block in 128K 256K 1M; do settings+=("sq-zstd-$level-$block"); done
done
settings+=(sq-xz-1M sq-xz-1M-bcj erofs-lz4hc erofs-lz4hc-1M erofs-zstd-3 erofs-zstd-19-1M erofs-lzma-6-1M)
if [[ -n ${COMPRESSION_SETTINGS:-} ]]; then
  read -ra settings <<<"$COMPRESSION_SETTINGS"
  [[ " ${settings[*]} " == *" $baseline "* ]] || settings=("$baseline" "${settings[@]}")
fi

echo
echo "| setting | layer MiB | × baseline | make s | × baseline | read all s | × baseline | image MiB (kernel, initrd, top as built) |"
echo "|---|---|---|---|---|---|---|---|"
declare -A size made readt
# The rest of the image, as the reference build has it: kernel + initrd + top (about 14.5 MiB).
rest_bytes=${COMPRESSION_REST_BYTES:-15266000}
for setting in "${settings[@]}"; do
  out=$work/layer.img
  rm -f "$out"
  t0=$(now)
  if ! make_layer "$setting" "$out" 2>"$work/err"; then
    echo "| $setting | failed: $(head -c 200 "$work/err" | tr '\n|' '  ') | | | | | | |"
    continue
  fi
  t1=$(now)
  size[$setting]=$(stat -c %s "$out")
  made[$setting]=$(seconds "$t0" "$t1")
  readt[$setting]=$(read_layer "$setting" "$out")
  b=$baseline
  rr=n/a
  [[ ${readt[$setting]} != n/a && ${readt[$b]:-n/a} != n/a ]] && rr=$(ratio "${readt[$setting]}" "${readt[$b]}")
  echo "| $setting$([[ $setting == "$b" ]] && echo ' (baseline: today)') | $(mib "${size[$setting]}") | $(ratio "${size[$setting]}" "${size[$b]}") | ${made[$setting]} | $(ratio "${made[$setting]}" "${made[$b]}") | ${readt[$setting]} | $rr | $(mib $((size[$setting] + rest_bytes))) |"
  if [[ -n ${COMPRESSION_KEEP:-} ]]; then cp "$out" "$COMPRESSION_KEEP/$setting.img"; fi
done
# The baseline once more at the end: how much the machine's load moved the times.
t0=$(now)
make_layer "$baseline" "$work/layer.img"
t1=$(now)
echo "| $baseline again (load check) | $(mib "$(stat -c %s "$work/layer.img")") | | $(seconds "$t0" "$t1") | | $(read_layer "$baseline" "$work/layer.img") | | |"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
