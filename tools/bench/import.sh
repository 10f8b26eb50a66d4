#!/usr/bin/env bash
# Import benchmark (issue 16): `drover image import-oci` of a docker-archive of about 300 MB,
# against the baseline an admin would script in the same run: `skopeo copy` of the archive to
# an OCI layout, `umoci unpack` of it, `mksquashfs` of the root with the compression Drover
# uses (zstd -3). Drover does more than the baseline: it checks every layer against the
# config's diff_ids, prunes the kernel's modules, and writes the kernel, an initramfs and a
# top layer, so the machine can boot what it made. The archive is made first (mmdebstrap of
# Debian 13 with a kernel, systemd, OpenSSH and Python; umoci; skopeo) and not timed.
# Prints Markdown table rows.
#
#   tools/bench/import.sh BUILD_DIR      (inside the build root, as root; needs the mirror)
set -euo pipefail

build=${1:?usage: import.sh BUILD_DIR}
src=$(cd "$(dirname "$0")/../.." && pwd)
drover=$(cd "$build" && pwd)/app/drover
[[ -x $drover ]] || { echo "import.sh: $drover is not built" >&2; exit 1; }
[[ $(id -u) == 0 ]] || { echo "import.sh: importing images needs root" >&2; exit 1; }
for tool in mmdebstrap umoci skopeo mksquashfs; do
  command -v "$tool" >/dev/null || { echo "import.sh: $tool is missing (tools/buildroot/packages.txt)" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/drover-bench-import.XXXXXX")
trap 'rm -rf "$work"' EXIT
now() { date +%s.%N; }
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
mirror=$(bash "$src/tools/mirror.sh")
mirror=${mirror%/}

# The archive: one layer, as `docker save` of a single-layer image writes it.
mmdebstrap --variant=essential --mode=root --format=tar --quiet \
  --include=linux-image-amd64,systemd-sysv,udev,iproute2,openssh-server,python3 \
  trixie "$work/root.tar" "deb $mirror trixie main" >"$work/mmdebstrap.log" 2>&1 \
  || { tail -n 20 "$work/mmdebstrap.log" >&2; exit 1; }
umoci init --layout "$work/oci" && umoci new --image "$work/oci:bench"
umoci unpack --image "$work/oci:bench" "$work/bundle" >/dev/null
tar --extract --file="$work/root.tar" --directory="$work/bundle/rootfs" --preserve-permissions --numeric-owner \
  --xattrs --xattrs-include='*'
umoci repack --image "$work/oci:bench" "$work/bundle"
rm -rf "$work/bundle" "$work/root.tar"
skopeo copy --quiet "oci:$work/oci:bench" "docker-archive:$work/bench.tar:drover/bench:1"
rm -rf "$work/oci"
archive=$(stat -c %s "$work/bench.tar")
sync

# Drover, with an empty build cache: the whole import, to a published, bootable image.
t0=$(now)
"$drover" --data "$work/data" image import-oci "$work/bench.tar" --tag bench:1 --cache "$work/cache" \
  >"$work/drover.log" 2>&1 || { tail -n 20 "$work/drover.log" >&2; exit 1; }
t1=$(now)
base=$("$drover" --data "$work/data" --json image inspect bench:1 | python3 -c \
  'import json, sys; print(json.load(sys.stdin)["manifest"]["layers"][0]["size"])')
total=$("$drover" --data "$work/data" --json image inspect bench:1 | sed -n 's/^    "size": *\([0-9]*\).*/\1/p')
rm -rf "$work/data" "$work/cache"
sync

# The baseline: skopeo copy + umoci unpack + mksquashfs, in the same run.
t2=$(now)
skopeo copy --quiet "docker-archive:$work/bench.tar" "oci:$work/oci2:bench"
umoci unpack --image "$work/oci2:bench" "$work/bundle" >/dev/null
mksquashfs "$work/bundle/rootfs" "$work/base.sqfs" -noappend -comp zstd -Xcompression-level 3 -quiet >/dev/null
t3=$(now)
baseline=$(stat -c %s "$work/base.sqfs")

drover_s=$(seconds "$t0" "$t1")
baseline_s=$(seconds "$t2" "$t3")
echo "| figure | Drover | baseline | ratio |"
echo "|---|---|---|---|"
echo "| import of a $(mib "$archive") MiB docker-archive to a squashfs root | $drover_s s | $baseline_s s | $(awk -v a="$drover_s" -v b="$baseline_s" 'BEGIN { printf "%.2f", a / b }')× |"
echo "| the root's squashfs (Drover: modules pruned to the recipe's classes) | $(mib "$base") MiB | $(mib "$baseline") MiB | $(awk -v a="$base" -v b="$baseline" 'BEGIN { printf "%.2f", a / b }')× |"
echo "| what a machine downloads to boot Drover's import (kernel, initrd, layers) | $(mib "$total") MiB | — | — |"
