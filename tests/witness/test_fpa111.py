"""FPA111: without `status_code=`, a POST that creates answers 200, and the schema documents 200."""

from __future__ import annotations

from fastapi.testclient import TestClient

from flake8_fastapi.checker import check_source
from flake8_fastapi.config import Settings

from ._rule_examples import doc_block, run_block


def test_a_create_route_answers_200_by_default() -> None:
    source = doc_block("FPA111", "## Example")
    findings = check_source(source, settings=Settings(select=("FPA111",)))
    assert [(f.code, f.line) for f in findings] == [("FPA111", 11)]
    app = run_block(source)["app"]
    response = TestClient(app).post("/items", json={"name": "pen"})
    assert response.status_code == 200
    assert next(iter(app.openapi()["paths"]["/items"]["post"]["responses"])) == "200"


def test_the_fixed_route_answers_201() -> None:
    source = doc_block("FPA111", "## Use instead")
    assert check_source(source, settings=Settings(select=("FPA111",))) == []
    app = run_block(source)["app"]
    response = TestClient(app).post("/items", json={"name": "pen"})
    assert response.status_code == 201 and response.json() == {"name": "pen"}
    assert "201" in app.openapi()["paths"]["/items"]["post"]["responses"]
