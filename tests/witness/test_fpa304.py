"""FPA304: `loop.run_in_executor(None, f)` runs `f` without the request's context variables; the rule's fix,
`await asyncio.to_thread(f)`, runs it on the same default executor with a copy of the caller's context."""

from __future__ import annotations

from fastapi.testclient import TestClient

from flake8_fastapi.checker import check_source
from flake8_fastapi.config import Settings
from flake8_fastapi.fixes import apply_fixes
from flake8_fastapi.model.source import SourceFile

from ._rule_examples import doc_block, run_block

SETTINGS = Settings(select=("FPA304",))

BAD = """
import asyncio
import contextvars

from fastapi import FastAPI, Request

app = FastAPI()
request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


@app.middleware("http")
async def tag(request: Request, call_next):  # type: ignore[no-untyped-def]
    request_id.set(request.headers.get("x-request-id", "none"))
    return await call_next(request)


def log_line(message: str) -> str:
    return f"[{request_id.get()}] {message}"


@app.get("/work")
async def work() -> str:
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, log_line, "done")
"""


def test_run_in_executor_loses_the_request_context() -> None:
    assert [f.code for f in check_source(BAD, settings=SETTINGS)] == ["FPA304"]
    client = TestClient(run_block(BAD)["app"])
    assert client.get("/work", headers={"x-request-id": "abc"}).json() == "[-] done"


def test_after_the_fix_the_thread_sees_it() -> None:
    findings = check_source(BAD, settings=SETTINGS)
    fixed, done = apply_fixes(SourceFile.parse("example.py", BAD), findings, unsafe=True)
    assert done and 'await asyncio.to_thread(log_line, "done")' in fixed
    assert check_source(fixed, settings=SETTINGS) == []
    client = TestClient(run_block(fixed)["app"])
    assert client.get("/work", headers={"x-request-id": "abc"}).json() == "[abc] done"


def test_documented_examples_answer_alike() -> None:
    for heading in ("## Example", "## Use instead"):
        client = TestClient(run_block(doc_block("FPA304", heading))["app"])
        assert client.get("/report/q3").json() == "report for q3"
