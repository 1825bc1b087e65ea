"""FPA102: a misspelt path parameter becomes a required query parameter: every request answers 422, and the
renamed parameter (what the fix produces) serves the path value."""

from __future__ import annotations

from fastapi.testclient import TestClient

from flake8_fastapi.checker import check_source
from flake8_fastapi.config import Settings

from ._rule_examples import doc_block, run_block


def test_the_misspelt_parameter_is_a_required_query_parameter() -> None:
    source = doc_block("FPA102", "## Example")
    assert [f.code for f in check_source(source, settings=Settings(select=("FPA102",)))] == ["FPA102"]
    client = TestClient(run_block(source)["app"])
    response = client.get("/items/5")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "itemid"]
    # The path value never reaches the handler: it only answers when the query string supplies `itemid`.
    assert client.get("/items/5", params={"itemid": 7}).json() == {"id": 7}


def test_the_renamed_parameter_receives_the_path_value() -> None:
    client = TestClient(run_block(doc_block("FPA102", "## Use instead"))["app"])
    assert client.get("/items/5").json() == {"id": 5}
