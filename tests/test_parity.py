"""Parity: on every rule fixture case, the library, flake8 (with the plugin) and the CLI report the same
findings (code, file, line, column, message), and those are exactly the case's `# expect:` markers.

Every case is copied into its own project (a directory with a pyproject.toml selecting only the case's rule),
then flake8 and the CLI each run once over all of them: each file belongs to the project of its nearest root.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from .fixture_cases import Case, all_cases
from .lib_runner import run_case
from .project_helpers import cli_process, cli_rows, flake8_process, flake8_rows

CASES = all_cases()
Row = tuple[str, int, int, str, str]  # (path relative to the case root, line, 1-based column, code, message)


@dataclass
class Batch:
    root: Path
    cli: set[tuple[str, int, int, str, str]]
    flake8: set[tuple[str, int, int, str, str]]
    cli_stderr: str
    flake8_stderr: str


def case_dir(root: Path, case: Case) -> Path:
    return root / f"{case.code}__{case.path.name.replace('.', '_')}"


def copy_case(case: Case, dest: Path) -> None:
    if case.path.is_file():
        dest.mkdir(parents=True)
        shutil.copy2(case.path, dest / case.path.name)
    else:
        shutil.copytree(case.path, dest, ignore=shutil.ignore_patterns("__pycache__", "*.fixed"))
    pyproject = dest / "pyproject.toml"
    existing = pyproject.read_text(encoding="utf-8") if pyproject.exists() else ""
    assert "[tool.fastapi-lint]" not in existing, f"{case.id}: a case may not bring its own [tool.fastapi-lint]"
    pyproject.write_text(existing + f'\n[tool.fastapi-lint]\nselect = ["{case.code}"]\n', encoding="utf-8")


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Batch:
    root = tmp_path_factory.mktemp("parity")
    for case in CASES:
        copy_case(case, case_dir(root, case))
    cli = cli_process(root, "check", "--no-cache", "--output-format", "json", ".")
    assert cli.returncode in (0, 1), cli.stderr
    flake8 = flake8_process(root, "--select", "FPA", ".")
    assert flake8.returncode in (0, 1), flake8.stdout + flake8.stderr
    return Batch(root, cli_rows(json.loads(cli.stdout)), flake8_rows(flake8.stdout, root), cli.stderr, flake8.stderr)


def _relative(rows: set[Row], base: Path) -> set[Row]:
    prefix = os.fspath(base) + os.sep
    return {(r[0][len(prefix) :], r[1], r[2], r[3], r[4]) for r in rows if r[0].startswith(prefix)}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_front_ends_agree(case: Case, batch: Batch) -> None:
    base = case_dir(batch.root, case)
    lib = {(os.path.relpath(f.path, case.root), f.start[0], f.start[1] + 1, f.code, f.message) for f in run_case(case)}
    expected = {(os.path.relpath(p, case.root), line, col, code) for p, line, col, code in case.expected()}
    cli = _relative(batch.cli, base)
    flake8 = _relative(batch.flake8, base)
    assert {r[:4] for r in lib} == expected, "library vs # expect: markers"
    assert cli == lib, f"CLI differs from the library\n{batch.cli_stderr}"
    assert flake8 == lib, f"flake8 differs from the library\n{batch.flake8_stderr}"


def test_every_case_ran(batch: Batch) -> None:
    """Nothing was reported outside the cases, and flake8 and the CLI saw the same files."""
    assert CASES, "no fixture cases found"
    bases = [os.fspath(case_dir(batch.root, c)) + os.sep for c in CASES]
    for row in batch.cli | batch.flake8:
        assert any(row[0].startswith(b) for b in bases), row
