"""Rule documentation for hovers and links: `flake8_fastapi.docs` when present, else the rule's own page."""

from __future__ import annotations

import inspect
from pathlib import Path

from flake8_fastapi.rules import get_rule

try:  # the library's documentation module (shared with the CLI's `rule CODE`)
    from flake8_fastapi import docs as _docs
except ImportError:  # pragma: no cover - older library without it
    _docs = None  # type: ignore[assignment]


def rule_url(code: str) -> str | None:
    rule = get_rule(code)
    if rule is None:
        return None
    if _docs is not None:
        return _docs.rule_url(code)
    module = inspect.getmodule(rule.check)  # pragma: no cover
    source = getattr(module, "__file__", None)  # pragma: no cover
    return Path(source).resolve().as_uri() if source else None  # pragma: no cover


def rule_markdown(code: str) -> str | None:
    rule = get_rule(code)
    if rule is None:
        return None
    if _docs is not None:
        return _docs.rule_markdown(code)
    return f"# {rule.code} {rule.name}\n\n{rule.summary}\n\n{rule.docs.strip()}\n"  # pragma: no cover
