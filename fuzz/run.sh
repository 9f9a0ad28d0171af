#!/usr/bin/env bash
# Coverage-guided fuzzing with SharpFuzz + AFL++ (docs/reliability.md, "Fuzzing").
#   fuzz/run.sh <target> <seconds>   one target, e.g. fuzz/run.sh codec 300. Its AFL++ state stays in fuzz/out/<target>/.
#   fuzz/run.sh all <seconds> [<target>=<seconds>...]
#                                    every target for <seconds> each (or the seconds given for it), FUZZ_JOBS at a time, longest first (the test
#                                    suite runs this with its per-target times, src/Entropy.Sdk.Tests/Fuzz/AflFuzzTests.cs). Prints one
#                                    stats line per target. AFL++ state goes to a temporary directory that is removed at the end;
#                                    crashes and hangs are copied to fuzz/out/findings/<target>/ and replayed. Exits 1 on any
#                                    crash, hang or failed run.
#   fuzz/run.sh install              only installs the tools (.ci/run calls this, so a missing tool fails CI up front).
# Targets: scale metadata codec extrinsic ocw noise receive-key rpc (`Entropy.Sdk.Fuzz.dll --list`; src/Entropy.Sdk.Fuzz/FuzzTargets.cs).
#
# Tools, installed on first use into fuzz/out/tools/ (fuzz/out/ is not checked in):
#   AFL++ 4.x: `apt-get download afl++` and `dpkg -x` into fuzz/out/tools/afl. No root and no clang needed (0.5 MB, ~2 s), unlike
#     `apt-get install afl++`, which pulls clang. A library afl-fuzz links that the machine lacks (libpython3.11 where Python's shared
#     library is not installed) is downloaded and extracted the same way and put on LD_LIBRARY_PATH. Elsewhere: set AFL_FUZZ to an
#     afl-fuzz binary, or put afl-fuzz on PATH (used only when the download is impossible).
#   SharpFuzz.CommandLine 2.3.0 (dotnet tool), which instruments Entropy.Sdk.dll and Entropy.Sdk.Simulator.dll.
# Binaries: by default src/Entropy.Sdk.Fuzz is published in Release to fuzz/out/plain, copied to fuzz/out/bin and instrumented
#   there (once per source state; ~90 s here). Findings are replayed with the uninstrumented copy. With FUZZ_PREBUILT=<dir>, an already-built output of src/Entropy.Sdk.Fuzz (e.g. src/Entropy.Sdk.Fuzz/bin/Debug/net10.0)
#   is copied to a temporary directory and that copy is instrumented instead (~6 s; the test suite does this).
# Other settings: FUZZ_TIMEOUT_MS (AFL++'s per-input timeout, default 5000; an input slower than that is a hang); FUZZ_JOBS (how
#   many targets `all` fuzzes at a time; default 2 on a machine with 2 or more cores, else 1).
# Reproduce a finding: dotnet src/Entropy.Sdk.Fuzz/bin/Debug/net10.0/Entropy.Sdk.Fuzz.dll <target> <file> (prints the exception).
set -euo pipefail
mode="${1:?usage: fuzz/run.sh <target>|all|install [seconds]}"
seconds="${2:-60}"
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/fuzz/out"
tools="$out/tools"
timeout_ms="${FUZZ_TIMEOUT_MS:-5000}"
mkdir -p "$tools"

die() { echo "fuzz/run.sh: $*" >&2; exit 2; }
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || die "seconds must be a positive integer, not '$seconds'"
declare -A seconds_of=()  # per-target overrides: fuzz/run.sh all 5 rpc=30 noise=40
for override in "${@:3}"; do
  [[ "$override" =~ ^([a-z0-9-]+)=([1-9][0-9]*)$ ]] || die "per-target time must be <target>=<seconds>, not '$override'"
  seconds_of["${BASH_REMATCH[1]}"]="${BASH_REMATCH[2]}"
done

temporary=()  # directories removed on exit
cleanup() { if [ "${#temporary[@]}" -gt 0 ]; then rm -rf "${temporary[@]}"; fi; }
trap cleanup EXIT

# ---- AFL++ -------------------------------------------------------------------------------------------------------------------
afl_dir="$tools/afl"

afl_library_path() {
  local dirs=() d
  for d in "$afl_dir"/usr/lib/*-linux-gnu "$afl_dir"/lib/*-linux-gnu; do [ -d "$d" ] && dirs+=("$d"); done
  (IFS=:; echo "${dirs[*]}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}")
}

# The shared libraries a binary links that cannot be found (with the extracted ones on the path).
missing_libraries() { LD_LIBRARY_PATH="$(afl_library_path)" ldd "$1" 2>/dev/null | awk '/not found/ {print $1}'; }

# The Debian package that ships a library afl-fuzz links (libc and libm are always there).
package_of() {
  case "$1" in
    libpython*.so*) local v="${1#libpython}"; echo "libpython${v%%.so*}" ;;
    libz.so*) echo zlib1g ;;
    libexpat.so*) echo libexpat1 ;;
    *) return 1 ;;
  esac
}

# apt_extract <package>: downloads the package's .deb (no root needed) and unpacks it into $afl_dir.
apt_extract() {
  local debs="$tools/debs"
  rm -rf "$debs"; mkdir -p "$debs"
  if ! (cd "$debs" && apt-get download "$1" >/dev/null 2>"$debs/err"); then
    # A fresh image may have no package lists yet; only root can fetch them.
    [ "$(id -u)" -eq 0 ] && apt-get update >/dev/null 2>&1 && (cd "$debs" && apt-get download "$1" >/dev/null 2>"$debs/err") ||
      { apt_error="apt-get download $1: $(grep -v '^W:' "$debs/err" | tail -2 | tr '\n' ' ')"; rm -rf "$debs"; return 1; }
  fi
  dpkg -x "$debs"/*.deb "$afl_dir" || { apt_error="dpkg -x of $1 failed"; return 1; }
  rm -rf "$debs"
}

install_afl() {
  apt_error=""
  if [ -n "${AFL_FUZZ:-}" ]; then
    [ -x "$AFL_FUZZ" ] || die "AFL_FUZZ=$AFL_FUZZ is not an executable"
    afl="$AFL_FUZZ"
  else
    afl="$afl_dir/usr/bin/afl-fuzz"
    if [ ! -x "$afl" ]; then
      if command -v apt-get >/dev/null && command -v dpkg >/dev/null; then
        echo "Installing AFL++ into fuzz/out/tools/afl (apt-get download afl++; dpkg -x)…" >&2
        rm -rf "$afl_dir"
        apt_extract afl++ || rm -rf "$afl_dir"
      else
        apt_error="no apt-get/dpkg on this machine (the download needs Debian or Ubuntu)"
      fi
    fi
    if [ -x "$afl" ]; then
      local lib package
      for lib in $(missing_libraries "$afl"); do
        package="$(package_of "$lib")" || die "afl-fuzz needs $lib, which this machine lacks; install it"
        echo "afl-fuzz needs $lib: extracting the $package package into fuzz/out/tools/afl…" >&2
        apt_extract "$package" || die "afl-fuzz needs $lib, which this machine lacks, and $apt_error"
      done
      lib="$(missing_libraries "$afl" | tr '\n' ' ')"
      [ -z "$lib" ] || die "afl-fuzz ($afl) still cannot find: $lib"
      export LD_LIBRARY_PATH; LD_LIBRARY_PATH="$(afl_library_path)"
    elif command -v afl-fuzz >/dev/null; then
      afl="$(command -v afl-fuzz)"
      echo "note: AFL++ could not be downloaded ($apt_error); using $afl from PATH" >&2
    else
      die "cannot get AFL++: $apt_error. Install AFL++ 4.x (afl-fuzz on PATH) or set AFL_FUZZ=/path/to/afl-fuzz. To skip the AFL++ test (developers only, never in CI): ENTROPY_SKIP_AFL=1."
    fi
  fi
  local help
  help="$("$afl" -h 2>&1 || true)"
  afl_version="$(grep -o 'afl-fuzz++[0-9][0-9a-z.]*' <<<"$help" | head -1 || true)"
  [ -n "$afl_version" ] || die "$afl does not run: $(head -3 <<<"$help" | tr '\n' ' ')"
  echo "afl-fuzz: $afl ($afl_version)" >&2
}

# ---- SharpFuzz and .NET ------------------------------------------------------------------------------------------------------
install_sharpfuzz() {
  if [ ! -x "$tools/sharpfuzz" ]; then
    echo "Installing SharpFuzz.CommandLine 2.3.0 into fuzz/out/tools…" >&2
    dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path "$tools" >/dev/null ||
      die "cannot install the SharpFuzz.CommandLine 2.3.0 dotnet tool (needs nuget.org)"
  fi
}

dotnet="$(command -v dotnet || echo "${DOTNET_HOST_PATH:-}")"
[ -n "$dotnet" ] || die "dotnet is not on PATH"

instrument() {
  local assembly
  for assembly in Entropy.Sdk.dll Entropy.Sdk.Simulator.dll Entropy.Synedrion.dll; do
    "$tools/sharpfuzz" "$1/$assembly" >/dev/null || die "sharpfuzz could not instrument $1/$assembly"
  done
}

prepare_binaries() {
  if [ -n "${FUZZ_PREBUILT:-}" ]; then
    [ -f "$FUZZ_PREBUILT/Entropy.Sdk.Fuzz.dll" ] || die "FUZZ_PREBUILT=$FUZZ_PREBUILT holds no Entropy.Sdk.Fuzz.dll (build src/Entropy.Sdk.Fuzz first)"
    bin="$(mktemp -d "${TMPDIR:-/tmp}/entropy-fuzz.XXXXXX")"
    temporary+=("$bin")
    cp -r "$FUZZ_PREBUILT"/. "$bin"
    instrument "$bin"
    plain="$FUZZ_PREBUILT"
    return
  fi
  bin="$out/bin"
  plain="$out/plain"
  # Publish and instrument once per source state (a stamp of the sources' hash).
  local stamp
  stamp="$(cd "$root" && git ls-files -s src/Entropy.Sdk src/Entropy.Sdk.Simulator src/Entropy.Sdk.Fuzz src/Entropy.Synedrion | git hash-object --stdin)$(cd "$root" && git diff --quiet -- src || echo dirty-$(date +%s))"
  if [ ! -f "$bin/.stamp" ] || [ "$(cat "$bin/.stamp")" != "$stamp" ]; then
    rm -rf "$bin" "$plain"
    dotnet publish "$root/src/Entropy.Sdk.Fuzz/Entropy.Sdk.Fuzz.csproj" -c Release -o "$plain" --nologo -v q
    cp -r "$plain" "$bin"
    instrument "$bin"
    echo "$stamp" > "$bin/.stamp"
  fi
}

# ---- Fuzzing -----------------------------------------------------------------------------------------------------------------
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
export DOTNET_TieredPGO=0 DOTNET_TC_QuickJitForLoops=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

# fuzz_one <target> <AFL++ output dir>: fuzzes, prints the stats line, keeps and replays findings. Returns 1 on a crash, a hang or a
# failed run. (Called in a `||` list, where set -e does not apply, so every step checks for itself.)
fuzz_one() {
  # (Two statements: `local` expands all its words before it assigns any, so "$target" in the same `local` would be unset.)
  local target="$1" state="$2" started=$SECONDS
  local log="$out/$target.log" seconds="${seconds_of[$1]:-$seconds}"
  rm -rf "$state" "$out/findings/$target"
  if [ ! -d "$root/fuzz/corpus/$target" ]; then
    echo "target=$target status=no-corpus (fuzz/corpus/$target is missing)"
    return 1
  fi
  # -t: per-input timeout (ms; the first inputs pay for JIT); -m none: the CLR reserves far more address space than AFL's default.
  if ! "$afl" -V "$seconds" -t "$timeout_ms" -m none -i "$root/fuzz/corpus/$target" -o "$state" \
      -- "$dotnet" "$bin/Entropy.Sdk.Fuzz.dll" "$target" > "$log" 2>&1; then
    echo "target=$target status=afl-failed wall=$((SECONDS - started)) log=${log#"$root"/}"
    tail -25 "$log" | sed 's/\x1b\[[0-9;]*[A-Za-z]//g; s/^/    /'
    return 1
  fi
  local stats="$state/default/fuzzer_stats"
  if [ ! -f "$stats" ]; then
    echo "target=$target status=no-stats wall=$((SECONDS - started)) log=${log#"$root"/}"
    return 1
  fi
  get() { awk -F' *: ' -v k="$1" '$1 == k {print $2}' "$stats"; }
  local crashes hangs
  crashes=$(find "$state/default/crashes" -type f -name 'id:*' 2>/dev/null | wc -l)
  hangs=$(find "$state/default/hangs" -type f -name 'id:*' 2>/dev/null | wc -l)
  # When the run last grew the corpus, and last found new edges (AFL++ names each queue entry with its time in ms; "+cov" marks
  # new edges): a run whose last find is early has reached the plateau of its corpus (docs/reliability.md, "In CI").
  local last_find last_cov
  last_find=$(find "$state/default/queue" -maxdepth 1 -name 'id:*time:*' ! -name '*orig:*' -printf '%f\n' 2>/dev/null |
    sed -n 's/.*,time:\([0-9]*\),.*/\1/p' | sort -n | tail -1)
  last_cov=$(find "$state/default/queue" -maxdepth 1 -name 'id:*time:*+cov*' ! -name '*orig:*' -printf '%f\n' 2>/dev/null |
    sed -n 's/.*,time:\([0-9]*\),.*/\1/p' | sort -n | tail -1)
  echo "target=$target status=ok seconds=$seconds wall=$((SECONDS - started)) execs=$(get execs_done) execs_per_sec=$(get execs_per_sec)" \
    "corpus=$(get corpus_count) edges=$(get edges_found) stability=$(get stability) crashes=$crashes hangs=$hangs" \
    "last_find_s=$(( ${last_find:-0} / 1000 )) last_cov_s=$(( ${last_cov:-0} / 1000 ))"
  [ "$crashes" -eq 0 ] && [ "$hangs" -eq 0 ] && return 0

  local findings="$out/findings/$target" kind f replay
  mkdir -p "$findings"
  for kind in crashes hangs; do
    [ -d "$state/default/$kind" ] || continue
    cp -r "$state/default/$kind" "$findings/$kind"
    rm -f "$findings/$kind/README.txt"
    for f in $(find "$findings/$kind" -type f -name 'id:*' | sort | head -5); do
      echo "  $kind: ${f#"$root"/} ($(wc -c < "$f") bytes) hex=$(od -An -v -tx1 "$f" | tr -d ' \n' | head -c 4096)"
      if [ "$kind" = crashes ]; then
        # With the uninstrumented build (instrumented code outside afl-fuzz has no coverage map and dies with an access
        # violation). In a subshell, so bash does not report the replay's abort; the runtime prints the exception.
        replay="$( ("$dotnet" "$plain/Entropy.Sdk.Fuzz.dll" "$target" "$f") 2>&1 || true)"
        head -12 <<<"$replay" | sed 's/^/    /'
      fi
    done
  done
  return 1
}

install_afl
install_sharpfuzz
[ "$mode" = install ] && exit 0

prepare_binaries
case "$mode" in
  all)
    state_root="$(mktemp -d "${TMPDIR:-/tmp}/entropy-afl.XXXXXX")"
    temporary+=("$state_root")
    mapfile -t targets < <("$dotnet" "$bin/Entropy.Sdk.Fuzz.dll" --list)
    [ "${#targets[@]}" -gt 0 ] || die "Entropy.Sdk.Fuzz.dll --list printed no targets"
    # FUZZ_JOBS targets at a time (default: one per core, at most 2): each afl-fuzz drives one target process, so on an idle
    # 2-core machine two run side by side in the wall time of one. Each target's output is printed whole, in target order.
    jobs="${FUZZ_JOBS:-$(( $(nproc 2>/dev/null || echo 1) >= 2 ? 2 : 1 ))}"
    [[ "$jobs" =~ ^[1-9][0-9]*$ ]] || die "FUZZ_JOBS must be a positive integer, not '$jobs'"
    run_target() {
      local status=0
      fuzz_one "$1" "$state_root/$1" > "$state_root/$1.out" 2>&1 || status=1
      rm -rf "${state_root:?}/$1"
      echo "$status" > "$state_root/$1.status"
    }
    # Longest first (each job takes the next target when one ends): the 9 CI targets, 275 s of fuzzing, end after ~140 s on two
    # jobs instead of ~150 s in listing order, with the same seconds per target.
    mapfile -t by_length < <(for target in "${targets[@]}"; do echo "${seconds_of[$target]:-$seconds} $target"; done | sort -s -k1,1nr | cut -d' ' -f2)
    running=0
    for target in "${by_length[@]}"; do
      if [ "$running" -ge "$jobs" ]; then wait -n || true; running=$((running - 1)); fi
      run_target "$target" &
      running=$((running + 1))
    done
    wait || true
    failed=0
    for target in "${targets[@]}"; do
      cat "$state_root/$target.out" 2>/dev/null || echo "target=$target status=no-output"
      [ "$(cat "$state_root/$target.status" 2>/dev/null)" = 0 ] || failed=1
    done
    echo "fuzz/run.sh all $seconds${3:+ ${*:3}}: ${#targets[@]} targets, $jobs at a time, $SECONDS s in all (tools, instrumentation and fuzzing)"
    exit "$failed"
    ;;
  *)
    fuzz_one "$mode" "$out/$mode"
    ;;
esac
