#!/usr/bin/env bash
# Bundle the language server into the extension: bundled/libs/ gets fastapi_lsp, flake8_fastapi and their
# pure-Python dependencies (pygls, lsprotocol, cattrs, attrs, jedi, parso, flake8, pyflakes, pycodestyle,
# mccabe, typing_extensions, tomli, exceptiongroup), so that importStrategy=useBundled runs on any Python >= 3.10
# with nothing installed: the extension starts `python -m fastapi_lsp` with PYTHONPATH=bundled/libs.
#
# Dependencies are resolved for Python 3.10 (the oldest we support: it pulls the tomli and exceptiongroup
# backports, harmless on newer Pythons) and pure-Python wheels only; versions are pinned to the repo's .venv
# when it has them, so the bundle runs what the test suite ran.
#
#   PYTHON=/path/to/python bash scripts/bundle-python.sh
set -euo pipefail
EXT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO=$(dirname "$EXT")
PY=${PYTHON:-$REPO/.venv/bin/python}
[ -x "$PY" ] || PY=$(command -v python3)
OUT=$EXT/bundled/libs
STAMP=$EXT/bundled/.inputs

# Skip when nothing that goes into the bundle changed (the sources, pyproject.toml, this script, the pins).
inputs=$(cd "$REPO" && {
  find flake8_fastapi fastapi_lsp -type f \( -name '*.py' -o -name '*.md' -o -name '*.typed' \) -print0 | sort -z | xargs -0 sha256sum
  sha256sum pyproject.toml "$EXT/scripts/bundle-python.sh"
  "$PY" -m pip freeze --exclude-editable 2>/dev/null | grep -iE '^(pygls|lsprotocol|cattrs|attrs|jedi|parso|typing[-_]extensions)==' || true
} | sha256sum | cut -d' ' -f1)
if [ "${FORCE_BUNDLE:-}" != 1 ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$inputs" ] && [ -e "$OUT/fastapi_lsp/__main__.py" ]; then
  echo "bundle-python: bundled/libs is up to date"
  exit 0
fi

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

"$PY" -m pip --version >/dev/null
# This machine's pip config names index dirs that may not exist; pip warns about each on every call.
pip_() { "$PY" -m pip "$@" 2> >(grep -v "^WARNING: Location '.*' is ignored" >&2); }
echo "bundle-python: building the fastapi-lint wheel from $REPO"
# Build from a copy: an in-tree build would leave build/ and *.egg-info in the checkout others work in.
mkdir -p "$TMP/src"
(cd "$REPO" && tar --exclude=__pycache__ --exclude='*.pyc' -cf - pyproject.toml flake8_fastapi fastapi_lsp \
  $(ls README.md LICENSE* setup.cfg MANIFEST.in 2>/dev/null)) | tar -xf - -C "$TMP/src"
pip_ wheel --quiet --no-deps --wheel-dir "$TMP/wheel" "$TMP/src" >/dev/null
WHEEL=$(ls "$TMP"/wheel/fastapi_lint-*.whl)

# Pin the server's runtime stack to the versions the project's own environment runs (when it has them). flake8
# and its checkers are resolved for Python 3.10 instead: recent flake8 releases need 3.11+.
"$PY" -m pip freeze --exclude-editable 2>/dev/null \
  | grep -iE '^(pygls|lsprotocol|cattrs|attrs|jedi|parso|typing[-_]extensions)==' > "$TMP/constraints.txt" || true

# The dependencies are resolved once per (pins, pyproject.toml, this script) into a cache; a rebuild after a
# source change then only copies them and adds the fastapi-lint wheel (no index lookups).
CACHE=${FASTAPI_LINT_CACHE:-$HOME/.cache/fastapi-lint}
DEPS_KEY=$(cat "$TMP/constraints.txt" "$REPO/pyproject.toml" "${BASH_SOURCE[0]}" | sha256sum | cut -c1-16)
DEPS=$CACHE/bundle-deps/$DEPS_KEY
if [ ! -f "$DEPS/.done" ]; then
  echo "bundle-python: resolving the dependencies for Python 3.10 into $DEPS"
  rm -rf "$DEPS"
  mkdir -p "$DEPS"
  pip_ install --quiet --no-compile --disable-pip-version-check \
    --target "$DEPS" \
    --python-version 3.10 --implementation py --abi none --platform any --only-binary=:all: \
    -c "$TMP/constraints.txt" \
    "$WHEEL[lsp]"

  # pip evaluates environment markers against the interpreter running it, not --python-version: add what
  # Python 3.10 needs on top (tomli, exceptiongroup, ...) until nothing is missing.
  for _ in 1 2 3; do
    missing=$("$PY" - "$DEPS" <<'PY'
import sys
from importlib.metadata import distributions
from pip._vendor.packaging.requirements import Requirement
from pip._vendor.packaging.utils import canonicalize_name

out = sys.argv[1]
env = {"python_version": "3.10", "python_full_version": "3.10.0", "extra": ""}
dists = list(distributions(path=[out]))
have = {canonicalize_name(d.metadata["Name"]) for d in dists}
need = set()
for dist in dists:
    for line in dist.requires or []:
        req = Requirement(line)
        if req.marker is not None and not req.marker.evaluate(env):
            continue
        if canonicalize_name(req.name) not in have:
            req.marker = None
            need.add(str(req))
print(" ".join(sorted(need)))
PY
)
    [ -n "$missing" ] || break
    echo "bundle-python: adding for Python 3.10: $missing"
    # shellcheck disable=SC2086
    pip_ install --quiet --no-compile --disable-pip-version-check --target "$DEPS" --upgrade \
      --python-version 3.10 --implementation py --abi none --platform any --only-binary=:all: $missing
  done
  # Keep only the dependencies: the project itself comes from the fresh wheel below.
  rm -rf "$DEPS"/flake8_fastapi "$DEPS"/fastapi_lsp "$DEPS"/fastapi_lint-*.dist-info "$DEPS/bin"
  find "$DEPS" -name '__pycache__' -type d -prune -exec rm -rf {} +
  touch "$DEPS/.done"
fi

rm -rf "$OUT"
mkdir -p "$OUT"
cp -a "$DEPS/." "$OUT/"
rm -f "$OUT/.done"
pip_ install --quiet --no-compile --disable-pip-version-check --no-deps --no-index --target "$OUT" "$WHEEL"

# Console scripts carry the build machine's interpreter in their shebang: useless inside the extension.
rm -rf "$OUT/bin"
find "$OUT" -name '__pycache__' -type d -prune -exec rm -rf {} +
for mod in fastapi_lsp flake8_fastapi pygls lsprotocol cattrs attrs jedi parso flake8 pyflakes pycodestyle; do
  [ -e "$OUT/$mod" ] || [ -e "$OUT/$mod.py" ] || { echo "bundle-python: $mod missing from $OUT" >&2; exit 1; }
done
[ -e "$OUT/fastapi_lsp/__main__.py" ] || { echo "bundle-python: fastapi_lsp has no __main__" >&2; exit 1; }
"$PY" - "$OUT" > "$EXT/bundled/manifest.json" <<'PY'
import json, pathlib, sys
out = pathlib.Path(sys.argv[1])
dists = sorted(p.name[: -len(".dist-info")] for p in out.glob("*.dist-info"))
print(json.dumps({"pythonRequires": ">=3.10", "distributions": dists}, indent=2))
PY
echo "bundle-python: $(ls -d "$OUT"/*.dist-info | wc -l) distributions, $(du -sh "$OUT" | cut -f1) in bundled/libs"
echo "$inputs" > "$STAMP"
