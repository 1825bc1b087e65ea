"""The FastAPI version a project targets, for rules whose truth depends on it.

Order: the `target-fastapi` setting; else the project's own pins (pyproject.toml dependencies,
requirements*.txt, uv.lock, poetry.lock, Pipfile.lock); else the version installed in a virtual environment
beside the project (`.venv`, `venv`: read from its dist-info, never imported). None when nothing says.
"""

from __future__ import annotations

import glob
import json
import os
import re
import sys
from functools import lru_cache

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

Version = tuple[int, ...]
_REQ = re.compile(r"^\s*fastapi(?:\[[^\]]*\])?\s*(==|~=|>=|===)\s*([0-9][0-9.]*)", re.IGNORECASE | re.MULTILINE)


def parse(text: str) -> Version | None:
    m = re.match(r"\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?", text)
    return tuple(int(g) for g in m.groups() if g is not None) if m else None


def _from_requirement_lines(text: str) -> Version | None:
    m = _REQ.search(text)
    return parse(m.group(2)) if m else None


def _from_pyproject(root: str) -> Version | None:
    path = os.path.join(root, "pyproject.toml")
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError):
        return None
    deps: list[str] = list(data.get("project", {}).get("dependencies", []) or [])
    for extra in (data.get("project", {}).get("optional-dependencies", {}) or {}).values():
        deps.extend(extra)
    found = _from_requirement_lines("\n".join(str(d) for d in deps))
    if found:
        return found
    poetry = data.get("tool", {}).get("poetry", {}).get("dependencies", {}) or {}
    spec = poetry.get("fastapi")
    if isinstance(spec, dict):
        spec = spec.get("version")
    if isinstance(spec, str):
        return parse(spec.lstrip("^~=>< "))
    return None


def _from_locks(root: str) -> Version | None:
    for name in ("uv.lock", "poetry.lock"):
        try:
            with open(os.path.join(root, name), "rb") as fh:
                data = tomllib.load(fh)
        except (OSError, tomllib.TOMLDecodeError):
            continue
        for package in data.get("package", []) or []:
            if str(package.get("name", "")).lower() == "fastapi":
                return parse(str(package.get("version", "")))
    try:
        with open(os.path.join(root, "Pipfile.lock"), encoding="utf-8") as fh:
            pipfile = json.load(fh)
        version = pipfile.get("default", {}).get("fastapi", {}).get("version", "")
        return parse(version.lstrip("=")) if version else None
    except (OSError, ValueError, AttributeError):
        return None


def _from_requirements(root: str) -> Version | None:
    for path in sorted(glob.glob(os.path.join(root, "requirements*.txt"))):
        try:
            with open(path, encoding="utf-8") as fh:
                found = _from_requirement_lines(fh.read())
        except (OSError, UnicodeDecodeError):
            continue
        if found:
            return found
    return None


def _from_environment(root: str) -> Version | None:
    for venv in (".venv", "venv", "env"):
        pattern = os.path.join(root, venv, "lib", "python*", "site-packages", "fastapi-*.dist-info")
        for dist in sorted(glob.glob(pattern)):
            m = re.search(r"fastapi-([0-9][0-9.]*)\.dist-info$", dist)
            if m:
                return parse(m.group(1))
    return None


@lru_cache(maxsize=64)
def project_fastapi_version(root: str) -> Version | None:
    return _from_pyproject(root) or _from_locks(root) or _from_requirements(root) or _from_environment(root)


def target_fastapi(setting: Version | None, root: str) -> Version | None:
    return setting if setting is not None else project_fastapi_version(os.path.abspath(root))
