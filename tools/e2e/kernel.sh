#!/usr/bin/env bash
# Fetches Debian's current amd64 kernel package with apt (the host's configured mirror),
# once, and keeps only what a Drover initramfs needs: vmlinuz and the modules of
# E2E_MODULES with their dependencies, plus modules.dep made by depmod.
# Prints the directory: DIR/vmlinuz, DIR/kver, DIR/modules/lib/modules/<kver>/…
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
[[ -n $pkg ]] || e2e_die "apt knows no linux-image-amd64 (run apt-get update in the build root)"
version=$(apt-cache show "$pkg" | awk '/^Version:/ {print $2; exit}')
out=$E2E_CACHE/kernel-$pkg-$version-2
if [[ -f $out/.complete ]]; then
  echo "$out"
  exit 0
fi

mkdir -p "$E2E_DEBS"
deb=$(ls "$E2E_DEBS/${pkg}_"*.deb 2>/dev/null | head -n1 || true)
if [[ -z $deb ]]; then
  e2e_say "downloading $pkg $version with apt-get"
  (cd "$E2E_DEBS" && apt-get download -q "$pkg" >&2) ||
    (apt-get update -q >&2 && cd "$E2E_DEBS" && apt-get download -q "$pkg" >&2)
  deb=$(ls "$E2E_DEBS/${pkg}_"*.deb | head -n1)
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp" "$out.partial"' EXIT
e2e_say "unpacking $(basename "$deb")"
dpkg-deb -x "$deb" "$tmp"
kver=$(ls "$tmp/lib/modules" 2>/dev/null || ls "$tmp/usr/lib/modules")
moddir=$tmp/lib/modules/$kver
[[ -d $moddir ]] || moddir=$tmp/usr/lib/modules/$kver
# depmod wants <base>/lib/modules/<kver>.
if [[ ! -d $tmp/lib/modules/$kver ]]; then
  mkdir -p "$tmp/lib/modules"
  ln -s "$moddir" "$tmp/lib/modules/$kver"
fi
depmod -b "$tmp" "$kver"

rm -rf "$out.partial"
mkdir -p "$out.partial/modules/lib/modules/$kver"
cp "$tmp"/boot/vmlinuz-* "$out.partial/vmlinuz"
echo "$kver" >"$out.partial/kver"
for m in $E2E_MODULES; do
  # "insmod /path/x.ko.xz" lines; built-in modules print "builtin x".
  modprobe -d "$tmp" -S "$kver" --show-depends "$m" 2>/dev/null || e2e_say "module $m: not in $pkg"
done | awk '$1 == "insmod" {print $2}' | sort -u | while read -r path; do
  rel=${path#"$moddir"/}
  rel=${rel#"$tmp/lib/modules/$kver/"}
  mkdir -p "$out.partial/modules/lib/modules/$kver/$(dirname "$rel")"
  cp "$path" "$out.partial/modules/lib/modules/$kver/$rel"
done
cp "$moddir"/modules.builtin "$moddir"/modules.builtin.modinfo "$moddir"/modules.order \
  "$out.partial/modules/lib/modules/$kver/" 2>/dev/null || true
depmod -b "$out.partial/modules" "$kver"
touch "$out.partial/.complete"
mv "$out.partial" "$out"
e2e_say "kernel $kver: $(find "$out/modules" -name '*.ko*' | wc -l) modules kept"
echo "$out"
