#!/usr/bin/env bash
# Part of .ci/run's timing summary: .ci/test-times.sh <dotnet test log> <AFL++ log> [<results.trx>...]
# Prints each test project's own run duration (the build is a phase of its own in .ci/run) and, from the TRX files,
# the summed test time per area (the folder under src/Entropy.Sdk.Tests/, or the other test project's name) and the slowest
# classes. Test projects run side by side, and so do the fixtures marked [Parallelizable], so the sums can exceed the wall time.
set -euo pipefail
log="$1"; afl_log="$2"; shift 2

# "Passed!  - Failed: 0, Passed: 951, Skipped: 0, Total: 951, Duration: 2 m 42 s - Entropy.Sdk.Tests.dll (net10.0)"
grep -E '^(Passed|Failed)!' "$log" | sed -E 's/ +/ /g; s/^/  test run: /' || true
# The AFL++ runs happen in AflFuzzTests' one-time set-up, which the TRX durations below do not count.
if [ -f "$afl_log" ]; then
  grep -E '^fuzz/run.sh all' "$afl_log" | sed 's/^/  AFL++ (in the test run): /' || true
  # Per target: seconds given / last new edge found at (s) / execs per second.
  per_target="$(grep -E '^target=' "$afl_log" | sed -E 's/.*target=([^ ]+).* seconds=([0-9]+).* execs_per_sec=([0-9]+)[^ ]*.* last_cov_s=([0-9]+).*/\1 \2s (last new edge at \4 s; \3 exec\/s)/' | paste -sd, - | sed 's/,/, /g')"
  [ -z "$per_target" ] || echo "  AFL++ per target: $per_target"
fi

[ "$#" -gt 0 ] && [ -f "$1" ] || exit 0
rows="$(awk '
  # duration="hh:mm:ss.fffffff" -> seconds
  function secs(d,  p) { split(d, p, ":"); return p[1] * 3600 + p[2] * 60 + p[3] }
  function attr(line, name,  m) { if (match(line, name "=\"[^\"]*\"")) return substr(line, RSTART + length(name) + 2, RLENGTH - length(name) - 3); return "" }
  /<UnitTestResult / { d = attr($0, "duration"); if (d != "") duration[attr($0, "testId")] += secs(d) }
  /<UnitTest / { id = attr($0, "id") }
  /<TestMethod / { if (id != "") { class[id] = attr($0, "className"); id = "" } }
  END {
    for (t in duration) {
      c = class[t]; if (c == "") c = "(unknown)"
      # Entropy.Tests.<Area>.<Class> (Entropy.Sdk.Tests) or Entropy.<Project>.Tests.<Class> (other test projects).
      sub(/^Entropy\./, "", c); sub(/^Tests\./, "", c); sub(/\.Tests\./, ".", c)
      byClass[c] += duration[t]
      area = c; sub(/\..*$/, "", area)
      byArea[area] += duration[t]; total += duration[t]
    }
    printf "total %.0f -\n", total
    for (a in byArea) printf "area %.0f %s\n", byArea[a], a
    for (c in byClass) printf "class %.0f %s\n", byClass[c], c
  }' "$@")"
list() { grep "^$1 " <<<"$rows" | sort -k2,2nr | head -"$2" | awk '{ printf "%s %s %ss", (NR > 1 ? "," : ""), $3, $2 }'; }
echo "  summed test time $(awk '$1 == "total" {print $2}' <<<"$rows") s; by area:$(list area 99)"
echo "  slowest classes:$(list class 8)"
