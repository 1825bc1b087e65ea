# Shared by scripts/demo.sh and scripts/test.sh (sourced, not run).
# Finds a Python >= 3.10, makes sure it can create a virtual environment (installing Debian's python3-venv when
# root and it is missing), and creates or refreshes $REPO/.venv.

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=$REPO/.venv
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore PIP_NO_INPUT=1

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

find_python() {
  local candidate
  for candidate in "${PYTHON:-}" python3 python3.13 python3.12 python3.11 python3.10; do
    [ -n "$candidate" ] || continue
    command -v "$candidate" >/dev/null 2>&1 || continue
    if "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

ensure_venv() {
  if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null \
      && "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
    say "using $VENV ($("$VENV/bin/python" --version))"
    return 0
  fi
  local python
  python=$(find_python) || die "Python 3.10 or newer is required (set PYTHON=/path/to/python3)"
  # Debian's python3 cannot create a venv without python3-venv (ensurepip is split out).
  if ! "$python" -c 'import venv, ensurepip' >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      local minor
      minor=$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
      say "installing python3-venv (apt-get)"
      apt-get update -q >/dev/null
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q "python${minor}-venv" >/dev/null 2>&1 \
        || DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv >/dev/null
    else
      die "$python cannot create a virtual environment: install python3-venv (sudo apt-get install python3-venv)"
    fi
  fi
  say "creating $VENV with $python ($("$python" --version))"
  rm -rf "$VENV"
  "$python" -m venv "$VENV"
  # Editable installs from pyproject.toml need pip >= 21.3.
  if ! "$VENV/bin/python" -c 'import sys, pip; sys.exit(tuple(map(int, pip.__version__.split(".")[:2])) < (21, 3))'; then
    "$VENV/bin/python" -m pip install -q --upgrade pip
  fi
}
