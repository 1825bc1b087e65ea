"""Run a rule's documented examples as real code (the witness tests execute what the docs show)."""

from __future__ import annotations

import re
from typing import Any

from flake8_fastapi.rules import get_rule


def doc_block(code: str, heading: str) -> str:
    """The ```python block under `heading` (`## Example`, `## Use instead`) of a rule's docs page."""
    rule = get_rule(code)
    assert rule is not None
    part = rule.docs.split(heading, 1)[1]
    match = re.search(r"```python\n(.*?)```", part, re.S)
    assert match, f"{code}: no python block under {heading}"
    return match.group(1)


def run_block(source: str) -> dict[str, Any]:
    """Execute an example as a module of its own and return its namespace."""
    namespace: dict[str, Any] = {"__name__": "witness_example"}
    exec(compile(source, "<docs example>", "exec", dont_inherit=True), namespace)
    return namespace
