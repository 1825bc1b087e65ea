"""The flake8 adapter: `flake8 --select FPA` reports what `fastapi-lint check` reports.

The project index of a file's project root is built once per process (once per worker with `--jobs`) and
reused for every file of that project; flake8's own tree is used for a file the index does not hold as flake8
read it. Settings come from the root's `[tool.fastapi-lint]`; flake8's `--select`/`--extend-select` filter the
output as usual, and an opt-in rule named there by its full code is enabled. flake8 applies `# noqa` itself.
Files matching the table's `exclude` are skipped (flake8 cannot tell a file named on its command line from one
found in a directory, so unlike `fastapi-lint check FILE` an excluded file is skipped even when named).
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from . import __version__
from .checker import SourceError, build_project, check_module, discover, read_source
from .config import ConfigError, Settings, load_settings
from .model.layout import find_root
from .model.project import Project
from .rules import all_rules

_FULL_CODE = re.compile(r"^FPA\d{3}$")


@dataclass
class _ProjectState:
    settings: Settings
    project: Project | None = None

    def index(self, path: str, text: str, tree: ast.Module | None) -> Project:
        """The project index, built on first use with flake8's tree for the file flake8 is checking."""
        if self.project is None:
            root = self.settings.root
            with warnings.catch_warnings():  # the interpreter's warnings about other files' code: not ours
                warnings.simplefilter("ignore", SyntaxWarning)
                warnings.filterwarnings("ignore", "invalid escape sequence", DeprecationWarning)
                self.project = build_project(root, [f for f in discover([root], self.settings) if f != path])
            self.project.add_source(path, text, tree)
        return self.project


_PROJECTS: dict[str, _ProjectState] = {}
_ROOTS: dict[str, str] = {}


def _root_of(directory: str) -> str:
    if directory not in _ROOTS:
        _ROOTS[directory] = find_root(directory)
    return _ROOTS[directory]


def _state(root: str) -> _ProjectState:
    """The settings (and, once built, the project index) of `root` (raises ConfigError)."""
    state = _PROJECTS.get(root)
    if state is None:
        state = _PROJECTS[root] = _ProjectState(load_settings(root))
    return state


def _universal(text: str) -> str:
    """The text as flake8 reads it (universal newlines)."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _flake8_error(exc: ConfigError) -> Exception:
    """flake8 prints an ExecutionError as one message ("There was a critical error ...") and exits 1."""
    from flake8.exceptions import ExecutionError

    error: Exception = ExecutionError(f"fastapi-lint: {exc}")
    return error


def reset() -> None:
    """Forget every project index (tests; a long-lived process after files changed)."""
    _PROJECTS.clear()
    _ROOTS.clear()


class Plugin:
    name = "fastapi-lint"
    version = __version__
    explicit_codes: ClassVar[frozenset[str]] = frozenset()  # opt-in codes named in flake8's --select

    def __init__(self, tree: ast.AST, filename: str, lines: list[str] | None = None) -> None:
        self.tree = tree
        self.filename = filename
        self.lines = lines

    @classmethod
    def parse_options(cls, options: argparse.Namespace) -> None:
        named: set[str] = set()
        for attr in ("select", "extend_select"):
            for code in getattr(options, attr, None) or ():
                code = str(code).strip().upper()
                if _FULL_CODE.match(code):
                    named.add(code)
        rules = all_rules()
        cls.explicit_codes = frozenset(c for c in named if c in rules)
        # Validate the configuration of the project flake8 runs in once, as one clear error.
        try:
            load_settings(_root_of(os.getcwd()))
        except ConfigError as exc:
            raise _flake8_error(exc) from None

    def run(self) -> Iterator[tuple[int, int, str, type[Any]]]:
        stdin = self.filename in ("stdin", "-", None)
        path = os.path.abspath("stdin.py" if stdin else self.filename)
        try:
            state = _state(_root_of(os.path.dirname(path)))
        except ConfigError as exc:
            raise _flake8_error(exc) from None
        if not stdin and state.settings.is_excluded(path):
            return  # `exclude` of [tool.fastapi-lint], as `fastapi-lint check DIR` skips it
        if self.lines is not None:
            text = "".join(self.lines)
        else:
            try:
                text = read_source(path)
            except SourceError:
                return  # flake8 reports an unreadable file itself (E902)
        tree = self.tree if isinstance(self.tree, ast.Module) else None
        project = state.index(path, text, tree)
        facts = project.module(path)
        if facts is None or _universal(facts.source.text) != _universal(text):
            facts = project.add_source(path, text, tree)  # not indexed, or changed since: flake8's version
        settings = state.settings
        extra = self.explicit_codes - settings.enabled_codes(path)
        if extra:  # ignore and per-file-ignores still apply to them
            settings = settings.with_overrides(extend_select=(*settings.extend_select, *sorted(extra)))
        for finding in check_module(project, facts, settings, honour_noqa=False):
            line, col = finding.start
            yield line, col, f"{finding.code} {finding.message}", type(self)
