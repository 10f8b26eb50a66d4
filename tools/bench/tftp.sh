#!/usr/bin/env bash
# 200 concurrent TFTP transfers of ipxe.efi on loopback: Drover's TFTP server against
# dnsmasq's, same client (drover-tftpbench get), same machine, runs taken alternately. Each
# figure is the median of RUNS runs. Drover's server records a boot event per transfer in a
# SQLite catalog through a BootRecorder, as BootServer runs it. dnsmasq gets --tftp-max above 200 (its default is 50).
# dnsmasq has no TFTP port option: it listens on 127.0.0.1:69, so nothing else may.
#
#   tools/bench/tftp.sh BUILD_DIR
set -euo pipefail
build=${1:-build}
bench=$build/tests/boot/drover-tftpbench
ipxe=${IPXE_DIR:-/usr/lib/ipxe}
file=ipxe.efi
clients=${CLIENTS:-200}
runs=${RUNS:-5}
drover_port=16969

[[ -x $bench ]] || { echo "tftp: $bench is missing (build first)" >&2; exit 1; }
[[ -r $ipxe/$file ]] || { echo "tftp: $ipxe/$file is missing (ipxe package)" >&2; exit 1; }
command -v dnsmasq >/dev/null || { echo "tftp: dnsmasq is not installed" >&2; exit 1; }

tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# once PORT BLKSIZE WINDOWSIZE → milliseconds for $clients concurrent gets
once() {
  local out
  out=$("$bench" get --port "$1" --file "$file" --clients "$clients" --blksize "$2" --windowsize "$3" \
    --compare "$ipxe/$file") || { echo "tftp: run against port $1 failed: $out" >&2; return 1; }
  sed -E 's/.* ms=([0-9]+).*/\1/' <<<"$out"
}

# compare BLKSIZE → "DROVER_MS DNSMASQ_MS", medians of $runs runs taken alternately, so that
# both servers see the same background load
compare() {
  local d=() n=()
  for ((i = 0; i < runs; i++)); do
    d+=("$(once $drover_port "$1" 0)")
    n+=("$(once 69 "$1" 0)")
  done
  for v in "${d[@]}" "${n[@]}"; do [[ $v =~ ^[0-9]+$ ]] || return 1; done
  echo "$(printf '%s\n' "${d[@]}" | median) $(printf '%s\n' "${n[@]}" | median)"
}

"$bench" serve --port $drover_port --dir "$ipxe" --catalog "$tmp/catalog.sqlite" >"$tmp/drover.log" 2>&1 &
pids+=($!)
dnsmasq --no-daemon --conf-file=/dev/null --port=0 --listen-address=127.0.0.1 --bind-interfaces \
  --enable-tftp --tftp-root="$ipxe" --tftp-max=512 --quiet-tftp --user=root --group=root \
  --pid-file="$tmp/dnsmasq.pid" >"$tmp/dnsmasq.log" 2>&1 &
pids+=($!)
sleep 1
kill -0 "${pids[0]}" 2>/dev/null || { cat "$tmp/drover.log" >&2; exit 1; }
kill -0 "${pids[1]}" 2>/dev/null || { cat "$tmp/dnsmasq.log" >&2; exit 1; }

size=$(stat -Lc %s "$ipxe/$file")
echo "| benchmark | Drover | dnsmasq $(dnsmasq --version | awk 'NR==1{print $3}') | Drover ÷ dnsmasq time |"
echo "|---|---|---|---|"
for blksize in 512 1428; do
  result=$(compare $blksize)
  read -r d n <<<"$result"
  [[ $d =~ ^[0-9]+$ && $n =~ ^[0-9]+$ ]] || { echo "tftp: a run failed" >&2; exit 1; }
  echo "| $clients concurrent TFTP gets of $file ($size B), blksize $blksize, median of $runs | ${d} ms | ${n} ms | $(awk -v a="$d" -v b="$n" 'BEGIN{printf "%.2f", a/b}') |"
done
w=()
for ((i = 0; i < runs; i++)); do w+=("$(once $drover_port 1428 8)"); done
echo "| same, blksize 1428, windowsize 8 (RFC 7440; dnsmasq has no windowsize), median of $runs | $(printf '%s\n' "${w[@]}" | median) ms | — | — |"
