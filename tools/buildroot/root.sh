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
# Caches that outlive any one root (ccache, downloads, e2e artefacts), bound into it.
shared=${DROVER_SHARED_CACHE:-/var/cache/drover/shared}
# Bump when the way the root is made changes (not only its package list).
recipe_version=4
# Downloaded .deb files survive a fresh root (CI makes one for every run): only downloads
# are kept between roots, never what was made from them.
debs=${DROVER_DEB_CACHE:-$shared/debs}
# apt's package lists older than this are refreshed before a command runs in the root (the
# build wizard's package search and the e2e kernel fetch read them).
lists_max_age=${DROVER_LISTS_MAX_AGE:-86400}

say() { printf 'buildroot: %s\n' "$*" >&2; }

root_key() {
  { echo "$recipe_version"; grep -v '^#' "$here/packages.txt"; } | sha256sum | cut -c1-16
}

root_path() { echo "$cache/root-$(root_key)"; }

packages() { grep -v -e '^#' -e '^$' "$here/packages.txt" | paste -sd, -; }

# The mirror comes from the host's apt configuration, never from this file.
host_mirror() { bash "$here/../mirror.sh" || exit 1; }

host_can_build() {
  # A native Debian 13 (or newer) host with the packages installed needs no root.
  command -v qmake6 >/dev/null 2>&1 || return 1
  local v
  v=$(qmake6 -query QT_VERSION 2>/dev/null || echo 0)
  [[ $(printf '%s\n6.5\n' "$v" | sort -V | head -n1) == 6.5 ]] || return 1
  [[ -f /usr/lib/x86_64-linux-gnu/cmake/KF6Archive/KF6ArchiveConfig.cmake ]]
}

# Removes a tree that may still hold mounts — an old root where a command left /dev, /sys or
# /proc mounted (it happened: rm then walked into /sys): they are detached first, and rm never
# crosses into another file system, so a bind mount below it is never emptied. A tree with a
# mount that will not go is left, and said so.
remove_tree() {
  local dir=$1 m
  [[ -e $dir ]] || return 0
  while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done < <(findmnt -rn -o TARGET | awk -v d="$dir/" 'index($0, d) == 1' | sort -r)
  if findmnt -rn -o TARGET | awk -v d="$dir/" 'index($0, d) == 1 { found = 1 } END { exit !found }'; then
    say "$dir still has file systems mounted below it: left in place"
    return 0
  fi
  rm -rf --one-file-system "$dir"
}

ensure() {
  local root
  root=$(root_path)
  if [[ -f $root/.drover-root-complete ]]; then
    echo "$root"
    return
  fi
  # One creator at a time: commands started together wait for the first one's root.
  mkdir -p "$cache"
  exec 8>"$cache/.create.lock"
  flock 8
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
  remove_tree "$tmp"
  started=$(date +%s)
  say "creating the Debian 13 build root in $root ($(grep -cv -e '^#' -e '^$' "$here/packages.txt") packages; about 3 minutes, once)"
  mkdir -p "$debs"
  # Package lists are kept (cleanup/apt/lists skipped): without them apt-cache inside the
  # root knows nothing, which broke the kernel fetch and the wizard's package search.
  mmdebstrap --variant=apt --mode=root --verbose \
    --skip=essential/unlink,cleanup/apt/lists \
    --setup-hook='mkdir -p "$1"/var/cache/apt/archives/' \
    --setup-hook="sync-in $debs /var/cache/apt/archives/" \
    --customize-hook="sync-out /var/cache/apt/archives $debs" \
    --customize-hook='rm -f "$1"/var/cache/apt/archives/*.deb' \
    --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --include="$(packages)" \
    trixie "$tmp" "deb $mirror trixie main" >&2
  cp /etc/resolv.conf "$tmp/etc/resolv.conf" 2>/dev/null || true
  [[ -n $(find "$tmp/var/lib/apt/lists" -maxdepth 1 -name '*_Packages*' -print -quit) ]] || {
    say "the new root has no apt package lists in $tmp/var/lib/apt/lists"
    exit 1
  }
  touch "$tmp/.drover-root-complete"
  mv "$tmp" "$root"
  # Older roots made from another package list are no longer used.
  for old in "$cache"/root-*; do
    [[ $old == "$root" || ! -d $old ]] && continue
    say "removing the outdated root $old"
    remove_tree "$old"
  done
  say "build root ready in $(($(date +%s) - started)) s"
  echo "$root"
}

# Refreshes the root's apt lists when they are older than lists_max_age (a day), once at a
# time however many commands start together.
refresh_lists() {
  local root=$1 newest now
  now=$(date +%s)
  newest=$(find "$root/var/lib/apt/lists" -maxdepth 1 -name '*_Packages*' -printf '%T@\n' 2>/dev/null |
    sort -n | tail -n1)
  newest=${newest%.*}
  ((now - ${newest:-0} < lists_max_age)) && return 0
  (
    flock 9
    newest=$(find "$root/var/lib/apt/lists" -maxdepth 1 -name '*_Packages*' -printf '%T@\n' 2>/dev/null |
      sort -n | tail -n1)
    newest=${newest%.*}
    ((now - ${newest:-0} < lists_max_age)) && exit 0
    say "refreshing the root's apt package lists (older than $((lists_max_age / 3600)) h)"
    if ! unshare --mount --propagation private "$0" __enter "$root" / apt-get update -qq >&2; then
      [[ -n ${newest:-} ]] || { say "apt-get update failed in the root and it has no lists"; exit 1; }
      say "apt-get update failed in the root; keeping the lists it has"
    fi
    # apt leaves an unchanged list's mtime alone: mark the refresh so it runs once a day.
    find "$root/var/lib/apt/lists" -maxdepth 1 -name '*_Packages*' -exec touch {} +
  ) 9>"$root/.lists.lock"
}

# Runs inside the private mount namespace made by `run`.
enter() {
  local root=$1 cwd=$2
  shift 2
  mount --make-rprivate /
  # The root a mount point of its own, as a real system's is: container runtimes (crun, for
  # the exported images) change the propagation of / and pivot_root out of it.
  mount --bind "$root" "$root"
  mount --rbind /dev "$root/dev"
  mount -t proc proc "$root/proc"
  mount --rbind /sys "$root/sys"
  mount --rbind /run "$root/run"
  mount --rbind /tmp "$root/tmp"
  local d
  for d in "$src" "$cwd" "${HOME:-/root}" "$shared"; do
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
  root=$(ensure)
  refresh_lists "$root"
  echo "$root"
  ;;
path)
  root_path
  ;;
run)
  shift
  root=$(ensure)
  refresh_lists "$root"
  mkdir -p "$shared"
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
