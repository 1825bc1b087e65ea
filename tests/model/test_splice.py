"""`SourceFile.parse(..., previous=...)` re-parses only the top-level statement an edit touched.

The property: whatever the edit, the tree is exactly `ast.parse` of the new text (every node, every position),
or the text does not parse and the file carries the syntax error. Edits are drawn to hit the hard cases: inside a
statement, between statements, across a boundary, opening and closing brackets and strings, indentation,
backslashes, `;`, and lines that become code or comments.
"""

from __future__ import annotations

import ast
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from flake8_fastapi.model.source import SourceFile
from tests.hardening.strategies import fastapi_modules
from tests.hardening.test_fuzz import fuzz

FIXTURES = sorted((Path(__file__).resolve().parent.parent / "fixtures").rglob("*.py"))
SAMPLES = [p.read_text(encoding="utf-8") for p in FIXTURES if p.stat().st_size < 6000][:120]

BASE = '''\
"""Doc."""
from fastapi import APIRouter

router = APIRouter()
x = 1; y = 2


@router.get("/items/{item_id}")
async def read_item(item_id: int) -> dict[str, int]:
    total = 0  # comment
    for i in range(item_id):
        total += i
    return {"id": item_id, "total": total}

# between


class Item:
    name: str = "n"
'''

# Fragments an edit writes into a line: brackets, quotes, block openers, continuations, separators.
FRAGMENTS = st.sampled_from(
    ["(", ")", "[", "]", "{", "}", '"', "'", '"""', "#", "\\", ":", ";", " ", "    ", "\t", "x", "pass", "=", "1",
     "def f():", "if x:", "return", "async ", "@router.get('/')", "lambda: 0", "f'{x}'", "", "yield"]
)  # fmt: skip


def parsed(text: str) -> ast.Module | None:
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def assert_same_as_full_parse(old_text: str, new_text: str) -> None:
    previous = SourceFile.parse("m.py", old_text)
    if previous.tree is None:
        return
    spliced = SourceFile.parse("m.py", new_text, previous=previous)
    full = parsed(new_text)
    if full is None:
        assert spliced.tree is None and spliced.syntax_error is not None
        return
    assert spliced.tree is not None
    assert ast.dump(spliced.tree, include_attributes=True) == ast.dump(full, include_attributes=True)


@st.composite
def edits(draw: st.DrawFn, texts: st.SearchStrategy[str]) -> tuple[str, str]:
    """A text and an edit of it that keeps its number of lines (the only edits `_splice` takes on)."""
    text = draw(texts)
    lines = text.splitlines(keepends=True)
    if not lines:
        return text, text
    first = draw(st.integers(0, len(lines) - 1))
    span = draw(st.integers(1, min(3, len(lines) - first)))
    new = list(lines)
    for i in range(first, first + span):
        line = new[i]
        body, ending = (line[:-1], line[-1]) if line.endswith("\n") else (line, "")
        cut = draw(st.integers(0, len(body)))
        keep = draw(st.integers(cut, len(body)))
        new[i] = body[:cut] + draw(FRAGMENTS) + body[keep:] + ending
    return text, "".join(new)


@fuzz(2.0)
@given(edits(st.sampled_from([BASE, *SAMPLES])))
def test_spliced_tree_is_the_full_parse_on_fixture_edits(case: tuple[str, str]) -> None:
    assert_same_as_full_parse(*case)


@fuzz(1.0)
@given(edits(fastapi_modules()))
def test_spliced_tree_is_the_full_parse_on_generated_modules(case: tuple[str, str]) -> None:
    assert_same_as_full_parse(*case)


def test_an_edit_inside_a_function_reparses_that_function_only() -> None:
    previous = SourceFile.parse("m.py", BASE)
    assert previous.tree is not None
    new_text = BASE.replace("total = 0  # comment", "total = 10  # comment")
    spliced = SourceFile.parse("m.py", new_text, previous=previous)
    assert spliced.tree is not None
    old_body, new_body = previous.tree.body, spliced.tree.body
    changed = [i for i, (a, b) in enumerate(zip(old_body, new_body, strict=True)) if a is not b]
    assert [type(new_body[i]).__name__ for i in changed] == ["AsyncFunctionDef"]
    assert ast.dump(spliced.tree, include_attributes=True) == ast.dump(ast.parse(new_text), include_attributes=True)


def test_a_comment_edit_between_statements_keeps_every_node() -> None:
    previous = SourceFile.parse("m.py", BASE)
    assert previous.tree is not None
    spliced = SourceFile.parse("m.py", BASE.replace("# between", "# in between"), previous=previous)
    assert spliced.tree is not None
    assert all(a is b for a, b in zip(previous.tree.body, spliced.tree.body, strict=True))


def test_code_typed_between_statements_is_parsed() -> None:
    previous = SourceFile.parse("m.py", BASE)
    new_text = BASE.replace("# between", "z = 3")
    spliced = SourceFile.parse("m.py", new_text, previous=previous)
    assert spliced.tree is not None
    assert ast.dump(spliced.tree, include_attributes=True) == ast.dump(ast.parse(new_text), include_attributes=True)


def test_an_edit_that_breaks_the_file_is_a_syntax_error() -> None:
    previous = SourceFile.parse("m.py", BASE)
    spliced = SourceFile.parse("m.py", BASE.replace("total = 0", "total = (0"), previous=previous)
    assert spliced.tree is None and spliced.syntax_error is not None
