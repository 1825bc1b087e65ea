"""FPA306: an `async def` handler that never awaits runs on the event loop's thread (holding it for its whole
body); after the rule's fix (drop `async`) FastAPI runs the same body in a threadpool worker."""

from __future__ import annotations

import threading

from fastapi.testclient import TestClient

from flake8_fastapi.checker import check_source
from flake8_fastapi.config import Settings
from flake8_fastapi.fixes import apply_fixes
from flake8_fastapi.model.source import SourceFile

from ._rule_examples import doc_block, run_block

SETTINGS = Settings(select=("FPA306",))

BAD = """
import threading

from fastapi import FastAPI, Request

app = FastAPI()
threads: dict[str, int] = {}


@app.middleware("http")
async def record_loop_thread(request: Request, call_next):  # type: ignore[no-untyped-def]
    threads["loop"] = threading.get_ident()
    return await call_next(request)


@app.get("/work")
async def work() -> str:
    threads["handler"] = threading.get_ident()
    return "done"
"""


def _threads(source: str) -> dict[str, int]:
    namespace = run_block(source)
    assert TestClient(namespace["app"]).get("/work").json() == "done"
    return dict(namespace["threads"])


def test_the_async_handler_runs_on_the_loop_thread() -> None:
    assert [f.code for f in check_source(BAD, settings=SETTINGS)] == ["FPA306"]
    threads = _threads(BAD)
    assert threads["handler"] == threads["loop"]


def test_after_the_fix_it_runs_in_the_threadpool() -> None:
    findings = check_source(BAD, settings=SETTINGS)
    fixed, done = apply_fixes(SourceFile.parse("example.py", BAD), findings, unsafe=True)
    assert done and "\ndef work() -> str:" in fixed and "async def record_loop_thread" in fixed
    assert check_source(fixed, settings=SETTINGS) == []
    threads = _threads(fixed)
    assert threads["handler"] != threads["loop"] and threads["handler"] != threading.get_ident()


def test_documented_examples_answer_alike() -> None:
    answers = []
    for heading in ("## Example", "## Use instead"):
        client = TestClient(run_block(doc_block("FPA306", heading))["app"])
        answers.append(client.post("/digest", params={"data": "x"}).json())
    assert answers[0] == answers[1] and len(answers[0]) == 128
