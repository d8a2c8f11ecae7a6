#!/usr/bin/env bash
# `npm test`: installs what the tests need (offline VS Code, npm packages) and runs every CI tier:
# static checks, unit, integration (in a real extension host), e2e (the VSIX in a real VS Code, driven through
# Chromium), conformance, and `npm start` itself (from a fresh clone and an empty cache when MCP_FRESH_INSTALL=1). Prints each tier's time and a closing "N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$0")/../.."
export CI="${CI:-}"
RESULTS=test-results; mkdir -p "$RESULTS"
declare -a SUMMARY=()
PASSED=0; FAILED=0; STATUS=0

tier() { # tier NAME COMMAND...: runs a tier, tees its output, counts mocha's passing/failing lines
  local name=$1; shift
  local log="$RESULTS/$name.log" start=$SECONDS
  echo; echo "=== $name: $*"
  "$@" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  local p f
  p=$(grep -aoE '^\s*[0-9]+ passing' "$log" | awk '{s+=$1} END {print s+0}')
  f=$(grep -aoE '^\s*[0-9]+ failing' "$log" | awk '{s+=$1} END {print s+0}')
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  PASSED=$((PASSED + p)); FAILED=$((FAILED + f))
  [ "$rc" -eq 0 ] || STATUS=1
  SUMMARY+=("$(printf '%-12s %4ss  %s passed, %s failed%s' "$name" $((SECONDS - start)) "$p" "$f" "$([ "$rc" -eq 0 ] || echo "  (exit $rc)")")")
}

start=$SECONDS
bash test/setup/install-vscode.sh >/dev/null || { echo "installing the offline VS Code failed"; exit 1; }
SUMMARY+=("$(printf '%-12s %4ss' install-vscode $((SECONDS - start)))")
start=$SECONDS
bash test/setup/ensure-deps.sh || { echo "npm ci failed"; exit 1; }
SUMMARY+=("$(printf '%-12s %4ss' npm-ci $((SECONDS - start)))")

tier static      bash -c 'npm run -s typecheck && npm run -s lint && echo "static checks passed"'
tier unit        npm run -s test:unit
tier integration npm run -s test:integration
tier e2e         npm run -s test:e2e
if [ -d test/conformance ]; then tier conformance npm run -s test:conformance; fi
tier start       npm run -s test:start

echo; echo "=== summary"
printf '%s\n' "${SUMMARY[@]}"
echo "total: $PASSED passed, $FAILED failed"
exit $STATUS
