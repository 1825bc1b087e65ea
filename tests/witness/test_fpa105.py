"""FPA105: a router that is never included serves nothing: its paths answer 404 and are missing from OpenAPI."""

from __future__ import annotations

from fastapi.testclient import TestClient

from flake8_fastapi.checker import check_source
from flake8_fastapi.config import Settings

from ._rule_examples import doc_block, run_block


def test_the_forgotten_router_answers_404() -> None:
    source = doc_block("FPA105", "## Example")
    findings = check_source(source, settings=Settings(select=("FPA105",)))
    assert [(f.code, f.line) for f in findings] == [("FPA105", 5)]  # `items`, not `users`
    client = TestClient(run_block(source)["app"])
    assert client.get("/users/").status_code == 200
    assert client.get("/items/").status_code == 404
    assert "/items/" not in client.get("/openapi.json").json()["paths"]


def test_including_it_serves_it() -> None:
    client = TestClient(run_block(doc_block("FPA105", "## Use instead"))["app"])
    assert client.get("/items/").status_code == 200
