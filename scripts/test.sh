#!/usr/bin/env bash
# Install everything and run every check: ruff, mypy --strict, and the whole test suite (rules, flake8, CLI,
# language server, real editors, real-code test).
#
#   bash scripts/test.sh [extra pytest arguments]
#
# Steps: create/refresh .venv; pip install -e '.[lsp,test,dev]'; run each scripts/setup.d/*.sh fragment in
# order (Neovim, Node/code-server/chromium for VS Code: see scripts/setup.d/README); ruff; mypy; pytest.
# Any failure stops the run with a non-zero exit code; pytest collecting no test at all (exit 5) is a failure.
# Environment: PYTEST_JOBS=N runs the tests that allow it on N workers (default: 2 when pytest-xdist is
# installed and the machine has 2+ cores; 0 = everything serial).
set -euo pipefail
# shellcheck source=scripts/_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"
cd "$REPO"
started=$SECONDS

ensure_venv
say "pip install -e '.[lsp,test,dev]'"
"$VENV/bin/python" -m pip install -q -e '.[lsp,test,dev]'

# The fragments and the tests see the venv first on PATH.
export VIRTUAL_ENV=$VENV PATH=$VENV/bin:$PATH REPO VENV PYTHON=$VENV/bin/python
shopt -s nullglob
for fragment in scripts/setup.d/*.sh; do
  say "setup: $fragment"
  t0=$SECONDS
  bash "$fragment" || die "$fragment failed (exit code $?)"
  echo "($fragment: $((SECONDS - t0)) s)"
done
shopt -u nullglob

say "ruff check"
ruff check flake8_fastapi fastapi_lsp tests scripts bench
say "mypy --strict flake8_fastapi fastapi_lsp"
mypy --strict flake8_fastapi fastapi_lsp

mkdir -p test-artifacts
jobs=${PYTEST_JOBS:-}
if [ -z "$jobs" ]; then
  if python -c 'import xdist' 2>/dev/null && [ "$(nproc 2>/dev/null || echo 1)" -ge 2 ]; then jobs=2; else jobs=0; fi
fi

run_pytest() {  # label, pytest args...
  local label=$1 rc=0
  shift
  say "pytest ($label)"
  python -m pytest "$@" || rc=$?
  if [ "$rc" = 5 ]; then
    die "pytest ($label) collected no tests"
  elif [ "$rc" != 0 ]; then
    die "pytest ($label) failed (exit code $rc)"
  fi
}

# The language-server tests (tests/lsp: a server process per test, timed waits for its messages) and the
# real-editor tests (tests/editors: Neovim, code-server + chromium) run in one process: under pytest-xdist on 2
# cores they time out and run no faster. Everything else is spread over the workers.
serial=()
for dir in tests/lsp tests/editors; do [ -d "$dir" ] && serial+=("$dir"); done
if [ "$jobs" -gt 1 ]; then
  ignore=()
  for dir in "${serial[@]}"; do ignore+=("--ignore=$dir"); done
  run_pytest "$jobs workers" tests -p xdist -n "$jobs" "${ignore[@]}" --junitxml=test-artifacts/junit.xml "$@"
  if [ ${#serial[@]} -gt 0 ]; then
    run_pytest "language server and editors, serial" "${serial[@]}" --junitxml=test-artifacts/junit-serial.xml "$@"
  fi
else
  run_pytest "serial" tests --junitxml=test-artifacts/junit.xml "$@"
fi

say "all checks passed in $((SECONDS - started)) s"
