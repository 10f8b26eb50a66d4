#!/usr/bin/env bash
# End-to-end netboot through Drover's own boot server (docs/user-guide.md, "Serving boots"):
# a network namespace made for the run holds a bridge (the lab segment) and a tap device;
# `drover --headless` serves that bridge; a qemu VM (software emulation) on the tap boots the
# reference image (examples/recipes/debian-server.json, built with a shared cache) to ready.
#   --mode full:  Drover is the only DHCP server. A BIOS VM (SeaBIOS, qemu's iPXE ROM) gets its
#                 address and the script URL from Drover. With --old-ipxe the NIC's ROM is
#                 Debian 12's iPXE from 2019 (tools/e2e/oldipxe.sh), which percent-encodes
#                 the ':' of every blob URL. With --uefi the VM is a UEFI one (OVMF, its own
#                 PXE client, as in proxy mode) on Drover's full DHCP, given iPXE (the
#                 machine's secure boot setting off). With --secure-boot it is OVMF's Secure
#                 Boot build with Microsoft's keys enrolled (Debian's ovmf package), the machine
#                 left at secure boot auto: it must boot shim → GRUB → the image's signed
#                 kernel, and report Secure Boot on with the kernel locked down.
#   --http-boot:  (either mode) a UEFI VM that boots by UEFI HTTP Boot: OVMF's PXE client off
#                 (fw_cfg IPv4PXESupport=no), its HTTP client asks as HTTPClient and gets the
#                 URL of ipxe.efi; then iPXE's script as on any UEFI machine.
#   --mode proxy: dnsmasq is the lab's DHCP server and hands out addresses only; Drover answers
#                 as ProxyDHCP. A UEFI VM (OVMF, the NIC's option ROM disabled) uses the
#                 firmware's own PXE client, fetches ipxe.efi from Drover's TFTP server, then
#                 the script, and reaches ready.
# Checks: the machine reaches ready with the assigned image and the manifest digest the
# catalog holds; the boot events show every step (DHCP, TFTP in proxy mode, script, blobs,
# each init phase). With --config, the machine's configuration (hostname, an ssh key) is set
# in the catalog first and checked over ssh on the booted VM.
# With --recipe debian-cloud --cloud-init, the VM boots the reference image with cloud-init
# (examples/recipes/debian-cloud.json); the configuration also has a user with a key and a
# file, and the check is that cloud-init itself applied Drover's NoCloud data: the server
# served /nocloud/… to the machine, cloud-init finished with that datasource, its log shows
# it set the host name, wrote the file and handled the user, and over ssh the host name,
# the file, and the user with its uid and key are there.
# With --hardware, the VM (2048 MiB of memory, 3072 MiB when it is UEFI) has SMBIOS strings,
# a virtio disk and (on its first boot only) an NVMe disk with serial numbers, and a second
# NIC (e1000): the hardware inventory its ready script reports must name them all and its
# memory, and with --boots 2 the missing NVMe disk must be a "hardware changed" event.
# With --burnin, the bench: a VM with SMBIOS strings, a virtio and an NVMe disk and a second
# NIC boots three times. Boot 1 is
# its first boot: the machine is unknown, the server registers it (--unknown register) and
# gives it the image for new machines (drover new-machine-image), the busybox inventory image
# (examples/recipes/inventory.json); it must reach ready with its inventory what qemu was told
# (SMBIOS strings, both disks, both NICs, the memory) and still be marked new. Then it is named (drover machine name), assigned
# the burn-in image (examples/recipes/debian-burnin.json) and its thresholds set as a file of
# its configuration (BURNIN_SECONDS=5: qemu emulates the CPU): boot 2 must reach ready with the
# four tests passed as the catalog records them (memory_mib what qemu gave); boot 3 asks for
# more memory than the VM has and must end failed, 10-cpu-memory alone failed, the machine
# marked as failing its burn-in until `drover tests clear`.
# Runs as root inside the build root; argument --drover: the built drover executable.
set -euo pipefail
source "$(dirname "$0")/common.sh"

mode=full
exe=
timeout=900
check_config=0
check_cloud=0
recipe_name=debian-server
format=layers
boots=1
old_ipxe=0
uefi=0
secure_boot=0
http_boot=0
wait_serving=0
hardware=0
burnin=0
accept_expired=0
import_rootfs=0
import_oci=0
import_busybox=0
while (($#)); do
  case $1 in
    --mode) mode=$2; shift 2 ;;
    --drover) exe=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    --config) check_config=1; shift ;;
    --recipe) recipe_name=$2; shift 2 ;; # examples/recipes/NAME.json, tagged NAME:1
    # The recipe's Release file may be past its Valid-Until (distro.checkValidUntil false): for
    # sid, whose Release expires within a week, when the mirror is a snapshot older than that.
    --accept-expired-release) accept_expired=1; shift ;;
    # The image is imported from a root filesystem archive without a kernel (as a container's
    # root would be), the kernel from Debian's package: see import_rootfs below.
    --import-rootfs) import_rootfs=1; shift ;;
    # The image is imported from a container image made here from Debian 12 by umoci, two
    # layers with a whiteout: see import_oci below.
    --import-oci) import_oci=1; shift ;;
    # The image is the inventory image (a busybox root) exported by export-oci and imported
    # again: a container image whose /sbin/init is busybox, with its own kernel in /boot.
    --import-busybox) import_busybox=1; shift ;;
    --cloud-init) check_config=1; check_cloud=1; shift ;;
    --format) format=$2; shift 2 ;; # layers (the default) or initramfs (the all-in-one baseline)
    --boots) boots=$2; shift 2 ;; # power-cycle this many times, printing ready_ms=… for each
    --old-ipxe) old_ipxe=1; shift ;;
    --hardware) hardware=1; shift ;;
    --burnin) burnin=1; shift ;; # implies --recipe debian-burnin, the inventory image and three boots
    --uefi) uefi=1; shift ;; # full mode: a UEFI VM (proxy mode always boots one)
    --secure-boot) uefi=1; secure_boot=1; shift ;;
    --http-boot) uefi=1; http_boot=1; shift ;; # the firmware's own HTTP client, its PXE off
    # Power on only once Drover's DHCP serves (after its few seconds of looking for another
    # DHCP server), as in a lab whose server runs before the machines start: for benchmarks.
    --serving) wait_serving=1; shift ;;

    *) e2e_die "unknown argument $1" ;;
  esac
done
# The OCI layout's image boots first, then the docker-archive's.
((import_oci)) && boots=2
if ((burnin)); then
  ((check_cloud == 0)) || e2e_die "--burnin boots the burn-in image: not with --cloud-init"
  recipe_name=debian-burnin
  boots=3
fi
[[ $mode == full || $mode == proxy ]] || e2e_die "--mode must be full or proxy"
((old_ipxe == 0)) || [[ $mode == full ]] || e2e_die "--old-ipxe is a BIOS ROM: use it with --mode full"
[[ -x $exe ]] || e2e_die "--drover: '$exe' is not an executable"
[[ -f $E2E_SRC/examples/recipes/$recipe_name.json ]] || e2e_die "--recipe: no examples/recipes/$recipe_name.json"
image=$recipe_name:1

# Names carry the process id: several build trees may run this at once on one host.
ns=drv-nb-$$
labns=drv-lab-$$ # proxy mode: the lab's DHCP server is another host on the segment
subnet=10.$((60 + $$ % 60)).$(($$ % 250)).
server=${subnet}1
mac=52:54:00:e2:$(printf '%02x' $(($$ % 256))):0$([[ $mode == full ]] && echo 1 || echo 2)
machine=nb-$mode
data=$(mktemp -d /tmp/drover-netboot-XXXXXX)
pids=()
cleanup() {
  local rc=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
  ip netns del "$labns" 2>/dev/null || true
  if ((rc != 0)); then
    e2e_say "server log (last lines):"
    tail -n 30 "$data/server.log" >&2 2>/dev/null || true
    e2e_say "console (last lines):"
    tail -n 40 "$data/console.log" >&2 2>/dev/null || true
  fi
  rm -rf "$data"
  exit "$rc"
}
trap cleanup EXIT
inns() { nsenter --net="/run/netns/$ns" "$@"; }
# For background processes: nsenter execs the program, so $! is the program's own pid (a
# shell function would put a subshell in between that kill would not pass on).
in_ns=(nsenter --net="/run/netns/$ns")
d() { "$exe" --data "$data" "$@"; }

t0=$(e2e_ms)
mkdir -p "$E2E_CACHE/build-cache"
recipe=$data/recipe
cp -r "$E2E_SRC/examples/recipes" "$recipe"
sed -i "s/\"format\": *\"layers\"/\"format\": \"$format\"/" "$recipe/$recipe_name.json"
# import_recipe NAME FROM SUITE: the recipe of an imported root (FROM: its "rootfs" or "oci"
# field) with the kernel of SUITE's linux-image-amd64 and the reference image's files, host
# name script and services; it becomes the image this run builds, NAME:1.
import_recipe() {
  recipe_name=$1
  image=$1:1
  cat >"$recipe/$1.json" <<EOF
{ "name": "$1", "version": "1", "distro": { "suite": "$3" },
  "from": { $2, "kernelPackage": "linux-image-amd64" },
  "files": { "dir": "files", "modes": { "etc/ssh/sshd_config.d/drover.conf": "0600" } },
  "scripts": ["scripts/10-hostname.sh"],
  "services": { "enable": ["systemd-networkd", "systemd-resolved", "ssh"] },
  "kernelArgs": "console=tty0 console=ttyS0,115200 quiet" }
EOF
}
if ((import_rootfs)); then
  # The archive another tool makes: mmdebstrap's Debian 13 with systemd and OpenSSH but no
  # kernel, as a .tar.zst, with what an import must keep: a setuid file, a device node, a hard
  # link and an extended attribute, a file capability (checked in the base layer below).
  mirror=$(awk '$1 == "deb" { print $2; exit }' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null)
  [[ -n $mirror ]] || e2e_die "--import-rootfs: no deb line in this root's apt sources"
  special='mkdir -p "$1/srv/e2e" && echo e2e >"$1/srv/e2e/setuid" && chmod 4755 "$1/srv/e2e/setuid" &&
    mknod "$1/srv/e2e/null" c 1 3 && echo linked >"$1/srv/e2e/a" && ln "$1/srv/e2e/a" "$1/srv/e2e/b" &&
    python3 -c "import os, struct, sys; os.setxattr(sys.argv[1], \"security.capability\", struct.pack(\"<5I\", 0x02000001, 1 << 13, 0, 0, 0))" "$1/srv/e2e/a"'
  mmdebstrap --variant=essential --mode=root --format=tar --quiet \
    --include=systemd-sysv,systemd-resolved,udev,iproute2,openssh-server,sudo,procps \
    --customize-hook="$special" trixie "$data/rootfs.tar.zst" "deb $mirror trixie main" >"$data/mmdebstrap.log" 2>&1 \
    || { tail -n 20 "$data/mmdebstrap.log" >&2; e2e_die "mmdebstrap could not make the root filesystem archive"; }
  e2e_say "root filesystem archive: $(($(stat -c %s "$data/rootfs.tar.zst") / 1048576)) MiB in $(($(e2e_ms) - t0)) ms"
  import_recipe imported '"rootfs": "'"$data/rootfs.tar.zst"'"' trixie
fi
if ((import_oci)); then
  # A container image as an admin makes one: Debian 12 (bookworm) by mmdebstrap, without a
  # kernel, put into an OCI image layout by umoci as a first layer; a second layer deletes a
  # file of the first (a whiteout) and adds one. skopeo turns the layout into a docker-archive.
  mirror=$(awk '$1 == "deb" { print $2; exit }' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null)
  [[ -n $mirror ]] || e2e_die "--import-oci: no deb line in this root's apt sources"
  mmdebstrap --variant=essential --mode=root --format=tar --quiet \
    --include=systemd-sysv,systemd-resolved,udev,iproute2,openssh-server,sudo,procps \
    --customize-hook='echo "deleted by the upper layer" >"$1/etc/drover-whiteout"' \
    bookworm "$data/bookworm.tar" "deb $mirror bookworm main" >"$data/mmdebstrap.log" 2>&1 \
    || { tail -n 20 "$data/mmdebstrap.log" >&2; e2e_die "mmdebstrap could not make the bookworm root"; }
  umoci init --layout "$data/oci" && umoci new --image "$data/oci:bookworm" \
    && umoci unpack --image "$data/oci:bookworm" "$data/bundle" >/dev/null \
    && tar --extract --file="$data/bookworm.tar" --directory="$data/bundle/rootfs" --preserve-permissions \
      --numeric-owner --xattrs --xattrs-include='*' \
    && umoci repack --image "$data/oci:bookworm" "$data/bundle" && rm -rf "$data/bundle" \
    && umoci unpack --image "$data/oci:bookworm" "$data/bundle" >/dev/null \
    && rm "$data/bundle/rootfs/etc/drover-whiteout" && echo "added by the upper layer" >"$data/bundle/rootfs/etc/drover-upper" \
    && umoci repack --image "$data/oci:bookworm" "$data/bundle" && rm -rf "$data/bundle" "$data/bookworm.tar" \
    || e2e_die "umoci could not make the OCI image"
  skopeo copy --quiet "oci:$data/oci:bookworm" "docker-archive:$data/docker.tar:drover/bookworm:1" \
    || e2e_die "skopeo could not write the docker-archive"
  e2e_say "OCI image (2 layers) and docker-archive ($(($(stat -c %s "$data/docker.tar") / 1048576)) MiB) in $(($(e2e_ms) - t0)) ms"
  import_recipe oci '"oci": "'"$data/oci"'"' bookworm
fi
if ((import_busybox)); then
  d build "$recipe/inventory.json" --tag inventory:1 --cache "$E2E_CACHE/build-cache" >"$data/build-inventory.log" 2>&1 \
    || { tail -n 20 "$data/build-inventory.log" >&2; e2e_die "the inventory image did not build"; }
  d image export-oci inventory:1 "$data/inventory-oci.tar" >/dev/null || e2e_die "drover image export-oci inventory:1 failed"
  recipe_name=busybox-import
  image=$recipe_name:1
  cat >"$recipe/$recipe_name.json" <<EOF
{ "name": "$recipe_name", "version": "1", "from": { "oci": "$data/inventory-oci.tar" },
  "kernelArgs": "console=tty0 console=ttyS0,115200 quiet" }
EOF
  e2e_say "inventory:1 exported as a container image, to be imported as $image"
fi
e2e_say "building $image (shared build cache in $E2E_CACHE/build-cache)"
if ((accept_expired)); then
  sed -i 's/"distro": *{/"distro": { "checkValidUntil": false,/' "$recipe/$recipe_name.json"
  grep -q '"checkValidUntil": false' "$recipe/$recipe_name.json" || e2e_die "--accept-expired-release: no distro in the recipe"
fi
d build "$recipe/$recipe_name.json" --tag "$image" --cache "$E2E_CACHE/build-cache" >"$data/build.log" 2>&1 \
  || { tail -n 20 "$data/build.log" >&2; e2e_die "the reference image did not build"; }
digest=$(d --json image inspect "$image" | sed -n 's/.*"manifestDigest": *"\(sha256:[0-9a-f]*\)".*/\1/p' | head -n 1)
[[ -n $digest ]] || e2e_die "no manifest digest for $image"
e2e_say "built in $(($(e2e_ms) - t0)) ms; manifest $digest"
if ((import_busybox)); then
  kernel_of() { d --json image inspect "$1" | python3 -c 'import json, sys; m = json.load(sys.stdin)["manifest"]
print(m["kernel"]["digest"], m["build"].get("kernelSource", {}).get("type"))'; }
  [[ $(kernel_of "$image") == "$(kernel_of inventory:1 | cut -d' ' -f1) root" ]] \
    || e2e_die "$image does not boot inventory:1's kernel from its own /boot: $(kernel_of "$image")"
  e2e_say "$image boots the kernel its root brought: $(kernel_of "$image")"
fi
if ((import_rootfs)); then
  # What the base layer holds, as the machine will mount it.
  base=$(d --json image inspect "$image" | python3 -c 'import json, sys; print(json.load(sys.stdin)["manifest"]["layers"][0]["digest"])')
  mkdir -p "$data/base"
  mount -t squashfs -o loop,ro "$data/store/blobs/sha256/${base#sha256:}" "$data/base" || e2e_die "cannot mount the base layer"
  facts=$(python3 - "$data/base/srv/e2e" <<'PY'
import os, stat, struct, sys
d = sys.argv[1]
s, n, a, b = (os.lstat(os.path.join(d, f)) for f in ("setuid", "null", "a", "b"))
print("setuid=%o" % stat.S_IMODE(s.st_mode), "chr=%d:%d" % (os.major(n.st_rdev), os.minor(n.st_rdev)) if stat.S_ISCHR(n.st_mode) else "chr=no",
      "links=%d" % a.st_nlink, "same=%s" % (a.st_ino == b.st_ino), "cap_net_raw=%s" % (os.getxattr(os.path.join(d, "a"), "security.capability") == struct.pack("<5I", 0x02000001, 1 << 13, 0, 0, 0)))
PY
  )
  umount "$data/base"
  [[ $facts == "setuid=4755 chr=1:3 links=2 same=True cap_net_raw=True" ]] || e2e_die "the imported root lost something: $facts"
  e2e_say "kept in the base layer: $facts"
  # The same archive through the verb: the same base layer (the build cache knows it).
  d image import-rootfs "$data/rootfs.tar.zst" --tag imported-cli:1 --kernel-package linux-image-amd64 \
    --cache "$E2E_CACHE/build-cache" >"$data/import.log" 2>&1 \
    || { tail -n 20 "$data/import.log" >&2; e2e_die "drover image import-rootfs failed"; }
  d --json image inspect imported-cli:1 | e2e_has "\"digest\": *\"$base\"" \
    || e2e_die "drover image import-rootfs made another base layer than the recipe with from.rootfs"
  d --json image inspect imported-cli:1 | e2e_has '"linux-image-6' || e2e_die "the manifest does not name the kernel package"
  e2e_say "drover image import-rootfs: the same base layer ${base:0:19}…, the kernel package in the manifest"
  # A kernel directory as dpkg-deb -x leaves it: the image boots exactly that vmlinuz.
  mmdebstrap --variant=extract --mode=root --format=directory --quiet --include=linux-image-amd64 --skip=check/empty \
    trixie "$data/kernel" "deb $mirror trixie main" >"$data/kernel.log" 2>&1 \
    || { tail -n 20 "$data/kernel.log" >&2; e2e_die "mmdebstrap could not unpack the kernel package"; }
  d image import-rootfs "$data/rootfs.tar.zst" --tag kernel-dir:1 --kernel-dir "$data/kernel" \
    --cache "$E2E_CACHE/build-cache" >"$data/import.log" 2>&1 \
    || { tail -n 20 "$data/import.log" >&2; e2e_die "drover image import-rootfs --kernel-dir failed"; }
  vmlinuz=$(sha256sum "$data"/kernel/boot/vmlinuz-* | cut -c1-64)
  d --json image inspect kernel-dir:1 | python3 -c 'import json, sys; print(json.load(sys.stdin)["manifest"]["kernel"]["digest"])' \
    | e2e_has "sha256:$vmlinuz" || e2e_die "the image made with --kernel-dir does not boot the directory's vmlinuz"
  [[ -f $data/kernel/boot/vmlinuz-$(ls "$data/kernel/usr/lib/modules") ]] || e2e_die "--kernel-dir changed the directory"
  e2e_say "drover image import-rootfs --kernel-dir: the image's kernel is the directory's vmlinuz ${vmlinuz:0:12}"
fi
if ((import_oci)); then
  # check_upper TAG: the base layer of TAG has the upper layer's file and not the one it deleted.
  check_upper() {
    local layer
    layer=$(d --json image inspect "$1" | python3 -c 'import json, sys; print(json.load(sys.stdin)["manifest"]["layers"][0]["digest"])')
    mkdir -p "$data/base"
    mount -t squashfs -o loop,ro "$data/store/blobs/sha256/${layer#sha256:}" "$data/base" || e2e_die "cannot mount $1's base layer"
    local upper=no gone=yes
    [[ -f $data/base/etc/drover-upper ]] && upper=yes
    [[ -e $data/base/etc/drover-whiteout ]] && gone=no
    grep -q '^VERSION_ID="12"' "$data/base/etc/os-release" || { umount "$data/base"; e2e_die "$1 is not Debian 12"; }
    umount "$data/base"
    [[ $upper == yes && $gone == yes ]] || e2e_die "$1: the upper layer's file is there: $upper; the whiteout removed its file: $gone"
  }
  check_upper "$image"
  # The docker-archive with the same kernel pinned by version, as apt takes it.
  kernel_version=$(d --json image inspect "$image" \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["manifest"]["build"]["packages"]["linux-image-amd64"])') \
    || e2e_die "the manifest of $image has no version of linux-image-amd64"
  d image import-oci "$data/docker.tar" --tag docker:1 --kernel-package "linux-image-amd64=$kernel_version" --suite bookworm \
    --cache "$E2E_CACHE/build-cache" >"$data/import.log" 2>&1 \
    || { tail -n 20 "$data/import.log" >&2; e2e_die "drover image import-oci of the docker-archive failed"; }
  check_upper docker:1
  d --json image inspect docker:1 | e2e_has '"linux-image-6.1' || e2e_die "the manifest does not name bookworm's kernel package"
  d --json image inspect docker:1 | e2e_has "\"package\": *\"linux-image-amd64=$kernel_version\"" \
    || e2e_die "the manifest's kernel source is not linux-image-amd64=$kernel_version"
  e2e_say "OCI layout and docker-archive imported: the whiteout removed its file, the upper layer's file is there"

  # The reverse: the image as a container image (an oci-archive and a layout), read by skopeo
  # and umoci and run by crun as podman would run it; importing the archive again gives an
  # image with the same root (the export's digest) and the same kernel.
  json_field() { python3 -c 'import json, sys; d = json.load(sys.stdin)
for k in sys.argv[1].split("."): d = d[int(k)] if isinstance(d, list) else d[k]
print(d)' "$1"; }
  root1=$(d --json image export-oci "$image" "$data/export.tar" | json_field rootDigest) \
    || e2e_die "drover image export-oci $image failed"
  skopeo inspect "oci-archive:$data/export.tar" | e2e_has "$root1" || e2e_die "skopeo cannot read the exported oci-archive"
  d image export-oci "$image" "$data/export-oci" >/dev/null || e2e_die "drover image export-oci to a directory failed"
  umoci unpack --image "$data/export-oci:$image" "$data/bundle" >/dev/null || e2e_die "umoci cannot unpack the export"
  python3 - "$data/bundle/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["process"]["terminal"] = False
c["process"]["args"] = ["/bin/sh", "-c", ". /etc/os-release; echo debian-$VERSION_ID; "
    "test -e /etc/drover-upper && test ! -e /etc/drover-whiteout && echo layers; "
    "test -x /usr/lib/drover/ready && echo drover; ls /boot"]
json.dump(c, open(sys.argv[1], "w"))
PY
  # crun wants a cgroup v2 hierarchy; on a host with hybrid cgroups, the unified one.
  ran=$(unshare --mount --propagation unchanged sh -c '
    if [ -d /sys/fs/cgroup/unified ]; then mount --bind /sys/fs/cgroup/unified /sys/fs/cgroup; fi
    exec crun --cgroup-manager=disabled run --bundle "$1" "drover-e2e-$$"' sh "$data/bundle" 2>"$data/crun.log") \
    || { cat "$data/crun.log" >&2; e2e_die "crun could not run the exported image"; }
  [[ $(tr '\n' ' ' <<<"$ran") == "debian-12 layers drover vmlinuz-"* ]] || e2e_die "the container saw: $ran"
  e2e_say "export-oci: skopeo and umoci read it, crun ran it: $(tr '\n' ' ' <<<"$ran")"
  d image import-oci "$data/export.tar" --tag roundtrip:1 --cache "$E2E_CACHE/build-cache" >"$data/import.log" 2>&1 \
    || { tail -n 20 "$data/import.log" >&2; e2e_die "drover image import-oci of the export failed"; }
  root2=$(d --json image export-oci roundtrip:1 "$data/roundtrip.tar" | json_field rootDigest) \
    || e2e_die "drover image export-oci roundtrip:1 failed"
  if [[ $root1 != "$root2" ]]; then
    for n in 1 2; do
      f=$data/export.tar
      ((n == 2)) && f=$data/roundtrip.tar
      r=root$n
      tar --extract --to-stdout --file="$f" "blobs/sha256/${!r#sha256:}" | tar --list --verbose --xattrs --file=- >"$data/root$n.list"
    done
    diff "$data/root1.list" "$data/root2.list" | head -n 30 >&2
    e2e_die "export, import and export again changed the root: $root1, then $root2"
  fi
  kernel=$(d --json image inspect "$image" | json_field manifest.kernel.digest)
  [[ $(d --json image inspect roundtrip:1 | json_field manifest.kernel.digest) == "$kernel" ]] \
    || e2e_die "the imported export boots another kernel than $image"
  e2e_say "export-oci, import-oci, export-oci: the same root ${root1:0:19}… and kernel ${kernel:0:19}…"

  # A kernel from another image: the container image without one takes $image's.
  d image import-oci "$data/oci" --tag kernel-image:1 --kernel-image "$image" --cache "$E2E_CACHE/build-cache" \
    >"$data/import.log" 2>&1 || { tail -n 20 "$data/import.log" >&2; e2e_die "import-oci --kernel-image failed"; }
  inspect=$(d --json image inspect kernel-image:1)
  [[ $(json_field manifest.kernel.digest <<<"$inspect") == "$kernel" ]] || e2e_die "--kernel-image did not take $image's kernel"
  [[ $(json_field manifest.build.kernelSource.image <<<"$inspect") == "$image" ]] \
    || e2e_die "the manifest does not say the kernel came from $image"
  e2e_say "import-oci --kernel-image $image: its kernel, recorded in the manifest"
fi
new_image=
if ((burnin)); then
  new_image=inventory:1
  t0=$(e2e_ms)
  d build "$recipe/inventory.json" --tag "$new_image" --cache "$E2E_CACHE/build-cache" >"$data/build-inventory.log" 2>&1 \
    || { tail -n 20 "$data/build-inventory.log" >&2; e2e_die "the inventory image did not build"; }
  inventory_bytes=$(d --json image inspect "$new_image" | sed -n 's/^    "size": *\([0-9]*\).*/\1/p')
  ((inventory_bytes > 0 && inventory_bytes < 80 * 1048576)) \
    || e2e_die "the inventory image is $inventory_bytes bytes; a busybox root should be tens of MB"
  e2e_say "built $new_image (busybox base) in $(($(e2e_ms) - t0)) ms: $((inventory_bytes / 1048576)) MiB"
fi

serve_args=()
if ((burnin)); then
  # The bench: the machine is unknown, registers at its first boot and boots the image for new
  # machines (the inventory image), then waits in the New section.
  machine=new-${mac//:/}
  serve_args=(--unknown register)
  d new-machine-image "$new_image" >/dev/null || e2e_die "drover new-machine-image $new_image failed"
else
  d machine add "$machine" --mac "$mac" --label group=netboot >/dev/null
  d assign "$machine" "$image" --why "netboot e2e" >/dev/null
fi
# Auto gives a UEFI machine the signed chain; the iPXE path is tested by setting it off.
[[ $mode == proxy ]] && ((secure_boot == 0)) && uefi=1
if ((uefi && !secure_boot)); then
  d secure-boot "$machine" off >/dev/null || e2e_die "drover secure-boot off failed"
fi
if ((secure_boot)); then
  d image inspect "$image" | e2e_has '^kernel: *signed' || e2e_die "$image's kernel is not reported as signed"
fi
if ((check_config)); then
  ssh-keygen -q -t ed25519 -N '' -C netboot-e2e -f "$data/key"
  if ((check_cloud)); then
    cat >"$data/config.json" <<EOF
{ "hostname": "{{name}}-e2e",
  "users": [ { "name": "root", "keys": ["$(cat "$data/key.pub")"] },
             { "name": "student", "uid": 1001, "shell": "/bin/bash", "keys": ["$(cat "$data/key.pub")"] } ],
  "files": [ { "path": "/etc/drover-e2e.txt", "content": "written for {{name}} by cloud-init\n", "template": true } ] }
EOF
  else
    cat >"$data/config.json" <<EOF
{ "hostname": "{{name}}-e2e", "keys": { "root": ["$(cat "$data/key.pub")"] } }
EOF
  fi
  d config set "$machine" "$data/config.json" >/dev/null || e2e_die "drover config set failed"
fi
# set_burnin_config [LINES]: the burn-in's thresholds (/etc/drover/burnin.conf: the defaults
# below, then LINES, each ending in JSON's \n) as a file of the machine's configuration, as a
# technician sets them; with --config the host name and key stay in it.
set_burnin_config() {
  local keys=
  ((check_config)) && keys=", \"hostname\": \"{{name}}-e2e\", \"keys\": { \"root\": [\"$(cat "$data/key.pub")\"] }"
  cat >"$data/burnin.json" <<EOF
{ "files": [ { "path": "/etc/drover/burnin.conf", "content": "BURNIN_SECONDS=5\\nDISK_READ_MIB=16\\n$1" } ]$keys }
EOF
  d config set "$machine" "$data/burnin.json" >/dev/null || e2e_die "drover config set (the burn-in's thresholds) failed"
}
# check_burnin pass|fail PREVIOUS_BOOT: the newest test run in the catalog is this boot's
# (not PREVIOUS_BOOT's) and holds the burn-in's four tests; pass: all passed, memory_mib what
# qemu gave (2048 MiB less what the firmware and kernel keep), a disk read and the NVMe
# disk's SMART verdict, the machine not marked; fail: 10-cpu-memory alone failed, for the
# memory threshold, and the machine is marked. Prints each test's result on stderr and the
# run's boot id on stdout.
check_burnin() {
  d --json tests show "$machine" >"$data/tests.json" || e2e_die "drover tests show $machine failed"
  python3 - "$1" "$2" "$data/tests.json" <<'PY'
import json, sys
want, previous, path = sys.argv[1:4]
doc = json.load(open(path))
def die(why):
    sys.stderr.write("e2e: tests show: " + json.dumps(doc, indent=1)[:4000] + "\n")
    sys.stderr.write("e2e: FAIL: " + why + "\n")
    sys.exit(1)
runs = doc.get("runs") or []
if not runs:
    die("no test run recorded")
run = runs[0]
if previous and run.get("boot") == previous:
    die("the newest test run is the previous boot's (" + previous + ")")
names = [t.get("name") for t in run.get("tests", [])]
if names != ["10-cpu-memory", "20-disk-read", "30-smart", "40-nic-speed"] or run.get("suite") != "burn-in":
    die("suite %r ran %r, not the burn-in's four tests" % (run.get("suite"), names))
tests = {t["name"]: t for t in run["tests"]}
for t in run["tests"]:
    sys.stderr.write("e2e: %-14s %-4s %6.1f s  %s | %s\n" % (t["name"], "pass" if t["passed"] else "FAIL",
        t["durationMs"] / 1000, " ".join("%s=%g" % kv for kv in t.get("metrics", {}).items()), t.get("output", "")[-160:]))
failed = [t["name"] for t in run["tests"] if not t["passed"]]
if want == "pass":
    if run.get("passed") is not True or failed:
        die("the burn-in failed: " + " ".join(failed))
    memory = tests["10-cpu-memory"].get("metrics", {}).get("memory_mib")
    if memory is None or not 1600 <= memory <= 2048:
        die("memory_mib is %r; the VM has 2048 MiB" % memory)
    if not any(k.endswith(".read_mib_per_s") for k in tests["20-disk-read"].get("metrics", {})):
        die("20-disk-read measured no disk")
    # qemu's NVMe disk answers SMART (PASSED); its virtio disk has none, a note.
    if tests["30-smart"].get("metrics", {}).get("smart_disks_checked", 0) < 1:
        die("30-smart checked no disk; the NVMe disk has SMART")
    if doc.get("burninFailed") is not False:
        die("the machine is marked as failing its burn-in after a pass")
else:
    if run.get("passed") is not False or failed != ["10-cpu-memory"]:
        die("expected 10-cpu-memory alone to fail, got: " + (" ".join(failed) or "all passed"))
    if "MIN_MEMORY_MIB" not in tests["10-cpu-memory"].get("output", ""):
        die("10-cpu-memory's output does not name the memory threshold")
    if doc.get("burninFailed") is not True:
        die("the machine is not marked as failing its burn-in")
print(run.get("boot", ""))
PY
}

# The lab segment: a bridge with the server's address and the VM's tap device on it.
e2e_segment "$ns" "$server"

if [[ $mode == proxy ]]; then
  # The lab's own DHCP server, on another host of the segment (its own namespace, joined to
  # the bridge by a veth pair): addresses only, no boot information, no DNS.
  ip netns add "$labns"
  inns ip link add lab0 type veth peer name lab1
  inns ip link set lab1 netns "$labns"
  inns ip link set lab0 master br0 up
  nsenter --net="/run/netns/$labns" ip link set lo up
  nsenter --net="/run/netns/$labns" ip addr add "${subnet}2/24" dev lab1
  nsenter --net="/run/netns/$labns" ip link set lab1 up
  nsenter --net="/run/netns/$labns" dnsmasq --no-daemon --user=root --port=0 --interface=lab1 --bind-interfaces --no-resolv --no-hosts \
    --dhcp-range="${subnet}50,${subnet}99,255.255.255.0,1h" --dhcp-leasefile="$data/dnsmasq.leases" \
    --log-dhcp >"$data/dnsmasq.log" 2>&1 &
  pids+=($!)
fi
e2e_start_drover "$ns" "$exe" "$data" "$mode" "$server" "${serve_args[@]}"
if ((wait_serving)); then
  for _ in $(seq 300); do
    grep -q "boot server running" "$data/server.log" && break
    sleep 0.1
  done
  grep -q "boot server running" "$data/server.log" || e2e_die "the boot server did not report running within 30 s"
fi

firmware=()
nic=(-device "virtio-net-pci,netdev=n0,mac=$mac")
rom_name="qemu's iPXE ROM"
if ((old_ipxe)); then
  rom=$(bash "$E2E_SRC/tools/e2e/oldipxe.sh") || e2e_die "no iPXE ROM from Debian 12"
  # That ROM's PCI header names only the modern virtio-net (1af4:1041), and SeaBIOS runs a
  # ROM only on the device it names: the NIC is made modern-only to match.
  nic=(-device "virtio-net-pci,netdev=n0,mac=$mac,romfile=$rom,disable-legacy=on")
  rom_name="Debian 12's iPXE ROM from 2019"
fi
((old_ipxe == 0 || uefi == 0)) || e2e_die "--old-ipxe is a BIOS ROM: not with --uefi"
if ((secure_boot)); then
  # Secure Boot code (SMM required) and a variable store with Microsoft's keys enrolled.
  cp /usr/share/OVMF/OVMF_VARS_4M.ms.fd "$data/vars.fd"
  firmware=(-machine q35,smm=on -global driver=cfi.pflash01,property=secure,value=on
    -drive "if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.secboot.fd"
    -drive "if=pflash,format=raw,unit=1,file=$data/vars.fd")
  nic=(-device "virtio-net-pci,netdev=n0,mac=$mac,romfile=,bootindex=1" -device virtio-rng-pci)
elif ((uefi)); then
  cp /usr/share/OVMF/OVMF_VARS_4M.fd "$data/vars.fd"
  firmware=(-machine q35 -drive "if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd"
    -drive "if=pflash,format=raw,unit=1,file=$data/vars.fd")
  # romfile= leaves the firmware's own PXE client (VirtioNetDxe + NetworkPkg); since edk2's
  # fix of CVE-2023-45237 that client needs an RNG, or OVMF offers no network boot at all.
  nic=(-device "virtio-net-pci,netdev=n0,mac=$mac,romfile=,bootindex=1" -device virtio-rng-pci)
fi
if ((http_boot)); then
  # UEFI HTTP Boot: the firmware's PXE clients off, so the NIC's boot options are its HTTP
  # ones (HttpBootDxe, vendor class HTTPClient). Like PXE, it needs the RNG to offer them.
  # PXE over IPv6 off too: OVMF tries it first and waits for a DHCPv6 offer that never comes.
  firmware+=(-fw_cfg name=opt/org.tianocore/IPv4PXESupport,string=no
    -fw_cfg name=opt/org.tianocore/IPv6PXESupport,string=no)
fi
ready_events() { d --json events --machine "$machine" --phase ready --limit 1000 | grep -c '"phase"' || true; }
# Memory: 2048 MiB; the UEFI machine of --hardware gets 3072 MiB, so the inventories of the two
# hardware runs differ in memory as real machines do.
vm_mib=2048
((hardware && uefi)) && vm_mib=3072
vm_pid=
for ((boot = 1; boot <= boots; boot++)); do
  if [[ -n $vm_pid ]]; then
    kill "$vm_pid" 2>/dev/null || true
    wait "$vm_pid" 2>/dev/null || true
  fi
  # The last burn-in boot asks for more memory than any VM here has.
  ((burnin && boot == 3)) && set_burnin_config 'MIN_MEMORY_MIB=999999\n'
  want_image=$image
  ((burnin && boot == 1)) && want_image=$new_image
  ((import_oci && boot == 2)) && want_image=docker:1
  before=$(ready_events)
  t_power=$(e2e_ms)
  how="BIOS + $rom_name"
  ((uefi)) && how="UEFI PXE"
  ((http_boot)) && how="UEFI HTTP Boot"
  ((secure_boot)) && how="$how, Secure Boot"
  hw=()
  if ((hardware)); then
    # What the inventory must find: SMBIOS strings, disks with serial numbers, a second NIC
    # (user networking restricted: it reaches nothing). The NVMe disk is there on the
    # first boot only, so the second boot's report is a change.
    truncate -s 64M "$data/disk1.img"
    truncate -s 32M "$data/disk2.img"
    hw=(-smbios type=1,manufacturer=Drover-E2E,product=Bench-PC,serial=E2E-SERIAL-1
      -drive "if=none,id=d1,format=raw,file=$data/disk1.img" -device virtio-blk-pci,drive=d1,serial=E2E-DISK-1
      -netdev user,id=n1,restrict=on -device e1000,netdev=n1,mac=52:54:00:e2:e0:02,romfile=)
    ((boot == 1)) && hw+=(-drive "if=none,id=d2,format=raw,file=$data/disk2.img" -device nvme,drive=d2,serial=E2E-NVME-2)
  elif ((burnin)); then
    # Disks for the burn-in to read and ask for SMART health: virtio (no SMART) and NVMe; SMBIOS
    # strings and a second NIC (e1000, no link in the burn-in image) for the inventory image.
    truncate -s 64M "$data/burnin1.img" "$data/burnin2.img"
    hw=(-smbios type=1,manufacturer=Drover-E2E,product=Bench-PC,serial=E2E-BENCH-1
      -drive "if=none,id=b1,format=raw,file=$data/burnin1.img" -device virtio-blk-pci,drive=b1,serial=E2E-BURNIN-1
      -drive "if=none,id=b2,format=raw,file=$data/burnin2.img" -device nvme,drive=b2,serial=E2E-BURNIN-2
      -netdev user,id=n1,restrict=on -device e1000,netdev=n1,mac=52:54:00:e2:e0:03,romfile=)
  fi
  e2e_say "powering on $machine ($mode DHCP, $how, $format)"
  "${in_ns[@]}" qemu-system-x86_64 -m "$vm_mib" -smp 2 -display none -monitor none -serial "file:$data/console.log" \
    "${firmware[@]}" -netdev tap,id=n0,ifname=tap0,script=no,downscript=no "${nic[@]}" "${hw[@]}" -boot n &
  vm_pid=$!
  pids+=("$vm_pid")
  state=
  # Quiet: under --burnin the machine has no name until its first boot registers it.
  machine_state() { d --json machine show "$machine" 2>/dev/null | awk -F'"' '/"state"/ { s = $4 } /"currentImage"/ { i = $4 } END { print s, i }'; }
  while (($(e2e_ms) - t_power < timeout * 1000)); do
    (($(ready_events) > before)) && break
    [[ $(machine_state) == failed* ]] && break
    sleep 1
  done
  # The machine's state follows its events by up to a batch (100 ms) of the recorder.
  for _ in 1 2 3 4 5; do
    state=$(machine_state)
    [[ $state == "ready $want_image" ]] && break
    sleep 0.5
  done
  if ((burnin && boot == 3)); then
    # A failed burn-in is a failed boot: the system stays up, the machine does not reach ready.
    (($(ready_events) == before)) && [[ $state == failed* ]] \
      || e2e_die "$machine's boot with MIN_MEMORY_MIB=999999 did not end failed (now: '$state')"
    e2e_say "failed report: $(d events --machine "$machine" --phase failed --limit 1 | tail -n 1)"
    check_burnin fail "$burnin_boot" >/dev/null || exit 1
    d machine show "$machine" | e2e_has '^burn-in: *failed' \
      || { d machine show "$machine" >&2; e2e_die "drover machine show does not say the burn-in failed"; }
    d tests clear "$machine" || e2e_die "drover tests clear $machine failed"
    d --json tests show "$machine" | e2e_has '"burninFailed": *false' || e2e_die "drover tests clear left the failure mark"
    e2e_say "burn-in failed on boot 3 as it should (MIN_MEMORY_MIB=999999); cleared"
    continue
  fi
  (($(ready_events) > before)) && [[ $state == "ready $want_image" ]] \
    || e2e_die "$machine did not reach ready with $want_image (now: '$state')"
  # Power-on to the server receiving the ready report, to the millisecond.
  ready_at=$(d --json events --machine "$machine" --phase ready --limit 1 | sed -n 's/.*"time": *"\([^"]*\)".*/\1/p')
  ready_ms=$(($(date -d "$ready_at" +%s%3N) - t_power))
  echo "ready_ms=$ready_ms"
  e2e_say "ready after $ready_ms ms from power-on"
  e2e_say "ready report: $(d events --machine "$machine" --phase ready --limit 1 | tail -n 1)"
  if ((burnin && boot == 1)); then
    # Registered by its boot of the busybox image, its hardware known, no tests run, still
    # new: the technician names it, sets its thresholds and gives it the burn-in image.
    d --json machine show "$machine" | e2e_has '"new": *true' || e2e_die "$machine is not marked new"
    # What qemu was told, as the busybox image's inventory gives it: the SMBIOS strings, both
    # disks by serial, the NVMe disk's SMART verdict (smartctl is in the image), both NICs with
    # their drivers, the memory and the DIMMs (dmidecode).
    inventory=$(d --json inventory show "$machine" | tr -d '\n ')
    for want in '"vendor":"Drover-E2E"' '"product":"Bench-PC"' '"serial":"E2E-BENCH-1"' \
      '"serial":"E2E-BURNIN-1"' '"serial":"E2E-BURNIN-2"' '"smart":"passed"' '"dimms":' \
      "\"mac\":\"$mac\"" '"mac":"52:54:00:e2:e0:03"' '"driver":"e1000"' '"threads":2' '"mode":"bios"'; do
      grep -q -- "$want" <<<"$inventory" \
        || { e2e_say "inventory: $inventory"; e2e_die "the busybox image's inventory lacks $want"; }
    done
    kib=$(sed -n 's/.*"memory":{"kib":\([0-9]*\)}.*/\1/p' <<<"$inventory")
    ((kib > vm_mib * 1024 * 4 / 5 && kib <= vm_mib * 1024)) \
      || e2e_die "the busybox image's inventory says $kib KiB of memory; the VM has $vm_mib MiB"
    ! d --json tests show "$machine" | e2e_has '"suite"' || e2e_die "the inventory image ran a test suite"
    e2e_say "inventory from the busybox image: $(d machine show "$machine" | sed -n 's/^hardware: *//p')"
    d machine name 'nb-burnin-{n}' "$machine" >/dev/null || e2e_die "drover machine name failed"
    machine=nb-burnin-1
    d --json machine show "$machine" | e2e_has '"new": *false' || e2e_die "$machine is still marked new once named"
    set_burnin_config ''
    d assign "$machine" "$image" --why "netboot e2e: burn-in" >/dev/null
    e2e_say "registered as new by the inventory image, named $machine, assigned $image"
  elif ((burnin)); then
    burnin_boot=$(check_burnin pass "") || exit 1
    e2e_say "burn-in passed on boot 2 (boot $burnin_boot)"
  elif ((import_oci && boot == 1)); then
    d assign "$machine" docker:1 --why "netboot e2e: the docker-archive's image" >/dev/null
    digest=$(d --json image inspect docker:1 | sed -n 's/.*"manifestDigest": *"\(sha256:[0-9a-f]*\)".*/\1/p' | head -n 1)
    e2e_say "assigned docker:1 (the docker-archive's image) for the next boot"
  fi
done

# Every step of the boot is in the events, in the catalog.
events=$(d --json events --machine "$machine" --limit 200)
expect_event() {
  grep -q -- "$1" <<<"$events" || { e2e_say "events: $events"; e2e_die "no boot event matching '$1'"; }
}
expect_event '"phase": *"dhcp"'
if ((secure_boot)); then
  tftp_events=$(d --json events --phase tftp --limit 50)
  if ((http_boot)); then
    # UEFI HTTP Boot: shim and GRUB came by HTTP, nothing by TFTP.
    loader_events=$(d --json events --phase loader --limit 50)
    for file in shimx64.efi grubx64.efi; do
      grep -q "$file sent to .* over HTTP" <<<"$loader_events" \
        || { e2e_say "$loader_events"; e2e_die "no HTTP transfer of $file in the events"; }
    done
    ! grep -q '"phase": *"tftp"' <<<"$tftp_events" || { e2e_say "$tftp_events"; e2e_die "the HTTP Boot VM used TFTP"; }
  else
    for file in shimx64.efi grubx64.efi /grub/grub.cfg; do
      grep -q "sent $file " <<<"$tftp_events" || { e2e_say "$tftp_events"; e2e_die "no TFTP transfer of $file in the events"; }
    done
  fi
  ! d --json events --limit 200 | grep -q "ipxe.efi sent\|sent ipxe.efi " || e2e_die "the Secure Boot VM was sent ipxe.efi"
  # The init read the firmware's SecureBoot variable and the kernel's lockdown mode.
  fetched=$(d --json events --machine "$machine" --phase fetched --limit 1)
  grep -q "firmware UEFI, Secure Boot on, lockdown integrity" <<<"$fetched" \
    || { e2e_say "$fetched"; e2e_die "the init did not report Secure Boot on with the kernel locked down"; }
  e2e_say "shim → GRUB → signed kernel under Secure Boot; $(grep -o 'firmware UEFI[^"]*' <<<"$fetched" | head -n 1)"
elif ((http_boot)); then
  # The firmware's own HTTP client fetched iPXE by HTTP: no TFTP at all.
  d --json events --phase ipxe --limit 50 | e2e_has 'ipxe.efi sent to .* over HTTP' \
    || e2e_die "no HTTP transfer of ipxe.efi in the events"
  d --json events --machine "$machine" --phase dhcp --limit 50 | e2e_has 'ipxe.efi by HTTP' \
    || e2e_die "Drover's DHCP did not answer an HTTP Boot client (vendor class HTTPClient)"
elif ((uefi)); then
  # The firmware fetched iPXE before it had a lease Drover knows of: TFTP events may name
  # only the address, so look at all of them.
  d --json events --phase tftp --limit 50 | e2e_has 'ipxe.efi\|snponly.efi' || e2e_die "no TFTP transfer of iPXE for UEFI in the events"
fi
expect_event '"phase": *"script"'
phases=(configured ready)
[[ $format == layers ]] && phases=(fetched verified mounted configured ready)
for phase in "${phases[@]}"; do expect_event "\"phase\": *\"$phase\""; done
# The ready report names the manifest the VM computed from the bytes it booted, as the server
# stored it from the report ("[reported sha256:…]", not its own "sent" events): not empty,
# and the assigned image's.
reported=$(d --json events --machine "$machine" --phase ready --limit 1 \
  | sed -n 's/.*\[reported \(sha256:[0-9a-f]\{64\}\)\].*/\1/p' | head -n 1)
[[ -n $reported ]] || e2e_die "the ready report of $machine names no manifest digest"
[[ $reported == "$digest" ]] || e2e_die "$machine reported $reported, the assigned image is $digest"
if [[ $mode == proxy ]]; then
  grep -q "DHCPACK" "$data/dnsmasq.log" || e2e_die "dnsmasq handed out no address"
fi

addr=$(d --json machine show "$machine" | sed -n 's/.*"address": *"\([0-9.]*\)".*/\1/p' | head -n 1)
[[ -n $addr ]] || e2e_die "no address recorded for $machine"
# The catalog keeps what the boot showed of the firmware: DHCP's architecture and vendor
# class, the loader that asked for the script, the init's report.
facts=$(d --json machine show "$machine" | tr -d '\n ')
expect_fact() {
  grep -q "\"$1\":\"$2\"" <<<"$facts" || { e2e_say "machine: $facts"; e2e_die "the catalog's firmware facts lack $1=$2"; }
}
if ((secure_boot)); then
  protocol=pxe
  ((http_boot)) && protocol=http
  for fact in firmware=uefi arch=x86-64 secureBoot=on protocol=$protocol loader=grub; do
    expect_fact "${fact%%=*}" "${fact#*=}"
  done
elif ((http_boot)); then
  for fact in firmware=uefi arch=x86-64 protocol=http loader=ipxe; do expect_fact "${fact%%=*}" "${fact#*=}"; done
elif ((uefi)); then
  for fact in firmware=uefi arch=x86-64 protocol=pxe loader=ipxe; do expect_fact "${fact%%=*}" "${fact#*=}"; done
  ! grep -q '"secureBoot":"on"' <<<"$facts" || e2e_die "the catalog says Secure Boot on for a VM without it"
else
  for fact in firmware=bios protocol=ipxe loader=ipxe; do expect_fact "${fact%%=*}" "${fact#*=}"; done
fi
e2e_say "firmware facts in the catalog: $(d machine show "$machine" | sed -n 's/^firmware: *//p')"
# sshd runs: the image carries no host keys, drover-hostkeys.service made this boot's (the
# inventory image of --import-busybox has no sshd).
if ((!import_busybox)); then
  inns ssh-keyscan -T 15 -t ed25519 "$addr" 2>/dev/null | e2e_has ssh-ed25519 || e2e_die "no ssh server answers on $addr"
fi
if ((hardware)); then
  # The inventory the ready script posted, as the catalog keeps it: what qemu was told.
  inventory=$(d --json inventory show "$machine" | tr -d '\n ')
  expect_hw() {
    grep -q -- "$1" <<<"$inventory" && return 0
    e2e_say "inventory: $inventory"
    e2e_say "the VM's view: $(inns ssh -i "$data/key" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
      -o BatchMode=yes -o ConnectTimeout=20 "root@$addr" 'ls -l /sys/block/; cat /run/drover/inventory.txt' 2>&1)"
    e2e_die "the inventory lacks $1"
  }
  fw_mode=bios
  ((uefi || secure_boot || http_boot)) && fw_mode=uefi
  for want in '"vendor":"Drover-E2E"' '"product":"Bench-PC"' '"serial":"E2E-SERIAL-1"' '"serial":"E2E-DISK-1"' \
    '"bytes":67108864' "\"mac\":\"$mac\"" '"mac":"52:54:00:e2:e0:02"' '"driver":"e1000"' '"threads":2' \
    "\"mode\":\"$fw_mode\""; do
    expect_hw "$want"
  done
  kib=$(sed -n 's/.*"memory":{"kib":\([0-9]*\)}.*/\1/p' <<<"$inventory")
  # The firmware and the kernel keep a little of what qemu gives: MemTotal is a fifth less at most.
  ((kib > vm_mib * 1024 * 4 / 5 && kib <= vm_mib * 1024)) \
    || e2e_die "the inventory says $kib KiB of memory; the VM has $vm_mib MiB"
  e2e_say "hardware inventory: $(d machine show "$machine" | sed -n 's/^hardware: *//p')"
  if ((boots >= 2)); then
    d --json inventory show --history "$machine" | e2e_has '"serial": *"E2E-NVME-2"' \
      || e2e_die "the first boot's inventory did not name the NVMe disk"
    change=$(d --json events --machine "$machine" --phase inventory --limit 5)
    grep -q 'hardware changed: disk nvme0n1 (E2E-NVME-2, .*) removed' <<<"$change" \
      || { e2e_say "$change"; e2e_die "the NVMe disk's removal was not a hardware change event"; }
    d --json machine show "$machine" | e2e_has '"hardwareChanged": *"20' || e2e_die "the machine is not marked as changed"
    e2e_say "hardware change seen: $(grep -o 'hardware changed: [^"]*' <<<"$change" | head -n 1)"
  fi
fi

if ((check_config)); then
  got=$(inns ssh -i "$data/key" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes \
    -o ConnectTimeout=20 "root@$addr" hostname 2>"$data/ssh.log") || { cat "$data/ssh.log" >&2; e2e_die "ssh with the configured key failed"; }
  [[ $got == "$machine-e2e" ]] || e2e_die "hostname is '$got', the catalog says '$machine-e2e'"
  e2e_say "ssh with the configured key works; hostname $got"
  # Which init started the machine, and that it ran Drover's scripts: OpenRC records its
  # started services in /run/openrc/started; sysv-rc links /etc/init.d/rc to /lib/init/rc.
  init_check=
  case $recipe_name in
    debian-openrc) init_check='test -x /usr/sbin/openrc && test -e /run/openrc/started/drover-ready && test -e /run/openrc/started/drover-hostkeys && echo openrc' ;;
    debian-sysvinit) init_check='test -L /etc/init.d/rc && test ! -e /usr/sbin/openrc && test "$(readlink /proc/1/exe)" = /usr/sbin/init && echo sysv-rc' ;;
  esac
  if [[ -n $init_check ]]; then
    init_seen=$(inns ssh -i "$data/key" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes \
      -o ConnectTimeout=20 "root@$addr" "$init_check" 2>>"$data/ssh.log") || init_seen=
    [[ -n $init_seen ]] || e2e_die "$recipe_name: the machine was not started by the init system its recipe names ($init_check)"
    e2e_say "started by $init_seen, which ran Drover's ready report and host keys scripts"
  fi
fi
if ((check_cloud)); then
  on_vm() {
    inns ssh -i "$data/key" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes \
      -o ConnectTimeout=20 "root@$addr" "$@" 2>>"$data/ssh.log"
  }
  # Drover served the NoCloud data to this machine (a boot event of phase nocloud).
  d --json events --machine "$machine" --phase nocloud --limit 50 | e2e_has '"phase": *"nocloud"' \
    || e2e_die "the server recorded no NoCloud request from $machine"
  # cloud-init runs its stages in the background of the boot: wait for its end.
  cloud_rc=0
  cloud_status=$(on_vm timeout 600 cloud-init status --wait --long) || cloud_rc=$?
  e2e_say "cloud-init status (exit $cloud_rc): $(tr '\n' ' ' <<<"$cloud_status" | cut -c1-400)"
  # 0: done; 2: done with recoverable errors (such as deprecation notes); 1: failed.
  [[ $cloud_rc == 0 || $cloud_rc == 2 ]] && grep -q "^status: done" <<<"$cloud_status" \
    || { on_vm tail -n 40 /var/log/cloud-init.log >&2 || true; e2e_die "cloud-init did not finish (exit $cloud_rc)"; }
  on_vm cat /run/cloud-init/result.json | e2e_has 'NoCloud.*/nocloud/' \
    || { on_vm cat /run/cloud-init/result.json >&2 || true; e2e_die "cloud-init did not use Drover's NoCloud seed"; }
  userdata=$(on_vm cat /var/lib/cloud/instance/user-data.txt) || e2e_die "cloud-init kept no user-data"
  for want in "$machine-e2e" student /etc/drover-e2e.txt; do
    grep -q -- "$want" <<<"$userdata" || e2e_die "the user-data cloud-init received does not mention $want"
  done
  cloud_log=$(on_vm cat /var/log/cloud-init.log) || e2e_die "no /var/log/cloud-init.log"
  for want in "Setting the hostname to $machine-e2e" "Writing to /etc/drover-e2e.txt" "\(Adding user student\|User student already exists\)"; do
    grep -q -- "$want" <<<"$cloud_log" || { tail -n 60 <<<"$cloud_log" >&2; e2e_die "cloud-init's log lacks '$want'"; }
  done
  [[ $(on_vm cat /etc/drover-e2e.txt) == "written for $machine by cloud-init" ]] \
    || e2e_die "/etc/drover-e2e.txt on the machine is not the configured file"
  [[ $(on_vm hostname) == "$machine-e2e" ]] || e2e_die "the host name is not $machine-e2e after cloud-init"
  # The user exists with its uid and its key, and logs in with that key: cloud-init locks the
  # password of a user given none, and the key must still work.
  on_vm getent passwd student | e2e_has "^student:x:1001:" || e2e_die "no user student with uid 1001"
  on_vm cat /home/student/.ssh/authorized_keys | e2e_has "$(cut -d' ' -f2 "$data/key.pub")" \
    || e2e_die "student's authorized_keys lacks the configured key"
  who=$(inns ssh -i "$data/key" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes \
    -o ConnectTimeout=20 "student@$addr" id -un 2>>"$data/ssh.log") || who=
  if [[ $who != student ]]; then
    tail -n 5 "$data/ssh.log" >&2
    on_vm getent shadow student >&2 || true
    on_vm journalctl -u ssh --no-pager -n 20 >&2 || true
    e2e_die "student cannot log in with the configured key (got '$who')"
  fi
  e2e_say "cloud-init applied the NoCloud data: host name $machine-e2e, user student logged in with its key, /etc/drover-e2e.txt"
fi
e2e_say "PASS ($mode): $(($(e2e_ms) - t0)) ms in all"
