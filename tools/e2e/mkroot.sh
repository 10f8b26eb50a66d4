#!/usr/bin/env bash
# The small image the end-to-end boot test starts: a busybox root in two layers. The base
# layer holds busybox; the top layer a file shadowing one of the base and an /sbin/init
# that sets the hostname, runs Drover's ready script as drover-ready.service would (the
# test's configuration adds a script that shows what the test checks), and powers off.
#   mkroot.sh DIR    → DIR/base/ and DIR/top/ (trees), DIR/all/ (both merged)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
dir=$1
rm -rf "$dir/base" "$dir/top" "$dir/all"
mkdir -p "$dir/base/bin" "$dir/base/sbin" "$dir/base/etc" "$dir/base/home" "$dir/base/root" \
  "$dir/base/proc" "$dir/base/sys" "$dir/base/dev" "$dir/base/run" "$dir/base/tmp" \
  "$dir/top/sbin" "$dir/top/etc" "$dir/top/usr/lib/drover"
cp "$(command -v busybox)" "$dir/base/bin/busybox"
for applet in $(busybox --list); do
  [[ $applet == busybox ]] || ln -s busybox "$dir/base/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$dir/base/etc/passwd"
printf 'root:x:0:\n' >"$dir/base/etc/group"
printf 'root:*:19000:0:99999:7:::\n' >"$dir/base/etc/shadow"
printf '127.0.0.1 localhost\n' >"$dir/base/etc/hosts"
echo e2e-image >"$dir/base/etc/hostname"
echo base >"$dir/base/etc/layer"
echo top >"$dir/top/etc/layer"
install -m 0755 "$E2E_SRC/resources/initramfs/ready" "$dir/top/usr/lib/drover/ready"
cat >"$dir/top/sbin/init" <<'INIT'
#!/bin/sh
# The e2e image's init: what a systemd image does with drover-ready.service.
export PATH=/bin
hostname -F /etc/hostname
/usr/lib/drover/ready
echo "e2e-root: ready exited $?"
sync
poweroff -f
INIT
chmod 0755 "$dir/top/sbin/init"
mkdir -p "$dir/all"
cp -a "$dir/base/." "$dir/all/"
cp -a "$dir/top/." "$dir/all/"
