#!/usr/bin/env bash
# `make test`: ctest over the build directory, then a summary of every skipped test with its
# reason. A skip is never a pass: on the reference setup (root on Debian 13 — the build root
# or a native host with tools/buildroot/packages.txt installed) every capability a test may
# skip for is present, so any skip there fails the run. Elsewhere skips are listed and
# allowed; DROVER_ALLOW_SKIPS=1 allows them on the reference setup too (say why in the commit).
#
#   tools/test.sh BUILD_DIR [CTEST ARGS…]
set -uo pipefail
build=$1
shift
started=$(date +%s)

ctest --test-dir "$build" --output-on-failure "$@"
status=$?

log=$build/Testing/Temporary/LastTest.log
skipped=()
if [[ -f $log ]]; then
  # ctest writes "<n>/<m> Test: NAME" before each test's output and "Test Skipped" (or
  # "Test Passed"/"Test Failed") after it; a skipped test's reasons are its QtTest "SKIP"
  # lines or its script's "e2e: SKIP" lines.
  mapfile -t skipped < <(awk '
    /^[0-9]+\/[0-9]+ Test: / { name = $3; reasons = "" }
    /SKIP   : / || /e2e: SKIP/ { line = $0; sub(/^[ \t]+/, "", line); reasons = reasons "\034    " line }
    /^Test Skipped/ { print name reasons; name = "" }
  ' "$log")
fi

reference=0
if [[ $(id -u) == 0 ]] && grep -qE '^(13|14|trixie|forky)' /etc/debian_version 2>/dev/null; then
  reference=1
fi

echo
echo "== skip summary =="
if ((${#skipped[@]} == 0)); then
  echo "0 tests skipped"
else
  echo "${#skipped[@]} test(s) skipped — a skip is not a pass:"
  for s in "${skipped[@]}"; do
    printf '  %s\n' "${s//$'\034'/$'\n'}"
  done
fi
echo "make test took $(($(date +%s) - started)) s"

if ((${#skipped[@]} > 0 && reference == 1)) && [[ ${DROVER_ALLOW_SKIPS:-0} != 1 ]]; then
  echo "FAIL: tests skipped on the reference setup (root on Debian 13 with the build root's" \
    "packages), where every capability they need is present"
  exit 1
fi
exit "$status"
