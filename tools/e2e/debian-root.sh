#!/usr/bin/env bash
# A small Debian 13 systemd image for the end-to-end boot test, made once with mmdebstrap
# (minbase + systemd-sysv + udev, from the mirror the build root's apt uses) and cached. Its top
# layer holds what the builder puts into every image: Drover's ready script and
# drover-ready.service, enabled after multi-user.target.
#   debian-root.sh   → prints DIR with DIR/base/ (the bootstrap), DIR/top/, DIR/all/
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

packages=systemd-sysv,udev
key=$({ echo "$packages"; cat "$0"; } | sha256sum | cut -c1-12)
out=$E2E_CACHE/debian-root-$key
if [[ ! -f $out/.complete ]]; then
  mirror=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; exit } }' \
    /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | head -n1)
  [[ -n $mirror ]] || e2e_die "no Debian mirror in the build root's apt sources"
  rm -rf "$out.partial"
  mkdir -p "$out.partial"
  e2e_say "bootstrapping a minbase Debian 13 root with $packages (once, about 2 minutes)"
  started=$(e2e_ms)
  mmdebstrap --variant=minbase --mode=root --quiet --include="$packages" \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/locale/locale.alias' \
    --customize-hook='rm -f "$1"/etc/machine-id "$1"/var/lib/dbus/machine-id; : >"$1"/etc/machine-id' \
    trixie "$out.partial/base" "deb $mirror trixie main" >&2
  rm -rf "$out.partial/base/var/cache/apt"/*.bin "$out.partial/base/var/lib/apt/lists"/*_Packages
  e2e_say "bootstrapped in $((($(e2e_ms) - started) / 1000)) s: $(du -sh "$out.partial/base" | cut -f1)"
  touch "$out.partial/.complete"
  mv "$out.partial" "$out"
fi

# The top layer is cheap: rebuilt every time from the current sources.
rm -rf "$out/top" "$out/all"
top=$out/top
mkdir -p "$top/usr/lib/drover" "$top/etc/systemd/system/multi-user.target.wants"
echo top >"$top/etc/layer"
install -m 0755 "$E2E_SRC/resources/initramfs/ready" "$top/usr/lib/drover/ready"
install -m 0644 "$E2E_SRC/resources/initramfs/drover-ready.service" "$top/etc/systemd/system/"
ln -s ../drover-ready.service "$top/etc/systemd/system/multi-user.target.wants/drover-ready.service"
mkdir -p "$out/all"
cp -a "$out/base/." "$out/all/"
cp -a "$top/." "$out/all/"
echo "$out"
