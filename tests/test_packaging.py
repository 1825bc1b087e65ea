"""The distribution's wiring: console script, flake8 entry point, pre-commit hook, CI entry point."""

from __future__ import annotations

import importlib.metadata
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _entry_points(group: str) -> dict[str, importlib.metadata.EntryPoint]:
    dist = importlib.metadata.distribution("fastapi-lint")
    return {ep.name: ep for ep in dist.entry_points if ep.group == group}


def test_console_script_is_the_cli() -> None:
    ep = _entry_points("console_scripts")["fastapi-lint"]
    assert ep.value == "flake8_fastapi.cli:run"
    assert callable(ep.load())


def test_flake8_finds_the_plugin_under_the_fpa_prefix() -> None:
    ep = _entry_points("flake8.extension")["FPA"]
    assert ep.value == "flake8_fastapi.flake8_plugin:Plugin"
    plugin = ep.load()
    assert isinstance(plugin, type)
    proc = subprocess.run(
        [sys.executable, "-m", "flake8", "--version"], capture_output=True, text=True, check=True, timeout=60
    )
    assert "fastapi-lint" in proc.stdout, proc.stdout


def test_console_script_is_installed_beside_the_interpreter() -> None:
    script = Path(sys.executable).parent / "fastapi-lint"
    exe = script if script.exists() else shutil.which("fastapi-lint")
    assert exe, "fastapi-lint is not on PATH: pip install -e ."
    proc = subprocess.run([str(exe), "--version"], capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    assert importlib.metadata.version("fastapi-lint") in proc.stdout + proc.stderr


def test_pre_commit_hook() -> None:
    yaml = pytest.importorskip("yaml")
    hooks = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    hook = hooks["fastapi-lint"]
    assert hook["entry"] == "fastapi-lint check"
    assert hook["language"] == "python"
    assert hook["types"] == ["python"]
    assert hook["require_serial"] is True
    for h in hooks.values():
        assert h["entry"].split()[0] in _entry_points("console_scripts")


def test_ci_runs_the_readme_test_command() -> None:
    run = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert run.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in run
    assert "exec bash scripts/test.sh" in run
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "bash scripts/test.sh" in readme and "bash scripts/demo.sh" in readme
