#!/usr/bin/env bash
# The Debian 13 build root: Drover needs Qt >= 6.5 and KF6 KArchive, which Debian 12 lacks.
# On such a host this script creates, once, a Debian 13 tree with mmdebstrap holding every
# build, test and runtime dependency (packages.txt beside it), caches it under a name derived
# from that list, and runs commands inside it in a private mount namespace so that no bind
# mount outlives the command.
#
#   root.sh needed          exit 0 when the host itself cannot build Drover
#   root.sh ensure          create the root if missing or outdated; print its path
#   root.sh run CMD ARGS…   run CMD inside the root, in the same working directory
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/../.." && pwd)
cache=${DROVER_ROOT_CACHE:-/var/cache/drover}
# Bump when the way the root is made changes (not only its package list).
recipe_version=3

say() { printf 'buildroot: %s\n' "$*" >&2; }

root_key() {
  { echo "$recipe_version"; grep -v '^#' "$here/packages.txt"; } | sha256sum | cut -c1-16
}

root_path() { echo "$cache/root-$(root_key)"; }

packages() { grep -v -e '^#' -e '^$' "$here/packages.txt" | paste -sd, -; }

# The mirror comes from the host's apt configuration, never from this file.
host_mirror() {
  local uri
  uri=$(
    {
      grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}'
      grep -hE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
        sed -E 's/^deb (\[[^]]*\] )?//' | awk '{print $1}'
    } | grep -v -e security -e '^$' | grep -E '/debian/?$' | head -n1
  )
  [[ -n $uri ]] || { say "no Debian mirror found in /etc/apt; set DROVER_MIRROR"; exit 1; }
  echo "${DROVER_MIRROR:-$uri}"
}

host_can_build() {
  # A native Debian 13 (or newer) host with the packages installed needs no root.
  command -v qmake6 >/dev/null 2>&1 || return 1
  local v
  v=$(qmake6 -query QT_VERSION 2>/dev/null || echo 0)
  [[ $(printf '%s\n6.5\n' "$v" | sort -V | head -n1) == 6.5 ]] || return 1
  [[ -f /usr/lib/x86_64-linux-gnu/cmake/KF6Archive/KF6ArchiveConfig.cmake ]]
}

ensure() {
  local root
  root=$(root_path)
  if [[ -f $root/.drover-root-complete ]]; then
    echo "$root"
    return
  fi
  command -v mmdebstrap >/dev/null || {
    say "installing mmdebstrap on the host (apt-get)"
    apt-get update -qq && apt-get install -y -qq mmdebstrap >/dev/null
  }
  local mirror tmp started
  mirror=$(host_mirror)
  tmp="$root.partial"
  rm -rf "$tmp"
  mkdir -p "$cache"
  started=$(date +%s)
  say "creating the Debian 13 build root in $root ($(grep -cv -e '^#' -e '^$' "$here/packages.txt") packages; about 3 minutes, once)"
  mmdebstrap --variant=apt --mode=root --quiet \
    --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --include="$(packages)" \
    trixie "$tmp" "deb $mirror trixie main" >&2
  cp /etc/resolv.conf "$tmp/etc/resolv.conf" 2>/dev/null || true
  touch "$tmp/.drover-root-complete"
  mv "$tmp" "$root"
  # Older roots made from another package list are no longer used.
  for old in "$cache"/root-*; do
    [[ $old == "$root" || ! -d $old ]] && continue
    say "removing the outdated root $old"
    rm -rf "$old"
  done
  say "build root ready in $(($(date +%s) - started)) s"
  echo "$root"
}

# Runs inside the private mount namespace made by `run`.
enter() {
  local root=$1 cwd=$2
  shift 2
  mount --make-rprivate /
  mount --rbind /dev "$root/dev"
  mount -t proc proc "$root/proc"
  mount --rbind /sys "$root/sys"
  mount --rbind /run "$root/run"
  mount --rbind /tmp "$root/tmp"
  local d
  for d in "$src" "$cwd" "${HOME:-/root}" "$cache/shared"; do
    [[ -d $d ]] || continue
    mkdir -p "$root$d"
    mount --rbind "$d" "$root$d"
  done
  cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
  exec chroot "$root" /usr/bin/env -C "$cwd" "$@"
}

case ${1:-} in
needed)
  host_can_build && exit 1 || exit 0
  ;;
ensure)
  ensure
  ;;
path)
  root_path
  ;;
run)
  shift
  root=$(ensure)
  mkdir -p "$cache/shared"
  exec unshare --mount --propagation private "$0" __enter "$root" "$PWD" "$@"
  ;;
__enter)
  shift
  enter "$@"
  ;;
*)
  echo "usage: $0 needed|ensure|path|run CMD [ARGS…]" >&2
  exit 2
  ;;
esac
