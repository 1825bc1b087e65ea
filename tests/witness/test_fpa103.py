"""FPA103: of two routes with the same method and path, the first registered answers every request; the later
handler is never called."""

from __future__ import annotations

from fastapi.testclient import TestClient

from flake8_fastapi.checker import check_source
from flake8_fastapi.config import Settings

from ._rule_examples import doc_block, run_block


def test_the_later_duplicate_is_never_reached() -> None:
    source = doc_block("FPA103", "## Example")
    findings = check_source(source, settings=Settings(select=("FPA103",)))
    assert [(f.code, f.line) for f in findings] == [("FPA103", 11)]  # the later registration
    assert findings[0].related and findings[0].related[0].start[0] == 6
    client = TestClient(run_block(source)["app"])
    assert client.get("/users/3").json() == {"id": 3}  # read_user, never read_user_again


def test_duplicates_across_routers_follow_include_order() -> None:
    source = (
        "from fastapi import APIRouter, FastAPI\n"
        "app = FastAPI()\n"
        "first = APIRouter(prefix='/items')\n"
        "second = APIRouter()\n"
        "@first.get('/{item_id}')\n"
        "def from_first(item_id: int) -> str:\n"
        "    return 'first'\n"
        "@second.get('/items/{key}')\n"
        "def from_second(key: int) -> str:\n"
        "    return 'second'\n"
        "app.include_router(first)\n"
        "app.include_router(second)\n"
    )
    findings = check_source(source, settings=Settings(select=("FPA103",)))
    assert [(f.code, f.line) for f in findings] == [("FPA103", 8)]
    assert TestClient(run_block(source)["app"]).get("/items/1").json() == "first"


def test_one_router_under_two_prefixes_serves_both() -> None:
    source = (
        "from fastapi import APIRouter, FastAPI\n"
        "app = FastAPI()\n"
        "router = APIRouter()\n"
        "@router.get('/users')\n"
        "def users() -> str:\n"
        "    return 'users'\n"
        "app.include_router(router, prefix='/v1')\n"
        "app.include_router(router, prefix='/v2')\n"
    )
    assert check_source(source, settings=Settings(select=("FPA103",))) == []
    client = TestClient(run_block(source)["app"])
    assert client.get("/v1/users").json() == client.get("/v2/users").json() == "users"
