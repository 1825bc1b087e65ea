"""FPA702: without ORDER BY the database picks the row order from its query plan, and the plan changes (here: an
index is created between two page requests), so offset pagination repeats rows and never shows others. With
`.order_by(Item.id)` (the documented alternative) the pages are stable."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Index
from sqlalchemy.orm import Session

from flake8_fastapi.checker import check_source
from flake8_fastapi.config import Settings

from ._rule_examples import doc_block, run_block

SETTINGS = Settings(select=("FPA702",))


def _on_file(source: str, tmp_path: Path) -> dict[str, Any]:
    """The example on a file database (an in-memory one is per thread: the handler runs in a worker thread)."""
    assert source.count('create_engine("sqlite://")') == 1
    return run_block(source.replace('create_engine("sqlite://")', f'create_engine("sqlite:///{tmp_path}/app.db")'))


def _two_pages(namespace: dict[str, Any]) -> list[str]:
    engine, item = namespace["engine"], namespace["Item"]
    namespace["Base"].metadata.create_all(engine)
    with Session(engine) as db:
        db.add_all([item(name=n) for n in ("d", "c", "b", "a")])
        db.commit()
    client = TestClient(namespace["app"])
    first = client.get("/items", params={"page": 0}).json()
    Index("ix_item_name", item.name).create(engine)  # an ordinary migration between two page views
    second = client.get("/items", params={"page": 1}).json()
    engine.dispose()
    return [*first, *second]


def test_unordered_pages_repeat_rows_and_lose_others(tmp_path: Path) -> None:
    example = doc_block("FPA702", "## Example")
    assert [f.code for f in check_source(example, settings=SETTINGS)] == ["FPA702"]
    shown = _two_pages(_on_file(example, tmp_path))
    assert shown == ["d", "c", "c", "d"]  # "a" and "b" are on no page
    assert sorted(set(shown)) != ["a", "b", "c", "d"]


def test_ordered_pages_show_every_row_once(tmp_path: Path) -> None:
    good = doc_block("FPA702", "## Use instead")
    assert check_source(good, settings=SETTINGS) == []
    assert _two_pages(_on_file(good, tmp_path)) == ["d", "c", "b", "a"]
