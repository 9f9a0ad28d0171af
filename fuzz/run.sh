#!/usr/bin/env bash
# Coverage-guided fuzzing of one target with SharpFuzz + AFL++.
#   fuzz/run.sh <target> <seconds>      e.g. fuzz/run.sh codec 300
# Targets: scale metadata codec extrinsic ocw noise receive-key rpc (src/Entropy.Sdk.Fuzz/FuzzTargets.cs).
# Installs what it needs (AFL++ from Debian's `afl++` package, the SharpFuzz.CommandLine 2.3.0 dotnet tool into fuzz/out/tools),
# publishes src/Entropy.Sdk.Fuzz to fuzz/out/bin, instruments Entropy.Sdk.dll and Entropy.Sdk.Simulator.dll, seeds AFL++ from
# fuzz/corpus/<target>/ and fuzzes for <seconds>. Findings: fuzz/out/<target>/default/crashes (reproduce one with
# `dotnet fuzz/out/bin/Entropy.Sdk.Fuzz.dll <target> <file>`, which prints the exception). fuzz/out/ is not checked in.
set -euo pipefail
target="${1:?usage: fuzz/run.sh <target> <seconds>}"
seconds="${2:-60}"
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/fuzz/out"
mkdir -p "$out"

if ! command -v afl-fuzz >/dev/null; then
  echo "Installing AFL++ (Debian package afl++)…"
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get install -y afl++ >/dev/null || { $sudo apt-get update >/dev/null && $sudo apt-get install -y afl++ >/dev/null; }
fi

if [ ! -x "$out/tools/sharpfuzz" ]; then
  echo "Installing SharpFuzz.CommandLine 2.3.0…"
  dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path "$out/tools" >/dev/null
fi

# Publish and instrument once per source state (a stamp of the sources' hash).
stamp="$(cd "$root" && git ls-files -s src/Entropy.Sdk src/Entropy.Sdk.Simulator src/Entropy.Sdk.Fuzz | git hash-object --stdin)$(cd "$root" && git diff --quiet -- src || echo dirty-$(date +%s))"
if [ ! -f "$out/bin/.stamp" ] || [ "$(cat "$out/bin/.stamp")" != "$stamp" ]; then
  rm -rf "$out/bin"
  dotnet publish "$root/src/Entropy.Sdk.Fuzz/Entropy.Sdk.Fuzz.csproj" -c Release -o "$out/bin" --nologo -v q
  for assembly in Entropy.Sdk.dll Entropy.Sdk.Simulator.dll; do
    "$out/tools/sharpfuzz" "$out/bin/$assembly"
  done
  echo "$stamp" > "$out/bin/.stamp"
fi

findings="$out/$target"
rm -rf "$findings"
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
export DOTNET_TieredPGO=0 DOTNET_TC_QuickJitForLoops=1
# -t: per-input timeout (ms; the first inputs pay for JIT); -m none: the CLR reserves far more address space than AFL's default.
afl-fuzz -V "$seconds" -t 5000 -m none -i "$root/fuzz/corpus/$target" -o "$findings" -- dotnet "$out/bin/Entropy.Sdk.Fuzz.dll" "$target" \
  > "$out/$target.log" 2>&1 || { tail -30 "$out/$target.log"; exit 1; }

stats="$findings/default/fuzzer_stats"
crashes=$(find "$findings/default/crashes" -type f -name 'id:*' 2>/dev/null | wc -l)
hangs=$(find "$findings/default/hangs" -type f -name 'id:*' 2>/dev/null | wc -l)
get() { awk -F' : ' -v k="$1" '$1 ~ "^"k" *$" {print $2}' "$stats"; }
echo "target=$target seconds=$seconds execs=$(get execs_done) execs_per_sec=$(get execs_per_sec) corpus=$(get corpus_count) edges=$(get edges_found)/$(get total_edges) bitmap=$(get bitmap_cvg) crashes=$crashes hangs=$hangs"
for f in $(find "$findings/default/crashes" -type f -name 'id:*' 2>/dev/null | head -5); do
  echo "--- $f"; dotnet "$out/bin/Entropy.Sdk.Fuzz.dll" "$target" "$f" 2>&1 | head -8 || true
done
