"""FPA107: Starlette-style routes on FastAPI skip validation and OpenAPI; on FastAPI 0.165 (Starlette 1.0)
`FastAPI` has no `route` method at all."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from flake8_fastapi.checker import check_source
from flake8_fastapi.config import Settings

from ._releases import releases_param, run_on
from ._rule_examples import doc_block, run_block


def test_a_router_route_is_missing_from_openapi_and_unvalidated() -> None:
    source = doc_block("FPA107", "## Example")
    assert [f.code for f in check_source(source, settings=Settings(select=("FPA107",)))] == ["FPA107"]
    router = run_block(source)["router"]
    app = FastAPI()
    app.include_router(router)
    client = TestClient(app)
    assert client.get("/openapi.json").json()["paths"] == {}
    # Anything goes through: no body model validates the request.
    assert client.post("/items", json={"unexpected": [1, 2]}).json() == {"unexpected": [1, 2]}


def test_the_method_decorator_validates_and_documents() -> None:
    router = run_block(doc_block("FPA107", "## Use instead"))["router"]
    app = FastAPI()
    app.include_router(router)
    client = TestClient(app)
    assert "/items" in client.get("/openapi.json").json()["paths"]
    assert client.post("/items", json={"unexpected": [1, 2]}).status_code == 422


def test_app_route_on_the_installed_fastapi() -> None:
    source = (
        "from fastapi import FastAPI\n"
        "from fastapi.responses import PlainTextResponse\n"
        "app = FastAPI()\n"
        "@app.route('/')\n"
        "async def home(request) -> PlainTextResponse:\n"
        "    return PlainTextResponse('home')\n"
    )
    assert [f.code for f in check_source(source, settings=Settings(select=("FPA107",)))] == ["FPA107"]
    if hasattr(FastAPI, "route"):  # FastAPI before Starlette 1.0: served, but not documented
        app = run_block(source)["app"]
        assert TestClient(app).get("/openapi.json").json()["paths"] == {}
    else:
        with pytest.raises(AttributeError, match="route"):
            run_block(source)


@releases_param()
def test_app_route_on_each_release(release: str) -> None:
    seen = run_on(
        release,
        """
        from fastapi import FastAPI
        from fastapi.responses import PlainTextResponse
        from fastapi.testclient import TestClient
        app = FastAPI()
        try:
            @app.route("/")
            async def home(request):
                return PlainTextResponse("home")
        except AttributeError:
            result["app.route"] = "missing"
        else:
            client = TestClient(app)
            result["app.route"] = "served" if client.get("/").text == "home" else "broken"
            result["in_openapi"] = "/" in client.get("/openapi.json").json()["paths"]
        """,
    )
    if seen["app.route"] == "served":
        assert seen["in_openapi"] is False  # served, but outside validation and the schema
    else:
        assert seen["app.route"] == "missing" and tuple(seen["fastapi"]) >= (0, 165)
