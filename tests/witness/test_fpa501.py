"""FPA501: with `allow_origins=["*"]` (or an any-origin regex) and `allow_credentials=True`, Starlette reflects an
arbitrary Origin and allows credentials; with the wildcard alone, it sends `*`, which browsers refuse for
credentialed requests."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.testclient import TestClient

EVIL = "https://evil.example"


def make(**cors: Any) -> TestClient:
    app = FastAPI()
    app.add_middleware(CORSMiddleware, allow_methods=["*"], allow_headers=["*"], **cors)

    @app.get("/me")
    def me() -> dict[str, str]:
        return {"email": "alice@example.com"}

    return TestClient(app)


@pytest.mark.parametrize(
    "cors",
    [{"allow_origins": ["*"]}, {"allow_origin_regex": ".*"}, {"allow_origin_regex": "https://.*"}],
    ids=["wildcard", "regex-any", "regex-any-https"],
)
def test_any_origin_with_credentials_is_reflected(cors: dict[str, Any]) -> None:
    client = make(allow_credentials=True, **cors)
    client.cookies.set("session", "alice")
    response = client.get("/me", headers={"Origin": EVIL})
    assert response.headers["access-control-allow-origin"] == EVIL
    assert response.headers["access-control-allow-credentials"] == "true"
    preflight = client.options("/me", headers={"Origin": EVIL, "Access-Control-Request-Method": "GET"})
    assert preflight.headers["access-control-allow-origin"] == EVIL
    assert preflight.headers["access-control-allow-credentials"] == "true"


def test_wildcard_without_credentials_is_not_credentialed() -> None:
    response = make(allow_origins=["*"]).get("/me", headers={"Origin": EVIL})
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers


def test_named_origins_do_not_reflect_others() -> None:
    client = make(allow_origins=["https://app.example.com"], allow_credentials=True)
    response = client.get("/me", headers={"Origin": EVIL})
    assert "access-control-allow-origin" not in response.headers
