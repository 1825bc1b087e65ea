"""Run witness code under other FastAPI releases than the installed one.

By default, the releases that `scripts/setup.d/40-fastapi-releases.sh` installs under `.venv/fastapi-releases/`
(CI installs them). `FASTAPI_LINT_WITNESS_RELEASES` overrides that: directories separated by `os.pathsep`, each
holding one FastAPI release and its dependencies, e.g. made with
`pip install --target /tmp/fa-0.88.0 "fastapi==0.88.0" "httpx<0.28"` (releases before 0.87 also need `requests`
and `anyio<4`). Without either, the tests that use these are skipped: the installed release is always covered
by the other witness tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from typing import Any

import pytest

ENV = "FASTAPI_LINT_WITNESS_RELEASES"


# Where `scripts/setup.d/40-fastapi-releases.sh` installs the releases the witnesses run against by default.
DEFAULT_ROOT = os.path.join(os.path.dirname(__file__), "..", "..", ".venv", "fastapi-releases")


def release_dirs() -> list[str]:
    if os.environ.get(ENV):
        return [d for d in os.environ[ENV].split(os.pathsep) if d]
    root = os.path.abspath(DEFAULT_ROOT)
    if not os.path.isdir(root):
        return []
    return sorted((os.path.join(root, d) for d in os.listdir(root)), key=release_version)


def release_version(directory: str) -> tuple[int, ...]:
    """The FastAPI version installed in a release directory (from its dist-info; never imported)."""
    for name in os.listdir(directory):
        if name.startswith("fastapi-") and name.endswith(".dist-info"):
            return tuple(int(p) for p in name[len("fastapi-") : -len(".dist-info")].split(".")[:3] if p.isdigit())
    return ()


def releases_param() -> Any:
    dirs = release_dirs()
    if not dirs:
        return pytest.mark.parametrize("release", [pytest.param(None, marks=pytest.mark.skip(reason=f"{ENV} unset"))])
    return pytest.mark.parametrize("release", dirs, ids=[os.path.basename(d) for d in dirs])


def run_on(release: str, code: str) -> dict[str, Any]:
    """Execute `code` with only `release` (and the standard library) importable; it sets `result` (a
    JSON-able dict); `result["fastapi"]` is the release's version tuple."""
    program = (
        "import sys, json, warnings\n"
        f"sys.path.insert(0, {release!r})\n"
        "warnings.simplefilter('ignore')\n"
        "import fastapi\n"
        "result = {}\n" + textwrap.dedent(code) + "\n"
        "result['fastapi'] = [int(p) for p in fastapi.__version__.split('.')[:3]]\n"
        "print(json.dumps(result))\n"
    )
    done = subprocess.run(
        [sys.executable, "-S", "-c", program], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    out: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return out
