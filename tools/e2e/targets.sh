#!/usr/bin/env bash
# End to end: boot targets besides images, with Drover as the only DHCP server. The VM has a
# small disk with a system that writes DROVER-LOCAL-DISK-BOOTED to the first serial port; the
# network comes first in its boot order.
#   BIOS (default): SeaBIOS and qemu's iPXE ROM; the disk's boot sector writes the line.
#   --uefi: OVMF's own PXE client, then iPXE (secure boot off); the disk is a FAT disk whose
#     removable-media loader \EFI\BOOT\BOOTX64.EFI is Debian's signed GRUB, its grub.cfg
#     echoing the line (to OVMF's console, which includes the serial port).
#   --secure-boot: OVMF with Secure Boot on and Microsoft's keys, the machine at secure boot
#     on: shim → GRUB from Drover, whose script chainloads the disk's GRUB through shim.
# Steps:
#   1. Nothing is assigned: Drover's script makes the VM wait — the disk must not boot.
#   2. Assigned --target local-disk: at the VM's next ask it boots the disk, and the line
#      appears; the catalog shows "@local-disk".
#   2b. Assigned --target menu (timeout 3 s) and power-cycled: the menu (iPXE's, or GRUB's
#      under Secure Boot) times out to its first entry, the local disk, which boots.
#   2c. Assigned --target iso:e2e-rescue (a test ISO made by grub-mkrescue, added with drover
#      iso add) and power-cycled: the ISO's GRUB writes DROVER-ISO-BOOTED (iPXE sanboot, BIOS
#      and --uefi) or its loopback.cfg writes DROVER-ISO-LOOPBACK-BOOTED (GRUB, --secure-boot);
#      removing the assigned ISO is refused.
#   3. BIOS and --uefi: assigned --target memtest and power-cycled, memtest86+ from Debian's
#      package, loaded from Drover's HTTP server, draws its screen on the serial port.
#      --secure-boot: assigning memtest is refused, because it is not signed.
# Runs as root inside the build root; argument --drover: the built drover executable.
set -euo pipefail
source "$(dirname "$0")/common.sh"

exe=
timeout=240
uefi=0
secure_boot=0
while (($#)); do
  case $1 in
    --drover) exe=$2; shift 2 ;;
    --uefi) uefi=1; shift ;;
    --secure-boot) uefi=1; secure_boot=1; shift ;;
    --timeout) timeout=$2; shift 2 ;;
    *) e2e_die "unknown argument $1" ;;
  esac
done
[[ -x $exe ]] || e2e_die "--drover: '$exe' is not an executable"
[[ -f /boot/memtest86+x64.bin ]] || e2e_die "memtest86+ is not installed (tools/buildroot/packages.txt)"
command -v grub-mkrescue >/dev/null || e2e_die "grub-mkrescue is not installed (tools/buildroot/packages.txt)"

ns=drv-tg-$$
subnet=10.$((60 + $$ % 60)).$(($$ % 250)).
server=${subnet}1
mac=52:54:00:e3:$(printf '%02x' $(($$ % 256))):01
machine=tg-bios
((uefi)) && machine=tg-uefi
((secure_boot)) && machine=tg-sb
data=$(mktemp -d /tmp/drover-targets-XXXXXX)
pids=()
vm_pid=
cleanup() {
  local rc=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
  if ((rc != 0)); then
    e2e_say "server log (last lines):"
    tail -n 30 "$data/server.log" >&2 2>/dev/null || true
    for log in "$data"/console-*.log; do
      [[ -f $log ]] || continue
      e2e_say "$(basename "$log") (last bytes):"
      tail -c 600 "$log" | tr -c '[:print:]\n' ' ' >&2 || true
    done
  fi
  rm -rf "$data"
  exit "$rc"
}
trap cleanup EXIT
inns() { nsenter --net="/run/netns/$ns" "$@"; }
in_ns=(nsenter --net="/run/netns/$ns")
d() { "$exe" --data "$data" "$@"; }

if ((uefi)); then
  # qemu's virtual FAT disk of a directory: no filesystem tools needed. Debian's signed GRUB
  # as the removable-media loader reads grub.cfg from /EFI/debian (its built-in prefix).
  mkdir -p "$data/esp/EFI/BOOT" "$data/esp/EFI/debian"
  cp /usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed "$data/esp/EFI/BOOT/BOOTX64.EFI"
  printf 'echo DROVER-LOCAL-DISK-BOOTED\nsleep 600\n' >"$data/esp/EFI/debian/grub.cfg"
  cp "$data/esp/EFI/debian/grub.cfg" "$data/esp/EFI/BOOT/grub.cfg"
  disk=(-drive "file=fat:$data/esp,format=raw,if=none,id=disk0,readonly=on" -device virtio-blk-pci,drive=disk0,bootindex=2)
else
  # A 1 MiB disk whose MBR boot code (16-bit, at 0x7c00) writes a line to COM1 and halts:
  #   cli; xor ax,ax; mov ds,ax; mov si,msg; mov dx,0x3f8
  #   next: lodsb; test al,al; jz done; out dx,al; jmp next
  #   done: hlt; jmp done
  python3 - "$data/disk.img" <<'PY'
import sys
code = bytes.fromhex("fa31c08ed8be167cbaf803ac84c07403eeebf8f4ebfd")
msg = b"DROVER-LOCAL-DISK-BOOTED\r\n\0"
sector = code + msg
sector += bytes(510 - len(sector)) + b"\x55\xaa"
with open(sys.argv[1], "wb") as f:
    f.write(sector + bytes(1024 * 1024 - 512))
PY
  disk=(-drive "file=$data/disk.img,format=raw,if=ide")
fi

d machine add "$machine" --mac "$mac" >/dev/null
firmware=()
nic=(-device "virtio-net-pci,netdev=n0,mac=$mac")
boot=(-boot order=n)
if ((secure_boot)); then
  d secure-boot "$machine" on >/dev/null
  cp /usr/share/OVMF/OVMF_VARS_4M.ms.fd "$data/vars.fd"
  firmware=(-machine q35,smm=on -global driver=cfi.pflash01,property=secure,value=on
    -drive "if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.secboot.fd"
    -drive "if=pflash,format=raw,unit=1,file=$data/vars-run.fd")
elif ((uefi)); then
  d secure-boot "$machine" off >/dev/null
  cp /usr/share/OVMF/OVMF_VARS_4M.fd "$data/vars.fd"
  firmware=(-machine q35 -drive "if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd"
    -drive "if=pflash,format=raw,unit=1,file=$data/vars-run.fd")
fi
if ((uefi)); then
  # The firmware's own PXE client (it needs an RNG), first; the disk second.
  nic=(-device "virtio-net-pci,netdev=n0,mac=$mac,romfile=,bootindex=1" -device virtio-rng-pci)
  boot=()
fi

e2e_segment "$ns" "$server"
e2e_start_drover "$ns" "$exe" "$data" full "$server"

power_on() {
  local console=$1
  if [[ -n $vm_pid ]]; then
    kill "$vm_pid" 2>/dev/null || true
    wait "$vm_pid" 2>/dev/null || true
  fi
  # Each power-on starts from the same firmware variables.
  ((uefi == 0)) || cp "$data/vars.fd" "$data/vars-run.fd"
  "${in_ns[@]}" qemu-system-x86_64 -m 1024 -display none -monitor none -serial "file:$data/$console" \
    "${firmware[@]}" "${disk[@]}" -netdev tap,id=n0,ifname=tap0,script=no,downscript=no "${nic[@]}" "${boot[@]}" &
  vm_pid=$!
  pids+=("$vm_pid")
}
# Waits until FILE holds PATTERN (grep -a: the console is binary-ish), or TIMEOUT seconds.
wait_for() {
  local file=$1 pattern=$2 limit=$3 t=$(($(e2e_ms) + $3 * 1000))
  while (($(e2e_ms) < t)); do
    grep -aq -- "$pattern" "$file" 2>/dev/null && return 0
    kill -0 "$vm_pid" 2>/dev/null || e2e_die "qemu exited (waiting for '$pattern')"
    sleep 1
  done
  return 1
}
script_events() { d events --machine "$machine" --phase script --limit 100 2>/dev/null | grep -c "$1" || true; }

# 1. Nothing assigned: the VM asks, is told to wait, and its disk stays untouched.
t0=$(e2e_ms)
power_on console-1.log
for _ in $(seq "$timeout"); do
  (($(script_events "nothing boots") > 0)) && break
  sleep 1
done
(($(script_events "nothing boots") > 0)) || e2e_die "$machine never asked for its script"
e2e_say "$machine asked and was told to wait after $(($(e2e_ms) - t0)) ms"
sleep 5
! grep -aq DROVER-LOCAL-DISK-BOOTED "$data/console-1.log" || e2e_die "the disk booted although nothing was assigned"

# 2. Local disk: the waiting VM asks again (every 30 s) and boots its disk.
d assign "$machine" --target local-disk --why "targets e2e" >/dev/null
t1=$(e2e_ms)
wait_for "$data/console-1.log" DROVER-LOCAL-DISK-BOOTED "$timeout" \
  || e2e_die "the disk did not boot within $timeout s of assigning local-disk"
e2e_say "the disk's system wrote its line $(($(e2e_ms) - t1)) ms after the assignment"
(($(script_events "Local disk instead of an image") > 0)) || e2e_die "no script event says local disk"
d --json machine show "$machine" | e2e_has '"currentImage": *"@local-disk"' \
  || e2e_die "the catalog does not show local-disk as what $machine booted"
d machine show "$machine" | e2e_has 'Local disk' || e2e_die "drover machine show does not name the local disk"

# 2b. The boot menu: power-cycled, the VM shows its menu (no image below the menu here, so
# local disk comes first), nobody presses a key, and after the timeout the first entry boots.
d menu-timeout 3 >/dev/null
d assign "$machine" --target menu --why "targets e2e" >/dev/null
t_menu=$(e2e_ms)
power_on console-menu.log
wait_for "$data/console-menu.log" DROVER-LOCAL-DISK-BOOTED "$timeout" \
  || e2e_die "the menu's first entry (local disk) did not boot within $timeout s"
(($(script_events "Boot menu instead of an image") > 0)) || e2e_die "no script event says the boot menu was served"
(($(script_events "Local disk instead of an image (chosen from the boot menu)") > 0)) \
  || e2e_die "no script event says the local disk was chosen from the menu"
e2e_say "the menu booted its first entry, the local disk, $(($(e2e_ms) - t_menu)) ms after power-on"

# 2c. An ISO from the store: a test ISO made by grub-mkrescue (BIOS and UEFI El Torito images)
# whose GRUB writes a line to the serial port; its loopback.cfg writes another. iPXE (BIOS,
# --uefi) reads it from Drover by HTTP range requests as a CD-ROM and boots it; Drover's
# signed GRUB (--secure-boot) loops it back and runs its loopback.cfg.
mkdir -p "$data/iso/boot/grub"
printf 'serial --unit=0 --speed=115200\nterminal_output --append serial\necho DROVER-ISO-BOOTED\nsleep 600\n' \
  >"$data/iso/boot/grub/grub.cfg"
printf 'echo DROVER-ISO-LOOPBACK-BOOTED\nsleep 600\n' >"$data/iso/boot/grub/loopback.cfg"
grub-mkrescue -o "$data/e2e.iso" "$data/iso" >"$data/mkrescue.log" 2>&1 || e2e_die "grub-mkrescue failed: $(tail -3 "$data/mkrescue.log")"
d iso add "$data/e2e.iso" --name e2e-rescue >/dev/null
d assign "$machine" --target iso:e2e-rescue --why "targets e2e" >/dev/null
if out=$(d iso rm e2e-rescue 2>&1); then
  e2e_die "an assigned ISO was removed"
fi
e2e_has "in use by machine $machine" <<<"$out" || e2e_die "the refused removal does not say who uses the ISO: $out"
iso_line=DROVER-ISO-BOOTED
((secure_boot)) && iso_line=DROVER-ISO-LOOPBACK-BOOTED
t_iso=$(e2e_ms)
power_on console-iso.log
wait_for "$data/console-iso.log" "$iso_line" "$timeout" || e2e_die "the ISO did not boot within $timeout s ($iso_line)"
(($(script_events "ISO e2e-rescue instead of an image") > 0)) || e2e_die "no script event says the ISO was served"
d --json machine show "$machine" | e2e_has '"currentImage": *"@iso:e2e-rescue"' \
  || e2e_die "the catalog does not show the ISO as what $machine booted"
! grep -aq DROVER-LOCAL-DISK-BOOTED "$data/console-iso.log" || e2e_die "the disk booted instead of the ISO"
e2e_say "the ISO wrote $iso_line $(($(e2e_ms) - t_iso)) ms after power-on"

# 3. memtest86+: power-cycled, the VM loads it from Drover and it draws its screen; under
# Secure Boot it is refused before anything boots.
if ((secure_boot)); then
  if out=$(d assign "$machine" --target memtest 2>&1); then
    e2e_die "memtest was assigned to a machine with secure boot on"
  fi
  e2e_has "memtest86+ is not signed" <<<"$out" || e2e_die "the refusal does not say why: $out"
  e2e_say "memtest refused under Secure Boot: $out"
  e2e_say "PASS: nothing assigned waits; local-disk boots the disk through shim and GRUB; the ISO's loopback.cfg runs; memtest refused"
  exit 0
fi
d assign "$machine" --target memtest --why "targets e2e" >/dev/null
t2=$(e2e_ms)
power_on console-2.log
wait_for "$data/console-2.log" "Memtest86+" "$timeout" || e2e_die "memtest86+ did not start within $timeout s"
e2e_say "memtest86+ on the serial console $(($(e2e_ms) - t2)) ms after power-on"
file=memtest86+x64.bin
((uefi)) && file=memtest86+x64.efi
d events --limit 200 | e2e_has "$file sent to" || e2e_die "no event shows $file sent over HTTP"
! grep -aq DROVER-LOCAL-DISK-BOOTED "$data/console-2.log" || e2e_die "the disk booted instead of memtest86+"
e2e_say "PASS: nothing assigned waits; local-disk boots the disk; the ISO boots as a CD-ROM; memtest runs memtest86+"
