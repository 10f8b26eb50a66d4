#!/usr/bin/env bash
# The package test (ctest package_install): makes the .deb with `make package`, holds it to
# lintian, installs it with apt into a clean Debian 13 root made by mmdebstrap (so its
# dependencies must resolve from Debian alone), checks what it installed, then runs the
# command of the installed drover-server.service as an unprivileged user with the unit's
# environment and settings file, and fetches /boot.ipxe from it. Each phase is timed.
#   install.sh --source DIR --deb PATH
set -euo pipefail

src='' deb=''
while (($#)); do
  case $1 in
  --source) src=$2; shift 2 ;;
  --deb) deb=$2; shift 2 ;;
  *) echo "usage: $0 --source DIR --deb PATH" >&2; exit 2 ;;
  esac
done
[[ -n $src && -n $deb ]] || { echo "usage: $0 --source DIR --deb PATH" >&2; exit 2; }
. "$src/tools/e2e/common.sh"

say() { printf 'package: %s\n' "$*" >&2; }
fail() { printf 'package: FAIL: %s\n' "$*" >&2; exit 1; }
# A skip, never a pass, where the host cannot do this (README: where a test may skip).
((EUID == 0)) || e2e_skip "needs root (mmdebstrap, chroot, mounts)"
command -v mmdebstrap >/dev/null || e2e_skip "needs mmdebstrap (tools/buildroot/packages.txt)"

# The unprivileged user the unit's command runs as (systemd's DynamicUser picks one of
# 61184-65519; this stands in for it).
service_uid=61234
test_started=$(e2e_ms)
phase_started=$test_started
timings=()
phase() {
  local now took
  now=$(e2e_ms)
  took="$(((now - phase_started) / 1000)).$((((now - phase_started) % 1000) / 100)) s"
  timings+=("$(printf '%-10s %s' "$1" "$took")")
  say "$1 done in $took"
  phase_started=$now
}

work=$(mktemp -d "${TMPDIR:-/tmp}/drover-package.XXXXXX")
root=$work/root
server_pid= polkitd_pid= bus_pid=
mounted=()
cleanup() {
  local rc=$? m
  # The system bus and polkitd of step 7 run from the root: they go before its mounts.
  for pid in $polkitd_pid $bus_pid; do kill "$pid" 2>/dev/null || true; done
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    m=${mounted[i]}
    umount -R "$m" 2>/dev/null || umount -lR "$m" 2>/dev/null || true
  done
  [[ -n ${KEEP:-} ]] || rm -rf --one-file-system "$work"
  if ((${#timings[@]})); then
    phase cleanup
    say "phases:"
    printf '  %s\n' "${timings[@]}" >&2
    say "total $((($(e2e_ms) - test_started) / 1000)) s"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# 1. The package, as a user makes it: incremental, so a second run costs seconds.
say "make package"
make -C "$src" --no-print-directory package >"$work/make.log" 2>&1 || { cat "$work/make.log" >&2; fail "make package"; }
grep -q "^package: $deb\$" "$work/make.log" || { cat "$work/make.log" >&2; fail "make package did not print $deb"; }
[[ -f $deb ]] || fail "no $deb"
phase package

# 2. lintian: any error or warning fails; packaging/drover.lintian-overrides says why each
# override is there.
lintian --fail-on error,warning --show-overrides "$deb" 2>&1 | { grep -v 'running with root privileges' || true; } >&2 ||
  fail "lintian found errors or warnings (above)"
phase lintian

# 3. A clean Debian 13 root with the package installed by apt. The mirror is the one of
# this system's apt configuration; downloads come from and go back to the build root's
# .deb cache, without the package under test.
mirror=$(bash "$src/tools/mirror.sh")
debs=${DROVER_DEB_CACHE:-/var/cache/drover/shared/debs}
mkdir -p "$debs"
# apt installs the package inside the root (with its Depends, no Recommends, as a server
# install would): apt outside with dpkg chrooted loses a .deb given by path. Then what a
# desktop user needs to build images, all of it among the package's Recommends (checked in
# step 7): the build tools, and pkexec with polkitd and the system bus for the build helper.
build_recommends=(mmdebstrap pkexec polkitd squashfs-tools kmod file zstd busybox-static)
mmdebstrap --variant=apt --mode=root --verbose --include=systemd,man-db,dbus,passwd \
  --setup-hook='mkdir -p "$1"/var/cache/apt/archives/' \
  --setup-hook="sync-in $debs /var/cache/apt/archives/" \
  --customize-hook="copy-in $deb /tmp" \
  --customize-hook="chroot \"\$1\" apt-get install -y -q --no-install-recommends /tmp/$(basename "$deb")" \
  --customize-hook="chroot \"\$1\" apt-get install -y -q --no-install-recommends ${build_recommends[*]}" \
  --customize-hook='rm -f "$1"/tmp/drover_*.deb "$1"/var/cache/apt/archives/drover_*.deb' \
  --customize-hook="sync-out /var/cache/apt/archives $debs" \
  trixie "$root" "deb $mirror trixie main" >"$work/mmdebstrap.log" 2>&1 ||
  { grep -E '^(E|W):|^ [^ ]|Depends|unmet|Unable' "$work/mmdebstrap.log" | tail -n 40 >&2; fail "mmdebstrap with the package"; }
say "root: $(du -sh "$root" | cut -f1), $(chroot "$root" dpkg-query -W -f='${binary:Package}\n' | wc -l) packages"
phase root

# 4. What the package installed, checked inside the root.
mount -t proc proc "$root/proc" && mounted+=("$root/proc")
mount --rbind /dev "$root/dev" && mounted+=("$root/dev")
mount --rbind /sys "$root/sys" && mounted+=("$root/sys")
version=$(chroot "$root" drover --version)
[[ $version =~ ^drover\ [0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "drover --version printed '$version'"
deb_version=$(dpkg-deb -f "$deb" Version)
[[ ${deb_version%-*} == "${version#drover }" ]] || fail "drover says $version, the package is $deb_version"
say "$version"
for f in /usr/bin/drover /usr/share/applications/org.drover.Drover.desktop \
  /usr/share/metainfo/org.drover.Drover.metainfo.xml /usr/share/icons/hicolor/scalable/apps/drover.svg \
  /usr/share/icons/hicolor/{16x16,32x32,48x48,64x64,128x128,256x256}/apps/drover.png \
  /usr/lib/systemd/system/drover-server.service /etc/default/drover-server \
  /usr/share/doc/drover/copyright /usr/share/doc/drover/changelog.Debian.gz /usr/share/doc/drover/README.Debian \
  /usr/share/drover/initramfs/init /usr/share/drover/initramfs/ready /usr/share/drover/initramfs/drover-ready.service \
  /usr/libexec/drover/drover-build-helper /usr/share/polkit-1/actions/org.drover.build.policy; do
  [[ -s $root$f ]] || fail "$f is not installed"
done
# The builder's resources as in the source tree, the scripts executable: the image's init.
for f in "$src"/resources/initramfs/*; do
  cmp -s "$f" "$root/usr/share/drover/initramfs/${f##*/}" || fail "/usr/share/drover/initramfs/${f##*/} differs from the source's"
  [[ ! -x $f || -x $root/usr/share/drover/initramfs/${f##*/} ]] || fail "/usr/share/drover/initramfs/${f##*/} is not executable"
done
for size in 16 32 48 64 128 256; do
  file "$root/usr/share/icons/hicolor/${size}x${size}/apps/drover.png" | e2e_has "$size x $size" ||
    fail "the ${size}x${size} icon is not $size pixels square"
done
man_page=$(chroot "$root" man -w drover) || fail "man -w drover finds no page"
zcat "$root$man_page" | e2e_has 'headless' || fail "$man_page does not describe --headless"
# The translations are compiled into the binary (app/CMakeLists.txt): German must come out.
chroot "$root" drover --lang de --help | e2e_has 'Die Version anzeigen' || fail "drover --lang de is not German"
grep -qx '/etc/default/drover-server' "$root/var/lib/dpkg/info/drover.conffiles" ||
  fail "/etc/default/drover-server is not a conffile"
# The known homepage finding is what lintian's override is for; anything else fails.
appstreamcli validate --no-net --override=url-homepage-missing=info \
  "$root/usr/share/metainfo/org.drover.Drover.metainfo.xml" >&2 || fail "appstreamcli validate"
desktop-file-validate "$root/usr/share/applications/org.drover.Drover.desktop" || fail "desktop-file-validate"
chroot "$root" systemd-analyze verify --man=no drover-server.service >&2 || fail "systemd-analyze verify"
security=$(chroot "$root" systemd-analyze security --offline=yes drover-server.service 2>&1 | tail -n1)
say "systemd-analyze security: ${security#→ }"
phase installed

# 5. The unit's command. ExecStart is expanded as systemd does: ${VAR} stays one word even
# when empty, $VAR splits on spaces. The settings file gives the defaults; only the ports
# and DHCP are changed here, so that nothing clashes with this host's own servers.
unit=$root/usr/lib/systemd/system/drover-server.service
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
[[ -n $exec_start ]] || fail "no ExecStart in the unit"
free_port() {
  local p used
  used=$(ss -Htuan | awk '{ n = split($5, a, ":"); print a[n] }')
  for ((p = 20000 + RANDOM % 20000; ; p++)); do
    grep -qx "$p" <<<"$used" || { echo "$p"; return; }
  done
}
http_port=$(free_port)
tftp_port=$((http_port + 1))
env_assign=()
while read -r line; do
  # shellcheck disable=SC2206 # Environment= holds space-separated assignments
  env_assign+=($line)
done < <(sed -n 's/^Environment=//p' "$unit")
settings=$(
  set -a
  # shellcheck disable=SC1091 # the installed settings file
  . "$root/etc/default/drover-server"
  export DROVER_DHCP=off DROVER_HTTP_PORT=$http_port DROVER_TFTP_PORT=$tftp_port
  env | grep '^DROVER_'
)
while read -r line; do env_assign+=("$line"); done <<<"$settings"
command_line=$(sed -E 's/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/"${\1}"/g' <<<"$exec_start")
# shellcheck disable=SC1090 # the command line is the unit's, with the settings as variables
command=$(
  set -a
  for a in "${env_assign[@]}"; do export "${a?}"; done
  eval "set -- $command_line"
  printf '%q ' "$@"
)
say "ExecStart: $command"
if ! grep -q -- "--dhcp off" <<<"$command" || ! grep -q -- "--http-port $http_port" <<<"$command"; then
  fail "the settings file's values did not reach the command line"
fi
# StateDirectory= and RuntimeDirectory= as systemd makes them for the service's user.
install -d -m 0700 -o "$service_uid" -g "$service_uid" "$root/var/lib/drover" "$root/run/drover"
chroot "$root" setpriv --reuid="$service_uid" --regid="$service_uid" --clear-groups \
  --inh-caps=-all,+net_bind_service --ambient-caps=-all,+net_bind_service --bounding-set=-all,+net_bind_service \
  --no-new-privs env -i "${env_assign[@]}" PATH=/usr/bin:/bin LANG=C.UTF-8 bash -c "exec $command" \
  2>"$work/server.log" &
server_pid=$!
for ((i = 0; i < 200; i++)); do
  curl -sf -o /dev/null "http://127.0.0.1:$http_port/boot.ipxe" && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; fail "the server exited before it served"; }
  sleep 0.1
done
script=$(curl -sf "http://127.0.0.1:$http_port/boot.ipxe") || { cat "$work/server.log" >&2; fail "no /boot.ipxe"; }
[[ $(head -n1 <<<"$script") == '#!ipxe' ]] || fail "/boot.ipxe is not an iPXE script: $(head -c 200 <<<"$script")"
[[ $(stat -c %u "/proc/$server_pid") == "$service_uid" ]] || fail "the server does not run as uid $service_uid"
say "/boot.ipxe from the installed unit's command on port $http_port: $(head -n2 <<<"$script" | tail -n1 | cut -c1-60)…"
kill -TERM "$server_pid"
rc=0
wait "$server_pid" || rc=$?
server_pid=
grep -q 'server: stopped' "$work/server.log" || { cat "$work/server.log" >&2; fail "no 'stopped' in the server's log"; }
((rc == 0)) || { cat "$work/server.log" >&2; fail "the server exited with $rc on SIGTERM"; }
[[ -f $root/var/lib/drover/catalog.sqlite || -n $(find "$root/var/lib/drover" -mindepth 1 -print -quit) ]] ||
  fail "nothing was written to /var/lib/drover"
phase serve

# 6. The desktop user: no root, no ambient capability, only what postinst gave the binary
# (cap_net_bind_service) — TFTP binds port 69. A copy of the binary without it is refused
# with the reason, so it is the file capability that does it. In a network namespace of
# its own, so that port 69 of this host is never touched.
caps=$(chroot "$root" getcap /usr/bin/drover)
[[ $caps == '/usr/bin/drover cap_net_bind_service=ep' ]] || fail "getcap /usr/bin/drover: '$caps'"
desktop_uid=$((service_uid + 1))
install -d -m 0700 -o "$desktop_uid" -g "$desktop_uid" "$root/home/desk"
cp "$root/usr/bin/drover" "$root/usr/local/bin/drover-nocap"
desktop_serve() { # BINARY LOG: serves TFTP on 69 and HTTP on $http_port as the desktop user
  unshare --net bash -c '
    ip link set lo up
    chroot "$1" setpriv --reuid="$2" --regid="$2" --clear-groups env -i HOME=/home/desk PATH=/usr/bin:/bin       LANG=C.UTF-8 "$3" --data /home/desk/drover --headless --dhcp off --tftp-port 69 --http-port "$4" 2>"$5" &
    pid=$!
    for ((i = 0; i < 200; i++)); do
      curl -sf -o /dev/null "http://127.0.0.1:$4/boot.ipxe" && { kill -TERM $pid; wait $pid; exit 0; }
      kill -0 $pid 2>/dev/null || { wait $pid; exit 3; }
      sleep 0.1
    done
    kill -KILL $pid
    exit 4' _ "$root" "$desktop_uid" "$1" "$http_port" "$2"
}
desktop_serve /usr/bin/drover "$work/desktop.log" || { cat "$work/desktop.log" >&2; fail "the desktop user's drover did not serve on port 69"; }
grep -q 'TFTP: serving .* on port 69$' "$work/desktop.log" || { cat "$work/desktop.log" >&2; fail "no TFTP on port 69 in the desktop user's log"; }
rc=0
desktop_serve /usr/local/bin/drover-nocap "$work/nocap.log" || rc=$?
((rc == 3)) || { cat "$work/nocap.log" >&2; fail "drover without the capability was not refused port 69 (exit $rc)"; }
grep -q 'CAP_NET_BIND_SERVICE' "$work/nocap.log" || { cat "$work/nocap.log" >&2; fail "the refusal does not say which capability"; }
say "the desktop user serves TFTP on port 69 with the file capability alone; without it: refused, naming CAP_NET_BIND_SERVICE"
phase desktop

# 7. The desktop user builds an image: drover sees it is not root and runs the build helper
# through the real pkexec, which asks the real polkitd on a system bus started here. An
# administrator's password cannot be typed in a test: a polkit rule grants the action to
# this user, as an administrator's rule would for a trusted group. Another user, without
# the rule, is refused. The helper builds as root in its own lab and hands the image over;
# the user's store gets it, and every file in the user's data directory stays the user's.
recommends=$(dpkg-deb -f "$deb" Recommends)
for p in "${build_recommends[@]}"; do
  grep -qE "(^|, )$p(,|$)" <<<"$recommends" || fail "the package does not recommend $p, which building needs"
done
grep -q '<annotate key="org.freedesktop.policykit.exec.path">/usr/libexec/drover/drover-build-helper</annotate>' \
  "$root/usr/share/polkit-1/actions/org.drover.build.policy" || fail "the polkit action does not name the installed helper"
chroot "$root" useradd -u "$desktop_uid" -M -d /home/desk -s /bin/sh desk
chroot "$root" useradd -u "$((desktop_uid + 1))" -m -d /home/other -s /bin/sh other
cp /etc/resolv.conf "$root/etc/resolv.conf"
cat >"$root/etc/polkit-1/rules.d/50-drover-test.rules" <<'RULE'
polkit.addRule(function (action, subject) {
  if (action.id == "org.drover.build" && subject.user == "desk")
    return polkit.Result.YES;
});
RULE
mkdir -p "$root/run/dbus"
bus_pid=$(chroot "$root" dbus-daemon --system --fork --nopidfile --print-pid) || fail "the system bus did not start in the root"
chroot "$root" /usr/lib/polkit-1/polkitd --no-debug >"$work/polkitd.log" 2>&1 &
polkitd_pid=$!
for ((i = 0; i < 100; i++)); do
  chroot "$root" busctl --system status org.freedesktop.PolicyKit1 >/dev/null 2>&1 && break
  kill -0 "$polkitd_pid" 2>/dev/null || { cat "$work/polkitd.log" >&2; fail "polkitd exited"; }
  sleep 0.1
done
# The build's downloads come from, and go back to, the shared cache (the helper's lab path
# for this user's uid).
helper_debs=/var/cache/drover/builds/uid-$desktop_uid/cache/build/debs
mkdir -p "$root$helper_debs" "$debs/helper-build"
mount --bind "$debs/helper-build" "$root$helper_debs" && mounted+=("$root$helper_debs")
mkdir -p "$root/home/desk/recipe/files/etc"
echo "built by the build helper" >"$root/home/desk/recipe/files/etc/drover-note"
cat >"$root/home/desk/recipe/tiny.json" <<'JSON'
{
  "name": "tiny",
  "version": "1",
  "distro": { "suite": "trixie" },
  "packages": ["linux-image-amd64"],
  "files": { "dir": "files" },
  "kernelArgs": "console=ttyS0",
  "prune": { "kernelModules": ["virtio"] }
}
JSON
chown -R "$desktop_uid:$desktop_uid" "$root/home/desk"
cp -r "$root/home/desk/recipe" "$root/home/other/recipe"
chown -R "$((desktop_uid + 1)):$((desktop_uid + 1))" "$root/home/other"
as_user() { # UID HOME COMMAND…: a user of the root, with what pkexec needs (a passwd entry, no no_new_privs)
  local uid=$1 home=$2
  shift 2
  chroot "$root" setpriv --reuid="$uid" --regid="$uid" --init-groups env -i HOME="$home" PATH=/usr/bin:/bin \
    LANG=C.UTF-8 "$@"
}
as_desk() { as_user "$desktop_uid" /home/desk "$@"; }
rc=0
as_user "$((desktop_uid + 1))" /home/other drover --data /home/other/drover build /home/other/recipe/tiny.json \
  >"$work/refused.log" 2>&1 || rc=$?
((rc != 0)) || { cat "$work/refused.log" >&2; fail "a user without the polkit rule built an image"; }
grep -q 'not authorised to build images' "$work/refused.log" || { cat "$work/refused.log" >&2; fail "the refusal does not say it was polkit's"; }
# pkexec's own words, carried whole: polkitd wants an administrator's password for this user,
# and with no terminal and no desktop agent to ask it in, pkexec gives up.
grep -qE 'Not authorized|authentication agent' "$work/refused.log" ||
  { cat "$work/refused.log" >&2; fail "the refusal does not carry pkexec's message"; }
say "a user without authorisation: $(grep -m1 'not authorised' "$work/refused.log" | cut -c1-120)"
build_started=$(e2e_ms)
as_desk drover --data /home/desk/drover build /home/desk/recipe/tiny.json \
  >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; cat "$work/polkitd.log" >&2; fail "the desktop user's build through pkexec failed"; }
say "the desktop user's build through pkexec and the helper: $((($(e2e_ms) - build_started) / 1000)) s"
as_desk drover --data /home/desk/drover image verify tiny:1 >"$work/verify.log" 2>&1 ||
  { cat "$work/verify.log" >&2; fail "tiny:1 is not whole in the desktop user's store"; }
as_desk drover --data /home/desk/drover image ls | grep -q '^tiny *1 ' ||
  { as_desk drover --data /home/desk/drover image ls >&2; fail "tiny:1 is not in the desktop user's catalog"; }
not_users=$(find "$root/home/desk/drover" ! -uid "$desktop_uid" -print | head -n 5)
[[ -z $not_users ]] || fail "files in the desktop user's data directory that are not the user's: $not_users"
[[ -z $(find "$root/var/cache/drover/builds/handover" -mindepth 1 -print -quit) ]] || fail "the helper left its bundle behind"
[[ $(stat -c '%U %a' "$root/var/cache/drover/builds/uid-$desktop_uid") == 'root 700' ]] || fail "the helper's lab is not root's and 0700"
phase build
say "PASS"
