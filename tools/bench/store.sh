#!/usr/bin/env bash
# Store benchmark: importing a ~700 MB bundle with `drover image import` against `tar -x`
# plus `sha256sum` of the same files, and `drover image verify` against `sha256sum` of the
# stored blobs. Same machine, same run, alternating rounds; prints the median of each as
# Markdown table rows (import goal: ratio <= 1.5; verify goal: throughput ratio >= 0.9).
# Every timed step starts after a `sync`, so that neither side pays for the other's (or
# anyone else's) dirty pages. drover's import fsyncs every blob; tar does not: the extra
# row "tar -x + sha256sum + sync" shows what the same durability costs the baseline.
#
#   tools/bench/store.sh BUILD_DIR [ROUNDS]      (inside the build root)
set -euo pipefail

build=${1:?usage: store.sh BUILD_DIR [ROUNDS]}
rounds=${2:-5}
drover=$(cd "$build" && pwd)/app/drover
[[ -x $drover ]] || { echo "store.sh: $drover is not built" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/drover-bench-store.XXXXXX")
trap 'rm -rf "$work"' EXIT

now() { date +%s.%N; }
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# The bundle: an OCI layout of kernel, initrd and one root layer, random (incompressible).
layout=$work/layout
mkdir -p "$layout/blobs/sha256"
declare -A digest size
for part in kernel:50 initrd:150 layer:500; do
  name=${part%%:*}
  head -c "${part##*:}M" /dev/urandom >"$work/$name"
  digest[$name]=$(sha256sum "$work/$name" | cut -d' ' -f1)
  size[$name]=$(stat -c %s "$work/$name")
  mv "$work/$name" "$layout/blobs/sha256/${digest[$name]}"
done
manifest=$(printf '{"architecture":"amd64","build":{},"format":"layers","initrd":{"digest":"sha256:%s","size":%s},"kernel":{"digest":"sha256:%s","size":%s},"kernelArgs":"","layers":[{"digest":"sha256:%s","role":"base","size":%s,"type":"squashfs"}],"mediaType":"application/vnd.drover.manifest.v1+json","name":"bench","recipeDigest":"","schemaVersion":1,"version":"1"}' \
  "${digest[initrd]}" "${size[initrd]}" "${digest[kernel]}" "${size[kernel]}" "${digest[layer]}" "${size[layer]}")
mdigest=$(printf '%s' "$manifest" | sha256sum | cut -d' ' -f1)
printf '%s' "$manifest" >"$layout/blobs/sha256/$mdigest"
printf '{"imageLayoutVersion":"1.0.0"}' >"$layout/oci-layout"
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.drover.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"bench:1"}}]}' \
  "$mdigest" "${#manifest}" >"$layout/index.json"
bundle=$work/bench.tar
tar -cf "$bundle" -C "$layout" oci-layout index.json blobs
rm -rf "$layout"
total=$((size[kernel] + size[initrd] + size[layer]))
mb=$(awk -v b="$total" 'BEGIN { printf "%.0f", b / 1048576 }')
cat "$bundle" >/dev/null # both sides read it from the page cache

import_ours=() import_base=() import_sync=() verify_ours=() verify_base=()
for ((round = 1; round <= rounds; ++round)); do
  rm -rf "$work/data" "$work/x"
  mkdir -p "$work/x"
  sync
  t0=$(now)
  tar -xf "$bundle" -C "$work/x"
  sha256sum "$work"/x/blobs/sha256/* >/dev/null
  t1=$(now)
  sync
  t2=$(now)
  import_base+=("$(seconds "$t0" "$t1")")
  import_sync+=("$(seconds "$t0" "$t2")")
  rm -rf "$work/x"
  sync

  t0=$(now)
  "$drover" --data "$work/data" image import "$bundle" >/dev/null
  t1=$(now)
  import_ours+=("$(seconds "$t0" "$t1")")

  sync
  t0=$(now)
  sha256sum "$work"/data/store/blobs/sha256/* >/dev/null
  t1=$(now)
  verify_base+=("$(seconds "$t0" "$t1")")
  t0=$(now)
  "$drover" --data "$work/data" image verify bench:1 >/dev/null
  t1=$(now)
  verify_ours+=("$(seconds "$t0" "$t1")")
done

ib=$(median "${import_base[@]}") io=$(median "${import_ours[@]}") is=$(median "${import_sync[@]}")
vb=$(median "${verify_base[@]}") vo=$(median "${verify_ours[@]}")
echo "store benchmark: $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), ${mb} MiB bundle (3 blobs), median of $rounds rounds"
echo "import rounds: drover ${import_ours[*]} s; tar -x + sha256sum ${import_base[*]} s; with sync ${import_sync[*]} s"
echo "verify rounds: drover ${verify_ours[*]} s; sha256sum ${verify_base[*]} s"
echo
echo "| benchmark | drover | baseline | ratio | goal |"
echo "|---|---|---|---|---|"
echo "| import ${mb} MiB bundle | ${io} s | ${ib} s (tar -x + sha256sum) | $(awk -v a="$io" -v b="$ib" 'BEGIN { printf "%.2f×", a / b }') time | ≤ 1.5× |"
echo "| (import, durable baseline) | ${io} s | ${is} s (tar -x + sha256sum + sync) | $(awk -v a="$io" -v b="$is" 'BEGIN { printf "%.2f×", a / b }') time | — |"
echo "| verify ${mb} MiB | ${vo} s ($(awk -v m="$mb" -v t="$vo" 'BEGIN { printf "%.0f", m / t }') MiB/s) | ${vb} s (sha256sum, $(awk -v m="$mb" -v t="$vb" 'BEGIN { printf "%.0f", m / t }') MiB/s) | $(awk -v a="$vo" -v b="$vb" 'BEGIN { printf "%.2f×", b / a }') throughput | ≥ 0.9× |"
