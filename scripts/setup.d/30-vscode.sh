#!/usr/bin/env bash
# Set up what the VS Code extension and its end-to-end test need. Idempotent: a second run does nothing that
# is already done. Run by scripts/test.sh before pytest; safe to run by hand.
#
#   bash scripts/setup.d/30-vscode.sh           # everything (system packages when root, npm, code-server, .vsix)
#   VSCODE_SETUP_SKIP=1 ...                     # do nothing (e.g. a Python-only run)
#
# What it does:
#   1. apt: chromium, ripgrep (+ libkrb5-dev g++ make for code-server's native modules) - only when root.
#   2. vscode-extension/: npm ci (when package-lock.json changed), typecheck, build, package the .vsix
#      (the .vsix bundles the server and its pure-Python deps, see vscode-extension/scripts/bundle-python.sh).
#   3. vscode-extension/e2e/: npm ci (playwright-core, driving Debian's chromium).
#   4. code-server (real VS Code, from the npm registry) in a cache dir, with the staged install that works
#      without GitHub (its postinstall would download ripgrep from there).
#
# Environment:
#   FASTAPI_LINT_CACHE   cache root (default ~/.cache/fastapi-lint); code-server lives in
#                        $FASTAPI_LINT_CACHE/code-server-$CODE_SERVER_VERSION
#   CODE_SERVER_VERSION  default 4.100.3 (VS Code 1.100.3, the newest that runs on Node 20)
#   PYTHON               interpreter used to bundle the server (default: repo .venv/bin/python, else python3)
set -euo pipefail

[ "${VSCODE_SETUP_SKIP:-}" = 1 ] && { echo "30-vscode: skipped (VSCODE_SETUP_SKIP=1)"; exit 0; }

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
EXT=$REPO/vscode-extension
CACHE=${FASTAPI_LINT_CACHE:-$HOME/.cache/fastapi-lint}
CS_VERSION=${CODE_SERVER_VERSION:-4.100.3}
CS_DIR=$CACHE/code-server-$CS_VERSION
log() { echo "[30-vscode $(date +%T)] $*"; }

export npm_config_yes=true          # node-pty's install runs `npx node-gyp`; the image's npmrc has yes=false
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    log "apt: nodejs npm"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm >/dev/null
  else
    log "node/npm not installed and not root: skipping the VS Code extension setup"
    exit 0
  fi
fi
NODE_MAJOR=$(node -p 'process.versions.node.split(".")[0]')
if [ "$NODE_MAJOR" -lt 20 ]; then
  log "node $(node --version) is too old (need >= 20): skipping the VS Code extension setup"
  exit 0
fi

# 1. system packages -----------------------------------------------------------------------------------------
need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v rg >/dev/null 2>&1 || need_apt+=(ripgrep)
[ -f "$CS_DIR/.done" ] || {
  [ -e /usr/include/gssapi/gssapi.h ] || [ -e /usr/include/krb5.h ] || need_apt+=(libkrb5-dev)
  command -v g++ >/dev/null 2>&1 || need_apt+=(g++)
  command -v make >/dev/null 2>&1 || need_apt+=(make)
}
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    log "apt: ${need_apt[*]}"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need_apt[@]}" >/dev/null
  else
    log "not root: cannot apt-get install ${need_apt[*]} (the VS Code e2e test will skip)"
  fi
fi

# 2. the extension -------------------------------------------------------------------------------------------
# npm ci only when the lock file changed since the last install (npm ci always wipes node_modules).
stamp_ci() {  # dir
  local dir=$1 want have
  want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
  have=$(cat "$dir/node_modules/.ci-stamp" 2>/dev/null || true)
  if [ "$want" != "$have" ] || [ ! -d "$dir/node_modules" ]; then
    log "npm ci in ${dir#"$REPO"/}"
    (cd "$dir" && npm ci --no-fund --no-audit >/dev/null)
    echo "$want" > "$dir/node_modules/.ci-stamp"
  fi
}
stamp_ci "$EXT"
stamp_ci "$EXT/e2e"

# Rebuild the .vsix when any input is newer than it.
VSIX=$EXT/fastapi-lint.vsix
if [ ! -f "$VSIX" ] || [ -n "$(find "$EXT/src" "$EXT/package.json" "$EXT/scripts" "$EXT/README.md" \
      "$EXT/CHANGELOG.md" "$EXT/.vscodeignore" "$REPO/flake8_fastapi" "$REPO/fastapi_lsp" "$REPO/pyproject.toml" \
      -newer "$VSIX" -not -name '*.pyc' -not -path '*/__pycache__*' 2>/dev/null | head -1)" ]; then
  log "typecheck, build and package the .vsix"
  pkglog=$(mktemp)
  if ! (cd "$EXT" && npm run -s typecheck && npm run -s package) > "$pkglog" 2>&1; then
    grep -v "^WARNING: Location '.*' is ignored" "$pkglog" | tail -40 >&2
    rm -f "$pkglog"
    exit 1
  fi
  rm -f "$pkglog"
fi
log "extension: $VSIX ($(du -h "$VSIX" | cut -f1))"

# 3. code-server ---------------------------------------------------------------------------------------------
if [ ! -f "$CS_DIR/.done" ]; then
  if ! command -v rg >/dev/null 2>&1; then
    log "ripgrep missing: cannot install code-server (the VS Code e2e test will skip)"
    exit 0
  fi
  log "code-server $CS_VERSION into $CS_DIR (staged install, ~1-2 min)"
  rm -rf "$CS_DIR"; mkdir -p "$CS_DIR"
  (
    cd "$CS_DIR"
    echo '{"private":true}' > package.json
    npm install --ignore-scripts --no-fund --no-audit "code-server@$CS_VERSION" >/dev/null
    npm rebuild argon2 >/dev/null 2>&1 || true
    cd node_modules/code-server/lib/vscode
    npm install --omit=dev --ignore-scripts --no-fund --no-audit >/dev/null
    if [ -d node_modules/@vscode/ripgrep ]; then          # its postinstall would fetch rg from GitHub
      mkdir -p node_modules/@vscode/ripgrep/bin
      ln -sfn "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
    fi
    npm rebuild --foreground-scripts > "$CS_DIR/rebuild.log" 2>&1
    [ -e node_modules.asar ] || ln -s node_modules node_modules.asar
    (cd bin/remote-cli && ln -sfn code-linux.sh code-server)
    (cd bin/helpers && ln -sfn browser-linux.sh browser.sh)
    (cd extensions && npm install --omit=dev --no-fund --no-audit >/dev/null)
  )
  touch "$CS_DIR/.done"
fi
# (not `code-server --version`: that writes a default config into ~/.config/code-server)
log "code-server $(node -p "require('$CS_DIR/node_modules/code-server/package.json').version"): $CS_DIR/node_modules/.bin/code-server"
