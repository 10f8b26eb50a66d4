#!/usr/bin/env bash
# End-to-end boot of Drover's init in qemu under software emulation, without the boot
# server: busybox httpd on loopback serves the blobs by digest, the manifest, a machine
# configuration and a /report endpoint that records every report with the host's uptime;
# qemu boots Debian's kernel with a Drover initramfs (qemu's user network maps 10.0.2.2 to
# the host's loopback). Asserts the phases the server received, in order, and prints the
# measured times and the memory the booted root takes.
#
#   boot.sh [--scenario ok|corrupt|initramfs|debug] [--root busybox|debian] [--memory MiB] [--keep]
#
#   ok         two layers (squashfs base, erofs top): fetched, verified, mounted, configured,
#              ready, with the manifest digest; the configuration's hostname and key arrive
#   corrupt    one flipped byte in the base layer: failed, naming the layer; never mounted
#   initramfs  the whole root in the initramfs (format "initramfs"), the all-in-one baseline
#   debug      corrupt with drover.debug=1: a shell on the console takes commands, then reboots
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

scenario=ok root=busybox memory=1024 keep=0 timeout=${E2E_TIMEOUT:-540}
while [[ $# -gt 0 ]]; do
  case $1 in
  --scenario) scenario=$2; shift 2 ;;
  --root) root=$2; shift 2 ;;
  --memory) memory=$2; shift 2 ;;
  --keep) keep=1; shift ;;
  *) echo "usage: boot.sh [--scenario ok|corrupt|initramfs|debug] [--root busybox|debian] [--memory MiB] [--keep]" >&2; exit 2 ;;
  esac
done
[[ $(id -u) == 0 ]] || e2e_die "needs root (mknod, loop devices)"

mac=52:54:00:12:34:56
bootid=e2e-$$
token=t0ken-$RANDOM
work=$(mktemp -d /tmp/drover-e2e.XXXXXX)
httpd_pid= qemu_pid=
cleanup() {
  [[ -n $qemu_pid ]] && kill "$qemu_pid" 2>/dev/null
  [[ -n $httpd_pid ]] && kill "$httpd_pid" 2>/dev/null
  if [[ $keep == 1 ]]; then e2e_say "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

host_uptime() { cut -d' ' -f1 /proc/uptime; }

# ---------------------------------------------------------------- kernel, image, initramfs
t_build=$(e2e_ms)
kdir=$("$E2E_SRC/tools/e2e/kernel.sh")
www=$work/www
mkdir -p "$www/blobs" "$www/cgi-bin" "$www/report" "$www/config"

case $root in
busybox)
  "$E2E_SRC/tools/e2e/mkroot.sh" "$work/root"
  base_tree=$work/root/base top_tree=$work/root/top all_tree=$work/root/all
  ;;
debian)
  debroot=$("$E2E_SRC/tools/e2e/debian-root.sh")
  base_tree=$debroot/base top_tree=$debroot/top all_tree=$debroot/all
  ;;
*) e2e_die "unknown root '$root'" ;;
esac

# put FILE: stores FILE under its digest; prints "sha256:HEX SIZE".
put() {
  local d
  d=sha256:$(sha256sum "$1" | cut -d' ' -f1)
  cp "$1" "$www/blobs/$d"
  echo "$d $(stat -c %s "$1")"
}

layers_json=
format=layers
if [[ $scenario == initramfs ]]; then
  format=initramfs
  E2E_ZSTD_LEVEL=3 "$E2E_SRC/tools/e2e/mkinitrd.sh" "$work/initrd.img" "$kdir" "$all_tree"
else
  "$E2E_SRC/tools/e2e/mkinitrd.sh" "$work/initrd.img" "$kdir"
  # E2E_BASE_FS: how the base layer is packed (what the builder's layerType and compressor
  # choose); decompressing it is much of the booted system's CPU time under emulation.
  base_type=squashfs
  case ${E2E_BASE_FS:-squashfs} in
  squashfs) mksquashfs "$base_tree" "$work/base.img" -quiet -noappend -comp zstd -Xcompression-level 3 >/dev/null ;;
  squashfs-lz4) mksquashfs "$base_tree" "$work/base.img" -quiet -noappend -comp lz4 -Xhc >/dev/null ;;
  # The recipe's "compression": "zstd:19:1M" and "xz-x86" (issue 18, tools/bench/compression.sh).
  squashfs-zstd19-1m) mksquashfs "$base_tree" "$work/base.img" -quiet -noappend -comp zstd -Xcompression-level 19 -b 1M >/dev/null ;;
  squashfs-xz-x86) mksquashfs "$base_tree" "$work/base.img" -quiet -noappend -comp xz -b 1M -Xbcj x86 >/dev/null ;;
  erofs) base_type=erofs; mkfs.erofs -zlz4hc "$work/base.img" "$base_tree" >/dev/null 2>&1 ;;
  erofs-lz4) base_type=erofs; mkfs.erofs -zlz4 "$work/base.img" "$base_tree" >/dev/null 2>&1 ;;
  erofs-none) base_type=erofs; mkfs.erofs "$work/base.img" "$base_tree" >/dev/null 2>&1 ;;
  *) e2e_die "E2E_BASE_FS: squashfs, squashfs-lz4, squashfs-zstd19-1m, squashfs-xz-x86, erofs, erofs-lz4 or erofs-none" ;;
  esac
  mkfs.erofs -zlz4hc "$work/top.erofs" "$top_tree" >/dev/null 2>&1
  read -r base_digest base_size < <(put "$work/base.img")
  read -r top_digest top_size < <(put "$work/top.erofs")
  layers_json="{\"digest\":\"$base_digest\",\"role\":\"base\",\"size\":$base_size,\"type\":\"$base_type\"},"
  layers_json+="{\"digest\":\"$top_digest\",\"role\":\"top\",\"size\":$top_size,\"type\":\"erofs\"}"
fi
read -r kernel_digest kernel_size < <(put "$kdir/vmlinuz")
read -r initrd_digest initrd_size < <(put "$work/initrd.img")
recipe=sha256:$(printf 'e2e %s' "$root" | sha256sum | cut -d' ' -f1)
# Canonical, as core/store/manifest.cpp writes it: sorted keys, no spaces.
printf '{"architecture":"amd64","build":{"builder":"tools/e2e"},"format":"%s","initrd":{"digest":"%s","size":%s},"kernel":{"digest":"%s","size":%s},"kernelArgs":"quiet","layers":[%s],"mediaType":"application/vnd.drover.manifest.v1+json","name":"e2e-%s","recipeDigest":"%s","schemaVersion":1,"version":"1"}' \
  "$format" "$initrd_digest" "$initrd_size" "$kernel_digest" "$kernel_size" "$layers_json" "$root" "$recipe" >"$work/manifest.json"
read -r manifest_digest _ < <(put "$work/manifest.json")

if [[ $scenario == corrupt || $scenario == debug ]]; then
  # One byte in the middle of the base layer, served under the layer's real digest.
  blob=$www/blobs/$base_digest
  offset=$((base_size / 2))
  byte=$(od -An -tu1 -j "$offset" -N 1 "$blob" | tr -d ' ')
  printf "\\$(printf %o $((byte ^ 1)))" | dd of="$blob" bs=1 seek="$offset" conv=notrunc 2>/dev/null
fi

key="ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2eKeyForTheEndToEndTestOnly e2e@drover"
{
  echo "drover-config 1"
  echo "hostname e2e-pc-01"
  echo "user alice 1001 /bin/sh -"
  echo "key alice $key"
  echo "file 0644 0:0 /etc/motd $(printf 'configured by drover\n' | base64 -w 0)"
  # Run by the ready unit before "ready": shows on the console what the test checks.
  echo "script show $(base64 -w 0 <<'SCRIPT'
#!/bin/sh
{
  echo "e2e-root: hostname=$(cat /proc/sys/kernel/hostname)"
  echo "e2e-root: key=$(cat /home/alice/.ssh/authorized_keys)"
  echo "e2e-root: motd=$(cat /etc/motd)"
  echo "e2e-root: layer=$(cat /etc/layer 2>/dev/null)"
  echo "e2e-root: root=$(awk '$2 == "/" { print $3 }' /proc/mounts)"
  echo "e2e-root: meminfo=$(grep -E '^(MemTotal|MemFree|MemAvailable|Cached|Shmem|AnonPages|Slab|SUnreclaim|KernelStack|PageTables|Percpu):' /proc/meminfo | tr -s ' ' | tr '\n' ' ')"
} >/dev/console
SCRIPT
)"
} >"$www/config/$mac"

cat >"$www/cgi-bin/index.cgi" <<EOF
#!/bin/sh
case \$REQUEST_URI in
/report/*) echo "\$(cut -d' ' -f1 /proc/uptime) \$QUERY_STRING" >>"$work/reports.log"
           printf 'Content-Type: text/plain\r\n\r\nok\n' ;;
*) printf 'Status: 404 Not Found\r\n\r\n' ;;
esac
EOF
chmod 0755 "$www/cgi-bin/index.cgi"
: >"$work/reports.log"
: >"$work/console.log"
e2e_say "built $root image ($scenario) in $((($(e2e_ms) - t_build) / 1000)) s: initrd $((initrd_size / 1024)) KiB${base_size:+, layers $(((base_size + top_size) / 1024)) KiB}"

# ---------------------------------------------------------------- serve and boot
port=$((30000 + $$ % 20000))
while :; do
  busybox httpd -f -vv -p "127.0.0.1:$port" -h "$www" 2>"$work/httpd.log" &
  httpd_pid=$!
  sleep 0.3
  kill -0 "$httpd_pid" 2>/dev/null && break
  port=$((port + 1))
done

append="console=ttyS0 quiet initrd=initrd.img drover.server=http://10.0.2.2:$port"
append+=" drover.manifest=$manifest_digest drover.mac=$mac drover.boot=$bootid drover.token=$token"
append+=" drover.reboot=1 drover.tmpfs=256m"
[[ $scenario == debug ]] && append+=" drover.debug=1"
# The serial port through two fifos: the console is read as it comes, and the debug
# scenario types into it.
mkfifo "$work/serial.in" "$work/serial.out"
exec 7<>"$work/serial.in"
cat "$work/serial.out" >"$work/console.log" &
console_pid=$!
# E2E_IPXE=1 boots as a lab machine does: qemu's iPXE ROM gets an HTTP boot script from
# qemu's DHCP and fetches kernel and initramfs by digest (an all-in-one initramfs then pays
# for its transfer, as on real machines); otherwise qemu loads them directly.
if [[ ${E2E_IPXE:-0} == 1 ]]; then
  printf '#!ipxe\nkernel http://10.0.2.2:%s/blobs/%s %s\ninitrd --name initrd.img http://10.0.2.2:%s/blobs/%s\nboot\n' \
    "$port" "$kernel_digest" "$append" "$port" "$initrd_digest" >"$www/boot.ipxe"
  boot_args=(-boot n)
  nic="user,model=virtio-net-pci,mac=$mac,bootfile=http://10.0.2.2:$port/boot.ipxe"
else
  boot_args=(-kernel "$kdir/vmlinuz" -initrd "$work/initrd.img" -append "$append")
  nic="user,model=virtio-net-pci,mac=$mac"
fi
start_qemu() {
  start_uptime=$(host_uptime)
  t0=$(e2e_ms)
  # E2E_CPU picks qemu's CPU model (default: qemu's own; "max" offers SHA-NI to the guest).
  qemu-system-x86_64 -machine q35 -accel tcg ${E2E_CPU:+-cpu "$E2E_CPU"} -m "$memory" -smp 2 \
    -display none -no-reboot \
    -serial "pipe:$work/serial" -monitor none "${boot_args[@]}" -nic "$nic" >"$work/qemu.log" 2>&1 &
  qemu_pid=$!
  e2e_say "qemu started (pid $qemu_pid, ${memory} MiB, 2 vCPUs, TCG${E2E_CPU:+, cpu $E2E_CPU}$([[ ${E2E_IPXE:-0} == 1 ]] && echo ", iPXE")), server http://127.0.0.1:$port"
}
start_qemu

# The guest powers off after "ready" (busybox root) or reboots after a failure (-no-reboot
# turns that into an exit); a systemd root stays up, so "ready" or "failed" ends the wait.
# qemu's CPU time (user + system) as well: on a shared machine the wall clock follows the
# load, while the CPU the emulated boot needs does much less.
qemu_cpu() { awk '{ printf "%.1f", ($14 + $15) / 100 }' "/proc/$qemu_pid/stat" 2>/dev/null; }
t_init= t_switch= cpu_switch= cpu_ready= cpu_now=0
qemu_starts=1
while :; do
  if ! kill -0 "$qemu_pid" 2>/dev/null; then
    # qemu itself died by a signal before the guest printed a line or reported (it aborted
    # once in TCG, on a CI run): that is no boot of Drover's to judge, so say so and start
    # it again, once. A crash after the guest ran is judged like any other end.
    qemu_rc=0
    wait "$qemu_pid" 2>/dev/null || qemu_rc=$?
    if ((qemu_rc > 128 && qemu_starts < 2)) && [[ ! -s $work/reports.log ]] && ! grep -q . "$work/console.log"; then
      e2e_say "qemu died by signal $((qemu_rc - 128)) before the guest started: $(tail -n 3 "$work/qemu.log" | tr '\n' ' ')"
      qemu_starts=$((qemu_starts + 1))
      # The console reader ended with the old qemu's end of the fifo.
      kill -0 "$console_pid" 2>/dev/null || { cat "$work/serial.out" >>"$work/console.log" & console_pid=$!; }
      start_qemu
      continue
    fi
    ((qemu_rc <= 128)) || e2e_say "qemu exited with status $qemu_rc: $(tail -n 3 "$work/qemu.log" | tr '\n' ' ')"
    break
  fi
  cpu_now=$(qemu_cpu || echo "$cpu_now")
  [[ -z $cpu_ready ]] && grep -qE 'phase=(ready|failed)&' "$work/reports.log" && cpu_ready=$cpu_now
  # Host-side times of the console's landmarks: the guest's clock is unreliable under TCG.
  [[ -z $t_init ]] && grep -q "drover: Drover init" "$work/console.log" && t_init=$(($(e2e_ms) - t0))
  [[ -z $t_switch ]] && grep -qE "drover: (switch_root|exec) " "$work/console.log" &&
    t_switch=$(($(e2e_ms) - t0)) cpu_switch=$cpu_now
  if [[ $scenario == debug && -z ${typed:-} ]] && grep -q "starting a shell on the console" "$work/console.log"; then
    sleep 1
    printf 'echo SHELL-$((6 * 7)) in $(pwd); ls /run/drover/layers.d/verified | wc -l\nreboot -f\n' >&7
    typed=1
  fi
  if (($(e2e_ms) - t0 > timeout * 1000)); then
    tail -n 30 "$work/console.log" >&2 || true
    e2e_die "no end of boot after $timeout s"
  fi
  if [[ $root != busybox ]] && grep -qE 'phase=(ready|failed)&' "$work/reports.log"; then
    sleep 1
    break
  fi
  sleep 0.1
done
wall=$(($(e2e_ms) - t0))
cpu_ready=${cpu_ready:-$cpu_now}
kill "$qemu_pid" 2>/dev/null || true
wait "$qemu_pid" 2>/dev/null || true
qemu_pid=

# ---------------------------------------------------------------- check what the server saw
urldecode() { local s=${1//+/ }; printf '%b' "${s//%/\\x}"; }
field() { # QUERY NAME
  local kv
  IFS='&' read -ra kv <<<"$1"
  for f in "${kv[@]}"; do [[ ${f%%=*} == "$2" ]] && urldecode "${f#*=}" && return 0; done
  return 1
}
phases=() details=() times=()
while read -r at query; do
  [[ $(field "$query" mac) == "$mac" && $(field "$query" boot) == "$bootid" &&
    $(field "$query" token) == "$token" ]] || e2e_die "report with wrong identity: $query"
  [[ $(field "$query" digest) == "$manifest_digest" ]] || e2e_die "report with wrong digest: $query"
  phases+=("$(field "$query" phase)")
  details+=("$(field "$query" detail)")
  times+=("$(awk -v a="$at" -v s="$start_uptime" 'BEGIN { printf "%.1f", a - s }')")
done <"$work/reports.log"

echo "---- console (last 40 lines) ----"
tail -n 40 "$work/console.log" | tr -d '\r'
echo "---- reports ----"
for i in "${!phases[@]}"; do printf '%6s s  %-10s %s\n' "${times[$i]}" "${phases[$i]}" "${details[$i]}"; done
echo "-----------------"

got="${phases[*]}"
case $scenario in
ok | initramfs)
  [[ $got == "fetched verified mounted configured ready" ]] ||
    e2e_die "phases were '$got', not 'fetched verified mounted configured ready'"
  grep -q "e2e-root: hostname=e2e-pc-01" "$work/console.log" || e2e_die "the configured hostname did not arrive"
  grep -qF "e2e-root: key=$key" "$work/console.log" || e2e_die "the configured ssh key did not arrive"
  ready=${details[4]}
  [[ $ready == *hostname=e2e-pc-01* ]] || e2e_die "ready detail lacks the hostname: $ready"
  [[ $ready == *scripts=01-show=0* ]] || e2e_die "the configuration's script did not run: $ready"
  grep -q "e2e-root: motd=configured by drover" "$work/console.log" || e2e_die "the configured file did not arrive"
  if [[ $scenario == ok && $root == busybox ]]; then
    grep -q "e2e-root: layer=top" "$work/console.log" || e2e_die "the top layer does not shadow the base"
  fi
  if [[ $scenario == ok ]]; then
    grep -q "e2e-root: root=overlay" "$work/console.log" || e2e_die "the root is not the overlay"
  fi
  mem=$(sed -n 's/.*mem_used_kib=\([0-9]*\).*/\1/p' <<<"$ready")
  layers=$(sed -n 's/.*layers_kib=\([0-9]*\).*/\1/p' <<<"$ready")
  upper=$(sed -n 's/.*upper_kib=\([0-9]*\).*/\1/p' <<<"$ready")
  handoff=$(sed -n 's/.*handoff=\([0-9.]*\)s.*/\1/p' <<<"$ready")
  guest_up=$(sed -n 's/.*uptime=\([0-9.]*\)s.*/\1/p' <<<"$ready")
  secs() { awk -v ms="${1:-0}" 'BEGIN { printf "%.1f", ms / 1000 }'; }
  echo "RESULT root=$root scenario=$scenario${E2E_BASE_FS:+ base=$E2E_BASE_FS}$([[ ${E2E_IPXE:-0} == 1 ]] && echo " ipxe") qemu_start_to_init=$(secs "$t_init")s to_switch_root=$(secs "$t_switch")s to_ready=${times[4]}s qemu_cpu_to_switch_root=${cpu_switch}s qemu_cpu_to_ready=${cpu_ready}s load=$(cut -d' ' -f1 /proc/loadavg) (guest clock: handoff ${handoff}s ready ${guest_up}s) mem_used=$((mem / 1024))MiB layers_in_ram=$((layers / 1024))MiB upper=$((upper / 1024))MiB"
  ;;
debug)
  [[ $got == failed ]] || e2e_die "phases were '$got', not 'failed'"
  grep -q "SHELL-42 in /" "$work/console.log" || e2e_die "the debug shell did not run the command typed into it"
  grep -q "rebooting in" "$work/console.log" && e2e_die "drover.debug=1 rebooted instead of opening a shell"
  echo "RESULT root=$root scenario=debug shell_after=$((wall / 1000))s"
  ;;
corrupt)
  [[ $got == failed ]] || e2e_die "phases were '$got', not 'failed'"
  [[ ${details[0]} == "fetched: layer $base_digest digest mismatch"* ]] ||
    e2e_die "the failure does not name the layer: ${details[0]}"
  grep -q "FAILED (fetched)" "$work/console.log" || e2e_die "no failure on the console"
  grep -q "drover: mounted" "$work/console.log" && e2e_die "the init went on to mount"
  echo "RESULT root=$root scenario=corrupt failed_after=${times[0]}s wall=$((wall / 1000))s"
  ;;
esac
e2e_say "PASS ($scenario, $root)"
