#!/usr/bin/env bash
# Fetches the iPXE option ROM of Debian 12 (ipxe-qemu 1.0.0+git-20190125, the iPXE many
# hypervisors still ship) with apt, once, from the build root's own mirror: apt is told about
# the suite bookworm in a private state directory, so the root's own lists stay trixie's.
# The .deb is kept with the other downloads (E2E_DEBS). Prints the path of pxe-virtio.rom.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

suite=bookworm
out=$E2E_CACHE/ipxe-qemu-$suite
if [[ -f $out/pxe-virtio.rom ]]; then
  echo "$out/pxe-virtio.rom"
  exit 0
fi

mkdir -p "$E2E_DEBS"
deb=$(ls "$E2E_DEBS"/ipxe-qemu_1.0.0+git-2019*_all.deb 2>/dev/null | head -n1 || true)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp" "$out.partial"' EXIT
if [[ -z $deb ]]; then
  # The mirror the root was made from (its sources name it; never written here).
  mirror=$(bash "$E2E_SRC/tools/mirror.sh") || e2e_die "no Debian mirror in the build root's /etc/apt"
  mkdir -p "$tmp/lists/partial" "$tmp/cache/archives/partial" "$tmp/parts"
  # An empty dpkg status: the root's own (newer) ipxe-qemu must not be apt's candidate.
  : >"$tmp/status"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main" >"$tmp/sources.list"
  apt_opts=(-o "Dir::Etc::SourceList=$tmp/sources.list" -o "Dir::Etc::SourceParts=$tmp/parts"
    -o "Dir::State::Lists=$tmp/lists" -o "Dir::State::status=$tmp/status" -o "Dir::Cache=$tmp/cache"
    -o "Debug::NoLocking=1" -o "APT::Sandbox::User=root")
  e2e_say "downloading ipxe-qemu from $suite with apt-get"
  apt-get -q "${apt_opts[@]}" update >&2 || e2e_die "apt-get update of $suite failed"
  (cd "$E2E_DEBS" && apt-get -q "${apt_opts[@]}" download ipxe-qemu >&2) || e2e_die "apt-get download ipxe-qemu ($suite) failed"
  deb=$(ls "$E2E_DEBS"/ipxe-qemu_1.0.0+git-2019*_all.deb 2>/dev/null | head -n1 || true)
  [[ -n $deb ]] || e2e_die "$suite's ipxe-qemu is not the 2019 build: $(ls "$E2E_DEBS"/ipxe-qemu_* 2>/dev/null)"
fi

dpkg-deb -x "$deb" "$tmp/x"
rom=$(find "$tmp/x" -name pxe-virtio.rom | head -n1)
[[ -n $rom ]] || e2e_die "$(basename "$deb") has no pxe-virtio.rom"
rm -rf "$out.partial"
mkdir -p "$out.partial"
cp "$rom" "$out.partial/pxe-virtio.rom"
mv "$out.partial" "$out"
e2e_say "iPXE ROM of $(basename "$deb")"
echo "$out/pxe-virtio.rom"
