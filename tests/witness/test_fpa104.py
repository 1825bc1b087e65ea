"""FPA104: the parameter route registered first catches the literal path: `/items/me` answers 422 (the
`int` parameter cannot parse "me"), or the wrong handler answers when the parameter is a `str`. Registering the
literal route first (the fix) serves it."""

from __future__ import annotations

from fastapi.testclient import TestClient

from flake8_fastapi.checker import check_source
from flake8_fastapi.config import Settings
from flake8_fastapi.fixes import apply_fixes
from flake8_fastapi.model.source import SourceFile

from ._releases import releases_param, run_on
from ._rule_examples import doc_block, run_block


def test_the_shadowed_literal_route_answers_422() -> None:
    source = doc_block("FPA104", "## Example")
    assert [f.code for f in check_source(source, settings=Settings(select=("FPA104",)))] == ["FPA104"]
    response = TestClient(run_block(source)["app"]).get("/items/me")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "item_id"]


def test_a_str_parameter_route_answers_instead() -> None:
    source = (
        "from fastapi import FastAPI\n"
        "app = FastAPI()\n"
        "@app.get('/users/{user_id}')\n"
        "def read_user(user_id: str) -> str:\n"
        "    return 'read_user'\n"
        "@app.get('/users/me')\n"
        "def read_me() -> str:\n"
        "    return 'read_me'\n"
    )
    assert [f.line for f in check_source(source, settings=Settings(select=("FPA104",)))] == [6]
    assert TestClient(run_block(source)["app"]).get("/users/me").json() == "read_user"


def test_an_int_converter_does_not_shadow() -> None:
    source = (
        "from fastapi import FastAPI\n"
        "app = FastAPI()\n"
        "@app.get('/items/{item_id:int}')\n"
        "def read_item(item_id: int) -> int:\n"
        "    return item_id\n"
        "@app.get('/items/me')\n"
        "def read_me() -> str:\n"
        "    return 'me'\n"
    )
    assert check_source(source, settings=Settings(select=("FPA104",))) == []
    client = TestClient(run_block(source)["app"])
    assert client.get("/items/me").json() == "me"
    assert client.get("/items/4").json() == 4


def test_the_fixed_order_serves_the_literal_route() -> None:
    source = doc_block("FPA104", "## Example")
    findings = check_source(source, settings=Settings(select=("FPA104",)))
    fixed, applied = apply_fixes(SourceFile.parse("example.py", source), findings, unsafe=True)
    assert applied
    client = TestClient(run_block(fixed)["app"])
    assert client.get("/items/me").json() == {"id": "me"}
    assert client.get("/items/3").json() == {"id": 3}


@releases_param()
def test_each_release_answers_422(release: str) -> None:
    seen = run_on(
        release,
        "from fastapi.testclient import TestClient\n"
        + doc_block("FPA104", "## Example")
        + ("\nresult['status'] = TestClient(app).get('/items/me').status_code\n"),
    )
    assert seen["status"] == 422
