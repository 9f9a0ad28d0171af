#!/usr/bin/env bash
# Installs the pinned wasm client (@entropyxyz/entropy-protocol-nodejs) and ws into eng/wasm-client/node_modules for the
# WasmClient tests. Idempotent: returns at once when the pinned versions are already installed.
set -euo pipefail
cd "$(dirname "$0")"

marker=node_modules/@entropyxyz/entropy-protocol-nodejs/entropy_protocol_bg.wasm
if [ -f "$marker" ] && [ -f node_modules/ws/package.json ] && [ node_modules/.package-lock.json -nt package-lock.json ] 2>/dev/null; then
  exit 0
fi

# --ignore-scripts: neither package needs one; nothing downloaded runs at install time.
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
touch node_modules/.package-lock.json
