#!/usr/bin/env bash
# Installs the project's npm packages (`npm ci`) unless node_modules already matches package-lock.json.
# Used by both README commands (`npm test`, `npm start`), so each works on a fresh clone by itself.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[ensure-deps] npm ci" >&2
  npm ci --no-audit --no-fund >&2
fi
