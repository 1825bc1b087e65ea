"""FPA108: a decorator above the route decorator never runs for requests: the route registered the function
below it. Here `lru_cache` above the route caches nothing, and a wrapper's effect is absent from the response."""

from __future__ import annotations

from fastapi.testclient import TestClient

from flake8_fastapi.checker import check_source
from flake8_fastapi.config import Settings
from flake8_fastapi.fixes import apply_fixes
from flake8_fastapi.model.source import SourceFile

from ._rule_examples import doc_block, run_block

SOURCE = """
import functools
from fastapi import FastAPI

app = FastAPI()
calls = []


def tag(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return {**func(*args, **kwargs), "tagged": True}
    return wrapper


@functools.lru_cache
@app.get("/cached")
def cached() -> dict[str, int]:
    calls.append(1)
    return {"calls": len(calls)}


@tag
@app.get("/tagged")
def tagged() -> dict[str, bool]:
    return {"tagged": False}
"""


def test_decorators_above_the_route_do_nothing_for_requests() -> None:
    findings = check_source(SOURCE, settings=Settings(select=("FPA108",)))
    assert [f.line for f in findings] == [16, 23]
    namespace = run_block(SOURCE)
    client = TestClient(namespace["app"])
    assert client.get("/cached").json() == {"calls": 1}
    assert client.get("/cached").json() == {"calls": 2}  # not cached: the route calls the raw function
    assert client.get("/tagged").json() == {"tagged": False}  # the wrapper never ran
    assert namespace["tagged"]() == {"tagged": True}  # only direct calls see it


def test_the_swapped_order_applies_the_decorator() -> None:
    findings = check_source(SOURCE, settings=Settings(select=("FPA108",)))
    fixed, applied = apply_fixes(SourceFile.parse("example.py", SOURCE), findings, unsafe=True)
    assert len(applied) == 2
    client = TestClient(run_block(fixed)["app"])
    assert client.get("/cached").json() == client.get("/cached").json() == {"calls": 1}
    assert client.get("/tagged").json() == {"tagged": True}


def test_the_documented_example_is_reported() -> None:
    source = doc_block("FPA108", "## Example")
    assert [f.code for f in check_source(source, settings=Settings(select=("FPA108",)))] == ["FPA108"]
    run_block(source)  # imports fine: nothing warns at runtime
