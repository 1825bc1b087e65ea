"""FPA204: under the installed FastAPI, the exception an endpoint raises is thrown into a `yield` dependency at
its `yield`: cleanup written after the `yield` is skipped (both for `HTTPException` and for an unhandled error),
while the same cleanup in `finally` runs. The rule's fix turns the first shape into the second."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient

from flake8_fastapi.checker import check_source
from flake8_fastapi.config import Settings
from flake8_fastapi.fixes import apply_fixes
from flake8_fastapi.model.source import SourceFile

from ._releases import release_dirs, release_version
from ._rule_examples import run_block

BAD = """
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException

app = FastAPI()
events: list[str] = []


class Connection:
    def close(self) -> None:
        events.append("closed")


def get_conn() -> Iterator[Connection]:
    conn = Connection()
    yield conn
    conn.close()


@app.get("/missing")
def missing(conn: Annotated[Connection, Depends(get_conn)]) -> None:
    raise HTTPException(status_code=404)


@app.get("/broken")
def broken(conn: Annotated[Connection, Depends(get_conn)]) -> None:
    raise RuntimeError("boom")


@app.get("/fine")
def fine(conn: Annotated[Connection, Depends(get_conn)]) -> str:
    return "ok"
"""


def _fixed(source: str) -> str:
    settings = Settings(select=("FPA204",))
    findings = check_source(source, settings=settings)
    assert [f.code for f in findings] == ["FPA204"]
    new, fixed = apply_fixes(SourceFile.parse("example.py", source), findings, unsafe=True)
    assert fixed and "finally:" in new
    assert check_source(new, settings=settings) == []
    return new


@pytest.mark.parametrize(("path", "status"), [("/missing", 404), ("/broken", 500)])
def test_cleanup_after_yield_is_skipped_when_the_endpoint_raises(path: str, status: int) -> None:
    namespace = run_block(BAD)
    with TestClient(namespace["app"], raise_server_exceptions=False) as client:
        assert client.get(path).status_code == status
    assert namespace["events"] == []


def test_cleanup_runs_when_the_endpoint_succeeds() -> None:
    namespace = run_block(BAD)
    with TestClient(namespace["app"]) as client:
        assert client.get("/fine").json() == "ok"
    assert namespace["events"] == ["closed"]


RERAISED = BAD.replace(
    "    yield conn\n    conn.close()\n",
    "    try:\n        yield conn\n"
    "    except Exception:\n        events.append('seen')\n        raise\n"
    "    conn.close()\n",
)


@pytest.mark.parametrize("source", [BAD, RERAISED], ids=["plain", "reraised"])
@pytest.mark.parametrize(("path", "status"), [("/missing", 404), ("/broken", 500), ("/fine", 200)])
def test_after_the_fix_cleanup_always_runs(source: str, path: str, status: int) -> None:
    assert source.count("conn.close()") == 1
    namespace = run_block(source)
    with TestClient(namespace["app"], raise_server_exceptions=False) as client:
        assert client.get(path).status_code == status
    assert ("closed" in namespace["events"]) is (path == "/fine")
    namespace = run_block(_fixed(source))
    with TestClient(namespace["app"], raise_server_exceptions=False) as client:
        assert client.get(path).status_code == status
    assert namespace["events"][-1] == "closed"


ASYNC_BAD = """
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException

app = FastAPI()
events: list[str] = []


class Client:
    async def aclose(self) -> None:
        events.append("closed")


async def get_client() -> AsyncIterator[Client]:
    client = Client()
    yield client
    await client.aclose()


@app.get("/")
async def endpoint(client: Annotated[Client, Depends(get_client)]) -> None:
    raise HTTPException(status_code=400)
"""


def test_async_generator_dependency_behaves_the_same() -> None:
    namespace = run_block(ASYNC_BAD)
    with TestClient(namespace["app"]) as client:
        assert client.get("/").status_code == 400
    assert namespace["events"] == []
    namespace = run_block(_fixed(ASYNC_BAD))
    with TestClient(namespace["app"]) as client:
        assert client.get("/").status_code == 400
    assert namespace["events"] == ["closed"]


# Releases from 0.95 on (the example uses `Annotated`); see tests/witness/_releases.py for where they come from.
OTHER_RELEASES = [d for d in release_dirs() if release_version(d) >= (0, 95)]
PROBE = """
import json, sys
from fastapi import __version__
from fastapi.testclient import TestClient
namespace = {"__name__": "witness_example"}
exec(compile(sys.stdin.read(), "<witness>", "exec", dont_inherit=True), namespace)
client = TestClient(namespace["app"], raise_server_exceptions=False)
out = {}
for path in ("/missing", "/broken", "/fine"):
    namespace["events"].clear()
    out[path] = [client.get(path).status_code, list(namespace["events"])]
print(json.dumps({"version": __version__, "results": out}))
"""


@pytest.mark.skipif(
    not OTHER_RELEASES, reason="no other FastAPI release installed (scripts/setup.d/40-fastapi-releases.sh)"
)
@pytest.mark.parametrize("target", OTHER_RELEASES)
def test_other_fastapi_releases_skip_the_cleanup_too(target: str) -> None:
    """E.g. `pip install --target /tmp/fa95 "fastapi==0.95.0" "httpx<0.28"` (checked with 0.95 and 0.105)."""
    env = {**os.environ, "PYTHONPATH": target}
    done = subprocess.run([sys.executable, "-c", PROBE], input=BAD, env=env, capture_output=True, text=True, check=True)
    report = json.loads(done.stdout)
    assert report["results"] == {"/missing": [404, []], "/broken": [500, []], "/fine": [200, ["closed"]]}, report
