#!/usr/bin/env bash
# Older FastAPI releases for the witness tests that check a rule's version claims (tests/witness/_releases.py).
# Each goes into its own `pip install --target` directory under .venv/fastapi-releases/ (never into the venv).
# Idempotent: an installed release is kept.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
python=${PYTHON:-$repo/.venv/bin/python}
root=$repo/.venv/fastapi-releases
mkdir -p "$root"
for version in 0.88.0 0.105.0 0.115.0; do
  if [ -d "$root/$version/fastapi" ]; then
    echo "fastapi $version: present"
    continue
  fi
  echo "fastapi $version: installing into $root/$version"
  rm -rf "$root/$version.tmp"
  "$python" -m pip install -q --disable-pip-version-check --no-compile --target "$root/$version.tmp" \
    "fastapi==$version" "httpx<0.28" 2>&1 | grep -v -e "^WARNING: Location" -e "dependency resolver" \
    -e "requires .*but you have" || true
  [ -d "$root/$version.tmp/fastapi" ] || { echo "fastapi $version: install failed" >&2; exit 1; }
  mv "$root/$version.tmp" "$root/$version"
done
