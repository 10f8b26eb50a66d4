#!/usr/bin/env bash
# clang-tidy over the translation units of app/, core/ and ui/ (config: .clang-tidy),
# incremental by content. A file's key is the hash of its own text, every project header it
# includes (transitively), the config and the clang-tidy version. A key is known clean when
# it is in the local cache (DROVER_TIDY_CACHE) or in tests/tidy-clean.txt, the list recorded
# by `make tidy` and committed with the code, so a fresh clone analyses only the files that
# changed since the last recorded pass. `make tidy-full` analyses every file again.
#
#   check-tidy.sh SRC BUILD [--record] [--full]
#     --record  rewrite tests/tidy-clean.txt when every file is clean
#     --full    ignore both caches: analyse every file
set -euo pipefail
src=$1
build=$2
shift 2
record=0
full=0
for arg; do
  case $arg in
  --record) record=1 ;;
  --full) full=1 ;;
  *) echo "check-tidy.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done
cache=${DROVER_TIDY_CACHE:-/var/cache/drover/shared/tidy}
mkdir -p "$cache"
cd "$src"
list=tests/tidy-clean.txt
[[ -f $build/compile_commands.json ]] || { echo "no $build/compile_commands.json"; exit 1; }

common=$( { clang-tidy --version; cat .clang-tidy; } | sha256sum | cut -c1-64)

# The project headers a file includes ("dir/name.h", resolved against its own directory,
# then core/ ui/ app/), transitively, each once.
declare -A direct
includes_of() {
  local f=$1 inc base
  if [[ -z ${direct[$f]+x} ]]; then
    local found=()
    while read -r inc; do
      for base in "$(dirname "$f")" core ui app; do
        if [[ -f $base/$inc ]]; then
          found+=("$(realpath --relative-to=. "$base/$inc")")
          break
        fi
      done
    done < <(grep -oE '^#include "[^"]+"' "$f" | cut -d'"' -f2)
    direct[$f]="${found[*]}"
  fi
  echo "${direct[$f]}"
}
closure() {
  local -A seen=()
  local queue=("$1") f h
  while ((${#queue[@]})); do
    f=${queue[0]}
    queue=("${queue[@]:1}")
    for h in $(includes_of "$f"); do
      [[ -n ${seen[$h]+x} ]] && continue
      seen[$h]=1
      queue+=("$h")
    done
  done
  printf '%s\n' "${!seen[@]}" | sort
}

declare -A recorded
if [[ -f $list ]]; then
  while read -r key _; do
    [[ -n $key && $key != \#* ]] && recorded[$key]=1
  done <"$list"
fi

mapfile -t units < <(git ls-files -co --exclude-standard -- 'app/*.cpp' 'core/*.cpp' 'ui/*.cpp' | sort)
todo=()
keys=()
for f in "${units[@]}"; do
  [[ -f $f ]] || continue
  key=$( { echo "$common"; cat "$f"; closure "$f" | xargs -r cat; } | sha256sum | cut -c1-64)
  keys+=("$key $f")
  if ((full)) || { [[ ! -f $cache/$key ]] && [[ -z ${recorded[$key]+x} ]]; }; then
    todo+=("$f:$key")
  fi
done
echo "clang-tidy: ${#units[@]} files, $((${#units[@]} - ${#todo[@]})) known clean (cache or $list), ${#todo[@]} to analyse"

if ((${#todo[@]})); then
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
fi
echo "clang-tidy clean"
if ((record)); then
  {
    echo "# Content keys of files clang-tidy found clean (tests/check-tidy.sh; refresh: make tidy)."
    printf '%s\n' "${keys[@]}"
  } >"$list.tmp"
  mv "$list.tmp" "$list"
  echo "recorded ${#keys[@]} clean keys in $list"
fi
