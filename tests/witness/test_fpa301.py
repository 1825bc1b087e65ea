"""FPA301: a blocking call in an `async def` handler holds the event loop, so a second request sent while the
first is being handled cannot start until the first is over; with `await asyncio.sleep` (the rule's fix) it
is served in between. Ordering is observed with events, never with timing assertions."""

from __future__ import annotations

import threading
from typing import Any

import anyio
import httpx

from flake8_fastapi.checker import check_source
from flake8_fastapi.config import Settings
from flake8_fastapi.fixes import apply_fixes
from flake8_fastapi.model.source import SourceFile

from ._rule_examples import run_block

SETTINGS = Settings(select=("FPA301",))

BAD = """
import threading
import time

import anyio
from fastapi import FastAPI

app = FastAPI()
log: list[str] = []
entered = anyio.Event()
pinged = threading.Event()


@app.get("/slow")
async def slow() -> str:
    log.append("slow: start")
    entered.set()
    time.sleep(0.2)
    log.append(f"slow: end, ping seen during the sleep: {pinged.is_set()}")
    return "slow"


@app.get("/ping")
async def ping() -> str:
    pinged.set()
    log.append("ping")
    return "pong"
"""


async def _two_requests(namespace: dict[str, Any]) -> list[str]:
    """Send `/slow`, then `/ping` as soon as the slow handler has started; return the handlers' log."""
    transport = httpx.ASGITransport(app=namespace["app"])
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        responses: dict[str, httpx.Response] = {}

        async def get(path: str) -> None:
            responses[path] = await client.get(path)

        async with anyio.create_task_group() as tg:
            tg.start_soon(get, "/slow")
            await namespace["entered"].wait()
            namespace["log"].append("client: slow has started, sending ping")
            await get("/ping")
    assert responses["/slow"].json() == "slow" and responses["/ping"].json() == "pong"
    return list(namespace["log"])


def test_a_blocking_handler_holds_every_other_request() -> None:
    assert [f.code for f in check_source(BAD, settings=SETTINGS)] == ["FPA301"]
    namespace = run_block(BAD)
    log = anyio.run(_two_requests, namespace)
    # The client could not even send the ping until the slow handler had finished.
    assert log == [
        "slow: start",
        "slow: end, ping seen during the sleep: False",
        "client: slow has started, sending ping",
        "ping",
    ]


def test_after_the_fix_the_ping_is_served_during_the_sleep() -> None:
    findings = check_source(BAD, settings=SETTINGS)
    fixed, done = apply_fixes(SourceFile.parse("example.py", BAD), findings, unsafe=True)
    assert done and "await asyncio.sleep(0.2)" in fixed and "import asyncio" in fixed
    assert check_source(fixed, settings=SETTINGS) == []
    # Make the pause event-driven instead of timed: the slow handler waits until the ping has been served.
    event_driven = fixed.replace("await asyncio.sleep(0.2)", "await ping_served.wait()").replace(
        "pinged = threading.Event()", "pinged = threading.Event()\nping_served = anyio.Event()"
    )
    event_driven = event_driven.replace('    log.append("ping")\n', '    log.append("ping")\n    ping_served.set()\n')
    namespace = run_block(event_driven)
    log = anyio.run(_two_requests, namespace)
    assert log == [
        "slow: start",
        "client: slow has started, sending ping",
        "ping",
        "slow: end, ping seen during the sleep: True",
    ]


def test_the_fixed_sleep_lets_the_loop_run() -> None:
    """The fixed code as the rule writes it: a ping sent during the sleep is answered before the sleep ends."""
    findings = check_source(BAD, settings=SETTINGS)
    fixed, _ = apply_fixes(SourceFile.parse("example.py", BAD), findings, unsafe=True)
    namespace = run_block(fixed.replace("await asyncio.sleep(0.2)", "await asyncio.sleep(30)"))
    ping_done = threading.Event()

    async def scenario() -> list[str]:
        transport = httpx.ASGITransport(app=namespace["app"])
        client = httpx.AsyncClient(transport=transport, base_url="http://test")
        async with client, anyio.create_task_group() as tg:
            tg.start_soon(client.get, "/slow")
            await namespace["entered"].wait()
            assert (await client.get("/ping")).json() == "pong"
            ping_done.set()
            tg.cancel_scope.cancel()  # the slow request is still sleeping: the loop was free
        return list(namespace["log"])

    assert anyio.run(scenario) == ["slow: start", "ping"]
    assert ping_done.is_set()
