"""FPA802: an override set in a test and never cleared stays on the application: the next test (any test using the
same `app`) still gets the fake dependency. The documented fixture cleans up after itself."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi.testclient import TestClient

from ._rule_examples import doc_block, run_block


def test_override_leaks_into_later_tests() -> None:
    namespace = run_block(doc_block("FPA802", "## Example"))
    app = namespace["app"]
    assert TestClient(app).get("/me").json() == "real"
    namespace["test_me_as_admin"]()
    assert TestClient(app).get("/me").json() == "admin"  # a later, unrelated test sees the override


def test_fixture_teardown_restores_the_dependency() -> None:
    namespace: dict[str, Any] = run_block(doc_block("FPA802", "## Use instead"))
    app = namespace["app"]
    fixture = namespace["as_admin"].__wrapped__
    steps: Iterator[None] = fixture()
    next(steps)
    namespace["test_me_as_admin"](None)
    for _ in steps:
        pass
    assert TestClient(app).get("/me").json() == "real"
