"""Every rule's documentation page is complete and its examples are tested: the bad one triggers the rule,
the good one does not. An example is an excerpt of a FastAPI project: it is checked beside an `app.py` that
creates the application (the rules stay silent in projects that do not use FastAPI)."""

from __future__ import annotations

import re

import pytest

from flake8_fastapi.config import Settings
from flake8_fastapi.rules import all_rules
from flake8_fastapi.rules.base import Rule

from .lib_runner import check_in_an_app

RULES = list(all_rules().values())
SECTIONS = ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Fix", "## See also")


def _block(docs: str, heading: str) -> str:
    part = docs.split(heading, 1)[1]
    m = re.search(r"```python\n(.*?)```", part, re.S)
    assert m, f"no python block under {heading}"
    return m.group(1)


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_docs_sections(rule: Rule) -> None:
    for section in SECTIONS:
        assert section in rule.docs, f"{rule.code} docs lack {section!r}"
    assert re.search(r"https://\S+", rule.docs.split("## See also", 1)[1]), "link to the official docs"
    assert re.fullmatch(r"FPA\d{3}", rule.code)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name)


def _check_in_an_app(source: str, code: str, root: str) -> list[str]:
    return [f.code for f in check_in_an_app(source, root, Settings(select=(code,), root=root))]


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_docs_examples(rule: Rule, tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = _check_in_an_app(_block(rule.docs, "## Example"), rule.code, str(tmp_path))
    assert rule.code in bad, f"{rule.code}: the bad example does not trigger the rule"
    good = _check_in_an_app(_block(rule.docs, "## Use instead"), rule.code, str(tmp_path))
    assert rule.code not in good, f"{rule.code}: the good example triggers the rule"
