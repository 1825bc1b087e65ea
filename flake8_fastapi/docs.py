"""Rule documentation: the page of a rule and the one URL every front end links to.

`rule_markdown(code)` is the page (title, default state, fix availability, then the rule module's docstring),
printed by `fastapi-lint rule CODE` and shown on hover. `rule_url(code)` is the link used by the CLI's JSON and
SARIF output and by the language server's `codeDescription.href`: the rendered page `docs/rules/<CODE>.md`
of the source checkout when there is one, else the page shipped as package data (`flake8_fastapi/docs/`),
else the rule's own module (whose docstring is the same page). Always a `file://` URI that exists.

Each rule area has a guidance page, `docs/guides/<area>.md` (`guide_path(area)`, `guide_url(area)`): the
patterns the area's rules enforce. Every rule page links its guide, and each guide ends with a table of the
area's rules generated from the registry (`guide_rules_block(area)`, kept up to date by `scripts/gen_docs.py`).
"""

from __future__ import annotations

import inspect
import os
from pathlib import Path

from .rules import all_rules, get_rule
from .rules.base import AREAS, Rule

_PACKAGE = Path(__file__).resolve().parent
DOCS_DIRS = (_PACKAGE.parent / "docs" / "rules", _PACKAGE / "docs" / "rules", _PACKAGE / "docs")
GUIDE_DIRS = (_PACKAGE.parent / "docs" / "guides", _PACKAGE / "docs" / "guides")

GUIDE_TITLES = {
    "routes": "Routes",
    "params": "Parameters and dependencies",
    "async": "Async",
    "models": "Models",
    "security": "Security",
    "errors": "Errors and OpenAPI docs",
    "database": "Database",
    "testing": "Testing",
    "app": "Application set-up",
}
GUIDE_START = "<!-- guide-rules:start -->"
GUIDE_END = "<!-- guide-rules:end -->"


class UnknownRule(LookupError):
    """A code that names no rule."""


def _rule(code: str) -> Rule:
    rule = get_rule(code.strip())
    if rule is None:
        raise UnknownRule(f"unknown rule code {code!r} (see `fastapi-lint rule --all`)")
    return rule


def rule_page_path(code: str) -> Path:
    """The file that documents the rule: a rendered page if one exists, else the rule's module."""
    rule = _rule(code)
    for directory in DOCS_DIRS:
        page = directory / f"{rule.code}.md"
        if page.is_file():
            return page
    module = inspect.getmodule(rule.check)
    source = getattr(module, "__file__", None)
    if source is None:  # pragma: no cover - rules always come from files
        return _PACKAGE / "rules" / "__init__.py"
    return Path(os.path.abspath(source))


def rule_url(code: str) -> str:
    """A `file://` URI of the rule's documentation page."""
    return rule_page_path(code).as_uri()


def default_label(rule: Rule) -> str:
    return "on by default" if rule.default else 'opt-in (enable it by code: `extend-select = ["' + rule.code + '"]`)'


def fix_label(rule: Rule) -> str:
    if rule.fix == "safe":
        return "Fix is always available (safe: applied by `--fix`)."
    if rule.fix == "unsafe":
        return "Fix is sometimes available (unsafe: applied by `--fix --unsafe-fixes`)."
    return "No fix."


def guide_areas() -> list[str]:
    """The rule areas, in catalogue order; each has a guide `docs/guides/<area>.md`."""
    return list(AREAS.values())


def guide_path(area: str) -> Path | None:
    """The guide of a rule area: the checkout's page, else the one shipped as package data, else None."""
    if area not in GUIDE_TITLES:
        return None
    for directory in GUIDE_DIRS:
        page = directory / f"{area}.md"
        if page.is_file():
            return page
    return None


def guide_url(area: str) -> str | None:
    """A `file://` URI of the area's guide, or None when the guide is not on disk."""
    page = guide_path(area)
    return page.as_uri() if page is not None else None


def guide_link(area: str, *, relative: bool = False) -> str:
    """The link to an area's guide: relative to docs/rules/ (for the rendered pages), else a `file://` URI."""
    url = None if relative else guide_url(area)
    return url or f"../guides/{area}.md"


def area_rules(area: str) -> list[Rule]:
    """The registered rules of an area, by code."""
    return [rule for rule in all_rules().values() if rule.area == area]


def guide_rules_block(area: str) -> str:
    """The table of an area's rules that ends its guide (links relative to docs/guides/)."""
    lines = ["| Rule | Name | Default | Fix | What it finds |", "|---|---|---|---|---|"]
    for rule in area_rules(area):
        summary = " ".join(rule.summary.split()).replace("|", "\\|")
        lines.append(
            f"| [{rule.code}](../rules/{rule.code}.md) | `{rule.name}` | {'on' if rule.default else 'opt-in'} "
            f"| {rule.fix or '-'} | {summary} |"
        )
    return "\n".join(lines)


def render_guide(text: str, area: str) -> str:
    """The guide `text` with its generated rule table brought up to date."""
    start = text.find(GUIDE_START)
    end = text.find(GUIDE_END)
    if start < 0 or end < start:
        return text
    return text[: start + len(GUIDE_START)] + "\n" + guide_rules_block(area) + "\n" + text[end:]


def rule_markdown(code: str, *, relative_links: bool = False) -> str:
    """The rule's full documentation page as Markdown.

    The page links the guide of the rule's area: a `file://` URI (for `rule CODE` and hover), or with
    `relative_links` a link relative to docs/rules/ (for the pages `scripts/gen_docs.py` writes).
    """
    rule = _rule(code)
    head = [
        f"# {rule.code} {rule.name}",
        "",
        f"{rule.summary}.".replace("..", "."),
        "",
        f"Default: {default_label(rule)}.",
        "",
        f"Fix: {fix_label(rule)}",
        "",
    ]
    if rule.peers:
        head += [f"Peers: {', '.join(rule.peers)}.", ""]
    if rule.area in GUIDE_TITLES:
        title = GUIDE_TITLES[rule.area]
        head += [f"Guide: [{title}]({guide_link(rule.area, relative=relative_links)}).", ""]
    return "\n".join(head) + "\n" + rule.docs.strip() + "\n"


def all_codes() -> list[str]:
    return list(all_rules())
