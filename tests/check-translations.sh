#!/usr/bin/env bash
# Fails when a translations/*.ts file lacks a source string of the code or leaves one
# untranslated: lupdate refreshes a copy of each file from the sources and the copy is
# checked for new ("unfinished") entries. drover_en.ts holds only the English plural forms.
set -euo pipefail
src=$1
lupdate=${LUPDATE:-lupdate}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
for ts in "$src"/translations/*.ts; do
  copy="$tmp/$(basename "$ts")"
  cp "$ts" "$copy"
  only=()
  [[ $(basename "$ts") == drover_en.ts ]] && only=(-pluralonly)
  "$lupdate" -silent -no-obsolete -locations none "${only[@]}" -extensions cpp,h \
    "$src/app" "$src/core" "$src/ui" -ts "$copy" >/dev/null
  missing=$(grep -c 'type="unfinished"' "$copy" || true)
  if ((missing > 0)); then
    echo "$(basename "$ts"): $missing source strings are missing or untranslated:"
    # Print the source text of each unfinished message.
    awk '/<source>/{s=$0} /type="unfinished"/{gsub(/^ *<source>|<\/source>$/,"",s); print "  " s}' "$copy" | head -40
    echo "Run 'make translations', translate the new entries, and commit the .ts file."
    status=1
  fi
done
[[ $status == 0 ]] && echo "translations complete"
exit $status
