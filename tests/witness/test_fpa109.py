"""FPA109: two routes with one operation id make FastAPI warn "Duplicate Operation ID" when it builds the
schema; two routes with one name make `url_for` answer the first route's URL for both."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from flake8_fastapi.checker import check_source
from flake8_fastapi.config import Settings

from ._rule_examples import doc_block, run_block


def test_duplicate_operation_id_warns_when_the_schema_is_built() -> None:
    source = doc_block("FPA109", "## Example")
    findings = check_source(source, settings=Settings(select=("FPA109",)))
    assert [(f.code, f.line) for f in findings] == [("FPA109", 11)]
    assert findings[0].related and findings[0].related[0].start[0] == 6
    app = run_block(source)["app"]
    with pytest.warns(UserWarning, match="Duplicate Operation ID list_items"):
        schema = app.openapi()
    ids = [op["operationId"] for item in schema["paths"].values() for op in item.values()]
    assert ids == ["list_items", "list_items"]


def test_the_good_example_builds_its_schema_without_warning() -> None:
    source = doc_block("FPA109", "## Use instead")
    assert check_source(source, settings=Settings(select=("FPA109",))) == []
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run_block(source)["app"].openapi()


def test_duplicate_name_sends_url_for_to_the_first_route() -> None:
    source = (
        "from fastapi import FastAPI, Request\n"
        "app = FastAPI()\n"
        "@app.get('/orders', name='orders')\n"
        "def orders(request: Request) -> str:\n"
        "    return str(request.url_for('orders'))\n"
        "@app.get('/archive/orders', name='orders')\n"
        "def archived_orders(request: Request) -> str:\n"
        "    return str(request.url_for('orders'))\n"
    )
    findings = check_source(source, settings=Settings(select=("FPA109",)))
    assert [(f.code, f.line) for f in findings] == [("FPA109", 6)]
    client = TestClient(run_block(source)["app"])
    # The archive handler asks for its own URL and gets the other route's.
    assert client.get("/archive/orders").json() == "http://testserver/orders"


def test_one_router_under_two_prefixes_is_not_reported() -> None:
    source = (
        "from fastapi import APIRouter, FastAPI\n"
        "app = FastAPI()\n"
        "router = APIRouter()\n"
        "@router.get('/users', operation_id='list_users')\n"
        "def users() -> str:\n"
        "    return 'users'\n"
        "app.include_router(router, prefix='/v1')\n"
        "app.include_router(router, prefix='/v2')\n"
    )
    assert check_source(source, settings=Settings(select=("FPA109",))) == []
    client = TestClient(run_block(source)["app"])
    assert client.get("/v1/users").json() == client.get("/v2/users").json() == "users"
