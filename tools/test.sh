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

out=$build/Testing/ctest-output.txt
mkdir -p "$build/Testing"
ctest --test-dir "$build" --output-on-failure "$@" 2>&1 | tee "$out"
status=${PIPESTATUS[0]}

# ctest names the skipped tests under "The following tests did not run:" as "N - NAME
# (Skipped)" (a SKIP_REGULAR_EXPRESSION match or SKIP_RETURN_CODE 77). Their reasons are
# their "SKIP   :" (QtTest) or "e2e: SKIP:" lines in Testing/Temporary/LastTest.log.
mapfile -t names < <(awk '/The following tests did not run:/ { on = 1; next }
  on && /\(Skipped\)/ { sub(/^[ \t]*[0-9]+ - /, ""); sub(/ \(Skipped\).*/, ""); print; next }
  on && !/^[ \t]/ { on = 0 }' "$out")
log=$build/Testing/Temporary/LastTest.log
skipped=()
for name in "${names[@]}"; do
  reasons=$(awk -v n="$name" '
    /^[0-9]+\/[0-9]+ Test: / { cur = $3 }
    cur == n && (/^[ \t]*SKIP   : / || /^[ \t]*e2e: SKIP: /) { line = $0; sub(/^[ \t]+/, "", line); print "    " line }
  ' "$log" 2>/dev/null | sort -u)
  skipped+=("$name${reasons:+$'\n'$reasons}")
done

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
    printf '  %s\n' "$s"
  done
fi
echo "make test took $(($(date +%s) - started)) s"

if ((${#skipped[@]} > 0 && reference == 1)) && [[ ${DROVER_ALLOW_SKIPS:-0} != 1 ]]; then
  echo "FAIL: tests skipped on the reference setup (root on Debian 13 with the build root's" \
    "packages), where every capability they need is present"
  exit 1
fi
exit "$status"
