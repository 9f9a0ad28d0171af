#!/usr/bin/env bash
# Native AOT check (issue 18 §2): publishes samples/AotRegistration (references only Entropy.Sdk) with PublishAot=true, starts the
# devnet as a process (src/Entropy.Devnet, --port 0), runs the native binary against it (a Public registration of //Bob) and
# stops the devnet by its PID. Fails if the publish reports any trim/AOT warning (warnings are errors) or the registration fails.
#   eng/aot-check.sh [output-dir]
# Needs a C toolchain for the native link (gcc or clang); installs gcc with apt-get when neither is found (as root).
# Not part of .ci/run: it adds ~1.5-3 min (ILCompiler on 2 cores), which the 15-minute CI budget does not have.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$(mktemp -d "${TMPDIR:-/tmp}/entropy-aot.XXXXXX")}"
started=$SECONDS

if ! command -v gcc >/dev/null && ! command -v clang >/dev/null; then
  echo "aot-check: no gcc or clang found; installing gcc (Native AOT links with the system C toolchain)" >&2
  apt-get update -qq && apt-get install -y -qq gcc libc6-dev >/dev/null
fi

echo "aot-check: publishing samples/AotRegistration with PublishAot=true" >&2
dotnet publish -c Release -r linux-x64 "$root/samples/AotRegistration/AotRegistration.csproj" -o "$out/publish" -warnaserror
binary="$out/publish/AotRegistration"
[ -x "$binary" ] || { echo "aot-check: no native binary at $binary" >&2; exit 1; }
echo "aot-check: native binary $(du -h "$binary" | cut -f1) after $((SECONDS - started)) s" >&2

dotnet build -c Release "$root/src/Entropy.Devnet/Entropy.Devnet.csproj" -o "$out/devnet" >/dev/null
log="$out/devnet.log"
dotnet "$out/devnet/Entropy.Devnet.dll" --port 0 >"$log" 2>&1 &
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

echo "aot-check: registering //Bob against $endpoint from the native binary" >&2
timeout 180 "$binary" --endpoint "$endpoint" --suri //Bob
echo "aot-check: ok in $((SECONDS - started)) s" >&2
