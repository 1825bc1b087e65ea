"""FPA205: under the installed FastAPI a `dict[str, Any]` body lets any JSON object through (a wrong type or a
missing field reaches the handler) and documents an empty object, where a model answers 422 and publishes its
schema."""

from __future__ import annotations

from fastapi.testclient import TestClient

from flake8_fastapi.checker import check_source
from flake8_fastapi.config import Settings

from ._rule_examples import doc_block, run_block

SETTINGS = Settings(select=("FPA205",))


def test_a_dict_body_accepts_anything() -> None:
    source = doc_block("FPA205", "## Example")
    assert [f.code for f in check_source(source, settings=SETTINGS)] == ["FPA205"]
    app = run_block(source)["app"]
    with TestClient(app) as client:
        response = client.post("/items", json={"price": "not a number"})
    assert response.status_code == 200
    assert response.json() == {"price": "not a number"}
    schema = app.openapi()["paths"]["/items"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert "properties" not in schema and schema.get("additionalProperties") is True


def test_a_model_body_rejects_it_and_documents_the_shape() -> None:
    source = doc_block("FPA205", "## Use instead")
    assert check_source(source, settings=SETTINGS) == []
    app = run_block(source)["app"]
    with TestClient(app) as client:
        response = client.post("/items", json={"price": "not a number"})
        assert client.post("/items", json={"name": "pen", "price": 1.5}).status_code == 200
    assert response.status_code == 422
    assert {e["loc"][-1] for e in response.json()["detail"]} == {"name", "price"}
    assert set(app.openapi()["components"]["schemas"]["Item"]["properties"]) == {"name", "price"}


def test_any_without_a_marker_is_not_a_body() -> None:
    """Why the rule leaves an unmarked `Any` alone: FastAPI reads it from the query string."""
    source = (
        "from typing import Any\n"
        "from fastapi import FastAPI\n"
        "app = FastAPI()\n"
        "@app.post('/x')\n"
        "def x(payload: Any) -> Any:\n"
        "    return payload\n"
    )
    assert check_source(source, settings=SETTINGS) == []
    with TestClient(run_block(source)["app"]) as client:
        assert client.post("/x?payload=3", json={"a": 1}).json() == "3"
