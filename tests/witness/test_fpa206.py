"""FPA206: an unannotated handler parameter is a query parameter: `def f(request)` answers 422 for a missing
`?request=`, and `limit=10` arrives as the string "5"."""

from __future__ import annotations

from fastapi.testclient import TestClient

from flake8_fastapi.checker import check_source
from flake8_fastapi.config import Settings

from ._rule_examples import doc_block, run_block


def test_an_unannotated_request_is_a_missing_query_parameter() -> None:
    source = doc_block("FPA206", "## Example")
    findings = check_source(source, settings=Settings(select=("FPA206",)))
    assert [(f.code, f.line) for f in findings] == [("FPA206", 7)]
    response = TestClient(run_block(source)["app"]).get("/client")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "request"]


def test_the_annotated_request_is_passed() -> None:
    source = doc_block("FPA206", "## Use instead")
    assert check_source(source, settings=Settings(select=("FPA206",))) == []
    response = TestClient(run_block(source)["app"]).get("/client")
    assert response.status_code == 200
    assert response.json() == {"host": "testclient"}


def test_an_unannotated_default_does_not_give_its_type() -> None:
    source = (
        "from fastapi import FastAPI\n"
        "app = FastAPI()\n"
        "@app.get('/items')\n"
        "def items(limit=10):\n"
        "    return {'limit': limit, 'type': type(limit).__name__}\n"
    )
    findings = check_source(source, settings=Settings(select=("FPA206",)))
    assert [(f.code, f.line, f.col) for f in findings] == [("FPA206", 4, 10)]
    client = TestClient(run_block(source)["app"])
    assert client.get("/items?limit=5").json() == {"limit": "5", "type": "str"}  # not 5
