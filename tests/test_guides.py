"""The guidance pages (docs/guides/<area>.md): one per rule area, each linking every rule of its area, and every
rule page linking its guide."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from flake8_fastapi.config import Settings
from flake8_fastapi.docs import (
    GUIDE_END,
    GUIDE_START,
    GUIDE_TITLES,
    area_rules,
    guide_areas,
    guide_path,
    guide_rules_block,
    guide_url,
    render_guide,
    rule_markdown,
)
from flake8_fastapi.rules import all_rules
from flake8_fastapi.rules.base import AREAS

from .lib_runner import check_in_an_app

REPO = Path(__file__).resolve().parent.parent
GUIDES = REPO / "docs" / "guides"
LINK = re.compile(r"\]\(([^)\s]+)\)")


def _links(text: str) -> list[str]:
    return LINK.findall(text)


def test_every_area_has_a_guide() -> None:
    assert guide_areas() == list(AREAS.values())
    assert set(GUIDE_TITLES) == set(AREAS.values())
    for area in guide_areas():
        page = GUIDES / f"{area}.md"
        assert page.is_file(), f"missing guide {page.relative_to(REPO)}"
        assert guide_path(area) == page
        assert guide_url(area) == page.as_uri()
    assert sorted(p.stem for p in GUIDES.glob("*.md")) == sorted(AREAS.values())


def test_every_rule_belongs_to_an_area_with_a_guide() -> None:
    for code, rule in all_rules().items():
        assert rule.area in GUIDE_TITLES, code


@pytest.mark.parametrize("area", list(AREAS.values()))
def test_guide_links_every_rule_of_its_area(area: str) -> None:
    text = (GUIDES / f"{area}.md").read_text(encoding="utf-8")
    assert text.startswith(f"# {GUIDE_TITLES[area]}\n")
    assert render_guide(text, area) == text, "rule table out of date: run `python scripts/gen_docs.py`"
    block = text.split(GUIDE_START, 1)[1].split(GUIDE_END, 1)[0]
    assert block.strip() == guide_rules_block(area)
    linked = set(re.findall(r"\.\./rules/(FPA\d{3})\.md", text))
    codes = {rule.code for rule in area_rules(area)}
    assert codes, f"no rules in area {area}"
    assert codes <= linked, f"{area}.md does not link {sorted(codes - linked)}"
    assert linked <= set(all_rules()), f"{area}.md links unknown rules {sorted(linked - set(all_rules()))}"


@pytest.mark.parametrize("area", list(AREAS.values()))
def test_guide_links_resolve(area: str) -> None:
    page = GUIDES / f"{area}.md"
    for target in _links(page.read_text(encoding="utf-8")):
        if target.startswith(("http://", "https://")):
            continue
        path, _, fragment = target.partition("#")
        resolved = (page.parent / path).resolve() if path else page
        assert resolved.is_file(), f"{page.name}: broken link {target}"
        if fragment:
            headings = re.findall(r"^#+ (.+)$", resolved.read_text(encoding="utf-8"), flags=re.MULTILINE)
            slugs = {re.sub(r"[^\w\- ]", "", h.lower()).strip().replace(" ", "-") for h in headings}
            assert fragment in slugs, f"{page.name}: no heading for #{fragment} in {resolved.name}"


@pytest.mark.parametrize("code", list(all_rules()))
def test_rule_page_links_its_guide(code: str) -> None:
    rule = all_rules()[code]
    title = GUIDE_TITLES[rule.area]
    # `rule CODE` and hover: an absolute file:// link to the guide
    assert f"Guide: [{title}]({guide_url(rule.area)})." in rule_markdown(code)
    # the rendered page docs/rules/CODE.md: a relative link that resolves
    relative = rule_markdown(code, relative_links=True)
    assert f"Guide: [{title}](../guides/{rule.area}.md)." in relative
    page = REPO / "docs" / "rules" / f"{code}.md"
    assert page.is_file()
    assert f"](../guides/{rule.area}.md)" in page.read_text(encoding="utf-8")
    assert (page.parent / f"../guides/{rule.area}.md").resolve().is_file()


def test_readme_links_every_guide() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for area in AREAS.values():
        assert f"](docs/guides/{area}.md)" in readme, f"README does not link docs/guides/{area}.md"


def test_render_guide_leaves_pages_without_markers_alone() -> None:
    assert render_guide("# x\n", "routes") == "# x\n"


@pytest.mark.parametrize("area", sorted(GUIDE_TITLES))
def test_guide_examples_are_idiomatic_and_clean(area: str, tmp_path: Path) -> None:
    """The guides show modern FastAPI (Annotated, lifespan, Pydantic v2, ASGITransport, eager loading,
    compare_digest, bound SQL): the default rule set must stay silent on every example."""
    text = (GUIDES / f"{area}.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert blocks, f"{area}.md has no python example"
    for index, block in enumerate(blocks):
        ast.parse(block)
        found = check_in_an_app(block, str(tmp_path), Settings(root=str(tmp_path)), f"example_{index}.py")
        assert not found, f"{area}.md example {index}: {[(f.code, f.line, f.message) for f in found]}"
