#!/usr/bin/env bash
# Builds one libFuzzer target with clang (AddressSanitizer + UBSan) and runs it for a bounded
# time on its committed seed corpus. Exits non-zero when the fuzzer finds a crash, a leak or
# a broken round trip; the input that did it is kept in OUTDIR as crash-*.
#
#   run.sh NAME OUTDIR SECONDS SOURCE…     (sources relative to the source tree)
set -euo pipefail

name=$1 out=$2 seconds=$3
shift 3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/../.." && pwd)
corpus=$here/corpus/${name#fuzz_}
work=$out/$name-corpus
binary=$out/$name
mkdir -p "$out" "$work"

command -v clang++ >/dev/null || { echo "$name: clang++ is not installed" >&2; exit 1; }
sources=("$here/$name.cpp")
for s in "$@"; do sources+=("$src/$s"); done

# Rebuild only when a source or header is newer than the binary.
stale=1
if [[ -x $binary ]]; then
  stale=0
  while IFS= read -r f; do
    [[ $f -nt $binary ]] && { stale=1; break; }
  done < <(printf '%s\n' "${sources[@]}"; find "$src/core/boot" "$src/core/util" "$src/core/store" "$src/core/inventory" -name '*.h')
fi
if (( stale )); then
  echo "$name: compiling with clang++ (libFuzzer, ASan, UBSan)"
  # shellcheck disable=SC2046 # pkg-config output is meant to split into words
  clang++ -std=c++20 -g -O1 -fPIC -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -DQT_NO_CAST_FROM_ASCII -DQT_NO_CAST_TO_ASCII -DQT_NO_KEYWORDS -DQT_USE_QSTRINGBUILDER \
    -I"$src/core" $(pkg-config --cflags Qt6Core) \
    "${sources[@]}" $(pkg-config --libs Qt6Core) -o "$binary.tmp"
  mv "$binary.tmp" "$binary"
fi

seeds=()
[[ -d $corpus ]] && seeds=("$corpus")
echo "$name: fuzzing for ${seconds}s from $( ((${#seeds[@]})) && find "$corpus" -type f | wc -l || echo 0) seeds"
# The first corpus directory collects new inputs (in the build tree); the seeds stay read-only.
# libFuzzer exits 77 on a finding by default, which ctest takes for a skip (SKIP_RETURN_CODE,
# tests/CMakeLists.txt): a crash once read as "skipped". A finding is a failure.
"$binary" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -print_final_stats=1 -error_exitcode=1 \
  -artifact_prefix="$out/$name-" "$work" "${seeds[@]}"
