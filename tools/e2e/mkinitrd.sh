#!/usr/bin/env bash
# Assembles a Drover initramfs for the end-to-end tests (the product's assembly is the
# builder's C++ code; this is the reference it is tested against): /init (Drover's init),
# /bin/busybox (static), /dev/console, and the kernel's modules with modules.dep. With a
# ROOT directory the whole root goes in too: the "initramfs" image format.
#   mkinitrd.sh OUT KERNEL_DIR [ROOT]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
out=$1 kdir=$2 root=${3:-}
kver=$(cat "$kdir/kver")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [[ -n $root ]]; then
  cp -a "$root/." "$tmp/"
fi
# Through the root's own /bin -> usr/bin symlink when there is one.
mkdir -p "$tmp/bin" "$tmp/dev" "$tmp/lib/modules" "$tmp/proc" "$tmp/sys" "$tmp/run" "$tmp/tmp"
cp "$(command -v busybox)" "$tmp/bin/busybox"
install -m 0755 "$E2E_SRC/resources/initramfs/init" "$tmp/init"
cp -a "$kdir/modules/lib/modules/$kver" "$tmp/lib/modules/"
# The initramfs is compressed as a whole: modules stored uncompressed spare busybox an xz
# decompression per module under emulation (E2E_XZ_MODULES=1 keeps Debian's .ko.xz).
if [[ ${E2E_XZ_MODULES:-0} != 1 ]]; then
  find "$tmp/lib/modules/$kver" -name '*.ko.xz' -exec xz -d {} +
  depmod -b "$tmp" "$kver"
fi
[[ -e $tmp/dev/console ]] || mknod -m 0600 "$tmp/dev/console" c 5 1
(cd "$tmp" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
  zstd -q -T0 -"${E2E_ZSTD_LEVEL:-10}" >"$out"
