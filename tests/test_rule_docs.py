"""Every rule's documentation page is complete and its examples are tested: the bad one triggers the rule,
the good one does not."""

from __future__ import annotations

import re

import pytest

from flake8_fastapi.checker import check_source
from flake8_fastapi.config import Settings
from flake8_fastapi.rules import all_rules
from flake8_fastapi.rules.base import Rule

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


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_docs_examples(rule: Rule, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(select=(rule.code,), root=str(tmp_path))
    bad = check_source(_block(rule.docs, "## Example"), str(tmp_path / "example.py"), settings)
    assert any(f.code == rule.code for f in bad), f"{rule.code}: the bad example does not trigger the rule"
    good = check_source(_block(rule.docs, "## Use instead"), str(tmp_path / "example.py"), settings)
    assert not [f for f in good if f.code == rule.code], f"{rule.code}: the good example triggers the rule"
