"""The rules judge FastAPI projects: a project where no module imports FastAPI, Starlette, Pydantic or SQLModel
gets no finding (syntax errors aside), through the library, the CLI and flake8 alike; one such import anywhere in
the project turns every rule on, in every module."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from flake8_fastapi.checker import build_project, check_module, discover
from flake8_fastapi.config import Settings

from .project_helpers import flake8_process, make_project, run_cli

AUTH = """\
import hashlib


def hash_password(password: str) -> str:
    return hashlib.sha256(password.encode()).hexdigest()
"""


def _library(root: Path) -> list[str]:
    settings = Settings(root=os.fspath(root))
    project = build_project(settings.root, discover([settings.root], settings))
    return sorted(f.code for facts in project.modules.values() for f in check_module(project, facts, settings))


def _cli(capsys: pytest.CaptureFixture[str], root: Path) -> list[str]:
    result = run_cli(capsys, root, "check", "--no-cache", "--output-format", "json", ".")
    return sorted(row["code"] for row in json.loads(result.out))


def _flake8(root: Path) -> list[str]:
    out = flake8_process(root, "--select", "FPA,E999", ".").stdout
    return sorted(line.split("|")[3] for line in out.splitlines() if line)


def test_a_project_without_fastapi_gets_no_finding(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project(tmp_path / "plain", {"auth.py": AUTH, "broken.py": "def (:\n"})
    assert _library(root) == ["E999"]
    assert _cli(capsys, root) == ["E999"]
    assert _flake8(root) == ["E999"]


def test_one_fastapi_import_anywhere_turns_the_rules_on(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project(tmp_path / "app", {"auth.py": AUTH, "main.py": "from fastapi import FastAPI\n"})
    assert _library(root) == ["FPA504"]
    assert _cli(capsys, root) == ["FPA504"]
    assert _flake8(root) == ["FPA504"]
