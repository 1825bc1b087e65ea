"""FPA506: the OpenAPI scheme tells the docs' Authorize button to post to `tokenUrl`; when it names no route,
that request is a 404, while the dependency itself keeps working."""

from __future__ import annotations

from fastapi.testclient import TestClient

from flake8_fastapi.checker import check_source
from flake8_fastapi.config import Settings
from flake8_fastapi.rules.security.fpa506_token_url_without_route import resolve_token_url

from ._rule_examples import doc_block, run_block

FORM = {"username": "alice", "password": "secret", "grant_type": "password"}


def _token_url(client: TestClient) -> str:
    schemes = client.get("/openapi.json").json()["components"]["securitySchemes"]
    return str(schemes["OAuth2PasswordBearer"]["flows"]["password"]["tokenUrl"])


def test_token_url_of_the_example_is_a_404() -> None:
    source = doc_block("FPA506", "## Example")
    assert [f.code for f in check_source(source, settings=Settings(select=("FPA506",)))] == ["FPA506"]
    client = TestClient(run_block(source)["app"])
    token_url = _token_url(client)
    assert token_url == "token"
    assert client.post(resolve_token_url("/docs", token_url), data=FORM).status_code == 404
    assert client.post("/auth/token", data=FORM).status_code == 200


def test_token_url_of_the_fixed_example_is_served() -> None:
    client = TestClient(run_block(doc_block("FPA506", "## Use instead"))["app"])
    token_url = _token_url(client)
    response = client.post(resolve_token_url("/docs", token_url), data=FORM)
    assert response.status_code == 200
    assert response.json()["access_token"] == "alice"
