#!/usr/bin/env bash
# `make bench`: runs every benchmark under tools/bench/ against its baseline in the same
# run, on this machine, and prints one Markdown table row per figure (for BENCHMARKS.md).
# Runs inside the build root. BENCH=NAME runs only tools/bench/NAME.sh.
set -uo pipefail
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
status=0
echo "# Drover benchmarks — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
for script in "$here"/bench/*.sh; do
  name=$(basename "$script" .sh)
  [[ -n ${BENCH:-} && $BENCH != "$name" ]] && continue
  echo
  echo "## $name"
  started=$(date +%s)
  if ! bash "$script" "$build"; then
    echo "bench $name FAILED"
    status=1
  fi
  echo "($name took $(($(date +%s) - started)) s)"
done
exit $status
