"""Run the library on a fixture case the way the CLI does (one project rooted at the case)."""

from __future__ import annotations

import os

from flake8_fastapi.checker import build_project, check_module
from flake8_fastapi.config import Settings
from flake8_fastapi.model.project import Project
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


def check_in_an_app(
    source: str, root: str | None = None, settings: Settings | None = None, name: str = "example.py"
) -> list[Finding]:
    """Check a snippet as one module of a project that uses FastAPI (beside a module that only imports it):
    documentation examples and witnesses are excerpts of such projects, and the rules stay silent where FastAPI
    is not used."""
    root = root or os.path.abspath("example-project")
    settings = settings or Settings(root=root)
    project = Project(root)
    project.add_source(os.path.join(root, "_uses_fastapi.py"), "import fastapi\n")
    facts = project.add_source(os.path.join(root, name), source)
    return check_module(project, facts, settings)
