"""FPA602: `HTTPException` with a success status sends that status with an error body: the client sees
success."""

from __future__ import annotations

from fastapi.testclient import TestClient

from flake8_fastapi.checker import check_source
from flake8_fastapi.config import Settings

from ._rule_examples import doc_block, run_block


def test_error_with_success_status() -> None:
    source = doc_block("FPA602", "## Example")
    assert [f.code for f in check_source(source, settings=Settings(select=("FPA602",)))] == ["FPA602"]
    client = TestClient(run_block(source)["app"])
    response = client.get("/items/-1")
    assert response.status_code == 200
    assert response.is_success
    assert response.json() == {"detail": "Negative id"}


def test_error_status() -> None:
    client = TestClient(run_block(doc_block("FPA602", "## Use instead"))["app"])
    response = client.get("/items/-1")
    assert response.status_code == 400
    assert response.json() == {"detail": "Negative id"}
