#!/usr/bin/env bash
# Prints the Debian mirror of this system's apt configuration (DROVER_MIRROR overrides it), so
# no script of the project names one. Used by the build root, the e2e tests and the benchmarks.
set -euo pipefail
uri=$({
  grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}'
  grep -hE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
    sed -E 's/^deb (\[[^]]*\] )?//' | awk '{print $1}'
} | grep -v -e security -e '^$' | grep -E '/debian/?$' | head -n1 || true)
uri=${DROVER_MIRROR:-$uri}
[[ -n $uri ]] || { echo "no Debian mirror found in /etc/apt; set DROVER_MIRROR" >&2; exit 1; }
echo "$uri"
