"""What `fastapi-lint check` runs: files grouped by project root, one project index per root, the cache.

Each file belongs to the project of its nearest root (pyproject.toml / setup.cfg / .git / setup.py) and is
checked with that project's `[tool.fastapi-lint]` settings plus the command line's. The index spans the whole
root, so cross-file rules see every module even when a single file is checked; findings are reported only for
the files asked for.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field

from .cache import ResultCache, content_hash, files_key
from .checker import SourceError, check_module, decode_source, discover, log
from .config import ConfigError, Settings, load_settings
from .model.layout import ROOT_MARKERS
from .model.project import Project
from .parallel import check_in_parallel, collector_paused
from .rules.base import Finding

IO_CODE = "E902"  # a file that cannot be read or decoded (ruff's and pycodestyle's code)


@dataclass(frozen=True)
class Overrides:
    """Command-line settings: `select` replaces the configured selection, the others extend it."""

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()

    def apply(self, settings: Settings) -> Settings:
        return settings.with_overrides(
            select=self.select,
            ignore=(*settings.ignore, *self.ignore),
            extend_select=(*settings.extend_select, *self.extend_select),
        )


@dataclass
class Workspace:
    """One project root: its settings, every file of the project, and the files asked for."""

    root: str
    settings: Settings
    requested: list[str]
    files: list[str] = field(default_factory=list)
    data: dict[str, bytes] = field(default_factory=dict)
    read_errors: dict[str, str] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    decode_errors: dict[str, str] = field(default_factory=dict)
    project: Project | None = None
    from_cache: bool = False
    listed: list[str] | None = None  # every file of the root, when already discovered

    def read(self, discovered: list[str] | None = None) -> None:
        """Read every project file (bytes only). `discovered`: the root's files, when already listed."""
        listed = discovered if discovered is not None else discover([self.root], self.settings)
        self.files = sorted({*listed, *self.requested})
        for path in self.files:
            try:
                with open(path, "rb") as fh:
                    self.data[path] = fh.read()
            except OSError as exc:
                self.read_errors[path] = f"cannot read: {exc.strerror or exc}"

    def hashes(self) -> dict[str, str]:
        out = {p: content_hash(d) for p, d in self.data.items()}
        out.update({p: "!" + e for p, e in self.read_errors.items()})
        return out

    def build(self) -> Project:
        if self.project is None:
            for path, data in self.data.items():
                try:
                    self.texts[path] = decode_source(data, path)
                except SourceError as exc:
                    self.decode_errors[path] = str(exc).removeprefix(f"{path}: ")
            self.project = Project(self.root)
            for path, text in self.texts.items():
                try:
                    self.project.add_source(path, text)
                except Exception as exc:  # a bug in the analysis must not end the whole run
                    if os.environ.get("FASTAPI_LINT_STRICT"):
                        raise
                    log.error("cannot analyse %s: %s: %s", path, type(exc).__name__, exc)
                    self.decode_errors[path] = f"cannot analyse (internal error: {type(exc).__name__}: {exc})"
        return self.project

    def text(self, path: str) -> str | None:
        if path in self.texts:
            return self.texts[path]
        data = self.data.get(path)
        if data is None:
            return None
        try:
            self.texts[path] = decode_source(data, path)
        except SourceError:
            return None
        return self.texts[path]

    def check(self, paths: Iterable[str], jobs: int = 1) -> dict[str, list[Finding]]:
        """Findings of `paths` (`jobs` > 1: on forked workers when there are enough files)."""
        self.build()
        paths = list(paths)
        if jobs > 1 and paths:
            # Check one file here first: the index is linked and the rules' per-project tables are built
            # once, before the forked workers share them.
            first = {paths[0]: self.check_file(paths[0])}
            shared = check_in_parallel(self.check_file, paths[1:], jobs)
            if shared is not None:
                return {**first, **shared}
            return {**first, **{path: self.check_file(path) for path in paths[1:]}}
        return {path: self.check_file(path) for path in paths}

    def check_file(self, path: str) -> list[Finding]:
        project = self.build()
        error = self.read_errors.get(path) or self.decode_errors.get(path)
        facts = project.module(path)
        if error is not None or facts is None:
            return [io_finding(path, error or "cannot read")]
        return check_module(project, facts, self.settings)

    def findings(self, use_cache: bool, jobs: int = 1) -> dict[str, list[Finding]]:
        """Findings of the requested files, from the cache when the project is unchanged."""
        if not self.files:
            self.read(self.listed)
        if not use_cache:
            return self.check(self.requested, jobs)
        cache = ResultCache(self.settings)
        key = files_key(self.hashes(), self.root)
        cached = cache.load(key, self.requested)
        if cached is not None:
            self.from_cache = True
            return cached
        result = self.check(self.requested, jobs)
        cache.store(key, result)
        return result


def io_finding(path: str, message: str) -> Finding:
    return Finding(IO_CODE, message[:1].upper() + message[1:], path, (1, 0), (1, 0))


class _Roots:
    """`find_root` of many files, each directory looked at once (sibling directories share their parents)."""

    def __init__(self) -> None:
        self._above: dict[str, str | None] = {}

    def of(self, path: str) -> str:
        directory = os.path.abspath(path if os.path.isdir(path) else os.path.dirname(path))
        return self._root_above(directory) or directory

    def of_file(self, path: str) -> str:
        """`of` for a path known to be a file (what `discover` lists): no `isdir` call per file."""
        directory = os.path.dirname(path)
        return self._root_above(directory) or directory

    def _root_above(self, directory: str) -> str | None:
        """The nearest directory holding a project marker, from `directory` up; None when there is none."""
        if directory not in self._above:
            if any(os.path.exists(os.path.join(directory, m)) for m in ROOT_MARKERS):
                self._above[directory] = directory
            else:
                parent = os.path.dirname(directory)
                self._above[directory] = None if parent == directory else self._root_above(parent)
        return self._above[directory]


def workspaces(paths: Iterable[str], overrides: Overrides) -> list[Workspace]:
    """Group the files under `paths` by project root. Raises ConfigError and FileNotFoundError."""
    roots = _Roots()
    settings_cache: dict[str, Settings] = {}

    def settings_of(root: str) -> Settings:
        if root not in settings_cache:
            settings_cache[root] = overrides.apply(load_settings(root))
        return settings_cache[root]

    grouped: dict[str, list[str]] = {}
    recheck: set[str] = set()  # found under another root's settings: apply their own root's excludes
    listed: dict[str, list[str]] = {}  # root -> every file of the project, when a run listed the root itself
    for raw in paths:
        path = os.path.abspath(raw)
        if not os.path.exists(path):
            raise FileNotFoundError(raw)
        if os.path.isfile(path):
            grouped.setdefault(roots.of(path), []).append(path)
            continue
        walk_root = roots.of(path)
        found = discover([path], settings_of(walk_root))
        if path == walk_root:
            listed[walk_root] = found
        for file in found:
            root = roots.of_file(file)  # `discover` lists absolute paths of files
            grouped.setdefault(root, []).append(file)
            if root != walk_root:
                recheck.add(file)
    out: list[Workspace] = []
    for root in sorted(grouped):
        settings = settings_of(root)
        files = sorted({f for f in grouped[root] if f not in recheck or not settings.is_excluded(f)})
        if files:
            space = Workspace(root, settings, files)
            space.listed = listed.get(root)
            out.append(space)
    return out


def check_paths(
    paths: Iterable[str], overrides: Overrides, use_cache: bool = True, jobs: int = 1
) -> tuple[list[Finding], list[Workspace]]:
    """Every finding of the files under `paths`, sorted, and the workspaces that produced them."""
    spaces = workspaces(paths, overrides)
    findings: list[Finding] = []
    with collector_paused():
        for space in spaces:
            for items in space.findings(use_cache, jobs).values():
                findings.extend(items)
    findings.sort(key=Finding.sort_key)
    return findings, spaces


__all__ = ["ConfigError", "Overrides", "Workspace", "check_paths", "io_finding", "workspaces"]
