#!/usr/bin/env bash
# The catalog at scale (issue 18), inside the build root, with the build dir as $1:
# MACHINES (10,000) machines and EVENTS (1,000,000) boot events seeded into a SQLite catalog
# and into a real PostgreSQL started for the run in a temporary directory (as
# tests/support/pgserver.cpp does), then drover-fleetbench on each: the fleet table opening,
# the main window opening with the log's backlog, and the search per keystroke, each beside
# its floor from the same run (the plain SQL SELECT; Qt's own filter proxy). Goals: the fleet
# opens in under a second, a keystroke filters in under 50 ms. Prints Markdown rows.
# ROUNDS=N sets drover-fleetbench's repetitions; DBS="sqlite postgresql" which catalogs run.
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
seed=$build/tools/bench/drover-benchseed
bench=$build/tools/bench/drover-fleetbench
machines=${MACHINES:-10000}
events=${EVENTS:-1000000}
rounds=${ROUNDS:-5}
dbs=${DBS:-sqlite postgresql}
for tool in "$seed" "$bench"; do
  [[ -x $tool ]] || { echo "catalog.sh: $tool is not built" >&2; exit 1; }
done

work=$(mktemp -d /tmp/drover-bench-catalog.XXXXXX)
chmod 755 "$work" # the postgres user reaches its directory through it
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tools/bench/lib/pgserver.sh
source "$here/lib/pgserver.sh"
cleanup() {
  set +e
  stop_pg
  rm -rf "$work"
}
trap cleanup EXIT

field() { sed -n "s/^$1=//p" <<<"$2"; }
ratio() { python3 -c "print(f'{$1/$2:.1f}')"; }
verdict() { python3 -c "print('met' if $1 < $2 else 'missed')"; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo), $(uname -r); date: $(date -u +%F); load: $(cut -d' ' -f1-3 /proc/loadavg)"
declare -A out
for db in $dbs; do
  data=$work/$db
  flags=()
  if [[ $db == postgresql ]]; then
    start_pg
    flags=(--db "$pg_url")
    echo "PostgreSQL: $("$pg_bin/postgres" --version)"
  fi
  s=$("$seed" "${flags[@]}" --events "$events" "$data" "$machines")
  echo "$db: seeded $machines machines and $events events in $(($(field seed_ms "$s") / 1000)) s"
  out[$db]=$(QT_QPA_PLATFORM=offscreen "$bench" "${flags[@]}" --rounds "$rounds" "$data")
  echo "$db: load after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
done

echo
echo "### Catalog at scale: $machines machines, $events boot events; median (max) of $rounds rounds, ms"
echo "| catalog | figure | Drover | baseline | ratio | goal |"
echo "|---|---|---|---|---|---|"
for db in $dbs; do
  r=${out[$db]}
  f() { echo "$(field "${1}_median_ms" "$r") ($(field "${1}_max_ms" "$r"))"; }
  echo "| $db | fleet table opens (model + view, painted) | $(f open) | $(f select) (SQL SELECT of the rows) | $(ratio "$(field open_median_ms "$r")" "$(field select_median_ms "$r")")× | < 1000: $(verdict "$(field open_max_ms "$r")" 1000) |"
  echo "| $db | … of which FleetModel loads | $(f model) | $(f select) | $(ratio "$(field model_median_ms "$r")" "$(field select_median_ms "$r")")× | — |"
  echo "| $db | main window opens, fleet painted | $(f window) | $(f select) | $(ratio "$(field window_median_ms "$r")" "$(field select_median_ms "$r")")× | < 1000: $(verdict "$(field window_max_ms "$r")" 1000) |"
  echo "| $db | … and the log shows its backlog ($(field log_rows "$r" | head -1) events) | $(f window_log) | — | — | — |"
  echo "| $db | search, per keystroke ($(field keystroke_samples "$r") keys) | $(f keystroke) | $(f plain_keystroke) (QSortFilterProxyModel over the names) | $(ratio "$(field keystroke_median_ms "$r")" "$(field plain_keystroke_median_ms "$r")")× | < 50: $(verdict "$(field keystroke_max_ms "$r")" 50) |"
  echo "| $db | … grouped by label (10 sections of 1,000) | $(f grouped_keystroke) | $(f plain_keystroke) | $(ratio "$(field grouped_keystroke_median_ms "$r")" "$(field plain_keystroke_median_ms "$r")")× | < 50: $(verdict "$(field grouped_keystroke_max_ms "$r")" 50) |"
  echo "| $db | … of which FleetFilter alone (no view, no sections) | $(f filter_only_keystroke) | $(f plain_keystroke) | $(ratio "$(field filter_only_keystroke_median_ms "$r")" "$(field plain_keystroke_median_ms "$r")")× | — |"
done
echo
echo "Per key, the first round (ms):"
for db in $dbs; do
  sed -n 's/^\(.*search_.*_keys_ms\)=/'"$db"' \1: /p' <<<"${out[$db]}"
done
echo "(search debounce: $(field keystroke_debounce_ms "${out[${dbs%% *}]}") ms — the search filters on every key)"
