#!/usr/bin/env bash
# Installs the pinned chopsticks node into eng/chopsticks/node_modules for the RealNode tests.
# Idempotent: returns at once when the pinned version is already installed.
set -euo pipefail
cd "$(dirname "$0")"

marker=node_modules/.bin/chopsticks
if [ -x "$marker" ] && [ node_modules/.package-lock.json -nt package-lock.json ] 2>/dev/null; then
  exit 0
fi
if [ -x "$marker" ] && [ ! -f package-lock.json ]; then
  exit 0
fi

# --ignore-scripts: native add-ons (sqlite3) would try to download prebuilt binaries; the tests use the in-memory store.
if [ -f package-lock.json ]; then
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
else
  npm install --ignore-scripts --no-audit --no-fund --loglevel=error
fi
touch node_modules/.package-lock.json
