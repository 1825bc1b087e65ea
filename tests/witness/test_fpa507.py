"""FPA507: SQL built with an f-string runs what the input says (`' OR '1'='1` reads every row); the bound
parameter treats the same input as a plain value."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from flake8_fastapi.config import Settings

from ..lib_runner import check_in_an_app
from ._rule_examples import doc_block, run_block

INJECTION = "nobody' OR '1'='1"


@pytest.fixture
def db() -> Iterator[Session]:
    engine = create_engine("sqlite://")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE users (name TEXT, secret TEXT)"))
        conn.execute(text("INSERT INTO users VALUES ('alice', 'a-secret'), ('bob', 'b-secret')"))
    with Session(engine) as session:
        yield session


def test_formatted_sql_is_injectable(db: Session) -> None:
    source = doc_block("FPA507", "## Example")
    assert [f.code for f in check_in_an_app(source, settings=Settings(select=("FPA507",)))] == ["FPA507"]
    find_user = run_block(source)["find_user"]
    row = find_user(db, INJECTION)
    assert row is not None and row.name == "alice"  # a user the caller did not name


def test_bound_parameter_is_not(db: Session) -> None:
    find_user = run_block(doc_block("FPA507", "## Use instead"))["find_user"]
    assert find_user(db, INJECTION) is None
    assert find_user(db, "bob").secret == "b-secret"
