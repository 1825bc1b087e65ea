"""FPA208: FastAPI consults `dependency_overrides` only for `Depends(...)`: overriding a function the route
calls directly changes nothing."""

from __future__ import annotations

from fastapi.testclient import TestClient

from flake8_fastapi.checker import check_source
from flake8_fastapi.config import Settings

from ._rule_examples import doc_block, run_block


def test_the_override_of_a_plain_call_is_ignored() -> None:
    source = doc_block("FPA208", "## Example")
    findings = check_source(source, settings=Settings(select=("FPA208",)))
    assert [(f.code, f.line) for f in findings] == [("FPA208", 15)]
    client = TestClient(run_block(source)["app"])
    assert client.get("/env").json() == {"env": "production"}  # not "test"


def test_the_override_of_a_dependency_applies() -> None:
    source = doc_block("FPA208", "## Use instead")
    assert check_source(source, settings=Settings(select=("FPA208",))) == []
    client = TestClient(run_block(source)["app"])
    assert client.get("/env").json() == {"env": "test"}
