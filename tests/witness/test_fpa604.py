"""FPA604: with the return annotation in place, `response_model=` of the same type changes nothing: the
response is filtered the same way and the OpenAPI document is the same."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel


class Item(BaseModel):
    name: str


def make(with_response_model: bool) -> FastAPI:
    app = FastAPI()
    extra: dict[str, Any] = {"response_model": list[Item]} if with_response_model else {}

    @app.get("/items/", **extra)
    def read_items() -> list[Item]:
        return [Item(name="a"), {"name": "b", "secret": "dropped"}]  # type: ignore[list-item]

    return app


def test_same_response_and_schema() -> None:
    redundant, plain = make(True), make(False)
    assert TestClient(redundant).get("/items/").json() == TestClient(plain).get("/items/").json()
    assert TestClient(plain).get("/items/").json() == [{"name": "a"}, {"name": "b"}]
    assert redundant.openapi() == plain.openapi()
