"""Fixes over every bad fixture of a rule that fixes: the result parses, the fixed findings are gone, a second
pass changes nothing. Where `<case>.fixed` exists beside a single-file case, the result must equal it."""

from __future__ import annotations

import ast
import os

import pytest

from flake8_fastapi.checker import check_source
from flake8_fastapi.config import Settings
from flake8_fastapi.fixes import apply_fixes
from flake8_fastapi.model.source import SourceFile
from flake8_fastapi.rules import all_rules

from .fixture_cases import Case, all_cases

RULES = all_rules()
CASES = [
    c
    for c in all_cases()
    if c.path.is_file() and not c.path.name.startswith("good") and c.code in RULES and RULES[c.code].fix
]


def fix_once(text: str, path: str, code: str) -> tuple[str, int]:
    settings = Settings(select=(code,), root=os.path.dirname(path))
    findings = check_source(text, path, settings)
    new, fixed = apply_fixes(SourceFile.parse(path, text), findings, unsafe=True)
    return new, len(fixed)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_fix_converges(case: Case) -> None:
    path = os.fspath(case.path.resolve())
    text = case.path.read_text(encoding="utf-8")
    fixed_text = text
    for _ in range(5):  # overlapping fixes land over several passes, as `--fix` loops
        new, count = fix_once(fixed_text, path, case.code)
        if count == 0:
            break
        ast.parse(new)
        fixed_text = new
    assert fixed_text != text, "the rule fixes but nothing changed"
    remaining = [
        f
        for f in check_source(fixed_text, path, Settings(select=(case.code,), root=os.path.dirname(path)))
        if f.fix is not None
    ]
    assert not remaining, f"fixable findings left after fixing: {remaining}"
    again, count = fix_once(fixed_text, path, case.code)
    assert count == 0 and again == fixed_text, "a second fix pass changed the file"
    snapshot = case.path.with_name(case.path.name + ".fixed")
    if snapshot.exists():
        assert fixed_text == snapshot.read_text(encoding="utf-8")
