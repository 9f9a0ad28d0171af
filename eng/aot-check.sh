#!/usr/bin/env bash
# Native AOT check (issue 18 §2): publishes samples/AotRegistration (references only Entropy.Sdk) with PublishAot=true, starts the
# devnet as a process (src/Entropy.Devnet, --port 0, the fast Public-mode key generation), runs the native binary against it (a
# Public registration of //Bob) and stops the devnet by its PID. Fails if the publish reports any trim/AOT warning (warnings are
# errors) or the registration does not complete. .ci/run runs it after the tests.
#   eng/aot-check.sh [--configuration Debug|Release] [--devnet path/to/Entropy.Devnet.dll] [output-dir]
#     --configuration   of the publish (default Release, as a user publishes). The trim/AOT analysis is the same in both; Debug
#                       skips ILC's optimisations (about half the CPU) and reuses a Debug build of Entropy.Sdk (what CI does).
#     --devnet          an already-built devnet to run (CI passes the one `dotnet test` built); default: builds src/Entropy.Devnet.
#     output-dir        where the binary, the logs and summary.txt (size and times, for .ci/run) go (default: a new temporary folder).
# Needs a C toolchain for the native link (gcc or clang, with libc's development files: the link adds -ldl -lrt -lm; zlib, brotli
# and the runtime come as static libraries in the NuGet runtime pack, so no zlib1g-dev): when a test link fails, installs gcc and
# libc6-dev with apt-get (as root; else it says what to install).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
configuration=Release
devnet_dll=""
out=""
while [ "$#" -gt 0 ]; do
  case "$1" in
    --configuration|-c) configuration="${2:?--configuration needs Debug or Release}"; shift 2 ;;
    --devnet) devnet_dll="${2:?--devnet needs the path of Entropy.Devnet.dll}"; shift 2 ;;
    -*) echo "aot-check: unknown option $1 (see the comment at the top of eng/aot-check.sh)" >&2; exit 2 ;;
    *) out="$1"; shift ;;
  esac
done
out="${out:-$(mktemp -d "${TMPDIR:-/tmp}/entropy-aot.XXXXXX")}"
mkdir -p "$out"
started=$SECONDS

# ---- the native toolchain: what the ILCompiler's link step runs (clang, else gcc) and the system libraries it links ------------
link_test() {
  local cc
  for cc in clang gcc; do
    command -v "$cc" >/dev/null || continue
    printf 'int main(void) { return 0; }\n' | "$cc" -x c - -ldl -lrt -lm -o "$out/link-test" 2>"$out/link-test.log" && return 0
  done
  return 1
}
if ! link_test; then
  echo "aot-check: no C compiler that links a program ($(tail -1 "$out/link-test.log" 2>/dev/null || echo 'no gcc or clang'));" \
    "installing gcc libc6-dev" >&2
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    echo "aot-check: cannot install them here (needs root and apt-get): install gcc (or clang) and libc's development files" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends gcc libc6-dev >/dev/null
  link_test || { echo "aot-check: still no working C toolchain:" >&2; cat "$out/link-test.log" >&2; exit 1; }
fi
rm -f "$out/link-test"

# ---- publish -----------------------------------------------------------------------------------------------------------------
echo "aot-check: publishing samples/AotRegistration with PublishAot=true ($configuration)" >&2
# -warnaserror: any warning (trim/AOT analysis IL2xxx/IL3xxx from the compiler or ILC, linker) fails the publish. The log is also
# searched for IL warnings, so a warning that some layer reports as a message cannot pass unseen.
set +e
dotnet publish -c "$configuration" -r linux-x64 "$root/samples/AotRegistration/AotRegistration.csproj" -o "$out/publish" \
  -warnaserror -nologo 2>&1 | tee "$out/publish.log"
publish_status=${PIPESTATUS[0]}
set -e
if [ "$publish_status" -ne 0 ]; then echo "aot-check: the publish failed (exit $publish_status)" >&2; exit 1; fi
if grep -E ' (warning|error) IL[0-9]{4}' "$out/publish.log" >&2; then echo "aot-check: trim/AOT analysis findings above" >&2; exit 1; fi
binary="$out/publish/AotRegistration"
[ -x "$binary" ] || { echo "aot-check: no native binary at $binary" >&2; exit 1; }
published=$SECONDS
echo "aot-check: native binary $(du -h "$binary" | cut -f1) after $((published - started)) s" >&2

# ---- a devnet process --------------------------------------------------------------------------------------------------------
if [ -z "$devnet_dll" ]; then
  dotnet build -c Release "$root/src/Entropy.Devnet/Entropy.Devnet.csproj" -o "$out/devnet" -nologo -v q >/dev/null
  devnet_dll="$out/devnet/Entropy.Devnet.dll"
fi
[ -f "$devnet_dll" ] || { echo "aot-check: no devnet at $devnet_dll" >&2; exit 1; }
log="$out/devnet.log"
# The sample registers in Public mode: the fast stand-in key generation is enough (the check is about the AOT client, not the DKG).
dotnet "$devnet_dll" --port 0 --fast-public-dkg --block-time 300 >"$log" 2>&1 &
devnet_pid=$!
trap 'kill "$devnet_pid" 2>/dev/null || true; wait "$devnet_pid" 2>/dev/null || true' EXIT
endpoint=""
for _ in $(seq 1 120); do
  endpoint="$(grep -o 'ws://[^ ]*' "$log" | head -n 1 || true)"
  [ -n "$endpoint" ] && break
  kill -0 "$devnet_pid" 2>/dev/null || { echo "aot-check: the devnet exited before it was ready:" >&2; cat "$log" >&2; exit 1; }
  sleep 0.5
done
[ -n "$endpoint" ] || { echo "aot-check: the devnet printed no endpoint within 60 s:" >&2; cat "$log" >&2; exit 1; }

# ---- the registration from the native binary ---------------------------------------------------------------------------------
echo "aot-check: registering //Bob against $endpoint from the native binary" >&2
registered=$SECONDS
set +e
timeout 180 "$binary" --endpoint "$endpoint" --suri //Bob 2>&1 | tee "$out/registration.log"
run_status=${PIPESTATUS[0]}
set -e
if [ "$run_status" -ne 0 ] || ! grep -q '^Registered ' "$out/registration.log"; then
  echo "aot-check: the registration from the native binary failed (exit $run_status); devnet log:" >&2
  tail -20 "$log" >&2
  exit 1
fi
summary="binary $(du -h "$binary" | cut -f1), publish $((published - started)) s, registration $((SECONDS - registered)) s"
echo "$summary" > "$out/summary.txt"
echo "aot-check: ok in $((SECONDS - started)) s ($summary)" >&2
