"""FPA303: `asyncio.run()` inside an `async def` handler raises RuntimeError (a loop is already running), so the
request fails; the documented alternative (`await`) answers."""

from __future__ import annotations

import gc
import warnings

import pytest
from fastapi.testclient import TestClient

from flake8_fastapi.checker import check_source
from flake8_fastapi.config import Settings

from ._rule_examples import doc_block, run_block

SETTINGS = Settings(select=("FPA303",))

RUN_UNTIL_COMPLETE = """
import asyncio

from fastapi import FastAPI

app = FastAPI()


async def fetch_total() -> int:
    return 42


@app.get("/total")
async def total() -> int:
    loop = asyncio.get_event_loop()
    return loop.run_until_complete(fetch_total())
"""


def test_asyncio_run_in_a_handler_raises() -> None:
    example = doc_block("FPA303", "## Example")
    assert [f.code for f in check_source(example, settings=SETTINGS)] == ["FPA303"]
    client = TestClient(run_block(example)["app"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # "coroutine ... was never awaited"
        with pytest.raises(RuntimeError, match="cannot be called from a running event loop"):
            client.get("/total")
        gc.collect()  # the coroutine left unawaited is collected here, its warning ignored


def test_run_until_complete_in_a_handler_raises() -> None:
    assert [f.code for f in check_source(RUN_UNTIL_COMPLETE, settings=SETTINGS)] == ["FPA303"]
    client = TestClient(run_block(RUN_UNTIL_COMPLETE)["app"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.raises(RuntimeError, match="already running"):
            client.get("/total")
        gc.collect()  # the coroutine left unawaited is collected here, its warning ignored


def test_awaiting_instead_works() -> None:
    good = doc_block("FPA303", "## Use instead")
    assert check_source(good, settings=SETTINGS) == []
    assert TestClient(run_block(good)["app"]).get("/total").json() == 42
