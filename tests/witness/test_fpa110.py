"""FPA110 on the installed FastAPI: a 204 route that returns a dict answers an empty body (the value is
dropped); a 204/304 route whose return annotation or `response_model` has a body is refused when it is
declared."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from flake8_fastapi.checker import check_source
from flake8_fastapi.config import Settings

from ._releases import releases_param, run_on
from ._rule_examples import doc_block, run_block


def test_the_returned_body_is_dropped() -> None:
    source = doc_block("FPA110", "## Example")
    assert [f.code for f in check_source(source, settings=Settings(select=("FPA110",)))] == ["FPA110"]
    response = TestClient(run_block(source)["app"]).delete("/items/3")
    assert response.status_code == 204
    assert response.content == b""  # {"deleted": 3} never reaches the client


@pytest.mark.parametrize(
    ("status", "declaration"),
    [
        (204, "-> dict[str, bool]"),
        (304, "-> dict[str, bool]"),
        (204, "-> Any"),
        (204, "-> Item | None"),
    ],
)
def test_a_declared_body_is_refused_at_startup(status: int, declaration: str) -> None:
    source = (
        "from typing import Any\n"
        "from fastapi import FastAPI\n"
        "from pydantic import BaseModel\n"
        "class Item(BaseModel):\n"
        "    name: str\n"
        "app = FastAPI()\n"
        f"@app.delete('/items', status_code={status})\n"
        f"def delete_items() {declaration}:\n"
        "    return None\n"
    )
    assert [f.code for f in check_source(source, settings=Settings(select=("FPA110",)))] == ["FPA110"]
    with pytest.raises(AssertionError, match=f"Status code {status} must not have a response body"):
        run_block(source)


def test_response_model_none_and_none_annotation_are_accepted() -> None:
    source = (
        "from fastapi import FastAPI, Response\n"
        "app = FastAPI()\n"
        "@app.delete('/a', status_code=204)\n"
        "def a() -> None:\n"
        "    return None\n"
        "@app.delete('/b', status_code=204)\n"
        "def b() -> Response:\n"
        "    return Response(status_code=204)\n"
    )
    assert check_source(source, settings=Settings(select=("FPA110",))) == []
    client = TestClient(run_block(source)["app"])
    assert client.delete("/a").status_code == client.delete("/b").status_code == 204


def test_the_documented_fix_answers_204() -> None:
    response = TestClient(run_block(doc_block("FPA110", "## Use instead"))["app"]).delete("/items/3")
    assert (response.status_code, response.content) == (204, b"")


PROBE = """
from typing import Dict
from fastapi import FastAPI
from fastapi.testclient import TestClient

app = FastAPI()

@app.delete("/d", status_code=204)
def returns_dict():
    return {"deleted": True}

try:
    response = TestClient(app).delete("/d")
    result["dict_body"] = "dropped" if response.content == b"" else "sent"
except Exception:
    result["dict_body"] = "broken"

for label, extra in (("annotation", {}), ("response_model", {"response_model": Dict[str, bool]})):
    def handler():
        return None
    if label == "annotation":
        handler.__annotations__["return"] = Dict[str, bool]
    try:
        FastAPI().delete("/d", status_code=204, **extra)(handler)
        result[label] = "accepted"
    except AssertionError:
        result[label] = "refused"
"""


@releases_param()
def test_the_rule_matches_each_release(release: str) -> None:
    seen = run_on(release, PROBE)
    version = tuple(seen["fastapi"])
    # A returned body never reaches the client: dropped since 0.79, a broken response before.
    assert seen["dict_body"] == ("dropped" if version >= (0, 79) else "broken")
    assert seen["response_model"] == "refused"
    annotated = (
        "from fastapi import FastAPI\n"
        "app = FastAPI()\n"
        "@app.delete('/d', status_code=204)\n"
        "def d() -> dict[str, bool]:\n"
        "    return None\n"
    )
    reported = check_source(annotated, settings=Settings(select=("FPA110",), target_fastapi=version))
    assert bool(reported) == (seen["annotation"] == "refused")
