"""Run the library on a fixture case the way the CLI does (one project rooted at the case)."""

from __future__ import annotations

import os

from flake8_fastapi.checker import build_project, check_module
from flake8_fastapi.config import Settings
from flake8_fastapi.rules.base import Finding

from .fixture_cases import Case


def run_case(case: Case, select: tuple[str, ...] | None = None) -> list[Finding]:
    settings = Settings(select=select or (case.code,), root=os.fspath(case.root))
    files = [os.fspath(f.resolve()) for f in case.files]
    project = build_project(settings.root, files)
    out: list[Finding] = []
    for facts in project.modules.values():
        out.extend(check_module(project, facts, settings))
    return out


def as_tuples(findings: list[Finding]) -> set[tuple[str, int, int, str]]:
    return {(f.path, f.start[0], f.start[1] + 1, f.code) for f in findings}
