"""FPA701: reading a lazy relationship for each row of a query costs one more SELECT per row (N+1). Counted with
a `before_cursor_execute` listener on an in-memory SQLite engine: 1 + N statements for the documented example,
2 with `selectinload` (the documented alternative), whatever the number of rows."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from flake8_fastapi.checker import check_source
from flake8_fastapi.config import Settings

from ._rule_examples import doc_block, run_block

SETTINGS = Settings(select=("FPA701",))
AUTHORS = 5


def _statements(namespace: dict[str, Any]) -> tuple[int, dict[str, list[str]]]:
    engine, author, book = namespace["engine"], namespace["Author"], namespace["Book"]
    namespace["Base"].metadata.create_all(engine)
    with Session(engine) as db:
        for n in range(AUTHORS):
            db.add(author(name=f"a{n}", books=[book(title=f"a{n}-b{k}") for k in range(2)]))
        db.commit()
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        response = TestClient(namespace["app"]).get("/authors")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    assert all(s.lstrip().upper().startswith("SELECT") for s in statements)
    return len(statements), response.json()


def _expected() -> dict[str, list[str]]:
    return {f"a{n}": [f"a{n}-b0", f"a{n}-b1"] for n in range(AUTHORS)}


def test_lazy_relationship_in_loop_issues_one_query_per_row() -> None:
    example = doc_block("FPA701", "## Example")
    assert [f.code for f in check_source(example, settings=SETTINGS)] == ["FPA701"]
    count, body = _statements(run_block(example))
    assert body == _expected()
    assert count == 1 + AUTHORS


def test_selectinload_loads_every_row_in_two_queries() -> None:
    good = doc_block("FPA701", "## Use instead")
    assert check_source(good, settings=SETTINGS) == []
    count, body = _statements(run_block(good))
    assert body == _expected()
    assert count == 2
