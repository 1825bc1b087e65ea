"""FPA801: `AsyncClient(app=app)` raises TypeError under the installed httpx and httpx2; the fixed spelling
(`transport=ASGITransport(app=app)`) reaches the app."""

from __future__ import annotations

import asyncio
from types import ModuleType

import httpx
import httpx2
import pytest
from fastapi import FastAPI

app = FastAPI()


@app.get("/")
def root() -> dict[str, str]:
    return {"hello": "world"}


@pytest.mark.parametrize("package", [httpx, httpx2], ids=["httpx", "httpx2"])
def test_app_argument_is_a_type_error(package: ModuleType) -> None:
    with pytest.raises(TypeError, match="app"):
        package.AsyncClient(app=app, base_url="http://test")


@pytest.mark.parametrize("package", [httpx, httpx2], ids=["httpx", "httpx2"])
def test_transport_reaches_the_app(package: ModuleType) -> None:
    async def call() -> object:
        async with package.AsyncClient(transport=package.ASGITransport(app=app), base_url="http://test") as ac:
            response = await ac.get("/")
            return response.json()

    assert asyncio.run(call()) == {"hello": "world"}
