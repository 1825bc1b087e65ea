"""FPA106: FastAPI refuses a prefix without a leading `/` or with a trailing one when the router is built or
included (the app does not start); a router included twice under one prefix registers its routes twice."""

from __future__ import annotations

import warnings

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient

from flake8_fastapi.checker import check_source
from flake8_fastapi.config import Settings
from flake8_fastapi.rules.routes.fpa106_invalid_router_prefix import normalise

from ._releases import releases_param, run_on
from ._rule_examples import doc_block, run_block


def test_the_documented_prefix_stops_the_app() -> None:
    source = doc_block("FPA106", "## Example")
    assert [f.code for f in check_source(source, settings=Settings(select=("FPA106",)))] == ["FPA106"]
    with pytest.raises(AssertionError, match="A path prefix must start with '/'"):
        run_block(source)


@pytest.mark.parametrize(
    ("prefix", "message"),
    [("users", "must start with '/'"), ("/users/", "must not end with '/'"), ("/", "must not end with '/'")],
)
def test_every_reported_prefix_is_refused_and_its_normal_form_accepted(prefix: str, message: str) -> None:
    source = f"from fastapi import APIRouter\nrouter = APIRouter(prefix={prefix!r})\n"
    assert [f.code for f in check_source(source, settings=Settings(select=("FPA106",)))] == ["FPA106"]
    with pytest.raises(AssertionError, match=message):
        APIRouter(prefix=prefix)
    router = APIRouter()
    with pytest.raises(AssertionError, match=message):
        FastAPI().include_router(router, prefix=prefix)
    fixed = normalise(prefix)
    APIRouter(prefix=fixed)
    FastAPI().include_router(router, prefix=fixed)


def test_a_router_included_twice_registers_every_route_twice() -> None:
    source = (
        "from fastapi import APIRouter, FastAPI\n"
        "app = FastAPI()\n"
        "router = APIRouter()\n"
        "@router.get('/users')\n"
        "def users() -> str:\n"
        "    return 'users'\n"
        "app.include_router(router, prefix='/v1')\n"
        "app.include_router(router, prefix='/v1')\n"
    )
    assert [f.line for f in check_source(source, settings=Settings(select=("FPA106",)))] == [8]
    app = run_block(source)["app"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        app.openapi()
    assert any("Duplicate Operation ID" in str(w.message) for w in caught)
    assert TestClient(app).get("/v1/users").json() == "users"


@releases_param()
def test_each_release_refuses_the_prefixes(release: str) -> None:
    seen = run_on(
        release,
        """
        from fastapi import APIRouter, FastAPI
        for prefix in ("users", "/users/", "/"):
            for where in ("router", "include"):
                try:
                    if where == "router":
                        APIRouter(prefix=prefix)
                    else:
                        FastAPI().include_router(APIRouter(), prefix=prefix)
                    result[where + prefix] = "accepted"
                except AssertionError:
                    result[where + prefix] = "refused"
        """,
    )
    assert {k: v for k, v in seen.items() if k != "fastapi"} == {
        f"{where}{prefix}": "refused" for prefix in ("users", "/users/", "/") for where in ("router", "include")
    }
