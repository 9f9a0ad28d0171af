#!/usr/bin/env bash
# Brings src/*/PublicAPI.Unshipped.txt in line with the code after a public API change:
# builds the shipped libraries, adds every symbol the build reports as undeclared (RS0016) and drops every
# Unshipped line whose symbol is gone (RS0017). Lines in PublicAPI.Shipped.txt are never touched: removing a shipped
# symbol is a breaking change and is declared by hand (a `*REMOVED*<line>` entry in Unshipped).
# Review the diff afterwards, then regenerate the API reference:
#   ENTROPY_UPDATE_API_DOCS=1 dotnet test src/Entropy.Sdk.Tests --filter ApiReference
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
for project in Entropy.Sdk Entropy.Sdk.Simulator; do
  dir="$root/src/$project"
  # One pass per project: the simulator only builds once the SDK's files are complete.
  dotnet build "$dir/$project.csproj" -p:TreatWarningsAsErrors=false >"$log" 2>&1 || true
  unshipped="$dir/PublicAPI.Unshipped.txt"
  added=$(grep -F "/src/$project/" "$log" | grep -F "RS0016" \
    | sed -n "s/.*RS0016: Symbol '\(.*\)' is not part of the declared public API.*/\1/p" | sort -u || true)
  removed=$(grep -F "/src/$project/PublicAPI.Unshipped.txt" "$log" | grep -F "RS0017" \
    | sed -n "s/.*RS0017: Symbol '\(.*\)' is part of the declared API.*/\1/p" | sort -u || true)
  { head -n 1 "$unshipped"
    { tail -n +2 "$unshipped" | grep -vxF -f <(printf '%s\n' "$removed") || true
      if [ -n "$added" ]; then printf "%s\n" "$added"; fi; } | sed '/^$/d' | LC_ALL=C sort -u
  } >"$unshipped.new"
  mv "$unshipped.new" "$unshipped"
  echo "$project: $(printf '%s' "$added" | grep -c . || true) added, $(printf '%s' "$removed" | grep -c . || true) removed"
done
