#!/usr/bin/env bash
# clang-tidy over every translation unit of app/, core/ and ui/ (config: .clang-tidy).
# A file's clean result is remembered under a key made of its own text, the project headers
# it includes, the config and the clang-tidy version, so unchanged files are not analysed
# again.
set -euo pipefail
src=$1
build=$2
cache=${DROVER_TIDY_CACHE:-/var/cache/drover/shared/tidy}
mkdir -p "$cache"
cd "$src"
[[ -f $build/compile_commands.json ]] || { echo "no $build/compile_commands.json"; exit 1; }

common=$( { clang-tidy --version; cat .clang-tidy; } | sha256sum | cut -c1-64)
# The project headers a file includes ("dir/name.h", resolved against core/ ui/ app/ and its
# own directory), one level deep.
own_headers() {
  local f=$1 inc
  grep -oE '^#include "[^"]+"' "$f" | cut -d'"' -f2 | while read -r inc; do
    for base in "$(dirname "$f")" core ui app; do
      [[ -f $base/$inc ]] && { echo "$base/$inc"; break; }
    done
  done | sort -u
}
mapfile -t units < <(git ls-files -co --exclude-standard -- 'app/*.cpp' 'core/*.cpp' 'ui/*.cpp' | sort)
todo=()
for f in "${units[@]}"; do
  [[ -f $f ]] || continue
  key=$( { echo "$common"; cat "$f"; own_headers "$f" | xargs -r cat; } | sha256sum | cut -c1-64)
  [[ -f $cache/$key ]] || todo+=("$f:$key")
done
echo "clang-tidy: ${#units[@]} files, $(( ${#units[@]} - ${#todo[@]} )) unchanged since a clean run, ${#todo[@]} to analyse"
((${#todo[@]})) || exit 0

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
printf '%s\n' "${todo[@]}" | xargs -P "$(nproc)" -I{} bash -c '
  entry={}; f=${entry%%:*}; key=${entry##*:}
  if clang-tidy -p "'"$build"'" --quiet "$f" >"'"$out"'/$key.log" 2>&1; then
    touch "'"$cache"'/$key"
  else
    echo "$f" >>"'"$out"'/failed"
  fi'
if [[ -f $out/failed ]]; then
  echo "clang-tidy found problems in:"
  sort "$out/failed"
  grep -h -E 'error:|warning:' "$out"/*.log | sort -u | head -60
  exit 1
fi
echo "clang-tidy clean"
