#!/usr/bin/env bash
# Set up fastapi-lint in .venv and show it on the bundled example project.
#
#   bash scripts/demo.sh
#
# Needs python3 (3.10+) and pip; installs Debian's python3-venv when it is missing and the script runs as root.
# `fastapi-lint check` exits 1 because the example is full of mistakes: that is the demonstration, not a failure.
set -euo pipefail
# shellcheck source=scripts/_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"
cd "$REPO"
EXAMPLE=${EXAMPLE:-examples/shop}

ensure_venv
say "pip install -e ."
"$VENV/bin/python" -m pip install -q -e .

say "fastapi-lint check $EXAMPLE"
set +e
"$VENV/bin/fastapi-lint" check "$EXAMPLE"
rc=$?
set -e
case $rc in
  0) echo "(no findings)";;
  1) echo "(exit code 1: the example has findings, as it should)";;
  *) die "fastapi-lint check failed with exit code $rc";;
esac

say "fastapi-lint routes $EXAMPLE"
"$VENV/bin/fastapi-lint" routes "$EXAMPLE"

say "done"
cat <<MSG
Try next:
  $VENV/bin/fastapi-lint rule FPA101                 # a rule's documentation
  $VENV/bin/fastapi-lint check --diff $EXAMPLE       # what --fix would change
  $VENV/bin/flake8 --select FPA $EXAMPLE             # the same findings through flake8
MSG
