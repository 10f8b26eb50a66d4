#!/usr/bin/env bash
# Module classes benchmark (issue 18, "less on the wire"): the reference recipe
# (examples/recipes/debian-server.json as shipped) against the same recipe with the module
# classes it had before the finer PC classes (`net, storage, virtio, fs, usb, input`: the
# baseline), built by the same drover in the same run, then each booted in qemu by
# `drover image test` (Drover's own boot path: iPXE by HTTP, Drover's init fetching and
# verifying every layer, systemd to ready; TCG, 1 vCPU, 1.5 GiB, virtio NIC), alternately,
# BOOT_ROUNDS times each (default 2). For each: the bytes a machine downloads (kernel +
# initrd + layers), the kernel modules kept, the wall time from qemu's start to the ready
# event (the image test polls once a second) and qemu's CPU time until then (sampled every
# 0.2 s; steadier than the wall clock on a shared machine). Prints Markdown table rows, ratios
# against the baseline of the same run.
#
# The baseline is the reference recipe before the finer classes: its classes and the default
# layer compression (the line naming "compression" dropped; it must not end the object).
#   tools/bench/modules.sh BUILD_DIR   (inside the build root, as root; needs the mirror)
#   MODULES_BASELINE='["net", "storage"]'   another baseline class list (JSON array)
#   MODULES_EXTRA="name:[\"virtio\"] ..."   more variants of the reference to build and size
#                                           (not booted), e.g. to see what one class costs
#   MODULES_BOOT_ALL=1                      boot every variant, not only the two
#   MODULES_COMPARE_BASE=FILE               compare the baseline's base layer with FILE
set -euo pipefail

build=${1:-build}
src=$(cd "$(dirname "$0")/../.." && pwd)
drover=$(cd "$build" && pwd)/app/drover
[[ -x $drover ]] || { echo "modules.sh: $drover is not built" >&2; exit 1; }
[[ $(id -u) == 0 ]] || { echo "modules.sh: building images needs root" >&2; exit 1; }
rounds=${BOOT_ROUNDS:-2}

work=$(mktemp -d "${TMPDIR:-/tmp}/drover-bench-modules.XXXXXX")
trap 'rm -rf "$work"' EXIT
# apt's sandbox user must reach the .deb cache, as in the end-to-end tests' builds: where it
# cannot, apt runs as root and its lists/partial directory is root's, not _apt's — one entry
# of the base layer, and so its digest, differs from every other build of the recipe.
chmod 0755 "$work"
lab=$work/lab
cache=$work/cache
# Downloaded packages are shared with the end-to-end tests' builds: the run measures the
# images, not the mirror.
debs=${DROVER_SHARED_CACHE:-/var/cache/drover/shared}/downloads/build-debs
mkdir -p "$debs" "$cache"
ln -sfn "$debs" "$cache/debs"

mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
mean() { awk '{ s += $1; n++ } END { printf "%.1f", (n ? s / n : 0) }'; }
# A number of drover's indented --json output: the first "KEY": N after a line matching AFTER.
after() { awk -v a="$2" -v k="\"$3\":" 'index($0, a) { on = 1 } on && index($0, k) { gsub(/[^0-9.]/, "", $2); print $2; exit }' "$1"; }

recipes=$work/recipes
cp -a "$src/examples/recipes" "$recipes"
current=$(grep -o '"kernelModules": *\[[^]]*\]' "$recipes/debian-server.json")
[[ -n $current ]] || { echo "modules.sh: the reference recipe names no kernelModules" >&2; exit 1; }
# variant NAME CLASSES_JSON: a copy of the reference with other classes.
variant() {
  sed "s|\"kernelModules\": *\[[^]]*\]|\"kernelModules\": $2|" "$recipes/debian-server.json" >"$recipes/$1.json"
  grep -qF "\"kernelModules\": $2" "$recipes/$1.json"
}
variant baseline "${MODULES_BASELINE:-[\"net\", \"storage\", \"virtio\", \"fs\", \"usb\", \"input\"]}"
# The baseline is the reference as it was: the default compression too (its base layer then
# has the digest every earlier build of it had).
sed -i '/"compression"/d' "$recipes/baseline.json"
names=(baseline reference)
cp "$recipes/debian-server.json" "$recipes/reference.json"
# Where the reference names a layer compression, the same classes with the default one too:
# what the classes save and what the compression saves, apart (sized, not booted).
if grep -q '"compression"' "$recipes/reference.json"; then
  grep -v '"compression"' "$recipes/reference.json" >"$recipes/reference-default-compression.json"
  names+=(reference-default-compression)
fi
for extra in ${MODULES_EXTRA:-}; do
  variant "${extra%%:*}" "${extra#*:}"
  names+=("${extra%%:*}")
done

declare -A download modules base classes blobs
echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(date -u +%Y-%m-%dT%H:%MZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
for name in "${names[@]}"; do
  classes[$name]=$(grep -o '"kernelModules": *\[[^]]*\]' "$recipes/$name.json" | sed 's/.*\[//; s/\]//; s/"//g; s/ //g')
  comp=$(grep -o '"compression": *"[^"]*"' "$recipes/$name.json" | sed 's/.*: *"//; s/"$//' || true)
  classes[$name]+="; compression ${comp:-default}"
  "$drover" --data "$lab" build "$recipes/$name.json" --tag "modules-$name:1" --cache "$cache" --json >"$work/$name.json" ||
    { echo "modules.sh: building $name failed: $(tail -c 600 "$work/$name.json")" >&2; exit 1; }
  download[$name]=$(grep -o '"download": *[0-9]*' "$work/$name.json" | grep -o '[0-9]*$')
  digest=$(awk '/"role": "base"/ { print d } /"digest":/ { gsub(/[",]/, ""); d = $2 }' "$work/$name.json" | head -n1)
  base[$name]=$(awk -v d="$digest" 'index($0, "\"digest\": \"" d "\"") { on = 1 } on && /"size":/ { gsub(/[^0-9]/, ""); print; exit }' "$work/$name.json")
  blob=$(find "$lab" -path "*/blobs/sha256/${digest#sha256:}" -type f | head -n1)
  modules[$name]=$( (unsquashfs -l "$blob" 2>/dev/null || true) | grep -cE '\.ko(\.[a-z]+)?$' || true)
  blobs[$name]=$blob
  # The devices of qemu's PC models and of the lab PCs the classes are for: which drivers the
  # base layer holds (the boots below use virtio-net only).
  have=$( (unsquashfs -l "$blob" 2>/dev/null || true) | grep -oE '/(e1000|e1000e|r8169|igc|ahci|nvme|sd_mod|sr_mod|uas|xhci-pci|usbhid|hid-generic|psmouse|ext4|vfat|ntfs3|nfsv4|virtio_net|virtio_blk)\.ko' | sed 's|^/||; s|\.ko$||' | sort -u | paste -sd' ')
  echo "built $name in $(grep -o '"seconds": *[0-9.]*' "$work/$name.json" | head -n1 | grep -o '[0-9.]*$') s: download ${download[$name]} bytes (kernel $(after "$work/$name.json" '"kernel"' size), initrd $(after "$work/$name.json" '"initrd"' size), base ${base[$name]}), base layer $digest, ${modules[$name]} modules; drivers present: $have"
done

# MODULES_COMPARE_BASE=FILE: the baseline's base layer against FILE, a base layer of the same
# recipe built earlier (by a drover before the finer classes): every entry's metadata, and
# the kernel modules byte for byte.
if [[ -n ${MODULES_COMPARE_BASE:-} ]]; then
  unsquashfs -lln "$MODULES_COMPARE_BASE" | tail -n +2 >"$work/earlier.lst"
  unsquashfs -lln "${blobs[baseline]}" | tail -n +2 >"$work/now.lst"
  echo "baseline's base layer against $(basename "$MODULES_COMPARE_BASE"): $(wc -l <"$work/now.lst") entries, $(diff "$work/earlier.lst" "$work/now.lst" | grep -c '^>' || true) differ in the listing:"
  diff "$work/earlier.lst" "$work/now.lst" | grep '^[<>]' | head -n 10 || true
  for side in earlier now; do
    src=$MODULES_COMPARE_BASE
    [[ $side == now ]] && src=${blobs[baseline]}
    unsquashfs -q -n -d "$work/$side" "$src" usr/lib/modules >/dev/null
    (cd "$work/$side" && find . -type f -print0 | sort -z | xargs -0 sha256sum) >"$work/$side.sums"
  done
  echo "module tree files: $(wc -l <"$work/now.sums"), differing: $(diff "$work/earlier.sums" "$work/now.sums" | grep -c '^>' || true)"
  rm -rf "$work/earlier" "$work/now"
fi

# Each image booted ROUNDS times, the two alternately; qemu's CPU time sampled from /proc.
declare -A walls cpus
boot() { # NAME: prints "wall cpu"
  local name=$1 pid qemu="" cpu=0 c
  "$drover" --data "$lab" image test "modules-$name:1" --json >"$work/test.json" 2>/dev/null &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    [[ -z $qemu ]] && qemu=$(pgrep -P "$pid" -f qemu-system | head -n1 || true)
    if [[ -n $qemu ]]; then
      c=$(awk '{ printf "%.1f", ($14 + $15) / 100 }' "/proc/$qemu/stat" 2>/dev/null || true)
      [[ -n $c ]] && cpu=$c
    fi
    sleep 0.2
  done
  wait "$pid" || { echo "modules.sh: $name did not pass its boot: $(cat "$work/test.json")" >&2; return 1; }
  grep -q '"passed": *true' "$work/test.json" || { echo "modules.sh: $name failed: $(cat "$work/test.json")" >&2; return 1; }
  echo "$(grep -o '"seconds": *[0-9.]*' "$work/test.json" | grep -o '[0-9.]*$') $cpu"
}
booted=(baseline reference)
[[ -n ${MODULES_BOOT_ALL:-} ]] && booted=("${names[@]}")
for ((r = 1; r <= rounds; r++)); do
  for name in "${booted[@]}"; do
    out=$(boot "$name") || exit 1
    read -r wall cpu <<<"$out"
    echo "round $r, $name: ready after ${wall} s, qemu CPU ${cpu} s, load $(cut -d' ' -f1 /proc/loadavg)"
    walls[$name]+="$wall "
    cpus[$name]+="$cpu "
  done
done

b=baseline
echo
echo "| image (module classes) | download MiB | × baseline | base layer MiB | modules kept | qemu start → ready, s ($rounds rounds) | × baseline (means) | qemu CPU to ready, s | × baseline (means) |"
echo "|---|---|---|---|---|---|---|---|---|"
for name in "${names[@]}"; do
  wm=- cm=- wr=- cr=-
  if [[ -n ${walls[$name]:-} ]]; then
    wm=$(tr ' ' '\n' <<<"${walls[$name]}" | grep . | mean)
    cm=$(tr ' ' '\n' <<<"${cpus[$name]}" | grep . | mean)
    wr=$(ratio "$wm" "$(tr ' ' '\n' <<<"${walls[$b]}" | grep . | mean)")
    cr=$(ratio "$cm" "$(tr ' ' '\n' <<<"${cpus[$b]}" | grep . | mean)")
  fi
  label=$name
  [[ $name == baseline ]] && label="baseline: the reference's classes before"
  [[ $name == reference ]] && label="reference as shipped"
  echo "| $label (\`${classes[$name]}\`) | $(mib "${download[$name]}") | $(ratio "${download[$name]}" "${download[$b]}") | $(mib "${base[$name]}") | ${modules[$name]} | ${walls[$name]:--} | $wr | ${cpus[$name]:--} | $cr |"
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
