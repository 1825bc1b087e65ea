"""FPA305: under the installed FastAPI, a `Depends(get_db, scope="function")` session handed to a background task
has been committed and closed by the time the task runs (the dependency's exit code runs when the handler
returns), so what the task writes is never committed. With the default `scope="request"` (FastAPI 0.118 and
later) the exit code runs after the background tasks, the write is committed, and the rule stays silent; the
documented alternative (the task opens its own session) works either way."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flake8_fastapi.checker import check_source
from flake8_fastapi.config import Settings

from ._rule_examples import doc_block, run_block

SETTINGS = Settings(select=("FPA305",))
FUNCTION_SCOPE = 'Depends(get_db, scope="function")'


def _audit_rows(namespace: dict[str, Any], trace: list[str] | None = None) -> int:
    if trace is not None:
        _trace(namespace, trace)
    response = TestClient(namespace["app"]).post("/orders")
    assert response.json() == {"status": "accepted"}
    with Session(namespace["engine"]) as db:
        count = db.scalar(select(func.count()).select_from(namespace["AuditLog"]))
    assert count is not None
    return count


def _trace(namespace: dict[str, Any], trace: list[str]) -> None:
    """Record when the dependency finishes and what session state the task sees."""
    get_db, write_audit = namespace["get_db"], namespace["write_audit"]

    def traced_get_db() -> Any:
        yield from get_db()
        trace.append("dependency exit")

    def traced_write_audit(db: Session, event: str) -> None:
        trace.append(f"task (session in transaction: {db.in_transaction()})")
        write_audit(db, event)

    namespace["app"].dependency_overrides[get_db] = traced_get_db
    namespace["write_audit"] = traced_write_audit  # the handler looks it up in its globals at call time


def test_function_scoped_session_is_closed_before_the_task_and_its_write_is_lost() -> None:
    example = doc_block("FPA305", "## Example")
    assert FUNCTION_SCOPE in example
    assert [f.code for f in check_source(example, settings=SETTINGS)] == ["FPA305"]
    trace: list[str] = []
    assert _audit_rows(run_block(example), trace) == 0
    assert trace == ["dependency exit", "task (session in transaction: False)"]


def test_request_scoped_session_outlives_the_task_and_the_rule_is_silent() -> None:
    example = doc_block("FPA305", "## Example").replace(FUNCTION_SCOPE, "Depends(get_db)")
    assert check_source(example, settings=SETTINGS) == []
    trace: list[str] = []
    assert _audit_rows(run_block(example), trace) == 1
    assert trace == ["task (session in transaction: False)", "dependency exit"]


def test_fastapi_0_106_to_0_117_close_every_yield_dependency_first() -> None:
    example = doc_block("FPA305", "## Example").replace(FUNCTION_SCOPE, "Depends(get_db)")
    reported = {
        version: [f.code for f in check_source(example, settings=Settings(select=("FPA305",), target_fastapi=version))]
        for version in ((0, 105, 0), (0, 106, 0), (0, 117, 1), (0, 118, 0))
    }
    assert reported == {(0, 105, 0): [], (0, 106, 0): ["FPA305"], (0, 117, 1): ["FPA305"], (0, 118, 0): []}


def test_task_with_its_own_session_commits() -> None:
    good = doc_block("FPA305", "## Use instead")
    assert check_source(good, settings=SETTINGS) == []
    assert _audit_rows(run_block(good)) == 1
