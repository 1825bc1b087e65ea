"""FPA404: under Pydantic v2 a nullable field without a default stays required: leaving it out of the request
body answers 422 ("Field required"); the rule's fix (`= None`) makes it optional."""

from __future__ import annotations

from fastapi.testclient import TestClient

from flake8_fastapi.checker import check_source
from flake8_fastapi.config import Settings
from flake8_fastapi.fixes import apply_fixes
from flake8_fastapi.model.source import SourceFile

from ._rule_examples import doc_block, run_block


def test_missing_nullable_field_is_rejected() -> None:
    namespace = run_block(doc_block("FPA404", "## Example"))
    client = TestClient(namespace["app"])
    response = client.post("/items", json={"name": "pen"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "missing"
    assert response.json()["detail"][0]["loc"] == ["body", "description"]
    assert client.post("/items", json={"name": "pen", "description": None}).status_code == 200
    schema = namespace["ItemIn"].model_json_schema()
    assert "description" in schema["required"]


def test_fixed_example_accepts_the_missing_field(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = str(tmp_path / "example.py")
    settings = Settings(select=("FPA404",), root=str(tmp_path))
    text = doc_block("FPA404", "## Example")
    findings = check_source(text, path, settings)
    assert [f.code for f in findings] == ["FPA404"]
    fixed, applied = apply_fixes(SourceFile.parse(path, text), findings, unsafe=True)
    assert applied and not check_source(fixed, path, settings)
    client = TestClient(run_block(fixed)["app"])
    response = client.post("/items", json={"name": "pen"})
    assert response.status_code == 200
    assert response.json() == {"name": "pen", "description": None}
