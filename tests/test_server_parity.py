"""Parity with the language server: every rule fixture case, checked by a server on a copy of the case, pulls
exactly the findings the library reports (code, file, line, column in the negotiated encoding, message).
It lives here, not under tests/lsp (run serially), so its servers spread over the xdist workers."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
from pytest_lsp import LanguageClient

from .fixture_cases import Case, all_cases
from .lib_runner import run_case
from .lsp.conftest import SERVER, start_session
from .lsp.profiles import PROFILES

CASES = all_cases()
Row = tuple[str, int, int, str, str]


@pytest_lsp.fixture(config=SERVER)
async def client(lsp_client: LanguageClient) -> AsyncIterator[LanguageClient]:
    yield lsp_client
    await lsp_client.shutdown_session()


def copy_case(case: Case, dest: Path) -> list[str]:
    """Copy the case's files under `dest`; returns their paths relative to the case root."""
    rels = [os.path.relpath(f, case.root) for f in case.files]
    if case.path.is_dir():
        shutil.copytree(case.path, dest, ignore=shutil.ignore_patterns("__pycache__"))
    else:
        dest.mkdir(parents=True)
        shutil.copy(case.path, dest / case.path.name)
    return rels


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
async def test_server_reports_what_the_library_reports(case: Case, client: LanguageClient, tmp_path: Path) -> None:
    root = tmp_path / "case"
    rels = copy_case(case, root)
    session = await start_session(client, PROFILES["vscode"], root, {"select": [case.code]})
    await session.scanned()

    expected: set[Row] = set()
    for finding in run_case(case):
        rel = os.path.relpath(finding.path, case.root)
        line = (root / rel).read_text(encoding="utf-8").splitlines(keepends=True)[finding.line - 1]
        expected.add((rel, finding.line, session.units(line, finding.col), finding.code, finding.message))

    got: set[Row] = set()
    for rel in rels:
        uri = session.open(rel)
        for diag in await session.pull(uri):
            got.add((rel, diag.range.start.line + 1, diag.range.start.character, str(diag.code), diag.message))
    assert got == expected
