"""FPA207: a client built inside the handler is a new connection pool per request, and nothing closes it."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from flake8_fastapi.checker import check_source
from flake8_fastapi.config import Settings

from ._rule_examples import doc_block, run_block

SOURCE = """
import httpx
from fastapi import FastAPI

app = FastAPI()
built = []


def upstream(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"sky": "clear"})


@app.get("/weather")
async def weather() -> dict[str, str]:
    client = httpx.AsyncClient(transport=httpx.MockTransport(upstream))
    built.append(client)
    response = await client.get("https://weather.invalid/today")
    return response.json()
"""


def test_every_request_builds_a_client_that_stays_open() -> None:
    findings = check_source(SOURCE, settings=Settings(select=("FPA207",)))
    assert [(f.code, f.line) for f in findings] == [("FPA207", 15)]
    namespace: dict[str, Any] = run_block(SOURCE)
    client = TestClient(namespace["app"])
    assert client.get("/weather").json() == client.get("/weather").json() == {"sky": "clear"}
    built = namespace["built"]
    assert len(built) == 2 and built[0] is not built[1]  # one pool per request
    assert not any(c.is_closed for c in built)  # and none is ever closed


def test_the_documented_examples() -> None:
    bad = check_source(doc_block("FPA207", "## Example"), settings=Settings(select=("FPA207",)))
    assert [f.code for f in bad] == ["FPA207"]
    assert check_source(doc_block("FPA207", "## Use instead"), settings=Settings(select=("FPA207",))) == []
