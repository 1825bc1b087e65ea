"""Settings: `[tool.fastapi-lint]` in pyproject.toml, overridden by the command line (or the editor).

The same keys are read by the CLI, the flake8 plugin and the language server. An unknown key or rule code
is a `ConfigError`, never silently ignored.
"""

from __future__ import annotations

import fnmatch
import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

KEYS = ("select", "ignore", "extend-select", "per-file-ignores", "exclude", "target-fastapi")
DEFAULT_EXCLUDE = (
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    "__pycache__",
    "node_modules",
    "build",
    "dist",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".eggs",
    "*.egg-info",
    "site-packages",
)
_CODE = re.compile(r"^FPA\d{0,3}$")


class ConfigError(Exception):
    """A configuration problem the user must fix; reported with exit code 2."""


@dataclass(frozen=True)
class Settings:
    select: tuple[str, ...] | None = None  # None: the default set
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] = ()
    target_fastapi: tuple[int, ...] | None = None
    root: str = "."

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def enabled_codes(self, path: str | None = None) -> frozenset[str]:
        """The codes that run on `path` (or everywhere)."""
        codes = _enabled_everywhere(self)
        if path is not None and self.per_file_ignores:
            rel = _relative(path, self.root)
            for pattern, ignored in self.per_file_ignores:
                if _glob(rel, pattern):
                    codes = frozenset(c for c in codes if not _matches(c, ignored))
        return codes

    def is_excluded(self, path: str) -> bool:
        rel = _relative(path, self.root)
        whole, part, prefixes = _exclusion_matchers(self.exclude)
        return bool(whole.match(rel)) or any(part.match(p) for p in rel.split("/")) or rel.startswith(prefixes)

    def file_exclusion(self, directory: str) -> Callable[[str], bool]:
        """`lambda name: self.is_excluded(os.path.join(directory, name))` for a directory that is not excluded
        itself: its parts and the prefixes are known not to match, so only the name and the whole path are
        tried (asked for every file a run lists)."""
        whole, part, prefixes = _exclusion_matchers(self.exclude)
        base = _relative(directory, self.root)
        if base == ".." or base.startswith("../") or os.path.isabs(base):
            return lambda name: self.is_excluded(os.path.join(directory, name))  # outside the root
        base = "" if base == "." else base + "/"

        def excluded(name: str) -> bool:
            rel = base + name
            return bool(whole.match(rel)) or bool(part.match(name)) or rel.startswith(prefixes)

        return excluded

    def cache_key(self) -> str:
        return repr((self.select, self.ignore, self.extend_select, self.per_file_ignores, self.target_fastapi))


@lru_cache(maxsize=64)
def _enabled_everywhere(settings: Settings) -> frozenset[str]:
    """The selection before per-file ignores (asked once per file: computed once per settings)."""
    from .rules import all_rules

    rules = all_rules()
    if settings.select is None:
        codes = {c for c, r in rules.items() if r.default}
    else:
        codes = {c for c in rules if _matches(c, settings.select)}
    codes |= {c for c in rules if _matches(c, settings.extend_select)}
    return frozenset(c for c in codes if not _matches(c, settings.ignore))


def _relative(path: str, root: str) -> str:
    return relative(path, root).replace(os.sep, "/")


def relative(path: str, root: str) -> str:
    """`os.path.relpath(path, root)`, without its cost in the common case of a path below the root (asked for
    every file and directory a run lists, the warm run's main cost)."""
    path, root = os.path.abspath(path), os.path.abspath(root)
    prefix = root if root.endswith(os.sep) else root + os.sep
    if path.startswith(prefix):
        return path[len(prefix) :]
    return os.path.relpath(path, root)


@lru_cache(maxsize=64)
def _exclusion_matchers(exclude: tuple[str, ...]) -> tuple[re.Pattern[str], re.Pattern[str], tuple[str, ...]]:
    """The exclusion test compiled once: a path (as `_glob` matches it), any of its parts, or a prefix."""
    patterns = [p.rstrip("/") for p in (*DEFAULT_EXCLUDE, *exclude)]
    whole: list[str] = []
    for pattern in patterns:
        glob = pattern.replace(os.sep, "/").removeprefix("./")
        whole += [fnmatch.translate(glob), fnmatch.translate(glob.rstrip("/") + "/*")]
    part = re.compile("|".join(fnmatch.translate(p) for p in patterns))
    return re.compile("|".join(whole)), part, tuple(p + "/" for p in patterns)


def _glob(rel: str, pattern: str) -> bool:
    pattern = pattern.replace(os.sep, "/").removeprefix("./")
    return fnmatch.fnmatchcase(rel, pattern) or fnmatch.fnmatchcase(rel, pattern.rstrip("/") + "/*")


def _matches(code: str, selectors: Iterable[str]) -> bool:
    return any(code.startswith(s) for s in selectors)


def parse_codes(value: Any, where: str) -> tuple[str, ...]:
    """Codes or code prefixes from a list or a comma-separated string; unknown ones are errors."""
    from .rules import all_rules

    if isinstance(value, str):
        items = [v.strip() for v in value.split(",")]
    elif isinstance(value, (list, tuple)):
        items = [str(v).strip() for v in value]
    else:
        raise ConfigError(f"{where}: expected a list of rule codes, got {type(value).__name__}")
    codes = tuple(i.upper() for i in items if i)
    known = all_rules()
    for code in codes:
        if code == "ALL":
            continue
        if not _CODE.match(code) or not any(c.startswith(code) for c in known):
            raise ConfigError(
                f"{where}: unknown rule code {code!r} (codes look like FPA101; see `fastapi-lint rule --all`)"
            )
    return tuple("FPA" if c == "ALL" else c for c in codes)


_VERSION = re.compile(r"^\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:[.-]?(?:a|b|rc|post|dev)\d*)*\s*$", re.IGNORECASE)


def parse_version(value: Any, where: str) -> tuple[int, ...]:
    # A string only: TOML reads `0.100` as the float 0.1. The whole string: "0.115.x" is no version.
    match = _VERSION.match(value) if isinstance(value, str) else None
    if not match:
        raise ConfigError(f'{where}: not a version: {value!r} (expected a string such as "0.115" or "0.115.2")')
    return tuple(int(g) for g in match.groups() if g is not None)


def settings_from_mapping(table: Mapping[str, Any], root: str, where: str) -> Settings:
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)} (known: {', '.join(KEYS)})")
    per_file: list[tuple[str, tuple[str, ...]]] = []
    pfi = table.get("per-file-ignores", {})
    if not isinstance(pfi, Mapping):
        raise ConfigError(f"{where}: per-file-ignores must be a table of glob = [codes]")
    for pattern, codes in pfi.items():
        per_file.append((str(pattern), parse_codes(codes, f"{where} per-file-ignores {pattern!r}")))
    exclude = table.get("exclude", [])
    if not isinstance(exclude, list) or not all(isinstance(e, str) for e in exclude):
        raise ConfigError(f"{where}: exclude must be a list of glob patterns")
    return Settings(
        select=parse_codes(table["select"], f"{where} select") if "select" in table else None,
        ignore=parse_codes(table.get("ignore", []), f"{where} ignore"),
        extend_select=parse_codes(table.get("extend-select", []), f"{where} extend-select"),
        per_file_ignores=tuple(per_file),
        exclude=tuple(exclude),
        target_fastapi=parse_version(table["target-fastapi"], f"{where} target-fastapi")
        if "target-fastapi" in table
        else None,
        root=root,
    )


def load_settings(root: str) -> Settings:
    """Settings of the project at `root` (defaults when it has no `[tool.fastapi-lint]` table)."""
    path = os.path.join(root, "pyproject.toml")
    if not os.path.isfile(path):
        return Settings(root=root)
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc
    table = data.get("tool", {}).get("fastapi-lint")
    if table is None:
        return Settings(root=root)
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.fastapi-lint] must be a table")
    return settings_from_mapping(table, root, f"{path} [tool.fastapi-lint]")
