"""The library's entry points: find files, build the project index, run the enabled rules on a module.

Every front end (flake8 plugin, CLI, language server) goes through `check_module`, so they agree.
"""

from __future__ import annotations

import io
import logging
import os
import re
import tokenize
from collections.abc import Iterable, Iterator
from dataclasses import replace

from .config import Settings
from .model.facts import ModuleFacts
from .model.layout import find_root
from .model.project import Project
from .parallel import collector_paused
from .rules import all_rules
from .rules.base import Context, Finding

log = logging.getLogger("fastapi_lint")

SYNTAX_CODE = "E999"
# The same pattern as flake8 (exactly one space after the hash), so both front ends suppress the same findings.
NOQA = re.compile(r"# noqa(?::[\s]?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)
_SPLIT = re.compile(r"[,\s]+")


class SourceError(Exception):
    """A file that cannot be read or decoded."""


def read_source(path: str) -> str:
    """Read a Python file honouring its PEP 263 encoding declaration."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise SourceError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    return decode_source(data, path)


def decode_source(data: bytes, path: str = "<source>") -> str:
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError) as exc:
        raise SourceError(f"{path}: cannot decode: {exc}") from exc
    return text.removeprefix("\ufeff")


def discover(paths: Iterable[str], settings: Settings) -> list[str]:
    """Python files under `paths` (explicit files always; directories minus excluded entries)."""
    out: list[str] = []
    for path in paths:
        path = os.path.abspath(path)
        if os.path.isfile(path):
            out.append(path)
            continue
        # A directory named explicitly is never excluded by its own ancestors (`.venv/.../site-packages/pkg`):
        # below it, exclusion is judged relative to it.
        walk = replace(settings, root=path) if settings.is_excluded(path) else settings
        for dirpath, dirnames, filenames in os.walk(path):
            dirnames[:] = sorted(d for d in dirnames if not walk.is_excluded(os.path.join(dirpath, d)))
            # The directory is not excluded, so a file in it is only by its own name or its whole path.
            excluded = walk.file_exclusion(dirpath)
            for name in sorted(filenames):
                if name.endswith(".py") and not excluded(name):
                    out.append(os.path.join(dirpath, name))
    return sorted(dict.fromkeys(out))


def build_project(root: str, files: Iterable[str], sources: dict[str, str] | None = None) -> Project:
    """A project of `files`; unreadable files are skipped here and reported by `check_file`."""
    project = Project(root)
    with collector_paused():
        for path in files:
            text = sources.get(path) if sources else None
            if text is None:
                try:
                    text = read_source(path)
                except SourceError:
                    continue
            project.add_source(path, text)
    return project


def noqa_codes(line: str) -> frozenset[str] | None:
    """None: no noqa comment; empty set: a bare `# noqa`; else the codes listed."""
    match = NOQA.search(line)
    if match is None:
        return None
    codes = match.group("codes")
    if not codes:
        return frozenset()
    return frozenset(c.upper() for c in _SPLIT.split(codes) if c)


def is_suppressed(finding: Finding, facts: ModuleFacts) -> bool:
    line = facts.source.line(finding.start[0])
    if "#" not in line:
        return False
    codes = noqa_codes(line)
    if codes is None:
        return False
    return not codes or any(finding.code.startswith(c) for c in codes)


def syntax_finding(facts: ModuleFacts) -> Finding:
    err = facts.source.syntax_error
    assert err is not None
    line = err.lineno or 1
    col = max((err.offset or 1) - 1, 0)
    return Finding(SYNTAX_CODE, f"SyntaxError: {err.msg}", facts.path, (line, col), (line, col))


def run_rules(
    project: Project, facts: ModuleFacts, settings: Settings, codes: Iterable[str] | None = None
) -> Iterator[Finding]:
    """Findings of the given (default: enabled) rules on one module, before noqa. One failing rule is
    logged and skipped; the others still report. Set FASTAPI_LINT_STRICT=1 to raise instead (tests).

    Nothing in a project that does not use FastAPI (no module imports FastAPI, Starlette, Pydantic or
    SQLModel): the rules judge FastAPI applications, and a generic rule's finding (a timing-unsafe `==`, a
    blocking call in `async def`) in an unrelated codebase is noise to the user who ran a FastAPI linter."""
    if not project.uses_fastapi:
        return
    rules = all_rules()
    wanted = settings.enabled_codes(facts.path) if codes is None else codes
    ctx = Context(project, facts, settings)
    for code in sorted(wanted):
        rule = rules.get(code)
        if rule is None:
            continue
        ctx.rule = rule
        try:
            yield from rule.check(ctx)
        except Exception:
            if os.environ.get("FASTAPI_LINT_STRICT"):
                raise
            log.exception("rule %s failed on %s", code, facts.path)


def check_module(
    project: Project,
    facts: ModuleFacts,
    settings: Settings,
    *,
    honour_noqa: bool = True,
    codes: Iterable[str] | None = None,
) -> list[Finding]:
    """Findings of the enabled rules (or of `codes`, a subset the caller picked) on one module, noqa applied,
    sorted by position."""
    if facts.source.syntax_error is not None:
        return [syntax_finding(facts)]
    found = [f for f in run_rules(project, facts, settings, codes) if not honour_noqa or not is_suppressed(f, facts)]
    return sorted(set(found), key=Finding.sort_key)


def check_source(
    text: str, path: str = "example.py", settings: Settings | None = None, *, honour_noqa: bool = True
) -> list[Finding]:
    """Check one piece of source on its own (a project of one module)."""
    settings = settings or Settings(root=os.path.dirname(os.path.abspath(path)))
    project = Project(settings.root)
    facts = project.add_source(path, text)
    return check_module(project, facts, settings, honour_noqa=honour_noqa)


def project_root(paths: Iterable[str]) -> str:
    paths = list(paths) or ["."]
    return find_root(os.path.commonpath([os.path.abspath(p) for p in paths]))
