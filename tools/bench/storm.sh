#!/usr/bin/env bash
# Boot storm (issue 18), inside the build root as root, with the build dir as $1: N simulated
# machines (drover-storm, tools/bench/storm.cpp) power on together and boot through DHCP,
# TFTP, iPXE's DHCP, the scripts, kernel, initrd, manifest, layers and the ready report —
# against Drover (`drover --headless --dhcp full`), then against the baseline a lab would
# otherwise run, dnsmasq (DHCP + TFTP) and nginx (the same blob files, a static script), in
# the same network set-up, the same run. The network: a server namespace and a client
# namespace joined by one veth pair; the server's side is shaped with tc (htb) to the shared
# uplink rate, every machine's own link is a token bucket inside the simulator. Every
# machine binds its connections to the address DHCP leased it (the lease range is made local
# in the client namespace by an AnyIP route), so the server sees 500 machines at 500 addresses.
# Prints Markdown table rows: time to the last ready against the link bound (bytes ÷ uplink),
# retries and failures, the server's CPU (utime + stime from /proc over the wall time) and
# per-phase p50/p99; the simulator's own CPU, the whole machine's busy cores (/proc/stat) and
# the load average, to tell whether the 2-core machine rather than the network was the wall.
#
#   tools/bench/storm.sh BUILD [--smoke | --smoke-peers | --smoke-tracker]
# Environment: RUNS="MACHINES:IMAGE_MIB:UPLINK_MBIT:CLIENT_MBIT …" (default
# "60:99:1000:1000 500:20:1000:100 60:99:10000:100"), SERVERS="drover baseline",
# MODE=full|proxy (proxy: dnsmasq hands out addresses, Drover is ProxyDHCP; Drover only),
# PEERS="K[:S[:drover]] …" (each item one more row per run and server, after the unicast one:
# the peer path of docs/peer-download.md, K uploads a holder serves at once, the server taking
# at most S layer downloads at once, 0 or none: whenever no peer is free; e.g. PEERS="2:0 2:2";
# the simulator chooses the sources, unless the item ends in :drover — then Drover's own
# tracker does (drover-storm --tracker drover), with `drover peers on --uploads K
# --server-slots S` in the data dir for that row and `peers off` after; Drover only, S ≥ 1),
# OUT=DIR (keeps each row's simulator output there).
# --smoke: 5 machines, a 4 MiB image, unshaped, Drover only; fails unless all 5 reach ready
# within 60 s (the ctest storm_smoke). --smoke-peers: the same in peer mode (PEERS=2:1, no
# unicast row); fails unless all 5 reach ready within 60 s and some layer bytes came from
# peers (the ctest storm_peers_smoke). --smoke-tracker: the same with Drover's tracker choosing
# (PEERS=2:1:drover); fails unless all 5 reach ready within 60 s, they asked Drover for
# sources and some layer bytes came from the peers it named (the ctest storm_tracker_smoke).
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
smoke=0
smoke_peers=0
smoke_tracker=0
[[ ${2:-} == --smoke ]] && smoke=1
[[ ${2:-} == --smoke-peers ]] && smoke=1 smoke_peers=1
[[ ${2:-} == --smoke-tracker ]] && smoke=1 smoke_peers=1 smoke_tracker=1
drover=$build/app/drover
storm=$build/tools/bench/drover-storm
seed=$build/tools/bench/drover-stormseed
ipxe_dir=${IPXE_DIR:-/usr/lib/ipxe}
mode=${MODE:-full}
runs=${RUNS:-60:99:1000:1000 500:20:1000:100 60:99:10000:100}
servers=${SERVERS:-drover baseline}
variants=(0)
for p in ${PEERS:-}; do
  [[ $p =~ ^[1-9][0-9]*(:[0-9]+|:[1-9][0-9]*:drover)?$ ]] ||
    { echo "storm.sh: PEERS item '$p' is not K, K:S or K:S:drover (S ≥ 1)" >&2; exit 1; }
  variants+=("$p")
done
if ((smoke)); then
  runs=5:4:0:0
  servers=drover
  variants=(0)
  # One holder's layer from the server at a time, so the other four must come from peers.
  ((smoke_peers)) && variants=(2:1)
  ((smoke_tracker)) && variants=(2:1:drover)
fi
if [[ " ${variants[*]} " == *:drover* && $servers == *baseline* ]]; then
  echo "storm.sh: PEERS items ending in :drover ask Drover's tracker for sources; dnsmasq + nginx have none." >&2
  echo "storm.sh: run them with SERVERS=drover (the baseline's peer rows are the simulator's: K or K:S)." >&2
  exit 1
fi
out_dir=${OUT:-}
[[ -z $out_dir ]] || mkdir -p "$out_dir"
for tool in "$drover" "$storm" "$seed"; do
  [[ -x $tool ]] || { echo "storm.sh: $tool is not built" >&2; exit 1; }
done
[[ $(id -u) == 0 ]] || { echo "storm.sh: needs root (network namespaces)" >&2; exit 1; }
[[ -r $ipxe_dir/undionly.kpxe ]] || { echo "storm.sh: $ipxe_dir/undionly.kpxe is missing (ipxe package)" >&2; exit 1; }
if [[ $servers == *baseline* || $mode == proxy ]]; then
  for tool in dnsmasq nginx; do
    command -v "$tool" >/dev/null || { echo "storm.sh: $tool is not installed" >&2; exit 1; }
  done
fi

# Names carry the process id: several build trees may run this at once.
srv=drv-st-s-$$
cli=drv-st-c-$$
lab=drv-st-l-$$ # proxy mode: the lab's DHCP server
serve_if=s0
[[ $mode == proxy ]] && serve_if=br0
net=10.$((100 + $$ % 100))
server=$net.0.1
work=$(mktemp -d /tmp/drover-storm.XXXXXX)
pids=()
storm_pid=
stop_servers() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
}
teardown_net() {
  ip netns del "$srv" 2>/dev/null || true
  ip netns del "$cli" 2>/dev/null || true
  ip netns del "$lab" 2>/dev/null || true
}
# shellcheck disable=SC2317 # run by the traps
cleanup() {
  set +e
  [[ -n $storm_pid ]] && kill "$storm_pid" 2>/dev/null && wait "$storm_pid" 2>/dev/null
  stop_servers
  teardown_net
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ins() { nsenter --net="/run/netns/$srv" "$@"; }
field() { sed -n "s/^$1=//p" <<<"$2"; }
mib() { python3 -c "print(f'{${1:-0} / 1048576:.0f}')"; }

# setup_net UPLINK_MBIT: fresh namespaces (no ARP entries or leases left from the last run).
setup_net() {
  teardown_net
  ip netns add "$srv"
  ip netns add "$cli"
  ip -n "$srv" link set lo up
  ip -n "$cli" link set lo up
  ip -n "$srv" link add s0 type veth peer name c0 netns "$cli"
  ip -n "$srv" link set s0 up
  if [[ $mode == proxy ]]; then
    # The lab's DHCP server is another host on the segment: its own namespace, joined to the
    # server's by a bridge that holds the server's address (the uplink stays s0's egress).
    ip netns add "$lab"
    ip -n "$srv" link add br0 type bridge
    ip -n "$srv" link set s0 master br0
    ip -n "$srv" link add l0 type veth peer name l1 netns "$lab"
    ip -n "$srv" link set l0 master br0 up
    ip -n "$srv" link set br0 up
    ip -n "$lab" link set lo up
    ip -n "$lab" addr add "$net.0.2/16" dev l1
    ip -n "$lab" link set l1 up
  fi
  ip -n "$srv" addr add "$server/16" dev "$serve_if"
  ip -n "$cli" link set c0 up
  # The lease range is local to the client namespace: each machine binds its leased address
  # without an `ip addr add` per machine, and answers ARP for it.
  ip -n "$cli" route add local "$net.4.0/22" dev lo
  ip -n "$cli" route add "$net.0.0/16" dev c0
  if (($1 > 0)); then
    # The shared uplink: everything the servers send to the machines, at the rate (htb, a
    # burst of 1 ms). UDP (DHCP, TFTP) has a class of its own served first, as a fair queue
    # (a Linux server's default fq_codel) would let a sparse flow pass the blob streams; this
    # kernel has no fq_codel or sfq. Its share is small and either class may use the whole rate.
    local b=$(($1 * 1000 / 8)) shape=(ip netns exec "$srv" tc)
    "${shape[@]}" qdisc add dev s0 root handle 1: htb default 20 r2q 1000
    "${shape[@]}" class add dev s0 parent 1: classid 1:1 htb rate "${1}mbit" ceil "${1}mbit" burst "$b" cburst "$b"
    "${shape[@]}" class add dev s0 parent 1:1 classid 1:10 htb rate "$(($1 / 20))mbit" ceil "${1}mbit" prio 0 \
      burst "$b" cburst "$b"
    "${shape[@]}" class add dev s0 parent 1:1 classid 1:20 htb rate "$(($1 - $1 / 20))mbit" ceil "${1}mbit" prio 1 \
      burst "$b" cburst "$b"
    "${shape[@]}" filter add dev s0 parent 1: protocol ip prio 1 u32 match ip protocol 17 0xff flowid 1:10
  fi
}

busy_ticks() { # the whole machine's non-idle time, in clock ticks over all cores
  local _ user nice system idle iowait irq softirq steal
  read -r _ user nice system idle iowait irq softirq steal _ </proc/stat
  echo $((user + nice + system + irq + softirq + steal))
}

cpu_ticks() { # PID… → utime + stime of those processes, in clock ticks
  local p t=0 stat
  for p in "$@"; do
    stat=$(cat "/proc/$p/stat" 2>/dev/null) || continue
    stat=${stat##*) }
    read -r -a f <<<"$stat"
    t=$((t + f[11] + f[12]))
  done
  echo "$t"
}

# start_drover DATA: Drover on s0, waiting until its DHCP serves (it first looks for another
# DHCP server for a few seconds: machines powered on before that would see nothing).
start_drover() {
  local dhcp=$mode extra=()
  # A data dir serves several runs: the last run's "boot server running" must not be read as
  # this one's (the shell opens the log in the background, after this function goes on).
  rm -f "$1/server.log"
  [[ $mode == full ]] && extra=(--range "$net.4.1-$net.7.250")
  # nsenter itself, not a shell function: $! must be the server's own process (its CPU).
  nsenter --net="/run/netns/$srv" "$drover" --data "$1" --headless --dhcp "$dhcp" --interface "$serve_if" --http-port 8080 --tftp-port 69 \
    "${extra[@]}" 2>"$1/server.log" &
  pids+=($!)
  server_pids=("$!")
  for _ in $(seq 300); do
    grep -qs "boot server running" "$1/server.log" && return 0
    kill -0 "${pids[-1]}" 2>/dev/null || break
    sleep 0.1
  done
  cat "$1/server.log" >&2
  echo "storm.sh: Drover did not start" >&2
  return 1
}

# start_lab_dhcp: proxy mode's lab DHCP server (addresses only), in its own namespace.
start_lab_dhcp() {
  nsenter --net="/run/netns/$lab" dnsmasq --no-daemon --conf-file=/dev/null --port=0 --interface=l1 \
    --bind-interfaces --no-resolv --no-hosts --no-ping --dhcp-authoritative --dhcp-lease-max=4000 \
    --dhcp-range="$net.4.1,$net.7.250,255.255.0.0,1h" --dhcp-leasefile="$work/lab.leases" --quiet-dhcp \
    --user=root --group=root >"$work/lab-dnsmasq.log" 2>&1 &
  pids+=($!)
}

# start_baseline DATA MANIFEST KERNEL INITRD: dnsmasq (full DHCP, PXE boot file, TFTP) and
# nginx (a static chain script and machine script naming the same blobs, the blobs from the
# same store, 200 for every report, 404 for configuration).
start_baseline() {
  local data=$1 manifest=$2 kernel=$3 initrd=$4 www=$work/www
  mkdir -p "$www" "$work/nginx"
  # shellcheck disable=SC2016 # ${mac:hexhyp} and the rest are iPXE's settings, not the shell's
  printf '#!ipxe\nchain --replace --autofree http://%s:8080/boot/${mac:hexhyp}.ipxe?uuid=${uuid}&arch=${buildarch}&platform=${platform}&serial=${serial:uristring} || reboot\n' \
    "$server" >"$www/boot.ipxe"
  local args="initrd=initrd.img quiet console=ttyS0 drover.server=http://$server:8080 drover.manifest=$manifest"
  args+=" drover.mac=\${mac} drover.boot=0 drover.token=0"
  printf '#!ipxe\nkernel --name kernel.img http://%s:8080/blobs/%s %s\ninitrd --name initrd.img http://%s:8080/blobs/%s\nboot\n' \
    "$server" "$kernel" "$args" "$server" "$initrd" >"$www/machine.ipxe"
  cat >"$work/nginx/nginx.conf" <<CONF
user root;
worker_processes auto;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_timeout 65;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  default_type application/octet-stream;
  server {
    listen $server:8080;
    root $www;
    location = /boot.ipxe { default_type text/plain; }
    location ~ ^/boot/ { default_type text/plain; rewrite ^ /machine.ipxe break; }
    location ~ "^/blobs/sha256:([0-9a-f]{64})\$" { alias $data/store/blobs/sha256/\$1; }
    location = /report { return 200 "ok\n"; }
    location /config/ { return 404; }
  }
}
CONF
  nsenter --net="/run/netns/$srv" nginx -c "$work/nginx/nginx.conf" >"$work/nginx/stdout.log" 2>&1 &
  pids+=($!)
  nsenter --net="/run/netns/$srv" dnsmasq --no-daemon --conf-file=/dev/null --port=0 --interface=s0 --bind-interfaces --no-resolv --no-hosts \
    --no-ping --dhcp-authoritative --dhcp-lease-max=4000 --dhcp-range="$net.4.1,$net.7.250,255.255.0.0,1h" \
    --dhcp-leasefile="$work/dnsmasq.leases" --dhcp-userclass=set:ipxe,iPXE \
    --dhcp-boot="tag:!ipxe,undionly.kpxe,,$server" --dhcp-boot="tag:ipxe,http://$server:8080/boot.ipxe" \
    --enable-tftp --tftp-root="$ipxe_dir" --tftp-max=4000 --quiet-dhcp --quiet-tftp \
    --user=root --group=root >"$work/dnsmasq.log" 2>&1 &
  pids+=($!)
  sleep 1
  server_pids=("${pids[@]}")
  local master workers
  master=$(cat "$work/nginx/nginx.pid" 2>/dev/null || true)
  if [[ -n $master ]]; then
    mapfile -t workers < <(pgrep -P "$master" || true)
    server_pids+=("$master" "${workers[@]}")
  fi
  ins curl -fs -o /dev/null "http://$server:8080/boot.ipxe" || { cat "$work/nginx/error.log" >&2; return 1; }
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo), $(uname -r); date: $(date -u +%F); mode: $mode"
results=()
peer_rows=()
status=0
for run in $runs; do
  IFS=: read -r machines image_mib uplink client <<<"$run"
  data=$work/data-$machines-$image_mib
  [[ -d $data ]] || "$seed" "$data" "$machines" "$image_mib" >"$data.seed"
  out=$(cat "$data.seed")
  manifest=$(field manifest "$out")
  kernel=$(field kernel "$out")
  initrd=$(field initrd "$out")
  # Blobs from the page cache for both servers: the disk is not what is measured.
  cat "$data"/store/blobs/sha256/* >/dev/null
  for who in $servers; do
    unicast_last=
    for variant in "${variants[@]}"; do
      IFS=: read -r k slots tracker <<<"$variant"
      slots=${slots:-0}
      tracker=${tracker:-sim}
      label=$who
      if [[ $tracker == drover ]]; then
        label="$who + peers ($k uploads each; server $slots at a time; chosen by Drover's tracker)"
      elif ((k > 0)); then
        if ((slots > 0)); then
          label="$who + peers ($k uploads each; server $slots at a time)"
        else
          label="$who + peers ($k uploads each; server when no peer is free)"
        fi
      fi
      setup_net "$uplink"
      server_pids=()
      # Drover's tracker for this row only: the data dir serves the next rows too.
      [[ $tracker == drover ]] && "$drover" --data "$data" peers on --uploads "$k" --server-slots "$slots" >/dev/null
      if [[ $who == drover ]]; then
        [[ $mode == proxy ]] && start_lab_dhcp
        start_drover "$data"
      else
        [[ $mode == full ]] || { echo "storm.sh: the baseline runs in full mode only" >&2; continue; }
        start_baseline "$data" "$manifest" "$kernel" "$initrd"
      fi
      ticks0=$(cpu_ticks "${server_pids[@]}")
      busy0=$(busy_ticks)
      load0=$(cut -d' ' -f1 /proc/loadavg)
      t0=$(date +%s.%N)
      flags=(--iface c0 --server "$server" --machines "$machines" --mode "$mode" --timeout "${TIMEOUT:-900}")
      ((client > 0)) && flags+=(--client-mbit "$client")
      ((k > 0)) && flags+=(--peers "$k" --server-slots "$slots" --tracker "$tracker")
      # In the background with its own pid (nsenter execs it), so that an interrupted run ends it.
      nsenter --net="/run/netns/$cli" "$storm" "${flags[@]}" >"$work/storm.out" &
      storm_pid=$!
      wait "$storm_pid" || true
      storm_pid=
      r=$(cat "$work/storm.out")
      if [[ $r != *machines=* ]]; then
        stop_servers
        echo "storm.sh: drover-storm stopped without a result ($label; its reason above)" >&2
        exit 1
      fi
      t1=$(date +%s.%N)
      ticks1=$(cpu_ticks "${server_pids[@]}")
      busy1=$(busy_ticks)
      load1=$(cut -d' ' -f1 /proc/loadavg)
      cpu=$(python3 -c "print(f'{($ticks1 - $ticks0) / $(getconf CLK_TCK) / ($t1 - $t0):.2f}')")
      busy=$(python3 -c "print(f'{($busy1 - $busy0) / $(getconf CLK_TCK) / ($t1 - $t0):.2f}')")
      echo "$r" >"$work/result-$who-$machines.txt"
      [[ -z $out_dir ]] || echo "$r" >"$out_dir/$machines-$image_mib-$uplink-$client-$who-peers$variant.txt"
      ready=$(field ready "$r")
      last=$(field last_ready_s "$r")
      bytes=$(field bytes "$r")
      # The link bound: every byte over the shared uplink, or one machine's bytes over its
      # own link, whichever is longer.
      bound=$(python3 -c "
b = $bytes * 8 / 1e6
print(f'{max(b / $uplink if $uplink else 0, b / $machines / $client if $client else 0):.1f}')")
      ratio=$(python3 -c "print(f'{$last / $bound:.2f}' if $bound > 0 else '—')")
      failures=$(field failures "$r")
      sim_cpu=$(python3 -c "c, w = '$(field cpu_s "$r")', '$(field wall_s "$r")'; print(f'{float(c) / float(w):.2f}' if c and w and float(w) > 0 else '—')")
      from_server=$(mib "$(field blob_bytes_server "$r")")
      from_peers=$(mib "$(field blob_bytes_peers "$r")")
      speedup=—
      if ((k == 0)); then
        unicast_last=$last
        speedup=1.0
      elif [[ -n $unicast_last ]]; then
        speedup=$(python3 -c "print(f'{$unicast_last / $last:.1f}' if $last > 0 else '—')")
      fi
      row="| $machines × ${image_mib} MiB, uplink $((uplink / 1000)) Gbit/s, clients ${client} Mbit/s | $label | $ready/$machines | ${last} s | ${bound} s | ${ratio}× | $(field dhcp_retries "$r")/$(field dhcp_exhausted "$r") | $(field tftp_retries "$r")/$(field tftp_exhausted "$r") | $(field http_retries "$r")/$(field http_exhausted "$r") | $cpu | "
      for phase in dhcp tftp dhcp2 script blobs ready; do
        row+="$(field "${phase}_p50_ms" "$r")/$(field "${phase}_p99_ms" "$r") | "
      done
      row+="${failures:-—} | $from_server / $from_peers | $sim_cpu | $busy | $load0 → $load1 |"
      results+=("$row")
      # With Drover's tracker the wait for a source runs from a layer's first /layer-source to the
      # answer that names one: its round trips are part of it, as on a real machine.
      asks=—
      [[ $tracker == drover ]] && asks="$(field layer_source_requests "$r") / $(field wait_answers "$r")"
      peer_rows+=("| $machines × ${image_mib} MiB, uplink $((uplink / 1000)) Gbit/s, clients ${client} Mbit/s | $label | $ready/$machines | ${last} s | ${bound} s | ${ratio}× | ${speedup}× | $from_server / $from_peers | $(w=$(field wait_p50_ms "$r"); echo "${w:-—}")/$(w=$(field wait_max_ms "$r"); echo "${w:-—}") | $asks | $(w=$(field peer_download_mbit_p50 "$r"); echo "${w:-—}")/$(w=$(field peer_download_mbit_min "$r"); echo "${w:-—}") | $(w=$(field peak_server_layers "$r"); echo "${w:-—}") / $(w=$(field peak_holder_uploads "$r"); echo "${w:-—}") | $sim_cpu | $busy | $load0 → $load1 |")
      echo "throughput, $label, $machines machines (Mbit/s each second): from the server $(field sample_mbit "$r")"
      ((k == 0)) || echo "  from peers $(field peer_sample_mbit "$r")"
      echo "  simulator CPU each second (% of one core): $(field cpu_sample_pct "$r")"
      stop_servers
      [[ $tracker == drover ]] && "$drover" --data "$data" peers off >/dev/null
      [[ $ready == "$machines" ]] || status=1
      if ((smoke)); then
        echo "$r"
        [[ $ready == 5 ]] || { tail -n 30 "$data/server.log" >&2; echo "storm.sh: only $ready of 5 machines reached ready" >&2; exit 1; }
        python3 -c "import sys; sys.exit(0 if $last < 60 else 1)" || { echo "storm.sh: the last machine was ready after $last s" >&2; exit 1; }
        if ((smoke_peers)) && (($(field blob_bytes_peers "$r") == 0)); then
          echo "storm.sh: peer mode, yet no layer byte came from a peer" >&2
          exit 1
        fi
        if ((smoke_tracker)) && (($(field layer_source_requests "$r") == 0)); then
          echo "storm.sh: Drover's tracker mode, yet no machine asked /layer-source" >&2
          exit 1
        fi
      fi
    done
  done
done
echo
echo "| run | server | ready | last ready | link bound | ratio | DHCP retries/exhausted | TFTP retries/exhausted | HTTP retries/exhausted | server CPU (cores) | dhcp p50/p99 ms | tftp | iPXE dhcp | scripts | blobs | reports → ready | failures | blob MiB from server / peers | simulator CPU (cores) | machine busy (cores of $(nproc)) | load average before → after |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${results[@]}"
if ((${#variants[@]} > 1)); then
  echo
  echo "| run | server | ready | last ready | link bound (unicast) | ratio | speed-up vs unicast | blob MiB from server / peers | wait for a source p50/max ms | Drover's tracker: /layer-source requests / wait answers | a layer from a peer, Mbit/s p50/min | most layer downloads at once from the server / from one holder | simulator CPU (cores) | machine busy (cores of $(nproc)) | load average before → after |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${peer_rows[@]}"
fi
exit $status
