"""FPA406: with `extra="allow"` a request model keeps whatever the client sends and hands it on in
`model_dump()`: a client sets a field the endpoint never declared."""

from __future__ import annotations

from fastapi.testclient import TestClient

from ._rule_examples import doc_block, run_block


def test_extra_fields_reach_the_handler() -> None:
    client = TestClient(run_block(doc_block("FPA406", "## Example"))["app"])
    response = client.patch("/me", json={"name": "eve", "is_admin": True})
    assert response.status_code == 200
    assert response.json() == {"name": "eve", "is_admin": True}


def test_forbid_rejects_them() -> None:
    client = TestClient(run_block(doc_block("FPA406", "## Use instead"))["app"])
    assert client.patch("/me", json={"name": "eve", "is_admin": True}).status_code == 422
    assert client.patch("/me", json={"name": "eve"}).json() == {"name": "eve"}
